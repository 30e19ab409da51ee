/** Deterministic built-in agents for demos and tests: same input, same output, no I/O. */
import { createHash } from "node:crypto";
import type { Json } from "../../storage/event-log.ts";
import { sleep } from "../../routing/backoff.ts";
import { AgentInputError } from "./types.ts";
import type { AgentAdapter, AgentRequest } from "./types.ts";

type Fn = (input: Json, request: AgentRequest) => Json | Promise<Json>;

function obj(agent: string, input: Json, expected: string): Record<string, Json> {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    throw new AgentInputError(agent, expected);
  return input;
}
function str(agent: string, value: Json | undefined, expected: string): string {
  if (typeof value !== "string") throw new AgentInputError(agent, expected);
  return value;
}

const builtins: Record<string, Fn> = {
  echo: (input) => input,
  uppercase: (input) => ({
    text: str(
      "builtin:uppercase",
      obj("builtin:uppercase", input, "{ text }").text,
      "{ text: string }",
    ).toUpperCase(),
  }),
  "word-count": (input) => {
    const text = str(
      "builtin:word-count",
      obj("builtin:word-count", input, "{ text }").text,
      "{ text: string }",
    );
    return { words: text.split(/\s+/).filter((w) => w.length > 0).length };
  },
  sum: (input) => {
    const values = obj("builtin:sum", input, "{ values: number[] }").values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === "number")) {
      throw new AgentInputError("builtin:sum", "{ values: number[] }");
    }
    return { sum: (values as number[]).reduce((a, b) => a + b, 0) };
  },
  concat: (input) => {
    const { parts, separator } = obj("builtin:concat", input, "{ parts: string[], separator? }");
    if (!Array.isArray(parts) || !parts.every((p) => typeof p === "string")) {
      throw new AgentInputError("builtin:concat", "{ parts: string[], separator?: string }");
    }
    return { text: (parts as string[]).join(typeof separator === "string" ? separator : " ") };
  },
  sha256: (input) => ({ sha256: createHash("sha256").update(JSON.stringify(input)).digest("hex") }),
  /** Waits `ms` (honouring cancellation), then returns `value`: for timeout and cancellation demos. */
  delay: async (input, request) => {
    const { ms, value } = obj("builtin:delay", input, "{ ms: number, value? }");
    if (typeof ms !== "number") throw new AgentInputError("builtin:delay", "{ ms: number, value?: any }");
    await sleep(ms, request.signal);
    return value ?? null;
  },
  /** Fails its first `failures` attempts, then echoes `value`: for retry demos. */
  flaky: (input, request) => {
    const { failures, value } = obj("builtin:flaky", input, "{ failures: number, value? }");
    if (typeof failures !== "number")
      throw new AgentInputError("builtin:flaky", "{ failures: number, value?: any }");
    if (request.attempt < failures) {
      throw new Error(
        `builtin:flaky failed on purpose (attempt ${request.attempt + 1} of ${failures} failures)`,
      );
    }
    return value ?? null;
  },
};

class BuiltinAgent implements AgentAdapter {
  readonly name: string;
  private readonly fn: Fn;
  constructor(name: string, fn: Fn) {
    this.name = name;
    this.fn = fn;
  }
  async invoke(request: AgentRequest): Promise<Json> {
    request.signal.throwIfAborted();
    return await this.fn(request.input, request);
  }
}

/** Every built-in agent, named `builtin:<name>`. */
export function builtinAgents(): AgentAdapter[] {
  return Object.entries(builtins).map(([name, fn]) => new BuiltinAgent(`builtin:${name}`, fn));
}

export const builtinAgentNames: readonly string[] = Object.keys(builtins).map((n) => `builtin:${n}`);
