/**
 * Bidder strategies: how an agent prices a call for proposals. The auction pays the winner the
 * second-lowest price, so bidding one's true cost is the best strategy; `floor` does exactly that,
 * `load-aware` raises the cost with the agent's queue, `premium` adds a fixed margin (it tends to
 * lose), `undercut` bids below its floor (it wins more but can be paid less than its cost when it
 * is alone).
 *
 * INTERIM until `market/` (issue 5) ships its pluggable strategy interface.
 */
export interface BidContext {
  capability: string;
  budget: bigint;
  /** Tasks this agent is running now. */
  queueDepth: number;
}

export interface BidStrategy {
  readonly name: string;
  /** The price to bid, or null to stay out. */
  price(context: BidContext): bigint | null;
}

export interface StrategyInit {
  name: string;
  /** The agent's cost for one task, in wei of AINUR. */
  floor: bigint;
  /** Basis points: margin for `premium`, per-queued-task surcharge for `load-aware`, discount for `undercut`. */
  bps?: number;
}

export const STRATEGY_NAMES = ["floor", "load-aware", "premium", "undercut"] as const;

export class UnknownStrategyError extends Error {
  override name = "UnknownStrategyError";
  readonly strategy: string;
  constructor(strategy: string) {
    super(`No bid strategy "${strategy}": use one of ${STRATEGY_NAMES.join(", ")}.`);
    this.strategy = strategy;
  }
}

const scale = (value: bigint, bps: number): bigint => (value * BigInt(10_000 + bps)) / 10_000n;

export function createStrategy(init: StrategyInit): BidStrategy {
  const { floor } = init;
  const within = (price: bigint, budget: bigint): bigint | null =>
    price > budget || price <= 0n ? null : price;
  switch (init.name) {
    case "floor":
      return { name: "floor", price: (c) => within(floor, c.budget) };
    case "load-aware": {
      const bps = init.bps ?? 2_500;
      return { name: "load-aware", price: (c) => within(scale(floor, bps * c.queueDepth), c.budget) };
    }
    case "premium": {
      const bps = init.bps ?? 3_000;
      return { name: "premium", price: (c) => within(scale(floor, bps), c.budget) };
    }
    case "undercut": {
      const bps = init.bps ?? 1_500;
      return { name: "undercut", price: (c) => within(scale(floor, -bps), c.budget) };
    }
    default:
      throw new UnknownStrategyError(init.name);
  }
}
