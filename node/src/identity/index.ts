/**
 * Identity: agent keys tied to DIDs (`did:ainur:<chainId>:<id>`), signed message envelopes with a
 * nonce and an expiry, schema checks (zod), replay protection, and EIP-712 signing for structs that
 * contracts verify.
 */
import { AgentKeys } from "./keys.ts";
import { EnvelopeVerifier } from "./envelope.ts";
import type { EnvelopeVerifierInit } from "./envelope.ts";
import type { DidResolver } from "./resolver.ts";

export { AgentKeys, verifyMessage } from "./keys.ts";
export type { AgentPublicKeys } from "./keys.ts";
export { formatDid, isDid, parseDid } from "./did.ts";
export type { Did } from "./did.ts";
export { StaticDidResolver } from "./resolver.ts";
export type { DidResolver } from "./resolver.ts";
export { EnvelopeVerifier, MESSAGE_STRUCT, messageDigest, signEnvelope } from "./envelope.ts";
export type { EnvelopeVerifierInit, OpenedMessage, SignatureAlg, SignOptions } from "./envelope.ts";
export {
  addressOf,
  checksumAddress,
  domainSeparator,
  hashStruct,
  keccak256,
  recoverAddress,
  typedDataDigest,
  typeString,
} from "./eip712.ts";
export type { Eip712Domain, Eip712FieldType, Eip712Struct, Eip712Value } from "./eip712.ts";
export { InvalidDidError, MessageRejectedError } from "./errors.ts";
export type { RejectReason } from "./errors.ts";
export { concatBytes, fromHex, toHex, utf8 } from "./bytes.ts";

export interface IdentityInit extends Omit<EnvelopeVerifierInit, "resolver"> {
  seed: Uint8Array;
  chainId: number;
  id?: string;
}

export interface IdentityComponents {
  resolver: DidResolver;
}

export interface Identity {
  keys: AgentKeys;
  verifier: EnvelopeVerifier;
}

/** One agent's keys plus a verifier for what others send it. */
export function createIdentity(init: IdentityInit, components: IdentityComponents): Identity {
  return {
    keys: AgentKeys.fromSeed(init.seed, init.chainId, init.id),
    verifier: new EnvelopeVerifier({ ...init, resolver: components.resolver }),
  };
}
