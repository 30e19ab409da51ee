import type { Json } from "../storage/event-log.ts";
import type { TaskSpec } from "./dag.ts";
import type { TaskContext, TaskExecutor } from "./scheduler.ts";
import { UnknownAgentError } from "./adapters/types.ts";
import type { AgentAdapter } from "./adapters/types.ts";

/** The adapters a node can run tasks with, by name. */
export class AdapterRegistry {
  private readonly adapters = new Map<string, AgentAdapter>();

  constructor(adapters: Iterable<AgentAdapter> = []) {
    for (const a of adapters) this.register(a);
  }

  register(adapter: AgentAdapter): void {
    if (this.adapters.has(adapter.name)) {
      throw new Error(`An adapter named "${adapter.name}" is already registered; pick another name.`);
    }
    this.adapters.set(adapter.name, adapter);
  }

  get(name: string): AgentAdapter {
    const adapter = this.adapters.get(name);
    if (adapter === undefined) throw new UnknownAgentError(name, [...this.adapters.keys()]);
    return adapter;
  }

  names(): string[] {
    return [...this.adapters.keys()];
  }

  /** A scheduler executor that hands each task to its adapter. */
  executor(): TaskExecutor {
    return (task: TaskSpec, input: Json, context: TaskContext) =>
      this.get(task.agent).invoke({
        taskId: task.id,
        ...(task.capability === undefined ? {} : { capability: task.capability }),
        input,
        idempotencyKey: context.idempotencyKey,
        attempt: context.attempt,
        signal: context.signal,
      });
  }
}
