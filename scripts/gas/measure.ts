/**
 * The gas scenario: deploys Ainur with {@link deployAinur} on a fresh Hardhat network at a fixed time and
 * calls every user-facing function once in a fixed order, returning each transaction's gas used. Both the
 * snapshot check (`check.ts`, and its test) and `npm run bench -- gas` use it, so they measure the same thing.
 */
import { MaxUint256, encodeBytes32String, id, parseEther } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { deployAinur } from "../deploy/deploy.ts";
import type { AinurContractName } from "../deploy/deploy.ts";

type Connection = Pick<NetworkConnection, "ethers" | "networkHelpers">;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- contracts without generated typings
type Any = any;

/** The chain starts here, so that timestamps in calldata and storage are the same on every run. */
const START_TIME = 1_900_000_000;
const DAY = 86_400;

/** Gas used by each user-facing call, keyed `Contract.function[ (case)]`. */
export type GasReport = Record<string, number>;

export async function measureGas(connection: Connection): Promise<GasReport> {
  const { ethers, networkHelpers } = connection;
  await networkHelpers.time.increaseTo(START_TIME);
  const s = await ethers.getSigners();
  const [deployer, auctioneer, requester, agent, agent2, arb1, arb2, arb3, lp, outsider] = s as Any[];
  const d = await deployAinur(deployer, {
    auctioneers: [auctioneer.address],
    arbitrators: [arb1.address, arb2.address, arb3.address],
  });
  const at = async (name: AinurContractName): Promise<Any> =>
    ethers.getContractAt(name, d.contracts[name].address);
  const [token, agents, credits, staking, escrow, pool, utids, governor] = await Promise.all(
    (
      [
        "AinurToken",
        "AgentRegistry",
        "UsageCredits",
        "ReputationStaking",
        "TaskEscrow",
        "InsurancePool",
        "UTIDRegistry",
        "AinurGovernor",
      ] as const
    ).map(at),
  );
  const report: GasReport = {};
  const measure = async (key: string, tx: Promise<ContractTransactionResponse>): Promise<void> => {
    const receipt = await (await tx).wait();
    report[key] = Number(receipt!.gasUsed);
  };

  // Setup (not measured): funds and approvals.
  for (const who of [requester, agent, agent2, arb1, arb2, arb3, lp]) {
    await token.connect(deployer).transfer(who.address, parseEther("100000"));
    for (const spender of [staking, escrow, pool])
      await token.connect(who).approve(await spender.getAddress(), MaxUint256);
  }

  // AgentRegistry (ERC-8004 registration + DID document). The first register pays for the id counter.
  await agents.connect(outsider)["register()"]();
  await measure("AgentRegistry.register()", agents.connect(agent)["register()"]());
  await measure(
    "AgentRegistry.register(uri)",
    agents.connect(agent2).getFunction("register(string)")(
      "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
    ),
  );
  await measure(
    "AgentRegistry.register(uri,metadata)",
    agents.connect(agent2).getFunction("register(string,(string,bytes)[])")("ipfs://agent", [
      { metadataKey: "name", metadataValue: "0x616c696365" },
    ]),
  );
  const agentId = 2n;
  await measure("AgentRegistry.setAgentURI", agents.connect(agent).setAgentURI(agentId, "ipfs://agent-v2"));
  await measure(
    "AgentRegistry.setMetadata",
    agents.connect(agent).setMetadata(agentId, "name", "0x616c696365"),
  );
  const { chainId } = await ethers.provider.getNetwork();
  const walletDomain = {
    name: "Ainur AgentRegistry",
    version: "1",
    chainId,
    verifyingContract: await agents.getAddress(),
  };
  const walletTypes = {
    AgentWalletSet: [
      { name: "agentId", type: "uint256" },
      { name: "newWallet", type: "address" },
      { name: "owner", type: "address" },
      { name: "deadline", type: "uint256" },
    ],
  };
  const now = async () => (await ethers.provider.getBlock("latest"))!.timestamp;
  const walletDeadline = (await now()) + 200;
  const walletSig = await arb1.signTypedData(walletDomain, walletTypes, {
    agentId,
    newWallet: arb1.address,
    owner: agent.address,
    deadline: walletDeadline,
  });
  await measure(
    "AgentRegistry.setAgentWallet",
    agents.connect(agent).setAgentWallet(agentId, arb1.address, walletDeadline, walletSig),
  );
  await measure("AgentRegistry.unsetAgentWallet", agents.connect(agent).unsetAgentWallet(agentId));
  await measure("AgentRegistry.addSigningKey", agents.connect(agent).addSigningKey(agentId, id("key-1")));
  await measure(
    "AgentRegistry.rotateSigningKey",
    agents.connect(agent).rotateSigningKey(agentId, id("key-1"), id("key-2")),
  );
  await measure(
    "AgentRegistry.revokeSigningKey",
    agents.connect(agent).revokeSigningKey(agentId, id("key-2")),
  );
  const caps = [encodeBytes32String("llm.chat"), encodeBytes32String("code.review")];
  await measure(
    "AgentRegistry.updateCapabilities",
    agents.connect(agent).updateCapabilities(agentId, caps, []),
  );
  await measure(
    "AgentRegistry.updateZones",
    agents.connect(agent).updateZones(agentId, [encodeBytes32String("eu")], []),
  );
  await measure(
    "AgentRegistry.updateProfile",
    agents
      .connect(agent)
      .updateProfile(
        agentId,
        "https://agent.example/a2a",
        "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
      ),
  );
  await measure(
    "AgentRegistry.setController",
    agents.connect(agent).setController(agentId, outsider.address),
  );
  await measure("AgentRegistry.recover", agents.connect(outsider).recover(agentId, agent2.address));
  await (await agents.connect(outsider)["register()"]()).wait();
  await measure("AgentRegistry.deactivate", agents.connect(outsider).deactivate(await agents.totalAgents()));

  // ReputationStaking. `bond` is measured for a first-time operator (the common case at onboarding).
  await staking.connect(arb1).bond(parseEther("200"));
  await measure("ReputationStaking.bond", staking.connect(agent).bond(parseEther("200")));
  await measure("ReputationStaking.bond (top-up)", staking.connect(agent).bond(parseEther("100")));
  await staking.connect(agent2).bond(parseEther("300"));
  for (const arb of [arb2, arb3]) await staking.connect(arb).bond(parseEther("200"));
  await measure("ReputationStaking.requestUnbond", staking.connect(agent2).requestUnbond(parseEther("50")));
  await networkHelpers.time.increase(7 * DAY);
  await measure("ReputationStaking.withdrawUnbonded", staking.connect(agent2).withdrawUnbonded());

  // UsageCredits
  await measure(
    "UsageCredits.mint",
    credits.connect(deployer).mint(requester.address, parseEther("10"), encodeBytes32String("hosting")),
  );
  await measure(
    "UsageCredits.burn",
    credits.connect(requester).burn(parseEther("1"), encodeBytes32String("api-call")),
  );

  // TaskEscrow: a first task warms the agent's record and the treasury, so the measured task is a typical one.
  const award = async (task: string, who: Any, price: bigint): Promise<ContractTransactionResponse> => {
    const domain = {
      name: "Ainur TaskEscrow",
      version: "1",
      chainId,
      verifyingContract: await escrow.getAddress(),
    };
    const types = {
      Award: [
        { name: "taskId", type: "bytes32" },
        { name: "agent", type: "address" },
        { name: "price", type: "uint256" },
      ],
    };
    const sig = await auctioneer.signTypedData(domain, types, { taskId: task, agent: who.address, price });
    return escrow.connect(who).award(task, who.address, price, sig);
  };
  const create = async (task: string, feeInCredits = false): Promise<ContractTransactionResponse> =>
    escrow.connect(requester).createTask(task, parseEther("50"), (await now()) + 2 * DAY, DAY, feeInCredits);
  const flow = async (task: string) => {
    await create(task);
    await (await award(task, agent, parseEther("40"))).wait();
    await (await escrow.connect(agent).submitResult(task, id("result"), id("leaf"))).wait();
  };
  await flow(id("warm-up"));
  await (await escrow.connect(requester).accept(id("warm-up"), 5)).wait();

  await measure("TaskEscrow.createTask", create(id("t1")));
  await measure("TaskEscrow.createTask (fee in credits)", create(id("t-credits"), true));
  await measure("TaskEscrow.cancel", escrow.connect(requester).cancel(id("t-credits")));
  await measure("TaskEscrow.award", award(id("t1"), agent, parseEther("40")));
  await measure(
    "TaskEscrow.submitResult",
    escrow.connect(agent).submitResult(id("t1"), id("result"), id("leaf")),
  );
  await flow(id("t2"));
  await measure("TaskEscrow.accept", escrow.connect(requester).accept(id("t2"), 4));
  await networkHelpers.time.increase(DAY);
  await measure("TaskEscrow.release", escrow.connect(outsider).release(id("t1")));

  // Insurance, and a timeout that fails the agent, slashes it and pays the claim.
  await measure("InsurancePool.deposit", pool.connect(lp).deposit(parseEther("10000")));
  await create(id("t3"));
  await (await award(id("t3"), agent2, parseEther("40"))).wait();
  await measure(
    "InsurancePool.buyCover",
    pool.connect(requester).buyCover(id("t3"), parseEther("100"), parseEther("100")),
  );
  await create(id("t4"));
  await networkHelpers.time.increase(3 * DAY);
  await measure("TaskEscrow.timeout (refund)", escrow.timeout(id("t4")));
  await measure("TaskEscrow.timeout (fail, slash, insurance claim)", escrow.timeout(id("t3")));
  await measure(
    "InsurancePool.requestWithdrawal",
    pool.connect(lp).requestWithdrawal(1000n * parseEther("1000")),
  );
  await networkHelpers.time.increase(3 * DAY);
  await measure("InsurancePool.withdraw", pool.connect(lp).withdraw());

  // A dispute decided by the panel.
  await flow(id("t5"));
  await measure("TaskEscrow.openDispute", escrow.connect(requester).openDispute(id("t5")));
  await measure("TaskEscrow.answerDispute", escrow.connect(agent).answerDispute(id("t5")));
  await measure("TaskEscrow.vote", escrow.connect(arb1).vote(id("t5"), false));
  await (await escrow.connect(arb2).vote(id("t5"), false)).wait();
  await measure("TaskEscrow.resolveDispute", escrow.resolveDispute(id("t5")));
  await measure("TaskEscrow.claimArbitrationFees", escrow.connect(arb1).claimArbitrationFees());

  // UTIDRegistry
  const utid: bigint = await utids.computeId(3n, id("manifest"), 1);
  await measure(
    "UTIDRegistry.mint",
    utids
      .connect(agent2)
      .mint(
        3n,
        id("manifest"),
        "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
        id("root"),
        0n,
      ),
  );
  await measure("UTIDRegistry.revoke", utids.connect(agent2).revoke(utid));

  // Governance: delegate, propose, vote, queue, execute a parameter change.
  await measure("AinurToken.delegate", token.connect(deployer).delegate(deployer.address));
  const target = await escrow.getAddress();
  const calldata = escrow.interface.encodeFunctionData("setFee", [150]);
  await measure(
    "AinurGovernor.propose",
    governor.connect(deployer).propose([target], [0], [calldata], "Set the fee to 1.5%"),
  );
  const proposalId = await governor.hashProposal([target], [0], [calldata], id("Set the fee to 1.5%"));
  await networkHelpers.mine(2);
  await measure("AinurGovernor.castVote", governor.connect(deployer).castVote(proposalId, 1));
  await networkHelpers.mine(50);
  await measure("AinurGovernor.queue", governor.queue([target], [0], [calldata], id("Set the fee to 1.5%")));
  await networkHelpers.time.increase(3600);
  await measure(
    "AinurGovernor.execute",
    governor.execute([target], [0], [calldata], id("Set the fee to 1.5%")),
  );
  return report;
}

/** The gas targets: measured values must stay at or below these. */
export const GAS_TARGETS: Record<string, number> = {
  "AgentRegistry.register()": 110_000,
  "ReputationStaking.bond": 80_000,
  "TaskEscrow.createTask": 150_000,
  "TaskEscrow.release": 80_000,
};
