/**
 * Signed message envelopes. On the wire (JSON):
 *
 *   { "v": 1, "alg": "ed25519" | "eip712", "payload": "<JSON text>", "sig": "<hex>" }
 *
 * The signature covers the payload's exact bytes, so no canonical JSON is needed. The payload is
 * `{ type, from (DID), nonce, expiry (ms since epoch), body }`. `ed25519` signs the payload bytes with
 * the DID's message key; `eip712` signs `AinurMessage(bytes32 payloadHash)` (payloadHash =
 * keccak256(payload)) in the domain `{ name: "Ainur", version: "1", chainId: <DID's chain> }` with the
 * DID's account key, so a contract can check it too.
 *
 * `EnvelopeVerifier.open` checks, cheapest first: size, shape, schema, expiry, replay, signature;
 * then records the nonce. Every refusal is a `MessageRejectedError` with its reason.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { parseDid } from "./did.ts";
import { keccak256, recoverAddress, typedDataDigest } from "./eip712.ts";
import type { Eip712Struct } from "./eip712.ts";
import { MessageRejectedError } from "./errors.ts";
import { verifyMessage, type AgentKeys } from "./keys.ts";
import type { DidResolver } from "./resolver.ts";
import { fromHex, toHex, utf8 } from "./bytes.ts";

export type SignatureAlg = "ed25519" | "eip712";

export const MESSAGE_STRUCT: Eip712Struct = {
  name: "AinurMessage",
  fields: [{ name: "payloadHash", type: "bytes32" }],
};

const WireSchema = z
  .object({
    v: z.literal(1),
    alg: z.enum(["ed25519", "eip712"]),
    payload: z.string().min(2),
    sig: z.string().optional(),
  })
  .strict();

const HeaderSchema = z
  .object({
    type: z.string().min(1).max(64),
    from: z.string().min(1).max(128),
    nonce: z.string().regex(/^[0-9a-f]{16,64}$/),
    expiry: z.number().int().positive(),
    body: z.unknown(),
  })
  .strict();

export interface SignOptions {
  /** Lifetime from now. Default 60 s. */
  ttlMs?: number;
  /** Absolute expiry (ms since epoch); overrides ttlMs. */
  expiry?: number;
  /** Default: 16 random bytes, hex. */
  nonce?: string;
  alg?: SignatureAlg;
  now?: number;
}

/** Signs `body` as a message of `type` from `keys.did`; returns the wire bytes. */
export function signEnvelope(
  keys: AgentKeys,
  type: string,
  body: unknown,
  options: SignOptions = {},
): Uint8Array {
  const now = options.now ?? Date.now();
  const payload = JSON.stringify({
    type,
    from: keys.did,
    nonce: options.nonce ?? randomBytes(16).toString("hex"),
    expiry: options.expiry ?? now + (options.ttlMs ?? 60_000),
    body,
  });
  const alg = options.alg ?? "ed25519";
  const sig =
    alg === "ed25519"
      ? toHex(keys.signMessage(utf8(payload)))
      : keys.signTypedDigest(messageDigest(payload, parseDid(keys.did).chainId));
  return utf8(JSON.stringify({ v: 1, alg, payload, sig }));
}

export function messageDigest(payload: string, chainId: number): Uint8Array {
  return typedDataDigest({ name: "Ainur", version: "1", chainId }, MESSAGE_STRUCT, {
    payloadHash: keccak256(utf8(payload)),
  });
}

export interface OpenedMessage<T> {
  type: string;
  from: string;
  nonce: string;
  expiry: number;
  alg: SignatureAlg;
  body: T;
}

export interface EnvelopeVerifierInit {
  resolver: DidResolver;
  /** Largest envelope accepted. Default 16 KiB. */
  maxBytes?: number;
  /** Furthest expiry accepted, from now (bounds the replay cache). Default 10 min. */
  maxTtlMs?: number;
  /** Clock in ms since epoch. Default `Date.now`. */
  now?: () => number;
}

/** Opens envelopes and remembers nonces until they expire. */
export class EnvelopeVerifier {
  readonly #resolver: DidResolver;
  readonly #maxBytes: number;
  readonly #maxTtl: number;
  readonly #now: () => number;
  readonly #seen = new Map<string, number>();
  #nextPrune = 0;

  constructor(init: EnvelopeVerifierInit) {
    this.#resolver = init.resolver;
    this.#maxBytes = init.maxBytes ?? 16 * 1024;
    this.#maxTtl = init.maxTtlMs ?? 10 * 60_000;
    this.#now = init.now ?? Date.now;
  }

  open<T>(bytes: Uint8Array, type: string, bodySchema: z.ZodType<T>): OpenedMessage<T> {
    if (bytes.byteLength > this.#maxBytes) {
      throw new MessageRejectedError("oversized", `${bytes.byteLength} bytes > ${this.#maxBytes}`);
    }
    let wire: z.infer<typeof WireSchema>;
    let header: z.infer<typeof HeaderSchema>;
    try {
      wire = WireSchema.parse(
        JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")),
      );
      header = HeaderSchema.parse(JSON.parse(wire.payload));
    } catch (error) {
      throw new MessageRejectedError("malformed", (error as Error).message.slice(0, 200));
    }
    if (wire.sig === undefined || wire.sig === "" || wire.sig === "0x")
      throw new MessageRejectedError("unsigned", `no signature from ${header.from}`);
    if (header.type !== type)
      throw new MessageRejectedError("malformed", `expected a ${type}, got ${header.type}`, header.type);
    const parsed = bodySchema.safeParse(header.body);
    if (!parsed.success)
      throw new MessageRejectedError(
        "malformed",
        parsed.error.issues
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("; ")
          .slice(0, 300),
      );
    const now = this.#now();
    if (header.expiry <= now)
      throw new MessageRejectedError("expired", `expired at ${header.expiry}, now ${now}`);
    if (header.expiry > now + this.#maxTtl)
      throw new MessageRejectedError(
        "malformed",
        `expiry ${header.expiry} is more than ${this.#maxTtl} ms ahead`,
      );
    const replayKey = `${header.from}|${header.nonce}`;
    if (this.#seen.has(replayKey))
      throw new MessageRejectedError(
        "replayed",
        `nonce ${header.nonce} from ${header.from} was already used`,
      );
    const keys = this.#resolver.resolve(header.from);
    if (keys === undefined) throw new MessageRejectedError("forged", `unknown signer ${header.from}`);
    let valid = false;
    try {
      if (wire.alg === "ed25519") {
        valid = verifyMessage(fromHex(keys.messageKey, 32), utf8(wire.payload), fromHex(wire.sig, 64));
      } else {
        const signer = recoverAddress(messageDigest(wire.payload, parseDid(header.from).chainId), wire.sig);
        valid = signer !== undefined && signer.toLowerCase() === keys.address.toLowerCase();
      }
    } catch {
      valid = false;
    }
    if (!valid) throw new MessageRejectedError("forged", `bad ${wire.alg} signature for ${header.from}`);
    this.#remember(replayKey, header.expiry, now);
    return {
      type: header.type,
      from: header.from,
      nonce: header.nonce,
      expiry: header.expiry,
      alg: wire.alg,
      body: parsed.data,
    };
  }

  /** How many nonces are remembered (expired ones are pruned as time passes). */
  get remembered(): number {
    return this.#seen.size;
  }

  #remember(key: string, expiry: number, now: number): void {
    this.#seen.set(key, expiry);
    if (now >= this.#nextPrune) {
      this.#nextPrune = now + 1_000;
      for (const [k, e] of this.#seen) if (e <= now) this.#seen.delete(k);
    }
  }
}
