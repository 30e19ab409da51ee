import { expect } from "chai";
import { Backoff, sleep } from "../../../node/src/routing/backoff.ts";
import { seededRng } from "../../../node/src/routing/rng.ts";
import { AllCandidatesFailedError } from "../../../node/src/routing/router.ts";
import { routingFixture } from "./fixtures.ts";

describe("routing: fallbacks with exponential backoff and jitter", () => {
  it("draws reproducible delays within the exponential envelope", () => {
    const delays = (jitter: "full" | "equal" | "none", seed: number): number[] => {
      const b = new Backoff({ baseMs: 100, maxMs: 1_000, jitter, rng: seededRng(seed) });
      return Array.from({ length: 6 }, (_, i) => b.delay(i));
    };
    expect(delays("none", 1)).to.deep.equal([100, 200, 400, 800, 1_000, 1_000]);
    expect(delays("full", 9)).to.deep.equal(delays("full", 9));
    expect(delays("full", 9)).to.not.deep.equal(delays("full", 10));
    delays("full", 9).forEach((d, i) => expect(d).to.be.within(0, Math.min(1_000, 100 * 2 ** i)));
    delays("equal", 9).forEach((d, i) => {
      const cap = Math.min(1_000, 100 * 2 ** i);
      expect(d).to.be.within(cap / 2, cap);
    });
    expect(() => new Backoff({ baseMs: 10, maxMs: 5, rng: seededRng(1) })).to.throw(
      RangeError,
      /baseMs ≤ maxMs/,
    );
  });

  it("tries each shortlisted agent in order, backs off between them, and reports every attempt", async () => {
    const f = routingFixture({ backoff: { baseMs: 100, maxMs: 1_000 } });
    for (const [id, latency] of [
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ] as const) {
      f.register(id, ["ocr"], ["eu"]);
      f.beat(id, { latencyMs: latency, processingMs: 0 });
    }
    const tried: string[] = [];
    const err = await f.router
      .dispatch({ capability: "ocr", zones: ["eu"] }, async (agentId) => {
        tried.push(agentId);
        throw new Error(`${agentId} is down`);
      })
      .catch((e: Error) => e);
    expect(tried).to.deep.equal(["a", "b", "c"]);
    expect(err).to.be.instanceOf(AllCandidatesFailedError);
    const attempts = (err as AllCandidatesFailedError).attempts;
    expect(attempts.map((a) => a.error)).to.deep.equal(["a is down", "b is down", "c is down"]);
    expect(f.delays).to.have.length(2); // no wait after the last candidate
    expect(f.delays[0]).to.be.within(0, 100);
    expect(f.delays[1]).to.be.within(0, 200);
    expect((err as Error).message).to.match(/Every shortlisted agent for "ocr" failed/);
  });

  it("stops at maxAttempts and on cancellation", async () => {
    const f = routingFixture();
    for (const id of ["a", "b", "c"]) {
      f.register(id, ["ocr"], ["eu"]);
      f.beat(id);
    }
    let calls = 0;
    const failing = async (): Promise<never> => {
      calls++;
      throw new Error("down");
    };
    await f.router
      .dispatch({ capability: "ocr", zones: ["eu"] }, failing, { maxAttempts: 2 })
      .catch(() => {});
    expect(calls).to.equal(2);
    const controller = new AbortController();
    controller.abort(new Error("requester gave up"));
    const err = await f.router
      .dispatch({ capability: "ocr", zones: ["eu"] }, failing, { signal: controller.signal })
      .catch((e: Error) => e);
    expect((err as Error).message).to.equal("requester gave up");
    expect(calls).to.equal(2);
  });

  it("sleep() rejects with the abort reason", async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal).catch((e: Error) => e);
    controller.abort(new Error("stop"));
    expect(((await pending) as Error).message).to.equal("stop");
  });
});
