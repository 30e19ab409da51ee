/**
 * The devnet's local EVM: `hardhat node` on 127.0.0.1 and a free port, the contracts compiled and
 * deployed with the shared deploy module (scripts/deploy/deploy.ts), plus the LineageRegistry and
 * its verifier when the deploy module does not deploy them yet.
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider, Wallet, ContractFactory } from "ethers";
import { deployAinur, readArtifact } from "../../../scripts/deploy/deploy.ts";
import { freePort, hardhatCli } from "../../../scripts/lib/tools.ts";
import type { Deployments } from "../node/evm-chain.ts";

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
  stop(): Promise<void>;
}

export async function startHardhatNode(root: string): Promise<Devchain> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Under the watchdog: the chain stops when this process goes away, however it goes.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      fileURLToPath(new URL("./watchdog.ts", import.meta.url)),
      process.execPath,
      hardhatCli,
      "node",
      "--hostname",
      "127.0.0.1",
      "--port",
      String(port),
    ],
    {
      cwd: root,
      env,
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
      if (res.ok) return { url, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new DevchainError(`hardhat node did not answer on ${url} within 60 s`);
}

export interface DeployResult {
  deployments: Deployments;
  gasUsed: bigint;
}

/** Deploys every contract with `deployerKey`; the requester's address may sign awards. */
export async function deployAll(
  url: string,
  deployerKey: string,
  auctioneers: string[],
  file: string,
  log: (line: string) => void,
): Promise<DeployResult> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 100 });
  try {
    // Hardhat's own account 0 (unlocked in the node): the node keeps its nonces.
    const signer = await provider.getSigner(new Wallet(deployerKey).address);
    const first = await provider.getBlockNumber();
    const deployment = await deployAinur(signer, { auctioneers, governance: { votingPeriod: 10 } });
    const contracts: Deployments["contracts"] = { ...deployment.contracts };
    if (!("LineageRegistry" in contracts)) {
      // The deploy module does not deploy the lineage contracts yet (issue 4): do it here.
      const verifierArtifact = await readArtifact(
        "Lineage20Verifier",
        undefined,
        "verifiers/Lineage20Verifier.sol",
      );
      const verifier = await new ContractFactory(
        verifierArtifact.abi,
        verifierArtifact.bytecode,
        signer,
      ).deploy();
      const vr = (await verifier.deploymentTransaction()!.wait())!;
      contracts.Lineage20Verifier = {
        address: await verifier.getAddress(),
        block: vr.blockNumber,
        txHash: vr.hash,
      };
      const registryArtifact = await readArtifact("LineageRegistry");
      const registry = await new ContractFactory(
        registryArtifact.abi,
        registryArtifact.bytecode,
        signer,
      ).deploy(
        contracts.ReputationStaking!.address,
        contracts.Lineage20Verifier.address,
        // No batch verifier is deployed yet: batch verification is not part of the devnet.
        contracts.Lineage20Verifier.address,
      );
      const rr = (await registry.deploymentTransaction()!.wait())!;
      contracts.LineageRegistry = {
        address: await registry.getAddress(),
        block: rr.blockNumber,
        txHash: rr.hash,
      };
      log(`deployed LineageRegistry at ${contracts.LineageRegistry.address} (anchorers: staked operators)`);
    }
    const last = await provider.getBlockNumber();
    let gasUsed = 0n;
    for (let b = first + 1; b <= last; b++) {
      const block = await provider.getBlock(b);
      gasUsed += block?.gasUsed ?? 0n;
    }
    const deployments: Deployments = {
      chainId: deployment.chainId,
      deployer: deployment.deployer,
      startBlock: deployment.startBlock,
      contracts,
    };
    await writeFile(file, JSON.stringify(deployments, null, 2) + "\n");
    return { deployments, gasUsed };
  } finally {
    provider.destroy();
  }
}
