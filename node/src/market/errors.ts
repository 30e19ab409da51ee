export class AuctionNotFoundError extends Error {
  override name = "AuctionNotFoundError";
  readonly cfpId: string;
  constructor(cfpId: string) {
    super(`No auction ${cfpId} on this auctioneer; announce it first.`);
    this.cfpId = cfpId;
  }
}

export class AuctionClosedError extends Error {
  override name = "AuctionClosedError";
  readonly cfpId: string;
  constructor(cfpId: string) {
    super(`Auction ${cfpId} is already closed and cleared.`);
    this.cfpId = cfpId;
  }
}

/**
 * A bid refused because the bidder serves none of the zones the call for proposals allows.
 * Carries the CFP, the bidder's DID, the zones it declared and the zones allowed.
 */
export class BidOutOfZoneError extends Error {
  override name = "BidOutOfZoneError";
  readonly cfpId: string;
  readonly bidder: string;
  readonly bidderZones: string[];
  readonly allowedZones: string[];
  constructor(
    cfpId: string,
    bidder: string,
    bidderZones: readonly string[],
    allowedZones: readonly string[],
  ) {
    super(
      `Bid from ${bidder} refused for ${cfpId}: the task may run only in zone ${allowedZones.join(", ")}, ` +
        `and the bidder ${bidderZones.length === 0 ? "declared no zone" : `serves ${bidderZones.join(", ")}`}. ` +
        `Bid only on calls for proposals open to a zone you serve.`,
    );
    this.cfpId = cfpId;
    this.bidder = bidder;
    this.bidderZones = [...bidderZones];
    this.allowedZones = [...allowedZones];
  }
}
