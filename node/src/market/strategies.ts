/**
 * Bidder strategies: how an agent turns a CFP into asks. The mechanisms are truthful, so asking
 * one's true cost is a dominant strategy; strategies differ in what "cost" means for the agent
 * right now (a floor for the minimum it works for, the opportunity cost of a busy queue).
 */
import type { Cfp } from "./messages.ts";

export interface StrategyContext {
  /** The agent's own cost to do a bundle (subtask indices), or undefined if it cannot. */
  cost(bundle: readonly number[]): number | undefined;
  /** Tasks waiting in the agent's queue right now. */
  queueDepth: number;
}

export interface BundleAsk {
  bundle: number[];
  price: number;
}

export interface BidderStrategy {
  readonly name: string;
  /** The asks to submit (XOR), or [] to stay out. */
  asks(cfp: Cfp, bundles: ReadonlyArray<readonly number[]>, context: StrategyContext): BundleAsk[];
}

/** Asks max(cost, floor) for each bundle it can do, skipping asks over the reserve. */
export class StaticFloorStrategy implements BidderStrategy {
  readonly name = "static-floor";
  readonly #floor: number;
  constructor(floor: number) {
    this.#floor = floor;
  }
  asks(cfp: Cfp, bundles: ReadonlyArray<readonly number[]>, context: StrategyContext): BundleAsk[] {
    const out: BundleAsk[] = [];
    for (const b of bundles) {
      const cost = context.cost(b);
      if (cost === undefined) continue;
      const price = Math.max(Math.ceil(cost), this.#floor);
      if (price <= cfp.reserve) out.push({ bundle: [...b], price });
    }
    return out;
  }
}

export interface LoadAwareInit {
  floor: number;
  /** Price rises by this fraction of cost for each queued task (0.1 = +10% per task). */
  perQueuedTask: number;
  /** At this depth the agent stops bidding. */
  maxQueue: number;
}

/** Cost × (1 + perQueuedTask · queueDepth), at least the floor; no asks once the queue is full. */
export class LoadAwareStrategy implements BidderStrategy {
  readonly name = "load-aware";
  readonly #init: LoadAwareInit;
  constructor(init: LoadAwareInit) {
    this.#init = init;
  }
  asks(cfp: Cfp, bundles: ReadonlyArray<readonly number[]>, context: StrategyContext): BundleAsk[] {
    if (context.queueDepth >= this.#init.maxQueue) return [];
    const factor = 1 + this.#init.perQueuedTask * context.queueDepth;
    return new StaticFloorStrategy(this.#init.floor).asks(cfp, bundles, {
      queueDepth: context.queueDepth,
      cost: (b) => {
        const c = context.cost(b);
        return c === undefined ? undefined : c * factor;
      },
    });
  }
}

/** `base × (10 000 + bps) / 10 000`, rounded down, exactly (bigint inside: no float drift). */
const scaleBps = (base: number, bps: number): number =>
  Number((BigInt(base) * BigInt(10_000 + bps)) / 10_000n);

/** The floor-or-cost price of each bundle it can do, reshaped by `reprice`; asks within (0, reserve]. */
function floorAsks(
  floor: number,
  cfp: Cfp,
  bundles: ReadonlyArray<readonly number[]>,
  context: StrategyContext,
  reprice: (base: number) => number,
): BundleAsk[] {
  const out: BundleAsk[] = [];
  for (const b of bundles) {
    const cost = context.cost(b);
    if (cost === undefined) continue;
    const price = reprice(Math.max(Math.ceil(cost), floor));
    if (price > 0 && price <= cfp.reserve) out.push({ bundle: [...b], price });
  }
  return out;
}

/**
 * Asks max(cost, floor) plus a margin of `marginBps` basis points. Under second-price clearing it
 * gains nothing when it wins (it is paid the runner-up's price) and loses auctions it should win.
 */
export class PremiumStrategy implements BidderStrategy {
  readonly name = "premium";
  readonly #floor: number;
  readonly #marginBps: number;
  constructor(floor: number, marginBps = 3_000) {
    this.#floor = floor;
    this.#marginBps = marginBps;
  }
  asks(cfp: Cfp, bundles: ReadonlyArray<readonly number[]>, context: StrategyContext): BundleAsk[] {
    return floorAsks(this.#floor, cfp, bundles, context, (p) => scaleBps(p, this.#marginBps));
  }
}

/**
 * Asks max(cost, floor) less `discountBps` basis points: it wins more often, and when it wins
 * alone or against cheap rivals it can be paid less than its cost.
 */
export class UndercutStrategy implements BidderStrategy {
  readonly name = "undercut";
  readonly #floor: number;
  readonly #discountBps: number;
  constructor(floor: number, discountBps = 1_500) {
    this.#floor = floor;
    this.#discountBps = discountBps;
  }
  asks(cfp: Cfp, bundles: ReadonlyArray<readonly number[]>, context: StrategyContext): BundleAsk[] {
    return floorAsks(this.#floor, cfp, bundles, context, (p) => scaleBps(p, -this.#discountBps));
  }
}

/** The strategies `createStrategy` builds by name (an agent's config names one). */
export const STRATEGY_NAMES = ["floor", "load-aware", "premium", "undercut"] as const;

export interface NamedStrategyInit {
  /** One of STRATEGY_NAMES ("static-floor" is accepted for "floor"). */
  name: string;
  /** The lowest price it asks, in price units. */
  floor: number;
  /** Basis points: per-queued-task surcharge for load-aware (default 2 500), margin for premium (3 000), discount for undercut (1 500). */
  bps?: number;
  /** load-aware: the queue depth at which it stops asking (default: never). */
  maxQueue?: number;
}

export class UnknownStrategyError extends Error {
  override name = "UnknownStrategyError";
  readonly strategy: string;
  constructor(strategy: string) {
    super(`No bid strategy "${strategy}": use one of ${STRATEGY_NAMES.join(", ")}.`);
    this.strategy = strategy;
  }
}

/** A built-in strategy by name; throws UnknownStrategyError for any other name. */
export function createStrategy(init: NamedStrategyInit): BidderStrategy {
  switch (init.name) {
    case "floor":
    case "static-floor":
      return new StaticFloorStrategy(init.floor);
    case "load-aware":
      return new LoadAwareStrategy({
        floor: init.floor,
        perQueuedTask: (init.bps ?? 2_500) / 10_000,
        maxQueue: init.maxQueue ?? Number.POSITIVE_INFINITY,
      });
    case "premium":
      return new PremiumStrategy(init.floor, init.bps);
    case "undercut":
      return new UndercutStrategy(init.floor, init.bps);
    default:
      throw new UnknownStrategyError(init.name);
  }
}
