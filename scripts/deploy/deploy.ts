/**
 * The one Ainur deploy module. Tests' fixtures and `npm start` both call {@link deployAinur} with an
 * ethers `Signer`; it deploys from the compiled artifacts (`hardhat build` writes them) and can write a
 * deployments file with each address and the block it was deployed in.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ContractFactory, ZeroHash, id } from "ethers";
import type { InterfaceAbi, Signer } from "ethers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where one contract lives. */
export interface DeployedContract {
  address: string;
  /** The block of the deploy transaction: indexers start reading events here. */
  block: number;
  txHash: string;
}

/** What {@link deployAinur} deployed, as written to the deployments file. */
export interface AinurDeployment {
  chainId: string;
  deployer: string;
  contracts: Record<string, DeployedContract>;
}

export interface DeployOptions {
  /** Hardhat's artifacts folder (default `<repo>/artifacts`). */
  artifactsDir?: string;
  /** Write the deployments file here, e.g. `.ainur/deployments/31337.json`. Nothing is written if unset. */
  deploymentsFile?: string;
  /** Gets `DEFAULT_ADMIN_ROLE` on the credits; defaults to the deployer. */
  admin?: string;
  /** Addresses granted `ISSUER_ROLE` on the credits (default: the deployer). */
  creditIssuers?: readonly string[];
  /** Progress lines, e.g. `console.log`. */
  log?: (line: string) => void;
}

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

interface Artifact {
  abi: InterfaceAbi;
  bytecode: string;
}

/** Reads `<artifactsDir>/contracts/<sourcePath>/<Name>.json`. `sourcePath` defaults to `<Name>.sol`. */
export async function readArtifact(
  name: string,
  artifactsDir = path.join(root, "artifacts"),
  sourcePath = `${name}.sol`,
): Promise<Artifact> {
  const file = path.join(artifactsDir, "contracts", sourcePath, `${name}.json`);
  try {
    const json = JSON.parse(await readFile(file, "utf8")) as Artifact;
    return { abi: json.abi, bytecode: json.bytecode };
  } catch (error) {
    throw new DeployArtifactMissingError(name, file, error);
  }
}

/** Deploys every Ainur contract with `signer` and returns their addresses and deploy blocks. */
export async function deployAinur(signer: Signer, options: DeployOptions = {}): Promise<AinurDeployment> {
  const provider = signer.provider;
  if (provider === null)
    throw new Error("deployAinur: the signer has no provider; connect it to a JSON-RPC provider first.");
  const log = options.log ?? (() => {});
  const deployer = await signer.getAddress();
  const chainId = (await provider.getNetwork()).chainId.toString();
  const contracts: Record<string, DeployedContract> = {};

  const deploy = async (
    key: string,
    name: string,
    args: readonly unknown[],
    sourcePath?: string,
  ): Promise<string> => {
    const artifact = await readArtifact(name, options.artifactsDir, sourcePath);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const contract = await factory.deploy(...args);
    const tx = contract.deploymentTransaction()!;
    const receipt = (await tx.wait())!;
    const address = await contract.getAddress();
    contracts[key] = { address, block: receipt.blockNumber, txHash: receipt.hash };
    log(`deployed ${key} (${name}) at ${address} in block ${receipt.blockNumber}`);
    return address;
  };
  const send = async (
    label: string,
    to: string,
    name: string,
    method: string,
    args: readonly unknown[],
    sourcePath?: string,
  ): Promise<void> => {
    const artifact = await readArtifact(name, options.artifactsDir, sourcePath);
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer);
    const contract = factory.attach(to);
    const tx = (await contract.getFunction(method)(...args)) as { wait(): Promise<unknown> };
    await tx.wait();
    log(label);
  };

  const admin = options.admin ?? deployer;
  const credits = await deploy("UsageCredits", "UsageCredits", [deployer]);
  const issuers = options.creditIssuers ?? [deployer];
  for (const issuer of issuers) {
    await send(`granted ISSUER_ROLE on UsageCredits to ${issuer}`, credits, "UsageCredits", "grantRole", [
      id("ISSUER_ROLE"),
      issuer,
    ]);
  }
  if (admin !== deployer) {
    await send(
      `granted DEFAULT_ADMIN_ROLE on UsageCredits to ${admin}`,
      credits,
      "UsageCredits",
      "grantRole",
      [ZeroHash, admin],
    );
    await send(
      `deployer renounced DEFAULT_ADMIN_ROLE on UsageCredits`,
      credits,
      "UsageCredits",
      "renounceRole",
      [ZeroHash, deployer],
    );
  }

  const deployment: AinurDeployment = { chainId, deployer, contracts };
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
