/**
 * The messages an agent node and a requester exchange: a call for proposals (gossip, one topic per
 * capability), a bid (request to the requester), and an execution order (request to the winner).
 * Every message is versioned, schema-checked before use (zod), signed with the sender's account key
 * (EIP-191), and carries a nonce and an expiry; expired, malformed, forged or replayed ones are
 * refused with a named error.
 *
 * INTERIM: `market/` and `identity/` (issue 5) own the real call-for-proposals, sealed-bid and
 * signature formats. Until they land, the node speaks this small signed-JSON dialect.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const DEVNET_PROTOCOLS = {
  bid: "/ainur/node/bid/1.0.0",
  execute: "/ainur/node/execute/1.0.0",
  info: "/ainur/node/info/1.0.0",
} as const;

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const uint = z.string().regex(/^[0-9]+$/);

export const CallForProposals = z.object({
  v: z.literal(1),
  type: z.literal("cfp"),
  taskId: z.string().min(1).max(200),
  taskKey: hex,
  capability: z.string().min(1).max(64),
  budget: uint,
  zones: z.array(z.string()).min(1).max(16),
  bidDeadline: z.number().int(),
  requester: hex,
  requesterPeer: z.string().min(1).max(100),
  nonce: hex,
  expiry: z.number().int(),
});
export type CallForProposals = z.infer<typeof CallForProposals>;

export const Bid = z.object({
  v: z.literal(1),
  type: z.literal("bid"),
  taskKey: hex,
  agent: hex,
  did: z.string().min(1).max(200),
  agentPeer: z.string().min(1).max(100),
  price: uint,
  zones: z.array(z.string()).max(16),
  strategy: z.string().max(32),
  nonce: hex,
  expiry: z.number().int(),
});
export type Bid = z.infer<typeof Bid>;

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
  nonce: hex,
  expiry: z.number().int(),
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

/** A signed message on the wire. */
export interface Signed<T> {
  body: T;
  signature: string;
}

export class MessageRejectedError extends Error {
  override name = "MessageRejectedError";
  readonly kind: "malformed" | "expired" | "forged" | "replayed";
  constructor(kind: MessageRejectedError["kind"], detail: string) {
    super(`Message refused (${kind}): ${detail}`);
    this.kind = kind;
  }
}

export const nonce = (): string => "0x" + randomBytes(16).toString("hex");

export function encode<T>(signed: Signed<T>): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(signed));
}

/** The exact text that is signed: the body's canonical JSON. */
export const signingText = (body: unknown): string => `ainur:v1:${JSON.stringify(body)}`;

/**
 * Decodes, schema-checks, checks expiry and the signature (`recover` returns the signer's address,
 * which must equal `signerField` of the body), and the nonce against `seen`.
 */
export function decode<T>(
  bytes: Uint8Array,
  schema: z.ZodType<T>,
  signerOf: (body: T) => string,
  recover: (text: string, signature: string) => string,
  seen: Set<string>,
  now: number = Math.floor(Date.now() / 1000),
): T {
  let raw: { body?: unknown; signature?: unknown };
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes)) as typeof raw;
  } catch {
    throw new MessageRejectedError("malformed", "not JSON");
  }
  const parsed = schema.safeParse(raw.body);
  if (!parsed.success)
    throw new MessageRejectedError("malformed", parsed.error.issues[0]?.message ?? "schema");
  const body = parsed.data;
  const b = body as unknown as { expiry: number; nonce: string };
  if (b.expiry < now) throw new MessageRejectedError("expired", `expired at ${b.expiry}, now ${now}`);
  if (typeof raw.signature !== "string") throw new MessageRejectedError("forged", "no signature");
  let signer: string;
  try {
    signer = recover(signingText(raw.body), raw.signature);
  } catch {
    throw new MessageRejectedError("forged", "the signature does not parse");
  }
  if (signer.toLowerCase() !== signerOf(body).toLowerCase()) {
    throw new MessageRejectedError("forged", `signed by ${signer}, not ${signerOf(body)}`);
  }
  if (seen.has(b.nonce)) throw new MessageRejectedError("replayed", `nonce ${b.nonce} was seen before`);
  seen.add(b.nonce);
  return body;
}
