/**
 * The one Ainur deploy module. Tests' fixtures and `npm start` both call {@link deployAinur} with an
 * ethers `Signer`; it deploys from the compiled artifacts (`hardhat build` writes them), wires the roles,
 * hands every admin and parameter role to the governance timelock, and can write a deployments file with
 * each address and the block it was deployed in.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Contract, ContractFactory, ZeroAddress, ZeroHash, id, parseEther } from "ethers";
import type { InterfaceAbi, Signer } from "ethers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where one contract lives. */
export interface DeployedContract {
  address: string;
  /** The block of the deploy transaction: indexers start reading events here. */
  block: number;
  txHash: string;
}

/** The contracts {@link deployAinur} deploys, by deployments-file key. */
export const AINUR_CONTRACTS = [
  "AinurToken",
  "AinurTimelock",
  "AinurGovernor",
  "AgentRegistry",
  "UsageCredits",
  "ReputationStaking",
  "TaskEscrow",
  "InsurancePool",
  "UTIDRegistry",
] as const;
export type AinurContractName = (typeof AINUR_CONTRACTS)[number];

/** What {@link deployAinur} deployed, as written to the deployments file. */
export interface AinurDeployment {
  chainId: string;
  deployer: string;
  /** The first block of the deployment: an indexer of every Ainur contract starts here. */
  startBlock: number;
  contracts: Record<AinurContractName, DeployedContract> & { LineageRegistry?: DeployedContract };
}

export interface GovernanceOptions {
  /** Blocks between proposing and voting (default 1). */
  votingDelay: number;
  /** Blocks of voting (default 50). */
  votingPeriod: number;
  /** Votes needed to propose (default 0). */
  proposalThreshold: bigint;
  /** Quorum as a percentage of the supply (default 4). */
  quorumPercent: number;
  /** Seconds between queueing and executing (default 3600). */
  timelockDelay: number;
}

export interface StakingOptions {
  minimumStake: bigint;
  unbondDelay: number;
  scoreHalfLife: number;
  escrowSlashCapBps: number;
  disputeSlashCapBps: number;
  governanceSlashCapBps: number;
}

export interface EscrowOptions {
  feeBps: number;
  maxReviewWindow: number;
  disputeBond: bigint;
  disputeResponseWindow: number;
  disputeVotingPeriod: number;
}

export interface PoolOptions {
  baseBps: number;
  reputationRiskBps: number;
  utilisationSlopeBps: number;
  reputationScale: number;
  maxCoverPerPolicy: bigint;
  maxUtilisationBps: number;
  withdrawalCooldown: number;
}

export interface DeployOptions {
  /** Hardhat's artifacts folder (default `<repo>/artifacts`). */
  artifactsDir?: string;
  /** Write the deployments file here, e.g. `.ainur/deployments/31337.json`. Nothing is written if unset. */
  deploymentsFile?: string;
  /** Receives the whole AINUR supply (default: the deployer). */
  tokenHolder?: string;
  /** The fixed AINUR supply (default 1e9 tokens). */
  tokenSupply?: bigint;
  /** Granted `ISSUER_ROLE` on UsageCredits (default: the deployer). */
  creditIssuers?: readonly string[];
  /** Granted `AUCTIONEER_ROLE` on TaskEscrow: the market keys that sign awards (default: none). */
  auctioneers?: readonly string[];
  /** The first arbitration panel (odd size); later panels come from governance (default: none). */
  arbitrators?: readonly string[];
  governance?: Partial<GovernanceOptions>;
  staking?: Partial<StakingOptions>;
  escrow?: Partial<EscrowOptions>;
  pool?: Partial<PoolOptions>;
  /**
   * Also deploy the LineageRegistry (its verifiers are libraries compiled into it), with
   * ReputationStaking as its anchor authority (default: false).
   */
  lineage?: boolean;
  /** Progress lines, e.g. `console.log`. */
  log?: (line: string) => void;
}

export const DEFAULT_GOVERNANCE: GovernanceOptions = {
  votingDelay: 1,
  votingPeriod: 50,
  proposalThreshold: 0n,
  quorumPercent: 4,
  timelockDelay: 3600,
};
export const DEFAULT_STAKING: StakingOptions = {
  minimumStake: parseEther("100"),
  unbondDelay: 7 * 86_400,
  scoreHalfLife: 30 * 86_400,
  escrowSlashCapBps: 1_000,
  disputeSlashCapBps: 2_000,
  governanceSlashCapBps: 5_000,
};
export const DEFAULT_ESCROW: EscrowOptions = {
  feeBps: 100,
  maxReviewWindow: 7 * 86_400,
  disputeBond: parseEther("10"),
  disputeResponseWindow: 2 * 86_400,
  disputeVotingPeriod: 3 * 86_400,
};
export const DEFAULT_POOL: PoolOptions = {
  baseBps: 100,
  reputationRiskBps: 400,
  utilisationSlopeBps: 500,
  reputationScale: 1_000,
  maxCoverPerPolicy: parseEther("10000"),
  maxUtilisationBps: 8_000,
  withdrawalCooldown: 3 * 86_400,
};

/** A contract's artifact could not be read: the contracts have not been compiled. */
export class DeployArtifactMissingError extends Error {
  override name = "DeployArtifactMissingError";
  readonly contractName: string;
  readonly file: string;
  constructor(contractName: string, file: string, cause: unknown) {
    super(`No compiled artifact for ${contractName} at ${file}: run \`npx hardhat build\` first.`, { cause });
    this.contractName = contractName;
    this.file = file;
  }
}

export interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

const SOURCE_PATHS: Partial<Record<string, string>> = {
  AinurToken: "governance/AinurToken.sol",
  AinurGovernor: "governance/AinurGovernor.sol",
  AinurTimelock: "governance/AinurTimelock.sol",
};

/**
 * Reads `<artifactsDir>/contracts/<sourcePath>/<Name>.json`. `sourcePath` defaults to the contract's known
 * source (`<Name>.sol`, or under `governance/`).
 */
export async function readArtifact(
  name: string,
  artifactsDir = path.join(root, "artifacts"),
  sourcePath = SOURCE_PATHS[name] ?? `${name}.sol`,
): Promise<Artifact> {
  const file = path.join(artifactsDir, "contracts", sourcePath, `${name}.json`);
  try {
    const json = JSON.parse(await readFile(file, "utf8")) as Artifact;
    return { abi: json.abi, bytecode: json.bytecode };
  } catch (error) {
    throw new DeployArtifactMissingError(name, file, error);
  }
}

const role = (name: string): string => id(name);

/** Deploys every Ainur contract with `signer` and returns their addresses and deploy blocks. */
export async function deployAinur(signer: Signer, options: DeployOptions = {}): Promise<AinurDeployment> {
  const provider = signer.provider;
  if (provider === null)
    throw new Error("deployAinur: the signer has no provider; connect it to a JSON-RPC provider first.");
  const log = options.log ?? (() => {});
  const deployer = await signer.getAddress();
  const chainId = (await provider.getNetwork()).chainId.toString();
  const gov = { ...DEFAULT_GOVERNANCE, ...options.governance };
  const stk = { ...DEFAULT_STAKING, ...options.staking };
  const esc = { ...DEFAULT_ESCROW, ...options.escrow };
  const pol = { ...DEFAULT_POOL, ...options.pool };
  const contracts: Partial<Record<AinurContractName | "LineageRegistry", DeployedContract>> = {};
  const instances: Partial<Record<AinurContractName | "LineageRegistry", Contract>> = {};

  const deploy = async (
    name: AinurContractName | "LineageRegistry",
    args: readonly unknown[],
  ): Promise<string> => {
    const artifact = await readArtifact(name, options.artifactsDir);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const contract = await factory.deploy(...args);
    const receipt = (await contract.deploymentTransaction()!.wait())!;
    const address = await contract.getAddress();
    contracts[name] = { address, block: receipt.blockNumber, txHash: receipt.hash };
    instances[name] = new Contract(address, artifact.abi, signer);
    log(`deployed ${name} at ${address} in block ${receipt.blockNumber}`);
    return address;
  };
  const send = async (name: AinurContractName, method: string, args: readonly unknown[]): Promise<void> => {
    const tx = (await instances[name]!.getFunction(method)(...args)) as { wait(): Promise<unknown> };
    await tx.wait();
  };

  // Governance first: the timelock is the treasury and the final holder of every parameter role.
  const token = await deploy("AinurToken", [
    options.tokenHolder ?? deployer,
    options.tokenSupply ?? parseEther("1000000000"),
  ]);
  const timelock = await deploy("AinurTimelock", [gov.timelockDelay, [], [ZeroAddress], deployer]);
  const governor = await deploy("AinurGovernor", [
    token,
    timelock,
    gov.votingDelay,
    gov.votingPeriod,
    gov.proposalThreshold,
    gov.quorumPercent,
  ]);

  const agents = await deploy("AgentRegistry", []);
  const credits = await deploy("UsageCredits", [deployer]);
  const staking = await deploy("ReputationStaking", [
    token,
    agents,
    deployer,
    [
      stk.minimumStake,
      stk.unbondDelay,
      stk.scoreHalfLife,
      timelock,
      stk.escrowSlashCapBps,
      stk.disputeSlashCapBps,
      stk.governanceSlashCapBps,
    ],
  ]);
  const escrow = await deploy("TaskEscrow", [
    token,
    staking,
    credits,
    deployer,
    [
      esc.feeBps,
      timelock,
      esc.maxReviewWindow,
      esc.disputeBond,
      esc.disputeResponseWindow,
      esc.disputeVotingPeriod,
    ],
  ]);
  const pool = await deploy("InsurancePool", [
    escrow,
    staking,
    deployer,
    [
      [pol.baseBps, pol.reputationRiskBps, pol.utilisationSlopeBps, pol.reputationScale],
      pol.maxCoverPerPolicy,
      pol.maxUtilisationBps,
      pol.withdrawalCooldown,
    ],
  ]);
  await deploy("UTIDRegistry", [agents, deployer]);
  if (options.lineage === true) await deploy("LineageRegistry", [staking]);

  // Wiring.
  await send("ReputationStaking", "grantRole", [role("ESCROW_SLASHER_ROLE"), escrow]);
  await send("ReputationStaking", "grantRole", [role("DISPUTE_SLASHER_ROLE"), escrow]);
  await send("ReputationStaking", "grantRole", [role("RECORDER_ROLE"), escrow]);
  await send("ReputationStaking", "grantRole", [role("GOVERNANCE_SLASHER_ROLE"), timelock]);
  await send("ReputationStaking", "setSlashRecipient", [pool]);
  await send("UsageCredits", "grantRole", [role("SPENDER_ROLE"), escrow]);
  for (const issuer of options.creditIssuers ?? [deployer]) {
    await send("UsageCredits", "grantRole", [role("ISSUER_ROLE"), issuer]);
  }
  await send("TaskEscrow", "setInsurancePool", [pool]);
  for (const auctioneer of options.auctioneers ?? []) {
    await send("TaskEscrow", "grantRole", [role("AUCTIONEER_ROLE"), auctioneer]);
  }
  if (options.arbitrators !== undefined && options.arbitrators.length > 0) {
    await send("TaskEscrow", "setArbitrationPanel", [options.arbitrators]);
  }
  log("wired roles: escrow slashes and records on staking, spends credits, reports to the insurance pool");

  // Hand every admin and parameter role to the timelock, then drop the deployer's.
  const parameterised: readonly AinurContractName[] = ["ReputationStaking", "TaskEscrow", "InsurancePool"];
  for (const name of parameterised) {
    await send(name, "grantRole", [role("PARAMETER_ROLE"), timelock]);
    await send(name, "grantRole", [ZeroHash, timelock]);
    await send(name, "renounceRole", [role("PARAMETER_ROLE"), deployer]);
    await send(name, "renounceRole", [ZeroHash, deployer]);
  }
  await send("UTIDRegistry", "grantRole", [role("REVOKER_ROLE"), timelock]);
  await send("UTIDRegistry", "grantRole", [ZeroHash, timelock]);
  await send("UTIDRegistry", "renounceRole", [role("REVOKER_ROLE"), deployer]);
  await send("UTIDRegistry", "renounceRole", [ZeroHash, deployer]);
  await send("UsageCredits", "grantRole", [ZeroHash, timelock]);
  await send("UsageCredits", "renounceRole", [ZeroHash, deployer]);
  await send("AinurTimelock", "grantRole", [role("PROPOSER_ROLE"), governor]);
  await send("AinurTimelock", "grantRole", [role("CANCELLER_ROLE"), governor]);
  await send("AinurTimelock", "renounceRole", [ZeroHash, deployer]);
  log(`handed every admin and parameter role to the timelock ${timelock}; the governor ${governor} proposes`);

  const all = contracts as AinurDeployment["contracts"];
  const deployment: AinurDeployment = {
    chainId,
    deployer,
    startBlock: Math.min(...AINUR_CONTRACTS.map((n) => all[n].block)),
    contracts: all,
  };
  if (options.deploymentsFile !== undefined) await writeDeployments(options.deploymentsFile, deployment);
  return deployment;
}

/** Writes the deployments file (creating its folder). */
export async function writeDeployments(file: string, deployment: AinurDeployment): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(deployment, null, 2) + "\n");
}

/** The conventional deployments file for a chain: `<repo>/.ainur/deployments/<chainId>.json`. */
export function defaultDeploymentsFile(chainId: string | bigint): string {
  return path.join(root, ".ainur", "deployments", `${chainId.toString()}.json`);
}
