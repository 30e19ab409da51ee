/**
 * Lineage records: what one task execution commits to, and how it becomes a leaf.
 *
 *   commitment = Poseidon(taskId, agentDidHash, inputSetHash, outputHash, parentCommitment, time)
 *
 * exactly as circuits/lib/lineage.circom computes it. Strings become field elements with
 * hashToField (sha256, top 248 bits):
 *   taskId        = hashToField(task id string)
 *   agentDidHash  = hashToField(agent DID, e.g. "did:ainur:evm:0x…")
 *   inputSetHash  = hashToField(the input identifiers, de-duplicated, sorted, joined with "\n")
 *   outputHash    = hashToField(output identifier, e.g. its CID)
 *   parentCommitment = the parent record's commitment, or 0 for a first record
 *   time          = completion time, Unix seconds (64 bits)
 */
import type { Poseidon } from "circomlibjs";
import { FIELD, MAX_TIME, assertField, hashToField, parseField, toHex32 } from "./field.ts";
import { LineageFormatError } from "./errors.ts";

export interface LineageRecord {
  taskId: bigint;
  agentDidHash: bigint;
  inputSetHash: bigint;
  outputHash: bigint;
  parentCommitment: bigint;
  time: bigint;
}

/** What the execution layer reports when a task finishes. */
export interface Execution {
  taskId: string;
  agentDid: string;
  /** Input identifiers (CIDs or content hashes). Order and duplicates do not matter. */
  inputs: readonly string[];
  /** Output identifier (CID or content hash). */
  output: string;
  /** Commitment of the record this execution continues (a DAG parent), if any. */
  parentCommitment?: bigint;
  /** Completion time, Unix seconds. */
  completedAt: number | bigint;
}

/** The record's fields as they appear in JSON (0x-hex, 32 bytes each). */
export type LineageRecordJson = Record<keyof LineageRecord, string>;

const FIELDS: readonly (keyof LineageRecord)[] = [
  "taskId",
  "agentDidHash",
  "inputSetHash",
  "outputHash",
  "parentCommitment",
  "time",
];

/** Hash of an input set: independent of order and duplicates. */
export function inputSetHash(inputs: readonly string[]): bigint {
  return hashToField([...new Set(inputs)].sort().join("\n"));
}

/** Builds the record of an execution. */
export function recordFromExecution(execution: Execution): LineageRecord {
  for (const key of ["taskId", "agentDid", "output"] as const) {
    if (typeof execution[key] !== "string" || execution[key].length === 0) {
      throw new LineageFormatError(key, "must be a non-empty string");
    }
  }
  return checkRecord({
    taskId: hashToField(execution.taskId),
    agentDidHash: hashToField(execution.agentDid),
    inputSetHash: inputSetHash(execution.inputs),
    outputHash: hashToField(execution.output),
    parentCommitment: execution.parentCommitment ?? 0n,
    time: BigInt(execution.completedAt),
  });
}

/** Checks every field is canonical (time: 64 bits) and returns the record. */
export function checkRecord(record: LineageRecord): LineageRecord {
  for (const key of FIELDS) {
    if (typeof record[key] !== "bigint") throw new LineageFormatError(key, "is missing or not a bigint");
    assertField(key, record[key], key === "time" ? MAX_TIME : FIELD - 1n);
  }
  return record;
}

/** The record's leaf: Poseidon over its six fields. */
export function commitRecord(poseidon: Poseidon, record: LineageRecord): bigint {
  checkRecord(record);
  return poseidon.F.toObject(poseidon(FIELDS.map((k) => record[k])));
}

export function recordToJson(record: LineageRecord): LineageRecordJson {
  return Object.fromEntries(FIELDS.map((k) => [k, toHex32(record[k])])) as LineageRecordJson;
}

export function recordFromJson(json: unknown): LineageRecord {
  if (typeof json !== "object" || json === null) throw new LineageFormatError("record", "must be an object");
  const source = json as Record<string, unknown>;
  const record = {} as LineageRecord;
  for (const key of FIELDS) {
    const value = source[key];
    if (typeof value !== "string" && typeof value !== "number") {
      throw new LineageFormatError(`record.${key}`, "is missing (expected a 0x-hex or decimal string)");
    }
    record[key] = parseField(`record.${key}`, value);
  }
  return checkRecord(record);
}
