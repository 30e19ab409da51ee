/**
 * BN254 scalar-field encoding of lineage values. The circuits work over this field; every value
 * that enters a Poseidon hash or a public signal must be a canonical element (0 ≤ x < FIELD).
 */
import { createHash } from "node:crypto";
import { LineageFormatError } from "./errors.ts";

/** The BN254 scalar field order (circom's p). */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Largest `time` the circuit accepts (it range-checks time to 64 bits). */
export const MAX_TIME = 2n ** 64n - 1n;

/** A value that is not a canonical field element (negative, or ≥ FIELD). */
export class FieldRangeError extends Error {
  override name = "FieldRangeError";
  readonly field: string;
  readonly value: bigint;
  constructor(field: string, value: bigint, max: bigint = FIELD - 1n) {
    super(`${field} = ${value} is outside [0, ${max}]: pass a canonical value (hashes: use hashToField)`);
    this.field = field;
    this.value = value;
  }
}

/** Checks that `value` is in [0, max] and returns it. */
export function assertField(field: string, value: bigint, max: bigint = FIELD - 1n): bigint {
  if (value < 0n || value > max) throw new FieldRangeError(field, value, max);
  return value;
}

/**
 * Maps bytes or a string (UTF-8) to a field element: sha256, keeping its top 248 bits
 * (so the result is always < FIELD and is never reduced modulo p).
 */
export function hashToField(data: Uint8Array | string): bigint {
  const digest = createHash("sha256").update(data).digest();
  return BigInt("0x" + digest.toString("hex")) >> 8n;
}

/** 0x-prefixed, 64-hex-digit form of a field element, as proof files store them. */
export function toHex32(value: bigint): string {
  return "0x" + value.toString(16).padStart(64, "0");
}

/** Parses a decimal or 0x-hex string (or a bigint) and checks it is a field element. */
export function parseField(field: string, value: string | bigint | number): bigint {
  let parsed: bigint;
  try {
    parsed = BigInt(value);
  } catch {
    throw new LineageFormatError(field, `${String(value)} is not a decimal or 0x-hex integer`);
  }
  return assertField(field, parsed);
}
