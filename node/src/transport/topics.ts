/** Topic and protocol names. Every topic is versioned; one topic per capability. */

export const TOPIC_PREFIX = "/ainur/1";

/** The gossip topic on which calls for proposals for one capability are published. */
export function capabilityTopic(capability: string): string {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(capability)) {
    throw new RangeError(
      `Capability "${capability}" is not a valid topic name: use 1-64 characters of a-z, 0-9, '.', '_' or '-'.`,
    );
  }
  return `${TOPIC_PREFIX}/cap/${capability}`;
}

/** Request-response protocol ids. */
export const PROTOCOLS = {
  /** Sealed bids and reveals, sent to the auctioneer. */
  bid: "/ainur/market/bid/1.0.0",
  /** Awards and negotiation, sent from the auctioneer to a bidder. */
  award: "/ainur/market/award/1.0.0",
  /** Multi-round negotiation (only when switched on), from the auctioneer to a bidder. */
  negotiate: "/ainur/market/negotiate/1.0.0",
} as const;
