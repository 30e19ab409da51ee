/**
 * storage/: the durable, append-only event log (node:sqlite) with idempotent side effects, and the
 * Helia block store for inputs, outputs and lineage records (blocks.ts).
 */
import { SqliteEventLog } from "./event-log.ts";
import type { EventLogInit } from "./event-log.ts";

export { SqliteEventLog, EventLogClosedError, EventLogCorruptError } from "./event-log.ts";
export type { AppendOptions, EventLogInit, Json, LogEvent } from "./event-log.ts";
export { EffectKeyConflictError, runEffectOnce } from "./effects.ts";
export type { EffectOutcome } from "./effects.ts";
export {
  BlockEncodeError,
  BlockNotFoundError,
  HeliaBlockStore,
  InvalidCidError,
  StoreNotStartedError,
  createBlockStore,
} from "./blocks.ts";
export type { BlockStore, BlockStoreComponents, BlockStoreInit } from "./blocks.ts";

/** The event log needs nothing from other modules. */
export type EventLogComponents = Record<string, never>;

/** Opens (creates if needed) the durable log; call `start()` before use. */
export function createEventLog(init: EventLogInit, _components: EventLogComponents = {}): SqliteEventLog {
  return new SqliteEventLog(init);
}
