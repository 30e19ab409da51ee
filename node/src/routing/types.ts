/** Routing's view of agents: what the registry says and what gossip heartbeats report. */

/** An agent's DID, e.g. `did:ainur:31337:0x…`. */
export type AgentId = string;
/** A capability name, e.g. `text.summarize`. */
export type Capability = string;
/** A jurisdiction zone, lower-case, e.g. `eu`, `us`, `ch`. */
export type Zone = string;

/** The load an agent reports (its "impedance"). */
export interface AgentLoad {
  /** Tasks waiting in the agent's queue. */
  queueDepth: number;
  /** Mean processing time of one task, ms. */
  processingMs: number;
  /** The agent's own measured network latency to its peers, ms. */
  latencyMs: number;
}

/** A change in the on-chain registry, as the chain adapter reports it. */
export type RegistryEvent =
  | {
      type: "agent:registered" | "agent:updated";
      agentId: AgentId;
      capabilities: Capability[];
      zones: Zone[];
      endpoint?: string;
      /** Block number or log index: events with a lower `at` than the last applied are stale. */
      at: number;
    }
  | { type: "agent:deregistered"; agentId: AgentId; at: number };

/** A liveness and load report gossiped by an agent, already signature-checked by the transport. */
export interface Heartbeat {
  agentId: AgentId;
  /** Strictly increasing per agent; older or repeated heartbeats are ignored. */
  seq: number;
  load: AgentLoad;
}

export type Unsubscribe = () => void;

/** Where heartbeats come from (the transport's gossip topic; a plain emitter in tests). */
export interface HeartbeatSource {
  onHeartbeat(handler: (heartbeat: Heartbeat) => void): Unsubscribe;
}

/** Where registry events come from (the chain adapter). */
export interface RegistrySource {
  onRegistryEvent(handler: (event: RegistryEvent) => void): Unsubscribe;
}

export type Health = "healthy" | "degraded" | "offline";
