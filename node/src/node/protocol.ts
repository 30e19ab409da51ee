/**
 * The node's own messages: the execution order the requester sends the winner of an auction (and
 * the agent's reply), and the agent's info. The auction itself is `market/`'s: calls for proposals,
 * sealed bids and awards (`Auctioneer` on the requester, `Bidder` on each agent), in the same
 * envelopes under the same account identities (`alg: "eip712"`, `accountDidResolver`).
 * Each message travels in `identity/`'s signed envelope (`signEnvelope` / `EnvelopeVerifier.open`): the
 * envelope carries the message type, the sender's DID, a nonce and an expiry, and `open` checks
 * size, shape, the body's schema (zod), expiry, replay (nonce per sender) and the signature; every
 * refusal is identity's `MessageRejectedError` with its `reason`.
 *
 * Senders sign with their account key (`alg: "eip712"`) as the address DID
 * `did:ainur:<chainId>:<address>`, so the verifier needs no registry look-up (`accountDidResolver`);
 * `openMessage` then checks that the DID's address is the one the body names (the requester of an
 * order). The registry DID an agent works as rides in its sealed bid's `profile`.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import {
  AgentKeys,
  EnvelopeVerifier,
  MessageRejectedError,
  fromHex,
  isDid,
  parseDid,
  signEnvelope,
} from "../identity/index.ts";
import type { AgentPublicKeys, DidResolver } from "../identity/index.ts";

export const DEVNET_PROTOCOLS = {
  execute: "/ainur/node/execute/1.0.0",
  info: "/ainur/node/info/1.0.0",
} as const;

/** Envelope types. */
export const MESSAGE_TYPES = {
  execute: "ainur/node/execute/1",
} as const;

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const uint = z.string().regex(/^[0-9]+$/);

export const ExecuteOrder = z.object({
  v: z.literal(1),
  type: z.literal("execute"),
  taskId: z.string().min(1).max(200),
  taskKey: hex,
  capability: z.string().min(1).max(64),
  input: z.unknown(),
  inputs: z.array(z.string()).max(64),
  parentCommitment: uint,
  price: uint,
  requester: hex,
});
export type ExecuteOrder = z.infer<typeof ExecuteOrder>;

export const ExecuteReply = z.object({
  ok: z.boolean(),
  error: z.string().optional(),
  output: z.unknown().optional(),
  outputId: z.string().optional(),
  commitment: uint.optional(),
  completedAt: z.number().int().optional(),
  resultTx: z.string().optional(),
});
export type ExecuteReply = z.infer<typeof ExecuteReply>;

export { MessageRejectedError };

/** The node's message identity: its account key as the address DID `did:ainur:<chainId>:<address>`. */
export function nodeKeys(privateKey: string, chainId: number): AgentKeys {
  const secret = fromHex(privateKey, 32);
  // The ed25519 message key is unused here (messages are EIP-712-signed) but AgentKeys needs one.
  const messageSeed = createHash("sha256").update("ainur/node/message-key/v1").update(secret).digest();
  return AgentKeys.fromAccountKey(secret, new Uint8Array(messageSeed), chainId);
}

/**
 * Resolves address DIDs (`did:ainur:<chainId>:0x<address>`) to that address. It lists no message
 * key ("0x" never verifies), so only `eip712` envelopes from the address's own key open.
 */
export const accountDidResolver: DidResolver = {
  resolve(did: string): AgentPublicKeys | undefined {
    if (!isDid(did)) return undefined;
    const { id } = parseDid(did);
    return /^0x[0-9a-fA-F]{40}$/.test(id) ? { did, address: id, messageKey: "0x" } : undefined;
  },
};

/** A verifier for the node's messages: 1 MiB at most (orders carry inputs), expiries up to 10 min ahead. */
export function createMessageVerifier(options: { now?: () => number } = {}): EnvelopeVerifier {
  return new EnvelopeVerifier({
    resolver: accountDidResolver,
    maxBytes: 1 << 20,
    maxTtlMs: 10 * 60_000,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

/** Signs `body` as a message of `type`, valid until `expiryMs` (ms since epoch). */
export function signMessage(keys: AgentKeys, type: string, body: unknown, expiryMs: number): Uint8Array {
  return signEnvelope(keys, type, body, { alg: "eip712", expiry: expiryMs });
}

/**
 * Opens a message of `type` (identity's checks) and checks that it was signed by the account
 * `signerOf(body)` names; returns the body and the envelope's expiry (ms since epoch).
 */
export function openMessage<T>(
  verifier: EnvelopeVerifier,
  bytes: Uint8Array,
  type: string,
  schema: z.ZodType<T>,
  signerOf: (body: T) => string,
): { body: T; expiry: number } {
  const opened = verifier.open(bytes, type, schema);
  if (opened.alg !== "eip712")
    throw new MessageRejectedError("forged", `expected an eip712 signature from ${opened.from}`);
  const signer = parseDid(opened.from).id;
  if (signer.toLowerCase() !== signerOf(opened.body).toLowerCase())
    throw new MessageRejectedError("forged", `signed by ${signer}, not ${signerOf(opened.body)}`);
  return { body: opened.body, expiry: opened.expiry };
}
