/**
 * Lineage proof files: what `proveRecord` writes and `verifyProofFile` checks. The format is
 * documented in README.md ("Proof files").
 */
import { readFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import type { Groth16Proof, VerificationKey } from "snarkjs";
import { BATCH_SIZE, circuitFiles } from "./circuits.ts";
import type { LineageCircuitName } from "./circuits.ts";
import { LineageFormatError } from "./errors.ts";
import { FIELD, hashToField, toHex32 } from "./field.ts";

export const PROOF_FILE_FORMAT = "ainur-lineage-proof";
export const PROOF_FILE_VERSION = 1;

/** One record a proof speaks about. Only the two hashes are proven; the rest is disclosed context. */
export interface ProvenRecord {
  /** Proven: a public input of the proof. */
  outputHash: string;
  /** Proven: a public input of the proof. */
  agentDidHash: string;
  /** The agent's DID; if present, it must hash to agentDidHash. */
  agentDid?: string;
  /** The output's identifier (CID); if present, it must hash to outputHash. */
  output?: string;
  /** The task id, as the prover discloses it. The proof keeps the task private: not checked. */
  taskId?: string;
  /** The record's position in the prover's tree, disclosed for reference; not checked. */
  leafIndex?: number;
}

export interface ProofFile {
  format: typeof PROOF_FILE_FORMAT;
  version: typeof PROOF_FILE_VERSION;
  circuit: LineageCircuitName;
  /** The tree root the proof is against (0x-hex); it must be anchored in the LineageRegistry. */
  root: string;
  /** Size of the tree at that root, as the prover saw it. */
  leafCount: number;
  /** 1 record for lineage20; BATCH_SIZE for lineage20batch (repeats allowed). */
  records: ProvenRecord[];
  /** snarkjs's Groth16 proof object. */
  proof: Groth16Proof;
  /** ISO time the file was made. */
  createdAt: string;
}

/** The public signals the verifiers take, derived from the file (never stored separately). */
export function publicSignals(file: ProofFile): string[] {
  const root = BigInt(file.root).toString();
  if (file.circuit === "lineage20") {
    const r = file.records[0]!;
    return [root, BigInt(r.outputHash).toString(), BigInt(r.agentDidHash).toString()];
  }
  return [
    root,
    ...file.records.map((r) => BigInt(r.outputHash).toString()),
    ...file.records.map((r) => BigInt(r.agentDidHash).toString()),
  ];
}

/** The proof as Solidity verifiers take it: (a, b with coordinates swapped, c). */
export function solidityProof(proof: Groth16Proof): {
  a: [bigint, bigint];
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
} {
  const n = (x: string | undefined): bigint => BigInt(x ?? "0");
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0]?.[1]), n(proof.pi_b[0]?.[0])],
      [n(proof.pi_b[1]?.[1]), n(proof.pi_b[1]?.[0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
  };
}

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const NUMERIC = /^[0-9]{1,78}$/;

/** Checks the shape of an untrusted proof file; throws LineageFormatError naming the bad field. */
export function parseProofFile(json: unknown): ProofFile {
  const fail = (field: string, message: string): never => {
    throw new LineageFormatError(field, message);
  };
  if (typeof json !== "object" || json === null) return fail("proof file", "must be a JSON object");
  const f = json as Record<string, unknown>;
  if (f.format !== PROOF_FILE_FORMAT)
    fail("format", `must be "${PROOF_FILE_FORMAT}", got ${JSON.stringify(f.format)}`);
  if (f.version !== PROOF_FILE_VERSION)
    fail("version", `this tool reads version ${PROOF_FILE_VERSION}, got ${JSON.stringify(f.version)}`);
  if (f.circuit !== "lineage20" && f.circuit !== "lineage20batch")
    fail("circuit", `must be "lineage20" or "lineage20batch"`);
  const expected = f.circuit === "lineage20" ? 1 : BATCH_SIZE;
  const field = (name: string, value: unknown): void => {
    if (typeof value !== "string" || !HEX32.test(value))
      fail(name, "must be a 0x-prefixed 32-byte hex string");
    if (BigInt(value as string) >= FIELD) fail(name, `${String(value)} is not below the BN254 field size`);
  };
  field("root", f.root);
  if (typeof f.leafCount !== "number" || !Number.isInteger(f.leafCount) || f.leafCount < 1)
    fail("leafCount", "must be a positive integer");
  if (!Array.isArray(f.records) || f.records.length !== expected)
    fail("records", `must list ${expected} record(s) for ${String(f.circuit)}`);
  (f.records as unknown[]).forEach((value, i) => {
    if (typeof value !== "object" || value === null) fail(`records[${i}]`, "must be an object");
    const r = value as Record<string, unknown>;
    field(`records[${i}].outputHash`, r.outputHash);
    field(`records[${i}].agentDidHash`, r.agentDidHash);
    for (const key of ["agentDid", "output", "taskId"]) {
      if (r[key] !== undefined && typeof r[key] !== "string")
        fail(`records[${i}].${key}`, "must be a string when present");
    }
  });
  const p = f.proof as Record<string, unknown> | undefined;
  const points = (name: string, value: unknown, length: number): void => {
    if (!Array.isArray(value) || value.length < length)
      fail(`proof.${name}`, `must be an array of ${length} or more elements`);
  };
  if (typeof p !== "object" || p === null) return fail("proof", "must be a snarkjs Groth16 proof object");
  points("pi_a", p.pi_a, 2);
  points("pi_b", p.pi_b, 2);
  points("pi_c", p.pi_c, 2);
  const numbers = [...(p.pi_a as unknown[]), ...(p.pi_b as unknown[][]).flat(), ...(p.pi_c as unknown[])];
  if (!numbers.every((x) => typeof x === "string" && NUMERIC.test(x)))
    fail("proof", "coordinates must be decimal strings");
  if (p.protocol !== "groth16" || p.curve !== "bn128") fail("proof", "must be a groth16 proof on bn128");
  return f as unknown as ProofFile;
}

/** What the chain says about a proof file, from an on-chain verifier (see index.ts: OnChainVerifier). */
export interface OnChainResult {
  /** Null when the root was never anchored. */
  anchor: { blockNumber: number; leafCount: number; anchorer: string } | null;
  /** The LineageRegistry's verifyLineage/verifyLineageBatch answer; undefined when not anchored. */
  valid?: boolean;
}

/** Checks a proof file against the chain: injected so lineage/ never imports ethers. */
export type OnChainVerifier = (file: ProofFile) => Promise<OnChainResult>;

export interface Verdict {
  valid: boolean;
  /** Why it is invalid (empty when valid). */
  reasons: string[];
  circuit?: LineageCircuitName;
  root?: string;
  records: ProvenRecord[];
  anchor: OnChainResult["anchor"] | undefined;
  checks: { format: boolean; disclosed: boolean; js: boolean | "skipped"; onChain: boolean | "skipped" };
}

export interface VerifyOptions {
  /** Verification keys by circuit (default: circuits/keys/<circuit>.vkey.json). */
  vkeys?: Partial<Record<LineageCircuitName, VerificationKey>>;
  /** Check on-chain as well; without it the verdict can only be valid "locally". */
  onChain?: OnChainVerifier;
}

/**
 * Verifies a proof file: its format; that disclosed DIDs and outputs hash to the proven hashes; the
 * Groth16 proof in JS; and, with `onChain`, that the root is anchored and the registry's verifier
 * accepts the proof. Never throws for a bad file: the verdict says what is wrong.
 */
export async function verifyProofFile(json: unknown, options: VerifyOptions = {}): Promise<Verdict> {
  const verdict: Verdict = {
    valid: false,
    reasons: [],
    records: [],
    anchor: undefined,
    checks: { format: false, disclosed: false, js: "skipped", onChain: "skipped" },
  };
  let file: ProofFile;
  try {
    file = parseProofFile(json);
  } catch (error) {
    verdict.reasons.push(`malformed proof file: ${(error as Error).message}`);
    return verdict;
  }
  verdict.checks.format = true;
  verdict.circuit = file.circuit;
  verdict.root = file.root;
  verdict.records = file.records;

  verdict.checks.disclosed = true;
  file.records.forEach((r, i) => {
    if (r.agentDid !== undefined && toHex32(hashToField(r.agentDid)) !== r.agentDidHash.toLowerCase()) {
      verdict.checks.disclosed = false;
      verdict.reasons.push(
        `record ${i}: the agent DID ${r.agentDid} does not hash to the proven agentDidHash ${r.agentDidHash}`,
      );
    }
    if (r.output !== undefined && toHex32(hashToField(r.output)) !== r.outputHash.toLowerCase()) {
      verdict.checks.disclosed = false;
      verdict.reasons.push(
        `record ${i}: the output ${r.output} does not hash to the proven outputHash ${r.outputHash}`,
      );
    }
  });

  const vkey =
    options.vkeys?.[file.circuit] ??
    (JSON.parse(readFileSync(circuitFiles(file.circuit).vkey, "utf8")) as VerificationKey);
  try {
    verdict.checks.js = await snarkjs.groth16.verify(vkey, publicSignals(file), file.proof);
  } catch (error) {
    verdict.checks.js = false;
    verdict.reasons.push(`the proof could not be checked: ${(error as Error).message}`);
  }
  if (verdict.checks.js === false && !verdict.reasons.some((r) => r.startsWith("the proof could not"))) {
    verdict.reasons.push(
      "the Groth16 proof does not verify against the root, output hash(es) and agent DID hash(es) in the file",
    );
  }

  if (options.onChain) {
    try {
      const result = await options.onChain(file);
      verdict.anchor = result.anchor;
      if (!result.anchor) {
        verdict.checks.onChain = false;
        verdict.reasons.push(`the root ${file.root} was never anchored in the LineageRegistry`);
      } else {
        verdict.checks.onChain = result.valid === true;
        if (!verdict.checks.onChain) verdict.reasons.push("the LineageRegistry's verifier rejects the proof");
      }
    } catch (error) {
      verdict.checks.onChain = false;
      verdict.reasons.push(`the on-chain check failed: ${(error as Error).message}`);
    }
  }

  verdict.valid =
    verdict.reasons.length === 0 && verdict.checks.js === true && verdict.checks.onChain !== false;
  return verdict;
}

/** A verdict as a person reads it. */
export function formatVerdict(verdict: Verdict): string {
  const lines: string[] = [];
  const status = verdict.valid
    ? verdict.checks.onChain === true
      ? "VALID"
      : "VALID (checked locally only)"
    : "INVALID";
  lines.push(`verdict: ${status}`);
  if (verdict.circuit) lines.push(`circuit: ${verdict.circuit}`);
  if (verdict.root) lines.push(`root:    ${verdict.root}`);
  if (verdict.anchor) {
    lines.push(
      `anchored: block ${verdict.anchor.blockNumber} by ${verdict.anchor.anchorer} (${verdict.anchor.leafCount} records)`,
    );
  } else if (verdict.anchor === null) {
    lines.push("anchored: never");
  }
  verdict.records.forEach((r, i) => {
    lines.push(`record ${i}:`);
    lines.push(`  agent:  ${r.agentDid ?? "(not disclosed)"}  [${r.agentDidHash}]`);
    lines.push(`  output: ${r.output ?? "(not disclosed)"}  [${r.outputHash}]`);
    lines.push(
      `  task:   ${r.taskId ?? "(not disclosed)"}${r.taskId ? " (disclosed by the prover; the proof keeps the task private)" : ""}`,
    );
  });
  for (const reason of verdict.reasons) lines.push(`reason: ${reason}`);
  return lines.join("\n");
}
