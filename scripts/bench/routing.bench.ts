/**
 * Routing benchmarks.
 *
 * - routing.shortlist_30k_p95_ms: p95 time of one `Router.shortlist()` (k = 8) over 30,000
 *   registered agents with heartbeats, 10 capabilities (1–3 per agent), 5 zones, learned Q-values
 *   for a fifth of the (capability, agent) pairs and 1 % of agents with an open breaker.
 *   routing.shortlist_30k_one_cap_p95_ms is the worst case: all 30,000 offer the capability and
 *   every zone is allowed, so every agent is scored.
 * - routing.q_vs_broadcast.*: a seeded discrete-event simulation of 1,000 agents with mixed network
 *   latencies and service times (see `simulate`). Broadcast invites every agent to the call for
 *   proposals; Q-routing invites the router's shortlist of 8. Both wait for all invited bids or the
 *   300 ms bid deadline, award the lowest estimated completion, and measure the requester's
 *   end-to-end latency. msg_ratio = protocol messages (CFP + bids + award + result) Q / broadcast;
 *   latency_ratio = mean end-to-end latency Q / broadcast (the seeds claim 0.6, a "40 % gain").
 *   With a 300 ms deadline broadcast mostly waits for the deadline (15 % of agents are far away);
 *   routing.q_vs_broadcast_deadline50.latency_ratio repeats the comparison with a 50 ms deadline,
 *   where broadcast hears only near agents and pays much less waiting.
 */
import type { BenchResult, BenchSuite } from "./types.ts";
import { percentile } from "./types.ts";
import { createRouting, ManualClock, seededRng } from "../../node/src/routing/index.ts";
import type { Rng, Router } from "../../node/src/routing/index.ts";

const ZONES = ["eu", "us", "ch", "jp", "br"];

function buildNetwork(n: number, rng: Rng, oneCapability: boolean): { router: Router; clock: ManualClock } {
  const clock = new ManualClock(1_000_000);
  const router = createRouting({ shortlistSize: 8, seed: 1 }, { clock });
  for (let i = 0; i < n; i++) {
    const caps = oneCapability
      ? ["cap0"]
      : [...new Set(Array.from({ length: 1 + Math.floor(rng() * 3) }, () => `cap${Math.floor(rng() * 10)}`))];
    const zones = rng() < 0.1 ? [ZONES[i % 5]!, ZONES[(i + 1) % 5]!] : [ZONES[i % 5]!];
    router.index.applyRegistryEvent({
      type: "agent:registered",
      agentId: `did:ainur:bench:${i}`,
      capabilities: caps,
      zones,
      at: i,
    });
    router.index.applyHeartbeat({
      agentId: `did:ainur:bench:${i}`,
      seq: 1,
      load: { queueDepth: Math.floor(rng() * 5), processingMs: 10 + rng() * 500, latencyMs: 1 + rng() * 200 },
    });
    for (const cap of caps) {
      if (rng() < 0.2)
        router.qtable.observe(cap, `did:ainur:bench:${i}`, { ok: true, latencyMs: 20 + rng() * 800 });
    }
    if (rng() < 0.01)
      for (let f = 0; f < 10; f++) router.breakers.record(`did:ainur:bench:${i}`, caps[0]!, false);
  }
  return { router, clock };
}

/** Wall-clock and CPU-time p95 of a shortlist (CPU time leaves out preemption on a busy machine). */
function shortlistP95(oneCapability: boolean): { wall: number; cpu: number } {
  const rng = seededRng(2026);
  const { router, clock } = buildNetwork(30_000, rng, oneCapability);
  const samples: number[] = [];
  const cpu: number[] = [];
  for (let q = 0; q < 1_700; q++) {
    clock.advance(3);
    const zones = oneCapability
      ? ZONES
      : rng() < 0.5
        ? [ZONES[q % 5]!]
        : [ZONES[q % 5]!, ZONES[(q + 2) % 5]!];
    const capability = oneCapability ? "cap0" : `cap${Math.floor(rng() * 10)}`;
    const c = process.cpuUsage();
    const t = performance.now();
    const list = router.shortlist({ capability, zones });
    const dt = performance.now() - t;
    const used = process.cpuUsage(c);
    if (list.length === 0) throw new Error("empty shortlist in the benchmark network");
    if (q >= 200) {
      samples.push(dt); // the first 200 warm up the JIT
      cpu.push((used.user + used.system) / 1_000);
    }
  }
  return { wall: percentile(samples, 95), cpu: percentile(cpu, 95) };
}

// ---- the simulated network ------------------------------------------------------------------

interface SimAgent {
  id: string;
  oneWayMs: number;
  meanServiceMs: number;
  busyUntil: number;
}

interface SimResult {
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  messages: number;
  tasks: number;
}

class Heap<T> {
  private items: Array<{ t: number; seq: number; v: T }> = [];
  private seq = 0;
  push(t: number, v: T): void {
    const a = this.items;
    a.push({ t, seq: this.seq++, v });
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]!.t < a[i]!.t || (a[p]!.t === a[i]!.t && a[p]!.seq < a[i]!.seq)) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): { t: number; v: T } | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        const less = (x: number, y: number): boolean =>
          a[x]!.t < a[y]!.t || (a[x]!.t === a[y]!.t && a[x]!.seq < a[y]!.seq);
        if (l < a.length && less(l, m)) m = l;
        if (r < a.length && less(r, m)) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

function lognormal(rng: Rng, median: number, sigma: number): number {
  const u = Math.max(rng(), 1e-12);
  const v = rng();
  return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

/** The same 1,000 agents for both strategies: latencies and service times drawn from seed 1000. */
function makeAgents(): SimAgent[] {
  const rng = seededRng(1000);
  return Array.from({ length: 1_000 }, (_, i) => {
    const r = rng();
    const oneWayMs = r < 0.5 ? 1 + rng() * 10 : r < 0.85 ? 10 + rng() * 40 : 50 + rng() * 150; // near / mid / far
    const s = rng();
    const meanServiceMs =
      s < 0.3 ? lognormal(rng, 25, 0.3) : s < 0.8 ? lognormal(rng, 90, 0.3) : lognormal(rng, 300, 0.3);
    return { id: `agent-${i}`, oneWayMs, meanServiceMs, busyUntil: 0 };
  });
}

/**
 * `broadcast`: invite all agents; `q`: invite the router's shortlist. Both wait for every invited
 * bid or the bid deadline, whichever comes first.
 */
function simulate(
  strategy: "broadcast" | "q",
  bidDeadlineMs = 300,
  tasks = 6_000,
  ratePerSec = 200,
): SimResult {
  const agents = makeAgents();
  const byId = new Map(agents.map((a) => [a.id, a]));
  const arrivals = seededRng(7); // same arrivals and service noise for both strategies
  const noise = seededRng(8);
  const clock = new ManualClock(0);
  const router = createRouting({ shortlistSize: 8, seed: 3 }, { clock });
  for (const a of agents) {
    router.index.applyRegistryEvent({
      type: "agent:registered",
      agentId: a.id,
      capabilities: ["infer"],
      zones: ["eu"],
      at: 0,
    });
  }
  const BID_DEADLINE = bidDeadlineMs;
  type Ev =
    | { kind: "heartbeat"; agent: SimAgent; seq: number }
    | { kind: "task"; task: number }
    | { kind: "close"; task: number; start: number; invited: SimAgent[] }
    | { kind: "award"; task: number; start: number; agent: SimAgent }
    | { kind: "result"; task: number; start: number; agent: SimAgent; awardedAt: number };
  const heap = new Heap<Ev>();
  agents.forEach((agent, i) => heap.push((i / agents.length) * 5_000, { kind: "heartbeat", agent, seq: 1 }));
  let t = 0;
  for (let j = 0; j < tasks; j++) {
    t += (-Math.log(Math.max(arrivals(), 1e-12)) / ratePerSec) * 1_000;
    heap.push(t, { kind: "task", task: j });
  }
  const latencies: number[] = [];
  let messages = 0;
  let pendingTasks = tasks;
  for (let ev = heap.pop(); ev && pendingTasks > 0; ev = heap.pop()) {
    clock.advance(ev.t - clock.now());
    const now = ev.t;
    const e = ev.v;
    if (e.kind === "heartbeat") {
      const a = e.agent;
      const backlog = Math.max(0, a.busyUntil - now);
      router.index.applyHeartbeat({
        agentId: a.id,
        seq: e.seq,
        load: {
          queueDepth: Math.ceil(backlog / a.meanServiceMs),
          processingMs: a.meanServiceMs,
          latencyMs: 2 * a.oneWayMs,
        },
      });
      heap.push(now + 5_000, { kind: "heartbeat", agent: a, seq: e.seq + 1 });
    } else if (e.kind === "task") {
      const invited =
        strategy === "q"
          ? router.shortlist({ capability: "infer", zones: ["eu"] }).map((c) => byId.get(c.agentId)!)
          : agents;
      messages += invited.length; // one CFP per invited agent
      const wait = Math.max(...invited.map((a) => 2 * a.oneWayMs));
      heap.push(now + Math.min(BID_DEADLINE, wait), { kind: "close", task: e.task, start: now, invited });
    } else if (e.kind === "close") {
      // Bids that arrived by now: each agent's estimated completion (queue + mean service) at its bid time.
      let best: SimAgent | undefined;
      let bestCost = Infinity;
      for (const a of e.invited) {
        const bidAt = e.start + 2 * a.oneWayMs;
        if (bidAt > now) continue; // the bid missed the deadline: sent, but not counted
        const cost = Math.max(0, a.busyUntil - (e.start + a.oneWayMs)) + a.meanServiceMs + a.oneWayMs;
        if (cost < bestCost) [best, bestCost] = [a, cost];
      }
      messages += e.invited.length; // every invited agent sends a bid
      if (best === undefined) throw new Error("no bid arrived before the deadline");
      messages += 1; // award
      heap.push(now + best.oneWayMs, { kind: "award", task: e.task, start: e.start, agent: best });
    } else if (e.kind === "award") {
      const a = e.agent;
      const begin = Math.max(now, a.busyUntil);
      a.busyUntil = begin + lognormal(noise, a.meanServiceMs, 0.25);
      heap.push(a.busyUntil + a.oneWayMs, {
        kind: "result",
        task: e.task,
        start: e.start,
        agent: a,
        awardedAt: now - a.oneWayMs,
      });
    } else {
      messages += 1; // result
      latencies.push(now - e.start);
      router.record(e.agent.id, "infer", { ok: true, latencyMs: now - e.awardedAt });
      pendingTasks--;
    }
  }
  const mean = latencies.reduce((s, x) => s + x, 0) / latencies.length;
  return {
    meanMs: mean,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    messages,
    tasks: latencies.length,
  };
}

const suite: BenchSuite = {
  name: "routing",
  ids: [
    "routing.shortlist_30k_p95_ms",
    "routing.shortlist_30k_cpu_p95_ms",
    "routing.shortlist_30k_one_cap_p95_ms",
    "routing.q_vs_broadcast.msg_ratio",
    "routing.q_vs_broadcast.latency_ratio",
    "routing.q_vs_broadcast.p95_latency_ratio",
    "routing.q_vs_broadcast_deadline50.latency_ratio",
  ],
  async run(selected) {
    const out: BenchResult[] = [];
    const push = (id: string, value: number, unit: string): void => {
      out.push({ id, value, unit, better: "lower" });
    };
    if (selected("routing.shortlist_30k_p95_ms") || selected("routing.shortlist_30k_cpu_p95_ms")) {
      const { wall, cpu } = shortlistP95(false);
      push("routing.shortlist_30k_p95_ms", wall, "ms");
      push("routing.shortlist_30k_cpu_p95_ms", cpu, "ms");
    }
    if (selected("routing.shortlist_30k_one_cap_p95_ms")) {
      push("routing.shortlist_30k_one_cap_p95_ms", shortlistP95(true).wall, "ms");
    }
    const wantsSim = ["msg_ratio", "latency_ratio", "p95_latency_ratio"].some((s) =>
      selected(`routing.q_vs_broadcast.${s}`),
    );
    const wantsTight = selected("routing.q_vs_broadcast_deadline50.latency_ratio");
    if (wantsSim || wantsTight) {
      const q = simulate("q", 300);
      const line = (name: string, r: SimResult): string =>
        `${name}: mean ${r.meanMs.toFixed(1)} ms, p50 ${r.p50Ms.toFixed(1)}, p95 ${r.p95Ms.toFixed(1)}, ${r.messages} msgs`;
      process.stderr.write(
        `bench: routing sim (1,000 agents, ${q.tasks} tasks at 200/s) ${line("Q-routing", q)}\n`,
      );
      if (wantsSim) {
        const b = simulate("broadcast", 300);
        process.stderr.write(`bench: routing sim ${line("broadcast (all bids or 300 ms)", b)}\n`);
        push("routing.q_vs_broadcast.msg_ratio", q.messages / b.messages, "ratio");
        push("routing.q_vs_broadcast.latency_ratio", q.meanMs / b.meanMs, "ratio");
        push("routing.q_vs_broadcast.p95_latency_ratio", q.p95Ms / b.p95Ms, "ratio");
      }
      if (wantsTight) {
        // A broadcast with a tight 50 ms bid deadline: only near agents' bids make it (same for Q's shortlist).
        const f = simulate("broadcast", 50);
        const q50 = simulate("q", 50);
        process.stderr.write(
          `bench: routing sim ${line("broadcast, 50 ms deadline", f)}; ${line("Q-routing, 50 ms deadline", q50)}\n`,
        );
        push("routing.q_vs_broadcast_deadline50.latency_ratio", q50.meanMs / f.meanMs, "ratio");
      }
    }
    return out;
  },
};

export default suite;
