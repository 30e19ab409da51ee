/**
 * zk benchmarks: proving time (median of 5, in-process snarkjs, after one warm-up) and on-chain
 * verification gas, measured with eth_estimateGas on Hardhat's in-process EDR network (the cost of
 * a transaction making the call: 21,000 intrinsic + calldata + execution).
 *
 * Needs the contracts compiled (`npm run build`).
 */
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import type { CircuitSignals, VerificationKey } from "snarkjs";
import { buildPoseidon } from "circomlibjs";
import { CIRCUITS } from "../circuits/config.ts";
import { circuitSources, compile, paths } from "../circuits/lib.ts";
import { median } from "./types.ts";
import type { BenchResult, BenchSuite } from "./types.ts";

const RUNS = 5;

function files(name: string): { wasm: string; zkey: string; vkey: VerificationKey } {
  const c = CIRCUITS.find((x) => x.name === name);
  if (!c) throw new Error(`no circuit ${name} in scripts/circuits/config.ts`);
  compile(c, circuitSources(c));
  return {
    wasm: paths.wasm(c),
    zkey: paths.zkey(c),
    vkey: JSON.parse(readFileSync(paths.vkey(c), "utf8")) as VerificationKey,
  };
}

async function timeProofs(input: CircuitSignals, wasm: string, zkey: string) {
  let last = await snarkjs.groth16.fullProve(input, wasm, zkey); // warm-up: loads the curve and keys
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    last = await snarkjs.groth16.fullProve(input, wasm, zkey);
    times.push(performance.now() - started);
  }
  return { ...last, proveMs: median(times) };
}

/** Root and path of leaf `index` among `leaves` in a depth-20 tree (slow and obvious, small inputs). */
function merklePath(hash: (l: bigint, r: bigint) => bigint, leaves: bigint[], index: number) {
  const zeros = [0n];
  for (let i = 0; i < 20; i++) zeros.push(hash(zeros[i]!, zeros[i]!));
  let level = [...leaves];
  let position = index;
  const pathElements: bigint[] = [];
  const pathIndices: number[] = [];
  for (let i = 0; i < 20; i++) {
    pathElements.push(level[position ^ 1] ?? zeros[i]!);
    pathIndices.push(position & 1);
    const next: bigint[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(hash(level[j]!, level[j + 1] ?? zeros[i]!));
    level = next;
    position >>= 1;
  }
  return { root: level[0]!, pathElements, pathIndices };
}

function solidityArgs(proof: snarkjs.Groth16Proof) {
  const b = proof.pi_b.map((pair) => pair.map(BigInt));
  return {
    a: [BigInt(proof.pi_a[0]!), BigInt(proof.pi_a[1]!)],
    b: [
      [b[0]![1]!, b[0]![0]!],
      [b[1]![1]!, b[1]![0]!],
    ],
    c: [BigInt(proof.pi_c[0]!), BigInt(proof.pi_c[1]!)],
  };
}

const suite: BenchSuite = {
  name: "zk",
  ids: ["zk.inclusion20.prove_ms", "zk.inclusion20.verify_gas"],
  async run(selected) {
    const results: BenchResult[] = [];
    const poseidon = await buildPoseidon();
    const hash = (l: bigint, r: bigint): bigint => poseidon.F.toObject(poseidon([l, r]));

    const inclusion = files("inclusion20");
    const leaves = [1n, 2n, 3n, 4n, 5n].map((x) => poseidon.F.toObject(poseidon([x])));
    const path = merklePath(hash, leaves, 3);
    const { proof, publicSignals, proveMs } = await timeProofs(
      { ...path, leaf: leaves[3]! },
      inclusion.wasm,
      inclusion.zkey,
    );
    if (!(await snarkjs.groth16.verify(inclusion.vkey, publicSignals, proof)))
      throw new Error("inclusion20: the proof does not verify");
    if (selected("zk.inclusion20.prove_ms")) {
      results.push({ id: "zk.inclusion20.prove_ms", value: proveMs, unit: "ms", better: "lower" });
    }

    if (selected("zk.inclusion20.verify_gas")) {
      const { network } = await import("hardhat");
      const connection = await network.create();
      try {
        const verifier = await connection.ethers.deployContract("Inclusion20Verifier");
        const { a, b, c } = solidityArgs(proof);
        const verify = verifier.getFunction("verifyProof");
        if (!(await verify(a, b, c, publicSignals)))
          throw new Error("Inclusion20Verifier rejects a valid proof");
        const gas = await verify.estimateGas(a, b, c, publicSignals);
        results.push({ id: "zk.inclusion20.verify_gas", value: Number(gas), unit: "gas", better: "lower" });
      } finally {
        await connection.close();
      }
    }
    return results;
  },
};
export default suite;
