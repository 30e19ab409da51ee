/**
 * The foundation circuit end to end: a Poseidon Merkle inclusion (depth 20) proven with snarkjs,
 * verified in JS and by the generated Inclusion20Verifier on Hardhat's EVM; tampering is rejected in
 * both places.
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

describe("circuits/inclusion20", function () {
  let hash: (inputs: bigint[]) => bigint;
  let files: { wasm: string; zkey: string; vkey: string };
  let vkey: VerificationKey;
  let leaves: bigint[];
  let proof: Groth16Proof;
  let publicSignals: string[];

  before(async function () {
    hash = hasher(await poseidon());
    files = artefacts("inclusion20");
    vkey = JSON.parse(readFileSync(files.vkey, "utf8")) as VerificationKey;
    leaves = [11n, 22n, 33n, 44n, 55n].map((x) => hash([x]));
    const { root, pathElements, pathIndices } = merklePath(hash, leaves, 3, DEPTH);
    ({ proof, publicSignals } = await snarkjs.groth16.fullProve(
      { root, leaf: leaves[3]!, pathElements, pathIndices },
      files.wasm,
      files.zkey,
    ));
  });

  after(terminateCurve);

  describe("in JS", function () {
    it("verifies a proof of a member", async function () {
      expect(publicSignals).to.have.length(1);
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
    });

    it("rejects the proof under a tampered root", async function () {
      const tampered = [(BigInt(publicSignals[0]!) + 1n).toString()];
      expect(await snarkjs.groth16.verify(vkey, tampered, proof)).to.equal(false);
    });

    it("rejects a tampered proof", async function () {
      const bad = { ...proof, pi_a: [proof.pi_c[0]!, proof.pi_c[1]!, "1"] };
      expect(await snarkjs.groth16.verify(vkey, publicSignals, bad)).to.equal(false);
    });

    it("cannot prove a leaf under the wrong root or path", async function () {
      const { root, pathElements, pathIndices } = merklePath(hash, leaves, 3, DEPTH);
      const wrongSibling = [...pathElements];
      wrongSibling[0] = wrongSibling[0]! + 1n;
      for (const input of [
        { root: root + 1n, leaf: leaves[3]!, pathElements, pathIndices },
        { root, leaf: leaves[3]!, pathElements: wrongSibling, pathIndices },
        { root, leaf: leaves[2]!, pathElements, pathIndices },
      ]) {
        await expectWitnessFailure(input);
      }
    });

    it("never accepts leaf 0 (an empty slot) as a member", async function () {
      // Slot 7 is empty: its path is valid for the leaf 0, which the circuit must refuse.
      const empty = merklePath(hash, leaves, 7, DEPTH);
      await expectWitnessFailure({ ...empty, leaf: 0n });
    });

    it("rejects an index bit that is not 0 or 1", async function () {
      const { root, pathElements, pathIndices } = merklePath(hash, leaves, 3, DEPTH);
      const bits = [...pathIndices];
      bits[5] = 2;
      await expectWitnessFailure({ root, leaf: leaves[3]!, pathElements, pathIndices: bits });
    });

    async function expectWitnessFailure(input: CircuitSignals): Promise<void> {
      expect(await witnessFails(input, files.wasm), "the witness should not satisfy the circuit").to.equal(
        true,
      );
    }
  });

  describe("on Hardhat's EVM with the generated verifier", function () {
    async function deploy() {
      const { ethers } = await network.create();
      const verifier = await ethers.deployContract("Inclusion20Verifier");
      return { verifyProof: verifier.getFunction("verifyProof") };
    }

    it("accepts the proof", async function () {
      const verifier = await deploy();
      expect(await verifier.verifyProof(...calldata(proof, publicSignals))).to.equal(true);
    });

    it("rejects a tampered root", async function () {
      const verifier = await deploy();
      const [a, b, c, signals] = calldata(proof, publicSignals);
      expect(await verifier.verifyProof(a, b, c, [signals[0]! + 1n])).to.equal(false);
    });

    it("rejects a public input outside the field (root + p aliases root)", async function () {
      const verifier = await deploy();
      const [a, b, c, signals] = calldata(proof, publicSignals);
      expect(await verifier.verifyProof(a, b, c, [signals[0]! + FIELD])).to.equal(false);
    });

    it("rejects a tampered proof point", async function () {
      const verifier = await deploy();
      const [a, b, c, signals] = calldata(proof, publicSignals);
      expect(await verifier.verifyProof(c, b, a, signals)).to.equal(false);
    });
  });
});
