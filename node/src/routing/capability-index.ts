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
  /** `impedance(load)`, computed when a heartbeat arrives. */
  impedance: number;
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
  private readonly byCapability = new Map<Capability, Bucket>();
  /** capability → zone → agents: a shortlist only scans the zones a task allows. */
  private readonly byCapabilityZone = new Map<Capability, Map<Zone, Bucket>>();
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
      impedance: Infinity,
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
      addTo(bucket, record);
      let zones = this.byCapabilityZone.get(capability);
      if (zones === undefined) this.byCapabilityZone.set(capability, (zones = new Map()));
      for (const zone of record.zones) {
        let zb = zones.get(zone);
        if (zb === undefined) zones.set(zone, (zb = { list: [], pos: new Map() }));
        addTo(zb, record);
      }
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
    record.impedance = impedance(record.load);
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

  /**
   * The agents registered for `capability` in each of `zones` (canonical, sorted), one list per zone.
   * An agent in several allowed zones appears in several lists; callers skip repeats with
   * `firstAllowedZone`. Do not mutate.
   */
  candidatesByZone(
    capability: Capability,
    zones: readonly Zone[],
  ): Array<{ zone: Zone; agents: readonly AgentRecord[] }> {
    const byZone = this.byCapabilityZone.get(capability);
    if (byZone === undefined) return [];
    const out: Array<{ zone: Zone; agents: readonly AgentRecord[] }> = [];
    for (const zone of zones) {
      const bucket = byZone.get(zone);
      if (bucket !== undefined) out.push({ zone, agents: bucket.list });
    }
    return out;
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
      if (bucket !== undefined && removeFrom(bucket, record)) this.byCapability.delete(capability);
      const zones = this.byCapabilityZone.get(capability);
      for (const zone of record.zones) {
        const zb = zones?.get(zone);
        if (zb !== undefined && removeFrom(zb, record)) zones!.delete(zone);
      }
      if (zones?.size === 0) this.byCapabilityZone.delete(capability);
    }
  }
}

interface Bucket {
  list: AgentRecord[];
  pos: Map<AgentId, number>;
}

function addTo(bucket: Bucket, record: AgentRecord): void {
  bucket.pos.set(record.id, bucket.list.length);
  bucket.list.push(record);
}

/** Removes by swapping with the last; returns true when the bucket is now empty. */
function removeFrom(bucket: Bucket, record: AgentRecord): boolean {
  const i = bucket.pos.get(record.id);
  if (i === undefined) return bucket.list.length === 0;
  const last = bucket.list.pop()!;
  if (last !== record) {
    bucket.list[i] = last;
    bucket.pos.set(last.id, i);
  }
  bucket.pos.delete(record.id);
  return bucket.list.length === 0;
}

/** An agent's reported impedance: the latency a call to it should take, from its heartbeat alone. */
export function impedance(load: AgentLoad): number {
  return load.latencyMs + load.processingMs * (load.queueDepth + 1);
}
