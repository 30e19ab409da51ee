/**
 * Idempotent side effects over the durable log.
 *
 * Exactly-once is at-least-once plus an idempotent receiver: `runEffectOnce` records
 * `effect:started` before calling the effect and `effect:done` (with its result, synced to disk)
 * after. On a restart
 * an effect that is `done` is not called again; its recorded result is returned. An effect that was
 * `started` but not `done` (the process died in between) is called again with the same idempotency
 * key, so the receiver (an HTTP API taking an `Idempotency-Key`, a file written under the key's name,
 * a contract call keyed by task id) can recognise and drop the repeat.
 */
import type { Json, SqliteEventLog } from "./event-log.ts";

export interface EffectOutcome<T extends Json> {
  result: T;
  /** True when the result came from the log and the effect was not called. */
  replayed: boolean;
  /** True when the effect had been started before (by a process that died) and was called again. */
  retried: boolean;
}

export class EffectKeyConflictError extends Error {
  override name = "EffectKeyConflictError";
  readonly key: string;
  readonly storedType: string;
  constructor(key: string, storedType: string) {
    super(
      `The idempotency key "${key}" is already used by a "${storedType}" event; use a key unique to this effect.`,
    );
    this.key = key;
    this.storedType = storedType;
  }
}

/** Runs `effect(key)` unless the log says it already completed under `key`. */
export async function runEffectOnce<T extends Json>(
  log: SqliteEventLog,
  stream: string,
  key: string,
  effect: (idempotencyKey: string) => Promise<T>,
): Promise<EffectOutcome<T>> {
  const done = log.byKey(`effect:done:${key}`);
  if (done !== undefined) {
    if (done.type !== "effect:done") throw new EffectKeyConflictError(key, done.type);
    return { result: (done.data as { result: T }).result, replayed: true, retried: false };
  }
  const retried = log.byKey(`effect:started:${key}`) !== undefined;
  // Neither record must reach the disk before the effect: if a crash loses them, the effect just
  // runs again with the same key, which is the path a crash mid-effect takes anyway.
  if (retried) log.append(stream, "effect:retried", { key }, { sync: false });
  else log.append(stream, "effect:started", { key }, { key: `effect:started:${key}`, sync: false });
  const result = await effect(key);
  log.append(stream, "effect:done", { key, result }, { key: `effect:done:${key}` });
  return { result, replayed: false, retried };
}
