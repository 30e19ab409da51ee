import { randomBytes } from "node:crypto";
import {
  EnvelopeVerifier,
  MessageRejectedError,
  signEnvelope,
  utf8,
  verifyMessage,
  fromHex,
} from "../identity/index.ts";
import type { AgentKeys, DidResolver, RejectReason, SignatureAlg } from "../identity/index.ts";
import { capabilityTopic, PROTOCOLS } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import { bundleTaskId, signAward } from "./award.ts";
import type { EscrowConfig } from "./award.ts";
import { clearVcg, clearVickrey, splitByShares } from "./clearing.ts";
import { AuctionNotFoundError, AuctionClosedError, BidOutOfZoneError } from "./errors.ts";
import {
  BidContentSchema,
  bundleMask,
  coalitionStatement,
  maskBundle,
  SealedBidSchema,
  TYPES,
  CfpSchema,
} from "./messages.ts";
import type { Award, BidContent, Cfp, Negotiate, SealedBid } from "./messages.ts";
import { NegotiateSchema } from "./messages.ts";
import { DEFAULT_NEGOTIATION, Negotiation, NegotiationStateError } from "./negotiation.ts";
import type { NegotiationConfig, NegotiationStep } from "./negotiation.ts";
import { SealKey, sealAad } from "./seal.ts";

/** Why a bid was dropped: identity's envelope reasons, and `zone` (the bidder serves none of the CFP's zones). */
export type DropReason = RejectReason | "zone";

export interface AuctioneerInit {
  escrow: EscrowConfig;
  /** Largest sealed bid accepted (bytes). Default 8 KiB. */
  maxBidBytes?: number;
  /** Clock (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Seed of the X25519 sealing key (random when absent). */
  sealSeed?: Uint8Array;
  /** Multi-round negotiation after an auction; off by default. */
  negotiation?: NegotiationConfig;
  /**
   * How the CFPs, awards and negotiation steps are signed: `ed25519` with the DID's message key
   * (default), or `eip712` with the account key (the devnet's nodes, whose DIDs are account
   * addresses). The award's escrow signature is EIP-712 either way.
   */
  alg?: SignatureAlg;
}

export interface BuyerPolicy {
  /** First offer. */
  open: number;
  /** Most the buyer pays. */
  limit: number;
  /** Share of the gap conceded per counter. Default 0.5. */
  concession?: number;
}

export interface AuctioneerComponents {
  keys: AgentKeys;
  resolver: DidResolver;
  transport: Transport;
}

export interface AnnounceInit {
  capability: string;
  subtasks: string[];
  mechanism: Cfp["mechanism"];
  reserve: number;
  /** Bids close at (ms since epoch). */
  deadline: number;
  /** Escrow deadline (seconds since epoch). */
  taskDeadline: number;
  inputs?: string[];
  cfpId?: string;
  /** The zones the task may run in; absent: any. */
  zones?: string[];
}

interface StoredBid {
  bidder: string;
  peer: string;
  sealed: SealedBid["sealed"];
  zones?: string[];
}

interface Auction {
  cfp: Cfp;
  bids: Map<string, StoredBid>;
  /** Bids opened (in idle time during the bid window, or at clearing) and valid, by bidder DID. */
  opened: Map<string, { stored: StoredBid; content: BidContent }>;
  /** Stored bids whose seal or content was bad (already counted). */
  invalid: WeakSet<StoredBid>;
  closed: boolean;
  listeners: Array<() => void>;
}

export interface ClearedWinner {
  bidder: string;
  peer: string;
  bundle: number[];
  ask: number;
  payment: number;
  award: Award;
  /** Whether the winner acknowledged the award. */
  delivered: boolean;
}

/** A bid as the auctioneer read it: who sent it, from which peer, its declared zones and its content. */
export interface OpenedBid {
  bidder: string;
  peer: string;
  zones?: string[];
  content: BidContent;
}

export interface ClearingOutcome {
  cfpId: string;
  mechanism: Cfp["mechanism"];
  /** Bids opened and valid at clearing. */
  bids: number;
  /** Those bids, opened (the auctioneer's own records: the seal kept them from everyone else). */
  opened: OpenedBid[];
  winners: ClearedWinner[];
}

/**
 * Runs auctions: announces CFPs on the capability's gossip topic, admits sealed bids over the bid
 * protocol (verify, check, store — each refusal counted by reason and held against the peer),
 * clears at the deadline, and sends each winner its signed award.
 */
export class Auctioneer {
  readonly dropped: Record<DropReason, number> = {
    malformed: 0,
    unsigned: 0,
    forged: 0,
    replayed: 0,
    expired: 0,
    oversized: 0,
    late: 0,
    zone: 0,
  };
  readonly #init: AuctioneerInit;
  readonly #c: AuctioneerComponents;
  readonly #verifier: EnvelopeVerifier;
  readonly #seal: SealKey;
  readonly #auctions = new Map<string, Auction>();
  readonly #now: () => number;
  readonly #alg: SignatureAlg;
  #pending: Array<{ auction: Auction; stored: StoredBid }> = [];
  #opening = false;
  #idleWaiters: Array<() => void> = [];
  admitted = 0;

  constructor(init: AuctioneerInit, components: AuctioneerComponents) {
    this.#init = init;
    this.#c = components;
    this.#now = init.now ?? Date.now;
    this.#alg = init.alg ?? "ed25519";
    this.#verifier = new EnvelopeVerifier({
      resolver: components.resolver,
      maxBytes: init.maxBidBytes ?? 8 * 1024,
      now: this.#now,
    });
    this.#seal = new SealKey(init.sealSeed);
  }

  get sealKey(): string {
    return this.#seal.publicKey;
  }

  async start(): Promise<void> {
    await this.#c.transport.handle(PROTOCOLS.bid, (request, peer) => {
      const { cfpId } = this.admit(request, peer);
      return utf8(JSON.stringify({ ok: true, cfpId }));
    });
  }

  async stop(): Promise<void> {
    await this.#c.transport.unhandle(PROTOCOLS.bid).catch(() => undefined);
  }

  /** Opens an auction and publishes its CFP; returns the CFP and how many peers it was sent to. */
  async announce(init: AnnounceInit): Promise<{ cfp: Cfp; recipients: number }> {
    const t = this.#c.transport;
    const cfp: Cfp = CfpSchema.parse({
      cfpId: init.cfpId ?? "0x" + randomBytes(32).toString("hex"),
      capability: init.capability,
      subtasks: init.subtasks,
      mechanism: init.mechanism,
      reserve: init.reserve,
      deadline: init.deadline,
      taskDeadline: init.taskDeadline,
      inputs: init.inputs ?? [],
      ...(init.zones === undefined ? {} : { zones: init.zones }),
      auctioneer: { peer: t.peerId, addrs: t.addresses().slice(0, 8), sealKey: this.#seal.publicKey },
    });
    this.#auctions.set(cfp.cfpId, {
      cfp,
      bids: new Map(),
      opened: new Map(),
      invalid: new WeakSet(),
      closed: false,
      listeners: [],
    });
    const ttlMs = Math.min(Math.max(cfp.deadline - this.#now(), 1_000) + 30_000, 9 * 60_000);
    const recipients = await t.publish(
      capabilityTopic(cfp.capability),
      signEnvelope(this.#c.keys, TYPES.cfp, cfp, { ttlMs, now: this.#now(), alg: this.#alg }),
    );
    return { cfp, recipients };
  }

  /**
   * Admits one sealed bid: verify, check, store. Throws `MessageRejectedError`, or
   * `BidOutOfZoneError` when the CFP names zones and the bidder declares none of them (counted,
   * and held against `peer` except for late bids), when refused.
   */
  admit(bytes: Uint8Array, peer: string): { cfpId: string; bidder: string } {
    try {
      const opened = this.#verifier.open(bytes, TYPES.sealedBid, SealedBidSchema);
      const auction = this.#auctions.get(opened.body.cfpId);
      if (auction === undefined)
        throw new MessageRejectedError("malformed", `no open call for proposals ${opened.body.cfpId}`);
      if (auction.closed || this.#now() > auction.cfp.deadline) {
        throw new MessageRejectedError(
          "late",
          `bids for ${auction.cfp.cfpId} closed at ${auction.cfp.deadline}`,
        );
      }
      const allowed = auction.cfp.zones;
      const served = opened.body.zones ?? [];
      if (allowed !== undefined && !served.some((z) => allowed.includes(z)))
        throw new BidOutOfZoneError(auction.cfp.cfpId, opened.from, served, allowed);
      const stored: StoredBid = { bidder: opened.from, peer, sealed: opened.body.sealed };
      if (opened.body.zones !== undefined) stored.zones = opened.body.zones;
      auction.bids.set(opened.from, stored);
      this.#pending.push({ auction, stored });
      this.#scheduleOpening();
      this.admitted++;
      for (const l of auction.listeners) l();
      return { cfpId: auction.cfp.cfpId, bidder: opened.from };
    } catch (error) {
      if (error instanceof MessageRejectedError) {
        this.dropped[error.reason]++;
        if (error.reason !== "late") this.#c.transport.scorer.penalize(peer, `bid ${error.reason}`);
      } else if (error instanceof BidOutOfZoneError) {
        this.dropped.zone++;
        this.#c.transport.scorer.penalize(peer, "bid outside the task's zones");
      }
      throw error;
    }
  }

  bidCount(cfpId: string): number {
    return this.#auction(cfpId).bids.size;
  }

  /** Resolves once `count` bids are stored for the CFP. */
  async waitForBids(cfpId: string, count: number, timeoutMs = 30_000): Promise<void> {
    const auction = this.#auction(cfpId);
    if (auction.bids.size >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Only ${auction.bids.size} of ${count} bids arrived for ${cfpId} within ${timeoutMs} ms.`,
            ),
          ),
        timeoutMs,
      );
      auction.listeners.push(() => {
        if (auction.bids.size >= count) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Closes the auction, clears it, signs the awards and sends them to the winners. */
  async close(cfpId: string): Promise<ClearingOutcome> {
    const auction = this.#auction(cfpId);
    if (auction.closed) throw new AuctionClosedError(cfpId);
    auction.closed = true;
    const { cfp } = auction;
    // Seals not yet opened in idle time are opened now.
    for (const stored of auction.bids.values()) {
      if (auction.opened.get(stored.bidder)?.stored !== stored && !auction.invalid.has(stored))
        this.#openStored(auction, stored);
    }
    const valid = [...auction.opened.values()];
    const byBidder = auction.opened;
    const all = (1 << cfp.subtasks.length) - 1;
    const results: Array<{ bidder: string; mask: number; ask: number; payment: number }> = [];
    if (cfp.mechanism === "vickrey") {
      const asks = valid.flatMap((v) =>
        v.content.bids
          .filter((b) => bundleMask(b.bundle) === all)
          .map((b) => ({ bidder: v.stored.bidder, price: b.price })),
      );
      // a bidder's lowest ask counts
      const lowest = new Map<string, number>();
      for (const a of asks) lowest.set(a.bidder, Math.min(a.price, lowest.get(a.bidder) ?? Infinity));
      const r = clearVickrey(
        [...lowest].map(([bidder, price]) => ({ bidder, price })),
        cfp.reserve,
        cfp.cfpId,
      );
      if (r.winner !== undefined)
        results.push({ bidder: r.winner, mask: all, ask: r.ask!, payment: r.payment! });
    } else {
      const asks = valid.flatMap((v) =>
        v.content.bids.map((b) => ({ bidder: v.stored.bidder, mask: bundleMask(b.bundle), price: b.price })),
      );
      const r = clearVcg(asks, cfp.subtasks.length, cfp.reserve, cfp.cfpId);
      for (const w of r.winners)
        results.push({ bidder: w.bidder, mask: w.mask, ask: w.ask, payment: w.payment });
    }
    const winners: ClearedWinner[] = [];
    for (const r of results) {
      const { stored, content } = byBidder.get(r.bidder)!;
      const award = this.#award(cfp, r.mask, r.payment, content);
      winners.push({
        bidder: r.bidder,
        peer: stored.peer,
        bundle: maskBundle(r.mask),
        ask: r.ask,
        payment: r.payment,
        award,
        delivered: false,
      });
    }
    await Promise.all(
      winners.map(async (w) => {
        try {
          const bytes = signEnvelope(this.#c.keys, TYPES.award, w.award, {
            ttlMs: 5 * 60_000,
            now: this.#now(),
            alg: this.#alg,
          });
          await this.#c.transport.request(w.peer, PROTOCOLS.award, bytes, { timeoutMs: 10_000 });
          w.delivered = true;
        } catch {
          w.delivered = false;
        }
      }),
    );
    const opened = valid.map(({ stored, content }) => ({
      bidder: stored.bidder,
      peer: stored.peer,
      ...(stored.zones === undefined ? {} : { zones: stored.zones }),
      content,
    }));
    return { cfpId, mechanism: cfp.mechanism, bids: valid.length, opened, winners };
  }

  /**
   * After clearing, haggles with one bidder of the auction (typically when no ask was under the
   * reserve): propose, counter, … up to `negotiation.maxRounds`. Needs `negotiation.enabled`. On
   * agreement the bidder is sent a signed award at the agreed price for the whole task.
   */
  async negotiate(
    cfpId: string,
    bidder: string,
    policy: BuyerPolicy,
  ): Promise<{ negotiation: Negotiation; award?: Award }> {
    const n = new Negotiation(this.#init.negotiation ?? DEFAULT_NEGOTIATION);
    const auction = this.#auction(cfpId);
    const entry = auction.opened.get(bidder);
    if (!auction.closed || entry === undefined) {
      throw new NegotiationStateError(
        "idle",
        "negotiate",
        `${bidder} has no opened bid on ${cfpId}; close the auction first`,
      );
    }
    const peer = entry.stored.peer;
    let buyerAt = policy.open;
    let step: NegotiationStep = n.propose(policy.open);
    while (n.state === "open") {
      const reply = await this.#sendStep(peer, bidder, cfpId, step);
      if (reply.action === "accept") n.accept("seller");
      else if (reply.action === "reject") n.reject("seller");
      else {
        try {
          n.counter("seller", reply.price);
        } catch {
          await this.#sendStep(peer, bidder, cfpId, n.history.at(-1)!).catch(() => undefined);
          break;
        }
        if (reply.price <= policy.limit) {
          await this.#sendStep(peer, bidder, cfpId, n.accept("buyer"));
          break;
        }
        buyerAt = Math.min(
          policy.limit,
          Math.round(buyerAt + (reply.price - buyerAt) * (policy.concession ?? 0.5)),
        );
        try {
          step = n.counter("buyer", buyerAt);
        } catch {
          await this.#sendStep(peer, bidder, cfpId, n.history.at(-1)!).catch(() => undefined);
          break;
        }
      }
    }
    if (n.state !== "accepted") return { negotiation: n };
    const all = (1 << auction.cfp.subtasks.length) - 1;
    const award = this.#award(auction.cfp, all, n.price!, entry.content);
    const bytes = signEnvelope(this.#c.keys, TYPES.award, award, {
      ttlMs: 5 * 60_000,
      now: this.#now(),
      alg: this.#alg,
    });
    await this.#c.transport.request(peer, PROTOCOLS.award, bytes, { timeoutMs: 10_000 });
    return { negotiation: n, award };
  }

  async #sendStep(peer: string, bidder: string, cfpId: string, step: NegotiationStep): Promise<Negotiate> {
    const body: Negotiate = { cfpId, round: step.round, action: step.action, price: step.price };
    const reply = await this.#c.transport.request(
      peer,
      PROTOCOLS.negotiate,
      signEnvelope(this.#c.keys, TYPES.negotiate, body, { now: this.#now(), alg: this.#alg }),
    );
    const opened = this.#verifier.open(reply, TYPES.negotiate, NegotiateSchema);
    if (opened.from !== bidder || opened.body.cfpId !== cfpId)
      throw new NegotiationStateError("open", "negotiate", "the reply is not from that bidder for that CFP");
    return opened.body;
  }

  #award(cfp: Cfp, mask: number, payment: number, content: BidContent): Award {
    const all = (1 << cfp.subtasks.length) - 1;
    const taskId = cfp.mechanism === "vickrey" || mask === all ? cfp.cfpId : bundleTaskId(cfp.cfpId, mask);
    const agent = content.coalition?.[0]?.address ?? content.payTo;
    const price = BigInt(payment) * (this.#init.escrow.priceUnit ?? 1n);
    const signature = signAward(this.#c.keys, this.#init.escrow, { taskId, agent, price });
    const payouts =
      content.coalition === undefined
        ? [{ address: content.payTo, amount: price.toString() }]
        : splitByShares(price, content.coalition).map((p) => ({
            address: p.member.address,
            amount: p.amount.toString(),
          }));
    return {
      cfpId: cfp.cfpId,
      winner: content.bidder,
      bundle: maskBundle(mask),
      escrow: { taskId, agent, price: price.toString(), deadline: cfp.taskDeadline, signature },
      payouts,
    };
  }

  /**
   * Resolves once every admitted bid's seal has been opened and checked. Opening runs in idle time
   * during the bid window (64 bids per event-loop turn), so that clearing at the deadline does not
   * pay for thousands of X25519 exchanges at once.
   */
  async opened(): Promise<void> {
    if (this.#pending.length === 0 && !this.#opening) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  #scheduleOpening(): void {
    if (this.#opening) return;
    this.#opening = true;
    setImmediate(() => this.#drain());
  }

  #drain(): void {
    const batch = this.#pending.splice(0, 64);
    for (const { auction, stored } of batch) {
      // skip bids replaced since, or already opened at clearing
      if (auction.closed || auction.bids.get(stored.bidder) !== stored) continue;
      this.#openStored(auction, stored);
    }
    if (this.#pending.length > 0) {
      setImmediate(() => this.#drain());
      return;
    }
    this.#opening = false;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #openStored(auction: Auction, stored: StoredBid): void {
    const content = this.#openBid(auction.cfp, stored);
    if (content === undefined) {
      auction.invalid.add(stored);
      auction.opened.delete(stored.bidder);
    } else {
      auction.opened.set(stored.bidder, { stored, content });
    }
  }

  /** Opens and checks a sealed bid; a bad one is dropped, counted and blamed. */
  #openBid(cfp: Cfp, stored: StoredBid): BidContent | undefined {
    const fail = (reason: DropReason, detail: string): undefined => {
      this.dropped[reason]++;
      this.#c.transport.scorer.penalize(stored.peer, `sealed bid ${reason}: ${detail}`);
      return undefined;
    };
    let content: BidContent;
    try {
      const plain = this.#seal.open(stored.sealed, sealAad(cfp.cfpId, stored.bidder));
      content = BidContentSchema.parse(JSON.parse(Buffer.from(plain).toString("utf8")));
    } catch (error) {
      return fail("malformed", (error as Error).message);
    }
    if (content.cfpId !== cfp.cfpId || content.bidder !== stored.bidder)
      return fail("forged", "the sealed content names another CFP or bidder");
    if (
      content.bids.some(
        (b) => b.bundle.some((i) => i >= cfp.subtasks.length) || new Set(b.bundle).size !== b.bundle.length,
      )
    ) {
      return fail("malformed", "a bundle names a subtask the CFP does not have");
    }
    if (content.coalition !== undefined) {
      const members = content.coalition;
      if (members[0]!.did !== stored.bidder)
        return fail("malformed", "the coalition's first member must be the bidder");
      if (members.reduce((s, m) => s + m.shareBps, 0) !== 10_000)
        return fail("malformed", "coalition shares must sum to 10000");
      if (new Set(members.map((m) => m.did)).size !== members.length)
        return fail("malformed", "a coalition member appears twice");
      const statement = utf8(coalitionStatement(cfp.cfpId, stored.bidder, members));
      for (const m of members) {
        const keys = this.#c.resolver.resolve(m.did);
        if (
          keys === undefined ||
          keys.address.toLowerCase() !== m.address.toLowerCase() ||
          !verifyMessage(fromHex(keys.messageKey, 32), statement, fromHex(m.sig, 64))
        ) {
          return fail("forged", `coalition member ${m.did} did not sign this coalition`);
        }
      }
    }
    return content;
  }

  #auction(cfpId: string): Auction {
    const a = this.#auctions.get(cfpId);
    if (a === undefined) throw new AuctionNotFoundError(cfpId);
    return a;
  }
}
