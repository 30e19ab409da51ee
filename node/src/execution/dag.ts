/**
 * Workflows as DAGs: task ids, `depends_on`, fan-out and fan-in, and inputs that refer to earlier
 * outputs with `{ "$ref": "<taskId>.output[.<field>...]" }`.
 */
import type { Json } from "../storage/event-log.ts";

export interface TaskSpec {
  /** Unique within the workflow: letters, digits, `_` and `-`. */
  id: string;
  /** The adapter (agent) that runs it, e.g. `builtin:uppercase`, `http:chat`, `wasm:<name>`. */
  agent: string;
  capability?: string;
  /** Any JSON; objects `{ "$ref": "a.output.x" }` are replaced by that earlier output. */
  input?: Json;
  depends_on?: string[];
  /** Per-attempt limit; the workflow default applies when absent. */
  timeout_ms?: number;
  /** Retries after the first attempt; the workflow default applies when absent. */
  retries?: number;
}

export interface WorkflowSpec {
  id: string;
  tasks: TaskSpec[];
}

export class DagValidationError extends Error {
  override name = "DagValidationError";
  readonly workflowId: string;
  readonly taskId: string | undefined;
  constructor(workflowId: string, taskId: string | undefined, message: string) {
    super(`Workflow "${workflowId}"${taskId === undefined ? "" : `, task "${taskId}"`}: ${message}`);
    this.workflowId = workflowId;
    this.taskId = taskId;
  }
}

export class DagReferenceError extends Error {
  override name = "DagReferenceError";
  readonly taskId: string;
  readonly ref: string;
  constructor(taskId: string, ref: string, message: string) {
    super(`Task "${taskId}" refers to "${ref}": ${message}`);
    this.taskId = taskId;
    this.ref = ref;
  }
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A checked workflow: tasks in a topological order, with each task's ancestors. */
export interface Dag {
  spec: WorkflowSpec;
  order: readonly TaskSpec[];
  byId: ReadonlyMap<string, TaskSpec>;
  dependants: ReadonlyMap<string, readonly string[]>;
  ancestors: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Validates ids, dependencies, acyclicity and references; throws DagValidationError. */
export function buildDag(spec: WorkflowSpec): Dag {
  checkShape(spec);
  if (!ID.test(spec.id))
    throw new DagValidationError(spec.id, undefined, "the workflow id must match " + ID.source);
  if (spec.tasks.length === 0) throw new DagValidationError(spec.id, undefined, "it has no tasks");
  const byId = new Map<string, TaskSpec>();
  for (const task of spec.tasks) {
    if (!ID.test(task.id)) throw new DagValidationError(spec.id, task.id, `the id must match ${ID.source}`);
    if (byId.has(task.id)) throw new DagValidationError(spec.id, task.id, "the id is used twice");
    byId.set(task.id, task);
  }
  const dependants = new Map<string, string[]>(spec.tasks.map((t) => [t.id, []]));
  const indegree = new Map<string, number>();
  for (const task of spec.tasks) {
    const deps = task.depends_on ?? [];
    if (new Set(deps).size !== deps.length) {
      throw new DagValidationError(spec.id, task.id, "depends_on lists a task twice");
    }
    for (const dep of deps) {
      if (!byId.has(dep)) {
        throw new DagValidationError(spec.id, task.id, `depends_on names "${dep}", which is not a task here`);
      }
      dependants.get(dep)!.push(task.id);
    }
    indegree.set(task.id, deps.length);
  }
  // Kahn's algorithm: what is left over lies on a cycle.
  const order: TaskSpec[] = [];
  const queue = spec.tasks.filter((t) => indegree.get(t.id) === 0).map((t) => t.id);
  while (queue.length > 0) {
    const id = queue.shift()!;
    order.push(byId.get(id)!);
    for (const next of dependants.get(id)!) {
      const left = indegree.get(next)! - 1;
      indegree.set(next, left);
      if (left === 0) queue.push(next);
    }
  }
  if (order.length !== spec.tasks.length) {
    const stuck = spec.tasks.filter((t) => indegree.get(t.id)! > 0).map((t) => t.id);
    throw new DagValidationError(spec.id, undefined, `depends_on forms a cycle through ${stuck.join(", ")}`);
  }
  const ancestors = new Map<string, Set<string>>();
  for (const task of order) {
    const set = new Set<string>();
    for (const dep of task.depends_on ?? []) {
      set.add(dep);
      for (const a of ancestors.get(dep)!) set.add(a);
    }
    ancestors.set(task.id, set);
  }
  for (const task of spec.tasks) {
    for (const ref of collectRefs(task.input ?? null)) {
      const source = ref.split(".")[0]!;
      if (!ancestors.get(task.id)!.has(source) || ref.split(".")[1] !== "output") {
        throw new DagValidationError(
          spec.id,
          task.id,
          `the input refers to "${ref}"; a reference must be "<task>.output[.field]" of a task it depends on`,
        );
      }
    }
  }
  return { spec, order, byId, dependants, ancestors };
}

/** Schema check of an untrusted spec (e.g. from the HTTP API), before anything else reads it. */
function checkShape(spec: unknown): asserts spec is WorkflowSpec {
  const wf = spec as Partial<WorkflowSpec> | null;
  const id = typeof wf?.id === "string" ? wf.id : "(no id)";
  const fail = (taskId: string | undefined, message: string): never => {
    throw new DagValidationError(id, taskId, message);
  };
  if (typeof wf !== "object" || wf === null || Array.isArray(wf))
    fail(undefined, "the workflow must be a JSON object");
  if (typeof wf!.id !== "string") fail(undefined, 'it needs a string "id"');
  if (!Array.isArray(wf!.tasks)) fail(undefined, 'it needs a "tasks" array');
  if (wf!.tasks!.length > 10_000)
    fail(undefined, `it has ${wf!.tasks!.length} tasks; at most 10,000 are allowed`);
  for (const [i, t] of wf!.tasks!.entries()) {
    const task = t as Partial<TaskSpec> | null;
    if (typeof task !== "object" || task === null || Array.isArray(task))
      fail(`#${i}`, "a task must be an object");
    const tid = typeof task!.id === "string" ? task!.id : `#${i}`;
    if (typeof task!.id !== "string") fail(tid, 'a task needs a string "id"');
    if (typeof task!.agent !== "string" || task!.agent.length === 0)
      fail(tid, 'a task needs a string "agent"');
    if (task!.capability !== undefined && typeof task!.capability !== "string")
      fail(tid, '"capability" must be a string');
    const deps = task!.depends_on;
    if (deps !== undefined && (!Array.isArray(deps) || !deps.every((d) => typeof d === "string"))) {
      fail(tid, '"depends_on" must be an array of task ids');
    }
    const timeout = task!.timeout_ms;
    if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && timeout <= 86_400_000)) {
      fail(tid, '"timeout_ms" must be a number of milliseconds in (0, 86,400,000]');
    }
    const retries = task!.retries;
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 100)) {
      fail(tid, '"retries" must be a whole number from 0 to 100');
    }
  }
}

function isRef(value: Json): value is { $ref: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof value["$ref"] === "string"
  );
}

function collectRefs(value: Json, out: string[] = []): string[] {
  if (isRef(value)) out.push(value.$ref);
  else if (Array.isArray(value)) for (const v of value) collectRefs(v, out);
  else if (typeof value === "object" && value !== null)
    for (const v of Object.values(value)) collectRefs(v, out);
  return out;
}

/** Replaces every `{ "$ref": ... }` in a task's input by the earlier output it names. */
export function resolveInput(task: TaskSpec, outputs: ReadonlyMap<string, Json>): Json {
  const walk = (value: Json): Json => {
    if (isRef(value)) return lookup(task.id, value.$ref, outputs);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(task.input ?? null);
}

function lookup(taskId: string, ref: string, outputs: ReadonlyMap<string, Json>): Json {
  const [source, _output, ...fields] = ref.split(".");
  if (!outputs.has(source!)) throw new DagReferenceError(taskId, ref, `"${source}" has no output yet`);
  let value: Json = outputs.get(source!)!;
  for (const field of fields) {
    if (typeof value !== "object" || value === null || !(field in value)) {
      throw new DagReferenceError(taskId, ref, `the output of "${source}" has no field "${field}"`);
    }
    value = (value as Record<string, Json>)[field]!;
  }
  return value;
}
