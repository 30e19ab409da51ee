/**
 * Deploys the Ainur contracts on a development chain with the shared deploy module
 * (scripts/deploy/deploy.ts), LineageRegistry included, and writes the deployments file. The devnet
 * and the CLI tests use it.
 */
import { writeFile } from "node:fs/promises";
import { JsonRpcProvider, Wallet } from "ethers";
import { deployAinur } from "../../../../scripts/deploy/deploy.ts";
import type { Deployments } from "./evm-chain.ts";

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
    const deployment = await deployAinur(signer, {
      auctioneers,
      governance: { votingPeriod: 10 },
      lineage: true,
    });
    const contracts: Deployments["contracts"] = { ...deployment.contracts };
    log(`deployed LineageRegistry at ${contracts.LineageRegistry!.address} (anchorers: staked operators)`);
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
