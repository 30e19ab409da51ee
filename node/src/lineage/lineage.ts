/**
 * The lineage service: commits execution records as leaves of a durable Poseidon tree, anchors the
 * tree's root in batches (on a count or a time limit) through an injected `anchor` function, and
 * proves records in a worker thread against the latest anchored root.
 *
 * Storage: one SQLite database (node:sqlite) holding the tree, the records and the anchors. All
 * writes happen before the promise that caused them resolves, so a restart loses nothing that was
 * acknowledged.
 */
import { DatabaseSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { buildPoseidon } from "circomlibjs";
import type { Poseidon } from "circomlibjs";
import { BATCH_SIZE, BATCH_WINDOW, LINEAGE_DEPTH, circuitFiles } from "./circuits.ts";
import type { LineageCircuitName } from "./circuits.ts";
import { LineageFormatError, NotStartedError, RecordNotFoundError } from "./errors.ts";
import { toHex32 } from "./field.ts";
import { PoseidonTree } from "./poseidon-tree.ts";
import type { MerkleProof } from "./poseidon-tree.ts";
import { PROOF_FILE_FORMAT, PROOF_FILE_VERSION } from "./proof-file.ts";
import type { ProofFile, ProvenRecord } from "./proof-file.ts";
import { WorkerProver } from "./prover.ts";
import type { Prover } from "./prover.ts";
import { commitRecord, recordFromExecution, recordFromJson, recordToJson } from "./record.ts";
import type { Execution, LineageRecord } from "./record.ts";

/** What the chain returned for an anchoring transaction. */
export interface AnchorReceipt {
  blockNumber?: number;
  transactionHash?: string;
}

/** Anchors a root on-chain (e.g. LineageRegistry.anchorRoot through chain/evm). */
export type AnchorFn = (root: bigint, leafCount: number) => Promise<AnchorReceipt>;

/** Disclosed context kept beside a record, copied into proof files. */
export interface RecordContext {
  taskId?: string;
  agentDid?: string;
  output?: string;
}

export interface StoredRecord {
  index: number;
  commitment: bigint;
  record: LineageRecord;
  context: RecordContext;
}

export interface Anchor {
  root: bigint;
  leafCount: number;
  receipt: AnchorReceipt;
  /** Unix milliseconds when the anchor was confirmed. */
  at: number;
}

export interface LineageInit {
  /** SQLite file (its directory is created), or ":memory:" for a throwaway store. */
  database: string;
  /** Anchor once this many records wait (default 64). */
  anchorEvery?: number;
  /** Anchor at most this long after the first waiting record (default 60 000 ms). */
  anchorAfterMs?: number;
  /** Where the circuits live (default: this repository). */
  circuitsRoot?: string;
  /** Never anchor (for tools that only read the store and prove, like `ainur lineage prove`). */
  readOnly?: boolean;
}

export interface LineageComponents {
  anchor: AnchorFn;
  /** Default: a WorkerProver (snarkjs in a worker thread). */
  prover?: Prover;
  /** Default: Date.now. */
  now?: () => number;
}

export interface LineageEvents {
  "lineage:committed": StoredRecord;
  "lineage:anchored": Anchor;
  "lineage:anchor-failed": { root: bigint; leafCount: number; error: Error };
}

export class LineageService extends EventTarget {
  private readonly init: Required<Omit<LineageInit, "circuitsRoot">> & { circuitsRoot?: string };
  /** setTimeout's limit: longer delays fire at once. */
  private static readonly MAX_DELAY_MS = 2 ** 31 - 1;
  private readonly components: LineageComponents;
  private readonly prover: Prover;
  private db: DatabaseSync | undefined;
  private tree: PoseidonTree | undefined;
  private poseidon: Poseidon | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private anchoring: Promise<Anchor | undefined> | undefined;
  private lastAnchor: Anchor | undefined;
  /** After a failed anchor, retry on the timer only (no hot loop on the count limit). */
  private backingOff = false;

  constructor(components: LineageComponents, init: LineageInit) {
    super();
    this.components = components;
    this.init = { anchorEvery: 64, anchorAfterMs: 60_000, readOnly: false, ...init };
    if (!(this.init.anchorEvery >= 1))
      throw new RangeError(`anchorEvery must be ≥ 1, got ${this.init.anchorEvery}`);
    if (!(this.init.anchorAfterMs >= 0))
      throw new RangeError(`anchorAfterMs must be ≥ 0, got ${this.init.anchorAfterMs}`);
    this.prover = components.prover ?? new WorkerProver();
  }

  async start(): Promise<void> {
    if (this.db) return;
    if (this.init.database !== ":memory:") mkdirSync(path.dirname(this.init.database), { recursive: true });
    const db = new DatabaseSync(this.init.database);
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
      CREATE TABLE IF NOT EXISTS lineage_records (idx INTEGER PRIMARY KEY, commitment TEXT NOT NULL UNIQUE,
        record TEXT NOT NULL, context TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS lineage_anchors (seq INTEGER PRIMARY KEY AUTOINCREMENT, root TEXT NOT NULL,
        leaf_count INTEGER NOT NULL, receipt TEXT NOT NULL, at INTEGER NOT NULL);
    `);
    this.poseidon = await buildPoseidon();
    const poseidon = this.poseidon;
    this.tree = new PoseidonTree({
      db,
      hash: (l, r) => poseidon.F.toObject(poseidon([l, r])),
      depth: LINEAGE_DEPTH,
    });
    this.db = db;
    const last = db
      .prepare("SELECT root, leaf_count, receipt, at FROM lineage_anchors ORDER BY seq DESC LIMIT 1")
      .get() as { root: string; leaf_count: number; receipt: string; at: number } | undefined;
    this.lastAnchor = last && {
      root: BigInt(last.root),
      leafCount: last.leaf_count,
      receipt: JSON.parse(last.receipt) as AnchorReceipt,
      at: last.at,
    };
    await this.prover.start();
    this.schedule();
  }

  async stop(): Promise<void> {
    if (!this.db) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.anchoring?.catch(() => undefined);
    await this.prover.stop();
    this.db.close();
    this.db = undefined;
    this.tree = undefined;
  }

  /** Number of committed records. */
  get size(): number {
    return this.requireTree().size;
  }

  /** Records committed since the last anchor. */
  get pending(): number {
    return this.size - (this.lastAnchor?.leafCount ?? 0);
  }

  /** The latest confirmed anchor, if any. */
  get latestAnchor(): Anchor | undefined {
    return this.lastAnchor;
  }

  /** The Merkle path of leaf `index` in the tree as it was with `size` leaves (default: now). */
  merkleProof(index: number, size?: number): MerkleProof {
    return this.requireTree().proof(index, size);
  }

  /** The current root (anchored or not). */
  root(): bigint {
    return this.requireTree().root();
  }

  /** Commits the record of an execution. */
  commitExecution(execution: Execution): StoredRecord {
    return this.commit(recordFromExecution(execution), {
      taskId: execution.taskId,
      agentDid: execution.agentDid,
      output: execution.output,
    });
  }

  /** Commits a record: appends its commitment to the tree and stores it; may trigger an anchor. */
  commit(record: LineageRecord, context: RecordContext = {}): StoredRecord {
    const tree = this.requireTree();
    const db = this.db!;
    const commitment = commitRecord(this.poseidon!, record);
    const existing = db
      .prepare("SELECT idx FROM lineage_records WHERE commitment = ?")
      .get(toHex32(commitment)) as { idx: number } | undefined;
    if (existing) {
      throw new LineageFormatError(
        "record",
        `is already committed as leaf ${existing.idx} (commitment ${toHex32(commitment)})`,
      );
    }
    const index = tree.size;
    db.prepare("INSERT INTO lineage_records (idx, commitment, record, context) VALUES (?, ?, ?, ?)").run(
      index,
      toHex32(commitment),
      JSON.stringify(recordToJson(record)),
      JSON.stringify(context),
    );
    tree.append(commitment);
    const stored: StoredRecord = { index, commitment, record, context };
    this.dispatchEvent(new CustomEvent("lineage:committed", { detail: stored }));
    this.schedule();
    return stored;
  }

  /** A stored record, by leaf index or commitment (0x-hex). */
  getRecord(ref: number | string | bigint): StoredRecord {
    const db = this.requireDb();
    const row = (
      typeof ref === "number"
        ? db.prepare("SELECT * FROM lineage_records WHERE idx = ?").get(ref)
        : db.prepare("SELECT * FROM lineage_records WHERE commitment = ?").get(toHex32(BigInt(ref)))
    ) as { idx: number; commitment: string; record: string; context: string } | undefined;
    if (!row)
      throw new RecordNotFoundError(
        typeof ref === "number" ? `at leaf ${ref}` : `with commitment ${String(ref)}`,
      );
    return {
      index: row.idx,
      commitment: BigInt(row.commitment),
      record: recordFromJson(JSON.parse(row.record)),
      context: JSON.parse(row.context) as RecordContext,
    };
  }

  /** Anchors the current root now if records are waiting. Resolves with the anchor (or the last one). */
  anchorNow(): Promise<Anchor | undefined> {
    if (this.anchoring) return this.anchoring;
    const tree = this.requireTree();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const leafCount = tree.size;
    if (leafCount === 0 || leafCount === this.lastAnchor?.leafCount) return Promise.resolve(this.lastAnchor);
    const root = tree.root();
    this.anchoring = (async () => {
      try {
        const receipt = await this.components.anchor(root, leafCount);
        const anchor: Anchor = { root, leafCount, receipt, at: (this.components.now ?? Date.now)() };
        if (!this.db) return anchor; // stopped meanwhile: the next start re-anchors
        this.db
          .prepare("INSERT INTO lineage_anchors (root, leaf_count, receipt, at) VALUES (?, ?, ?, ?)")
          .run(toHex32(root), leafCount, JSON.stringify(receipt), anchor.at);
        this.lastAnchor = anchor;
        this.backingOff = false;
        this.dispatchEvent(new CustomEvent("lineage:anchored", { detail: anchor }));
        return anchor;
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        this.backingOff = true;
        this.dispatchEvent(
          new CustomEvent("lineage:anchor-failed", { detail: { root, leafCount, error: err } }),
        );
        throw err;
      } finally {
        this.anchoring = undefined;
        if (this.db) this.schedule();
      }
    })();
    return this.anchoring;
  }

  /**
   * Proves that record `ref` is committed under the latest anchored root. The record must be
   * anchored already (wait for "lineage:anchored" or call anchorNow()).
   */
  async prove(ref: number | string | bigint): Promise<ProofFile> {
    const stored = this.getRecord(ref);
    const anchor = this.requireAnchorCovering([stored.index]);
    const path = this.requireTree().proof(stored.index, anchor.leafCount);
    const files = circuitFiles("lineage20", this.init.circuitsRoot);
    const { proof } = await this.prover.prove({
      circuit: "lineage20",
      wasm: files.wasm,
      zkey: files.zkey,
      input: {
        root: path.root,
        outputHash: stored.record.outputHash,
        agentDidHash: stored.record.agentDidHash,
        taskId: stored.record.taskId,
        inputSetHash: stored.record.inputSetHash,
        parentCommitment: stored.record.parentCommitment,
        time: stored.record.time,
        pathElements: path.pathElements,
        pathIndices: path.pathIndices,
      },
    });
    return this.proofFile("lineage20", path.root, anchor.leafCount, [stored], proof);
  }

  /**
   * Proves up to BATCH_SIZE records in one batch proof (fewer are padded by repeating the last). The
   * records must share a window: leaf indices equal above bit BATCH_WINDOW (see the circuit).
   */
  async proveBatch(refs: readonly (number | string | bigint)[]): Promise<ProofFile> {
    if (refs.length === 0 || refs.length > BATCH_SIZE) {
      throw new LineageFormatError("refs", `a batch proves 1 to ${BATCH_SIZE} records, got ${refs.length}`);
    }
    const stored = refs.map((r) => this.getRecord(r));
    const windows = new Set(stored.map((s) => Math.floor(s.index / 2 ** BATCH_WINDOW)));
    if (windows.size > 1) {
      throw new LineageFormatError(
        "refs",
        `leaves ${stored.map((s) => s.index).join(", ")} span ${windows.size} windows of ${2 ** BATCH_WINDOW} leaves; ` +
          "a batch proof covers records of one window: split the batch",
      );
    }
    while (stored.length < BATCH_SIZE) stored.push(stored[stored.length - 1]!);
    const anchor = this.requireAnchorCovering(stored.map((s) => s.index));
    const tree = this.requireTree();
    const paths = stored.map((s) => tree.proof(s.index, anchor.leafCount));
    const files = circuitFiles("lineage20batch", this.init.circuitsRoot);
    const { proof } = await this.prover.prove({
      circuit: "lineage20batch",
      wasm: files.wasm,
      zkey: files.zkey,
      input: {
        root: anchor.root,
        outputHash: stored.map((s) => s.record.outputHash),
        agentDidHash: stored.map((s) => s.record.agentDidHash),
        taskId: stored.map((s) => s.record.taskId),
        inputSetHash: stored.map((s) => s.record.inputSetHash),
        parentCommitment: stored.map((s) => s.record.parentCommitment),
        time: stored.map((s) => s.record.time),
        pathElements: paths.map((p) => p.pathElements.slice(0, BATCH_WINDOW)),
        pathIndices: paths.map((p) => p.pathIndices.slice(0, BATCH_WINDOW)),
        windowPathElements: paths[0]!.pathElements.slice(BATCH_WINDOW),
        windowPathIndices: paths[0]!.pathIndices.slice(BATCH_WINDOW),
      },
    });
    return this.proofFile("lineage20batch", anchor.root, anchor.leafCount, stored, proof);
  }

  private proofFile(
    circuit: LineageCircuitName,
    root: bigint,
    leafCount: number,
    stored: StoredRecord[],
    proof: ProofFile["proof"],
  ): ProofFile {
    const records: ProvenRecord[] = stored.map((s) => ({
      outputHash: toHex32(s.record.outputHash),
      agentDidHash: toHex32(s.record.agentDidHash),
      ...(s.context.agentDid !== undefined ? { agentDid: s.context.agentDid } : {}),
      ...(s.context.output !== undefined ? { output: s.context.output } : {}),
      ...(s.context.taskId !== undefined ? { taskId: s.context.taskId } : {}),
      leafIndex: s.index,
    }));
    return {
      format: PROOF_FILE_FORMAT,
      version: PROOF_FILE_VERSION,
      circuit,
      root: toHex32(root),
      leafCount,
      records,
      proof,
      createdAt: new Date((this.components.now ?? Date.now)()).toISOString(),
    };
  }

  private requireAnchorCovering(indices: number[]): Anchor {
    const anchor = this.lastAnchor;
    const highest = Math.max(...indices);
    if (!anchor || anchor.leafCount <= highest) {
      throw new RecordNotFoundError(
        `at leaf ${highest} under an anchored root (the latest anchor covers ${anchor?.leafCount ?? 0} records): ` +
          "wait for the next anchor or call anchorNow()",
      );
    }
    return anchor;
  }

  /** Arms the anchoring triggers: immediately on the count limit, else a timer from now. */
  private schedule(): void {
    if (!this.db || this.anchoring || this.init.readOnly) return;
    const pending = this.pending;
    if (pending === 0) return;
    if (pending >= this.init.anchorEvery && !this.backingOff) {
      this.anchorNow().catch(() => undefined); // reported by "lineage:anchor-failed"
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.anchorNow().catch(() => undefined);
        },
        Math.min(this.init.anchorAfterMs, LineageService.MAX_DELAY_MS),
      );
    }
  }

  private requireDb(): DatabaseSync {
    if (!this.db) throw new NotStartedError("the lineage service");
    return this.db;
  }

  private requireTree(): PoseidonTree {
    if (!this.tree) throw new NotStartedError("the lineage service");
    return this.tree;
  }
}
