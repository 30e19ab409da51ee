/**
 * A connection to a Substrate node with robust submission: explicit nonces per signer, retries on
 * stale or temporarily banned transactions and on dropped connections, waiting for inclusion, and
 * dispatch errors (including those inside proxy and multisig calls) decoded into typed errors.
 */
import { ApiPromise, WsProvider } from "@polkadot/api";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { EventRecord, DispatchError as RawDispatchError } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types/types";
import {
  ConnectionLostError,
  DispatchError,
  InsufficientFundsError,
  SubmissionTimeoutError,
  SubstrateClientError,
  TransactionRejectedError,
} from "./errors.ts";

export type Extrinsic = SubmittableExtrinsic<"promise">;

export interface SubstrateClientInit {
  /** `ws://…` of the node. */
  endpoint: string;
  /** Delay between reconnection attempts (default 250 ms). */
  reconnectMs?: number;
  /** How long one submission may take, retries included (default 60 s). */
  timeoutMs?: number;
  /** Attempts per submission for retryable pool errors and dropped connections (default 4). */
  attempts?: number;
}

/** One event of an included extrinsic. */
export interface ReceiptEvent {
  section: string;
  method: string;
  data: Codec[];
}

/** Proof that an extrinsic was included and succeeded. */
export interface InclusionReceipt {
  txHash: string;
  blockHash: string;
  blockNumber: number;
  extrinsicIndex: number;
  events: ReceiptEvent[];
}

const RETRYABLE_POOL = [
  /1010.*(stale|outdated)/i,
  /1012/, // temporarily banned
  /1014/, // priority too low (replacement of a same-nonce transaction)
  /Transaction is temporarily banned/i,
  /Priority is too low/i,
  /Transaction is outdated/i,
];
const NO_FUNDS_POOL = /(Inability to pay some fees|account balance too low|1010.*Payment)/i;
const NO_FUNDS_DISPATCH = new Set([
  "balances.InsufficientBalance",
  "balances.KeepAlive",
  "balances.ExistentialDeposit",
  "assets.BalanceLow",
  "assets.NoAccount",
  "Token.FundsUnavailable",
  "Token.NoFunds",
  "Token.BelowMinimum",
]);

class DroppedConnection extends Error {
  override name = "DroppedConnection";
}

/** The pool dropped the watched transaction (Invalid, Dropped, Usurped): usually a nonce race; resign and retry. */
class PoolStatus extends Error {
  override name = "PoolStatus";
}

export class SubstrateClient {
  readonly api: ApiPromise;
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly #provider: WsProvider;
  readonly #nonces = new Map<string, number>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #closed = false;

  private constructor(api: ApiPromise, provider: WsProvider, init: SubstrateClientInit) {
    this.api = api;
    this.#provider = provider;
    this.endpoint = init.endpoint;
    this.timeoutMs = init.timeoutMs ?? 60_000;
    this.attempts = init.attempts ?? 4;
  }

  /** Connect and wait until the metadata is loaded; fails with ConnectionLostError after `timeoutMs`. */
  static async connect(init: SubstrateClientInit): Promise<SubstrateClient> {
    await probe(init.endpoint, init.timeoutMs ?? 60_000);
    const provider = new WsProvider(init.endpoint, init.reconnectMs ?? 250);
    const api = new ApiPromise({ provider, noInitWarn: true });
    const timeoutMs = init.timeoutMs ?? 60_000;
    try {
      await withTimeout(
        api.isReadyOrError,
        timeoutMs,
        () => new ConnectionLostError(init.endpoint, timeoutMs),
      );
    } catch (err) {
      await api.disconnect().catch(() => undefined);
      await provider.disconnect().catch(() => undefined);
      if (err instanceof SubstrateClientError) throw err;
      throw new ConnectionLostError(init.endpoint, timeoutMs, { cause: err });
    }
    return new SubstrateClient(api, provider, init);
  }

  get isConnected(): boolean {
    return this.#provider.isConnected;
  }

  /** Resolves once connected (the provider reconnects by itself); ConnectionLostError after `timeoutMs`. */
  async connected(timeoutMs = this.timeoutMs): Promise<void> {
    if (this.#provider.isConnected) return;
    await withTimeout(
      new Promise<void>((resolve) => {
        const off = this.#provider.on("connected", () => {
          off();
          resolve();
        });
        if (this.#provider.isConnected) {
          off();
          resolve();
        }
      }),
      timeoutMs,
      () => new ConnectionLostError(this.endpoint, timeoutMs),
    );
    await this.api.isReady;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.api.disconnect();
  }

  /** Sign `tx` with `signer`, submit it, wait for inclusion, and return its receipt or throw a typed error. */
  submit(signer: KeyringPair, tx: Extrinsic): Promise<InclusionReceipt> {
    // One submission at a time per signer, so explicit nonces never race.
    const previous = this.#queues.get(signer.address) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#submitWithRetries(signer, tx));
    this.#queues.set(signer.address, next);
    return next;
  }

  async #submitWithRetries(signer: KeyringPair, tx: Extrinsic): Promise<InclusionReceipt> {
    const call = `${tx.method.section}.${tx.method.method}`;
    const deadline = Date.now() + this.timeoutMs;
    let lastReason = "";
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new SubmissionTimeoutError(call, this.timeoutMs);
      let nonce: number;
      let startBlock: number;
      try {
        await this.connected(remaining);
        nonce = await this.#nextNonce(signer.address);
        startBlock = (await this.api.rpc.chain.getHeader()).number.toNumber();
      } catch (err) {
        // Nothing was sent yet: wait for the provider to reconnect and start over.
        if (!isDisconnect(err)) throw err;
        lastReason = "the connection dropped";
        continue;
      }
      let txHash = "";
      try {
        const signed = await tx.signAsync(signer, { nonce });
        txHash = signed.hash.toHex();
        const receipt = await this.#sendAndWait(signed, call, deadline);
        this.#nonces.set(signer.address, nonce + 1);
        return receipt;
      } catch (err) {
        if (err instanceof SubstrateClientError && !(err instanceof TransactionRejectedError)) {
          // Included but failed: the nonce was used.
          if (err instanceof DispatchError || err instanceof InsufficientFundsError) {
            this.#nonces.set(signer.address, nonce + 1);
          }
          throw err;
        }
        this.#nonces.delete(signer.address);
        const message = (err as Error).message ?? String(err);
        if (NO_FUNDS_POOL.test(message)) {
          throw new InsufficientFundsError(signer.address, call, "the fee", { cause: err });
        }
        if (err instanceof DroppedConnection || isDisconnect(err)) {
          lastReason = "the connection dropped";
          // It may have been included before the drop: look for it before sending again.
          const remainingMs = Math.max(1, deadline - Date.now());
          await this.connected(remainingMs);
          const found = await this.#findIncluded(txHash, startBlock, call);
          if (found) {
            this.#nonces.set(signer.address, nonce + 1);
            return found;
          }
          continue;
        }
        if (err instanceof PoolStatus || RETRYABLE_POOL.some((re) => re.test(message))) {
          lastReason = message;
          await sleep(100 * attempt);
          continue;
        }
        if (process.env.AINUR_DEBUG_SUBMIT) {
          console.error(`submit ${call}: not retried: ${message}`);
        }
        if (err instanceof TransactionRejectedError) throw err;
        throw new TransactionRejectedError(call, message, attempt, { cause: err });
      }
    }
    throw new TransactionRejectedError(call, lastReason, this.attempts);
  }

  async #nextNonce(address: string): Promise<number> {
    const onChain = (await this.api.rpc.system.accountNextIndex(address)).toNumber();
    const local = this.#nonces.get(address);
    return local === undefined ? onChain : Math.max(local, onChain);
  }

  #sendAndWait(signed: Extrinsic, call: string, deadline: number): Promise<InclusionReceipt> {
    return new Promise<InclusionReceipt>((resolve, reject) => {
      let unsubscribe: (() => void) | undefined;
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        offDrop();
        unsubscribe?.();
        fn();
      };
      const timer = setTimeout(
        () => finish(() => reject(new SubmissionTimeoutError(call, this.timeoutMs))),
        Math.max(1, deadline - Date.now()),
      );
      const offDrop = this.#provider.on("disconnected", () =>
        finish(() => reject(new DroppedConnection(`connection to ${this.endpoint} dropped`))),
      );
      signed
        .send(async (result) => {
          if (settled) return;
          const status = result.status;
          if (status.isInvalid || status.isDropped || status.isUsurped) {
            finish(() => reject(new PoolStatus(`the pool reported ${status.type}`)));
            return;
          }
          // chopsticks in Instant mode sometimes reports Finalized without InBlock first.
          if (!status.isInBlock && !status.isFinalized) return;
          const blockHash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
          try {
            const header = await this.api.rpc.chain.getHeader(blockHash);
            const receipt = this.#receipt(
              signed.hash.toHex(),
              blockHash,
              header.number.toNumber(),
              result.txIndex ?? -1,
              result.events,
              call,
              signed.signer.toString(),
            );
            finish(() => resolve(receipt));
          } catch (err) {
            finish(() => reject(err));
          }
        })
        .then((unsub) => {
          unsubscribe = unsub;
          if (settled) unsub();
        })
        .catch((err: unknown) => finish(() => reject(err)));
    });
  }

  /** After a drop: was `txHash` included since `fromBlock`? */
  async #findIncluded(
    txHash: string,
    fromBlock: number,
    call: string,
  ): Promise<InclusionReceipt | undefined> {
    if (!txHash) return undefined;
    const head = (await this.api.rpc.chain.getHeader()).number.toNumber();
    for (let n = fromBlock + 1; n <= head; n++) {
      const blockHash = (await this.api.rpc.chain.getBlockHash(n)).toHex();
      const block = await this.api.rpc.chain.getBlock(blockHash);
      const index = block.block.extrinsics.findIndex((x) => x.hash.toHex() === txHash);
      if (index < 0) continue;
      const records = (await (
        await this.api.at(blockHash)
      ).query.system.events()) as unknown as EventRecord[];
      const events = records.filter(
        (r) => r.phase.isApplyExtrinsic && r.phase.asApplyExtrinsic.toNumber() === index,
      );
      const signer = block.block.extrinsics[index]!.signer.toString();
      return this.#receipt(txHash, blockHash, n, index, events, call, signer);
    }
    return undefined;
  }

  /** Build a receipt, or throw the decoded dispatch error (top level, or inside proxy/multisig/batch). */
  #receipt(
    txHash: string,
    blockHash: string,
    blockNumber: number,
    extrinsicIndex: number,
    records: EventRecord[],
    call: string,
    signer: string,
  ): InclusionReceipt {
    const events: ReceiptEvent[] = records.map(({ event }) => ({
      section: event.section,
      method: event.method,
      data: [...event.data],
    }));
    for (const { event } of records) {
      let raw: RawDispatchError | undefined;
      if (event.section === "system" && event.method === "ExtrinsicFailed") {
        raw = event.data[0] as RawDispatchError;
      } else if (
        (event.section === "proxy" && event.method === "ProxyExecuted") ||
        (event.section === "multisig" && event.method === "MultisigExecuted")
      ) {
        const result = event.data[event.data.length - 1] as unknown as {
          isErr: boolean;
          asErr: RawDispatchError;
        };
        if (result.isErr) raw = result.asErr;
      } else if (event.section === "utility" && event.method === "BatchInterrupted") {
        raw = event.data[1] as RawDispatchError;
      }
      if (raw) throw this.decodeDispatchError(raw, call, blockHash, signer);
    }
    return { txHash, blockHash, blockNumber, extrinsicIndex, events };
  }

  /** Turn a raw DispatchError into a typed error carrying the pallet's name, error and docs. */
  decodeDispatchError(
    raw: RawDispatchError,
    call: string,
    blockHash: string,
    signer: string,
  ): SubstrateClientError {
    let pallet = "system";
    let error: string = raw.type;
    let docs = "";
    if (raw.isModule) {
      const meta = this.api.registry.findMetaError(raw.asModule);
      pallet = meta.section;
      error = meta.name;
      docs = meta.docs.join(" ").trim();
    } else if (raw.isToken) {
      pallet = "Token";
      error = raw.asToken.type;
    } else if (raw.isArithmetic) {
      pallet = "Arithmetic";
      error = raw.asArithmetic.type;
    }
    const typed = new DispatchError({ pallet, error, docs, call, blockHash });
    if (NO_FUNDS_DISPATCH.has(`${pallet}.${error}`)) {
      return new InsufficientFundsError(signer, call, `${pallet}.${error}`, { cause: typed });
    }
    return typed;
  }

  /** Events of the given block. */
  async eventsAt(blockHash: string): Promise<EventRecord[]> {
    return (await (await this.api.at(blockHash)).query.system.events()) as unknown as EventRecord[];
  }
}

/**
 * Is a node answering at `endpoint`? Checked once, without auto-reconnect, before the real provider is
 * made: a provider that never connects keeps retrying (and leaks a timer) even after `disconnect()`.
 */
async function probe(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    let ws: WebSocket | undefined;
    try {
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          ws = new WebSocket(endpoint);
          const socket = ws;
          socket.onopen = () =>
            socket.send(JSON.stringify({ id: 1, jsonrpc: "2.0", method: "system_health", params: [] }));
          socket.onmessage = () => {
            socket.close();
            resolve();
          };
          socket.onerror = () => reject(new Error(`cannot open a websocket to ${endpoint}`));
          socket.onclose = () => reject(new Error(`${endpoint} closed the websocket`));
        }),
        Math.max(1, deadline - Date.now()),
        () => new Error("no answer"),
      );
      return;
    } catch (err) {
      lastError = err;
      ws?.close();
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
  }
  throw new ConnectionLostError(endpoint, timeoutMs, { cause: lastError });
}

/** A websocket failure reported by @polkadot/api (the provider reconnects by itself). */
export function isDisconnect(err: unknown): boolean {
  if (err instanceof DroppedConnection) return true;
  const message = (err as Error)?.message ?? "";
  return /disconnected from|WebSocket is not connected|No WebSocket|Abnormal Closure|socket hang up/i.test(
    message,
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Thrown when the connected runtime lacks a call this client needs (another chain, or an upgrade). */
export class MissingCallError extends SubstrateClientError {
  override name = "MissingCallError";
  readonly call: string;
  constructor(call: string) {
    super(
      `the runtime has no ${call}; this client targets Asset Hub-style runtimes (see pallets-client/README.md).`,
    );
    this.call = call;
  }
}

/**
 * The call `section.method` of the connected runtime, untyped: the runtime's call shapes (spec 900:
 * `balances.transfer`, `proxy.anonymous`, single-number weights) predate @polkadot/api's bundled types.
 */
export function callOf(api: ApiPromise, section: string, method: string): (...args: unknown[]) => Extrinsic {
  const fn = (
    api.tx as unknown as Record<
      string,
      Record<string, ((...args: unknown[]) => Extrinsic) | undefined> | undefined
    >
  )[section]?.[method];
  if (!fn) throw new MissingCallError(`${section}.${method}`);
  return fn;
}
