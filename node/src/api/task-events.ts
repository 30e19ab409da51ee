/**
 * Task events as the API streams them: `task:routed`, `task:bidding`, `task:awarded`,
 * `task:executing`, `task:completed`, `task:failed`, `task:anchored`. Market, execution and lineage
 * publish them here; the API server fans them out over server-sent events. With a durable log the
 * events are stored in it (stream `tasks`) and their ids are log sequence numbers, so a client that
 * reconnects with `Last-Event-ID` misses nothing, even across a node restart.
 */
import type { Json, SqliteEventLog } from "../storage/event-log.ts";

export const TASK_EVENT_TYPES = [
  "task:routed",
  "task:bidding",
  "task:awarded",
  "task:executing",
  "task:completed",
  "task:failed",
  "task:anchored",
] as const;

export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];

export interface TaskEvent {
  /** Increasing id (the log sequence number when a log is used). */
  id: number;
  taskId: string;
  type: TaskEventType;
  at: number;
  data: Json;
}

export class UnknownTaskEventTypeError extends Error {
  override name = "UnknownTaskEventTypeError";
  readonly type: string;
  constructor(type: string) {
    super(`"${type}" is not a task event type; use one of ${TASK_EVENT_TYPES.join(", ")}.`);
    this.type = type;
  }
}

export interface TaskEventBusInit {
  /** Events kept in memory for replay when there is no log (default 10,000). */
  historySize?: number;
}

export interface TaskEventBusComponents {
  log?: SqliteEventLog;
}

const STREAM = "tasks";

export class TaskEventBus {
  private readonly log: SqliteEventLog | undefined;
  private readonly historySize: number;
  private readonly history: TaskEvent[] = [];
  private readonly listeners = new Set<(event: TaskEvent) => void>();
  private nextId = 1;

  constructor(components: TaskEventBusComponents = {}, init: TaskEventBusInit = {}) {
    this.log = components.log;
    this.historySize = init.historySize ?? 10_000;
  }

  publish(taskId: string, type: TaskEventType, data: Json = null): TaskEvent {
    if (!(TASK_EVENT_TYPES as readonly string[]).includes(type)) throw new UnknownTaskEventTypeError(type);
    let event: TaskEvent;
    if (this.log !== undefined) {
      const stored = this.log.append(STREAM, type, { taskId, data });
      event = { id: stored.seq, taskId, type, at: stored.at, data };
    } else {
      event = { id: this.nextId++, taskId, type, at: Date.now(), data };
      this.history.push(event);
      if (this.history.length > this.historySize) this.history.shift();
    }
    for (const listener of this.listeners) listener(event);
    return event;
  }

  subscribe(listener: (event: TaskEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `afterId`, optionally of one task, oldest first. */
  replay(afterId: number, taskId?: string): TaskEvent[] {
    if (this.log === undefined) {
      return this.history.filter((e) => e.id > afterId && (taskId === undefined || e.taskId === taskId));
    }
    const out: TaskEvent[] = [];
    for (const e of this.log.read({ stream: STREAM, afterSeq: afterId })) {
      const { taskId: t, data } = e.data as { taskId: string; data: Json };
      if (taskId === undefined || t === taskId)
        out.push({ id: e.seq, taskId: t, type: e.type as TaskEventType, at: e.at, data });
    }
    return out;
  }
}
