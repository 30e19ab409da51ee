/**
 * The devnet's local EVM: `hardhat node` on 127.0.0.1 and a free port, with a genesis timestamp
 * the caller chooses (hardhat-node.config.ts), and the contracts compiled; `deployAll`
 * (chain/evm/deploy-devnet.ts, re-exported here) deploys them.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort, hardhatCli } from "../../../scripts/lib/tools.ts";

const env = { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" };

export class DevchainError extends Error {
  override name = "DevchainError";
}

/** Compiles the contracts (offline solc); throws if they do not compile. */
export function buildContracts(root: string): void {
  const build = spawnSync(process.execPath, [hardhatCli, "build", "--quiet"], {
    cwd: root,
    env,
    encoding: "utf8",
  });
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    throw new DevchainError("the contracts did not compile; see the compiler output above");
  }
}

export interface Devchain {
  url: string;
  /** The genesis block's timestamp (seconds): what a chain journal needs to replay this chain. */
  genesisTimestamp: number;
  stop(): Promise<void>;
}

export interface HardhatNodeOptions {
  /** Seconds (default: now). A chain journal replays only into a node with its genesis timestamp. */
  genesisTimestamp?: number;
}

const nodeConfig = fileURLToPath(new URL("./hardhat-node.config.ts", import.meta.url));

export async function startHardhatNode(root: string, options: HardhatNodeOptions = {}): Promise<Devchain> {
  const genesisTimestamp = options.genesisTimestamp ?? Math.floor(Date.now() / 1000);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Under the watchdog: the chain stops when this process goes away, however it goes.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      fileURLToPath(new URL("./watchdog.ts", import.meta.url)),
      process.execPath,
      hardhatCli,
      "--config",
      nodeConfig,
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: root,
      env: { ...env, AINUR_DEVNET_GENESIS_TIMESTAMP: String(genesisTimestamp) },
      stdio: ["pipe", "ignore", "inherit"],
    },
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    await exited;
    clearTimeout(force);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new DevchainError(`hardhat node exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return { url, genesisTimestamp, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new DevchainError(`hardhat node did not answer on ${url} within 60 s`);
}

export { deployAll } from "../chain/evm/index.ts";
export type { DeployResult } from "../chain/evm/index.ts";
