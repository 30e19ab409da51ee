/**
 * The durable, append-only event log: one SQLite file (node:sqlite, built into Node 22).
 *
 * Durability choice: WAL journal with `synchronous = FULL`. In WAL mode NORMAL only risks losing the
 * last transactions on a power cut or OS crash (never corruption), while FULL fsyncs the WAL on every
 * commit. The log records that a side effect is about to happen or has happened; losing an
 * acknowledged `effect:done` would make the node redo an effect it already reported, so we pay the
 * fsync (≈ tens of µs to a few ms per append on this machine) for FULL. Process crashes (SIGKILL) are
 * safe under either setting.
 */
import { DatabaseSync } from "node:sqlite";
import type { StatementSync } from "node:sqlite";
import { mkdirSync } from "node:fs";
import path from "node:path";

/** A JSON value as stored in the log. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface LogEvent<T extends Json = Json> {
  /** Position in the log, strictly increasing from 1. */
  seq: number;
  /** The stream (aggregate) the event belongs to, e.g. `workflow:wf-1`. */
  stream: string;
  /** Event type, named `domain:verb`, e.g. `task:completed`. */
  type: string;
  /** Unique key when the event must be appended at most once (idempotent append). */
  key: string | null;
  data: T;
  /** Milliseconds since the epoch, from the log's clock. */
  at: number;
}

export interface AppendOptions {
  /** When set, appending a second event with this key returns the first one instead. */
  key?: string;
  /**
   * `false`: commit without waiting for the disk (synchronous = NORMAL for this commit). The event
   * may be lost in a power cut, but never reordered: the next synced append makes it durable too.
   * Use it for events that a restart can do without (default true: durable on return).
   */
  sync?: boolean;
}

export interface EventLogInit {
  /** Path of the SQLite file; `:memory:` for a throwaway log. */
  path: string;
  /** `FULL` (default) or `NORMAL`; see the file header for the trade-off. */
  synchronous?: "FULL" | "NORMAL";
  now?: () => number;
}

export class EventLogClosedError extends Error {
  override name = "EventLogClosedError";
  readonly path: string;
  constructor(file: string) {
    super(`The event log at ${file} is not open: call start() before appending or reading.`);
    this.path = file;
  }
}

export class EventLogCorruptError extends Error {
  override name = "EventLogCorruptError";
  readonly seq: number;
  constructor(seq: number, cause: unknown) {
    super(`Event ${seq} in the log holds data that is not JSON; restore the log from a backup.`, { cause });
    this.seq = seq;
  }
}

interface Row {
  seq: number;
  stream: string;
  type: string;
  key: string | null;
  data: string;
  at: number;
}

export class SqliteEventLog {
  readonly path: string;
  private readonly synchronous: "FULL" | "NORMAL";
  private readonly now: () => number;
  private db: DatabaseSync | undefined;
  /** The `synchronous` setting the connection has now (switched per append when `sync: false`). */
  private currentSync: "FULL" | "NORMAL" = "FULL";
  private stmts:
    | {
        insert: StatementSync;
        byKey: StatementSync;
        readAll: StatementSync;
        readStream: StatementSync;
        last: StatementSync;
      }
    | undefined;

  constructor(init: EventLogInit) {
    this.path = init.path;
    this.synchronous = init.synchronous ?? "FULL";
    this.now = init.now ?? Date.now;
  }

  start(): void {
    if (this.db !== undefined) return;
    if (this.path !== ":memory:") mkdirSync(path.dirname(this.path), { recursive: true });
    const db = new DatabaseSync(this.path);
    db.exec(
      `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${this.synchronous}; PRAGMA busy_timeout = 5000;`,
    );
    db.exec(`CREATE TABLE IF NOT EXISTS events (
      seq    INTEGER PRIMARY KEY AUTOINCREMENT,
      stream TEXT NOT NULL,
      type   TEXT NOT NULL,
      key    TEXT UNIQUE,
      data   TEXT NOT NULL,
      at     INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX IF NOT EXISTS events_stream ON events(stream, seq);
    CREATE TRIGGER IF NOT EXISTS events_append_only_update BEFORE UPDATE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS events_append_only_delete BEFORE DELETE ON events
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;`);
    this.stmts = {
      insert: db.prepare(
        "INSERT INTO events (stream, type, key, data, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING",
      ),
      byKey: db.prepare("SELECT seq, stream, type, key, data, at FROM events WHERE key = ?"),
      readAll: db.prepare("SELECT seq, stream, type, key, data, at FROM events WHERE seq > ? ORDER BY seq"),
      readStream: db.prepare(
        "SELECT seq, stream, type, key, data, at FROM events WHERE stream = ? AND seq > ? ORDER BY seq",
      ),
      last: db.prepare("SELECT MAX(seq) AS seq FROM events"),
    };
    this.db = db;
  }

  stop(): void {
    this.db?.close();
    this.db = undefined;
    this.stmts = undefined;
  }

  /**
   * Appends one event and returns it. With `options.key`, a second append of the same key is a no-op
   * that returns the event first stored under it (check `result.seq` / `result.type` if it matters).
   */
  append<T extends Json>(stream: string, type: string, data: T, options: AppendOptions = {}): LogEvent<T> {
    const stmts = this.open();
    const key = options.key ?? null;
    const at = this.now();
    if (this.synchronous === "FULL") this.setSync(options.sync === false ? "NORMAL" : "FULL");
    const info = stmts.insert.run(stream, type, key, JSON.stringify(data), at);
    if (info.changes === 0 && key !== null) return this.byKey(key) as LogEvent<T>;
    return { seq: Number(info.lastInsertRowid), stream, type, key, data, at };
  }

  /** Appends several events in one transaction: all or none are stored. */
  appendBatch(events: ReadonlyArray<{ stream: string; type: string; data: Json; key?: string }>): LogEvent[] {
    const db = this.openDb();
    if (this.synchronous === "FULL") this.setSync("FULL");
    db.exec("BEGIN IMMEDIATE");
    try {
      const out = events.map((e) =>
        this.append(e.stream, e.type, e.data, e.key === undefined ? {} : { key: e.key }),
      );
      db.exec("COMMIT");
      return out;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }

  /** The event stored under an idempotency key, if any. */
  byKey(key: string): LogEvent | undefined {
    const row = this.open().byKey.get(key) as Row | undefined;
    return row === undefined ? undefined : decode(row);
  }

  /** Events after `afterSeq` (default: all), optionally of one stream, in log order. */
  *read(options: { stream?: string; afterSeq?: number } = {}): Generator<LogEvent> {
    const stmts = this.open();
    const after = options.afterSeq ?? 0;
    const rows =
      options.stream === undefined
        ? stmts.readAll.iterate(after)
        : stmts.readStream.iterate(options.stream, after);
    for (const row of rows) yield decode(row as unknown as Row);
  }

  /** The highest sequence number stored, 0 when the log is empty. */
  lastSeq(): number {
    const row = this.open().last.get() as { seq: number | null } | undefined;
    return row?.seq ?? 0;
  }

  private setSync(mode: "FULL" | "NORMAL"): void {
    if (this.currentSync === mode || this.db?.isTransaction) return;
    this.db!.exec(`PRAGMA synchronous = ${mode}`);
    this.currentSync = mode;
  }

  private open(): NonNullable<SqliteEventLog["stmts"]> {
    if (this.stmts === undefined) throw new EventLogClosedError(this.path);
    return this.stmts;
  }

  private openDb(): DatabaseSync {
    if (this.db === undefined) throw new EventLogClosedError(this.path);
    return this.db;
  }
}

function decode(row: Row): LogEvent {
  let data: Json;
  try {
    data = JSON.parse(row.data) as Json;
  } catch (error) {
    throw new EventLogCorruptError(row.seq, error);
  }
  return { seq: row.seq, stream: row.stream, type: row.type, key: row.key, data, at: row.at };
}
