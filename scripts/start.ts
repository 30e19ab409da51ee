/**
 * `npm start`: the local devnet. Builds the contracts, starts Hardhat's EVM (`hardhat node`) on
 * 127.0.0.1, deploys every contract with the shared deploy module, prints what it did, and runs until
 * Ctrl-C (or, with `--once`, exits right away). Nothing to configure; nothing leaves the machine.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider } from "ethers";
import { defaultDeploymentsFile, deployAinur } from "./deploy/deploy.ts";
import { freePort, hardhatCli } from "./lib/tools.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const once = process.argv.includes("--once");
const env = { ...process.env, HARDHAT_DISABLE_TELEMETRY: "true" };

const say = (line: string): void => console.log(`ainur | ${line}`);

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<JsonRpcProvider> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`hardhat node exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (response.ok) return new JsonRpcProvider(url, undefined, { staticNetwork: true });
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`hardhat node did not answer on ${url} within ${timeoutMs / 1000} s`);
}

const started = performance.now();
say("building contracts (hardhat build, offline solc)");
const build = spawnSync(process.execPath, [hardhatCli, "build", "--quiet"], {
  cwd: root,
  env,
  stdio: "inherit",
});
if (build.status !== 0) {
  console.error("ainur | the contracts did not compile; see the compiler output above.");
  process.exit(1);
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
say(`starting the local EVM (hardhat node) on ${url}`);
const chain = spawn(
  process.execPath,
  [hardhatCli, "node", "--hostname", "127.0.0.1", "--port", String(port)],
  {
    cwd: root,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  },
);

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say("stopping the local EVM");
    if (chain.exitCode === null) {
      chain.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => chain.kill("SIGKILL"), 3_000);
        chain.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
      });
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));

try {
  const provider = await waitForRpc(url, chain, 60_000);
  const signer = await provider.getSigner(0);
  const chainId = (await provider.getNetwork()).chainId;
  const deploymentsFile = defaultDeploymentsFile(chainId);
  const deployment = await deployAinur(signer, { deploymentsFile, log: (line) => say(line) });
  say(`chain ${deployment.chainId}, deployer ${deployment.deployer}`);
  for (const [name, contract] of Object.entries(deployment.contracts)) {
    say(`  ${name.padEnd(20)} ${contract.address}  (block ${contract.block})`);
  }
  say(`deployments written to ${path.relative(root, deploymentsFile)}`);
  say(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  provider.destroy();
} catch (error) {
  console.error(`ainur | start failed: ${(error as Error).message}`);
  await stop(1);
}

if (once) await stop(0);
say(`the chain keeps running at ${url}; press Ctrl-C to stop`);
