import { expect } from "chai";
import { verifyTypedData } from "ethers";
import { AgentKeys, StaticDidResolver, signEnvelope, utf8 } from "../../../node/src/identity/index.ts";
import {
  createTransport,
  PROTOCOLS,
  RemoteRequestError,
  type Transport,
} from "../../../node/src/transport/index.ts";
import {
  AWARD_STRUCT,
  Auctioneer,
  Bidder,
  createStrategy,
  LoadAwareStrategy,
  PremiumStrategy,
  negotiate,
  Negotiation,
  NegotiationDisabledError,
  StandingOrderBook,
  StaticFloorStrategy,
  STRATEGY_NAMES,
  TYPES,
  UndercutStrategy,
  UnknownStrategyError,
  escrowDomain,
  seal,
  sealAad,
  signCoalition,
  type Award,
  type Cfp,
  type DropReason,
} from "../../../node/src/market/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const CHAIN = 31337;
const ESCROW = { chainId: CHAIN, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };

describe("market: auctions over real libp2p on 127.0.0.1", function () {
  const requester = AgentKeys.fromSeed(seed(50), CHAIN);
  const agents = [
    AgentKeys.fromSeed(seed(51), CHAIN),
    AgentKeys.fromSeed(seed(52), CHAIN),
    AgentKeys.fromSeed(seed(53), CHAIN),
  ];
  const mallory = AgentKeys.fromSeed(seed(54), CHAIN);
  const resolver = new StaticDidResolver([requester, ...agents, mallory].map((k) => k.publicKeys));
  // Read when the suite starts, not when mocha loads the file: a full run loads every file minutes earlier.
  let clock = 0;
  const transports: Transport[] = [];
  let auctioneer: Auctioneer;
  let bidders: Bidder[];
  let attacker: Transport;
  const costs = [
    [100, 60, 70], // whole task, subtask 0, subtask 1
    [90, 50, 45],
    [120, 40, 80],
  ];

  before(async function () {
    clock = Date.now();
    const at = createTransport({ seed: seed(60) });
    await at.start();
    transports.push(at);
    auctioneer = new Auctioneer(
      { escrow: ESCROW, now: () => clock, sealSeed: seed(61) },
      { keys: requester, resolver, transport: at },
    );
    await auctioneer.start();
    bidders = [];
    for (const [i, keys] of agents.entries()) {
      const t = createTransport({ seed: seed(70 + i), peers: [at.addresses()[0]!] });
      await t.start();
      transports.push(t);
      const bidder = new Bidder(
        {
          capabilities: ["summarize"],
          escrow: ESCROW,
          auctioneers: [requester.did],
          cost: (cfp, bundle) =>
            bundle.length === cfp.subtasks.length
              ? costs[i]![0]
              : bundle.length === 1
                ? costs[i]![1 + bundle[0]!]
                : undefined,
        },
        { keys, resolver, transport: t, strategy: new StaticFloorStrategy(0) },
      );
      await bidder.start();
      bidders.push(bidder);
    }
    attacker = createTransport({ seed: seed(80), peers: [at.addresses()[0]!] });
    await attacker.start();
    transports.push(attacker);
    await at.waitForSubscribers("/ainur/1/cap/summarize", 3);
  });

  after(async function () {
    for (const b of bidders ?? []) await b.stop();
    await auctioneer?.stop();
    for (const t of transports.reverse()) await t.stop();
  });

  const awardsFor = (bidder: Bidder, cfpId: string): Promise<Award> =>
    new Promise((resolve) => {
      const found = bidder.awards.find((a) => a.cfpId === cfpId);
      if (found !== undefined) resolve(found);
      else bidder.on("award", (a) => a.cfpId === cfpId && resolve(a));
    });

  it("clears a second-price auction with a reserve and delivers an escrow-ready award", async function () {
    const { cfp, recipients } = await auctioneer.announce({
      capability: "summarize",
      subtasks: ["summary"],
      mechanism: "vickrey",
      reserve: 110,
      deadline: clock + 60_000,
      taskDeadline: Math.floor(clock / 1000) + 3600,
    });
    expect(recipients).to.equal(3);
    await auctioneer.waitForBids(cfp.cfpId, 2); // agent 2's cost (120) is over the reserve: it stays out
    const outcome = await auctioneer.close(cfp.cfpId);
    // asks 100, 90, 120 (over the reserve 110): agent 1 wins at the second price 100
    expect(outcome.winners).to.have.length(1);
    const w = outcome.winners[0]!;
    expect(w).to.include({ bidder: agents[1]!.did, ask: 90, payment: 100, delivered: true });
    const award = await awardsFor(bidders[1]!, cfp.cfpId);
    expect(award.escrow).to.include({ taskId: cfp.cfpId, agent: agents[1]!.address, price: "100" });
    const types = { Award: AWARD_STRUCT.fields.map((f) => ({ name: f.name, type: f.type })) };
    expect(verifyTypedData(escrowDomain(ESCROW), types, award.escrow, award.escrow.signature)).to.equal(
      requester.address,
    );
  });

  it("clears VCG over bundles, with a coalition paid by its shares", async function () {
    // agents 0 and 2 bid together as a coalition led by agent 0, 70/30
    const members = (cfp: Cfp) => {
      const list = [
        { did: agents[0]!.did, address: agents[0]!.address, shareBps: 7000 },
        { did: agents[2]!.did, address: agents[2]!.address, shareBps: 3000 },
      ];
      return list.map((m, i) => ({
        ...m,
        sig: signCoalition(i === 0 ? agents[0]! : agents[2]!, cfp.cfpId, agents[0]!.did, list),
      }));
    };
    const coalition = new Bidder(
      {
        capabilities: [],
        escrow: ESCROW,
        cost: (_cfp, b) => (b.length === 2 ? 75 : undefined),
        coalition: members,
      },
      { keys: agents[0]!, resolver, transport: transports[1]!, strategy: new StaticFloorStrategy(0) },
    );
    const { cfp } = await auctioneer.announce({
      capability: "summarize",
      subtasks: ["extract", "summarize"],
      mechanism: "vcg",
      reserve: 200,
      deadline: clock + 60_000,
      taskDeadline: Math.floor(clock / 1000) + 3600,
    });
    await auctioneer.waitForBids(cfp.cfpId, 3);
    await coalition.bid(cfp); // replaces agent 0's own bid: one bid per bidder DID
    const outcome = await auctioneer.close(cfp.cfpId);
    // asks: coalition {0,1}=75; agent1 {0,1}=90,{0}=50,{1}=45; agent2 {0,1}=120,{0}=40,{1}=80.
    // best cover: agent2 {0}=40 + agent1 {1}=45 = 85 > coalition 75 → coalition wins alone.
    // Without the coalition: 85 → VCG payment 85.
    expect(outcome.winners.map((w) => [w.bidder, w.bundle, w.ask, w.payment])).to.deep.equal([
      [agents[0]!.did, [0, 1], 75, 85],
    ]);
    const award = outcome.winners[0]!.award;
    expect(award.payouts).to.deep.equal([
      { address: agents[0]!.address, amount: "60" }, // 59.5 floored = 59, plus the remainder 1
      { address: agents[2]!.address, amount: "25" },
    ]);
  });

  it("refuses a forged or malformed CFP on the topic and counts it; the relaying peer loses points", async function () {
    const topic = "/ainur/1/cap/summarize";
    for (const t of transports.slice(1, 4)) await attacker.dial(t.addresses()[0]!);
    attacker.subscribe(topic, () => "accept");
    await attacker.waitForSubscribers(topic, 3);
    const before = bidders.map((b) => ({ ...b.dropped }));
    const cfp = {
      ...(
        await auctioneer.announce({
          capability: "nobody",
          subtasks: ["x"],
          mechanism: "vickrey",
          reserve: 1,
          deadline: clock + 60_000,
          taskDeadline: 1,
        })
      ).cfp,
      capability: "summarize",
    };
    // signed by mallory but claiming to come from the requester: forged; and plain garbage: malformed
    const forged = JSON.parse(
      new TextDecoder().decode(signEnvelope(mallory, TYPES.cfp, cfp, { now: Date.now() })),
    ) as { payload: string };
    const refused = new Promise<void>((resolve) => {
      const check = () =>
        bidders.every(
          (b, i) => b.dropped.forged > before[i]!.forged && b.dropped.malformed > before[i]!.malformed,
        )
          ? resolve()
          : setImmediate(check);
      check();
    });
    await attacker.publish(
      topic,
      utf8(JSON.stringify({ ...forged, payload: forged.payload.replace(mallory.did, requester.did) })),
    );
    await attacker.publish(topic, utf8("not a cfp"));
    await refused;
    for (const t of transports.slice(1, 4)) expect(t.scorer.score(attacker.peerId)).to.be.lessThan(0);
  });

  it("drops unsigned, forged, replayed, expired, oversized, malformed and late bids, counting each", async function () {
    const { cfp } = await auctioneer.announce({
      capability: "other",
      subtasks: ["x"],
      mechanism: "vickrey",
      reserve: 100,
      deadline: clock + 60_000,
      taskDeadline: Math.floor(clock / 1000) + 3600,
    });
    const before = { ...auctioneer.dropped };
    const bidBody = (keys: AgentKeys) => {
      const content = {
        cfpId: cfp.cfpId,
        bidder: keys.did,
        payTo: keys.address,
        bids: [{ bundle: [0], price: 10 }],
      };
      return {
        cfpId: cfp.cfpId,
        sealed: seal(cfp.auctioneer.sealKey, utf8(JSON.stringify(content)), sealAad(cfp.cfpId, keys.did)),
      };
    };
    const send = async (bytes: Uint8Array): Promise<string> => {
      try {
        await attacker.request(cfp.auctioneer.peer, PROTOCOLS.bid, bytes);
        return "accepted";
      } catch (error) {
        expect(error).to.be.instanceOf(RemoteRequestError);
        return (error as RemoteRequestError).reason;
      }
    };
    const good = signEnvelope(mallory, TYPES.sealedBid, bidBody(mallory), { now: clock });
    const wire = JSON.parse(new TextDecoder().decode(good)) as Record<string, unknown>;
    expect(await send(utf8(JSON.stringify({ ...wire, sig: undefined })))).to.match(/unsigned/);
    expect(
      await send(
        signEnvelope(mallory, TYPES.sealedBid, bidBody(agents[0]!), { now: clock }).map((b, i, all) =>
          i === all.length - 5 ? b ^ 1 : b,
        ),
      ),
    ).to.match(/malformed|forged/);
    const impostor = JSON.parse(
      new TextDecoder().decode(signEnvelope(mallory, TYPES.sealedBid, bidBody(agents[0]!), { now: clock })),
    ) as { payload: string };
    expect(
      await send(
        utf8(JSON.stringify({ ...impostor, payload: impostor.payload.replace(mallory.did, agents[0]!.did) })),
      ),
    ).to.match(/forged/);
    expect(await send(good)).to.equal("accepted");
    expect(await send(good)).to.match(/replayed/);
    expect(
      await send(signEnvelope(mallory, TYPES.sealedBid, bidBody(mallory), { now: clock - 3_600_000 })),
    ).to.match(/expired/);
    const big = bidBody(mallory);
    big.sealed.ct = "A".repeat(9000);
    expect(await send(signEnvelope(mallory, TYPES.sealedBid, big, { now: clock }))).to.match(/oversized/);
    expect(await send(utf8('{"v":1,"alg":"ed25519","payload":"{}"'))).to.match(/malformed/);
    clock = cfp.deadline + 1;
    expect(await send(signEnvelope(mallory, TYPES.sealedBid, bidBody(mallory), { now: clock }))).to.match(
      /late/,
    );
    const delta = Object.fromEntries(
      Object.entries(auctioneer.dropped).map(([k, v]) => [k, v - before[k as DropReason]]),
    );
    // the bit-flip lands in the signature hex: counted as forged (or malformed if it broke the hex)
    expect(delta.forged! + delta.malformed!).to.equal(3);
    expect({ ...delta, forged: 0, malformed: 0 }).to.deep.equal({
      unsigned: 1,
      forged: 0,
      replayed: 1,
      expired: 1,
      oversized: 1,
      malformed: 0,
      late: 1,
      zone: 0,
    });
    expect(attacker.peerId).to.not.equal(undefined);
    expect(transports[0]!.scorer.score(attacker.peerId)).to.be.lessThan(0);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.winners.map((w) => w.bidder)).to.deep.equal([mallory.did]);
  });
  it("drops sealed bids that do not open or that name another bidder, while the bid window is open", async function () {
    const { cfp } = await auctioneer.announce({
      capability: "other",
      subtasks: ["x"],
      mechanism: "vickrey",
      reserve: 100,
      deadline: clock + 60_000,
      taskDeadline: Math.floor(clock / 1000) + 3600,
    });
    const before = { ...auctioneer.dropped };
    const sealFor = (named: AgentKeys, aadFor: AgentKeys) =>
      seal(
        cfp.auctioneer.sealKey,
        utf8(
          JSON.stringify({
            cfpId: cfp.cfpId,
            bidder: named.did,
            payTo: named.address,
            bids: [{ bundle: [0], price: 5 }],
          }),
        ),
        sealAad(cfp.cfpId, aadFor.did),
      );
    // a ciphertext sealed for another bidder does not open under mallory's name
    await attacker.request(
      cfp.auctioneer.peer,
      PROTOCOLS.bid,
      signEnvelope(
        mallory,
        TYPES.sealedBid,
        { cfpId: cfp.cfpId, sealed: sealFor(agents[0]!, agents[0]!) },
        { now: clock },
      ),
    );
    // a seal that opens but whose content names another bidder
    await attacker.request(
      cfp.auctioneer.peer,
      PROTOCOLS.bid,
      signEnvelope(
        agents[1]!,
        TYPES.sealedBid,
        { cfpId: cfp.cfpId, sealed: sealFor(agents[2]!, agents[1]!) },
        { now: clock },
      ),
    );
    await auctioneer.opened();
    expect(auctioneer.dropped.malformed - before.malformed).to.equal(1);
    expect(auctioneer.dropped.forged - before.forged).to.equal(1);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.bids).to.equal(0);
    expect(outcome.winners).to.deep.equal([]);
  });
});

describe("market: standing offers, negotiation and strategies", function () {
  it("matches the cheapest live offer at once, earliest first on ties, until capacity runs out", function () {
    const book = new StandingOrderBook();
    const offer = (offerId: string, price: number, capacity: number, until = 10_000) => ({
      offerId,
      capability: "ocr",
      price,
      capacity,
      payTo: "0x" + "00".repeat(20),
      until,
    });
    book.post("a", offer("aaaaaaaa", 30, 1));
    book.post("b", offer("bbbbbbbb", 20, 2, 500));
    book.post("c", offer("cccccccc", 20, 1));
    expect(book.match("ocr", 25, 100)?.offer.agent).to.equal("b");
    expect(book.match("ocr", 25, 100)?.offer.agent).to.equal("b");
    expect(book.match("ocr", 25, 100)?.offer.agent).to.equal("c");
    expect(book.match("ocr", 25, 100)).to.equal(undefined); // 30 > 25
    expect(book.match("ocr", 30, 100)?.price).to.equal(30);
    book.post("d", offer("dddddddd", 1, 5, 200));
    expect(book.match("ocr", 30, 300)).to.equal(undefined); // d expired
    expect(() => book.cancel("aaaaaaaa", "a")).to.throw(/No standing offer/);
  });

  it("negotiates only when switched on, up to N rounds", function () {
    expect(() => new Negotiation({ enabled: false, maxRounds: 3 })).to.throw(NegotiationDisabledError);
    const deal = negotiate(
      { enabled: true, maxRounds: 6 },
      { open: 50, limit: 80 },
      { open: 120, limit: 70 },
    );
    expect(deal.state).to.equal("accepted");
    expect(deal.price).to.be.within(70, 80);
    const noDeal = negotiate(
      { enabled: true, maxRounds: 6 },
      { open: 50, limit: 60 },
      { open: 120, limit: 70 },
    );
    expect(noDeal.state).to.equal("failed");
    expect(noDeal.history.length).to.be.at.most(8);
    const n = new Negotiation({ enabled: true, maxRounds: 1 });
    n.propose(10);
    n.counter("seller", 20);
    expect(() => n.counter("seller", 15)).to.throw(/not the seller's turn/);
    expect(() => n.counter("buyer", 15)).to.throw(/rounds are used up/);
    expect(n.state).to.equal("failed");
  });

  it("prices by a static floor or by queue depth", function () {
    const cfp = { reserve: 1000, subtasks: ["a"] } as Cfp;
    const ctx = (queueDepth: number) => ({ queueDepth, cost: () => 100 });
    expect(new StaticFloorStrategy(150).asks(cfp, [[0]], ctx(0))).to.deep.equal([
      { bundle: [0], price: 150 },
    ]);
    const load = new LoadAwareStrategy({ floor: 0, perQueuedTask: 0.25, maxQueue: 4 });
    expect(load.asks(cfp, [[0]], ctx(0))[0]!.price).to.equal(100);
    expect(load.asks(cfp, [[0]], ctx(2))[0]!.price).to.equal(150);
    expect(load.asks(cfp, [[0]], ctx(4))).to.deep.equal([]);
    expect(new StaticFloorStrategy(2000).asks(cfp, [[0]], ctx(0))).to.deep.equal([]); // over the reserve
  });

  it("adds a margin (premium) or a discount (undercut) in exact basis points, and builds each by name", function () {
    const cfp = { reserve: 1000, subtasks: ["a"] } as Cfp;
    const ctx = (cost: number) => ({ queueDepth: 0, cost: () => cost });
    expect(new PremiumStrategy(900, 3_000).asks({ ...cfp, reserve: 2000 }, [[0]], ctx(0))).to.deep.equal([
      { bundle: [0], price: 1170 },
    ]);
    expect(new PremiumStrategy(800).asks(cfp, [[0]], ctx(0))).to.deep.equal([]); // 1040 is over the reserve
    expect(new UndercutStrategy(1100, 1_500).asks(cfp, [[0]], ctx(0))).to.deep.equal([
      { bundle: [0], price: 935 },
    ]);
    expect(new UndercutStrategy(100).asks(cfp, [[0]], ctx(400))[0]!.price).to.equal(340); // cost above the floor
    expect(new UndercutStrategy(1, 10_000).asks(cfp, [[0]], ctx(0))).to.deep.equal([]); // a zero price is no ask
    expect(new PremiumStrategy(900).asks(cfp, [[0]], { queueDepth: 0, cost: () => undefined })).to.deep.equal(
      [],
    );
    const names = STRATEGY_NAMES.map((name) => createStrategy({ name, floor: 200, bps: 5_000 }).name);
    expect(names).to.deep.equal(["static-floor", "load-aware", "premium", "undercut"]);
    const load = createStrategy({ name: "load-aware", floor: 200, bps: 5_000 });
    expect(load.asks(cfp, [[0]], { queueDepth: 3, cost: () => 0 })[0]!.price).to.equal(200);
    expect(load.asks(cfp, [[0]], { queueDepth: 3, cost: () => 200 })[0]!.price).to.equal(500);
    expect(() => createStrategy({ name: "greedy", floor: 1 }))
      .to.throw(UnknownStrategyError, /use one of floor, load-aware, premium, undercut/)
      .with.property("strategy", "greedy");
  });
});
