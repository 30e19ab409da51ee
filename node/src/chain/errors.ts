/**
 * Chain-neutral errors of the ChainAdapter. Backends translate their own errors (EVM custom errors,
 * Substrate dispatch errors and client rules) into these and keep the original as `cause`.
 */

export class ChainError extends Error {
  override name = "ChainError";
  readonly backend: string;
  constructor(backend: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.backend = backend;
  }
}

/** The signing account may not do this (a wrong signer or a missing role). */
export class ChainUnauthorizedError extends ChainError {
  override name = "ChainUnauthorizedError";
  readonly account: string;
  readonly action: string;
  constructor(backend: string, account: string, action: string, detail: string, options?: ErrorOptions) {
    super(
      backend,
      `${account} may not ${action} on ${backend}: ${detail}. Use the account that holds the role.`,
      options,
    );
    this.account = account;
    this.action = action;
  }
}

/** The account lacks the tokens (or allowance, or fee) the action needs. */
export class ChainInsufficientFundsError extends ChainError {
  override name = "ChainInsufficientFundsError";
  readonly account: string;
  readonly action: string;
  constructor(backend: string, account: string, action: string, detail: string, options?: ErrorOptions) {
    super(
      backend,
      `${account} cannot pay for ${action} on ${backend}: ${detail}. Fund the account or lower the amount.`,
      options,
    );
    this.account = account;
    this.action = action;
  }
}

/**
 * The chain (or, on Substrate, the client enforcing a rule the runtime cannot) refused the action.
 * `reason` is the contract's custom error (`TaskEscrowDeadlineNotReached`), the pallet error
 * (`uniques.Frozen`) or the client rule (`deadline-not-reached`); `args` carries its values.
 */
export class ChainCallFailedError extends ChainError {
  override name = "ChainCallFailedError";
  readonly action: string;
  readonly reason: string;
  readonly args: Record<string, unknown>;
  constructor(
    backend: string,
    action: string,
    reason: string,
    args: Record<string, unknown>,
    message: string,
    options?: ErrorOptions,
  ) {
    super(backend, `${action} failed on ${backend} (${reason}): ${message}`, options);
    this.action = action;
    this.reason = reason;
    this.args = args;
  }
}

/** The asked-for agent, task or policy does not exist. */
export class ChainNotFoundError extends ChainError {
  override name = "ChainNotFoundError";
  readonly kind: string;
  readonly id: string;
  constructor(backend: string, kind: string, id: string, options?: ErrorOptions) {
    super(backend, `no ${kind} ${id} on ${backend}; check the id and the chain.`, options);
    this.kind = kind;
    this.id = id;
  }
}

/** The node is unreachable and the client could not reconnect in time. */
export class ChainConnectionError extends ChainError {
  override name = "ChainConnectionError";
  readonly endpoint: string;
  constructor(backend: string, endpoint: string, message: string, options?: ErrorOptions) {
    super(backend, `${backend} node at ${endpoint}: ${message}`, options);
    this.endpoint = endpoint;
  }
}

/** The backend cannot do this at all (and says what to do instead). */
export class ChainUnsupportedError extends ChainError {
  override name = "ChainUnsupportedError";
  readonly action: string;
  constructor(backend: string, action: string, message: string) {
    super(backend, `${action} is not supported on ${backend}: ${message}`);
    this.action = action;
  }
}
