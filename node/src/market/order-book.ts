/**
 * Standing offers: agents post "capability X at price p, n times, until t"; a simple task is
 * matched at once to the cheapest live offer (ties: earliest posted, then offer id), without an
 * auction. The task pays the offer's price (posted price: truthful for the buyer, and the seller
 * chose it).
 */
import type { Offer } from "./messages.ts";

export interface BookedOffer extends Offer {
  agent: string;
  seq: number;
}

export interface OfferMatch {
  offer: BookedOffer;
  price: number;
}

export class OfferNotFoundError extends Error {
  override name = "OfferNotFoundError";
  readonly offerId: string;
  constructor(offerId: string) {
    super(`No standing offer ${offerId}; it was filled, cancelled, expired or never posted.`);
    this.offerId = offerId;
  }
}

export class StandingOrderBook {
  readonly #byCapability = new Map<string, BookedOffer[]>();
  readonly #byId = new Map<string, BookedOffer>();
  #seq = 0;

  /** Posts (or replaces, by id) an offer from `agent`. */
  post(agent: string, offer: Offer): void {
    if (this.#byId.has(offer.offerId)) this.cancel(offer.offerId, agent);
    const booked: BookedOffer = { ...offer, agent, seq: this.#seq++ };
    let list = this.#byCapability.get(offer.capability);
    if (list === undefined) this.#byCapability.set(offer.capability, (list = []));
    // Keep sorted by (price, seq); binary insertion.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = list[mid]!;
      if (m.price < booked.price || (m.price === booked.price && m.seq < booked.seq)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, booked);
    this.#byId.set(offer.offerId, booked);
  }

  /** Cancels an offer; only its agent may. */
  cancel(offerId: string, agent: string): void {
    const o = this.#byId.get(offerId);
    if (o === undefined || o.agent !== agent) throw new OfferNotFoundError(offerId);
    this.#remove(o);
  }

  /** Matches one task: the cheapest live offer at or under `maxPrice`, whose capacity drops by one. */
  match(capability: string, maxPrice: number, now: number): OfferMatch | undefined {
    const list = this.#byCapability.get(capability);
    if (list === undefined) return undefined;
    while (list.length > 0) {
      const o = list[0]!;
      if (o.until <= now) {
        this.#remove(o);
        continue;
      }
      if (o.price > maxPrice) return undefined;
      o.capacity -= 1;
      if (o.capacity === 0) this.#remove(o);
      return { offer: o, price: o.price };
    }
    return undefined;
  }

  /** Live offers for a capability, best first. */
  offers(capability: string, now: number): BookedOffer[] {
    return (this.#byCapability.get(capability) ?? []).filter((o) => o.until > now);
  }

  get size(): number {
    return this.#byId.size;
  }

  #remove(o: BookedOffer): void {
    this.#byId.delete(o.offerId);
    const list = this.#byCapability.get(o.capability);
    if (list === undefined) return;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
  }
}
