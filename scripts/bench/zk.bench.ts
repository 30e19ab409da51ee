/**
 * zk benchmarks: proving time (median of 5 after one warm-up: lineage proofs through the node's worker
 * prover as LineageService runs it, inclusion20 with in-process snarkjs) and on-chain
 * verification gas: the `gasUsed` of a real transaction making the call on Hardhat's in-process EDR
 * network (21,000 intrinsic + calldata + execution), as scripts/gas/ measures every other figure.
 * eth_estimateGas would say more: it returns the gas *limit* a call needs, and a verifier's
 * precompile calls forward `gas() - 2000` under EIP-150's 63/64 rule, so the limit must exceed
 * what is used by a few thousand gas.
 *
 * Needs the contracts compiled (`npm run build`).
 */
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import type { CircuitSignals, VerificationKey } from "snarkjs";
import { buildPoseidon } from "circomlibjs";
import { CIRCUITS } from "../circuits/config.ts";
import { circuitSources, compile, paths } from "../circuits/lib.ts";
import type { Contract, Signer } from "ethers";
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

/** Sends `fn(...args)` as a transaction (even a view) and returns the gas its receipt says it used. */
async function gasUsed(contract: Contract, fn: string, args: unknown[]): Promise<number> {
  const request = await contract.getFunction(fn).populateTransaction(...args);
  const signer = contract.runner as Signer;
  const receipt = await (await signer.sendTransaction(request)).wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${fn}: the transaction failed`);
  return Number(receipt.gasUsed);
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

/**
 * The lineage figures: a LineageService (in-memory store, the real worker prover) anchors its root in
 * a LineageRegistry on Hardhat's EDR network, then proofs are timed and their verification priced.
 */
async function lineageBench(selected: (id: string) => boolean): Promise<BenchResult[]> {
  const lineage = await import("../../node/src/lineage/index.ts");
  const results: BenchResult[] = [];
  const { network } = await import("hardhat");
  const connection = await network.create();
  const service = lineage.createLineage(
    { anchor: async () => ({}) },
    { database: ":memory:", anchorEvery: 1_000_000, anchorAfterMs: 3_600_000 },
  );
  try {
    const { ethers } = connection;
    const [, operator] = await ethers.getSigners();
    const authority = await ethers.deployContract("MockAnchorAuthority");
    await authority.getFunction("setAuthorised")(operator!.address, true);
    const registry = await ethers.deployContract("LineageRegistry", [await authority.getAddress()]);

    for (const c of CIRCUITS.filter((x) => x.name.startsWith("lineage"))) compile(c, circuitSources(c));
    await service.start();
    for (let i = 0; i < 100; i++) {
      service.commitExecution({
        taskId: `task-${i}`,
        agentDid: `did:ainur:evm:0x${(i % 7).toString(16).padStart(40, "0")}`,
        inputs: [`bafy-in-${i}`],
        output: `bafy-out-${i}`,
        completedAt: 1_763_800_000 + i,
      });
    }
    const anchor = await service.anchorNow();
    const anchorTx = await registry.connect(operator!).getFunction("anchorRoot")(
      anchor!.root,
      anchor!.leafCount,
    );
    const anchorReceipt = await anchorTx.wait();
    if (selected("zk.lineage.anchor_gas")) {
      results.push({
        id: "zk.lineage.anchor_gas",
        value: Number(anchorReceipt.gasUsed),
        unit: "gas",
        better: "lower",
      });
    }

    // Proving as the node does it: LineageService.prove, through its worker thread (which keeps the
    // circuit's wasm and key in memory and runs snarkjs's thread pool), after one warm-up proof.
    let file = await service.prove(42);
    const proveTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      file = await service.prove(42 + i);
      proveTimes.push(performance.now() - started);
    }
    if (selected("zk.lineage20.prove_ms")) {
      results.push({ id: "zk.lineage20.prove_ms", value: median(proveTimes), unit: "ms", better: "lower" });
    }
    const lineage20 = files("lineage20");

    const signals = lineage.publicSignals(file);
    await snarkjs.groth16.verify(lineage20.vkey, signals, file.proof); // warm-up
    const verifyTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      if (!(await snarkjs.groth16.verify(lineage20.vkey, signals, file.proof)))
        throw new Error("lineage20: proof rejected");
      verifyTimes.push(performance.now() - started);
    }
    if (selected("zk.lineage20.verify_js_ms")) {
      results.push({
        id: "zk.lineage20.verify_js_ms",
        value: median(verifyTimes),
        unit: "ms",
        better: "lower",
      });
    }

    const { a, b, c } = lineage.solidityProof(file.proof);
    const args = [{ a, b, c }, ...signals.map(BigInt)];
    const view = registry.getFunction("verifyLineage");
    if (!(await view(...args))) throw new Error("LineageRegistry rejects a valid lineage20 proof");
    if (selected("zk.lineage20.verify_gas")) {
      results.push({
        id: "zk.lineage20.verify_gas",
        value: await gasUsed(registry as unknown as Contract, "verifyLineage", args),
        unit: "gas",
        better: "lower",
      });
    }
    if (selected("zk.lineage20.verifier_gas")) {
      // The generated library alone (root term included), behind snarkjs's verifyProof shape.
      const harness = await ethers.deployContract("LineageVerifierHarness");
      results.push({
        id: "zk.lineage20.verifier_gas",
        value: await gasUsed(harness as unknown as Contract, "verifyProof", [a, b, c, signals.map(BigInt)]),
        unit: "gas",
        better: "lower",
      });
    }
    if (selected("zk.lineage20.audit_gas")) {
      results.push({
        id: "zk.lineage20.audit_gas",
        value: await gasUsed(registry as unknown as Contract, "auditLineage", args),
        unit: "gas",
        better: "lower",
      });
    }

    if (selected("zk.lineage_batch.gas_per_record") || selected("zk.lineage_batch.prove_ms")) {
      // Every other leaf of the window that starts at leaf 2^BATCH_WINDOW (fewer records are padded).
      const window = 2 ** lineage.BATCH_WINDOW;
      const refs = Array.from({ length: window / 2 }, (_, i) => window + 2 * i).slice(0, lineage.BATCH_SIZE);
      await service.proveBatch(refs); // warm-up: loads the batch circuit's wasm and key
      const started = performance.now();
      const batch = await service.proveBatch(refs);
      if (selected("zk.lineage_batch.prove_ms")) {
        results.push({
          id: "zk.lineage_batch.prove_ms",
          value: performance.now() - started,
          unit: "ms",
          better: "lower",
        });
      }
      const s = lineage.publicSignals(batch).map(BigInt);
      const p = lineage.solidityProof(batch.proof);
      const batchArgs = [
        { a: p.a, b: p.b, c: p.c },
        s[0],
        s.slice(1, 1 + lineage.BATCH_SIZE),
        s.slice(1 + lineage.BATCH_SIZE),
      ];
      const batchView = registry.getFunction("verifyLineageBatch");
      if (!(await batchView(...batchArgs))) throw new Error("LineageRegistry rejects a valid batch proof");
      const gas = await gasUsed(registry as unknown as Contract, "verifyLineageBatch", batchArgs);
      results.push({
        id: "zk.lineage_batch.gas_per_record",
        value: gas / lineage.BATCH_SIZE,
        unit: "gas",
        better: "lower",
      });
    }
    return results;
  } finally {
    await service.stop();
    await connection.close();
  }
}

const suite: BenchSuite = {
  name: "zk",
  ids: [
    "zk.inclusion20.prove_ms",
    "zk.inclusion20.verify_gas",
    "zk.lineage20.prove_ms",
    "zk.lineage20.verify_js_ms",
    "zk.lineage20.verify_gas",
    "zk.lineage20.audit_gas",
    "zk.lineage20.verifier_gas",
    "zk.lineage.anchor_gas",
    "zk.lineage_batch.prove_ms",
    "zk.lineage_batch.gas_per_record",
  ],
  async run(selected) {
    const results: BenchResult[] = [];
    const wantInclusion = selected("zk.inclusion20.prove_ms") || selected("zk.inclusion20.verify_gas");
    const wantLineage = suite.ids.some((id) => id.startsWith("zk.lineage") && selected(id));
    if (wantLineage) results.push(...(await lineageBench(selected)));
    if (!wantInclusion) return results;
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
        const gas = await gasUsed(verifier as unknown as Contract, "verifyProof", [a, b, c, publicSignals]);
        results.push({ id: "zk.inclusion20.verify_gas", value: gas, unit: "gas", better: "lower" });
      } finally {
        await connection.close();
      }
    }
    return results;
  },
};
export default suite;
