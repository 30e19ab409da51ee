import type { Json } from "../../storage/event-log.ts";

/** What an agent adapter receives for one attempt of one task. */
export interface AgentRequest {
  taskId: string;
  capability?: string;
  input: Json;
  /** Stable across retries and restarts; adapters pass it on to whatever has side effects. */
  idempotencyKey: string;
  attempt: number;
  signal: AbortSignal;
}

/** A way to run an agent: HTTP, a WASM sandbox, a built-in function. */
export interface AgentAdapter {
  /** The name tasks use in `agent`, e.g. `builtin:uppercase`. */
  readonly name: string;
  invoke(request: AgentRequest): Promise<Json>;
}

export class UnknownAgentError extends Error {
  override name = "UnknownAgentError";
  readonly agent: string;
  readonly known: string[];
  constructor(agent: string, known: string[]) {
    super(`No adapter is registered for agent "${agent}"; registered: ${known.join(", ") || "none"}.`);
    this.agent = agent;
    this.known = known;
  }
}

export class AgentInputError extends Error {
  override name = "AgentInputError";
  readonly agent: string;
  constructor(agent: string, expected: string) {
    super(`Agent "${agent}" expects ${expected}.`);
    this.agent = agent;
  }
}
