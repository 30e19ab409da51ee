/**
 * An append-only binary Poseidon Merkle tree of fixed depth, kept in SQLite (node:sqlite) so it
 * survives a restart.
 *
 * It matches circuits/lib/merkle.circom: inner node = Poseidon(left, right), empty slot = 0, the
 * leaf's index bits pick the side at each level. Appending is cheap: a leaf is written to the
 * database and its ancestors are marked stale; they are rehashed together, once, the next time a
 * root or a path is needed (`flush()`), which costs about one hash per new leaf instead of `depth`.
 * A path or root can be asked for any earlier size of the tree (a snapshot whose root was anchored).
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { assertField } from "./field.ts";
import { LeafIndexError, TreeFullError, ZeroLeafError } from "./errors.ts";

export type Hash2 = (left: bigint, right: bigint) => bigint;

export interface MerkleProof {
  leaf: bigint;
  index: number;
  root: bigint;
  /** The size of the tree the proof is for. */
  size: number;
  pathElements: bigint[];
  /** 0 = the running hash is the left child at that level, 1 = the right child. */
  pathIndices: number[];
}

export interface PoseidonTreeInit {
  db: DatabaseSync;
  hash: Hash2;
  /** Default 20 (the circuits' depth). */
  depth?: number;
  /** Table name prefix, so several trees can share one database. Default "lineage_tree". */
  table?: string;
}

const toBlob = (value: bigint): Uint8Array => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
const fromBlob = (blob: Uint8Array): bigint => BigInt("0x" + Buffer.from(blob).toString("hex"));

export class PoseidonTree {
  readonly depth: number;
  readonly capacity: number;
  private readonly db: DatabaseSync;
  private readonly hash: Hash2;
  private readonly zeros: bigint[];
  /** levels[i][j]: node j at height i (levels[0] are the leaves), for the nodes whose range has begun. */
  private readonly levels: bigint[][];
  /** Leaves at and after this index have stale ancestors. */
  private dirtyFrom: number;
  private readonly insertNode: StatementSync;
  private readonly setMeta: StatementSync;
  private readonly table: string;

  constructor(init: PoseidonTreeInit) {
    this.depth = init.depth ?? 20;
    if (!Number.isInteger(this.depth) || this.depth < 1 || this.depth > 32) {
      throw new RangeError(`depth must be an integer in [1, 32], got ${this.depth}`);
    }
    this.capacity = 2 ** this.depth;
    this.db = init.db;
    this.hash = init.hash;
    this.table = init.table ?? "lineage_tree";
    if (!/^[a-z_][a-z0-9_]*$/i.test(this.table)) throw new RangeError(`bad table name ${this.table}`);
    this.zeros = [0n];
    for (let i = 0; i < this.depth; i++) this.zeros.push(this.hash(this.zeros[i]!, this.zeros[i]!));

    const t = this.table;
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS ${t}_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, value BLOB NOT NULL,
        PRIMARY KEY (level, idx)) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS ${t}_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.insertNode = this.db.prepare(
      `INSERT OR REPLACE INTO ${t}_nodes (level, idx, value) VALUES (?, ?, ?)`,
    );
    this.setMeta = this.db.prepare(`INSERT OR REPLACE INTO ${t}_meta (key, value) VALUES (?, ?)`);

    const meta = new Map(
      (this.db.prepare(`SELECT key, value FROM ${t}_meta`).all() as { key: string; value: string }[]).map(
        (r) => [r.key, r.value],
      ),
    );
    const storedDepth = meta.get("depth");
    if (storedDepth !== undefined && Number(storedDepth) !== this.depth) {
      throw new RangeError(
        `the stored tree has depth ${storedDepth}, not ${this.depth}: open it with depth ${storedDepth}`,
      );
    }
    this.setMeta.run("depth", String(this.depth));

    this.levels = Array.from({ length: this.depth + 1 }, () => [] as bigint[]);
    const rows = this.db.prepare(`SELECT level, idx, value FROM ${t}_nodes ORDER BY level, idx`).all() as {
      level: number;
      idx: number;
      value: Uint8Array;
    }[];
    for (const row of rows) this.levels[row.level]![row.idx] = fromBlob(row.value);
    // Ancestors were flushed up to `flushed` leaves; anything appended after a crash is rehashed.
    this.dirtyFrom = Math.min(Number(meta.get("flushed") ?? "0"), this.levels[0]!.length);
  }

  /** Number of leaves. */
  get size(): number {
    return this.levels[0]!.length;
  }

  /** The leaf at `index`. */
  leaf(index: number): bigint {
    this.checkIndex(index, this.size);
    return this.levels[0]![index]!;
  }

  /** Appends one non-zero leaf and returns its index. Written to the database before it returns. */
  append(leaf: bigint): number {
    return this.appendMany([leaf]);
  }

  /** Appends leaves (one transaction) and returns the index of the first. */
  appendMany(leaves: readonly bigint[]): number {
    const first = this.size;
    if (first + leaves.length > this.capacity) throw new TreeFullError(this.capacity);
    for (const leaf of leaves) {
      if (leaf === 0n) throw new ZeroLeafError();
      assertField("leaf", leaf);
    }
    this.db.exec("BEGIN");
    try {
      leaves.forEach((leaf, i) => this.insertNode.run(0, first + i, toBlob(leaf)));
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    this.levels[0]!.push(...leaves);
    return first;
  }

  /** Rehashes the stale ancestors and stores them. root() and proof() call it. */
  flush(): void {
    const size = this.size;
    if (this.dirtyFrom >= size) return;
    this.db.exec("BEGIN");
    try {
      let from = this.dirtyFrom;
      let count = size;
      for (let level = 0; level < this.depth; level++) {
        const below = this.levels[level]!;
        const above = this.levels[level + 1]!;
        const start = from >> 1;
        const end = Math.ceil(count / 2);
        for (let j = start; j < end; j++) {
          const value = this.hash(below[2 * j]!, below[2 * j + 1] ?? this.zeros[level]!);
          above[j] = value;
          this.insertNode.run(level + 1, j, toBlob(value));
        }
        from = start;
        count = end;
      }
      this.setMeta.run("flushed", String(size));
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
    this.dirtyFrom = size;
  }

  /** The root of the tree as it was when it held `size` leaves (default: now). */
  root(size: number = this.size): bigint {
    this.checkSize(size);
    this.flush();
    return this.node(this.depth, 0, size);
  }

  /** The authentication path of leaf `index` in the tree as it was with `size` leaves (default: now). */
  proof(index: number, size: number = this.size): MerkleProof {
    this.checkSize(size);
    this.checkIndex(index, size);
    this.flush();
    const pathElements: bigint[] = [];
    const pathIndices: number[] = [];
    let position = index;
    for (let level = 0; level < this.depth; level++) {
      pathElements.push(this.node(level, position ^ 1, size));
      pathIndices.push(position & 1);
      position >>= 1;
    }
    return {
      leaf: this.levels[0]![index]!,
      index,
      root: this.node(this.depth, 0, size),
      size,
      pathElements,
      pathIndices,
    };
  }

  /** Node (level, idx) in the snapshot of `size` leaves; flushed nodes whose range is full are final. */
  private node(level: number, idx: number, size: number): bigint {
    const span = 2 ** level;
    if (idx * span >= size) return this.zeros[level]!;
    if ((idx + 1) * span <= size || size === this.size) return this.levels[level]![idx]!;
    return this.hash(this.node(level - 1, 2 * idx, size), this.node(level - 1, 2 * idx + 1, size));
  }

  private checkIndex(index: number, size: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= size) throw new LeafIndexError(index, size);
  }

  private checkSize(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`a snapshot of ${size} leaves does not exist: the tree holds ${this.size}`);
    }
  }
}
