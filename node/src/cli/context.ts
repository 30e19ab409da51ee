/**
 * Where a command finds the chain: `--rpc`, `--deployments` and `--key` flags, else the
 * environment (AINUR_RPC_URL, AINUR_DEPLOYMENTS, AINUR_KEY), else the running devnet's
 * `<data-dir>/devnet.json` (default data dir `.ainur/devnet`).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EvmChain } from "../chain/evm/index.ts";
import { EnvironmentError } from "./errors.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, ".ainur", "devnet");

/** What the devnet writes for other processes (and the CLI) to find it. */
export interface DevnetInfo {
  chain: "evm" | "substrate";
  rpcUrl: string;
  deploymentsFile: string;
  apiUrl?: string;
  explorerUrl?: string;
  requesterDataDir: string;
  keys: { deployer: string; requester: string; agents: string[] };
  pid: number;
}

export interface GlobalFlags {
  json?: boolean;
  rpc?: string;
  deployments?: string;
  key?: string;
  "data-dir"?: string;
}

export function dataDir(flags: GlobalFlags): string {
  return path.resolve(flags["data-dir"] ?? process.env.AINUR_DATA_DIR ?? DEFAULT_DATA_DIR);
}

export function devnetInfo(flags: GlobalFlags): DevnetInfo | undefined {
  const file = path.join(dataDir(flags), "devnet.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as DevnetInfo;
}

/** Connects to the chain; `needKey` makes a missing key an error. */
export async function connectChain(flags: GlobalFlags, needKey: boolean): Promise<EvmChain> {
  const devnet = devnetInfo(flags);
  const rpcUrl = flags.rpc ?? process.env.AINUR_RPC_URL ?? devnet?.rpcUrl;
  const deploymentsFile = flags.deployments ?? process.env.AINUR_DEPLOYMENTS ?? devnet?.deploymentsFile;
  const key = flags.key ?? process.env.AINUR_KEY ?? devnet?.keys.deployer;
  if (rpcUrl === undefined || deploymentsFile === undefined) {
    throw new EnvironmentError(
      "No chain to talk to: start the devnet (npm start) or pass --rpc <url> and --deployments <file>.",
    );
  }
  if (!existsSync(deploymentsFile)) {
    throw new EnvironmentError(
      `The deployments file ${deploymentsFile} does not exist: deploy first (npm start).`,
    );
  }
  if (needKey && key === undefined)
    throw new EnvironmentError("This command sends a transaction: pass --key <0x…> or set AINUR_KEY.");
  const chain = await EvmChain.connect({
    rpcUrl,
    deploymentsFile,
    ...(key === undefined ? {} : { privateKey: key }),
  });
  try {
    await chain.blockNumber();
  } catch (error) {
    chain.close();
    throw new EnvironmentError(`The chain at ${rpcUrl} does not answer: is the devnet running?`, {
      cause: error,
    });
  }
  return chain;
}
