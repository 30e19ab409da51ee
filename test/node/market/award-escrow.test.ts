/**
 * The market's award, taken by the real TaskEscrow on Hardhat's network: an auction cleared over
 * libp2p on 127.0.0.1, its award submitted on-chain by the winning agent.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { HDNodeWallet, parseEther } from "ethers";
import { AgentKeys, StaticDidResolver, fromHex } from "../../../node/src/identity/index.ts";
import { Auctioneer, Bidder, StaticFloorStrategy } from "../../../node/src/market/index.ts";
import { capabilityTopic, createTransport, type Transport } from "../../../node/src/transport/index.ts";
import { DAY, stakedFixture } from "../../contracts/fixture.ts";

const connection = await network.create();
const { networkHelpers } = connection;
const MNEMONIC = "test test test test test test test test test test test junk";
const seed = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const staked = () => stakedFixture(connection);

describe("market → TaskEscrow: the signed award is what the escrow takes", function () {
  const transports: Transport[] = [];
  after(async function () {
    for (const t of transports.reverse()) await t.stop();
  });

  it("clears an auction over libp2p and the winner claims the award on-chain", async function () {
    const a = await networkHelpers.loadFixture(staked);
    const { requester, agent, agent2 } = a.actors;
    const chainId = 31337;
    const escrowAddress = await a.escrow.getAddress();
    const wallet = HDNodeWallet.fromPhrase(MNEMONIC, undefined, "m/44'/60'/0'/0/2");
    expect(wallet.address).to.equal(requester.address);
    const requesterKeys = AgentKeys.fromAccountKey(fromHex(wallet.privateKey, 32), seed(90), chainId);
    const bidderKeys = [AgentKeys.fromSeed(seed(91), chainId), AgentKeys.fromSeed(seed(92), chainId)];
    const resolver = new StaticDidResolver([requesterKeys, ...bidderKeys].map((k) => k.publicKeys));
    // market prices in micro-tokens: 1 price unit = 10^12 wei
    const escrow = { chainId, verifyingContract: escrowAddress, priceUnit: 10n ** 12n };

    const at = createTransport({ seed: seed(93) });
    await at.start();
    transports.push(at);
    const auctioneer = new Auctioneer({ escrow }, { keys: requesterKeys, resolver, transport: at });
    await auctioneer.start();
    const payTo = [agent.address, agent2.address];
    const costs = [30_000_000, 45_000_000]; // 30 and 45 tokens
    for (const [i, keys] of bidderKeys.entries()) {
      const t = createTransport({ seed: seed(94 + i), peers: [at.addresses()[0]!] });
      await t.start();
      transports.push(t);
      const bidder = new Bidder(
        { capabilities: ["audit"], escrow, payTo: payTo[i]!, cost: () => costs[i]! },
        { keys, resolver, transport: t, strategy: new StaticFloorStrategy(0) },
      );
      await bidder.start();
    }
    await at.waitForSubscribers(capabilityTopic("audit"), 2);

    const deadline = (await networkHelpers.time.latest()) + DAY;
    const { cfp } = await auctioneer.announce({
      capability: "audit",
      subtasks: ["audit"],
      mechanism: "vickrey",
      reserve: 50_000_000,
      deadline: Date.now() + 60_000,
      taskDeadline: deadline,
    });
    // the requester funds the escrow task under the CFP's id
    await a.escrow.connect(requester).createTask(cfp.cfpId, parseEther("50"), deadline, DAY, false);
    await auctioneer.waitForBids(cfp.cfpId, 2);
    const outcome = await auctioneer.close(cfp.cfpId);
    const award = outcome.winners[0]!.award.escrow;
    expect(award).to.include({ taskId: cfp.cfpId, agent: agent.address, price: parseEther("45").toString() });

    // a tampered price does not recover to the requester
    await expect(
      a.escrow.connect(agent).award(award.taskId, award.agent, parseEther("46"), award.signature),
    ).to.be.revertedWithCustomError(a.escrow, "TaskEscrowUnauthorisedAwardSigner");
    await expect(
      a.escrow.connect(agent).award(award.taskId, award.agent, BigInt(award.price), award.signature),
    )
      .to.emit(a.escrow, "TaskAwarded")
      .withArgs(award.taskId, agent.address, parseEther("45"), requester.address, parseEther("5"));
  });
});
