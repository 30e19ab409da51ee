/**
 * A local Substrate chain for tests, benchmarks and the devnet: chopsticks running the real
 * Rococo Asset Hub runtime from the raw genesis in `@substrate/connect-known-chains`, in this
 * process, bound to 127.0.0.1 on a free port, building a block for every transaction.
 *
 * chopsticks is imported lazily, so code that only talks to a chain never loads it.
 */
import { WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";

/** Options for {@link startDevChain}. */
export interface DevChainInit {
  /** Port to listen on; 0 (the default) lets the OS pick a free one. */
  port?: number;
  /** Dev accounts (`//Alice`-style URIs) given `endowment` planck each at start. Default: Alice, Bob, Charlie, Dave, Eve, Ferdie. */
  endow?: readonly string[];
  /** Free balance for each endowed account, in planck (12 decimals on Rococo Asset Hub). Default 10^18 (1,000,000 ROC). */
  endowment?: bigint;
  /** chopsticks log level (`error` unless LOG_LEVEL is set). */
  logLevel?: string;
}

/** A running dev chain. */
export interface DevChain {
  /** `ws://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Milliseconds from the call to the chain answering with head ≥ #1. */
  readonly startupMs: number;
  /** Set storage through chopsticks' `dev_setStorage` (pallet-keyed JSON, as chopsticks documents). */
  setStorage(storage: Record<string, unknown>): Promise<void>;
  /** Build a block now (`dev_newBlock`); returns its hash. */
  newBlock(): Promise<string>;
  /** Move chain time to `timestamp` (ms since the epoch) and build a block there (`dev_timeTravel`). */
  timeTravel(timestamp: number): Promise<void>;
  /** Give `free` planck to each address (replaces its account data). */
  endow(addresses: readonly string[], free: bigint): Promise<void>;
  /** Stop the runtime and close its socket; idempotent. */
  stop(): Promise<void>;
}

/** The dev chain failed to start; `cause` holds chopsticks' error. */
export class DevChainStartError extends Error {
  override name = "DevChainStartError";
  readonly port: number;
  constructor(message: string, port: number, options?: ErrorOptions) {
    super(message, options);
    this.port = port;
  }
}

export const DEFAULT_DEV_ACCOUNTS = ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"] as const;
export const DEFAULT_ENDOWMENT = 10n ** 18n;

// chopsticks' wasm executor is one worker per process: keep it until the last chain stops.
let running = 0;

/** Start chopsticks with Rococo Asset Hub on 127.0.0.1 and fund the dev accounts. */
export async function startDevChain(init: DevChainInit = {}): Promise<DevChain> {
  const started = performance.now();
  process.env.LOG_LEVEL ??= init.logLevel ?? "error";
  const [{ setupWithServer, destroyWorker }, { chainSpec }] = await Promise.all([
    import("@acala-network/chopsticks"),
    import("@substrate/connect-known-chains/rococo_v2_2_asset_hub"),
  ]);
  const genesis = JSON.parse(chainSpec) as Record<string, unknown>;
  type Config = Parameters<typeof setupWithServer>[0];
  const config = {
    genesis,
    host: "127.0.0.1",
    port: init.port ?? 0,
    "build-block-mode": "Instant",
  } as unknown as Config;

  let server: Awaited<ReturnType<typeof setupWithServer>>;
  running++;
  try {
    server = await setupWithServer(config);
  } catch (err) {
    running--;
    if (running === 0) await destroyWorker();
    throw new DevChainStartError(
      `chopsticks could not start Rococo Asset Hub on 127.0.0.1:${init.port ?? 0}: ${(err as Error).message}`,
      init.port ?? 0,
      { cause: err },
    );
  }
  const port = Number(server.addr.split(":").pop());
  const endpoint = `ws://127.0.0.1:${port}`;

  // One raw JSON-RPC connection for the dev_* methods; the client under test opens its own.
  const rpc = new WsProvider(endpoint, false);
  await rpc.connect();
  await rpc.isReady;

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await rpc.disconnect().catch(() => undefined);
    await server.close();
    running--;
    if (running === 0) await destroyWorker();
  };

  const setStorage = async (storage: Record<string, unknown>): Promise<void> => {
    await rpc.send("dev_setStorage", [storage]);
  };
  const newBlock = async (): Promise<string> => (await rpc.send("dev_newBlock", [])) as string;
  const timeTravel = async (timestamp: number): Promise<void> => {
    await rpc.send("dev_timeTravel", [timestamp]);
    await newBlock();
  };
  const endow = async (addresses: readonly string[], free: bigint): Promise<void> => {
    if (addresses.length === 0) return;
    await setStorage({
      System: {
        Account: addresses.map((a) => [[a], { providers: 1, data: { free: free.toString() } }]),
      },
    });
  };

  try {
    // The genesis head is #0; chopsticks builds #1 on start. Wait for it so a first transaction is not stale.
    let head = 0;
    for (let i = 0; i < 50 && head < 1; i++) {
      const header = (await rpc.send("chain_getHeader", [])) as { number: string };
      head = Number(header.number);
      if (head < 1) await newBlock();
    }
    await cryptoWaitReady();
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const accounts = (init.endow ?? DEFAULT_DEV_ACCOUNTS).map((uri) => keyring.addFromUri(uri).address);
    await endow(accounts, init.endowment ?? DEFAULT_ENDOWMENT);
  } catch (err) {
    await stop();
    throw new DevChainStartError(
      `chopsticks started on ${endpoint} but did not answer: ${(err as Error).message}`,
      port,
      {
        cause: err,
      },
    );
  }

  return {
    endpoint,
    port,
    startupMs: performance.now() - started,
    setStorage,
    newBlock,
    timeTravel,
    endow,
    stop,
  };
}
