/**
 * Runs an agent inside a jurisdiction zone: a task input that is a sealed envelope (routing's
 * `seal`) is opened with this node's zone key just before the agent runs, so the runner's log and
 * block store only ever hold the envelope, never the input in the clear. Outside the
 * envelope's zones, `unseal` refuses with ZoneUnsealRefusedError naming both zones.
 */
import type { Json } from "../../storage/event-log.ts";
import { seal, unseal } from "../../routing/envelope.ts";
import type { SealedEnvelope, ZoneKey } from "../../routing/envelope.ts";
import type { AgentAdapter, AgentRequest } from "./types.ts";

export function isSealedEnvelope(value: Json): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    value.v === 1 &&
    typeof value.alg === "string" &&
    Array.isArray(value.zones) &&
    typeof value.payload === "object"
  );
}

/** Seals a JSON task input for `zones` (see routing/envelope.ts); the result is itself JSON. */
export function sealInput(
  input: Json,
  zones: readonly string[],
  zoneDirectory: Readonly<Record<string, Uint8Array>>,
): Json {
  return seal(new TextEncoder().encode(JSON.stringify(input)), zones, zoneDirectory) as unknown as Json;
}

export class UnsealedInputError extends Error {
  override name = "UnsealedInputError";
  readonly agent: string;
  constructor(agent: string) {
    super(
      `Agent "${agent}" only takes sealed inputs; seal the task input with sealInput(input, zones, directory).`,
    );
    this.agent = agent;
  }
}

export class ZonedAdapter implements AgentAdapter {
  readonly name: string;
  private readonly inner: AgentAdapter;
  private readonly key: ZoneKey;
  private readonly requireSealed: boolean;

  constructor(inner: AgentAdapter, key: ZoneKey, options: { requireSealed?: boolean } = {}) {
    this.name = inner.name;
    this.inner = inner;
    this.key = key;
    this.requireSealed = options.requireSealed ?? false;
  }

  get zone(): string {
    return this.key.zone;
  }

  async invoke(request: AgentRequest): Promise<Json> {
    if (!isSealedEnvelope(request.input)) {
      if (this.requireSealed) throw new UnsealedInputError(this.name);
      return await this.inner.invoke(request);
    }
    const plaintext = unseal(request.input as unknown as SealedEnvelope, this.key);
    const input = JSON.parse(new TextDecoder().decode(plaintext)) as Json;
    return await this.inner.invoke({ ...request, input });
  }
}
