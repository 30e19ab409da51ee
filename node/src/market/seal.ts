/**
 * Sealing bids to the auctioneer: ephemeral X25519 → HKDF-SHA256 → AES-256-GCM (node:crypto).
 * The additional data binds the ciphertext to the CFP and the bidder's DID.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
} from "node:crypto";
import type { KeyObject } from "node:crypto";

const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

export class SealError extends Error {
  override name = "SealError";
  constructor(detail: string) {
    super(
      `Cannot open the sealed bid: ${detail}. The bid was not sealed to this auctioneer's key for this CFP and bidder.`,
    );
  }
}

function rawPublic(key: KeyObject): string {
  const der = key.export({ format: "der", type: "spki" });
  return "0x" + der.subarray(der.length - 32).toString("hex");
}

function importPublic(hex: string): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_X25519, Buffer.from(hex.slice(2), "hex")]),
    format: "der",
    type: "spki",
  });
}

function deriveKey(shared: Buffer, epk: string, recipient: string): Buffer {
  return Buffer.from(
    hkdfSync("sha256", shared, Buffer.from(epk.slice(2) + recipient.slice(2), "hex"), "ainur/seal/v1", 32),
  );
}

export interface Sealed {
  epk: string;
  iv: string;
  ct: string;
}

/** The auctioneer's sealing key pair. */
export class SealKey {
  readonly publicKey: string;
  readonly #private: KeyObject;

  constructor(seed?: Uint8Array) {
    this.#private =
      seed === undefined
        ? generateKeyPairSync("x25519").privateKey
        : createPrivateKey({
            key: Buffer.concat([PKCS8_X25519, Buffer.from(seed)]),
            format: "der",
            type: "pkcs8",
          });
    this.publicKey = rawPublic(createPublicKey(this.#private));
  }

  open(sealed: Sealed, aad: string): Uint8Array {
    try {
      const shared = diffieHellman({ privateKey: this.#private, publicKey: importPublic(sealed.epk) });
      const key = deriveKey(shared, sealed.epk, this.publicKey);
      const data = Buffer.from(sealed.ct, "base64");
      if (data.length < 17) throw new Error("ciphertext too short");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv.slice(2), "hex"));
      decipher.setAAD(Buffer.from(aad));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return new Uint8Array(
        Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]),
      );
    } catch (error) {
      throw new SealError((error as Error).message);
    }
  }
}

/** Seals `plaintext` to the auctioneer's X25519 public key (`0x` hex). */
export function seal(recipient: string, plaintext: Uint8Array, aad: string): Sealed {
  const eph = generateKeyPairSync("x25519");
  const epk = rawPublic(eph.publicKey);
  const key = deriveKey(
    diffieHellman({ privateKey: eph.privateKey, publicKey: importPublic(recipient) }),
    epk,
    recipient,
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { epk, iv: "0x" + iv.toString("hex"), ct: ct.toString("base64") };
}

export function sealAad(cfpId: string, bidder: string): string {
  return `ainur/bid/v1|${cfpId}|${bidder}`;
}
