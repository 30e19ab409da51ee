/**
 * circuits/lineage20batch.circom: K records of one window under one root. Passing and failing
 * witnesses (a changed record, a record from another window, a mismatched public input, a non-binary
 * path bit, field boundaries), then one real proof verified in JS with every public input tampered.
 * K and WINDOW are read from node/src/lineage (they must match the circuit's `component main`).
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import type { CircuitSignals, VerificationKey } from "snarkjs";
import { BATCH_SIZE, BATCH_WINDOW } from "../../node/src/lineage/index.ts";
import { FIELD, artefacts, hasher, merklePath, poseidon, terminateCurve, witnessFails } from "./fixtures.ts";

const DEPTH = 20;
const K = BATCH_SIZE;
const W = BATCH_WINDOW;

interface Record6 {
  taskId: bigint;
  agentDidHash: bigint;
  inputSetHash: bigint;
  outputHash: bigint;
  parentCommitment: bigint;
  time: bigint;
}

describe("circuits/lineage20batch", function () {
  let hash: (inputs: bigint[]) => bigint;
  let files: { wasm: string; zkey: string; vkey: string };
  let records: Record6[];
  let leaves: bigint[];

  const commit = (r: Record6): bigint =>
    hash([r.taskId, r.agentDidHash, r.inputSetHash, r.outputHash, r.parentCommitment, r.time]);

  /** A batch witness for the records at `indices` (all in one window unless a test says otherwise). */
  function witness(indices: number[], tweak: (r: Record6[]) => void = () => {}): CircuitSignals {
    const paths = indices.map((i) => pathOf(i));
    const chosen = indices.map((i) => ({ ...records[i]! }));
    tweak(chosen);
    return {
      root: paths[0]!.root,
      outputHash: chosen.map((r) => r.outputHash),
      agentDidHash: chosen.map((r) => r.agentDidHash),
      taskId: chosen.map((r) => r.taskId),
      inputSetHash: chosen.map((r) => r.inputSetHash),
      parentCommitment: chosen.map((r) => r.parentCommitment),
      time: chosen.map((r) => r.time),
      pathElements: paths.map((p) => p.pathElements.slice(0, W)),
      pathIndices: paths.map((p) => p.pathIndices.slice(0, W)),
      windowPathElements: paths[0]!.pathElements.slice(W),
      windowPathIndices: paths[0]!.pathIndices.slice(W),
    };
  }

  // Paths are recomputed only when `leaves` changes (the tree has 2^WINDOW + 2 leaves).
  let cache = new Map<number, ReturnType<typeof merklePath>>();
  let cachedFor: bigint[] | undefined;
  function pathOf(index: number): ReturnType<typeof merklePath> {
    if (cachedFor !== leaves) {
      cache = new Map();
      cachedFor = leaves;
    }
    let path = cache.get(index);
    if (!path) {
      path = merklePath(hash, leaves, index, DEPTH);
      cache.set(index, path);
    }
    return path;
  }

  const firstWindow = (): number[] => Array.from({ length: K }, (_, j) => (j * 3) % 7);

  before(async function () {
    hash = hasher(await poseidon());
    files = artefacts("lineage20batch");
    // 2^W + 2 records: the last two sit in the second window.
    records = Array.from({ length: 2 ** W + 2 }, (_, i) => ({
      taskId: BigInt(1000 + i),
      agentDidHash: BigInt(0xa6e17 + (i % 3)),
      inputSetHash: BigInt(0x1257 + i),
      outputHash: BigInt(0x0a7b07 + i),
      parentCommitment: i === 0 ? 0n : BigInt(i),
      time: BigInt(1_763_800_000 + i),
    }));
    leaves = records.map(commit);
  });

  after(terminateCurve);

  it(`accepts ${K} records of one window, and repeats of one record`, async function () {
    expect(await witnessFails(witness(firstWindow()), files.wasm)).to.equal(false);
    expect(await witnessFails(witness(Array(K).fill(5)), files.wasm)).to.equal(false);
  });

  it("accepts records of the second window", async function () {
    const second = Array.from({ length: K }, (_, j) => 2 ** W + (j % 2));
    expect(await witnessFails(witness(second), files.wasm)).to.equal(false);
  });

  it("rejects records from two windows (they cannot share the window's path)", async function () {
    const mixed = firstWindow();
    mixed[K - 1] = 2 ** W;
    expect(await witnessFails(witness(mixed), files.wasm)).to.equal(true);
  });

  for (const field of [
    "taskId",
    "agentDidHash",
    "inputSetHash",
    "outputHash",
    "parentCommitment",
    "time",
  ] as const) {
    it(`rejects the batch when one record's ${field} changes`, async function () {
      const w = witness(firstWindow(), (rs) => {
        rs[K - 1]![field] += 1n;
      });
      expect(await witnessFails(w, files.wasm)).to.equal(true);
    });
  }

  it("rejects swapped public inputs (outputs bound to their own records)", async function () {
    const w = witness(firstWindow());
    const outputs = [...(w.outputHash as bigint[])].reverse();
    expect(await witnessFails({ ...w, outputHash: outputs }, files.wasm)).to.equal(true);
  });

  it("rejects a path bit that is not 0 or 1, inside and above the window", async function () {
    const w = witness(firstWindow());
    const inner = (w.pathIndices as number[][]).map((bits) => [...bits]);
    inner[0]![0] = 2;
    expect(await witnessFails({ ...w, pathIndices: inner }, files.wasm)).to.equal(true);
    const upper = [...(w.windowPathIndices as number[])];
    upper[0] = 2;
    expect(await witnessFails({ ...w, windowPathIndices: upper }, files.wasm)).to.equal(true);
  });

  it("range-checks every record's time to 64 bits", async function () {
    const ok = witness(firstWindow(), (rs) => (rs[0]!.time = 2n ** 64n - 1n));
    // The leaf changed, so recompute the tree with that record.
    const saved = records[firstWindow()[0]!]!;
    records[firstWindow()[0]!] = { ...saved, time: 2n ** 64n - 1n };
    leaves = records.map(commit);
    try {
      expect(await witnessFails(witness(firstWindow()), files.wasm)).to.equal(false);
      records[firstWindow()[0]!] = { ...saved, time: 2n ** 64n };
      leaves = records.map(commit);
      expect(await witnessFails(witness(firstWindow()), files.wasm)).to.equal(true);
      records[firstWindow()[0]!] = { ...saved, time: FIELD - 1n };
      leaves = records.map(commit);
      expect(await witnessFails(witness(firstWindow()), files.wasm)).to.equal(true);
    } finally {
      records[firstWindow()[0]!] = saved;
      leaves = records.map(commit);
    }
    expect(await witnessFails(ok, files.wasm), "time changed without its leaf").to.equal(true);
  });

  it("proves and verifies in JS; any changed public input fails", async function () {
    const vkey = JSON.parse(readFileSync(files.vkey, "utf8")) as VerificationKey;
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(
      witness(firstWindow()),
      files.wasm,
      files.zkey,
    );
    expect(publicSignals).to.have.length(2 * K + 1);
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).to.equal(true);
    for (let i = 0; i < publicSignals.length; i++) {
      const tampered = [...publicSignals];
      tampered[i] = (BigInt(tampered[i]!) + 1n).toString();
      expect(await snarkjs.groth16.verify(vkey, tampered, proof), `public input ${i}`).to.equal(false);
    }
  });
});
