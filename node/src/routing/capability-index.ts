/**
 * The capability index: which registered agents offer which capability, in which zones, with
 * their latest heartbeat. Registry events decide who exists; heartbeats only update the load and
 * liveness of registered agents (a heartbeat from an unknown agent is counted and dropped).
 */
import type { AgentId, AgentLoad, Capability, Heartbeat, RegistryEvent, Zone } from "./types.ts";
import type { Clock } from "./clock.ts";

export interface AgentRecord {
  readonly id: AgentId;
  capabilities: ReadonlySet<Capability>;
  zones: readonly Zone[];
  endpoint: string | undefined;
  load: AgentLoad | undefined;
  lastHeardAt: number | undefined;
  lastSeq: number;
  /** The `at` of the last registry event applied. */
  registryAt: number;
}

export interface IndexStats {
  agents: number;
  capabilities: number;
  heartbeatsApplied: number;
  heartbeatsDropped: number;
  staleRegistryEvents: number;
}

const EMPTY: readonly AgentRecord[] = Object.freeze([]);

export class CapabilityIndex {
  private readonly clock: Clock;
  private readonly agents = new Map<AgentId, AgentRecord>();
  private readonly byCapability = new Map<Capability, { list: AgentRecord[]; pos: Map<AgentId, number> }>();
  private readonly stats = { heartbeatsApplied: 0, heartbeatsDropped: 0, staleRegistryEvents: 0 };

  constructor(clock: Clock) {
    this.clock = clock;
  }

  applyRegistryEvent(event: RegistryEvent): void {
    const existing = this.agents.get(event.agentId);
    if (existing !== undefined && event.at < existing.registryAt) {
      this.stats.staleRegistryEvents++;
      return;
    }
    if (existing !== undefined) this.unindex(existing);
    if (event.type === "agent:deregistered") {
      this.agents.delete(event.agentId);
      return;
    }
    const record: AgentRecord = existing ?? {
      id: event.agentId,
      capabilities: new Set(),
      zones: [],
      endpoint: undefined,
      load: undefined,
      lastHeardAt: undefined,
      lastSeq: -1,
      registryAt: event.at,
    };
    record.capabilities = new Set(event.capabilities);
    record.zones = [...new Set(event.zones.map((z) => z.toLowerCase()))].sort();
    record.endpoint = event.endpoint;
    record.registryAt = event.at;
    this.agents.set(record.id, record);
    for (const capability of record.capabilities) {
      let bucket = this.byCapability.get(capability);
      if (bucket === undefined) this.byCapability.set(capability, (bucket = { list: [], pos: new Map() }));
      bucket.pos.set(record.id, bucket.list.length);
      bucket.list.push(record);
    }
  }

  /** Applies a heartbeat; returns false when it was dropped (unknown agent, stale or malformed). */
  applyHeartbeat(heartbeat: Heartbeat): boolean {
    const record = this.agents.get(heartbeat.agentId);
    const { queueDepth, processingMs, latencyMs } = heartbeat.load ?? {};
    const valid = [queueDepth, processingMs, latencyMs].every(
      (v) => typeof v === "number" && v >= 0 && isFinite(v),
    );
    if (record === undefined || !valid || !(heartbeat.seq > record.lastSeq)) {
      this.stats.heartbeatsDropped++;
      return false;
    }
    record.lastSeq = heartbeat.seq;
    record.load = { queueDepth: queueDepth!, processingMs: processingMs!, latencyMs: latencyMs! };
    record.lastHeardAt = this.clock.now();
    this.stats.heartbeatsApplied++;
    return true;
  }

  get(agentId: AgentId): AgentRecord | undefined {
    return this.agents.get(agentId);
  }

  /** Every agent registered for `capability` (no health or zone filter). Do not mutate. */
  candidates(capability: Capability): readonly AgentRecord[] {
    return this.byCapability.get(capability)?.list ?? EMPTY;
  }

  capabilities(): Capability[] {
    return [...this.byCapability.keys()];
  }

  size(): number {
    return this.agents.size;
  }

  getStats(): IndexStats {
    return { agents: this.agents.size, capabilities: this.byCapability.size, ...this.stats };
  }

  private unindex(record: AgentRecord): void {
    for (const capability of record.capabilities) {
      const bucket = this.byCapability.get(capability);
      const i = bucket?.pos.get(record.id);
      if (bucket === undefined || i === undefined) continue;
      const last = bucket.list.pop()!;
      if (last !== record) {
        bucket.list[i] = last;
        bucket.pos.set(last.id, i);
      }
      bucket.pos.delete(record.id);
      if (bucket.list.length === 0) this.byCapability.delete(capability);
    }
  }
}

/** An agent's reported impedance: the latency a call to it should take, from its heartbeat alone. */
export function impedance(load: AgentLoad): number {
  return load.latencyMs + load.processingMs * (load.queueDepth + 1);
}
