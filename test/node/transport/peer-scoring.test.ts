import { expect } from "chai";
import {
  createTransport,
  PeerBannedError,
  PeerScorer,
  type Transport,
} from "../../../node/src/transport/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);

describe("transport: peer scoring", function () {
  it("charges a token bucket, penalises flooding and rejected input, bans at the threshold, recovers slowly", function () {
    let now = 0;
    const s = new PeerScorer({
      burst: 3,
      ratePerSecond: 1,
      floodPenalty: 5,
      invalidPenalty: 10,
      banThreshold: -30,
      recoveryPerSecond: 1,
      now: () => now,
    });
    const bans: string[] = [];
    s.onBan((peer) => bans.push(peer));
    expect([s.charge("p"), s.charge("p"), s.charge("p")]).to.deep.equal([true, true, true]);
    expect(s.charge("p")).to.equal(false); // over the burst
    expect(s.score("p")).to.equal(-5);
    now += 1000; // one token back, 1 point recovered
    expect(s.charge("p")).to.equal(true);
    expect(s.score("p")).to.equal(-4);
    s.penalize("p");
    s.penalize("p");
    expect(s.isBanned("p")).to.equal(false);
    s.penalize("p"); // −34 ≤ −30
    expect(s.isBanned("p")).to.equal(true);
    expect(bans).to.deep.equal(["p"]);
    expect(s.charge("p")).to.equal(false);
    expect(s.charge("q")).to.equal(true); // others unaffected
  });

  describe("over libp2p", function () {
    let victim: Transport;
    let flooder: Transport;
    let honest: Transport;

    before(async function () {
      victim = createTransport({ seed: seed(41), score: { burst: 30, ratePerSecond: 5, banThreshold: -40 } });
      await victim.start();
      flooder = createTransport({ seed: seed(42), peers: [victim.addresses()[0]!] });
      await flooder.start();
      honest = createTransport({ seed: seed(43), peers: [victim.addresses()[0]!] });
      await honest.start();
    });

    after(async function () {
      await honest?.stop();
      await flooder?.stop();
      await victim?.stop();
    });

    it("bans a peer that floods a topic with messages the application rejects, hangs up and refuses it", async function () {
      const topic = "/ainur/1/cap/flood-test";
      const banned = new Promise<string>((resolve) => victim.scorer.onBan((peer) => resolve(peer)));
      victim.subscribe(topic, (data) => (data[0] === 1 ? "accept" : "reject"));
      flooder.subscribe(topic, () => "accept");
      honest.subscribe(topic, () => "accept");
      await flooder.waitForSubscribers(topic, 1);
      await honest.waitForSubscribers(topic, 1);
      for (let i = 0; i < 200 && !victim.scorer.isBanned(flooder.peerId); i++) {
        await flooder.publish(topic, new Uint8Array([0, i & 255, i >> 8]));
      }
      expect(await banned).to.equal(flooder.peerId);
      expect(victim.stats().gossipRejected).to.be.at.least(4);
      expect(victim.stats().peersBanned).to.equal(1);
      let error: unknown;
      try {
        await flooder.dial(victim.addresses()[0]!, 2_000);
        // the gater may let the TCP dial through and close it at the encryption step
        await victim.request(flooder.peerId, "/ainur/test/none/1.0.0", new Uint8Array(1));
      } catch (e) {
        error = e;
      }
      expect(error).to.not.equal(undefined);
      expect(victim.connectedPeers()).to.not.include(flooder.peerId);
      // the honest peer still gets through
      const got = new Promise<void>((resolve) => {
        victim.subscribe(topic, (data) => (data[0] === 1 ? (resolve(), "accept") : "reject"));
      });
      await honest.publish(topic, new Uint8Array([1, 2, 3]));
      await got;
      let refused: unknown;
      try {
        await victim.request(flooder.peerId, "/x/1.0.0", new Uint8Array(1));
      } catch (e) {
        refused = e;
      }
      expect(refused).to.be.instanceOf(PeerBannedError);
    });
  });
});

describe("transport: connection limit", function () {
  const nodes: Transport[] = [];
  after(async function () {
    for (const t of nodes.reverse()) await t.stop();
  });

  it("refuses inbound connections beyond maxConnections", async function () {
    const hub = createTransport({ seed: seed(44), maxConnections: 2 });
    await hub.start();
    nodes.push(hub);
    const results: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const t = createTransport({ seed: seed(45 + i) });
      await t.start();
      nodes.push(t);
      try {
        await t.dial(hub.addresses()[0]!, 3_000);
        results.push(true);
      } catch {
        results.push(false);
      }
    }
    expect(results).to.deep.equal([true, true, false, false]);
    expect(hub.connectedPeers().length).to.equal(2);
  });
});
