/**
 * How an agent node prices a call for proposals with `market/`'s strategies (`createStrategy`:
 * floor, load-aware, premium, undercut): the agent node's `Bidder` takes `strategy` and `cost`;
 * `price()` gives the same ask in base units for callers without an auction (the CLI's
 * `bid strategy`, the Substrate devnet's in-process auction). The node's amounts are bigints in the token's base unit;
 * market prices are integers in price units, one price unit = `priceUnit` base units (a
 * millionth of a token: 10^12 wei of AINUR). The floor rounds up to a price unit, the budget (the
 * reserve) down.
 */
import { clearVickrey, createStrategy, MAX_PRICE } from "../market/index.ts";
import type { BidderStrategy, Cfp } from "../market/index.ts";

/** Base units per price unit for a token whose one whole unit is `tokenUnit` base units (10^-6 token). */
export const priceUnitOf = (tokenUnit: bigint): bigint =>
  tokenUnit >= 1_000_000n ? tokenUnit / 1_000_000n : 1n;

/** The EVM devnet's price unit: 10^12 wei = 10^-6 AINUR. */
export const EVM_PRICE_UNIT = priceUnitOf(10n ** 18n);

export interface BidPricerInit {
  /** A strategy name (market's STRATEGY_NAMES). */
  name: string;
  /** The agent's cost for one task, in the token's base unit. */
  floor: bigint;
  /** The strategy's basis points (see market's NamedStrategyInit). */
  bps?: number;
  /** Base units per market price unit (default EVM_PRICE_UNIT). */
  priceUnit?: bigint;
}

export interface BidRequest {
  capability: string;
  /** Escrow task id (bytes32 hex). */
  taskKey: string;
  /** The requester's budget, in base units: the reserve. */
  budget: bigint;
  /** Tasks this agent is running now. */
  queueDepth: number;
}

/** A market strategy with the node's bigint amounts on either side. */
export class BidPricer {
  /** The configured strategy name (what bids and the devnet summary show). */
  readonly name: string;
  readonly strategy: BidderStrategy;
  /** Base units per market price unit. */
  readonly priceUnit: bigint;
  readonly #unit: bigint;
  readonly #floor: number;
  constructor(init: BidPricerInit) {
    this.#unit = init.priceUnit ?? EVM_PRICE_UNIT;
    this.priceUnit = this.#unit;
    const floor = (init.floor + this.#unit - 1n) / this.#unit;
    this.#floor = Number(floor > BigInt(MAX_PRICE) ? BigInt(MAX_PRICE) : floor);
    this.name = init.name;
    this.strategy = createStrategy({
      name: init.name,
      floor: this.#floor,
      ...(init.bps === undefined ? {} : { bps: init.bps }),
    });
  }

  /** The agent's cost for one task in market price units (the floor, rounded up): what its `Bidder` prices from. */
  get cost(): number {
    return this.#floor;
  }

  /** The price to bid in base units, or null to stay out. */
  price(request: BidRequest): bigint | null {
    const reserve = request.budget / this.#unit;
    const cfp: Cfp = {
      cfpId: request.taskKey,
      capability: request.capability,
      subtasks: [request.capability],
      mechanism: "vickrey",
      reserve: Number(reserve > BigInt(MAX_PRICE) ? BigInt(MAX_PRICE) : reserve),
      deadline: 1,
      taskDeadline: 1,
      inputs: [],
      auctioneer: { peer: "", addrs: [], sealKey: "0x" + "00".repeat(32) },
    };
    // One bundle (the whole task) whose cost is the floor: the node's agents price by their floor.
    const floor = this.#floor;
    const [ask] = this.strategy.asks(cfp, [[0]], { cost: () => floor, queueDepth: request.queueDepth });
    return ask === undefined ? null : BigInt(ask.price) * this.#unit;
  }
}

/**
 * Second-price clearing of asks in base units with market's `clearVickrey`, for the Substrate
 * devnet's in-process auction (the EVM devnet's nodes run market's `Auctioneer`): the lowest ask at
 * or under the reserve wins, ties broken by a hash of the task and the bidder, and the winner is
 * paid the second-lowest ask (the reserve when it is alone). Amounts are multiples of `priceUnit`.
 */
export function clearSecondPrice<B extends { agent: string; price: string }>(
  taskKey: string,
  bids: readonly B[],
  reserve: bigint,
  priceUnit: bigint = EVM_PRICE_UNIT,
): { winner: B; price: bigint } | undefined {
  const asks = bids.map((b) => ({ bidder: b.agent, price: Number(BigInt(b.price) / priceUnit) }));
  const result = clearVickrey(asks, Number(reserve / priceUnit), taskKey);
  if (result.winner === undefined || result.payment === undefined) return undefined;
  return { winner: bids.find((b) => b.agent === result.winner)!, price: BigInt(result.payment) * priceUnit };
}
