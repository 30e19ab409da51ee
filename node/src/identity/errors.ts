/** Why a message was refused. Each reason is counted separately by whoever admits messages. */
export type RejectReason =
  "malformed" | "unsigned" | "forged" | "replayed" | "expired" | "oversized" | "late";

export class InvalidDidError extends Error {
  override name = "InvalidDidError";
  readonly did: string;
  constructor(did: string) {
    super(`"${did}" is not an Ainur DID; the form is did:ainur:<chainId>:<id>, e.g. did:ainur:31337:0xabc…`);
    this.did = did;
  }
}

/** A message was refused; `reason` says which check failed. */
export class MessageRejectedError extends Error {
  override name = "MessageRejectedError";
  readonly reason: RejectReason;
  readonly detail: string;
  /** Set when the envelope is sound but of another message type (a shared topic may carry several). */
  readonly otherType: string | undefined;
  constructor(reason: RejectReason, detail: string, otherType?: string) {
    super(`Message rejected (${reason}): ${detail}`);
    this.reason = reason;
    this.detail = detail;
    this.otherType = otherType;
  }
}
