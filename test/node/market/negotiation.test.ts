import { expect } from "chai";
import { AgentKeys, StaticDidResolver } from "../../../node/src/identity/index.ts";
import { Auctioneer, Bidder, NegotiationDisabledError } from "../../../node/src/market/index.ts";
import { capabilityTopic, createTransport, type Transport } from "../../../node/src/transport/index.ts";

const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const CHAIN = 31337;
const ESCROW = { chainId: CHAIN, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };

describe("market: multi-round negotiation over libp2p (behind a switch)", function () {
  const requester = AgentKeys.fromSeed(seed(100), CHAIN);
  const haggler = AgentKeys.fromSeed(seed(101), CHAIN);
  const plain = AgentKeys.fromSeed(seed(102), CHAIN);
  const resolver = new StaticDidResolver([requester, haggler, plain].map((k) => k.publicKeys));
  const transports: Transport[] = [];
  const bidders: Bidder[] = [];
  let auctioneer: Auctioneer;

  before(async function () {
    const at = createTransport({ seed: seed(110) });
    await at.start();
    transports.push(at);
    auctioneer = new Auctioneer(
      { escrow: ESCROW, negotiation: { enabled: true, maxRounds: 6 } },
      { keys: requester, resolver, transport: at },
    );
    await auctioneer.start();
    for (const [i, keys] of [haggler, plain].entries()) {
      const t = createTransport({ seed: seed(111 + i), peers: [at.addresses()[0]!] });
      await t.start();
      transports.push(t);
      const b = new Bidder(
        {
          capabilities: ["design"],
          escrow: ESCROW,
          cost: () => 120 + i * 10, // 120 and 130, both over the reserve 100
          bundles: () => [[0]],
          negotiation: i === 0 ? { enabled: true, maxRounds: 6, markup: 0.5 } : undefined,
        },
        // bid even over the reserve, so the auctioneer has the bids to negotiate from
        {
          keys,
          resolver,
          transport: t,
          strategy: {
            name: "over-reserve",
            asks: (_cfp, bundles, ctx) => bundles.map((b) => ({ bundle: [...b], price: ctx.cost(b)! })),
          },
        },
      );
      await b.start();
      bidders.push(b);
    }
    await at.waitForSubscribers(capabilityTopic("design"), 2);
  });

  after(async function () {
    for (const b of bidders) await b.stop();
    await auctioneer?.stop();
    for (const t of transports.reverse()) await t.stop();
  });

  it("haggles to a price between the bidder's cost and the buyer's limit when the auction does not clear", async function () {
    const { cfp } = await auctioneer.announce({
      capability: "design",
      subtasks: ["logo"],
      mechanism: "vickrey",
      reserve: 100,
      deadline: Date.now() + 60_000,
      taskDeadline: Math.floor(Date.now() / 1000) + 3600,
    });
    await auctioneer.waitForBids(cfp.cfpId, 2);
    const outcome = await auctioneer.close(cfp.cfpId);
    expect(outcome.winners).to.deep.equal([]); // both asks over the reserve
    const { negotiation, award } = await auctioneer.negotiate(cfp.cfpId, haggler.did, {
      open: 80,
      limit: 140,
    });
    expect(negotiation.state).to.equal("accepted");
    expect(negotiation.price).to.be.within(120, 140);
    expect(negotiation.history.length).to.be.greaterThan(2); // several rounds
    expect(award?.escrow.price).to.equal(String(negotiation.price));
    expect(bidders[0]!.awards.map((a) => a.cfpId)).to.include(cfp.cfpId);

    // no deal when the limits do not overlap: fails within maxRounds
    const { negotiation: none } = await auctioneer.negotiate(cfp.cfpId, haggler.did, {
      open: 50,
      limit: 110,
    });
    expect(none.state).to.equal("failed");
    expect(none.history.filter((s) => s.action === "counter").length).to.be.at.most(6);

    // a bidder that did not switch negotiation on does not even serve the protocol
    let error: unknown;
    try {
      await auctioneer.negotiate(cfp.cfpId, plain.did, { open: 50, limit: 200 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
  });

  it("is refused when the auctioneer has not switched it on", async function () {
    const off = new Auctioneer({ escrow: ESCROW }, { keys: requester, resolver, transport: transports[0]! });
    let error: unknown;
    try {
      await off.negotiate("0x" + "00".repeat(32), haggler.did, { open: 1, limit: 2 });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(NegotiationDisabledError);
  });
});
