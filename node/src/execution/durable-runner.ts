/**
 * Runs workflows over the durable event log so that they survive the node crashing.
 *
 * Everything the runner knows is in the log, under the stream `workflow:<id>`:
 * `workflow:submitted` (the spec), `workflow:started` / `workflow:resumed`, the scheduler's
 * `task:*` events, `effect:*` records around each adapter call, and `workflow:completed` /
 * `workflow:failed` / `workflow:cancelled`. On restart `resumeAll()` rebuilds each unfinished
 * workflow from those events: completed tasks keep their recorded outputs and are not run again;
 * a task that was running when the node died runs again with the same idempotency key.
 */
import type { Json, SqliteEventLog } from "../storage/event-log.ts";
import { runEffectOnce } from "../storage/effects.ts";
import { buildDag } from "./dag.ts";
import type { WorkflowSpec } from "./dag.ts";
import { runDag } from "./scheduler.ts";
import type { DagEvent, DagRunResult, RunDagOptions } from "./scheduler.ts";
import type { AdapterRegistry } from "./adapter-registry.ts";

export interface DurableRunnerInit {
  concurrency?: number;
  defaultTimeoutMs?: number;
  defaultRetries?: number;
  backoff?: RunDagOptions["backoff"];
  /** Told of every scheduler event after it is in the log (the API streams these). */
  onEvent?: (workflowId: string, event: DagEvent) => void;
}

/** Where task inputs and outputs are stored as content-addressed blocks (storage's BlockStore). */
export interface ArtifactStore {
  putJson(value: unknown): Promise<string>;
}

export interface DurableRunnerComponents {
  log: SqliteEventLog;
  adapters: AdapterRegistry;
  /** When set, each task's resolved input and its output are stored, and their CIDs logged. */
  artifacts?: ArtifactStore;
}

/** The CIDs of a task's input and output blocks. */
export interface TaskArtifacts {
  inputCid: string;
  outputCid: string;
}

export type WorkflowStatus = "submitted" | "running" | "completed" | "failed" | "cancelled";

/** A workflow's state, rebuilt from the log. */
export interface WorkflowState {
  spec: WorkflowSpec;
  status: WorkflowStatus;
  outputs: Map<string, Json>;
  /** How many times a run began (1 + restarts). */
  runs: number;
  /** Input and output CIDs per task, when the runner has an artifact store. */
  artifacts: Map<string, TaskArtifacts>;
  error?: string;
}

export class UnknownWorkflowError extends Error {
  override name = "UnknownWorkflowError";
  readonly workflowId: string;
  constructor(workflowId: string) {
    super(`No workflow "${workflowId}" was submitted to this node's log; submit it first.`);
    this.workflowId = workflowId;
  }
}

export class WorkflowConflictError extends Error {
  override name = "WorkflowConflictError";
  readonly workflowId: string;
  constructor(workflowId: string) {
    super(`A different workflow with id "${workflowId}" was already submitted; use a new id.`);
    this.workflowId = workflowId;
  }
}

const streamOf = (id: string): string => `workflow:${id}`;

export class DurableWorkflowRunner {
  private readonly log: SqliteEventLog;
  private readonly adapters: AdapterRegistry;
  private readonly artifacts: ArtifactStore | undefined;
  private readonly init: DurableRunnerInit;
  private readonly running = new Map<string, Promise<DagRunResult>>();

  constructor(components: DurableRunnerComponents, init: DurableRunnerInit = {}) {
    this.log = components.log;
    this.adapters = components.adapters;
    this.artifacts = components.artifacts;
    this.init = init;
  }

  /** Records the workflow (once: resubmitting the same spec is a no-op) and returns its id. */
  submit(spec: WorkflowSpec): string {
    buildDag(spec);
    const stored = this.log.append(streamOf(spec.id), "workflow:submitted", { spec } as unknown as Json, {
      key: `workflow:${spec.id}:submitted`,
    });
    if (JSON.stringify((stored.data as unknown as { spec: WorkflowSpec }).spec) !== JSON.stringify(spec)) {
      throw new WorkflowConflictError(spec.id);
    }
    return spec.id;
  }

  /** Rebuilds one workflow's state from the log. */
  state(workflowId: string): WorkflowState {
    let state: WorkflowState | undefined;
    for (const e of this.log.read({ stream: streamOf(workflowId) })) {
      const data = e.data as Record<string, Json>;
      if (e.type === "workflow:submitted") {
        state = {
          spec: data.spec as unknown as WorkflowSpec,
          status: "submitted",
          outputs: new Map(),
          runs: 0,
          artifacts: new Map(),
        };
      } else if (state === undefined) {
        continue;
      } else if (e.type === "workflow:started" || e.type === "workflow:resumed") {
        state.status = "running";
        state.runs++;
      } else if (e.type === "task:artifacts") {
        state.artifacts.set(data.taskId as string, {
          inputCid: data.inputCid as string,
          outputCid: data.outputCid as string,
        });
      } else if (e.type === "task:completed") {
        state.outputs.set(data.taskId as string, data.output ?? null);
      } else if (e.type === "workflow:completed") {
        state.status = "completed";
      } else if (e.type === "workflow:failed" || e.type === "workflow:cancelled") {
        state.status = e.type === "workflow:failed" ? "failed" : "cancelled";
        state.error = data.error as string;
      }
    }
    if (state === undefined) throw new UnknownWorkflowError(workflowId);
    return state;
  }

  /** Ids of workflows submitted but not finished (the ones to resume after a restart). */
  unfinished(): string[] {
    const open = new Set<string>();
    for (const e of this.log.read()) {
      if (!e.stream.startsWith("workflow:")) continue;
      const id = e.stream.slice("workflow:".length);
      if (e.type === "workflow:submitted") open.add(id);
      else if (
        e.type === "workflow:completed" ||
        e.type === "workflow:failed" ||
        e.type === "workflow:cancelled"
      ) {
        open.delete(id);
      }
    }
    return [...open];
  }

  /** Runs (or resumes) a submitted workflow to its end. */
  run(workflowId: string, signal?: AbortSignal): Promise<DagRunResult> {
    const existing = this.running.get(workflowId);
    if (existing !== undefined) return existing;
    const promise = this.execute(workflowId, signal).finally(() => this.running.delete(workflowId));
    this.running.set(workflowId, promise);
    return promise;
  }

  /** Resumes every unfinished workflow in the log. */
  async resumeAll(signal?: AbortSignal): Promise<DagRunResult[]> {
    return await Promise.all(this.unfinished().map((id) => this.run(id, signal)));
  }

  private async execute(workflowId: string, signal?: AbortSignal): Promise<DagRunResult> {
    const state = this.state(workflowId);
    const stream = streamOf(workflowId);
    if (state.status === "completed") {
      return { workflowId, status: "completed", outputs: state.outputs, skipped: [] };
    }
    if (state.status === "failed" || state.status === "cancelled") {
      return {
        workflowId,
        status: state.status,
        outputs: state.outputs,
        error: new Error(state.error ?? state.status),
        skipped: [],
      };
    }
    this.log.append(stream, state.runs === 0 ? "workflow:started" : "workflow:resumed", {
      completed: [...state.outputs.keys()],
    });
    const execute = this.adapters.executor();
    const options: RunDagOptions = {
      completed: state.outputs,
      execute: async (task, input, context) => {
        const inputCid = this.artifacts === undefined ? undefined : await this.artifacts.putJson(input);
        const { result } = await runEffectOnce(this.log, stream, context.idempotencyKey, () =>
          execute(task, input, context),
        );
        if (this.artifacts !== undefined) {
          const outputCid = await this.artifacts.putJson(result);
          this.log.append(
            stream,
            "task:artifacts",
            { taskId: task.id, inputCid: inputCid!, outputCid },
            { sync: false },
          );
        }
        return result;
      },
      onEvent: (event: DagEvent) => {
        const { type, ...data } = event;
        // Only effect:done (written by runEffectOnce) and the workflow's end wait for the disk: a
        // scheduler event lost in a crash is rebuilt on restart (a completed task's result is
        // replayed from its effect:done, a started one just runs again under the same key).
        this.log.append(stream, type, data as unknown as Json, { sync: false });
        this.init.onEvent?.(workflowId, event);
      },
      ...(signal === undefined ? {} : { signal }),
      ...(this.init.concurrency === undefined ? {} : { concurrency: this.init.concurrency }),
      ...(this.init.defaultTimeoutMs === undefined ? {} : { defaultTimeoutMs: this.init.defaultTimeoutMs }),
      ...(this.init.defaultRetries === undefined ? {} : { defaultRetries: this.init.defaultRetries }),
      ...(this.init.backoff === undefined ? {} : { backoff: this.init.backoff }),
    };
    const result = await runDag(state.spec, options);
    if (result.status === "completed") {
      this.log.append(stream, "workflow:completed", { outputs: Object.fromEntries(result.outputs) });
    } else {
      this.log.append(stream, `workflow:${result.status}`, {
        error: result.error?.message ?? result.status,
        task: result.failedTask ?? null,
      });
    }
    return result;
  }
}
