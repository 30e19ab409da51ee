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
