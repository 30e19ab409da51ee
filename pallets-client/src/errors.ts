/**
 * Typed errors of the Substrate client. Each carries the values involved and says what to do.
 */

/** Base class: every error this package throws on purpose is a `SubstrateClientError`. */
export class SubstrateClientError extends Error {
  override name = "SubstrateClientError";
}

/** The runtime rejected the call while dispatching it (the fee was paid, the state did not change). */
export class DispatchError extends SubstrateClientError {
  override name = "DispatchError";
  /** e.g. `assets`, or `system` for a non-module error. */
  readonly pallet: string;
  /** e.g. `BalanceLow`, or the variant of a non-module error (`BadOrigin`, `Token.FundsUnavailable`). */
  readonly error: string;
  /** The pallet's own documentation of the error. */
  readonly docs: string;
  readonly call: string;
  readonly blockHash: string | undefined;
  constructor(init: { pallet: string; error: string; docs: string; call: string; blockHash?: string }) {
    super(
      `${init.call} failed on-chain with ${init.pallet}.${init.error}${init.docs ? `: ${init.docs}` : ""}` +
        (init.blockHash ? ` (block ${init.blockHash})` : ""),
    );
    this.pallet = init.pallet;
    this.error = init.error;
    this.docs = init.docs;
    this.call = init.call;
    this.blockHash = init.blockHash;
  }
}

/** The signer cannot pay: for the fee (the pool refused the transaction) or for the call itself. */
export class InsufficientFundsError extends SubstrateClientError {
  override name = "InsufficientFundsError";
  readonly account: string;
  readonly call: string;
  readonly detail: string;
  constructor(account: string, call: string, detail: string, options?: ErrorOptions) {
    super(`${account} cannot pay for ${call} (${detail}); fund the account or lower the amount.`, options);
    this.account = account;
    this.call = call;
    this.detail = detail;
  }
}

/** The account is not allowed to do this (a wrong signer), checked by the client or by the runtime. */
export class UnauthorizedSignerError extends SubstrateClientError {
  override name = "UnauthorizedSignerError";
  readonly signer: string;
  readonly action: string;
  readonly expected: readonly string[];
  constructor(signer: string, action: string, expected: readonly string[], options?: ErrorOptions) {
    super(
      `${signer} may not ${action}` +
        (expected.length ? `; only ${expected.join(" or ")} may` : "") +
        ". Sign with the right account.",
      options,
    );
    this.signer = signer;
    this.action = action;
    this.expected = expected;
  }
}

/** The transaction pool refused the transaction and retrying did not help. */
export class TransactionRejectedError extends SubstrateClientError {
  override name = "TransactionRejectedError";
  readonly call: string;
  readonly reason: string;
  readonly attempts: number;
  constructor(call: string, reason: string, attempts: number, options?: ErrorOptions) {
    super(`${call} was rejected by the transaction pool after ${attempts} attempt(s): ${reason}`, options);
    this.call = call;
    this.reason = reason;
    this.attempts = attempts;
  }
}

/** No answer in time: the node is unreachable or the transaction was not included. */
export class SubmissionTimeoutError extends SubstrateClientError {
  override name = "SubmissionTimeoutError";
  readonly call: string;
  readonly timeoutMs: number;
  constructor(call: string, timeoutMs: number) {
    super(`${call} was not included within ${timeoutMs} ms; check the node at the endpoint and retry.`);
    this.call = call;
    this.timeoutMs = timeoutMs;
  }
}

/** The websocket is down and did not come back within the timeout. */
export class ConnectionLostError extends SubstrateClientError {
  override name = "ConnectionLostError";
  readonly endpoint: string;
  readonly timeoutMs: number;
  constructor(endpoint: string, timeoutMs: number, options?: ErrorOptions) {
    super(
      `lost the connection to ${endpoint} and could not reconnect within ${timeoutMs} ms; is the node running?`,
      options,
    );
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
  }
}

/** A rule the runtime cannot enforce, checked by the client instead (deadlines, unbond delays, roles). */
export class ClientRuleError extends SubstrateClientError {
  override name = "ClientRuleError";
  readonly rule: string;
  readonly values: Record<string, unknown>;
  constructor(rule: string, message: string, values: Record<string, unknown> = {}) {
    super(message);
    this.rule = rule;
    this.values = values;
  }
}

/** Something asked for (an agent, an escrow, a policy) does not exist on the chain. */
export class NotFoundError extends SubstrateClientError {
  override name = "NotFoundError";
  readonly kind: string;
  readonly id: string;
  constructor(kind: string, id: string) {
    super(`no ${kind} ${id} on this chain; check the id and the chain you are connected to.`);
    this.kind = kind;
    this.id = id;
  }
}
