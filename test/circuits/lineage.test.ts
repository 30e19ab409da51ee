/**
 * circuits/lineage20.circom: the record commitment, its inclusion, the public inputs, leaf 0, and
 * field-boundary values, with passing and failing witnesses; then one real proof verified in JS and by
 * the generated Lineage20Verifier library on Hardhat's EVM, with every public input tampered in turn.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import type { CircuitSignals, Groth16Proof, VerificationKey } from "snarkjs";
import {
  FIELD,
  artefacts,
  calldata,
  hasher,
  merklePath,
  poseidon,
  terminateCurve,
  witnessFails,
} from "./fixtures.ts";

const DEPTH = 20;

interface Record6 {
  taskId: bigint;
  agentDidHash: bigint;
  inputSetHash: bigint;
  outputHash: bigint;
  parentCommitment: bigint;
  time: bigint;
}

describe("circuits/lineage20", function () {
  let hash: (inputs: bigint[]) => bigint;
  let files: { wasm: string; zkey: string; vkey: string };

  const commit = (r: Record6): bigint =>
    hash([r.taskId, r.agentDidHash, r.inputSetHash, r.outputHash, r.parentCommitment, r.time]);

  const base: Record6 = {
    taskId: 0x7a5c01n,
    agentDidHash: 0xa6e17n,
    inputSetHash: 0x1257n,
    outputHash: 0x0a7b07n,
    parentCommitment: 0n,
    time: 1_763_800_000n,
  };

  /** A witness for `record` at `index` among other records, with `overrides` applied afterwards. */
  function witness(
    record: Record6,
    index = 2,
    overrides: Partial<Record<string, unknown>> = {},
  ): CircuitSignals {
    const others = [1n, 2n, 3n, 4n].map((x) => commit({ ...base, taskId: 1000n + x }));
    const leaves = [...others];
    leaves.splice(index, 0, commit(record));
    const path = merklePath(hash, leaves, index, DEPTH);
    return {
      root: path.root,
      outputHash: record.outputHash,
      agentDidHash: record.agentDidHash,
      taskId: record.taskId,
      inputSetHash: record.inputSetHash,
      parentCommitment: record.parentCommitment,
      time: record.time,
      pathElements: path.pathElements,
      pathIndices: path.pathIndices,
      ...overrides,
    } as CircuitSignals;
  }

  before(async function () {
    hash = hasher(await poseidon());
    files = artefacts("lineage20");
  });

  after(terminateCurve);

  describe("witnesses", function () {
    it("accepts a record committed in the tree", async function () {
      expect(await witnessFails(witness(base), files.wasm)).to.equal(false);
      expect(
        await witnessFails(witness({ ...base, parentCommitment: commit(base) }, 0), files.wasm),
      ).to.equal(false);
    });

    for (const field of ["taskId", "inputSetHash", "parentCommitment", "time"] as const) {
      it(`rejects a changed private field: ${field}`, async function () {
        const w = witness(base);
        (w as Record<string, unknown>)[field] = (base[field] + 1n) as unknown;
        expect(await witnessFails(w, files.wasm)).to.equal(true);
      });
    }

    it("rejects another output hash (public)", async function () {
      expect(await witnessFails(witness(base, 2, { outputHash: base.outputHash + 1n }), files.wasm)).to.equal(
        true,
      );
    });

    it("rejects the record claimed under another agent's DID hash (public)", async function () {
      expect(await witnessFails(witness(base, 2, { agentDidHash: 0xbadn }), files.wasm)).to.equal(true);
    });

    it("rejects another root", async function () {
      const w = witness(base);
      expect(await witnessFails({ ...w, root: BigInt(w.root as bigint) + 1n }, files.wasm)).to.equal(true);
    });

    it("rejects a path bit that is not 0 or 1", async function () {
      const w = witness(base);
      const bits = [...(w.pathIndices as number[])];
      bits[0] = 2;
      expect(await witnessFails({ ...w, pathIndices: bits }, files.wasm)).to.equal(true);
    });

    it("has no witness for an empty slot: the leaf there is 0, never a record's commitment", async function () {
      // Every slot after the 5 records is empty (0). Proving "a record" there would need a commitment
      // equal to 0; with the real fields the recomputed root differs, and NonZero forbids 0 anyway.
      const w = witness(base);
      const empty = merklePath(hash, [1n, 2n, 3n, 4n, 5n], 6, DEPTH);
      expect(
        await witnessFails(
          { ...w, root: empty.root, pathElements: empty.pathElements, pathIndices: empty.pathIndices },
          files.wasm,
        ),
      ).to.equal(true);
    });

    describe("field boundaries", function () {
      it("accepts the largest 64-bit time, rejects 2^64 and p - 1", async function () {
        expect(await witnessFails(witness({ ...base, time: 2n ** 64n - 1n }), files.wasm)).to.equal(false);
        expect(await witnessFails(witness({ ...base, time: 2n ** 64n }), files.wasm)).to.equal(true);
        expect(await witnessFails(witness({ ...base, time: FIELD - 1n }), files.wasm)).to.equal(true);
      });

      it("accepts hashes at p - 1 and 0 (any field element is a valid digest encoding)", async function () {
        const edge = {
          ...base,
          taskId: FIELD - 1n,
          inputSetHash: 0n,
          outputHash: FIELD - 1n,
          agentDidHash: FIELD - 1n,
        };
        expect(await witnessFails(witness(edge), files.wasm)).to.equal(false);
      });

      it("treats a signal ≥ p as its residue: p + x proves x, so verifiers must reject non-canonical inputs", async function () {
        // The witness calculator reduces inputs mod p. This is why the JS record builder and the
        // Solidity verifier both reject values ≥ p (tested below and in test/node/lineage).
        expect(
          await witnessFails(witness(base, 2, { outputHash: base.outputHash + FIELD }), files.wasm),
        ).to.equal(false);
      });
    });
  });

  describe("a real proof", function () {
    let vkey: VerificationKey;
    let proof: Groth16Proof;
    let publicSignals: string[];

    before(async function () {
      vkey = JSON.parse(readFileSync(files.vkey, "utf8")) as VerificationKey;
      ({ proof, publicSignals } = await snarkjs.groth16.fullProve(witness(base), files.wasm, files.zkey));
    });

    it("has the public inputs root, outputHash, agentDidHash, in that order", function () {
      const w = witness(base);
      expect(publicSignals).to.deep.equal([
        String(w.root),
        String(base.outputHash),
        String(base.agentDidHash),
      ]);
    });

    it("verifies in JS, and fails in JS when any public input changes", async function () {
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
      for (let i = 0; i < 3; i++) {
        const tampered = [...publicSignals];
        tampered[i] = (BigInt(tampered[i]!) + 1n).toString();
        expect(await snarkjs.groth16.verify(vkey, tampered, proof), `public input ${i}`).to.equal(false);
      }
    });

    it("verifies with Lineage20Verifier, which rejects changed and non-canonical inputs", async function () {
      const { ethers } = await network.create();
      // The library behind snarkjs's verifyProof shape; LineageRegistry's own use is in test/contracts.
      const verify = (await ethers.deployContract("LineageVerifierHarness")).getFunction("verifyProof");
      const [a, b, c, signals] = calldata(proof, publicSignals);
      expect(await verify(a, b, c, signals)).to.equal(true);
      for (let i = 0; i < 3; i++) {
        for (const delta of [1n, FIELD]) {
          const tampered = [...signals];
          tampered[i] = tampered[i]! + delta;
          expect(await verify(a, b, c, tampered), `public input ${i} + ${delta}`).to.equal(false);
        }
      }
    });
  });
});
