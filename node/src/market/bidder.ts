import { EnvelopeVerifier, signEnvelope, toHex, utf8 } from "../identity/index.ts";
import { MessageRejectedError } from "../identity/index.ts";
import type { AgentKeys, DidResolver, RejectReason, SignatureAlg } from "../identity/index.ts";
import { capabilityTopic, PROTOCOLS } from "../transport/index.ts";
import type { Transport, Verdict } from "../transport/index.ts";
import { awardSigner } from "./award.ts";
import type { EscrowConfig } from "./award.ts";
import { AwardSchema, CfpSchema, coalitionStatement, NegotiateSchema, TYPES } from "./messages.ts";
import type { Award, BidContent, Cfp, CoalitionMember, Negotiate, SealedBid } from "./messages.ts";
import { Negotiation } from "./negotiation.ts";
import type { NegotiationConfig, NegotiationStep } from "./negotiation.ts";
import { seal, sealAad } from "./seal.ts";
import type { BidderStrategy } from "./strategies.ts";

export interface BidderInit {
  capabilities: string[];
  escrow: EscrowConfig;
  /** Where payments go. Default: the agent's own address. */
  payTo?: string;
  /** Auctioneers whose CFPs this agent answers (DIDs). Default: any the resolver knows. */
  auctioneers?: string[];
  /**
   * The zones this agent serves. A CFP limited to other zones is not bid on (nor one limited to
   * any zone when this is absent); each bid declares them to the auctioneer.
   */
  zones?: string[];
  /** What each bid says about the bidder (its registry DID when it signs as another DID, its strategy). */
  profile?: NonNullable<BidContent["profile"]>;
  /** How bids and negotiation steps are signed (see `AuctioneerInit.alg`). Default `ed25519`. */
  alg?: SignatureAlg;
  /** The agent's cost for a bundle of the CFP's subtasks, or undefined if it cannot do it. */
  cost(cfp: Cfp, bundle: readonly number[]): number | undefined;
  /** Which bundles to consider. Default: the whole task, plus each single subtask for VCG. */
  bundles?(cfp: Cfp): number[][];
  /** Queue depth for load-aware strategies. Default 0. */
  queueDepth?(): number;
  /** Bid as a coalition: members after the lead (this agent), with their shares and signatures. */
  coalition?(cfp: Cfp): CoalitionMember[] | undefined;
  /**
   * Multi-round negotiation; off by default (the protocol is not even served). The agent never goes
   * under its cost for the whole task; it opens at cost × (1 + markup) and concedes half the gap
   * per counter.
   */
  negotiation?: NegotiationConfig & { markup?: number };
}

export interface BidderComponents {
  keys: AgentKeys;
  resolver: DidResolver;
  transport: Transport;
  strategy: BidderStrategy;
}

export interface BidderEvents {
  cfp(cfp: Cfp): void;
  bid(cfp: Cfp, content: BidContent): void;
  /** A CFP this agent does not bid on: its zones, its cost or its strategy keep it out. */
  skip(cfp: Cfp, reason: string): void;
  award(award: Award): void;
  error(error: Error): void;
}

/**
 * An agent's bidding side: listens for CFPs on its capabilities' topics, prices them with its
 * strategy, seals its asks to the auctioneer and sends them; accepts awards whose EIP-712 signature
 * comes from the auctioneer's account.
 */
export class Bidder {
  readonly awards: Award[] = [];
  /** CFPs refused, by reason (the relaying peer is also scored down by the transport). */
  readonly dropped: Record<RejectReason, number> = {
    malformed: 0,
    unsigned: 0,
    forged: 0,
    replayed: 0,
    expired: 0,
    oversized: 0,
    late: 0,
  };
  readonly #init: BidderInit;
  readonly #c: BidderComponents;
  readonly #verifier: EnvelopeVerifier;
  readonly #cfps = new Map<string, Cfp>();
  readonly #sessions = new Map<string, { n: Negotiation; at: number; limit: number }>();
  readonly #listeners: { [K in keyof BidderEvents]: Array<BidderEvents[K]> } = {
    cfp: [],
    bid: [],
    skip: [],
    award: [],
    error: [],
  };

  constructor(init: BidderInit, components: BidderComponents) {
    this.#init = init;
    this.#c = components;
    this.#verifier = new EnvelopeVerifier({ resolver: components.resolver, maxBytes: 16 * 1024 });
  }

  on<K extends keyof BidderEvents>(event: K, listener: BidderEvents[K]): void {
    this.#listeners[event].push(listener);
  }

  async start(): Promise<void> {
    const t = this.#c.transport;
    await t.handle(PROTOCOLS.award, (request) => {
      const opened = this.#verifier.open(request, TYPES.award, AwardSchema);
      const auctioneer = this.#c.resolver.resolve(opened.from)!;
      const e = opened.body.escrow;
      const signer = awardSigner(
        this.#init.escrow,
        { taskId: e.taskId, agent: e.agent, price: BigInt(e.price) },
        e.signature,
      );
      if (signer?.toLowerCase() !== auctioneer.address.toLowerCase())
        throw new Error("the escrow signature is not the auctioneer's");
      if (opened.body.winner !== this.#c.keys.did) throw new Error("the award names another agent");
      this.awards.push(opened.body);
      for (const l of this.#listeners.award) l(opened.body);
      return utf8(JSON.stringify({ ok: true }));
    });
    if (this.#init.negotiation?.enabled === true) {
      await t.handle(PROTOCOLS.negotiate, (request) => {
        const opened = this.#verifier.open(request, TYPES.negotiate, NegotiateSchema);
        const step = this.#negotiateStep(opened.from, opened.body);
        const body: Negotiate = {
          cfpId: opened.body.cfpId,
          round: step.round,
          action: step.action,
          price: step.price,
        };
        return signEnvelope(this.#c.keys, TYPES.negotiate, body, { alg: this.#init.alg ?? "ed25519" });
      });
    }
    for (const capability of this.#init.capabilities) {
      t.subscribe(capabilityTopic(capability), this.#onGossip);
    }
  }

  /** The capability topics' handler; other modules may share the topics, so other types are ignored. */
  readonly #onGossip = (data: Uint8Array): Verdict => {
    let cfp: Cfp;
    let from: string;
    try {
      const opened = this.#verifier.open(data, TYPES.cfp, CfpSchema);
      cfp = opened.body;
      from = opened.from;
    } catch (error) {
      if (error instanceof MessageRejectedError && error.otherType !== undefined) return "ignore";
      if (error instanceof MessageRejectedError) this.dropped[error.reason]++;
      return "reject";
    }
    if (this.#init.auctioneers !== undefined && !this.#init.auctioneers.includes(from)) return "ignore";
    this.#cfps.set(cfp.cfpId, cfp);
    for (const l of this.#listeners.cfp) l(cfp);
    setImmediate(() => {
      this.bid(cfp).catch((error: Error) => {
        for (const l of this.#listeners.error) l(error);
      });
    });
    return "accept";
  };

  async stop(): Promise<void> {
    const t = this.#c.transport;
    for (const capability of this.#init.capabilities)
      t.unsubscribe(capabilityTopic(capability), this.#onGossip);
    await t.unhandle(PROTOCOLS.award).catch(() => undefined);
    await t.unhandle(PROTOCOLS.negotiate).catch(() => undefined);
  }

  /** The seller's answer to one buyer step. */
  #negotiateStep(buyer: string, msg: Negotiate): NegotiationStep {
    const key = `${msg.cfpId}|${buyer}`;
    const cfp = this.#cfps.get(msg.cfpId);
    if (msg.action === "propose") {
      const all = cfp?.subtasks.map((_, i) => i);
      const cost = cfp === undefined ? undefined : this.#init.cost(cfp, all!);
      const n = new Negotiation(this.#init.negotiation!);
      n.propose(msg.price);
      if (cost === undefined) return n.reject("seller");
      const limit = Math.ceil(cost);
      const session = {
        n,
        limit,
        at: Math.max(limit, Math.round(limit * (1 + (this.#init.negotiation?.markup ?? 0.5)))),
      };
      this.#sessions.set(key, session);
      return this.#answer(session, msg.price);
    }
    const session = this.#sessions.get(key);
    if (session === undefined) throw new Error(`no negotiation open for ${msg.cfpId}`);
    if (msg.action === "accept") return session.n.accept("buyer");
    if (msg.action === "reject") return session.n.reject("buyer");
    try {
      session.n.counter("buyer", msg.price);
    } catch {
      return session.n.history.at(-1)!;
    }
    return this.#answer(session, msg.price);
  }

  #answer(session: { n: Negotiation; at: number; limit: number }, offer: number): NegotiationStep {
    if (offer >= session.limit) return session.n.accept("seller");
    if (session.n.history.length > 1)
      session.at = Math.max(session.limit, Math.round(session.at - (session.at - offer) * 0.5));
    try {
      return session.n.counter("seller", session.at);
    } catch {
      return session.n.history.at(-1)!;
    }
  }

  /** Whether this agent may bid on the CFP's zones: any when the CFP names none. */
  servesZones(cfp: Cfp): boolean {
    const served = this.#init.zones ?? [];
    return cfp.zones === undefined || served.some((z) => cfp.zones!.includes(z));
  }

  #skip(cfp: Cfp, reason: string): undefined {
    for (const l of this.#listeners.skip) l(cfp, reason);
    return undefined;
  }

  /**
   * Prices a CFP with the strategy and, if there is anything to ask, sends the sealed bid. Stays out
   * (undefined) of a CFP limited to zones this agent does not serve.
   */
  async bid(cfp: Cfp): Promise<BidContent | undefined> {
    if (!this.servesZones(cfp))
      return this.#skip(
        cfp,
        `the task may run only in ${cfp.zones!.join(", ")}; this agent serves ${this.#init.zones?.join(", ") ?? "no declared zone"}`,
      );
    const all = cfp.subtasks.map((_, i) => i);
    const bundles =
      this.#init.bundles?.(cfp) ??
      (cfp.mechanism === "vcg" && all.length > 1 ? [all, ...all.map((i) => [i])] : [all]);
    const asks = this.#c.strategy.asks(cfp, bundles, {
      cost: (b) => this.#init.cost(cfp, b),
      queueDepth: this.#init.queueDepth?.() ?? 0,
    });
    if (asks.length === 0)
      return this.#skip(cfp, "nothing to ask (no cost for its bundles, or the strategy stays out)");
    const members = this.#init.coalition?.(cfp);
    const content: BidContent = {
      cfpId: cfp.cfpId,
      bidder: this.#c.keys.did,
      payTo: this.#init.payTo ?? this.#c.keys.address,
      bids: asks.slice(0, 16),
    };
    if (members !== undefined) content.coalition = members;
    if (this.#init.profile !== undefined) content.profile = this.#init.profile;
    const sealed = seal(
      cfp.auctioneer.sealKey,
      utf8(JSON.stringify(content)),
      sealAad(cfp.cfpId, this.#c.keys.did),
    );
    const body: SealedBid = { cfpId: cfp.cfpId, sealed };
    if (this.#init.zones !== undefined) body.zones = this.#init.zones;
    const bytes = signEnvelope(this.#c.keys, TYPES.sealedBid, body, {
      ttlMs: 120_000,
      alg: this.#init.alg ?? "ed25519",
    });
    const t = this.#c.transport;
    if (!t.connectedPeers().includes(cfp.auctioneer.peer) && cfp.auctioneer.addrs[0] !== undefined)
      await t.dial(cfp.auctioneer.addrs[0]);
    await t.request(cfp.auctioneer.peer, PROTOCOLS.bid, bytes);
    for (const l of this.#listeners.bid) l(cfp, content);
    return content;
  }
}

/**
 * A coalition member's consent: its signature over the coalition statement. The lead collects
 * these from every member (itself included) before bidding.
 */
export function signCoalition(
  member: AgentKeys,
  cfpId: string,
  lead: string,
  members: ReadonlyArray<{ did: string; address: string; shareBps: number }>,
): string {
  return toHex(member.signMessage(utf8(coalitionStatement(cfpId, lead, members))));
}
