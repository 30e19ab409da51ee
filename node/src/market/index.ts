/**
 * The market: calls for proposals, sealed bids, strategy-proof clearing (second price with a
 * reserve; VCG over bundles), coalitions, standing offers, negotiation and bidder strategies.
 * It sees the transport and identity interfaces, never libp2p.
 */
import { Auctioneer } from "./auctioneer.ts";
import type { AuctioneerComponents, AuctioneerInit } from "./auctioneer.ts";
import { Bidder } from "./bidder.ts";
import type { BidderComponents, BidderInit } from "./bidder.ts";

export { Auctioneer } from "./auctioneer.ts";
export type {
  AnnounceInit,
  AuctioneerComponents,
  AuctioneerInit,
  ClearedWinner,
  ClearingOutcome,
  DropReason,
  OpenedBid,
} from "./auctioneer.ts";
export { Bidder, signCoalition } from "./bidder.ts";
export type { BidderComponents, BidderEvents, BidderInit } from "./bidder.ts";
export { AWARD_STRUCT, awardDigest, awardSigner, bundleTaskId, escrowDomain, signAward } from "./award.ts";
export type { EscrowAward, EscrowConfig } from "./award.ts";
export { clearVcg, clearVickrey, ClearingInputError, splitByShares, tieKey } from "./clearing.ts";
export type { Ask, BundleAsk as BundleBid, VcgResult, VcgWinner, VickreyResult } from "./clearing.ts";
export * from "./messages.ts";
export { seal, sealAad, SealError, SealKey } from "./seal.ts";
export type { Sealed } from "./seal.ts";
export { StandingOrderBook, OfferNotFoundError } from "./order-book.ts";
export type { BookedOffer, OfferMatch } from "./order-book.ts";
export {
  DEFAULT_NEGOTIATION,
  negotiate,
  Negotiation,
  NegotiationDisabledError,
  NegotiationStateError,
} from "./negotiation.ts";
export type { NegotiationConfig, NegotiationState, NegotiationStep, Party } from "./negotiation.ts";
export {
  createStrategy,
  LoadAwareStrategy,
  PremiumStrategy,
  StaticFloorStrategy,
  STRATEGY_NAMES,
  UndercutStrategy,
  UnknownStrategyError,
} from "./strategies.ts";
export type {
  BidderStrategy,
  BundleAsk,
  LoadAwareInit,
  NamedStrategyInit,
  StrategyContext,
} from "./strategies.ts";
export { AuctionClosedError, AuctionNotFoundError, BidOutOfZoneError } from "./errors.ts";

export function createAuctioneer(init: AuctioneerInit, components: AuctioneerComponents): Auctioneer {
  return new Auctioneer(init, components);
}

export function createBidder(init: BidderInit, components: BidderComponents): Bidder {
  return new Bidder(init, components);
}
