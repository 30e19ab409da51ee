import { ManualClock } from "../../../node/src/routing/clock.ts";
import { createRouting } from "../../../node/src/routing/index.ts";
import type { Router } from "../../../node/src/routing/router.ts";
import type {
  AgentLoad,
  Heartbeat,
  HeartbeatSource,
  RegistryEvent,
  RegistrySource,
} from "../../../node/src/routing/types.ts";

/** An in-process heartbeat / registry feed: the transport and chain adapters implement the same interfaces. */
export class Feed implements HeartbeatSource, RegistrySource {
  private hb = new Set<(h: Heartbeat) => void>();
  private reg = new Set<(e: RegistryEvent) => void>();
  onHeartbeat(handler: (h: Heartbeat) => void): () => void {
    this.hb.add(handler);
    return () => this.hb.delete(handler);
  }
  onRegistryEvent(handler: (e: RegistryEvent) => void): () => void {
    this.reg.add(handler);
    return () => this.reg.delete(handler);
  }
  heartbeat(h: Heartbeat): void {
    for (const f of this.hb) f(h);
  }
  registry(e: RegistryEvent): void {
    for (const f of this.reg) f(e);
  }
}

export interface Fixture {
  clock: ManualClock;
  feed: Feed;
  router: Router;
  delays: number[];
  seq: Map<string, number>;
  register(id: string, capabilities: string[], zones: string[]): void;
  beat(id: string, load?: Partial<AgentLoad>): void;
}

export function routingFixture(options: Parameters<typeof createRouting>[0] = {}): Fixture {
  const clock = new ManualClock(1_000_000);
  const feed = new Feed();
  const delays: number[] = [];
  const router = createRouting(
    { shortlistSize: 3, seed: 7, ...options },
    {
      clock,
      heartbeats: feed,
      registry: feed,
      sleep: async (ms) => {
        delays.push(ms);
        clock.advance(ms);
      },
    },
  );
  router.start();
  const seq = new Map<string, number>();
  let at = 0;
  return {
    clock,
    feed,
    router,
    delays,
    seq,
    register: (id, capabilities, zones) =>
      feed.registry({ type: "agent:registered", agentId: id, capabilities, zones, at: at++ }),
    beat: (id, load = {}) => {
      const n = (seq.get(id) ?? 0) + 1;
      seq.set(id, n);
      feed.heartbeat({
        agentId: id,
        seq: n,
        load: { queueDepth: 0, processingMs: 10, latencyMs: 10, ...load },
      });
    },
  };
}
