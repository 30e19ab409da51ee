import { expect } from "chai";
import { verifyTypedData } from "ethers";
import { createTransport, type Transport } from "../../../node/src/transport/index.ts";
import { AWARD_STRUCT, Auctioneer, Bidder, escrowDomain } from "../../../node/src/market/index.ts";
import { BidPricer, EVM_PRICE_UNIT } from "../../../node/src/node/bidding.ts";
import { accountDidResolver, nodeKeys } from "../../../node/src/node/protocol.ts";
import { parseAmount } from "../../../node/src/chain/units.ts";

const CHAIN = 31337;
const ESCROW = {
  chainId: CHAIN,
  verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  priceUnit: EVM_PRICE_UNIT,
};
// Hardhat's development accounts 1–4 (public test keys).
const KEYS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1c9b0b13be7f6d7f5fe6d1e0ae5e0",
];
const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);

/**
 * The devnet's auction as its nodes wire it, without the chain: market's Auctioneer and Bidders
 * signing `eip712` envelopes as their accounts' address DIDs (`nodeKeys`, `accountDidResolver`),
 * agents pricing with node/bidding.ts's BidPricer over market's strategies, zones on the CFP.
 */
describe("node: the devnet's auction is market's sealed-bid Auctioneer/Bidder", function () {
  const requester = nodeKeys(KEYS[0]!, CHAIN);
  const agents = [
    { keys: nodeKeys(KEYS[1]!, CHAIN), zones: ["eu"], strategy: { name: "floor", floor: "1.0" }, id: "1" },
    {
      keys: nodeKeys(KEYS[2]!, CHAIN),
      zones: ["eu", "us"],
      strategy: { name: "undercut", floor: "1.1", bps: 1500 },
      id: "4",
    },
    {
      keys: nodeKeys(KEYS[3]!, CHAIN),
      zones: ["apac"],
      strategy: { name: "premium", floor: "0.9", bps: 3000 },
      id: "2",
    },
  ];
  const transports: Transport[] = [];
  let auctioneer: Auctioneer;
  const bidders: Bidder[] = [];

  before(async function () {
    const t = createTransport({ seed: seed(90) });
    await t.start();
    transports.push(t);
    auctioneer = new Auctioneer(
      { escrow: ESCROW, alg: "eip712" },
      { keys: requester, resolver: accountDidResolver, transport: t },
    );
    await auctioneer.start();
    for (const [i, a] of agents.entries()) {
      const at = createTransport({ seed: seed(91 + i), peers: [t.addresses()[0]!] });
      await at.start();
      transports.push(at);
      const pricer = new BidPricer({
        name: a.strategy.name,
        floor: parseAmount(a.strategy.floor),
        ...(a.strategy.bps === undefined ? {} : { bps: a.strategy.bps }),
      });
      const bidder = new Bidder(
        {
          capabilities: ["text.uppercase"],
          zones: a.zones,
          escrow: ESCROW,
          cost: () => pricer.cost,
          profile: { agentDid: `did:ainur:${CHAIN}:${a.id}`, strategy: pricer.name },
          alg: "eip712",
        },
        { keys: a.keys, resolver: accountDidResolver, transport: at, strategy: pricer.strategy },
      );
      await bidder.start();
      bidders.push(bidder);
    }
    await t.waitForSubscribers("/ainur/1/cap/text.uppercase", 3);
  });

  after(async function () {
    for (const b of bidders) await b.stop();
    await auctioneer?.stop();
    for (const t of transports.reverse()) await t.stop();
  });

  it("clears a zone-limited task at the second price and hands the winner the award TaskEscrow takes", async function () {
    const taskKey = "0x" + "42".repeat(32);
    const budget = parseAmount("5");
    const { cfp } = await auctioneer.announce({
      cfpId: taskKey,
      capability: "text.uppercase",
      subtasks: ["text.uppercase"],
      mechanism: "vickrey",
      reserve: Number(budget / EVM_PRICE_UNIT),
      deadline: Date.now() + 30_000,
      taskDeadline: Math.floor(Date.now() / 1000) + 600,
      zones: ["eu"],
    });
    // agent 3 (apac) stays out
    await auctioneer.waitForBids(cfp.cfpId, 2);
    const outcome = await auctioneer.close(cfp.cfpId);
    const asks = Object.fromEntries(
      outcome.opened.map((o) => [
        o.content.profile!.agentDid!,
        [o.content.profile!.strategy, o.content.bids[0]!.price],
      ]),
    );
    // floor 1.0 asks 1.0; undercut asks 1.1 × (1 − 0.15) = 0.935 (in 10^-6 AINUR)
    expect(asks).to.deep.equal({
      "did:ainur:31337:1": ["floor", 1_000_000],
      "did:ainur:31337:4": ["undercut", 935_000],
    });
    const [w] = outcome.winners;
    expect(w).to.include({ bidder: agents[1]!.keys.did, ask: 935_000, payment: 1_000_000, delivered: true });
    const award = w!.award.escrow;
    expect(award).to.include({
      taskId: taskKey,
      agent: agents[1]!.keys.address,
      price: parseAmount("1.0").toString(),
    });
    const types = { Award: AWARD_STRUCT.fields.map((f) => ({ name: f.name, type: f.type })) };
    expect(verifyTypedData(escrowDomain(ESCROW), types, award, award.signature)).to.equal(requester.address);
    expect(bidders[1]!.awards.map((a) => a.cfpId)).to.deep.equal([taskKey]);
  });
});
