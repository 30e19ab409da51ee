/**
 * The shared fixture of the contract tests: the production deploy module ({@link deployAinur}) on Hardhat's
 * network, plus funded, approved actors. Parameter changes in tests go through the timelock's address
 * (impersonated); the governance test drives the real proposal flow.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { MaxUint256, Signature, TypedDataEncoder, parseEther } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import { deployAinur } from "../../scripts/deploy/deploy.ts";
import type { AinurContractName, AinurDeployment } from "../../scripts/deploy/deploy.ts";
import { untyped } from "./helpers.ts";
import type { Untyped } from "./helpers.ts";

export const TOKENS = parseEther("1000000");
export const MIN_STAKE = parseEther("100");
export const DAY = 86_400;

export interface Actors {
  deployer: HardhatEthersSigner;
  auctioneer: HardhatEthersSigner;
  requester: HardhatEthersSigner;
  requester2: HardhatEthersSigner;
  agent: HardhatEthersSigner;
  agent2: HardhatEthersSigner;
  arb1: HardhatEthersSigner;
  arb2: HardhatEthersSigner;
  arb3: HardhatEthersSigner;
  lp: HardhatEthersSigner;
  lp2: HardhatEthersSigner;
  outsider: HardhatEthersSigner;
}

export interface Ainur {
  deployment: AinurDeployment;
  token: Untyped;
  timelock: Untyped;
  governor: Untyped;
  agents: Untyped;
  credits: Untyped;
  staking: Untyped;
  escrow: Untyped;
  pool: Untyped;
  utids: Untyped;
  actors: Actors;
  /** A signer for the timelock's address (impersonated, funded with ether). */
  timelockSigner: HardhatEthersSigner;
}

type Connection = Pick<NetworkConnection, "ethers" | "networkHelpers">;

/** Deploys Ainur and funds every actor with AINUR, approving the staking, escrow and pool contracts. */
export async function deployFixture(connection: Connection): Promise<Ainur> {
  const { ethers, networkHelpers } = connection;
  const s = await ethers.getSigners();
  const actors: Actors = {
    deployer: s[0]!,
    auctioneer: s[1]!,
    requester: s[2]!,
    requester2: s[3]!,
    agent: s[4]!,
    agent2: s[5]!,
    arb1: s[6]!,
    arb2: s[7]!,
    arb3: s[8]!,
    lp: s[9]!,
    lp2: s[10]!,
    outsider: s[11]!,
  };
  const deployment = await deployAinur(actors.deployer, {
    auctioneers: [actors.auctioneer.address],
    arbitrators: [actors.arb1.address, actors.arb2.address, actors.arb3.address],
    staking: { minimumStake: MIN_STAKE },
  });
  const at = async (name: string): Promise<Untyped> =>
    untyped(await ethers.getContractAt(name, deployment.contracts[name as AinurContractName].address));
  const a: Ainur = {
    deployment,
    token: await at("AinurToken"),
    timelock: await at("AinurTimelock"),
    governor: await at("AinurGovernor"),
    agents: await at("AgentRegistry"),
    credits: await at("UsageCredits"),
    staking: await at("ReputationStaking"),
    escrow: await at("TaskEscrow"),
    pool: await at("InsurancePool"),
    utids: await at("UTIDRegistry"),
    actors,
    timelockSigner: await impersonate(connection, deployment.contracts.AinurTimelock.address),
  };
  for (const who of Object.values(actors)) {
    if (who === actors.deployer) continue;
    await a.token.connect(actors.deployer).transfer(who.address, TOKENS);
  }
  for (const who of Object.values(actors)) {
    for (const spender of [a.staking, a.escrow, a.pool])
      await a.token.connect(who).approve(await spender.getAddress(), MaxUint256);
  }
  void networkHelpers;
  return a;
}

/** The fixture with `agent`, `agent2` and the three arbitrators bonded at twice the minimum. */
export async function stakedFixture(connection: Connection): Promise<Ainur> {
  const a = await deployFixture(connection);
  const { agent, agent2, arb1, arb2, arb3 } = a.actors;
  for (const who of [agent, agent2, arb1, arb2, arb3]) await a.staking.connect(who).bond(MIN_STAKE * 2n);
  return a;
}

export async function impersonate(connection: Connection, address: string): Promise<HardhatEthersSigner> {
  await connection.networkHelpers.impersonateAccount(address);
  await connection.networkHelpers.setBalance(address, parseEther("100"));
  return connection.ethers.getSigner(address);
}

/** Signs the EIP-712 award `(taskId, agent, price)` for `escrow` with `signer`. */
export async function signAward(
  escrow: Untyped,
  signer: HardhatEthersSigner,
  taskId: string,
  agent: string,
  price: bigint,
): Promise<string> {
  const { chainId } = await signer.provider!.getNetwork();
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
  const value = { taskId, agent, price };
  const sig = await signer.signTypedData(domain, types, value);
  // Sanity: the contract's digest is the standard EIP-712 digest.
  void TypedDataEncoder.hash(domain, types, value);
  return Signature.from(sig).serialized;
}
