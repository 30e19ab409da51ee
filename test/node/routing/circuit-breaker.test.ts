import { expect } from "chai";
import fc from "fast-check";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CircuitBreaker, CircuitOpenError } from "../../../node/src/routing/circuit-breaker.ts";
import type { BreakerPolicy, BreakerState } from "../../../node/src/routing/circuit-breaker.ts";
import { ManualClock } from "../../../node/src/routing/clock.ts";
import { HttpChatAdapter } from "../../../node/src/execution/adapters/http-chat.ts";
import { routingFixture } from "./fixtures.ts";

const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 1_000, openMs: 5_000, halfOpenProbes: 1 };

describe("routing: circuit breakers", () => {
  it("opens after N failures within the window, not when they are spread out", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker("agent x", clock, policy);
    b.onFailure();
    clock.advance(600);
    b.onFailure();
    clock.advance(600); // the first failure has left the 1 s window
    b.onFailure();
    expect(b.state()).to.equal("closed");
    expect(b.recentFailures()).to.equal(2);
    clock.advance(100);
    b.onFailure();
    expect(b.state()).to.equal("open");
    expect(() => b.acquire()).to.throw(CircuitOpenError, /open until t=6300/);
  });

  it("probes half-open after the cool-down: one probe at a time; success closes, failure reopens", () => {
    const clock = new ManualClock();
    const b = new CircuitBreaker("agent x", clock, policy);
    for (let i = 0; i < 3; i++) b.onFailure();
    clock.advance(4_999);
    expect(b.allows()).to.equal(false);
    clock.advance(1);
    expect(b.state()).to.equal("half-open");
    b.acquire();
    expect(b.allows()).to.equal(false); // the single probe is taken
    b.onFailure();
    expect(b.state()).to.equal("open");
    clock.advance(5_000);
    b.acquire();
    b.onSuccess();
    expect(b.state()).to.equal("closed");
    expect(b.recentFailures()).to.equal(0);
  });

  it("satisfies its state machine for any sequence of events (fast-check, seed 42)", () => {
    const cmd = fc.oneof(
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 3_000 }) }),
      fc.record({ kind: fc.constant("acquire" as const) }),
      fc.record({ kind: fc.constant("ok" as const) }),
      fc.record({ kind: fc.constant("fail" as const) }),
    );
    const policies = fc.record({
      failureThreshold: fc.integer({ min: 1, max: 5 }),
      windowMs: fc.integer({ min: 1, max: 5_000 }),
      openMs: fc.integer({ min: 0, max: 5_000 }),
      halfOpenProbes: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(policies, fc.array(cmd, { maxLength: 80 }), (p, cmds) => {
        const clock = new ManualClock();
        const b = new CircuitBreaker("k", clock, p);
        // Reference model, written from the spec.
        let state: BreakerState = "closed";
        let fails: number[] = [];
        let openedAt = 0;
        let probes = 0;
        const modelState = (): BreakerState => {
          if (state === "open" && clock.now() >= openedAt + p.openMs) {
            state = "half-open";
            probes = 0;
          }
          return state;
        };
        for (const c of cmds) {
          if (c.kind === "advance") clock.advance(c.ms);
          else if (c.kind === "acquire") {
            const s = modelState();
            const allowed = s === "closed" || (s === "half-open" && probes < p.halfOpenProbes);
            let got = true;
            try {
              b.acquire();
            } catch (e) {
              if (!(e instanceof CircuitOpenError)) throw e;
              got = false;
            }
            if (got !== allowed) return false;
            if (allowed && s === "half-open") probes++;
          } else if (c.kind === "ok") {
            b.onSuccess();
            if (modelState() === "half-open") {
              state = "closed";
              fails = [];
            }
          } else {
            b.onFailure();
            const s = modelState();
            if (s === "half-open") {
              state = "open";
              openedAt = clock.now();
            } else if (s === "closed") {
              fails = [...fails, clock.now()].filter((t) => t > clock.now() - p.windowMs);
              if (fails.length >= p.failureThreshold) {
                state = "open";
                openedAt = clock.now();
                fails = [];
              }
            }
          }
          // Invariants: states agree; closed never holds a full window of failures; open refuses.
          if (b.state() !== modelState()) return false;
          if (b.state() === "closed" && b.recentFailures() >= p.failureThreshold) return false;
          if (b.state() === "open" && b.allows()) return false;
        }
        return true;
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  describe("over real HTTP agents", () => {
    const servers: Server[] = [];
    const hits = new Map<string, number>();
    const broken = new Set<string>();
    const urls = new Map<string, string>();

    before(async () => {
      for (const name of ["fast", "mid", "slow"]) {
        const server = createServer((req, res) => {
          req.resume();
          req.on("end", () => {
            hits.set(name, (hits.get(name) ?? 0) + 1);
            if (broken.has(name)) return void res.writeHead(503).end("overloaded");
            res.writeHead(200, { "content-type": "application/json" });
            res.end(JSON.stringify({ choices: [{ message: { content: name }, finish_reason: "stop" }] }));
          });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        servers.push(server);
        urls.set(name, `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
      }
    });
    after(async () => {
      for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
    });

    it("opens on repeated failures, falls back to other agents with backoff, and recovers", async () => {
      const f = routingFixture({
        breakers: { capability: policy, agent: { ...policy, failureThreshold: 10 } },
        backoff: { baseMs: 100, maxMs: 1_000 },
        // No latency penalty for failures here, so Q-routing keeps ranking "fast" first and the
        // breaker alone decides when it stops being tried (q-routing.test.ts covers the penalty).
        qrouting: { failurePenaltyMs: 0 },
      });
      const load = { fast: 5, mid: 50, slow: 200 } as const;
      for (const name of ["fast", "mid", "slow"] as const) f.register(name, ["chat"], ["eu"]);
      const beatAll = (): void => {
        for (const name of ["fast", "mid", "slow"] as const)
          f.beat(name, { latencyMs: load[name], processingMs: 0 });
      };
      beatAll();
      const call = (agentId: string, signal?: AbortSignal): Promise<unknown> =>
        new HttpChatAdapter({ baseUrl: urls.get(agentId)!, model: "m" }).invoke({
          taskId: "t",
          input: { prompt: "hi" },
          idempotencyKey: `t-${agentId}`,
          attempt: 0,
          signal: signal ?? new AbortController().signal,
        });
      const request = { capability: "chat", zones: ["eu"] };

      const first = await f.router.dispatch(request, call);
      expect(first.agentId).to.equal("fast");

      broken.add("fast");
      const routed: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await f.router.dispatch(request, call);
        routed.push(r.agentId);
        expect(r.attempts[0]).to.include({ agentId: "fast", ok: false });
        expect(r.attempts[0]!.error).to.match(/HTTP 503/);
      }
      expect(routed).to.deep.equal(["mid", "mid", "mid"]);
      expect(f.delays.length).to.equal(3); // one jittered backoff per failure, within [0, 100] ms
      for (const d of f.delays) expect(d).to.be.within(0, 100);
      expect(f.router.breakers.forCapability("fast", "chat").state()).to.equal("open");

      // Open: "fast" is not even tried any more.
      const before = hits.get("fast");
      const r4 = await f.router.dispatch(request, call);
      expect(r4.agentId).to.equal("mid");
      expect(r4.attempts).to.have.length(1);
      expect(hits.get("fast")).to.equal(before);

      // After the cool-down, one half-open probe; the agent has healed, so the breaker closes.
      broken.delete("fast");
      f.clock.advance(5_000);
      beatAll();
      expect(f.router.breakers.forCapability("fast", "chat").state()).to.equal("half-open");
      const probe = await f.router.dispatch({ ...request, size: 3 }, call);
      expect(probe.agentId).to.equal("fast");
      expect(f.router.breakers.forCapability("fast", "chat").state()).to.equal("closed");
    });
  });
});
