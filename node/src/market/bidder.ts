import { EnvelopeVerifier, signEnvelope, toHex, utf8 } from "../identity/index.ts";
import type { AgentKeys, DidResolver } from "../identity/index.ts";
import { capabilityTopic, PROTOCOLS } from "../transport/index.ts";
import type { Transport } from "../transport/index.ts";
import { awardSigner } from "./award.ts";
import type { EscrowConfig } from "./award.ts";
import { AwardSchema, CfpSchema, coalitionStatement, TYPES } from "./messages.ts";
import type { Award, BidContent, Cfp, CoalitionMember } from "./messages.ts";
import { seal, sealAad } from "./seal.ts";
import type { BidderStrategy } from "./strategies.ts";

export interface BidderInit {
  capabilities: string[];
  escrow: EscrowConfig;
  /** Where payments go. Default: the agent's own address. */
  payTo?: string;
  /** Auctioneers whose CFPs this agent answers (DIDs). Default: any the resolver knows. */
  auctioneers?: string[];
  /** The agent's cost for a bundle of the CFP's subtasks, or undefined if it cannot do it. */
  cost(cfp: Cfp, bundle: readonly number[]): number | undefined;
  /** Which bundles to consider. Default: the whole task, plus each single subtask for VCG. */
  bundles?(cfp: Cfp): number[][];
  /** Queue depth for load-aware strategies. Default 0. */
  queueDepth?(): number;
  /** Bid as a coalition: members after the lead (this agent), with their shares and signatures. */
  coalition?(cfp: Cfp): CoalitionMember[] | undefined;
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
  readonly #init: BidderInit;
  readonly #c: BidderComponents;
  readonly #verifier: EnvelopeVerifier;
  readonly #listeners: { [K in keyof BidderEvents]: Array<BidderEvents[K]> } = {
    cfp: [],
    bid: [],
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
    for (const capability of this.#init.capabilities) {
      t.subscribe(capabilityTopic(capability), (data) => {
        let cfp: Cfp;
        let from: string;
        try {
          const opened = this.#verifier.open(data, TYPES.cfp, CfpSchema);
          cfp = opened.body;
          from = opened.from;
        } catch {
          return "reject";
        }
        if (this.#init.auctioneers !== undefined && !this.#init.auctioneers.includes(from)) return "ignore";
        for (const l of this.#listeners.cfp) l(cfp);
        setImmediate(() => {
          this.bid(cfp).catch((error: Error) => {
            for (const l of this.#listeners.error) l(error);
          });
        });
        return "accept";
      });
    }
  }

  async stop(): Promise<void> {
    const t = this.#c.transport;
    for (const capability of this.#init.capabilities) t.unsubscribe(capabilityTopic(capability));
    await t.unhandle(PROTOCOLS.award).catch(() => undefined);
  }

  /** Prices a CFP with the strategy and, if there is anything to ask, sends the sealed bid. */
  async bid(cfp: Cfp): Promise<BidContent | undefined> {
    const all = cfp.subtasks.map((_, i) => i);
    const bundles =
      this.#init.bundles?.(cfp) ??
      (cfp.mechanism === "vcg" && all.length > 1 ? [all, ...all.map((i) => [i])] : [all]);
    const asks = this.#c.strategy.asks(cfp, bundles, {
      cost: (b) => this.#init.cost(cfp, b),
      queueDepth: this.#init.queueDepth?.() ?? 0,
    });
    if (asks.length === 0) return undefined;
    const members = this.#init.coalition?.(cfp);
    const content: BidContent = {
      cfpId: cfp.cfpId,
      bidder: this.#c.keys.did,
      payTo: this.#init.payTo ?? this.#c.keys.address,
      bids: asks.slice(0, 16),
    };
    if (members !== undefined) content.coalition = members;
    const sealed = seal(
      cfp.auctioneer.sealKey,
      utf8(JSON.stringify(content)),
      sealAad(cfp.cfpId, this.#c.keys.did),
    );
    const bytes = signEnvelope(
      this.#c.keys,
      TYPES.sealedBid,
      { cfpId: cfp.cfpId, sealed },
      { ttlMs: 120_000 },
    );
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
