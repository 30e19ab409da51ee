import { TopicValidatorResult } from "@libp2p/gossipsub";
import type { Message } from "@libp2p/gossipsub";
import type { Connection, PeerId, Stream } from "@libp2p/interface";
import { peerIdFromString } from "@libp2p/peer-id";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import type { Libp2p } from "libp2p";
import {
  PeerBannedError,
  RequestFailedError,
  RequestTooLargeError,
  SubscriptionTimeoutError,
  TransportNotStartedError,
} from "./errors.ts";
import { DEFAULT_MAX_MESSAGE_BYTES, buildLibp2pOptions } from "./libp2p-options.ts";
import type { TransportLibp2pOptions, TransportServices } from "./libp2p-options.ts";
import { PeerScorer } from "./peer-scorer.ts";
import type {
  GossipHandler,
  RequestHandler,
  RequestOptions,
  Transport,
  TransportInit,
  TransportStats,
  Verdict,
} from "./index.ts";

const STATUS_OK = 0;
const STATUS_ERROR = 1;

/** The remote handler answered with an error; its message is in `reason`. */
export class RemoteRequestError extends Error {
  override name = "RemoteRequestError";
  readonly peer: string;
  readonly protocol: string;
  readonly reason: string;
  constructor(peer: string, protocol: string, reason: string) {
    super(`Peer ${peer} refused the request on ${protocol}: ${reason}`);
    this.peer = peer;
    this.protocol = protocol;
    this.reason = reason;
  }
}

/**
 * A `Transport` over one libp2p node. It either owns the node (made by `start()` from the init
 * options) or is attached to a node someone else made from `buildLibp2pOptions` (Helia does this,
 * so gossip, requests and bitswap share one node); it then does not stop that node.
 */
export class Libp2pTransport implements Transport {
  readonly scorer: PeerScorer;
  readonly #init: TransportInit;
  readonly #maxBytes: number;
  readonly #handlers = new Map<string, GossipHandler[]>();
  readonly #stats: TransportStats = {
    gossipAccepted: 0,
    gossipRejected: 0,
    gossipIgnored: 0,
    requestsServed: 0,
    requestsRefused: 0,
    peersBanned: 0,
  };
  #node: Libp2p<TransportServices> | undefined;
  #owned: boolean;

  constructor(init: TransportInit, scorer?: PeerScorer, node?: Libp2p<TransportServices>) {
    this.#init = init;
    this.#maxBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.scorer = scorer ?? new PeerScorer(init.score);
    this.#node = node;
    this.#owned = node === undefined;
    this.scorer.onBan((peer) => {
      this.#stats.peersBanned += 1;
      this.#cut(peer);
    });
    if (node !== undefined) this.#wire(node);
  }

  /** The libp2p options for this transport, for a node made elsewhere (see `attach`). */
  static async options(init: TransportInit, scorer: PeerScorer): Promise<TransportLibp2pOptions> {
    return buildLibp2pOptions(init, scorer);
  }

  get peerId(): string {
    return this.#require().peerId.toString();
  }

  get started(): boolean {
    return this.#node !== undefined;
  }

  async start(): Promise<void> {
    if (this.#node === undefined) {
      this.#owned = true;
      const node = await createLibp2p(await buildLibp2pOptions(this.#init, this.scorer));
      this.#node = node;
      this.#wire(node);
    }
    await this.#node.start();
    for (const peer of this.#init.peers ?? []) await this.dial(peer);
  }

  async stop(): Promise<void> {
    const node = this.#node;
    if (node === undefined) return;
    for (const topic of [...this.#handlers.keys()]) this.unsubscribe(topic);
    if (this.#owned) {
      await node.stop();
      this.#node = undefined;
    }
  }

  addresses(): string[] {
    return this.#require()
      .getMultiaddrs()
      .map((a) => a.toString());
  }

  async dial(address: string, timeoutMs = 10_000): Promise<string> {
    const ma = multiaddr(address);
    const peer = ma.getComponents().find((c) => c.name === "p2p")?.value;
    if (peer !== undefined && this.scorer.isBanned(peer)) throw new PeerBannedError(peer);
    const connection = await this.#require().dial(ma, { signal: AbortSignal.timeout(timeoutMs) });
    return connection.remotePeer.toString();
  }

  async hangUp(peer: string): Promise<void> {
    await this.#require().hangUp(peerIdFromString(peer));
  }

  connectedPeers(): string[] {
    return this.#require()
      .getPeers()
      .map((p) => p.toString());
  }

  subscribe(topic: string, handler: GossipHandler): void {
    const pubsub = this.#require().services.pubsub;
    const list = this.#handlers.get(topic);
    if (list !== undefined) {
      list.push(handler);
      return;
    }
    this.#handlers.set(topic, [handler]);
    pubsub.topicValidators.set(topic, (peer: PeerId, message: Message) =>
      this.#validate(topic, peer.toString(), message.data),
    );
    pubsub.subscribe(topic);
  }

  unsubscribe(topic: string, handler?: GossipHandler): void {
    const pubsub = this.#require().services.pubsub;
    const list = this.#handlers.get(topic);
    if (list === undefined) return;
    if (handler !== undefined) {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
      if (list.length > 0) return;
    }
    this.#handlers.delete(topic);
    pubsub.topicValidators.delete(topic);
    pubsub.unsubscribe(topic);
  }

  async publish(topic: string, data: Uint8Array): Promise<number> {
    if (data.byteLength > this.#maxBytes)
      throw new RequestTooLargeError(topic, this.#maxBytes, data.byteLength);
    const result = await this.#require().services.pubsub.publish(topic, data);
    return result.recipients.length;
  }

  subscribers(topic: string): string[] {
    return this.#require()
      .services.pubsub.getSubscribers(topic)
      .map((p) => p.toString());
  }

  async waitForSubscribers(topic: string, count: number, timeoutMs = 10_000): Promise<void> {
    const pubsub = this.#require().services.pubsub;
    // A subscriber is reachable once gossipsub has an outbound stream to it: a publish before that
    // reaches nobody. `streamsOutbound` is gossipsub's own map; without it, subscription suffices.
    const outbound = (pubsub as unknown as { streamsOutbound?: Map<string, unknown> }).streamsOutbound;
    const reachable = (): number =>
      pubsub.getSubscribers(topic).filter((p) => outbound === undefined || outbound.has(p.toString())).length;
    if (reachable() >= count) return;
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (reachable() >= count) {
          done();
          resolve();
        }
      };
      const poll = setInterval(check, 10);
      const timer = setTimeout(() => {
        done();
        reject(new SubscriptionTimeoutError(topic, count, reachable(), timeoutMs));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        pubsub.removeEventListener("subscription-change", check);
      };
      pubsub.addEventListener("subscription-change", check);
    });
  }

  async handle(protocol: string, handler: RequestHandler, maxInboundStreams = 64): Promise<void> {
    await this.#require().handle(
      protocol,
      (stream, connection) => this.#serve(protocol, handler, stream, connection),
      {
        maxInboundStreams,
      },
    );
  }

  async unhandle(protocol: string): Promise<void> {
    await this.#require().unhandle(protocol);
  }

  async request(
    peer: string,
    protocol: string,
    data: Uint8Array,
    options: RequestOptions = {},
  ): Promise<Uint8Array> {
    if (this.scorer.isBanned(peer)) throw new PeerBannedError(peer);
    if (data.byteLength > this.#maxBytes)
      throw new RequestTooLargeError(protocol, this.#maxBytes, data.byteLength);
    const signal = AbortSignal.timeout(options.timeoutMs ?? this.#init.requestTimeoutMs ?? 10_000);
    let reply: Uint8Array;
    try {
      const stream = await this.#require().dialProtocol(peerIdFromString(peer), protocol, { signal });
      await writeAll(stream, data, signal);
      reply = await readAll(stream, options.maxResponseBytes ?? this.#maxBytes + 1, protocol, signal);
    } catch (error) {
      if (error instanceof RequestTooLargeError) throw error;
      throw new RequestFailedError(peer, protocol, error);
    }
    if (reply.byteLength === 0) throw new RequestFailedError(peer, protocol, new Error("empty reply"));
    if (reply[0] === STATUS_OK) return reply.subarray(1);
    throw new RemoteRequestError(peer, protocol, new TextDecoder().decode(reply.subarray(1)));
  }

  stats(): TransportStats {
    return { ...this.#stats };
  }

  #wire(node: Libp2p<TransportServices>): void {
    node.addEventListener("peer:connect", (event) => {
      const peer = event.detail.toString();
      if (this.scorer.isBanned(peer)) this.#cut(peer);
    });
  }

  /** Drops every connection to a banned peer at once (the gater refuses new ones). */
  #cut(peer: string): void {
    const node = this.#node;
    if (node === undefined) return;
    const id = peerIdFromString(peer);
    for (const connection of node.getConnections(id)) connection.abort(new PeerBannedError(peer));
    void node.hangUp(id).catch(() => undefined);
  }

  #validate(topic: string, peer: string, data: Uint8Array): TopicValidatorResult {
    if (!this.scorer.charge(peer)) {
      this.#stats.gossipIgnored += 1;
      return TopicValidatorResult.Ignore;
    }
    const handlers = this.#handlers.get(topic);
    if (handlers === undefined || handlers.length === 0) {
      this.#stats.gossipIgnored += 1;
      return TopicValidatorResult.Ignore;
    }
    // Several handlers may share a topic: any "reject" rejects, else any "accept" accepts.
    let verdict: Verdict = "ignore";
    for (const handler of [...handlers]) {
      let v: Verdict;
      try {
        v = handler(data, peer, topic);
      } catch {
        v = "reject";
      }
      if (v === "reject") {
        verdict = "reject";
        break;
      }
      if (v === "accept") verdict = "accept";
    }
    if (verdict === "accept") {
      this.#stats.gossipAccepted += 1;
      return TopicValidatorResult.Accept;
    }
    if (verdict === "reject") {
      this.#stats.gossipRejected += 1;
      this.scorer.penalize(peer, `rejected message on ${topic}`);
      return TopicValidatorResult.Reject;
    }
    this.#stats.gossipIgnored += 1;
    return TopicValidatorResult.Ignore;
  }

  async #serve(
    protocol: string,
    handler: RequestHandler,
    stream: Stream,
    connection: Connection,
  ): Promise<void> {
    const peer = connection.remotePeer.toString();
    if (!this.scorer.charge(peer)) {
      this.#stats.requestsRefused += 1;
      stream.abort(new PeerBannedError(peer));
      return;
    }
    const signal = AbortSignal.timeout(this.#init.requestTimeoutMs ?? 10_000);
    let reply: Uint8Array;
    try {
      const request = await readAll(stream, this.#maxBytes, protocol, signal);
      const body = await handler(request, peer, protocol);
      reply = frame(STATUS_OK, body);
      this.#stats.requestsServed += 1;
    } catch (error) {
      this.#stats.requestsRefused += 1;
      if (error instanceof RequestTooLargeError) this.scorer.penalize(peer, "oversized request");
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      reply = frame(STATUS_ERROR, new TextEncoder().encode(text.slice(0, 1024)));
    }
    try {
      await writeAll(stream, reply, signal);
    } catch (error) {
      stream.abort(error as Error);
    }
  }

  #require(): Libp2p<TransportServices> {
    if (this.#node === undefined) throw new TransportNotStartedError();
    return this.#node;
  }
}

function frame(status: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = status;
  out.set(body, 1);
  return out;
}

/** Sends `data` and closes the write side. */
async function writeAll(stream: Stream, data: Uint8Array, signal: AbortSignal): Promise<void> {
  if (!stream.send(data)) await stream.onDrain({ signal });
  await stream.close({ signal });
}

/** Reads until the remote closes its write side, refusing more than `limit` bytes. */
async function readAll(
  stream: Stream,
  limit: number,
  protocol: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const onAbort = (): void => stream.abort(new Error(`timed out reading ${protocol}`));
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray();
      total += bytes.byteLength;
      if (total > limit) {
        const error = new RequestTooLargeError(protocol, limit, total);
        stream.abort(error);
        throw error;
      }
      chunks.push(bytes);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
