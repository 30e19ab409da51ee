/**
 * Clearing rules, as pure functions. The market is a procurement (reverse) auction: bidders
 * ask a price, the requester buys, the lowest cost wins.
 *
 * - `clearVickrey`: single item, second price with a reserve. Asks above the reserve are out. The
 *   lowest ask wins and is paid min(second-lowest ask, reserve). O(n); tie keys are hashed only
 *   for asks tied at the lowest price.
 * - `clearVcg`: bundles of m ≤ 16 subtasks, XOR bids (each bidder wins at most one bundle), every
 *   subtask covered exactly once. Winner determination is exact, by dynamic programming over
 *   subsets: `pre[k][S]` = cheapest exact cover of S using bidders 0..k−1, `suf[k][S]` the same for
 *   bidders k..n−1. A bundle b updates the 2^(m−|b|) supersets of b, so building both tables costs
 *   O(Σ_b 2^(m−|b|)) ≤ O(B · 2^m) for B bundle bids, and memory O(n · 2^m). The cheapest cover
 *   without winner k is min_S pre[k][S] + suf[k+1][S̄], O(2^m) per winner, so all VCG payments cost
 *   O(W · 2^m) more. The reserve R is the requester's own offer to "buy nothing" for R: a cover
 *   costing more than R does not trade, and no payment exceeds what R allows.
 *   VCG payment to winner i: min(C*₋ᵢ, R) − (C* − bᵢ) ≥ bᵢ.
 * - Ties are broken deterministically by `tieKey(seed, bidder)` = sha256(seed ‖ bidder): the seed is
 *   the CFP id, so no bidder is favoured across auctions and order of arrival never matters.
 */
import { createHash } from "node:crypto";
import { MAX_PRICE, MAX_SUBTASKS } from "./messages.ts";

export class ClearingInputError extends Error {
  override name = "ClearingInputError";
  readonly value: unknown;
  constructor(message: string, value: unknown) {
    super(message);
    this.value = value;
  }
}

export function tieKey(seed: string, bidder: string): string {
  return createHash("sha256").update(seed).update("|").update(bidder).digest("hex");
}

export interface Ask {
  bidder: string;
  price: number;
}

export interface VickreyResult {
  winner: string | undefined;
  /** What the winner is paid. */
  payment: number | undefined;
  /** The winning ask. */
  ask: number | undefined;
  /** Asks at or under the reserve. */
  eligible: number;
}

function checkPrice(price: number, what: unknown): void {
  if (!Number.isSafeInteger(price) || price < 0 || price > MAX_PRICE) {
    throw new ClearingInputError(`Price ${price} must be an integer in [0, ${MAX_PRICE}].`, what);
  }
}

export function clearVickrey(asks: readonly Ask[], reserve: number, seed: string): VickreyResult {
  checkPrice(reserve, reserve);
  let best = Infinity;
  let second = Infinity;
  let tied: Ask[] = [];
  let eligible = 0;
  for (const a of asks) {
    checkPrice(a.price, a);
    if (a.price > reserve) continue;
    eligible++;
    if (a.price < best) {
      second = best;
      best = a.price;
      tied = [a];
    } else if (a.price === best) {
      second = best;
      tied.push(a);
    } else if (a.price < second) {
      second = a.price;
    }
  }
  if (tied.length === 0) return { winner: undefined, payment: undefined, ask: undefined, eligible };
  let winner = tied[0]!;
  if (tied.length > 1) {
    let winnerKey = tieKey(seed, winner.bidder);
    for (const t of tied.slice(1)) {
      const k = tieKey(seed, t.bidder);
      if (k < winnerKey) {
        winner = t;
        winnerKey = k;
      }
    }
  }
  return { winner: winner.bidder, payment: Math.min(second, reserve), ask: best, eligible };
}

export interface BundleAsk {
  bidder: string;
  /** Bitmask of subtasks. */
  mask: number;
  price: number;
}

export interface VcgWinner {
  bidder: string;
  mask: number;
  ask: number;
  payment: number;
}

export interface VcgResult {
  winners: VcgWinner[];
  /** Total of the winning asks (C*), or undefined when nothing trades. */
  cost: number | undefined;
}

export function clearVcg(
  asks: readonly BundleAsk[],
  subtasks: number,
  reserve: number,
  seed: string,
): VcgResult {
  if (!Number.isInteger(subtasks) || subtasks < 1 || subtasks > MAX_SUBTASKS) {
    throw new ClearingInputError(
      `VCG clears 1..${MAX_SUBTASKS} subtasks exactly; got ${subtasks}. Split larger tasks.`,
      subtasks,
    );
  }
  checkPrice(reserve, reserve);
  const size = 1 << subtasks;
  const full = size - 1;
  // Group XOR bids by bidder, in tie-key order; keep the lowest ask per (bidder, bundle).
  const byBidder = new Map<string, Map<number, number>>();
  for (const a of asks) {
    checkPrice(a.price, a);
    if (!Number.isInteger(a.mask) || a.mask <= 0 || a.mask > full)
      throw new ClearingInputError(`Bundle mask ${a.mask} is outside ${subtasks} subtasks.`, a);
    if (a.price > reserve) continue;
    let m = byBidder.get(a.bidder);
    if (m === undefined) byBidder.set(a.bidder, (m = new Map()));
    const prev = m.get(a.mask);
    if (prev === undefined || a.price < prev) m.set(a.mask, a.price);
  }
  const bidders = [...byBidder.keys()]
    .map((b) => ({ b, k: tieKey(seed, b) }))
    .sort((x, y) => (x.k < y.k ? -1 : x.k > y.k ? 1 : 0))
    .map((x) => x.b);
  const bundles = bidders.map((b) =>
    [...byBidder.get(b)!.entries()].sort((x, y) => x[0] - y[0] || x[1] - y[1]),
  );
  const n = bidders.length;

  const step = (prev: Float64Array, list: ReadonlyArray<[number, number]>): Float64Array => {
    const next = prev.slice();
    for (const [b, c] of list) {
      const comp = full ^ b;
      // every superset S = b ∪ s of b, s ⊆ comp
      for (let s = comp; ; s = (s - 1) & comp) {
        const from = prev[s];
        if (from !== Infinity) {
          const v = from! + c;
          const S = s | b;
          if (v < next[S]!) next[S] = v;
        }
        if (s === 0) break;
      }
    }
    return next;
  };
  const empty = new Float64Array(size).fill(Infinity);
  empty[0] = 0;
  const pre: Float64Array[] = [empty];
  for (let k = 0; k < n; k++) pre.push(step(pre[k]!, bundles[k]!));
  const best = pre[n]![full]!;
  if (!(best <= reserve)) return { winners: [], cost: undefined };

  // Recover the allocation, preferring "bidder k not used" on ties (deterministic).
  const chosen: Array<{ k: number; mask: number; ask: number }> = [];
  let S = full;
  for (let k = n - 1; k >= 0 && S !== 0; k--) {
    if (pre[k]![S] === pre[k + 1]![S]) continue;
    const hit = bundles[k]!.find(([b, c]) => (S & b) === b && pre[k]![S ^ b]! + c === pre[k + 1]![S]);
    if (hit === undefined) throw new Error("VCG backtrack failed: the DP tables are inconsistent");
    chosen.push({ k, mask: hit[0], ask: hit[1] });
    S ^= hit[0];
  }

  const suf: Float64Array[] = new Array<Float64Array>(n + 1);
  suf[n] = empty;
  for (let k = n - 1; k >= 0; k--) suf[k] = step(suf[k + 1]!, bundles[k]!);

  const winners: VcgWinner[] = chosen
    .sort((x, y) => x.k - y.k)
    .map(({ k, mask, ask }) => {
      const p = pre[k]!;
      const q = suf[k + 1]!;
      let without = Infinity;
      for (let A = 0; A < size; A++) {
        const v = p[A]! + q[full ^ A]!;
        if (v < without) without = v;
      }
      const payment = Math.min(without, reserve) - (best - ask);
      return { bidder: bidders[k]!, mask, ask, payment };
    });
  return { winners, cost: best };
}

/**
 * Splits `amount` by basis-point shares: each member gets ⌊amount · share / 10 000⌋ and the first
 * member (the coalition's lead) the remainder, so the parts always sum to `amount`.
 */
export function splitByShares<T extends { shareBps: number }>(
  amount: bigint,
  members: readonly T[],
): Array<{ member: T; amount: bigint }> {
  const total = members.reduce((s, m) => s + m.shareBps, 0);
  if (total !== 10_000)
    throw new ClearingInputError(`Coalition shares must sum to 10000 basis points, got ${total}.`, members);
  const parts = members.map((m) => ({ member: m, amount: (amount * BigInt(m.shareBps)) / 10_000n }));
  const rest = amount - parts.reduce((s, p) => s + p.amount, 0n);
  parts[0]!.amount += rest;
  return parts;
}
