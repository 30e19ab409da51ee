/**
 * The libp2p configuration every Ainur node uses: TCP on 127.0.0.1 by default, noise, yamux,
 * identify and gossipsub; no peer discovery (peers come from configuration only), a connection
 * limit, and a connection gater that refuses banned peers.
 */
import { gossipsub } from "@libp2p/gossipsub";
import type { GossipSub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { Identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { generateKeyPairFromSeed } from "@libp2p/crypto/keys";
import type { PeerId, PrivateKey } from "@libp2p/interface";
import type { Libp2pOptions } from "libp2p";
import type { PeerScorer } from "./peer-scorer.ts";
import type { TransportInit } from "./index.ts";

/** The services on an Ainur libp2p node. */
export interface TransportServices extends Record<string, unknown> {
  identify: Identify;
  pubsub: GossipSub;
}

export const DEFAULT_LISTEN = ["/ip4/127.0.0.1/tcp/0"];
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 64;

/** Options for `createLibp2p` (or Helia's `withLibp2pLight`) built from a `TransportInit`. */
export type TransportLibp2pOptions = Libp2pOptions<TransportServices>;

export async function buildLibp2pOptions(
  init: TransportInit,
  scorer: PeerScorer,
): Promise<TransportLibp2pOptions> {
  for (const addr of init.listen ?? DEFAULT_LISTEN) {
    if (!/^\/ip4\/127\.0\.0\.1\//.test(addr) && init.allowNonLoopback !== true) {
      throw new RangeError(
        `Listen address ${addr} is not on 127.0.0.1; pass allowNonLoopback: true to listen elsewhere on purpose.`,
      );
    }
  }
  let privateKey: PrivateKey | undefined;
  if (init.seed !== undefined) {
    if (init.seed.byteLength !== 32) {
      throw new RangeError(`The peer key seed must be 32 bytes, got ${init.seed.byteLength}.`);
    }
    privateKey = await generateKeyPairFromSeed("Ed25519", init.seed);
  }
  const banned = (peer: PeerId): boolean => scorer.isBanned(peer.toString());
  const maxBytes = init.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const options: TransportLibp2pOptions = {
    addresses: { listen: [...(init.listen ?? DEFAULT_LISTEN)] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery: [],
    connectionManager: {
      maxConnections: init.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      maxIncomingPendingConnections: 16,
    },
    connectionMonitor: { abortConnectionOnPingFailure: false },
    connectionGater: {
      denyDialPeer: banned,
      denyInboundEncryptedConnection: banned,
      denyOutboundEncryptedConnection: banned,
    },
    services: {
      identify: identify(),
      pubsub: gossipsub({
        globalSignaturePolicy: init.signGossip === true ? "StrictSign" : "StrictNoSign",
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        doPX: false,
        fallbackToFloodsub: false,
        maxInboundDataLength: maxBytes,
        ...(init.gossip ?? {}),
      }),
    },
  };
  if (privateKey !== undefined) options.privateKey = privateKey;
  return options;
}
