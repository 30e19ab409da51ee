/**
 * lineage/: record commitments, the durable Poseidon Merkle tree, Groth16 proofs made in a worker
 * thread, batched root anchoring, and the proof files auditors verify. See README.md.
 *
 * Boundaries: lineage/ imports snarkjs and circomlibjs, never ethers. The chain is reached through
 * injected functions: `anchor(root, leafCount)` (LineageComponents) and an `OnChainVerifier`.
 */
import { LineageService } from "./lineage.ts";
import type { LineageComponents, LineageInit } from "./lineage.ts";
import type { ProofFile } from "./proof-file.ts";
import type { Prover } from "./prover.ts";

export { LineageService } from "./lineage.ts";
export type {
  Anchor,
  AnchorFn,
  AnchorReceipt,
  LineageComponents,
  LineageEvents,
  LineageInit,
  RecordContext,
  StoredRecord,
} from "./lineage.ts";
export { PoseidonTree } from "./poseidon-tree.ts";
export type { Hash2, MerkleProof, PoseidonTreeInit } from "./poseidon-tree.ts";
export { WorkerProver } from "./prover.ts";
export type { ProveRequest, ProveResult, Prover } from "./prover.ts";
export {
  checkRecord,
  commitRecord,
  inputSetHash,
  recordFromExecution,
  recordFromJson,
  recordToJson,
} from "./record.ts";
export type { Execution, LineageRecord, LineageRecordJson } from "./record.ts";
export { FIELD, MAX_TIME, FieldRangeError, assertField, hashToField, parseField, toHex32 } from "./field.ts";
export {
  PROOF_FILE_FORMAT,
  PROOF_FILE_VERSION,
  formatVerdict,
  parseProofFile,
  publicSignals,
  solidityProof,
  verifyProofFile,
} from "./proof-file.ts";
export type {
  OnChainResult,
  OnChainVerifier,
  ProofFile,
  ProvenRecord,
  Verdict,
  VerifyOptions,
} from "./proof-file.ts";
export { BATCH_SIZE, BATCH_WINDOW, LINEAGE_DEPTH, circuitFiles } from "./circuits.ts";
export type { CircuitFiles, LineageCircuitName } from "./circuits.ts";
export {
  LeafIndexError,
  LineageFormatError,
  NotStartedError,
  ProverError,
  RecordNotFoundError,
  TreeFullError,
  ZeroLeafError,
} from "./errors.ts";

/** The lineage service of a node. */
export function createLineage(components: LineageComponents, init: LineageInit): LineageService {
  return new LineageService(components, init);
}

export interface ProveRecordOptions {
  /** The node's lineage database (LineageInit.database). */
  database: string;
  /** Leaf index, or the record's commitment (0x-hex). */
  record: number | string;
  /** Prove these records together with the batch circuit instead (up to BATCH_SIZE, one window). */
  batch?: readonly (number | string)[];
  circuitsRoot?: string;
  prover?: Prover;
}

/**
 * `ainur lineage prove <record>`: opens the node's lineage store read-only (it never anchors),
 * proves the record against the latest anchored root in a worker thread, and returns the proof file.
 */
export async function proveRecord(options: ProveRecordOptions): Promise<ProofFile> {
  const service = new LineageService(
    {
      anchor: () => Promise.reject(new Error("proveRecord never anchors")),
      ...(options.prover ? { prover: options.prover } : {}),
    },
    {
      database: options.database,
      readOnly: true,
      ...(options.circuitsRoot ? { circuitsRoot: options.circuitsRoot } : {}),
    },
  );
  await service.start();
  try {
    return options.batch ? await service.proveBatch(options.batch) : await service.prove(options.record);
  } finally {
    await service.stop();
  }
}
