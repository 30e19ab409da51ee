/**
 * Helpers shared by the circuit tests: a sparse Poseidon Merkle tree computed the slow, obvious way
 * (an independent check on node/src/lineage/'s incremental tree), the circuit artefact paths, and the
 * conversion of a snarkjs proof to the verifier's calldata.
 */
import { buildPoseidon } from "circomlibjs";
import type { Poseidon } from "circomlibjs";
import * as snarkjs from "snarkjs";
import type { CircuitSignals, Groth16Proof } from "snarkjs";
import { CIRCUITS } from "../../scripts/circuits/config.ts";
import { circuitSources, compile, paths } from "../../scripts/circuits/lib.ts";

/** The BN254 scalar field order (the circuits' p). */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

let poseidonPromise: Promise<Poseidon> | undefined;
export function poseidon(): Promise<Poseidon> {
  poseidonPromise ??= buildPoseidon();
  return poseidonPromise;
}

export function hasher(p: Poseidon): (inputs: bigint[]) => bigint {
  return (inputs) => p.F.toObject(p(inputs));
}

/** Wasm and zkey of a circuit; compiles the wasm first when circuits/build/ lacks it (a clean clone). */
export function artefacts(name: string): { wasm: string; zkey: string; vkey: string } {
  const c = CIRCUITS.find((x) => x.name === name);
  if (!c) throw new Error(`no circuit named ${name} in scripts/circuits/config.ts`);
  compile(c, circuitSources(c));
  return { wasm: paths.wasm(c), zkey: paths.zkey(c), vkey: paths.vkey(c) };
}

export interface MerklePath {
  root: bigint;
  pathElements: bigint[];
  pathIndices: number[];
}

/** Root and authentication path of `leaves[index]` in a depth-`depth` tree whose other slots are 0. */
export function merklePath(
  hash: (inputs: bigint[]) => bigint,
  leaves: bigint[],
  index: number,
  depth: number,
): MerklePath {
  const zeros = [0n];
  for (let i = 0; i < depth; i++) zeros.push(hash([zeros[i]!, zeros[i]!]));
  let level = [...leaves];
  let position = index;
  const pathElements: bigint[] = [];
  const pathIndices: number[] = [];
  for (let i = 0; i < depth; i++) {
    const sibling = position ^ 1;
    pathElements.push(level[sibling] ?? zeros[i]!);
    pathIndices.push(position & 1);
    const next: bigint[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(hash([level[j]!, level[j + 1] ?? zeros[i]!]));
    level = next;
    position >>= 1;
  }
  return { root: level[0] ?? zeros[depth]!, pathElements, pathIndices };
}

/** The verifier's `verifyProof(pA, pB, pC, pubSignals)` arguments (pB's coordinates swapped). */
export function calldata(
  proof: Groth16Proof,
  publicSignals: (string | bigint)[],
): [[bigint, bigint], [[bigint, bigint], [bigint, bigint]], [bigint, bigint], bigint[]] {
  const b = proof.pi_b.map((pair) => pair.map(BigInt));
  return [
    [BigInt(proof.pi_a[0]!), BigInt(proof.pi_a[1]!)],
    [
      [b[0]![1]!, b[0]![0]!],
      [b[1]![1]!, b[1]![0]!],
    ],
    [BigInt(proof.pi_c[0]!), BigInt(proof.pi_c[1]!)],
    publicSignals.map(BigInt),
  ];
}

/**
 * Whether the circuit rejects `input` (the witness calculator hits a failed constraint). The
 * calculator prints the failed template to the console; that noise is swallowed here.
 */
export async function witnessFails(input: CircuitSignals, wasm: string): Promise<boolean> {
  const { log, error } = console;
  console.log = () => {};
  console.error = () => {};
  try {
    await snarkjs.wtns.calculate(input, wasm, { type: "mem" });
    return false;
  } catch {
    return true;
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** Ends snarkjs's worker threads so mocha can exit. */
export async function terminateCurve(): Promise<void> {
  await (globalThis as { curve_bn128?: { terminate(): Promise<void> } }).curve_bn128?.terminate();
}
