import { expect } from "chai";
import { AgentKeys, StaticDidResolver, signEnvelope, utf8 } from "../../../node/src/identity/index.ts";
import type { SignatureAlg } from "../../../node/src/identity/index.ts";
import {
  createTransport,
  PROTOCOLS,
  RemoteRequestError,
  type Transport,
} from "../../../node/src/transport/index.ts";
import {
  Auctioneer,
  Bidder,
  BidOutOfZoneError,
  CfpSchema,
  SealedBidSchema,
  StaticFloorStrategy,
  TYPES,
  seal,
  sealAad,
  type Cfp,
} from "../../../node/src/market/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const CHAIN = 31337;
const ESCROW = { chainId: CHAIN, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };

describe("market: zones on the call for proposals", function () {
  const requester = AgentKeys.fromSeed(seed(150), CHAIN);
  // eu, us, and one agent that declares no zone
  const agents = [
    AgentKeys.fromSeed(seed(151), CHAIN),
    AgentKeys.fromSeed(seed(152), CHAIN),
    AgentKeys.fromSeed(seed(153), CHAIN),
  ];
  const zones: Array<string[] | undefined> = [["eu"], ["us"], undefined];
  const mallory = AgentKeys.fromSeed(seed(154), CHAIN);
  const resolver = new StaticDidResolver([requester, ...agents, mallory].map((k) => k.publicKeys));
  let clock = 0;
  const transports: Transport[] = [];
  let auctioneer: Auctioneer;
  let bidders: Bidder[];
  let attacker: Transport;
  const skipped: string[][] = [[], [], []];

  before(async function () {
    clock = Date.now();
    const at = createTransport({ seed: seed(160) });
    await at.start();
    transports.push(at);
    // The devnet's nodes sign every envelope with the account key (eip712): do the same here.
    const alg: SignatureAlg = "eip712";
    auctioneer = new Auctioneer(
      { escrow: ESCROW, now: () => clock, sealSeed: seed(161), alg },
      { keys: requester, resolver, transport: at },
    );
    await auctioneer.start();
    bidders = [];
    for (const [i, keys] of agents.entries()) {
      const t = createTransport({ seed: seed(170 + i), peers: [at.addresses()[0]!] });
      await t.start();
      transports.push(t);
      const bidder = new Bidder(
        {
          capabilities: ["translate"],
          escrow: ESCROW,
          auctioneers: [requester.did],
          cost: () => 100 + 10 * i,
          alg,
          profile: { strategy: "floor" },
          ...(zones[i] === undefined ? {} : { zones: zones[i] }),
        },
        { keys, resolver, transport: t, strategy: new StaticFloorStrategy(0) },
      );
      bidder.on("skip", (cfp, reason) => skipped[i]!.push(`${cfp.cfpId} ${reason}`));
      await bidder.start();
      bidders.push(bidder);
    }
    attacker = createTransport({ seed: seed(180), peers: [at.addresses()[0]!] });
    await attacker.start();
    transports.push(attacker);
    await at.waitForSubscribers("/ainur/1/cap/translate", 3);
  });

  after(async function () {
    for (const b of bidders ?? []) await b.stop();
    await auctioneer?.stop();
    for (const t of transports.reverse()) await t.stop();
  });

  const announce = (extra: { zones?: string[] } = {}) =>
    auctioneer.announce({
      capability: "translate",
      subtasks: ["translate"],
      mechanism: "vickrey",
      reserve: 500,
      deadline: clock + 60_000,
      taskDeadline: Math.floor(clock / 1000) + 3600,
      ...extra,
    });

  const handMadeBid = (cfp: Cfp, keys: AgentKeys, declared?: string[]): Uint8Array => {
    const content = {
      cfpId: cfp.cfpId,
      bidder: keys.did,
      payTo: keys.address,
      bids: [{ bundle: [0], price: 1 }],
    };
    const body = {
      cfpId: cfp.cfpId,
      sealed: seal(cfp.auctioneer.sealKey, utf8(JSON.stringify(content)), sealAad(cfp.cfpId, keys.did)),
      ...(declared === undefined ? {} : { zones: declared }),
    };
    return signEnvelope(keys, TYPES.sealedBid, body, { now: clock });
  };

  it("schemas: zones are optional on the CFP and the sealed bid; a bad zone name or an empty list is refused", function () {
    const cfp = {
      cfpId: "0x" + "ab".repeat(32),
      capability: "translate",
      subtasks: ["translate"],
      mechanism: "vickrey",
      reserve: 10,
      deadline: 1,
      taskDeadline: 1,
      inputs: [],
      auctioneer: { peer: "p", addrs: [], sealKey: "0x" + "00".repeat(32) },
    };
    expect(CfpSchema.safeParse(cfp).success).to.equal(true);
    expect(CfpSchema.parse({ ...cfp, zones: ["eu", "us-east"] }).zones).to.deep.equal(["eu", "us-east"]);
    for (const bad of [[], ["EU"], ["eu!"], ["9eu"], Array.from({ length: 17 }, (_, i) => `z${i}`)])
      expect(CfpSchema.safeParse({ ...cfp, zones: bad }).success, JSON.stringify(bad)).to.equal(false);
    const sealed = { epk: "0x" + "00".repeat(32), iv: "0x" + "00".repeat(12), ct: "AAAA" };
    expect(SealedBidSchema.safeParse({ cfpId: cfp.cfpId, sealed }).success).to.equal(true);
    expect(SealedBidSchema.safeParse({ cfpId: cfp.cfpId, sealed, zones: ["apac"] }).success).to.equal(true);
    expect(SealedBidSchema.safeParse({ cfpId: cfp.cfpId, sealed, zones: [] }).success).to.equal(false);
  });

  it("only agents serving one of the CFP's zones bid; the others stay out and say why", async function () {
    const { cfp, recipients } = await announce({ zones: ["eu", "apac"] });
    expect(recipients).to.equal(3);
    expect(cfp.zones).to.deep.equal(["eu", "apac"]);
    await auctioneer.waitForBids(cfp.cfpId, 1);
    await new Promise((r) => setTimeout(r, 200)); // give the others time to (not) bid
    expect(auctioneer.bidCount(cfp.cfpId)).to.equal(1);
    expect(skipped[1]!.find((s) => s.startsWith(cfp.cfpId))).to.match(
      /only in eu, apac; this agent serves us/,
    );
    expect(skipped[2]!.find((s) => s.startsWith(cfp.cfpId))).to.match(/serves no declared zone/);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.winners.map((w) => [w.bidder, w.ask, w.payment, w.delivered])).to.deep.equal([
      [agents[0]!.did, 100, 500, true],
    ]);
    expect(outcome.opened).to.have.length(1);
    expect(outcome.opened[0]).to.deep.include({ bidder: agents[0]!.did, zones: ["eu"] });
    expect(outcome.opened[0]!.content.profile).to.deep.equal({ strategy: "floor" });
    expect(bidders[0]!.awards.map((a) => a.cfpId)).to.include(cfp.cfpId);
  });

  it("refuses a bid from an agent outside the zones with an error naming the zone and the agent", async function () {
    const { cfp } = await announce({ zones: ["eu"] });
    await auctioneer.waitForBids(cfp.cfpId, 1); // agent 0's (eu)
    const before = auctioneer.dropped.zone;
    // over the wire: the bidder is told why
    try {
      await attacker.request(cfp.auctioneer.peer, PROTOCOLS.bid, handMadeBid(cfp, mallory, ["us", "apac"]));
      expect.fail("the out-of-zone bid was admitted");
    } catch (error) {
      expect(error).to.be.instanceOf(RemoteRequestError);
      const reason = (error as RemoteRequestError).reason;
      expect(reason).to.contain("BidOutOfZoneError");
      expect(reason).to.contain(mallory.did);
      expect(reason).to.match(/may run only in zone eu, and the bidder serves us, apac/);
    }
    // in process: the error carries the values
    let refused: unknown;
    try {
      auctioneer.admit(handMadeBid(cfp, mallory), attacker.peerId);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(BidOutOfZoneError);
    expect(refused).to.deep.include({
      cfpId: cfp.cfpId,
      bidder: mallory.did,
      bidderZones: [],
      allowedZones: ["eu"],
    });
    expect((refused as Error).message).to.match(/declared no zone/);
    expect(auctioneer.dropped.zone - before).to.equal(2);
    expect(auctioneer.bidCount(cfp.cfpId)).to.equal(1);
    expect(transports[0]!.scorer.score(attacker.peerId)).to.be.lessThan(0);
    // a bid that declares one of the zones is admitted
    expect(auctioneer.admit(handMadeBid(cfp, mallory, ["us", "eu"]), attacker.peerId)).to.deep.equal({
      cfpId: cfp.cfpId,
      bidder: mallory.did,
    });
    expect(auctioneer.bidCount(cfp.cfpId)).to.equal(2);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.winners.map((w) => [w.bidder, w.payment])).to.deep.equal([[mallory.did, 100]]);
  });

  it("a CFP without zones is open to every agent, with or without declared zones", async function () {
    const { cfp } = await announce();
    expect(cfp.zones).to.equal(undefined);
    await auctioneer.waitForBids(cfp.cfpId, 3);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.opened.map((o) => o.zones)).to.have.deep.members([["eu"], ["us"], undefined]);
    expect(outcome.winners.map((w) => [w.bidder, w.ask, w.payment])).to.deep.equal([
      [agents[0]!.did, 100, 110],
    ]);
  });
});
