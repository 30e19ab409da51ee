/**
 * Runs a DAG: every task starts as soon as all of its dependencies have completed (fan-out), a task
 * with several dependencies waits for all of them (fan-in), at most `concurrency` run at once. Each
 * attempt has a timeout; failed attempts are retried with exponential backoff and jitter. The first
 * task that fails for good cancels the rest; an aborted `signal` cancels everything.
 */
import type { Json } from "../storage/event-log.ts";
import { Backoff, sleep } from "../routing/backoff.ts";
import { seededRng } from "../routing/rng.ts";
import { buildDag, DagReferenceError, resolveInput } from "./dag.ts";
import type { Dag, TaskSpec, WorkflowSpec } from "./dag.ts";

export interface TaskContext {
  workflowId: string;
  taskId: string;
  /** 0 for the first attempt. */
  attempt: number;
  /** Stable across attempts and restarts: `<workflowId>/<taskId>`. Pass it to every side effect. */
  idempotencyKey: string;
  /** Aborted on timeout, on cancellation and when another task fails. */
  signal: AbortSignal;
}

export type TaskExecutor = (task: TaskSpec, input: Json, context: TaskContext) => Promise<Json>;

export type DagEvent =
  | { type: "task:started"; taskId: string; attempt: number }
  | { type: "task:completed"; taskId: string; attempt: number; output: Json }
  | { type: "task:failed"; taskId: string; attempt: number; error: string; willRetry: boolean }
  | { type: "task:skipped"; taskId: string; reason: string };

export interface RunDagOptions {
  execute: TaskExecutor;
  /** Most tasks running at once (default 16). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Outputs already known (a resumed run): these tasks are not run again. */
  completed?: ReadonlyMap<string, Json>;
  /** Per-attempt limit for tasks without `timeout_ms` (default 60 s). */
  defaultTimeoutMs?: number;
  /** Retries for tasks without `retries` (default 0). */
  defaultRetries?: number;
  backoff?: Backoff;
  /** Called synchronously, in order; a durable runner writes these to its log. */
  onEvent?: (event: DagEvent) => void;
}

export interface DagRunResult {
  workflowId: string;
  status: "completed" | "failed" | "cancelled";
  outputs: Map<string, Json>;
  /** Why the run failed or was cancelled. */
  error?: Error;
  failedTask?: string;
  /** Tasks that never ran because the run stopped first. */
  skipped: string[];
}

export class TaskTimeoutError extends Error {
  override name = "TaskTimeoutError";
  readonly taskId: string;
  readonly timeoutMs: number;
  constructor(taskId: string, timeoutMs: number) {
    super(
      `Task "${taskId}" did not finish within ${timeoutMs} ms; raise timeout_ms or make the agent faster.`,
    );
    this.taskId = taskId;
    this.timeoutMs = timeoutMs;
  }
}

export class WorkflowCancelledError extends Error {
  override name = "WorkflowCancelledError";
  readonly workflowId: string;
  constructor(workflowId: string, reason?: unknown) {
    super(`Workflow "${workflowId}" was cancelled${reason instanceof Error ? `: ${reason.message}` : ""}.`);
    this.workflowId = workflowId;
  }
}

const defaultBackoff = (): Backoff => new Backoff({ baseMs: 50, maxMs: 2_000, rng: seededRng(1) });

export async function runDag(workflow: WorkflowSpec | Dag, options: RunDagOptions): Promise<DagRunResult> {
  const dag = "order" in workflow ? workflow : buildDag(workflow);
  const workflowId = dag.spec.id;
  const concurrency = options.concurrency ?? 16;
  const backoff = options.backoff ?? defaultBackoff();
  const emit = options.onEvent ?? (() => {});
  const outputs = new Map<string, Json>();
  for (const [id, out] of options.completed ?? []) if (dag.byId.has(id)) outputs.set(id, out);

  const waiting = new Map<string, number>();
  const ready: TaskSpec[] = [];
  for (const task of dag.order) {
    if (outputs.has(task.id)) continue;
    const left = (task.depends_on ?? []).filter((d) => !outputs.has(d)).length;
    waiting.set(task.id, left);
    if (left === 0) ready.push(task);
  }

  const controller = new AbortController();
  const onOuterAbort = (): void =>
    controller.abort(new WorkflowCancelledError(workflowId, options.signal?.reason));
  if (options.signal?.aborted) onOuterAbort();
  else options.signal?.addEventListener("abort", onOuterAbort, { once: true });

  let failure: { taskId: string; error: Error } | undefined;
  let inflight = 0;

  const attemptOnce = async (task: TaskSpec, attempt: number): Promise<Json> => {
    const input = resolveInput(task, outputs);
    const timeoutMs = task.timeout_ms ?? options.defaultTimeoutMs ?? 60_000;
    const attemptController = new AbortController();
    const signal = AbortSignal.any([controller.signal, attemptController.signal]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const aborted = new Promise<never>((_, reject) => {
      timer = setTimeout(() => attemptController.abort(new TaskTimeoutError(task.id, timeoutMs)), timeoutMs);
      signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
    });
    aborted.catch(() => {});
    try {
      const context = {
        workflowId,
        taskId: task.id,
        attempt,
        idempotencyKey: `${workflowId}/${task.id}`,
        signal,
      };
      return await Promise.race([options.execute(task, input, context), aborted]);
    } finally {
      clearTimeout(timer);
      attemptController.abort(); // releases the AbortSignal.any listener
    }
  };

  const runTask = async (task: TaskSpec): Promise<Json> => {
    const retries = task.retries ?? options.defaultRetries ?? 0;
    for (let attempt = 0; ; attempt++) {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      emit({ type: "task:started", taskId: task.id, attempt });
      try {
        const output = await attemptOnce(task, attempt);
        emit({ type: "task:completed", taskId: task.id, attempt, output });
        return output;
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const willRetry =
          attempt < retries && !controller.signal.aborted && !(err instanceof DagReferenceError);
        emit({ type: "task:failed", taskId: task.id, attempt, error: err.message, willRetry });
        if (!willRetry) throw err;
        await sleep(backoff.delay(attempt), controller.signal);
      }
    }
  };

  return await new Promise<DagRunResult>((resolve) => {
    const finish = (): void => {
      options.signal?.removeEventListener("abort", onOuterAbort);
      const skipped = dag.order
        .filter((t) => !outputs.has(t.id) && t.id !== failure?.taskId)
        .map((t) => t.id);
      for (const id of skipped) {
        emit({
          type: "task:skipped",
          taskId: id,
          reason: failure ? `"${failure.taskId}" failed` : "cancelled",
        });
      }
      if (failure && !(failure.error instanceof WorkflowCancelledError)) {
        resolve({
          workflowId,
          status: "failed",
          outputs,
          error: failure.error,
          failedTask: failure.taskId,
          skipped,
        });
      } else if (controller.signal.aborted || outputs.size < dag.order.length) {
        const error =
          (controller.signal.reason as Error | undefined) ?? new WorkflowCancelledError(workflowId);
        resolve({ workflowId, status: "cancelled", outputs, error, skipped });
      } else {
        resolve({ workflowId, status: "completed", outputs, skipped });
      }
    };
    const start = (task: TaskSpec): void => {
      inflight++;
      runTask(task)
        .then(
          (output) => {
            outputs.set(task.id, output);
            for (const next of dag.dependants.get(task.id)!) {
              const left = waiting.get(next)! - 1;
              waiting.set(next, left);
              if (left === 0) ready.push(dag.byId.get(next)!);
            }
          },
          (error: Error) => {
            if (failure === undefined && !(error instanceof WorkflowCancelledError)) {
              failure = { taskId: task.id, error };
              controller.abort(error);
            }
          },
        )
        .finally(() => {
          inflight--;
          pump();
        });
    };
    const pump = (): void => {
      while (ready.length > 0 && inflight < concurrency && !controller.signal.aborted) start(ready.shift()!);
      if (inflight === 0) finish();
    };
    pump();
  });
}
