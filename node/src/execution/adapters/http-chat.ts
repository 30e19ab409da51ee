/**
 * An agent behind an OpenAI-compatible chat-completions endpoint (`POST <baseUrl>/chat/completions`).
 * Input: `{ messages: [{ role, content }], model?, temperature?, max_tokens? }` or `{ prompt }`.
 * Output: `{ content, model, finish_reason, usage }`. The task's idempotency key goes in the
 * `Idempotency-Key` header, so a server that honours it never acts twice on a retried task.
 */
import type { Json } from "../../storage/event-log.ts";
import { AgentInputError } from "./types.ts";
import type { AgentAdapter, AgentRequest } from "./types.ts";

export interface HttpChatAdapterInit {
  /** Adapter name used by tasks (default `http:chat`). */
  name?: string;
  /** e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Largest response body accepted (default 1 MiB). */
  maxResponseBytes?: number;
}

export class HttpAgentError extends Error {
  override name = "HttpAgentError";
  readonly url: string;
  readonly status: number | undefined;
  constructor(url: string, status: number | undefined, detail: string) {
    super(`The chat endpoint ${url} ${status === undefined ? "" : `answered HTTP ${status}: `}${detail}`);
    this.url = url;
    this.status = status;
  }
}

interface ChatResponse {
  model?: string;
  choices?: Array<{ message?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: Json;
}

export class HttpChatAdapter implements AgentAdapter {
  readonly name: string;
  private readonly init: HttpChatAdapterInit;
  constructor(init: HttpChatAdapterInit) {
    this.name = init.name ?? "http:chat";
    this.init = init;
  }

  async invoke(request: AgentRequest): Promise<Json> {
    const body = this.body(request.input);
    const url = `${this.init.baseUrl.replace(/\/$/, "")}/chat/completions`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
      "idempotency-key": request.idempotencyKey,
    };
    if (this.init.apiKey !== undefined) headers.authorization = `Bearer ${this.init.apiKey}`;
    let res: Response;
    try {
      res = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: request.signal });
    } catch (error) {
      if (request.signal.aborted) throw request.signal.reason as Error;
      throw new HttpAgentError(url, undefined, `could not be reached (${(error as Error).message}).`);
    }
    const text = await res.text();
    if (text.length > (this.init.maxResponseBytes ?? 1 << 20)) {
      throw new HttpAgentError(url, res.status, `sent ${text.length} bytes, more than the limit.`);
    }
    if (!res.ok) throw new HttpAgentError(url, res.status, text.slice(0, 200) || res.statusText);
    let parsed: ChatResponse;
    try {
      parsed = JSON.parse(text) as ChatResponse;
    } catch {
      throw new HttpAgentError(url, res.status, "sent a body that is not JSON.");
    }
    const choice = parsed.choices?.[0];
    if (typeof choice?.message?.content !== "string") {
      throw new HttpAgentError(url, res.status, "sent no choices[0].message.content.");
    }
    return {
      content: choice.message.content,
      model: parsed.model ?? this.init.model,
      finish_reason: choice.finish_reason ?? null,
      usage: parsed.usage ?? null,
    };
  }

  private body(input: Json): Record<string, Json> {
    const expected = "{ messages: [{ role, content }] } or { prompt: string }";
    if (typeof input !== "object" || input === null || Array.isArray(input))
      throw new AgentInputError(this.name, expected);
    const { messages, prompt, model, temperature, max_tokens } = input;
    const chat: Json =
      typeof prompt === "string"
        ? [{ role: "user", content: prompt }]
        : Array.isArray(messages)
          ? messages
          : null;
    if (chat === null) throw new AgentInputError(this.name, expected);
    const body: Record<string, Json> = {
      model: typeof model === "string" ? model : this.init.model,
      messages: chat,
    };
    if (typeof temperature === "number") body.temperature = temperature;
    if (typeof max_tokens === "number") body.max_tokens = max_tokens;
    return body;
  }
}
