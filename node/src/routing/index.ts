/**
 * routing/: the capability index (registry events + heartbeats), health, circuit breakers,
 * fallbacks with backoff, confidence-based Q-routing for shortlists, jurisdiction zones and sealed
 * envelopes. No libp2p here: heartbeats and registry events arrive through `HeartbeatSource` and
 * `RegistrySource`, which the transport and chain adapters implement.
 */
import { Backoff } from "./backoff.ts";
import { CapabilityIndex } from "./capability-index.ts";
import { BreakerBook } from "./circuit-breaker.ts";
import type { BreakerPolicy } from "./circuit-breaker.ts";
import { systemClock } from "./clock.ts";
import type { Clock } from "./clock.ts";
import { healthPolicy } from "./health.ts";
import type { HealthPolicy } from "./health.ts";
import { QTable } from "./q-routing.ts";
import type { QRoutingPolicy } from "./q-routing.ts";
import { seededRng } from "./rng.ts";
import { Router } from "./router.ts";
import type { HeartbeatSource, RegistrySource } from "./types.ts";

export * from "./types.ts";
export { Backoff, sleep } from "./backoff.ts";
export type { BackoffInit } from "./backoff.ts";
export { CapabilityIndex, impedance } from "./capability-index.ts";
export type { AgentRecord, IndexStats } from "./capability-index.ts";
export { BreakerBook, CircuitBreaker, CircuitOpenError, defaultBreakerPolicy } from "./circuit-breaker.ts";
export type { BreakerPolicy, BreakerState } from "./circuit-breaker.ts";
export { ManualClock, systemClock } from "./clock.ts";
export type { Clock } from "./clock.ts";
export { healthAt, healthPolicy } from "./health.ts";
export type { HealthPolicy } from "./health.ts";
export { QTable, defaultQRoutingPolicy } from "./q-routing.ts";
export type { Estimate, QRoutingPolicy } from "./q-routing.ts";
export { seededRng } from "./rng.ts";
export type { Rng } from "./rng.ts";
export { AllCandidatesFailedError, NoRouteError, Router } from "./router.ts";
export type { Attempt, Candidate, RouteRequest, RouterComponents } from "./router.ts";
export {
  InvalidZoneError,
  ZoneViolationError,
  assertRoutable,
  canonicalZones,
  zonePolicyString,
  zonesIntersect,
} from "./zones.ts";
export {
  EnvelopeTamperedError,
  MissingZoneKeyError,
  ZoneUnsealRefusedError,
  seal,
  unseal,
  zoneKey,
} from "./envelope.ts";
export type { SealedEnvelope, ZoneKey } from "./envelope.ts";

export interface RoutingInit {
  /** Agents invited per call for proposals (default 8). */
  shortlistSize?: number;
  health?: HealthPolicy;
  breakers?: { agent?: BreakerPolicy; capability?: BreakerPolicy };
  qrouting?: Partial<QRoutingPolicy>;
  backoff?: { baseMs: number; maxMs: number };
  /** Seed of the jitter generator (default 1). */
  seed?: number;
}

export interface RoutingComponents {
  clock?: Clock;
  heartbeats?: HeartbeatSource;
  registry?: RegistrySource;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Wires an index, breakers, a Q-table and a router; call `start()` to subscribe to the sources. */
export function createRouting(init: RoutingInit = {}, components: RoutingComponents = {}): Router {
  const clock = components.clock ?? systemClock;
  return new Router(
    {
      clock,
      index: new CapabilityIndex(clock),
      breakers: new BreakerBook(clock, init.breakers ?? {}),
      qtable: new QTable(clock, init.qrouting ?? {}),
      backoff: new Backoff({
        ...(init.backoff ?? { baseMs: 100, maxMs: 5_000 }),
        rng: seededRng(init.seed ?? 1),
      }),
      ...(components.heartbeats === undefined ? {} : { heartbeats: components.heartbeats }),
      ...(components.registry === undefined ? {} : { registry: components.registry }),
      ...(components.sleep === undefined ? {} : { sleep: components.sleep }),
    },
    { shortlistSize: init.shortlistSize ?? 8, health: init.health ?? healthPolicy() },
  );
}
export {
  GossipHeartbeatSource,
  HEARTBEAT_TOPIC,
  HeartbeatPublisher,
  InvalidHeartbeatError,
  decodeHeartbeat,
  encodeHeartbeat,
} from "./gossip-heartbeats.ts";
export type { GossipBus, GossipHeartbeatInit, HeartbeatPublisherInit } from "./gossip-heartbeats.ts";
