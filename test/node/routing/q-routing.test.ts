import { expect } from "chai";
import { ManualClock } from "../../../node/src/routing/clock.ts";
import { QTable } from "../../../node/src/routing/q-routing.ts";
import { routingFixture } from "./fixtures.ts";

/** Float comparison. (Hardhat's chai matchers replace `closeTo` with a bigint-only version.) */
function expectNear(actual: number, expected: number, tolerance = 1e-9): void {
  expect(Math.abs(actual - expected), `${actual} ≈ ${expected}`).to.be.at.most(tolerance);
}

describe("routing: confidence-based Q-routing", () => {
  it("learns fast when unsure and slowly when confident, and forgets over time", () => {
    const clock = new ManualClock();
    const q = new QTable(clock, { learningRate: 0.2, observationConfidence: 1, confidenceHalfLifeMs: 1_000 });
    q.observe("c", "a", { ok: true, latencyMs: 100 });
    expect(q.estimate("c", "a")).to.deep.equal({ q: 100, confidence: 1 });
    q.observe("c", "a", { ok: true, latencyMs: 200 }); // confident: η = α = 0.2
    expectNear(q.estimate("c", "a").q, 120);
    clock.advance(1_000); // confidence halves
    expectNear(q.estimate("c", "a").confidence, 0.5);
    q.observe("c", "a", { ok: true, latencyMs: 20 }); // η = max(0.2, 1 − 0.5) = 0.5
    expectNear(q.estimate("c", "a").q, 70);
    expectNear(q.estimate("c", "a").confidence, 0.75);
    q.observe("c", "a", { ok: false, latencyMs: 3 });
    expect(q.estimate("c", "a").q).to.be.greaterThan(1_000); // failures cost failurePenaltyMs
  });

  it("shortlists by reported impedance first, then by what it learns", () => {
    const f = routingFixture({ shortlistSize: 2 });
    for (const id of ["a", "b", "c", "d"]) f.register(id, ["ocr"], ["eu"]);
    // Reported impedance: a 30, b 60, c 90, d 120 ms.
    ["a", "b", "c", "d"].forEach((id, i) =>
      f.beat(id, { latencyMs: 10 * (i + 1), processingMs: 20 * (i + 1) }),
    );
    expect(f.router.shortlist({ capability: "ocr", zones: ["eu"] }).map((c) => c.agentId)).to.deep.equal([
      "a",
      "b",
    ]);
    // "a" reports well but is slow in practice; "c" is faster than it claims.
    for (let i = 0; i < 3; i++) {
      f.router.record("a", "ocr", { ok: true, latencyMs: 400 });
      f.router.record("c", "ocr", { ok: true, latencyMs: 20 });
    }
    const list = f.router.shortlist({ capability: "ocr", zones: ["eu"] });
    expect(list.map((c) => c.agentId)).to.deep.equal(["c", "b"]);
    expect(list[0]!.confidence).to.be.greaterThan(0.8);
    expect(list[1]!.confidence).to.equal(0);
  });

  it("moves a failing agent down the list", () => {
    const f = routingFixture({ shortlistSize: 4 });
    for (const id of ["a", "b"]) f.register(id, ["ocr"], ["eu"]);
    f.beat("a", { latencyMs: 5 });
    f.beat("b", { latencyMs: 50 });
    f.router.record("a", "ocr", { ok: false, latencyMs: 1 });
    expect(f.router.shortlist({ capability: "ocr", zones: ["eu"] }).map((c) => c.agentId)).to.deep.equal([
      "b",
      "a",
    ]);
  });
});
