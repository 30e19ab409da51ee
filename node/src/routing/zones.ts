/**
 * Jurisdiction zones. A task allows a set of zones; an agent declares the zones it runs in. A task
 * is only routed to an agent with a zone in the task's set, and its inputs only unseal inside them.
 */
import type { AgentId, Zone } from "./types.ts";

const ZONE = /^[a-z][a-z0-9-]{0,31}$/;

export class InvalidZoneError extends Error {
  override name = "InvalidZoneError";
  readonly zone: string;
  constructor(zone: string) {
    super(`"${zone}" is not a zone name: use lower-case letters, digits and "-" (e.g. "eu", "us-east").`);
    this.zone = zone;
  }
}

/** A task's zone policy in canonical form: sorted, unique, validated. */
export function canonicalZones(zones: readonly string[]): Zone[] {
  if (zones.length === 0) throw new InvalidZoneError("");
  const out = [...new Set(zones.map((z) => z.toLowerCase()))].sort();
  for (const z of out) if (!ZONE.test(z)) throw new InvalidZoneError(z);
  return out;
}

/** The canonical policy string bound into envelopes (AAD and key derivation). */
export function zonePolicyString(zones: readonly string[]): string {
  return `zones=${canonicalZones(zones).join(",")}`;
}

/** Whether an agent in `agentZones` may serve a task allowing `allowed`. */
export function zonesIntersect(agentZones: readonly Zone[], allowed: ReadonlySet<Zone>): boolean {
  for (const z of agentZones) if (allowed.has(z)) return true;
  return false;
}

export class ZoneViolationError extends Error {
  override name = "ZoneViolationError";
  readonly agentId: AgentId;
  readonly agentZones: Zone[];
  readonly allowedZones: Zone[];
  constructor(agentId: AgentId, agentZones: readonly Zone[], allowedZones: readonly Zone[]) {
    super(
      `Refused to route to ${agentId}: it runs in zone ${agentZones.join(", ") || "(none declared)"}, ` +
        `but the task allows only ${allowedZones.join(", ")}. Pick an agent in an allowed zone.`,
    );
    this.agentId = agentId;
    this.agentZones = [...agentZones];
    this.allowedZones = [...allowedZones];
  }
}

/** Throws ZoneViolationError unless the agent runs in one of the allowed zones. */
export function assertRoutable(
  agentId: AgentId,
  agentZones: readonly Zone[],
  allowed: readonly Zone[],
): void {
  if (!zonesIntersect(agentZones, new Set(allowed)))
    throw new ZoneViolationError(agentId, agentZones, allowed);
}
