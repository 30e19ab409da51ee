/**
 * Heartbeats over gossip, through the transport's interface (routing never imports libp2p): agents
 * publish on `/ainur/1/heartbeats`; `GossipHeartbeatSource` checks each message before anything is
 * done with it and hands valid ones to the router. A malformed or oversized message gets the
 * verdict `reject` (counted against the relaying peer by the transport); a valid one `accept`.
 *
 * Wire format (JSON): `{ "v": 1, "agentId", "seq", "load": { "queueDepth", "processingMs", "latencyMs" } }`.
 * Authenticity: pass `open` to decode a DID-signed envelope (identity/) instead of bare JSON.
 */
import type { AgentLoad, Heartbeat, HeartbeatSource, Unsubscribe } from "./types.ts";

export const HEARTBEAT_TOPIC = "/ainur/1/heartbeats";

/** The part of the transport a heartbeat source needs (`transport/`'s `Transport` has it). */
export interface GossipBus {
  subscribe(
    topic: string,
    handler: (data: Uint8Array, from: string, topic: string) => "accept" | "ignore" | "reject",
  ): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<number>;
}

export class InvalidHeartbeatError extends Error {
  override name = "InvalidHeartbeatError";
  readonly from: string;
  constructor(from: string, reason: string) {
    super(`Heartbeat from peer ${from} dropped: ${reason}.`);
    this.from = from;
  }
}

export interface GossipHeartbeatInit {
  topic?: string;
  /** Largest message accepted, bytes (default 1 KiB). */
  maxBytes?: number;
  /** Decodes (and verifies) a message; throw to reject it. Default: bare JSON, schema-checked. */
  open?: (data: Uint8Array, from: string) => Heartbeat;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

/** Decodes a bare-JSON heartbeat and checks its shape; throws InvalidHeartbeatError. */
export function decodeHeartbeat(data: Uint8Array, from: string): Heartbeat {
  let msg: unknown;
  try {
    msg = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    throw new InvalidHeartbeatError(from, "not UTF-8 JSON");
  }
  const m = msg as { v?: unknown; agentId?: unknown; seq?: unknown; load?: Partial<AgentLoad> };
  if (m?.v !== 1) throw new InvalidHeartbeatError(from, `unknown version ${JSON.stringify(m?.v)}`);
  if (typeof m.agentId !== "string" || m.agentId.length === 0 || m.agentId.length > 200) {
    throw new InvalidHeartbeatError(from, "agentId must be a non-empty string of at most 200 characters");
  }
  if (!Number.isSafeInteger(m.seq) || (m.seq as number) < 0)
    throw new InvalidHeartbeatError(from, "seq must be a whole number ≥ 0");
  const load = m.load;
  if (!load || !isCount(load.queueDepth) || !isCount(load.processingMs) || !isCount(load.latencyMs)) {
    throw new InvalidHeartbeatError(from, "load needs queueDepth, processingMs and latencyMs as numbers ≥ 0");
  }
  return {
    agentId: m.agentId,
    seq: m.seq as number,
    load: { queueDepth: load.queueDepth, processingMs: load.processingMs, latencyMs: load.latencyMs },
  };
}

export function encodeHeartbeat(heartbeat: Heartbeat): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ v: 1, ...heartbeat }));
}

export class GossipHeartbeatSource implements HeartbeatSource {
  private readonly bus: GossipBus;
  private readonly topic: string;
  private readonly maxBytes: number;
  private readonly open: (data: Uint8Array, from: string) => Heartbeat;
  private readonly handlers = new Set<(h: Heartbeat) => void>();
  private subscribed = false;
  /** Messages rejected, by reason. */
  readonly rejected = new Map<string, number>();

  constructor(bus: GossipBus, init: GossipHeartbeatInit = {}) {
    this.bus = bus;
    this.topic = init.topic ?? HEARTBEAT_TOPIC;
    this.maxBytes = init.maxBytes ?? 1024;
    this.open = init.open ?? decodeHeartbeat;
  }

  onHeartbeat(handler: (heartbeat: Heartbeat) => void): Unsubscribe {
    this.handlers.add(handler);
    if (!this.subscribed) {
      this.subscribed = true;
      this.bus.subscribe(this.topic, (data, from) => this.receive(data, from));
    }
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0 && this.subscribed) {
        this.subscribed = false;
        this.bus.unsubscribe(this.topic);
      }
    };
  }

  /** Publishes this node's own heartbeat; returns how many peers it went to. */
  publish(heartbeat: Heartbeat): Promise<number> {
    return this.bus.publish(this.topic, encodeHeartbeat(heartbeat));
  }

  private receive(data: Uint8Array, from: string): "accept" | "reject" {
    let heartbeat: Heartbeat;
    try {
      if (data.length > this.maxBytes)
        throw new InvalidHeartbeatError(from, `${data.length} bytes is over ${this.maxBytes}`);
      heartbeat = this.open(data, from);
    } catch (error) {
      const reason = (error as Error).message;
      this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
      return "reject";
    }
    for (const handler of this.handlers) handler(heartbeat);
    return "accept";
  }
}

export interface HeartbeatPublisherInit {
  agentId: string;
  /** Period between heartbeats, ms (default 5,000: match the routers' HealthPolicy.intervalMs). */
  intervalMs?: number;
  /** The agent's current load, read at each beat. */
  load: () => AgentLoad;
  topic?: string;
}

/** The agent side: publishes this agent's heartbeat every `intervalMs` with increasing `seq`. */
export class HeartbeatPublisher {
  private readonly bus: GossipBus;
  private readonly init: HeartbeatPublisherInit;
  private timer: ReturnType<typeof setInterval> | undefined;
  private seq: number;
  /** Heartbeats published and how many peers received the last one. */
  readonly stats = { sent: 0, lastRecipients: 0, errors: 0 };

  constructor(bus: GossipBus, init: HeartbeatPublisherInit) {
    this.bus = bus;
    this.init = init;
    // Start from the clock so that a restarted agent's heartbeats are never taken for replays.
    this.seq = Date.now();
  }

  start(): void {
    if (this.timer !== undefined) return;
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.init.intervalMs ?? 5_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publishes one heartbeat now. */
  async beat(): Promise<number> {
    const heartbeat: Heartbeat = { agentId: this.init.agentId, seq: ++this.seq, load: this.init.load() };
    try {
      const recipients = await this.bus.publish(
        this.init.topic ?? HEARTBEAT_TOPIC,
        encodeHeartbeat(heartbeat),
      );
      this.stats.sent++;
      this.stats.lastRecipients = recipients;
      return recipients;
    } catch {
      this.stats.errors++;
      return 0;
    }
  }
}
