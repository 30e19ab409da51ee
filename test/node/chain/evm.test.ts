import { network } from "hardhat";
import { id, parseEther } from "ethers";
import { deployAinur } from "../../../scripts/deploy/deploy.ts";
import { createEvmAdapter, type EvmContracts } from "../../../node/src/chain/evm/index.ts";
import { runChainAdapterCompliance } from "./compliance.ts";

const UNIT = parseEther("1");

runChainAdapterCompliance("evm (Hardhat network, Ainur contracts)", async () => {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const [deployer, requester, agent, arbiter, issuer, outsider, lp] = await ethers.getSigners();
  const deployment = await deployAinur(deployer!, {
    creditIssuers: [issuer!.address],
    staking: { minimumStake: 100n * UNIT },
  });
  const staking = deployment.contracts.ReputationStaking.address;
  const lineage = await ethers.deployContract("LineageRegistry", [staking]);
  const contracts: EvmContracts = {
    AinurToken: deployment.contracts.AinurToken,
    AgentRegistry: deployment.contracts.AgentRegistry,
    ReputationStaking: deployment.contracts.ReputationStaking,
    TaskEscrow: deployment.contracts.TaskEscrow,
    InsurancePool: deployment.contracts.InsurancePool,
    UsageCredits: deployment.contracts.UsageCredits,
    UTIDRegistry: deployment.contracts.UTIDRegistry,
    LineageRegistry: { address: await lineage.getAddress() },
  };

  // Governance is the timelock: act as it directly (proposals are covered by the governance tests).
  const timelockAddress = deployment.contracts.AinurTimelock.address;
  await networkHelpers.impersonateAccount(timelockAddress);
  await networkHelpers.setBalance(timelockAddress, parseEther("100"));
  const timelock = await ethers.getSigner(timelockAddress);
  const credits = await ethers.getContractAt("UsageCredits", contracts.UsageCredits.address);
  await (credits.connect(timelock) as typeof credits).getFunction("grantRole")(
    id("SPENDER_ROLE"),
    issuer!.address,
  );

  const token = await ethers.getContractAt("AinurToken", contracts.AinurToken.address);
  for (const [who, amount] of [
    [requester!, 1_000n * UNIT],
    [agent!, 300n * UNIT],
    [lp!, 1_000n * UNIT],
  ] as const) {
    await token.getFunction("transfer")(who.address, amount);
  }
  // Liquidity for the insurance pool.
  const pool = await ethers.getContractAt("InsurancePool", contracts.InsurancePool.address);
  await (token.connect(lp!) as typeof token).getFunction("approve")(
    contracts.InsurancePool.address,
    1_000n * UNIT,
  );
  await (pool.connect(lp!) as typeof pool).getFunction("deposit")(1_000n * UNIT);

  const make = (signer: Parameters<typeof createEvmAdapter>[0]["signer"]) =>
    createEvmAdapter({ signer, contracts, pollMs: 100 });
  const world = {
    governance: make(timelock),
    requester: make(requester!),
    agent: make(agent!),
    arbiter: make(arbiter!),
    issuer: make(issuer!),
    outsider: make(outsider!),
  };
  for (const a of Object.values(world)) await a.start();
  return {
    ...world,
    unit: UNIT,
    minimumStake: 100n * UNIT,
    advanceTime: async (seconds: number) => {
      await networkHelpers.time.increase(seconds);
    },
    close: async () => {
      for (const a of Object.values(world)) await a.stop();
      await connection.close();
    },
  };
});
