/**
 * Multi-round negotiation, behind a configuration switch (`negotiation.enabled`, off by default):
 * buyer proposes, seller counters, … until one side accepts or `maxRounds` counters have been made.
 * Used when an auction clears with no ask under the reserve and the requester wants to haggle with
 * the cheapest bidders instead of failing. A bilateral haggle is not truthful; that is why it is
 * off unless configured.
 */

export interface NegotiationConfig {
  enabled: boolean;
  /** Counters allowed (both sides together) before the negotiation fails. */
  maxRounds: number;
}

export const DEFAULT_NEGOTIATION: NegotiationConfig = { enabled: false, maxRounds: 4 };

export class NegotiationDisabledError extends Error {
  override name = "NegotiationDisabledError";
  constructor() {
    super("Negotiation is disabled; set market.negotiation.enabled = true to allow propose/counter/accept.");
  }
}

export class NegotiationStateError extends Error {
  override name = "NegotiationStateError";
  readonly state: string;
  readonly action: string;
  constructor(state: string, action: string, detail: string) {
    super(`Cannot ${action} in state "${state}": ${detail}`);
    this.state = state;
    this.action = action;
  }
}

export type Party = "buyer" | "seller";
export type NegotiationState = "idle" | "open" | "accepted" | "failed";

export interface NegotiationStep {
  round: number;
  by: Party;
  action: "propose" | "counter" | "accept" | "reject";
  price: number;
}

export class Negotiation {
  readonly config: NegotiationConfig;
  readonly history: NegotiationStep[] = [];
  #state: NegotiationState = "idle";
  #last: NegotiationStep | undefined;

  constructor(config: NegotiationConfig) {
    if (!config.enabled) throw new NegotiationDisabledError();
    this.config = config;
  }

  get state(): NegotiationState {
    return this.#state;
  }

  /** The agreed price once accepted. */
  get price(): number | undefined {
    return this.#state === "accepted" ? this.#last?.price : undefined;
  }

  propose(price: number): NegotiationStep {
    if (this.#state !== "idle")
      throw new NegotiationStateError(this.#state, "propose", "a negotiation opens once");
    return this.#push({ round: 0, by: "buyer", action: "propose", price }, "open");
  }

  counter(by: Party, price: number): NegotiationStep {
    this.#expectTurn(by, "counter");
    const round = this.#last!.round + 1;
    if (round > this.config.maxRounds) {
      this.#push({ round, by, action: "reject", price: this.#last!.price }, "failed");
      throw new NegotiationStateError(
        "failed",
        "counter",
        `the ${this.config.maxRounds} allowed rounds are used up`,
      );
    }
    return this.#push({ round, by, action: "counter", price }, "open");
  }

  accept(by: Party): NegotiationStep {
    this.#expectTurn(by, "accept");
    return this.#push(
      { round: this.#last!.round, by, action: "accept", price: this.#last!.price },
      "accepted",
    );
  }

  reject(by: Party): NegotiationStep {
    this.#expectTurn(by, "reject");
    return this.#push({ round: this.#last!.round, by, action: "reject", price: this.#last!.price }, "failed");
  }

  #expectTurn(by: Party, action: string): void {
    if (this.#state !== "open")
      throw new NegotiationStateError(this.#state, action, "the negotiation is not open");
    if (this.#last!.by === by)
      throw new NegotiationStateError(this.#state, action, `it is not the ${by}'s turn`);
  }

  #push(step: NegotiationStep, state: NegotiationState): NegotiationStep {
    this.history.push(step);
    this.#last = step;
    this.#state = state;
    return step;
  }
}

/**
 * Runs a negotiation between two concession policies: the buyer starts at `buyer.open` and never
 * pays over `buyer.limit`; the seller never goes under `seller.limit`. Each side accepts an offer
 * within its limit, otherwise concedes `concession` of the gap. Returns the final state.
 */
export function negotiate(
  config: NegotiationConfig,
  buyer: { open: number; limit: number },
  seller: { open: number; limit: number },
  concession = 0.5,
): Negotiation {
  const n = new Negotiation(config);
  n.propose(buyer.open);
  let buyerAt = buyer.open;
  let sellerAt = seller.open;
  let turn: Party = "seller";
  try {
    for (;;) {
      const offer = n.history.at(-1)!.price;
      if (turn === "seller") {
        if (offer >= seller.limit) return (n.accept("seller"), n);
        sellerAt = Math.max(seller.limit, Math.round(sellerAt - (sellerAt - offer) * concession));
        n.counter("seller", sellerAt);
        turn = "buyer";
      } else {
        if (offer <= buyer.limit) return (n.accept("buyer"), n);
        buyerAt = Math.min(buyer.limit, Math.round(buyerAt + (offer - buyerAt) * concession));
        n.counter("buyer", buyerAt);
        turn = "seller";
      }
    }
  } catch (error) {
    if (error instanceof NegotiationStateError && n.state === "failed") return n;
    throw error;
  }
}
