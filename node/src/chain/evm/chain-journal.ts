/**
 * The chain journal: what lets a devnet with its own chain resume after a restart.
 *
 * Hardhat's node (EDR) keeps the chain in memory and cannot dump or load its state
 * (NomicFoundation/edr#409). But a Hardhat chain is deterministic: from the same genesis timestamp
 * (hardhat-node.config.ts), the same transactions mined in the same blocks at the same timestamps
 * and base fees give the same state. So while the devnet runs, the journal records every block the
 * chain mines: its number, hash, parent, timestamp, base fee, state root, receipts root and
 * transactions, each as its signed raw bytes (EDR has no `eth_getRawTransactionByHash`: the
 * transaction is re-serialised from its fields and signature, and must hash to its hash). On a
 * restart a fresh `hardhat node` with the journal's genesis timestamp replays the journal block by
 * block with automine off: `hardhat_setNextBlockBaseFeePerGas`, the raw transactions,
 * `evm_mine(timestamp)`. Each replayed block must come out with the recorded timestamp, base fee,
 * transactions, receipts root and state root (every account, balance, nonce, code and storage
 * slot); the first block that does not stops the replay with a `ChainJournalDivergedError` that
 * names it.
 *
 * Block hashes are recorded but not compared. `hardhat_mine` (the devnet's governance step mines
 * through the voting period with it) reserves its blocks, and EDR hashes a reserved block with a
 * zero parent hash and keeps the base fee flat across it; a replay mines real blocks (with the
 * recorded base fees), so from the first `hardhat_mine` of more than a few blocks on, hashes
 * differ while states agree. No devnet contract reads `blockhash`.
 *
 * Storage: one SQLite file (node:sqlite), WAL with `synchronous = FULL` like the event log, one
 * commit per batch of blocks. The follower polls `eth_blockNumber` (every 250 ms by default);
 * `sync()` catches up at once, and the devnet calls it before it records a step as done, so
 * `progress.json` never claims a step whose blocks the journal lacks. A SIGKILL can still lose the
 * blocks mined since the last poll; a restart then replays the chain without them.
 */
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Signature, Transaction, keccak256 } from "ethers";
import type { TransactionLike } from "ethers";

/** Bumped when the file's layout changes; a journal of another format is not replayed. */
export const CHAIN_JOURNAL_FORMAT = 1;

export interface JournalGenesis {
  chainId: number;
  /** Seconds; the node must be started with it (`AINUR_DEVNET_GENESIS_TIMESTAMP`). */
  timestamp: number;
  hash: string;
}

export interface JournalBlock {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  /** Hex wei. */
  baseFee: string;
  stateRoot: string;
  receiptsRoot: string;
  /** Signed raw transactions, in block order. */
  txs: string[];
}

/** What a replayed block must reproduce. */
export interface BlockSeal {
  timestamp: number;
  baseFee: string;
  stateRoot: string;
  receiptsRoot: string;
  /** Transaction hashes, in block order. */
  txs: string[];
}

export interface ReplayResult {
  blocks: number;
  transactions: number;
  ms: number;
  /** The replayed chain's last block (its hash is the new chain's). */
  head: { number: number; hash: string; stateRoot: string; timestamp: number };
}

/** The journal cannot be used: corrupt, another format, broken while recording, or unreadable. */
export class ChainJournalError extends Error {
  override name = "ChainJournalError";
  readonly path: string;
  constructor(file: string, detail: string, options?: ErrorOptions) {
    super(`The chain journal ${file} ${detail}`, options);
    this.path = file;
  }
}

/** A replayed block did not come out as recorded. */
export class ChainJournalDivergedError extends Error {
  override name = "ChainJournalDivergedError";
  readonly path: string;
  readonly block: number;
  readonly expected: Partial<BlockSeal> & { hash?: string };
  readonly actual: Partial<BlockSeal> & { hash?: string };
  constructor(
    file: string,
    block: number,
    expected: Partial<BlockSeal> & { hash?: string },
    actual: Partial<BlockSeal> & { hash?: string },
    hint = "",
  ) {
    const differs = (Object.keys(expected) as (keyof typeof expected)[])
      .filter((k) => JSON.stringify(expected[k]) !== JSON.stringify(actual[k]))
      .map((k) => `${k} ${JSON.stringify(actual[k])} instead of ${JSON.stringify(expected[k])}`);
    super(
      `Replaying the chain journal ${file} diverged at block ${block}: ${differs.join("; ")}.${hint === "" ? "" : " " + hint}`,
    );
    this.path = file;
    this.block = block;
    this.expected = expected;
    this.actual = actual;
  }
}

interface BlockRow {
  number: number;
  hash: string;
  parent_hash: string;
  timestamp: number;
  base_fee: string;
  state_root: string;
  receipts_root: string;
  txs: string;
}

interface RpcBlock {
  number: string;
  hash: string;
  parentHash: string;
  timestamp: string;
  baseFeePerGas?: string;
  stateRoot: string;
  receiptsRoot: string;
  transactions: RpcTransaction[] | string[];
}

export interface RpcTransaction {
  hash: string;
  type: string;
  chainId?: string;
  nonce: string;
  gas: string;
  gasPrice?: string;
  maxFeePerGas?: string;
  maxPriorityFeePerGas?: string;
  to: string | null;
  value: string;
  input: string;
  accessList?: { address: string; storageKeys: string[] }[];
  authorizationList?: {
    chainId: string;
    address: string;
    nonce: string;
    yParity: string;
    r: string;
    s: string;
  }[];
  v: string;
  r: string;
  s: string;
  yParity?: string;
}

/** One JSON-RPC call, no batching (the order of calls is the order of blocks). */
export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method} on ${url}: ${body.error.message}`);
  return body.result as T;
}

const hex = (n: number): string => "0x" + n.toString(16);
const ZERO_HASH = "0x" + "0".repeat(64);

/**
 * The signed raw bytes of a transaction as `eth_getBlockByNumber(n, true)` returns it. Throws if
 * the re-serialised bytes do not hash to the transaction's hash (a type this code does not know).
 */
export function rawTransaction(tx: RpcTransaction): string {
  const type = Number(tx.type);
  if (type === 3)
    throw new Error(`transaction ${tx.hash} carries blobs, which the chain journal cannot record`);
  const v = BigInt(tx.v);
  const fields: TransactionLike = {
    type,
    nonce: Number(tx.nonce),
    gasLimit: BigInt(tx.gas),
    to: tx.to,
    value: BigInt(tx.value),
    data: tx.input,
    chainId: tx.chainId !== undefined ? BigInt(tx.chainId) : v >= 35n ? (v - 35n) / 2n : 0n /* pre-EIP-155 */,
    signature:
      type === 0
        ? Signature.from({ r: tx.r, s: tx.s, v })
        : Signature.from({ r: tx.r, s: tx.s, yParity: Number(tx.yParity ?? tx.v) as 0 | 1 }),
  };
  if (type === 0 || type === 1) fields.gasPrice = BigInt(tx.gasPrice!);
  else {
    fields.maxFeePerGas = BigInt(tx.maxFeePerGas!);
    fields.maxPriorityFeePerGas = BigInt(tx.maxPriorityFeePerGas!);
  }
  if (type >= 1) fields.accessList = tx.accessList ?? [];
  if (type === 4)
    fields.authorizationList = (tx.authorizationList ?? []).map((a) => ({
      chainId: BigInt(a.chainId),
      address: a.address,
      nonce: BigInt(a.nonce),
      signature: Signature.from({ r: a.r, s: a.s, yParity: Number(a.yParity) as 0 | 1 }),
    }));
  const raw = Transaction.from(fields).serialized;
  if (keccak256(raw) !== tx.hash)
    throw new Error(
      `transaction ${tx.hash} (type ${type}) does not re-serialise to its own hash, so it cannot be replayed`,
    );
  return raw;
}

export class ChainJournal {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #stmts: {
    getMeta: StatementSync;
    setMeta: StatementSync;
    insert: StatementSync;
    last: StatementSync;
    from: StatementSync;
  };

  private constructor(file: string) {
    this.path = file;
    mkdirSync(path.dirname(file), { recursive: true });
    const db = new DatabaseSync(file);
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");
    db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE IF NOT EXISTS blocks (
        number      INTEGER PRIMARY KEY,
        hash        TEXT NOT NULL,
        parent_hash TEXT NOT NULL,
        timestamp     INTEGER NOT NULL,
        base_fee      TEXT NOT NULL,
        state_root    TEXT NOT NULL,
        receipts_root TEXT NOT NULL,
        txs           TEXT NOT NULL
      ) STRICT;`);
    this.#db = db;
    this.#stmts = {
      getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ),
      insert: db.prepare(
        "INSERT INTO blocks (number, hash, parent_hash, timestamp, base_fee, state_root, receipts_root, txs) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      last: db.prepare(
        "SELECT number, hash, parent_hash, timestamp, base_fee, state_root, receipts_root, txs FROM blocks ORDER BY number DESC LIMIT 1",
      ),
      from: db.prepare(
        "SELECT number, hash, parent_hash, timestamp, base_fee, state_root, receipts_root, txs FROM blocks WHERE number >= ? ORDER BY number",
      ),
    };
    const format = this.#meta("format");
    if (format === undefined) this.#stmts.setMeta.run("format", String(CHAIN_JOURNAL_FORMAT));
    else if (format !== String(CHAIN_JOURNAL_FORMAT))
      throw new ChainJournalError(
        file,
        `has format ${format}; this version reads format ${CHAIN_JOURNAL_FORMAT}`,
      );
  }

  /** Opens (creating if need be) the journal at `file`. */
  static open(file: string): ChainJournal {
    try {
      return new ChainJournal(file);
    } catch (error) {
      if (error instanceof ChainJournalError) throw error;
      throw new ChainJournalError(file, `cannot be opened: ${(error as Error).message}`, { cause: error });
    }
  }

  #meta(key: string): string | undefined {
    return (this.#stmts.getMeta.get(key) as { value: string } | undefined)?.value;
  }

  genesis(): JournalGenesis | undefined {
    const g = this.#meta("genesis");
    return g === undefined ? undefined : (JSON.parse(g) as JournalGenesis);
  }

  setGenesis(genesis: JournalGenesis): void {
    const known = this.genesis();
    if (known !== undefined && known.hash !== genesis.hash)
      throw new ChainJournalError(
        this.path,
        `belongs to the chain with genesis ${known.hash}, not ${genesis.hash}`,
      );
    this.#stmts.setMeta.run("genesis", JSON.stringify(genesis));
  }

  /** Why recording stopped, when it did: such a journal is not replayed. */
  broken(): string | undefined {
    return this.#meta("broken");
  }

  markBroken(reason: string): void {
    this.#stmts.setMeta.run("broken", reason);
  }

  /** The last block recorded (the genesis block when none is). */
  head(): { number: number; hash: string; timestamp: number } | undefined {
    const row = this.#stmts.last.get() as BlockRow | undefined;
    if (row !== undefined) return { number: row.number, hash: row.hash, timestamp: row.timestamp };
    const g = this.genesis();
    return g === undefined ? undefined : { number: 0, hash: g.hash, timestamp: g.timestamp };
  }

  /** The recorded blocks from `from` on, in order. */
  *blocks(from = 1): Generator<JournalBlock> {
    for (const row of this.#stmts.from.iterate(from) as Iterable<BlockRow>) {
      yield {
        number: row.number,
        hash: row.hash,
        parentHash: row.parent_hash,
        timestamp: row.timestamp,
        baseFee: row.base_fee,
        stateRoot: row.state_root,
        receiptsRoot: row.receipts_root,
        txs: JSON.parse(row.txs) as string[],
      };
    }
  }

  /** Appends blocks (in one durable commit); each must extend the last one recorded. */
  append(blocks: JournalBlock[]): void {
    if (blocks.length === 0) return;
    let head = this.head();
    if (head === undefined)
      throw new ChainJournalError(this.path, "has no genesis block: call setGenesis first");
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const block of blocks) {
        // EDR reports the blocks `hardhat_mine` reserves with a zero parent hash (the next real
        // block's parent is the last reserved block's hash).
        const b: JournalBlock = block.parentHash === ZERO_HASH ? { ...block, parentHash: head.hash } : block;
        if (b.number !== head.number + 1 || b.parentHash !== head.hash)
          throw new ChainJournalError(
            this.path,
            `cannot take block ${b.number} (parent ${b.parentHash}) after block ${head.number} (${head.hash}): the chain was reorganised or reverted`,
          );
        this.#stmts.insert.run(
          b.number,
          b.hash,
          b.parentHash,
          b.timestamp,
          b.baseFee,
          b.stateRoot,
          b.receiptsRoot,
          JSON.stringify(b.txs),
        );
        head = { number: b.number, hash: b.hash, timestamp: b.timestamp };
      }
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  /**
   * Records the hashes a replay gave the blocks (they differ after a `hardhat_mine`; see the file
   * header), so that the follower links the next blocks to them.
   */
  rehash(blocks: { number: number; hash: string; parentHash: string }[]): void {
    const update = this.#db.prepare("UPDATE blocks SET hash = ?, parent_hash = ? WHERE number = ?");
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      for (const b of blocks) update.run(b.hash, b.parentHash, b.number);
      this.#db.exec("COMMIT");
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}

export interface JournalFollower {
  /** Records every block mined so far; rejects if recording failed. */
  sync(): Promise<void>;
  /** A last `sync()`, then stops polling (never rejects: a failure is logged). */
  stop(): Promise<void>;
}

export interface FollowOptions {
  intervalMs?: number;
  log?: (line: string) => void;
}

/** Follows the chain at `rpcUrl` and records each new block into the journal. */
export function followChain(
  journal: ChainJournal,
  rpcUrl: string,
  options: FollowOptions = {},
): JournalFollower {
  const intervalMs = options.intervalMs ?? 250;
  let chain: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const pump = async (): Promise<void> => {
    if (failure !== undefined) throw failure;
    try {
      const genesisBlock = await rpc<RpcBlock>(rpcUrl, "eth_getBlockByNumber", ["0x0", false]);
      const known = journal.genesis();
      if (known === undefined) {
        journal.setGenesis({
          chainId: Number(await rpc<string>(rpcUrl, "eth_chainId")),
          timestamp: Number(genesisBlock.timestamp),
          hash: genesisBlock.hash,
        });
      } else if (known.hash !== genesisBlock.hash) {
        throw new ChainJournalError(
          journal.path,
          `belongs to the chain with genesis ${known.hash}, but ${rpcUrl} has genesis ${genesisBlock.hash}`,
        );
      }
      const latest = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
      let next = journal.head()!.number + 1;
      while (next <= latest) {
        const batch: JournalBlock[] = [];
        for (; next <= latest && batch.length < 200; next++) {
          const b = await rpc<RpcBlock>(rpcUrl, "eth_getBlockByNumber", [hex(next), true]);
          batch.push({
            number: Number(b.number),
            hash: b.hash,
            parentHash: b.parentHash,
            timestamp: Number(b.timestamp),
            baseFee: b.baseFeePerGas ?? "0x0",
            stateRoot: b.stateRoot,
            receiptsRoot: b.receiptsRoot,
            txs: (b.transactions as RpcTransaction[]).map((tx) => {
              try {
                return rawTransaction(tx);
              } catch (e) {
                throw new ChainJournalError(
                  journal.path,
                  `cannot record block ${next}: ${(e as Error).message}`,
                );
              }
            }),
          });
        }
        journal.append(batch);
      }
    } catch (error) {
      // A node that does not answer (stopping, or busy) is retried at the next poll; anything else
      // means the journal can no longer follow the chain.
      if (!(error instanceof ChainJournalError)) throw error;
      failure = error;
      journal.markBroken(error.message);
      options.log?.(`✘ ${error.message}; a restart will start a fresh chain`);
      throw error;
    }
  };
  const enqueue = (): Promise<void> => {
    const run = chain.then(pump);
    chain = run.catch(() => undefined);
    return run;
  };
  const tick = (): void => {
    timer = undefined;
    void enqueue()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped && failure === undefined) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    sync: enqueue,
    stop: async () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await enqueue().catch(() => undefined);
    },
  };
}

/**
 * Replays the journal into a fresh node at `rpcUrl`, which must have been started with the
 * journal's genesis timestamp. Resolves once the node's chain has the recorded state, block for
 * block; then the next block's timestamp is the wall clock, or the last recorded one + 1 if that
 * is later (time moved on while the devnet was down, as it does for a chain that kept running).
 */
export async function replayJournal(journal: ChainJournal, rpcUrl: string): Promise<ReplayResult> {
  const t0 = performance.now();
  const file = journal.path;
  const broken = journal.broken();
  if (broken !== undefined) throw new ChainJournalError(file, `is incomplete: ${broken}`);
  const genesis = journal.genesis();
  if (genesis === undefined)
    throw new ChainJournalError(file, "holds no chain (no genesis block was recorded)");
  const g = await rpc<RpcBlock>(rpcUrl, "eth_getBlockByNumber", ["0x0", false]);
  if (g.hash !== genesis.hash)
    throw new ChainJournalDivergedError(
      file,
      0,
      { hash: genesis.hash, timestamp: genesis.timestamp },
      { hash: g.hash, timestamp: Number(g.timestamp) },
      `Start the node with AINUR_DEVNET_GENESIS_TIMESTAMP=${genesis.timestamp} (hardhat-node.config.ts).`,
    );
  const latest = Number(await rpc<string>(rpcUrl, "eth_blockNumber"));
  if (latest !== 0)
    throw new ChainJournalError(
      file,
      `can only be replayed into a fresh node, and ${rpcUrl} is at block ${latest}`,
    );
  let blocks = 0;
  let transactions = 0;
  const rehashed: { number: number; hash: string; parentHash: string }[] = [];
  let head: ReplayResult["head"] = {
    number: 0,
    hash: g.hash,
    stateRoot: g.stateRoot,
    timestamp: Number(g.timestamp),
  };
  await rpc(rpcUrl, "evm_setAutomine", [false]);
  try {
    for (const block of journal.blocks()) {
      await rpc(rpcUrl, "hardhat_setNextBlockBaseFeePerGas", [block.baseFee]);
      for (const raw of block.txs) await rpc(rpcUrl, "eth_sendRawTransaction", [raw]);
      await rpc(rpcUrl, "evm_mine", [block.timestamp]);
      const b = await rpc<RpcBlock | null>(rpcUrl, "eth_getBlockByNumber", [hex(block.number), false]);
      const expected: BlockSeal = {
        timestamp: block.timestamp,
        baseFee: block.baseFee,
        stateRoot: block.stateRoot,
        receiptsRoot: block.receiptsRoot,
        txs: block.txs.map((raw) => keccak256(raw)),
      };
      const actual: BlockSeal = {
        timestamp: Number(b?.timestamp ?? -1),
        baseFee: b?.baseFeePerGas ?? "0x0",
        stateRoot: b?.stateRoot ?? "(no block)",
        receiptsRoot: b?.receiptsRoot ?? "(no block)",
        txs: (b?.transactions ?? []) as string[],
      };
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        throw new ChainJournalDivergedError(file, block.number, expected, actual);
      blocks++;
      transactions += block.txs.length;
      if (b!.hash !== block.hash || b!.parentHash !== block.parentHash)
        rehashed.push({ number: block.number, hash: b!.hash, parentHash: b!.parentHash });
      head = { number: block.number, hash: b!.hash, stateRoot: b!.stateRoot, timestamp: block.timestamp };
    }
  } finally {
    await rpc(rpcUrl, "evm_setAutomine", [true]);
  }
  journal.rehash(rehashed);
  const now = Math.floor(Date.now() / 1000);
  if (now > head.timestamp + 1) await rpc(rpcUrl, "evm_setNextBlockTimestamp", [now]);
  return { blocks, transactions, ms: Math.round(performance.now() - t0), head };
}
