/**
 * execution/: workflows as DAGs (dag.ts, scheduler.ts), agent adapters (adapters/), and the durable
 * runner that survives crashes by rebuilding from the event log (durable-runner.ts).
 */
import { AdapterRegistry } from "./adapter-registry.ts";
import { DurableWorkflowRunner } from "./durable-runner.ts";
import type { ArtifactStore, DurableRunnerInit } from "./durable-runner.ts";
import type { SqliteEventLog } from "../storage/event-log.ts";
import type { AgentAdapter } from "./adapters/types.ts";

export { buildDag, resolveInput, DagValidationError, DagReferenceError } from "./dag.ts";
export type { Dag, TaskSpec, WorkflowSpec } from "./dag.ts";
export { runDag, TaskTimeoutError, WorkflowCancelledError } from "./scheduler.ts";
export type { DagEvent, DagRunResult, RunDagOptions, TaskContext, TaskExecutor } from "./scheduler.ts";
export { AdapterRegistry } from "./adapter-registry.ts";
export { DurableWorkflowRunner, UnknownWorkflowError, WorkflowConflictError } from "./durable-runner.ts";
export type {
  ArtifactStore,
  DurableRunnerComponents,
  DurableRunnerInit,
  TaskArtifacts,
  WorkflowState,
  WorkflowStatus,
} from "./durable-runner.ts";
export { AgentInputError, UnknownAgentError } from "./adapters/types.ts";
export type { AgentAdapter, AgentRequest } from "./adapters/types.ts";
export { builtinAgents, builtinAgentNames } from "./adapters/builtin.ts";
export { HttpChatAdapter, HttpAgentError } from "./adapters/http-chat.ts";
export type { HttpChatAdapterInit } from "./adapters/http-chat.ts";
export {
  SandboxImportRefusedError,
  SandboxMemoryLimitError,
  SandboxTimeoutError,
  WasmAgentError,
  WasmSandboxAdapter,
} from "./adapters/wasm-sandbox.ts";
export type { WasmSandboxInit } from "./adapters/wasm-sandbox.ts";
export { isSealedEnvelope, sealInput, UnsealedInputError, ZonedAdapter } from "./adapters/zoned.ts";
export { buildWasm, inspectWasm, uppercaseWasm, WasmFormatError } from "./adapters/wasm-binary.ts";
export type { BuildSpec, WasmImport, WasmModuleInfo } from "./adapters/wasm-binary.ts";

export type ExecutionInit = DurableRunnerInit;

export interface ExecutionComponents {
  log: SqliteEventLog;
  /** Adapters besides the built-in agents (HTTP chat endpoints, WASM modules). */
  adapters?: AgentAdapter[];
  /** The Helia block store (storage/blocks.ts) for inputs and outputs. */
  artifacts?: ArtifactStore;
}

/** A durable workflow runner with the built-in agents plus `components.adapters`. */
export async function createExecution(
  init: ExecutionInit,
  components: ExecutionComponents,
): Promise<DurableWorkflowRunner> {
  const { builtinAgents } = await import("./adapters/builtin.ts");
  const adapters = new AdapterRegistry([...builtinAgents(), ...(components.adapters ?? [])]);
  return new DurableWorkflowRunner(
    { log: components.log, adapters, ...(components.artifacts ? { artifacts: components.artifacts } : {}) },
    init,
  );
}
