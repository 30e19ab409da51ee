/**
 * Content-addressed blocks for artifacts and lineage records: a Helia 7 node that is fully
 * local. Blocks live on disk (blockstore-fs, datastore-fs under `directory`), are encoded as
 * dag-json, and move between Ainur nodes over bitswap on the node's own libp2p node (made from
 * the transport's options, so gossip, requests and bitswap share one connection per peer). No mDNS,
 * no bootstrap list, no delegated routers, no HTTP gateways: a block nobody connected holds is not
 * found, and every `get` has a timeout.
 */
import path from "node:path";
import { withBitswap } from "@helia/bitswap";
import { dagJson } from "@helia/dag-json";
import type { DAGJSON } from "@helia/dag-json";
import { withLibp2pLight } from "@helia/libp2p";
import { FsBlockstore } from "blockstore-fs";
import { FsDatastore } from "datastore-fs";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { prepareTransport } from "../transport/index.ts";
import type { Transport, TransportInit } from "../transport/index.ts";

export interface BlockStoreInit {
  /** Directory for blocks (`<directory>/blocks`) and node state (`<directory>/datastore`, which keeps the peer key). */
  directory: string;
  /** The libp2p node's options (listen addresses, peers, limits). Without `seed` the peer key is kept in the datastore. */
  transport?: TransportInit;
  /** Default timeout for `get` of a block this node does not hold. Default 5 s. */
  getTimeoutMs?: number;
}

/** Components: none beyond the transport this module builds itself. */
export type BlockStoreComponents = Record<string, never>;

export interface BlockStore {
  /** The transport over this store's libp2p node (gossip and request-response share it). */
  readonly transport: Transport;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stores `value` as a dag-json block and returns its CID (base32 string). */
  putJson(value: unknown): Promise<string>;
  /** Fetches and decodes a dag-json block, locally or from connected peers over bitswap. */
  getJson<T = unknown>(cid: string, options?: { timeoutMs?: number }): Promise<T>;
  /** Stores raw bytes (an artifact of at most `MAX_RAW_BLOCK_BYTES`) as one block; returns its CID. */
  putBytes(bytes: Uint8Array): Promise<string>;
  /** Fetches a raw block, locally or from connected peers over bitswap. */
  getBytes(cid: string, options?: { timeoutMs?: number }): Promise<Uint8Array>;
  /** Whether the block is held locally. */
  has(cid: string): Promise<boolean>;
}

/** Largest raw block: bitswap moves blocks whole, and peers refuse messages over a few MiB. */
export const MAX_RAW_BLOCK_BYTES = 1024 * 1024;

export class BlockTooLargeError extends Error {
  override name = "BlockTooLargeError";
  readonly size: number;
  readonly limit: number;
  constructor(size: number, limit: number) {
    super(
      `A raw block of ${size} bytes is over the ${limit}-byte limit; split the artifact into chunks and store a dag-json index of their CIDs.`,
    );
    this.size = size;
    this.limit = limit;
  }
}

export class BlockNotFoundError extends Error {
  override name = "BlockNotFoundError";
  readonly cid: string;
  readonly timeoutMs: number;
  constructor(cid: string, timeoutMs: number, cause: unknown) {
    super(
      `Block ${cid} was not found locally or from connected peers within ${timeoutMs} ms; ` +
        `connect to a peer that holds it (only configured peers are asked) or raise the timeout.`,
      { cause },
    );
    this.cid = cid;
    this.timeoutMs = timeoutMs;
  }
}

export class InvalidCidError extends Error {
  override name = "InvalidCidError";
  readonly cid: string;
  constructor(cid: string, cause: unknown) {
    super(`"${cid}" is not a valid CID; pass the string that putJson returned.`, { cause });
    this.cid = cid;
  }
}

export class BlockEncodeError extends Error {
  override name = "BlockEncodeError";
  constructor(cause: unknown) {
    super(
      `The value cannot be stored as dag-json (${(cause as Error)?.message ?? String(cause)}); ` +
        `remove undefined fields, functions and non-finite numbers.`,
      { cause },
    );
  }
}

export class StoreNotStartedError extends Error {
  override name = "StoreNotStartedError";
  constructor() {
    super("The block store is not started: call start() first.");
  }
}

type HeliaNode = ReturnType<typeof createHeliaLight> & {
  libp2p: Parameters<Awaited<ReturnType<typeof prepareTransport>>["attach"]>[0];
};

export class HeliaBlockStore implements BlockStore {
  readonly #init: BlockStoreInit;
  #helia: HeliaNode | undefined;
  #json: DAGJSON | undefined;
  #transport: Transport | undefined;

  constructor(init: BlockStoreInit) {
    this.#init = init;
  }

  get transport(): Transport {
    if (this.#transport === undefined) throw new StoreNotStartedError();
    return this.#transport;
  }

  async start(): Promise<void> {
    if (this.#helia !== undefined) return;
    const blockstore = new FsBlockstore(path.join(this.#init.directory, "blocks"));
    const datastore = new FsDatastore(path.join(this.#init.directory, "datastore"));
    await blockstore.open();
    await datastore.open();
    const prepared = await prepareTransport(this.#init.transport ?? {});
    const base = createHeliaLight({ blockstore, datastore });
    const helia = withBitswap(withLibp2pLight(base, prepared.options)) as unknown as HeliaNode;
    await helia.start();
    this.#helia = helia;
    this.#json = dagJson(helia);
    this.#transport = prepared.attach(helia.libp2p);
    // Peers in the config are dialled once Helia's libp2p is up.
    for (const peer of this.#init.transport?.peers ?? []) await this.#transport.dial(peer);
  }

  async stop(): Promise<void> {
    const helia = this.#helia;
    if (helia === undefined) return;
    await this.#transport?.stop();
    await helia.stop();
    this.#helia = undefined;
    this.#json = undefined;
    this.#transport = undefined;
  }

  async putJson(value: unknown): Promise<string> {
    const json = this.#requireJson();
    let cid: CID;
    try {
      cid = await json.add(value);
    } catch (error) {
      throw new BlockEncodeError(error);
    }
    return cid.toString();
  }

  async getJson<T = unknown>(cid: string, options: { timeoutMs?: number } = {}): Promise<T> {
    const json = this.#requireJson();
    const parsed = parseCid(cid);
    const timeoutMs = options.timeoutMs ?? this.#init.getTimeoutMs ?? 5_000;
    try {
      return await json.get<T>(parsed, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new BlockNotFoundError(cid, timeoutMs, error);
    }
  }

  async putBytes(bytes: Uint8Array): Promise<string> {
    if (this.#helia === undefined) throw new StoreNotStartedError();
    if (bytes.byteLength > MAX_RAW_BLOCK_BYTES)
      throw new BlockTooLargeError(bytes.byteLength, MAX_RAW_BLOCK_BYTES);
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    await this.#helia.blockstore.put(cid, bytes);
    return cid.toString();
  }

  async getBytes(cid: string, options: { timeoutMs?: number } = {}): Promise<Uint8Array> {
    if (this.#helia === undefined) throw new StoreNotStartedError();
    const parsed = parseCid(cid);
    const timeoutMs = options.timeoutMs ?? this.#init.getTimeoutMs ?? 5_000;
    const chunks: Uint8Array[] = [];
    try {
      for await (const chunk of this.#helia.blockstore.get(parsed, {
        signal: AbortSignal.timeout(timeoutMs),
      }))
        chunks.push(chunk);
    } catch (error) {
      throw new BlockNotFoundError(cid, timeoutMs, error);
    }
    if (chunks.length === 1) return chunks[0]!;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }

  async has(cid: string): Promise<boolean> {
    if (this.#helia === undefined) throw new StoreNotStartedError();
    return this.#helia.blockstore.has(parseCid(cid));
  }

  #requireJson(): DAGJSON {
    if (this.#json === undefined) throw new StoreNotStartedError();
    return this.#json;
  }
}

function parseCid(cid: string): CID {
  try {
    return CID.parse(cid);
  } catch (error) {
    throw new InvalidCidError(cid, error);
  }
}

/** Creates a local Helia block store; call `start()`. */
export function createBlockStore(init: BlockStoreInit, _components: BlockStoreComponents = {}): BlockStore {
  return new HeliaBlockStore(init);
}
