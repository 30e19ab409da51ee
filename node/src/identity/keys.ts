/**
 * An agent's keys. Two keys per DID, both listed by the registry:
 * - an ed25519 *message key* (RFC 8032, through node:crypto, native): signs the high-volume
 *   protocol messages (calls for proposals, bids). Verification runs at thousands per second per core;
 *   secp256k1 in JavaScript manages a few hundred, which cannot admit bids at the required rate.
 * - a secp256k1 *account key* (its address is the DID's on-chain identity): signs EIP-712 structs
 *   that contracts check with `ECDSA.recover` — awards, and any message marked `eip712`.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as edSign,
  verify as edVerify,
} from "node:crypto";
import type { KeyObject } from "node:crypto";
import { formatDid } from "./did.ts";
import { addressOf, isValidSecpSecret, secpPublicKey, signDigest } from "./eip712.ts";
import { concatBytes, fromHex, utf8 } from "./bytes.ts";

const PKCS8_ED25519 = fromHex("302e020100300506032b657004220420");
const SPKI_ED25519 = fromHex("302a300506032b6570032100");

/** The public half of an agent's identity, as the registry lists it. */
export interface AgentPublicKeys {
  did: string;
  /** 32-byte ed25519 message key, `0x` hex. */
  messageKey: string;
  /** EIP-55 address of the secp256k1 account key. */
  address: string;
}

export class AgentKeys {
  readonly did: string;
  readonly address: string;
  readonly messageKey: Uint8Array;
  readonly #edPrivate: KeyObject;
  readonly #secpSecret: Uint8Array;

  private constructor(did: string, edSeed: Uint8Array, secpSecret: Uint8Array) {
    this.#edPrivate = createPrivateKey({
      key: Buffer.from(concatBytes(PKCS8_ED25519, edSeed)),
      format: "der",
      type: "pkcs8",
    });
    const spki = createPublicKey(this.#edPrivate).export({ format: "der", type: "spki" });
    this.messageKey = new Uint8Array(spki.subarray(spki.length - 32));
    this.#secpSecret = secpSecret;
    this.address = addressOf(secpPublicKey(secpSecret));
    this.did = did;
  }

  /**
   * Derives both keys from a 32-byte seed. The DID id defaults to the account address, so the DID
   * is `did:ainur:<chainId>:<address>`; pass `id` when the registry numbers agents itself.
   */
  static fromSeed(seed: Uint8Array, chainId: number, id?: string): AgentKeys {
    if (seed.byteLength !== 32)
      throw new RangeError(`An agent seed must be 32 bytes, got ${seed.byteLength}.`);
    const edSeed = createHash("sha256").update(utf8("ainur/ed25519/v1")).update(seed).digest();
    let secp: Uint8Array = createHash("sha256").update(utf8("ainur/secp256k1/v1")).update(seed).digest();
    for (let i = 0; !isValidSecpSecret(secp); i++)
      secp = createHash("sha256")
        .update(secp)
        .update(utf8(String(i)))
        .digest();
    const address = addressOf(secpPublicKey(secp));
    return new AgentKeys(formatDid(chainId, id ?? address), new Uint8Array(edSeed), secp);
  }

  /**
   * Uses an existing Ethereum account key (32 bytes) as the account key, with an ed25519 message key
   * from `messageSeed` (32 bytes). The DID id defaults to the account address.
   */
  static fromAccountKey(
    accountKey: Uint8Array,
    messageSeed: Uint8Array,
    chainId: number,
    id?: string,
  ): AgentKeys {
    if (!isValidSecpSecret(accountKey))
      throw new RangeError("The account key is not a valid secp256k1 secret key.");
    if (messageSeed.byteLength !== 32)
      throw new RangeError(`A message-key seed must be 32 bytes, got ${messageSeed.byteLength}.`);
    const address = addressOf(secpPublicKey(accountKey));
    return new AgentKeys(
      formatDid(chainId, id ?? address),
      new Uint8Array(messageSeed),
      new Uint8Array(accountKey),
    );
  }

  get publicKeys(): AgentPublicKeys {
    return {
      did: this.did,
      messageKey: "0x" + Buffer.from(this.messageKey).toString("hex"),
      address: this.address,
    };
  }

  /** ed25519 signature (64 bytes) over `data`. */
  signMessage(data: Uint8Array): Uint8Array {
    return new Uint8Array(edSign(null, data, this.#edPrivate));
  }

  /** EIP-712: signs a digest made by `typedDataDigest`; returns `0x` r ‖ s ‖ v. */
  signTypedDigest(digest: Uint8Array): string {
    return signDigest(this.#secpSecret, digest);
  }
}

const keyCache = new Map<string, KeyObject>();

/** Verifies an ed25519 signature against a raw 32-byte public key (imported keys are cached). */
export function verifyMessage(messageKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (messageKey.byteLength !== 32 || signature.byteLength !== 64) return false;
  const id = Buffer.from(messageKey).toString("hex");
  let key = keyCache.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({
        key: Buffer.from(concatBytes(SPKI_ED25519, messageKey)),
        format: "der",
        type: "spki",
      });
    } catch {
      return false;
    }
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(id, key);
  }
  return edVerify(null, data, key, signature);
}
