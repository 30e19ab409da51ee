import { expect } from "chai";
import { routingFixture } from "./fixtures.ts";
import { NoRouteError } from "../../../node/src/routing/router.ts";

describe("routing: capability index and health", () => {
  it("indexes registry events, updates and deregistrations; heartbeats only count for registered agents", () => {
    const f = routingFixture();
    f.register("a", ["text", "image"], ["EU"]);
    f.register("b", ["text"], ["us"]);
    expect(
      f.router.index
        .candidates("text")
        .map((r) => r.id)
        .sort(),
    ).to.deep.equal(["a", "b"]);
    expect(f.router.index.get("a")!.zones).to.deep.equal(["eu"]);
    f.feed.registry({ type: "agent:updated", agentId: "a", capabilities: ["image"], zones: ["eu"], at: 10 });
    expect(f.router.index.candidates("text").map((r) => r.id)).to.deep.equal(["b"]);
    // A stale registry event (lower `at`) does not undo a newer one.
    f.feed.registry({ type: "agent:deregistered", agentId: "a", at: 5 });
    expect(f.router.index.get("a")).to.not.equal(undefined);
    f.feed.registry({ type: "agent:deregistered", agentId: "a", at: 11 });
    expect(f.router.index.candidates("image")).to.have.length(0);

    f.beat("b");
    f.beat("ghost");
    f.feed.heartbeat({ agentId: "b", seq: 1, load: { queueDepth: 9, processingMs: 9, latencyMs: 9 } }); // replayed seq
    f.feed.heartbeat({ agentId: "b", seq: 7, load: { queueDepth: -1, processingMs: 9, latencyMs: 9 } }); // malformed
    const stats = f.router.index.getStats();
    expect(stats.heartbeatsApplied).to.equal(1);
    expect(stats.heartbeatsDropped).to.equal(3);
    expect(stats.staleRegistryEvents).to.equal(1);
    expect(f.router.index.get("b")!.load).to.deep.equal({ queueDepth: 0, processingMs: 10, latencyMs: 10 });
  });

  it("moves an agent healthy → degraded → offline on missed heartbeats, and back on the next one", () => {
    const f = routingFixture(); // 5 s period: degraded after 15 s, offline after 30 s
    f.register("a", ["text"], ["eu"]);
    f.register("b", ["text"], ["eu"]);
    expect(f.router.health("a")).to.equal("offline"); // never heard from
    f.beat("a");
    f.beat("b");
    expect(f.router.health("a")).to.equal("healthy");
    f.clock.advance(15_000);
    expect(f.router.health("a")).to.equal("healthy");
    f.clock.advance(1);
    expect(f.router.health("a")).to.equal("degraded");
    f.beat("b");
    // Degraded agents stay eligible but rank behind healthy ones with the same load.
    expect(
      f.router.shortlist({ capability: "text", zones: ["eu"] }).map((c) => [c.agentId, c.health]),
    ).to.deep.equal([
      ["b", "healthy"],
      ["a", "degraded"],
    ]);
    f.clock.advance(15_000);
    expect(f.router.health("a")).to.equal("offline");
    expect(f.router.shortlist({ capability: "text", zones: ["eu"] }).map((c) => c.agentId)).to.deep.equal([
      "b",
    ]);
    f.beat("a");
    expect(f.router.health("a")).to.equal("healthy");
    f.clock.advance(31_000);
    expect(() => f.router.shortlist({ capability: "text", zones: ["eu"] })).to.not.throw();
    expect(f.router.shortlist({ capability: "text", zones: ["eu"] })).to.deep.equal([]);
  });

  it("refuses to dispatch when nobody is eligible, saying why", async () => {
    const f = routingFixture();
    f.register("a", ["text"], ["eu"]);
    const err = await f.router
      .dispatch({ capability: "text", zones: ["eu"] }, async () => 1)
      .catch((e: Error) => e);
    expect(err).to.be.instanceOf(NoRouteError);
    expect((err as NoRouteError).registered).to.equal(1);
    expect((err as Error).message).to.match(/"text" in zones eu/);
  });

  it("stops listening after stop()", () => {
    const f = routingFixture();
    f.register("a", ["text"], ["eu"]);
    f.router.stop();
    f.beat("a");
    expect(f.router.index.get("a")!.lastHeardAt).to.equal(undefined);
  });
});
