/**
 * Sealed envelopes for task inputs, bound to the task's zone policy (node:crypto only).
 *
 * The payload is encrypted once with a random 256-bit data key under AES-256-GCM; the additional
 * authenticated data is the canonical zone policy (`zones=ch,eu`), so an envelope whose zone list
 * was edited does not decrypt. The data key is then wrapped once per allowed zone, for that zone's
 * X25519 public key: an ephemeral X25519 agreement, HKDF-SHA256 with the ephemeral public key as
 * salt and `ainur/envelope/v1/kek|<zone>|<policy>` as info, and AES-256-GCM again. A node holds
 * only its own zone's private key, so outside the allowed zones the envelope cannot be opened even
 * by code that skips the policy check; `unseal` refuses first, with an error naming both zones.
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
import { canonicalZones, zonePolicyString } from "./zones.ts";
import type { Zone } from "./types.ts";

const ALG = "X25519-HKDF-SHA256+AES-256-GCM";
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");
const SPKI_X25519 = Buffer.from("302a300506032b656e032100", "hex");

/** A zone's key pair: the private half stays on nodes in that zone. */
export interface ZoneKey {
  zone: Zone;
  publicKey: Uint8Array;
  privateKey: KeyObject;
}

interface Sealed {
  iv: string;
  ct: string;
  tag: string;
}

export interface SealedEnvelope {
  v: 1;
  alg: typeof ALG;
  /** The allowed zones, canonical (sorted, unique). */
  zones: Zone[];
  /** Ephemeral X25519 public key, base64. */
  epk: string;
  payload: Sealed;
  /** The data key wrapped for each allowed zone. */
  keys: Record<Zone, Sealed>;
}

export class ZoneUnsealRefusedError extends Error {
  override name = "ZoneUnsealRefusedError";
  readonly zone: Zone;
  readonly allowedZones: Zone[];
  constructor(zone: Zone, allowedZones: readonly Zone[]) {
    super(
      `Refused to unseal in zone "${zone}": this envelope may only be opened in ${allowedZones.map((z) => `"${z}"`).join(", ")}. ` +
        `Route the task to an agent in an allowed zone.`,
    );
    this.zone = zone;
    this.allowedZones = [...allowedZones];
  }
}

export class EnvelopeTamperedError extends Error {
  override name = "EnvelopeTamperedError";
  readonly zone: Zone;
  constructor(zone: Zone, what: string) {
    super(
      `The envelope cannot be opened in zone "${zone}": ${what}. It was altered or sealed for other keys.`,
    );
    this.zone = zone;
  }
}

export class MissingZoneKeyError extends Error {
  override name = "MissingZoneKeyError";
  readonly zone: Zone;
  constructor(zone: Zone) {
    super(`No public key is known for zone "${zone}"; add it to the zone directory before sealing for it.`);
    this.zone = zone;
  }
}

/** A zone key from a 32-byte seed (deterministic: tests and fixtures) or a random one. */
export function zoneKey(zone: Zone, seed?: Uint8Array): ZoneKey {
  let privateKey: KeyObject;
  if (seed !== undefined) {
    if (seed.length !== 32) throw new RangeError(`A zone key seed is 32 bytes; got ${seed.length}.`);
    privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, seed]), format: "der", type: "pkcs8" });
  } else {
    privateKey = generateKeyPairSync("x25519").privateKey;
  }
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  return {
    zone: canonicalZones([zone])[0]!,
    publicKey: new Uint8Array(spki.subarray(SPKI_X25519.length)),
    privateKey,
  };
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, raw]), format: "der", type: "spki" });
}

function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString("base64"),
    ct: ct.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

function gcmOpen(key: Uint8Array, sealed: Sealed, aad: string): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(sealed.ct, "base64")), decipher.final()]);
}

function kek(shared: Buffer, epk: Buffer, zone: Zone, policy: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", shared, epk, `ainur/envelope/v1/kek|${zone}|${policy}`, 32));
}

/** Seals `plaintext` so that only nodes in `zones` can open it. */
export function seal(
  plaintext: Uint8Array,
  zones: readonly string[],
  zoneDirectory: Readonly<Record<Zone, Uint8Array>>,
): SealedEnvelope {
  const allowed = canonicalZones(zones);
  const policy = zonePolicyString(allowed);
  const dataKey = randomBytes(32);
  const payload = gcmSeal(dataKey, plaintext, `ainur/envelope/v1|${policy}`);
  const ephemeral = generateKeyPairSync("x25519");
  const epk = createPublicKey(ephemeral.privateKey)
    .export({ format: "der", type: "spki" })
    .subarray(SPKI_X25519.length);
  const keys: Record<Zone, Sealed> = {};
  for (const zone of allowed) {
    const pub = zoneDirectory[zone];
    if (pub === undefined) throw new MissingZoneKeyError(zone);
    const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyObject(pub) });
    keys[zone] = gcmSeal(kek(shared, epk, zone, policy), dataKey, `${policy}|${zone}`);
  }
  dataKey.fill(0);
  return { v: 1, alg: ALG, zones: allowed, epk: epk.toString("base64"), payload, keys };
}

/** Opens an envelope with this node's zone key; refuses outside the envelope's zones. */
export function unseal(envelope: SealedEnvelope, holder: ZoneKey): Uint8Array {
  if (envelope.v !== 1 || envelope.alg !== ALG) {
    throw new EnvelopeTamperedError(
      holder.zone,
      `unknown version or algorithm (${envelope.v}, ${envelope.alg})`,
    );
  }
  if (!envelope.zones.includes(holder.zone)) throw new ZoneUnsealRefusedError(holder.zone, envelope.zones);
  const policy = zonePolicyString(envelope.zones);
  const wrapped = envelope.keys[holder.zone];
  if (wrapped === undefined)
    throw new EnvelopeTamperedError(holder.zone, "no data key is wrapped for this zone");
  const epk = Buffer.from(envelope.epk, "base64");
  let dataKey: Buffer;
  try {
    const shared = diffieHellman({ privateKey: holder.privateKey, publicKey: publicKeyObject(epk) });
    dataKey = gcmOpen(kek(shared, epk, holder.zone, policy), wrapped, `${policy}|${holder.zone}`);
  } catch {
    throw new EnvelopeTamperedError(holder.zone, "the wrapped data key does not authenticate");
  }
  try {
    return new Uint8Array(gcmOpen(dataKey, envelope.payload, `ainur/envelope/v1|${policy}`));
  } catch {
    throw new EnvelopeTamperedError(holder.zone, "the payload does not authenticate under the zone policy");
  } finally {
    dataKey.fill(0);
  }
}
