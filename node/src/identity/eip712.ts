/**
 * EIP-712 typed-data hashing and secp256k1 signing (noble), for the structs Ainur signs: the
 * award the escrow contract takes, and optionally any protocol message. Signatures are
 * `r ‖ s ‖ v` (65 bytes, low-s, v ∈ {27, 28}): what OpenZeppelin's `ECDSA.recover` accepts.
 * Only static field types are supported (bytes32, address, uint*, bool) plus string/bytes
 * (hashed), which covers every Ainur struct.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { concatBytes, fromHex, toHex, utf8 } from "./bytes.ts";

export type Eip712FieldType =
  "bytes32" | "address" | "uint256" | "uint64" | "uint32" | "bool" | "string" | "bytes";

export interface Eip712Struct {
  name: string;
  fields: ReadonlyArray<{ name: string; type: Eip712FieldType }>;
}

export interface Eip712Domain {
  name: string;
  version: string;
  chainId: number | bigint;
  /** The contract that verifies (e.g. the escrow); omitted from the domain type when absent. */
  verifyingContract?: string;
}

export type Eip712Value = string | number | bigint | boolean | Uint8Array;

export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

export function typeString(struct: Eip712Struct): string {
  return `${struct.name}(${struct.fields.map((f) => `${f.type} ${f.name}`).join(",")})`;
}

function word(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new RangeError(`${value} does not fit in a uint256`);
  return fromHex(value.toString(16).padStart(64, "0"), 32);
}

function encodeField(type: Eip712FieldType, value: Eip712Value, name: string): Uint8Array {
  switch (type) {
    case "bytes32": {
      const bytes = typeof value === "string" ? fromHex(value, 32) : (value as Uint8Array);
      if (!(bytes instanceof Uint8Array) || bytes.byteLength !== 32)
        throw new RangeError(`${name} must be 32 bytes`);
      return bytes;
    }
    case "address": {
      if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value))
        throw new RangeError(`${name} must be a 20-byte hex address, got ${String(value)}`);
      return concatBytes(new Uint8Array(12), fromHex(value, 20));
    }
    case "uint256":
    case "uint64":
    case "uint32": {
      const v = BigInt(value as string | number | bigint);
      const bits = BigInt(Number(type.slice(4)));
      if (v >= 1n << bits) throw new RangeError(`${name} = ${v} does not fit in ${type}`);
      return word(v);
    }
    case "bool":
      return word(value === true ? 1n : 0n);
    case "string":
      return keccak256(utf8(String(value)));
    case "bytes":
      return keccak256(typeof value === "string" ? fromHex(value) : (value as Uint8Array));
  }
}

export function hashStruct(struct: Eip712Struct, values: Readonly<Record<string, Eip712Value>>): Uint8Array {
  const parts = [keccak256(utf8(typeString(struct)))];
  for (const f of struct.fields) {
    const v = values[f.name];
    if (v === undefined) throw new RangeError(`${struct.name}.${f.name} is missing`);
    parts.push(encodeField(f.type, v, `${struct.name}.${f.name}`));
  }
  return keccak256(concatBytes(...parts));
}

export function domainSeparator(domain: Eip712Domain): Uint8Array {
  const fields: Array<{ name: string; type: Eip712FieldType }> = [
    { name: "name", type: "string" },
    { name: "version", type: "string" },
    { name: "chainId", type: "uint256" },
  ];
  const values: Record<string, Eip712Value> = {
    name: domain.name,
    version: domain.version,
    chainId: BigInt(domain.chainId),
  };
  if (domain.verifyingContract !== undefined) {
    fields.push({ name: "verifyingContract", type: "address" });
    values.verifyingContract = domain.verifyingContract;
  }
  return hashStruct({ name: "EIP712Domain", fields }, values);
}

/** The digest that is signed: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)). */
export function typedDataDigest(
  domain: Eip712Domain,
  struct: Eip712Struct,
  values: Readonly<Record<string, Eip712Value>>,
): Uint8Array {
  return keccak256(
    concatBytes(new Uint8Array([0x19, 0x01]), domainSeparator(domain), hashStruct(struct, values)),
  );
}

/** Signs a 32-byte digest; returns `0x` r ‖ s ‖ v (v = 27 or 28). */
export function signDigest(secretKey: Uint8Array, digest: Uint8Array): string {
  const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: "recovered" });
  return toHex(concatBytes(rec.subarray(1, 65), new Uint8Array([27 + rec[0]!])));
}

/** Recovers the signer's address from `r ‖ s ‖ v`; undefined when the signature is malformed or high-s. */
export function recoverAddress(digest: Uint8Array, signature: string): string | undefined {
  let bytes: Uint8Array;
  try {
    bytes = fromHex(signature, 65);
  } catch {
    return undefined;
  }
  const v = bytes[64]!;
  if (v !== 27 && v !== 28) return undefined;
  const s = BigInt(toHex(bytes.subarray(32, 64)));
  if (s > secp256k1.Point.CURVE().n / 2n) return undefined; // as ECDSA.recover: no malleable signatures
  try {
    const rec = concatBytes(new Uint8Array([v - 27]), bytes.subarray(0, 64));
    const pub = secp256k1.recoverPublicKey(rec, digest, { prehash: false });
    return addressOf(secp256k1.Point.fromBytes(pub).toBytes(false));
  } catch {
    return undefined;
  }
}

/** The EIP-55 checksummed address of an uncompressed (65-byte) or compressed public key. */
export function addressOf(publicKey: Uint8Array): string {
  const uncompressed =
    publicKey.byteLength === 65 ? publicKey : secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return checksumAddress(toHex(keccak256(uncompressed.subarray(1)).subarray(12)));
}

export function checksumAddress(address: string): string {
  const lower = address.toLowerCase().replace(/^0x/, "");
  const hash = Buffer.from(keccak256(utf8(lower))).toString("hex");
  let out = "0x";
  for (let i = 0; i < 40; i++) out += parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out;
}

export function secpPublicKey(secretKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(secretKey, false);
}

export function isValidSecpSecret(secretKey: Uint8Array): boolean {
  return secp256k1.utils.isValidSecretKey(secretKey);
}
