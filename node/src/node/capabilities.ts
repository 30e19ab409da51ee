/** The capabilities devnet agents serve, and the built-in agent behind each. */
export const CAPABILITY_AGENTS: Record<string, string> = {
  "text.uppercase": "builtin:uppercase",
  "text.word-count": "builtin:word-count",
  "text.concat": "builtin:concat",
  "math.sum": "builtin:sum",
  "hash.sha256": "builtin:sha256",
  "text.echo": "builtin:echo",
};

export class UnknownCapabilityError extends Error {
  override name = "UnknownCapabilityError";
  readonly capability: string;
  constructor(capability: string) {
    super(
      `No built-in agent serves capability "${capability}"; known: ${Object.keys(CAPABILITY_AGENTS).join(", ")}.`,
    );
    this.capability = capability;
  }
}

export function agentFor(capability: string): string {
  const agent = CAPABILITY_AGENTS[capability];
  if (agent === undefined) throw new UnknownCapabilityError(capability);
  return agent;
}
