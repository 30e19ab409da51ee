/** Heartbeats across two real libp2p nodes on 127.0.0.1, through the transport's interface. */
import { expect } from "chai";
import { createTransport } from "../../../node/src/transport/index.ts";
import type { Transport } from "../../../node/src/transport/index.ts";
import {
  GossipHeartbeatSource,
  HEARTBEAT_TOPIC,
  HeartbeatPublisher,
} from "../../../node/src/routing/gossip-heartbeats.ts";
import { createRouting } from "../../../node/src/routing/index.ts";
import { ManualClock } from "../../../node/src/routing/clock.ts";
import type { Heartbeat } from "../../../node/src/routing/types.ts";

describe("routing: heartbeats over gossip", function () {
  let agent: Transport;
  let requester: Transport;

  before(async () => {
    agent = createTransport({ seed: new Uint8Array(32).fill(41) });
    await agent.start();
    requester = createTransport({ seed: new Uint8Array(32).fill(42), peers: [agent.addresses()[0]!] });
    await requester.start();
  });
  after(async () => {
    await requester?.stop();
    await agent?.stop();
  });

  it("feeds the capability index from gossip and rejects malformed heartbeats", async () => {
    const clock = new ManualClock(5_000);
    const source = new GossipHeartbeatSource(requester);
    const router = createRouting({}, { clock, heartbeats: source });
    router.index.applyRegistryEvent({
      type: "agent:registered",
      agentId: "did:ainur:31337:7",
      capabilities: ["ocr"],
      zones: ["eu"],
      at: 1,
    });
    const arrived: Heartbeat[] = [];
    const next = (): Promise<void> => new Promise((resolve) => source.onHeartbeat(() => resolve()));
    source.onHeartbeat((h) => arrived.push(h));
    router.start();

    const publisher = new GossipHeartbeatSource(agent);
    agent.subscribe(HEARTBEAT_TOPIC, () => "accept");
    await agent.waitForSubscribers(HEARTBEAT_TOPIC, 1, 10_000);
    const got = next();
    const sent = await publisher.publish({
      agentId: "did:ainur:31337:7",
      seq: 1,
      load: { queueDepth: 2, processingMs: 40, latencyMs: 3 },
    });
    expect(sent).to.equal(1);
    await got;
    expect(router.health("did:ainur:31337:7")).to.equal("healthy");
    expect(router.index.get("did:ainur:31337:7")!.load).to.deep.equal({
      queueDepth: 2,
      processingMs: 40,
      latencyMs: 3,
    });
    expect(router.shortlist({ capability: "ocr", zones: ["eu"] }).map((c) => c.agentId)).to.deep.equal([
      "did:ainur:31337:7",
    ]);

    // Malformed: rejected at the validator, never reaches the index; then a valid one still gets through.
    await agent.publish(
      HEARTBEAT_TOPIC,
      new TextEncoder().encode('{"v":1,"agentId":"x","seq":-1,"load":{}}'),
    );
    const again = next();
    await publisher.publish({
      agentId: "did:ainur:31337:7",
      seq: 2,
      load: { queueDepth: 0, processingMs: 40, latencyMs: 3 },
    });
    await again;
    expect(arrived.map((h) => h.seq)).to.deep.equal([1, 2]);
    expect([...source.rejected.keys()]).to.deep.equal([
      `Heartbeat from peer ${agent.peerId} dropped: seq must be a whole number ≥ 0.`,
    ]);
    router.stop();
  });

  it("publishes an agent's load periodically with increasing seq", async () => {
    const source = new GossipHeartbeatSource(requester);
    const seen: Heartbeat[] = [];
    const three = new Promise<void>((resolve) =>
      source.onHeartbeat((h) => {
        if (h.agentId === "did:ainur:31337:8") seen.push(h);
        if (seen.length === 3) resolve();
      }),
    );
    let queue = 0;
    const publisher = new HeartbeatPublisher(agent, {
      agentId: "did:ainur:31337:8",
      intervalMs: 20,
      load: () => ({ queueDepth: queue++, processingMs: 10, latencyMs: 1 }),
    });
    publisher.start();
    await three;
    publisher.stop();
    const first = seen[0]!.load.queueDepth; // 0 unless the first beat raced the mesh
    expect(seen.map((h) => h.load.queueDepth)).to.deep.equal([first, first + 1, first + 2]);
    expect(seen[1]!.seq).to.equal(seen[0]!.seq + 1);
    expect(publisher.stats.sent).to.be.at.least(3);
  });
});
