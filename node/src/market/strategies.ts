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
