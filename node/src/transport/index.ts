/**
 * The transport: the only module that imports libp2p. TCP (127.0.0.1 by default), noise, yamux,
 * identify and gossipsub with one topic per capability; a request-response helper (one stream per
 * request, a status byte, a size limit); peer scoring with bans; a connection limit. Peers come
 * from configuration only: no mDNS, no bootstrap list, no DHT.
 */
import type { GossipsubOpts } from "@libp2p/gossipsub";
import { Libp2pTransport } from "./libp2p-transport.ts";
import { PeerScorer } from "./peer-scorer.ts";
import type { PeerScorerInit } from "./peer-scorer.ts";
import type { TransportLibp2pOptions } from "./libp2p-options.ts";

export { Libp2pTransport, RemoteRequestError } from "./libp2p-transport.ts";
export { PeerScorer } from "./peer-scorer.ts";
export type { PeerScorerInit, PeerScoreSnapshot } from "./peer-scorer.ts";
export { capabilityTopic, PROTOCOLS, TOPIC_PREFIX } from "./topics.ts";
export * from "./errors.ts";
export type { TransportLibp2pOptions, TransportServices } from "./libp2p-options.ts";

/** What a gossip handler decides: deliver and forward, drop quietly, or drop and blame the sender. */
export type Verdict = "accept" | "ignore" | "reject";

/**
 * Handles one gossip message, synchronously and fast: it runs as gossipsub's topic validator, so
 * its verdict decides whether the message is forwarded. `from` is the peer that relayed it.
 */
export type GossipHandler = (data: Uint8Array, from: string, topic: string) => Verdict;

/** Answers one request. Throwing sends the error's message back to the caller. */
export type RequestHandler = (
  request: Uint8Array,
  from: string,
  protocol: string,
) => Uint8Array | Promise<Uint8Array>;

export interface RequestOptions {
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface TransportStats {
  gossipAccepted: number;
  gossipRejected: number;
  gossipIgnored: number;
  requestsServed: number;
  requestsRefused: number;
  peersBanned: number;
}

export interface TransportInit {
  /** Listen addresses. Default `/ip4/127.0.0.1/tcp/0`. Non-loopback needs `allowNonLoopback`. */
  listen?: string[];
  allowNonLoopback?: boolean;
  /** Multiaddrs (with `/p2p/<id>`) dialled at start. The only way peers are found. */
  peers?: string[];
  /** 32-byte seed for the node's ed25519 peer key; random when absent. */
  seed?: Uint8Array;
  /** Connection limit. Default 64. */
  maxConnections?: number;
  /** Largest gossip message or request body accepted. Default 64 KiB. */
  maxMessageBytes?: number;
  /** Sign gossip at the libp2p layer too (StrictSign). Default false: messages carry their own DID signature. */
  signGossip?: boolean;
  /** Gossipsub overrides (mesh degrees, heartbeat, ...). */
  gossip?: Partial<GossipsubOpts>;
  score?: PeerScorerInit;
  /** Default request timeout. Default 10 s. */
  requestTimeoutMs?: number;
}

/** Components: none; the transport is the bottom of the stack. */
export type TransportComponents = Record<string, never>;

export interface Transport {
  readonly peerId: string;
  readonly scorer: PeerScorer;
  start(): Promise<void>;
  stop(): Promise<void>;
  addresses(): string[];
  /** Dials a multiaddr and returns the remote peer id. */
  dial(address: string, timeoutMs?: number): Promise<string>;
  hangUp(peer: string): Promise<void>;
  connectedPeers(): string[];
  /** Adds a handler for a topic (several may share one: any "reject" rejects, else any "accept" accepts). */
  subscribe(topic: string, handler: GossipHandler): void;
  /** Removes one handler, or (without `handler`) the whole topic; the node leaves it with the last handler. */
  unsubscribe(topic: string, handler?: GossipHandler): void;
  /** Publishes and returns how many peers it was sent to (0: nobody is subscribed yet). */
  publish(topic: string, data: Uint8Array): Promise<number>;
  subscribers(topic: string): string[];
  /** Resolves once `count` peers are subscribed to `topic` (publish before that may reach nobody). */
  waitForSubscribers(topic: string, count: number, timeoutMs?: number): Promise<void>;
  handle(protocol: string, handler: RequestHandler, maxInboundStreams?: number): Promise<void>;
  unhandle(protocol: string): Promise<void>;
  request(peer: string, protocol: string, data: Uint8Array, options?: RequestOptions): Promise<Uint8Array>;
  stats(): TransportStats;
}

/** Creates a transport that owns its libp2p node. Call `start()`. */
export function createTransport(init: TransportInit = {}, _components: TransportComponents = {}): Transport {
  return new Libp2pTransport(init);
}

/**
 * For a libp2p node that someone else creates (Helia's `withLibp2pLight`): returns the options to
 * create it with, and `attach(node)` to wrap the started node as a `Transport` (which then does
 * not stop it: its creator does).
 */
export async function prepareTransport(init: TransportInit = {}): Promise<{
  options: TransportLibp2pOptions;
  attach(node: ConstructorParameters<typeof Libp2pTransport>[2]): Transport;
}> {
  const scorer = new PeerScorer(init.score);
  const options = await Libp2pTransport.options(init, scorer);
  return { options, attach: (node) => new Libp2pTransport(init, scorer, node) };
}
