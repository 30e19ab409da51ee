import { expect } from "chai";
import { network } from "hardhat";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Wallet } from "ethers";
import {
  AINUR_CONTRACTS,
  DeployArtifactMissingError,
  defaultDeploymentsFile,
  deployAinur,
} from "../../scripts/deploy/deploy.ts";
import type { AinurDeployment } from "../../scripts/deploy/deploy.ts";

const { ethers } = await network.create();

describe("deployAinur", function () {
  let dir: string;
  before(async function () {
    dir = await mkdtemp(path.join(os.tmpdir(), "ainur-deploy-"));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it("deploys every contract and writes the deployments file with each address and deploy block", async function () {
    const [deployer] = await ethers.getSigners();
    const file = path.join(dir, "deployments", "31337.json");
    const lines: string[] = [];
    const deployment = await deployAinur(deployer!, { deploymentsFile: file, log: (l) => lines.push(l) });
    const written = JSON.parse(await readFile(file, "utf8")) as AinurDeployment;
    expect(written).to.deep.equal(deployment);
    expect(written.chainId).to.equal("31337");
    expect(written.deployer).to.equal(deployer!.address);
    expect(Object.keys(written.contracts).sort()).to.deep.equal([...AINUR_CONTRACTS].sort());
    for (const name of AINUR_CONTRACTS) {
      const c = written.contracts[name];
      expect(await ethers.provider.getCode(c.address)).to.not.equal("0x");
      const receipt = await ethers.provider.getTransactionReceipt(c.txHash);
      expect(receipt!.blockNumber).to.equal(c.block);
      expect(receipt!.contractAddress).to.equal(c.address);
    }
    expect(written.startBlock).to.equal(Math.min(...AINUR_CONTRACTS.map((n) => written.contracts[n].block)));
    expect(lines.some((l) => l.includes("deployed TaskEscrow"))).to.equal(true);
    expect(defaultDeploymentsFile(31337n)).to.match(/\.ainur\/deployments\/31337\.json$/);
  });

  it("can also deploy the LineageRegistry with ReputationStaking as its anchor authority", async function () {
    const [deployer] = await ethers.getSigners();
    const deployment = await deployAinur(deployer!, { lineage: true });
    const lineage = deployment.contracts.LineageRegistry!;
    expect(await ethers.provider.getCode(lineage.address)).to.not.equal("0x");
    const registry = await ethers.getContractAt("LineageRegistry", lineage.address);
    expect(await registry.getFunction("authority")()).to.equal(
      deployment.contracts.ReputationStaking.address,
    );
    expect(lineage.block).to.be.greaterThan(deployment.contracts.UTIDRegistry.block);
  });

  it("says what to do when the contracts are not compiled, or the signer has no provider", async function () {
    const [deployer] = await ethers.getSigners();
    const missing = await deployAinur(deployer!, { artifactsDir: path.join(dir, "nothing") }).catch(
      (e: unknown) => e,
    );
    expect(missing).to.be.instanceOf(DeployArtifactMissingError);
    expect((missing as Error).message).to.match(/run `npx hardhat build` first/);
    const detached = await deployAinur(Wallet.createRandom()).catch((e: unknown) => e);
    expect((detached as Error).message).to.match(/the signer has no provider/);
  });
});
