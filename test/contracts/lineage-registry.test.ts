/**
 * LineageRegistry: anchoring (authorised anchorers only, history, bad and repeated roots), and the
 * verification of real lineage proofs (made by node/src/lineage/ with the committed keys) with the
 * generated verifiers, as a view and as a transaction with its audit event; every tampering is
 * rejected, a never-anchored root with a custom error carrying it. Ends with the auditor's flow:
 * verifyProofFile with an on-chain callback.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import {
  BATCH_SIZE,
  FIELD,
  createLineage,
  hashToField,
  publicSignals,
  solidityProof,
  toHex32,
  verifyProofFile,
} from "../../node/src/lineage/index.ts";
import type { LineageService, OnChainVerifier, ProofFile } from "../../node/src/lineage/index.ts";
import { artefacts, terminateCurve } from "../circuits/fixtures.ts";

/** BN254's base field: proof coordinates are below it. */
const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

const connection = await network.create();
const { ethers, networkHelpers } = connection;

type Fn = (...args: unknown[]) => Promise<unknown>;
const fn = (c: BaseContract, name: string): Fn => c.getFunction(name) as unknown as Fn;

async function deployRegistry() {
  const [deployer, operator, outsider, auditor] = await ethers.getSigners();
  const authority = await ethers.deployContract("MockAnchorAuthority");
  await fn(authority, "setAuthorised")(operator!.address, true);
  const registry = await ethers.deployContract("LineageRegistry", [await authority.getAddress()]);
  return {
    registry,
    authority,
    deployer: deployer!,
    operator: operator!,
    outsider: outsider!,
    auditor: auditor!,
  };
}

/** verifyLineage / verifyLineageBatch arguments for a proof file. */
function args(file: ProofFile): unknown[] {
  const { a, b, c } = solidityProof(file.proof);
  const signals = publicSignals(file).map(BigInt);
  const proof = { a, b, c };
  if (file.circuit === "lineage20") return [proof, signals[0], signals[1], signals[2]];
  return [proof, signals[0], signals.slice(1, 1 + BATCH_SIZE), signals.slice(1 + BATCH_SIZE)];
}

describe("LineageRegistry", function () {
  let dir: string;
  let service: LineageService;
  let single: ProofFile;
  let batch: ProofFile;

  before(async function () {
    artefacts("lineage20");
    artefacts("lineage20batch");
    dir = mkdtempSync(path.join(tmpdir(), "ainur-registry-"));
    // The records' tree; its root is anchored on each test's fresh registry by `anchored()`.
    service = createLineage(
      { anchor: async () => ({}) },
      { database: path.join(dir, "lineage.sqlite"), anchorEvery: 1_000, anchorAfterMs: 3_600_000 },
    );
    await service.start();
    for (let i = 0; i < 10; i++) {
      service.commitExecution({
        taskId: `task-${i}`,
        agentDid: `did:ainur:evm:0x${(i % 3).toString(16).padStart(40, "0")}`,
        inputs: [`bafy-in-${i}`],
        output: `bafy-out-${i}`,
        completedAt: 1_763_800_000 + i,
      });
    }
    await service.anchorNow();
    single = await service.prove(4);
    batch = await service.proveBatch([3, 7, 1, 9, 0, 2, 4, 8].slice(0, BATCH_SIZE));
  });

  after(async function () {
    await service?.stop();
    rmSync(dir, { recursive: true, force: true });
    await terminateCurve();
  });

  async function anchored() {
    const d = await networkHelpers.loadFixture(deployRegistry);
    await fn(d.registry.connect(d.operator), "anchorRoot")(BigInt(single.root), single.leafCount);
    return d;
  }

  describe("anchoring", function () {
    it("anchors a root from an authorised anchorer, with its block, in the history", async function () {
      const { registry, operator } = await networkHelpers.loadFixture(deployRegistry);
      const root = BigInt(single.root);
      const tx = (await fn(registry.connect(operator), "anchorRoot")(
        root,
        10,
      )) as ContractTransactionResponse;
      const receipt = await tx.wait();
      await expect(tx).to.emit(registry, "RootAnchored").withArgs(root, operator.address, 10, 0);
      expect(await fn(registry, "isAnchored")(root)).to.equal(true);
      const anchor = (await fn(registry, "anchorOf")(root)) as {
        blockNumber: bigint;
        leafCount: bigint;
        anchorer: string;
      };
      expect(anchor.blockNumber).to.equal(BigInt(receipt!.blockNumber));
      expect(anchor.leafCount).to.equal(10n);
      expect(anchor.anchorer).to.equal(operator.address);
      await fn(registry.connect(operator), "anchorRoot")(root + 1n, 11);
      expect(await fn(registry, "rootCount")()).to.equal(2n);
      expect(await fn(registry, "rootAt")(0)).to.equal(root);
      expect(await fn(registry, "rootAt")(1)).to.equal(root + 1n);
      await expect(fn(registry, "rootAt")(2))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootIndexOutOfRange")
        .withArgs(2, 2);
    });

    it("rejects anchorers the authority does not authorise", async function () {
      const { registry, outsider } = await networkHelpers.loadFixture(deployRegistry);
      await expect(fn(registry.connect(outsider), "anchorRoot")(1n, 1))
        .to.be.revertedWithCustomError(registry, "LineageRegistryUnauthorisedAnchorer")
        .withArgs(outsider.address);
    });

    it("rejects the root 0 and roots outside the field", async function () {
      const { registry, operator } = await networkHelpers.loadFixture(deployRegistry);
      for (const root of [0n, FIELD, FIELD + 5n]) {
        await expect(fn(registry.connect(operator), "anchorRoot")(root, 1))
          .to.be.revertedWithCustomError(registry, "LineageRegistryInvalidRoot")
          .withArgs(root);
      }
    });

    it("rejects a root anchored twice, naming the block of the first", async function () {
      const { registry, operator } = await anchored();
      const first = (await fn(registry, "anchorOf")(BigInt(single.root))) as { blockNumber: bigint };
      await expect(fn(registry.connect(operator), "anchorRoot")(BigInt(single.root), 10))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootAlreadyAnchored")
        .withArgs(BigInt(single.root), first.blockNumber);
    });

    it("refuses a zero address at deployment", async function () {
      const factory = await ethers.getContractFactory("LineageRegistry");
      await expect(factory.deploy(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        factory,
        "LineageRegistryZeroAddress",
      );
    });
  });

  describe("single-record proofs", function () {
    it("verifies a valid proof as a view", async function () {
      const { registry } = await anchored();
      expect(await fn(registry, "verifyLineage")(...args(single))).to.equal(true);
    });

    it("returns false when the output hash, the agent DID hash or the proof changes", async function () {
      const { registry } = await anchored();
      const [proof, root, output, agent] = args(single) as [
        ReturnType<typeof solidityProof>,
        bigint,
        bigint,
        bigint,
      ];
      expect(await fn(registry, "verifyLineage")(proof, root, output + 1n, agent)).to.equal(false);
      expect(await fn(registry, "verifyLineage")(proof, root, output, agent + 1n)).to.equal(false);
      expect(await fn(registry, "verifyLineage")(proof, root, output + FIELD, agent)).to.equal(false);
      expect(await fn(registry, "verifyLineage")({ ...proof, a: proof.c }, root, output, agent)).to.equal(
        false,
      );
    });

    it("returns false, without reverting, for malformed proof points", async function () {
      const { registry } = await anchored();
      const [proof, root, output, agent] = args(single) as [
        ReturnType<typeof solidityProof>,
        bigint,
        bigint,
        bigint,
      ];
      const verify = fn(registry, "verifyLineage");
      const [ax, ay] = proof.a as [bigint, bigint];
      const [cx, cy] = proof.c as [bigint, bigint];
      // A's y not reduced (the same point, encoded with y + q), A and C off the curve, B all zeros.
      expect(await verify({ ...proof, a: [ax, ay + BASE_FIELD] }, root, output, agent)).to.equal(false);
      expect(await verify({ ...proof, a: [ax, ay + 1n] }, root, output, agent)).to.equal(false);
      expect(await verify({ ...proof, c: [cx, cy + 1n] }, root, output, agent)).to.equal(false);
      const zeroB = [
        [0n, 0n],
        [0n, 0n],
      ];
      expect(await verify({ ...proof, b: zeroB }, root, output, agent)).to.equal(false);
    });

    it("reverts with the root when it was never anchored", async function () {
      const { registry } = await anchored();
      const [proof, root, output, agent] = args(single) as [unknown, bigint, bigint, bigint];
      await expect(fn(registry, "verifyLineage")(proof, root + 1n, output, agent))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootNotAnchored")
        .withArgs(root + 1n);
      await expect(fn(registry, "auditLineage")(proof, root + 1n, output, agent))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootNotAnchored")
        .withArgs(root + 1n);
      await expect(fn(registry, "anchorOf")(root + 1n))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootNotAnchored")
        .withArgs(root + 1n);
    });

    it("audits in a transaction: emits LineageAudited, or reverts with the values", async function () {
      const { registry, auditor } = await anchored();
      const [proof, root, output, agent] = args(single) as [unknown, bigint, bigint, bigint];
      await expect(fn(registry.connect(auditor), "auditLineage")(proof, root, output, agent))
        .to.emit(registry, "LineageAudited")
        .withArgs(root, agent, output, auditor.address);
      await expect(fn(registry.connect(auditor), "auditLineage")(proof, root, output, agent + 1n))
        .to.be.revertedWithCustomError(registry, "LineageRegistryInvalidProof")
        .withArgs(root, output, agent + 1n);
    });
  });

  describe(`batch proofs (${BATCH_SIZE} records)`, function () {
    it("verifies a valid batch as a view, and audits it in a transaction", async function () {
      const { registry, auditor } = await anchored();
      const [proof, root, outputs, agents] = args(batch) as [unknown, bigint, bigint[], bigint[]];
      expect(await fn(registry, "verifyLineageBatch")(proof, root, outputs, agents)).to.equal(true);
      await expect(fn(registry.connect(auditor), "auditLineageBatch")(proof, root, outputs, agents))
        .to.emit(registry, "LineageBatchAudited")
        .withArgs(root, auditor.address, outputs, agents);
    });

    it("rejects a batch with any one record's output or agent changed", async function () {
      const { registry } = await anchored();
      const [proof, root, outputs, agents] = args(batch) as [unknown, bigint, bigint[], bigint[]];
      for (const j of [0, BATCH_SIZE - 1]) {
        const o = [...outputs];
        o[j] = o[j]! + 1n;
        const a = [...agents];
        a[j] = agents[(j + 1) % BATCH_SIZE]!;
        expect(await fn(registry, "verifyLineageBatch")(proof, root, o, agents), `output ${j}`).to.equal(
          false,
        );
        if (a[j] !== agents[j])
          expect(await fn(registry, "verifyLineageBatch")(proof, root, outputs, a), `agent ${j}`).to.equal(
            false,
          );
      }
      await expect(fn(registry, "auditLineageBatch")(proof, root, outputs.toReversed(), agents))
        .to.be.revertedWithCustomError(registry, "LineageRegistryInvalidBatchProof")
        .withArgs(root);
      await expect(fn(registry, "verifyLineageBatch")(proof, root + 1n, outputs, agents))
        .to.be.revertedWithCustomError(registry, "LineageRegistryRootNotAnchored")
        .withArgs(root + 1n);
    });
  });

  describe("the auditor's flow", function () {
    function onChain(registry: BaseContract): OnChainVerifier {
      return async (file) => {
        const root = BigInt(file.root);
        if (!(await fn(registry, "isAnchored")(root))) return { anchor: null };
        const a = (await fn(registry, "anchorOf")(root)) as {
          blockNumber: bigint;
          leafCount: bigint;
          anchorer: string;
        };
        const valid = (await fn(
          registry,
          file.circuit === "lineage20" ? "verifyLineage" : "verifyLineageBatch",
        )(...args(file))) as boolean;
        return {
          anchor: {
            blockNumber: Number(a.blockNumber),
            leafCount: Number(a.leafCount),
            anchorer: a.anchorer,
          },
          valid,
        };
      };
    }

    it("a node anchors through the registry, and its proof files verify locally and on-chain", async function () {
      const { registry, operator } = await networkHelpers.loadFixture(deployRegistry);
      const node = createLineage(
        {
          anchor: async (root, leafCount) => {
            const tx = (await fn(registry.connect(operator), "anchorRoot")(
              root,
              leafCount,
            )) as ContractTransactionResponse;
            const receipt = await tx.wait();
            return { blockNumber: receipt!.blockNumber, transactionHash: tx.hash };
          },
        },
        { database: path.join(dir, "node.sqlite"), anchorEvery: 2, anchorAfterMs: 3_600_000 },
      );
      await node.start();
      try {
        const anchored = new Promise((resolve) =>
          node.addEventListener("lineage:anchored", resolve, { once: true }),
        );
        node.commitExecution({
          taskId: "t-1",
          agentDid: "did:ainur:evm:0x01",
          inputs: [],
          output: "bafy-1",
          completedAt: 1,
        });
        node.commitExecution({
          taskId: "t-2",
          agentDid: "did:ainur:evm:0x02",
          inputs: ["bafy-1"],
          output: "bafy-2",
          completedAt: 2,
        });
        await anchored;
        const file = await node.prove(1);
        const verdict = await verifyProofFile(file, { onChain: onChain(registry) });
        expect(verdict.reasons).to.deep.equal([]);
        expect(verdict.valid).to.equal(true);
        expect(verdict.anchor?.blockNumber).to.equal(node.latestAnchor?.receipt.blockNumber);

        // The same proof, re-labelled with another agent's DID (and its hash).
        const other = "did:ainur:evm:0x01";
        const forged = {
          ...file,
          records: [{ ...file.records[0]!, agentDid: other, agentDidHash: toHex32(hashToField(other)) }],
        };
        const bad = await verifyProofFile(forged, { onChain: onChain(registry) });
        expect(bad.valid).to.equal(false);
        expect(bad.checks.js).to.equal(false);
        expect(bad.checks.onChain).to.equal(false);
        expect(bad.reasons.join("; ")).to.match(/verifier rejects the proof/);
      } finally {
        await node.stop();
      }
    });

    it("says when the root was never anchored", async function () {
      const { registry } = await networkHelpers.loadFixture(deployRegistry);
      const verdict = await verifyProofFile(single, { onChain: onChain(registry) });
      expect(verdict.valid).to.equal(false);
      expect(verdict.checks.js).to.equal(true);
      expect(verdict.anchor).to.equal(null);
      expect(verdict.reasons).to.deep.equal([
        `the root ${single.root} was never anchored in the LineageRegistry`,
      ]);
    });
  });
});
