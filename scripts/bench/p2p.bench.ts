/**
 * Gossip over loopback. All nodes run in this process (one event loop shares the CPU between
 * senders and receivers, so the figures are conservative against separate processes).
 *
 * - `p2p.gossip.latency_p50_ms`: two nodes, 1 KB messages signed by libp2p (StrictSign); one message
 *   in flight at a time; one-way publish → delivery time.
 * - `p2p.gossip.latency_p95_ms` (and `..._10nodes_p50_ms`): 10 Ainur nodes, each dialling two earlier ones
 *   (i−1, i−3), so messages take several hops; 1 KB Ainur envelopes signed with the publisher's DID key and
 *   verified (schema, expiry, replay, ed25519) at every hop before forwarding; per-receiver delivery times.
 * - Throughput, two nodes, 1 KB messages, 64 in flight, same run:
 *   `p2p.gossip.throughput_raw_msg_s`: a bare js-libp2p node (gossipsub defaults: libp2p signs and checks
 *   every message), no application checks;
 *   `p2p.gossip.throughput_ainur_msg_s`: the Ainur transport: DID-signed envelopes (signing in the loop),
 *   full checks on receipt, peer scoring, libp2p-level signing off (StrictNoSign);
 *   `p2p.gossip.overhead_ratio` = 1 − ainur / raw (the share of raw throughput our signing and checks cost;
 *   negative: ours is faster, since our native ed25519 envelope replaces libp2p's per-message signature);
 *   `p2p.gossip.throughput_raw_unsigned_msg_s` / `p2p.gossip.overhead_vs_unsigned_ratio`: the same against
 *   bare js-libp2p with no message signing at all (StrictNoSign): the transport's ceiling, the strictest
 *   comparison.
 */
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { createLibp2p } from "libp2p";
import { z } from "zod";
import {
  AgentKeys,
  EnvelopeVerifier,
  StaticDidResolver,
  signEnvelope,
} from "../../node/src/identity/index.ts";
import { createTransport, type Transport } from "../../node/src/transport/index.ts";
import { percentile, type BenchResult, type BenchSuite } from "./types.ts";

const TOPIC = "/ainur/bench/1";
/** The per-peer rate limit would (rightly) cut a bench sender off; lift it (the check still runs). */
const UNLIMITED = { burst: 1e9, ratePerSecond: 1e9 };
const BodySchema = z.object({ seq: z.number().int(), data: z.string() }).strict();
const MSG_TYPE = "bench/msg/1";

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

/** Counts deliveries; `until(n)` resolves when n have arrived (or rejects after `timeoutMs`). */
class Counter {
  count = 0;
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  hit(): void {
    this.count++;
    this.#waiters = this.#waiters.filter((w) => (w.n <= this.count ? (w.resolve(), false) : true));
  }
  until(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.count} of ${n} messages delivered within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

async function pump(
  publish: (i: number) => Promise<unknown>,
  counter: Counter,
  total: number,
  window: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    if (i - counter.count >= window) await counter.until(i - window + 1);
    await publish(i);
  }
  await counter.until(total);
  return total / ((performance.now() - started) / 1000);
}

const agent = AgentKeys.fromSeed(new Uint8Array(32).fill(21), 31337);
const resolver = new StaticDidResolver([agent.publicKeys]);
const filler = "x".repeat(620); // envelope ≈ 1 KB

function ainurMessage(seq: number): Uint8Array {
  return signEnvelope(agent, MSG_TYPE, { seq, data: filler }, { ttlMs: 120_000 });
}

async function throughputAinur(total: number, window: number): Promise<number> {
  const [a, b] = await pair(false);
  try {
    const verifier = new EnvelopeVerifier({ resolver });
    const counter = new Counter();
    b.subscribe(TOPIC, (data) => {
      try {
        verifier.open(data, MSG_TYPE, BodySchema);
      } catch {
        return "reject";
      }
      counter.hit();
      return "accept";
    });
    a.subscribe(TOPIC, () => "accept");
    await a.waitForSubscribers(TOPIC, 1);
    await pump((i) => a.publish(TOPIC, ainurMessage(-1 - i)), counter, 200, window); // warm-up
    counter.count = 0;
    return await pump((i) => a.publish(TOPIC, ainurMessage(i)), counter, total, window);
  } finally {
    await b.stop();
    await a.stop();
  }
}

async function rawNode(signed: boolean) {
  return createLibp2p({
    addresses: { listen: ["/ip4/127.0.0.1/tcp/0"] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionMonitor: { abortConnectionOnPingFailure: false },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        globalSignaturePolicy: signed ? "StrictSign" : "StrictNoSign",
      }),
    },
  });
}

async function throughputRaw(total: number, window: number, signed = true): Promise<number> {
  const a = await rawNode(signed);
  const b = await rawNode(signed);
  try {
    await b.dial(a.getMultiaddrs()[0]!);
    const counter = new Counter();
    b.services.pubsub.addEventListener("message", () => counter.hit());
    b.services.pubsub.subscribe(TOPIC);
    a.services.pubsub.subscribe(TOPIC);
    const outbound = (a.services.pubsub as unknown as { streamsOutbound: Map<string, unknown> })
      .streamsOutbound;
    while (!a.services.pubsub.getSubscribers(TOPIC).some((p) => outbound.has(p.toString())))
      await new Promise((r) => setTimeout(r, 10));
    const payload = new Uint8Array(1024);
    const send = (i: number) => {
      new DataView(payload.buffer).setInt32(0, i);
      return a.services.pubsub.publish(TOPIC, payload.slice());
    };
    await pump((i) => send(-1 - i), counter, 200, window); // warm-up
    counter.count = 0;
    return await pump(send, counter, total, window);
  } finally {
    await b.stop();
    await a.stop();
  }
}

async function tenNodeLatencies(messages: number): Promise<number[]> {
  const nodes: Transport[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const peers = [i - 1, i - 3].filter((j) => j >= 0).map((j) => nodes[j]!.addresses()[0]!);
      const t = createTransport({ seed: new Uint8Array(32).fill(30 + i), score: UNLIMITED, peers });
      await t.start();
      nodes.push(t);
    }
    const arrivals = new Map<number, number[]>();
    let onArrival: (() => void) | undefined;
    for (const [i, t] of nodes.entries()) {
      const verifier = new EnvelopeVerifier({ resolver });
      t.subscribe(TOPIC, (data) => {
        if (i === 0) return "accept";
        try {
          const { body } = verifier.open(data, MSG_TYPE, BodySchema);
          const list = arrivals.get(body.seq) ?? [];
          list.push(performance.now());
          arrivals.set(body.seq, list);
          onArrival?.();
        } catch {
          return "reject";
        }
        return "accept";
      });
    }
    const all = (seq: number, timeoutMs: number): Promise<boolean> =>
      new Promise((resolve) => {
        const timer = setTimeout(() => ((onArrival = undefined), resolve(false)), timeoutMs);
        onArrival = () => {
          if ((arrivals.get(seq)?.length ?? 0) >= 9) {
            clearTimeout(timer);
            onArrival = undefined;
            resolve(true);
          }
        };
        onArrival();
      });
    await nodes[0]!.waitForSubscribers(TOPIC, 2, 20_000);
    // Wait for the mesh: probe until one message reaches all nine (gossipsub grafts on heartbeats).
    let probe = -1;
    for (let tries = 0; ; tries++) {
      await nodes[0]!.publish(TOPIC, ainurMessage(probe));
      if (await all(probe, 1_000)) break;
      if (tries > 30) throw new Error("the 10-node mesh did not form within 30 s");
      probe--;
    }
    const out: number[] = [];
    for (let seq = 0; seq < messages; seq++) {
      const msg = ainurMessage(seq);
      const sent = performance.now();
      await nodes[0]!.publish(TOPIC, msg);
      if (!(await all(seq, 5_000)))
        throw new Error(`message ${seq} reached ${arrivals.get(seq)?.length ?? 0} of 9 nodes in 5 s`);
      for (const at of arrivals.get(seq)!) out.push(at - sent);
    }
    return out;
  } finally {
    for (const t of nodes.reverse()) await t.stop();
  }
}

const suite: BenchSuite = {
  name: "p2p",
  ids: [
    "p2p.gossip.latency_p50_ms",
    "p2p.gossip.latency_p95_ms",
    "p2p.gossip.latency_10nodes_p50_ms",
    "p2p.gossip.throughput_raw_msg_s",
    "p2p.gossip.throughput_ainur_msg_s",
    "p2p.gossip.throughput_raw_unsigned_msg_s",
    "p2p.gossip.overhead_ratio",
    "p2p.gossip.overhead_vs_unsigned_ratio",
  ],
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
    if (selected("p2p.gossip.latency_p95_ms") || selected("p2p.gossip.latency_10nodes_p50_ms")) {
      const sample = await tenNodeLatencies(100);
      results.push({
        id: "p2p.gossip.latency_p95_ms",
        value: percentile(sample, 95),
        unit: "ms",
        better: "lower",
      });
      results.push({
        id: "p2p.gossip.latency_10nodes_p50_ms",
        value: percentile(sample, 50),
        unit: "ms",
        better: "lower",
      });
    }
    if (selected("p2p.gossip.throughput") || selected("p2p.gossip.overhead")) {
      const total = 2000;
      const window = 64;
      // Alternate the three and keep each one's best of two, so background load hits them alike.
      let raw = 0;
      let unsigned = 0;
      let ours = 0;
      for (let round = 0; round < 2; round++) {
        raw = Math.max(raw, await throughputRaw(total, window, true));
        unsigned = Math.max(unsigned, await throughputRaw(total, window, false));
        ours = Math.max(ours, await throughputAinur(total, window));
      }
      const push = (id: string, value: number, unit: string, better: "lower" | "higher"): void => {
        results.push({ id, value, unit, better });
      };
      push("p2p.gossip.throughput_raw_msg_s", Math.round(raw), "msg/s", "higher");
      push("p2p.gossip.throughput_raw_unsigned_msg_s", Math.round(unsigned), "msg/s", "higher");
      push("p2p.gossip.throughput_ainur_msg_s", Math.round(ours), "msg/s", "higher");
      push("p2p.gossip.overhead_ratio", 1 - ours / raw, "ratio", "lower");
      push("p2p.gossip.overhead_vs_unsigned_ratio", 1 - ours / unsigned, "ratio", "lower");
    }
    return results;
  },
};

export default suite;
