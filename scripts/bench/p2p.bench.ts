/**
 * Gossip over loopback. Nodes run in this process (one event loop: sender and receivers share
 * the CPU, so the figures are conservative against separate processes).
 *
 * - `p2p.gossip.latency_p50_ms`: two nodes, 1 KB messages signed by libp2p (StrictSign); one
 *   message in flight at a time; one-way publish → delivery time.
 */
import { createTransport, type Transport } from "../../node/src/transport/index.ts";
import { percentile, type BenchResult, type BenchSuite } from "./types.ts";

const TOPIC = "/ainur/bench/1";
/** The per-peer rate limit would (rightly) cut a bench sender off; lift it for raw figures. */
const UNLIMITED = { burst: 1e9, ratePerSecond: 1e9 };

async function pair(signGossip: boolean): Promise<[Transport, Transport]> {
  const a = createTransport({ signGossip, score: UNLIMITED, seed: new Uint8Array(32).fill(11) });
  await a.start();
  const b = createTransport({
    signGossip,
    score: UNLIMITED,
    seed: new Uint8Array(32).fill(12),
    peers: [a.addresses()[0]!],
  });
  await b.start();
  return [a, b];
}

/** One-way latency of `count` messages sent one at a time from a to b. */
async function latencies(a: Transport, b: Transport, count: number, size: number): Promise<number[]> {
  let resolveNext: ((at: number) => void) | undefined;
  b.subscribe(TOPIC, () => {
    resolveNext?.(performance.now());
    return "accept";
  });
  a.subscribe(TOPIC, () => "accept");
  await a.waitForSubscribers(TOPIC, 1);
  const out: number[] = [];
  const payload = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    new DataView(payload.buffer).setUint32(0, i); // distinct messages
    const delivered = new Promise<number>((resolve) => (resolveNext = resolve));
    const sent = performance.now();
    await a.publish(TOPIC, payload);
    const timeout = setTimeout(() => resolveNext?.(Number.NaN), 5_000);
    const at = await delivered;
    clearTimeout(timeout);
    if (Number.isNaN(at)) throw new Error(`gossip message ${i} was not delivered within 5 s`);
    out.push(at - sent);
  }
  return out;
}

const suite: BenchSuite = {
  name: "p2p",
  ids: ["p2p.gossip.latency_p50_ms"],
  async run(selected) {
    const results: BenchResult[] = [];
    if (selected("p2p.gossip.latency_p50_ms")) {
      const [a, b] = await pair(true);
      try {
        await latencies(a, b, 50, 1024); // warm-up
        const sample = await latencies(a, b, 500, 1024);
        results.push({
          id: "p2p.gossip.latency_p50_ms",
          value: percentile(sample, 50),
          unit: "ms",
          better: "lower",
        });
      } finally {
        await b.stop();
        await a.stop();
      }
    }
    return results;
  },
};

export default suite;
