/**
 * Market message bodies (zod schemas). Every one travels inside a signed identity envelope
 * (`identity/envelope.ts`) with a nonce and an expiry; the envelope `type` is given beside each.
 * Prices are integers in the payment token's base unit, at most `MAX_PRICE` (2^48 − 1) so that
 * sums over 16 subtasks stay exact in a double.
 */
import { z } from "zod";

export const MAX_PRICE = 2 ** 48 - 1;
export const MAX_SUBTASKS = 16;
export const MAX_BUNDLES_PER_BID = 16;

export const TYPES = {
  cfp: "market/cfp/1",
  sealedBid: "market/bid/1",
  award: "market/award/1",
  offer: "market/offer/1",
  negotiate: "market/negotiate/1",
} as const;

const Hex32 = z.string().regex(/^0x[0-9a-f]{64}$/);
const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const Price = z.number().int().min(0).max(MAX_PRICE);
const Did = z.string().regex(/^did:ainur:[1-9][0-9]{0,15}:[A-Za-z0-9._-]{1,80}$/);
/** A jurisdiction zone, as routing/ names them: lower-case letters, digits and "-" ("eu", "us-east"). */
const Zone = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
const Zones = z.array(Zone).min(1).max(16);

export const CfpSchema = z
  .object({
    /** The task id the escrow uses (bytes32). */
    cfpId: Hex32,
    capability: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    /** Subtask names; a single-item auction has one. */
    subtasks: z.array(z.string().min(1).max(64)).min(1).max(MAX_SUBTASKS),
    mechanism: z.enum(["vickrey", "vcg"]),
    /** Highest total price the requester pays (the reserve). */
    reserve: Price,
    /** Bids close at this time (ms since epoch). */
    deadline: z.number().int().positive(),
    /** The escrow deadline carried in the award (seconds since epoch). */
    taskDeadline: z.number().int().positive(),
    inputs: z.array(z.string().max(128)).max(64),
    /**
     * The zones the task may run in (jurisdiction). Absent: any. When present, only agents that
     * serve one of them may bid: a `Bidder` outside them stays out, and the `Auctioneer` refuses a
     * bid whose declared zones miss them all (`BidOutOfZoneError`).
     */
    zones: Zones.optional(),
    auctioneer: z
      .object({
        peer: z.string().min(1).max(128),
        addrs: z.array(z.string().max(256)).max(8),
        /** X25519 public key that bids are sealed to. */
        sealKey: Hex32,
      })
      .strict(),
  })
  .strict();
export type Cfp = z.infer<typeof CfpSchema>;

/** A sealed bid: only the auctioneer can read `sealed`. Signed by the bidder (the coalition's lead). */
export const SealedBidSchema = z
  .object({
    cfpId: Hex32,
    /**
     * The zones the bidder serves, outside the seal (signed with the envelope) so that admission
     * can check them against the CFP's `zones` and tell the bidder why it is refused.
     */
    zones: Zones.optional(),
    sealed: z
      .object({
        epk: Hex32,
        iv: z.string().regex(/^0x[0-9a-f]{24}$/),
        ct: z.string().max(12_000),
      })
      .strict(),
  })
  .strict();
export type SealedBid = z.infer<typeof SealedBidSchema>;

export const CoalitionMemberSchema = z
  .object({
    did: Did,
    address: Address,
    /** Share of the payment in basis points; the shares sum to 10 000. */
    shareBps: z.number().int().min(1).max(10_000),
    /** The member's ed25519 signature (hex) over `coalitionStatement(...)`. */
    sig: z.string().regex(/^0x[0-9a-f]{128}$/),
  })
  .strict();
export type CoalitionMember = z.infer<typeof CoalitionMemberSchema>;

/** What is inside the seal. XOR bids: the bidder wins at most one of its bundles. */
export const BidContentSchema = z
  .object({
    cfpId: Hex32,
    /** Must equal the envelope's signer: a copied ciphertext is useless to anyone else. */
    bidder: Did,
    /** The address paid (a coalition's payments are split by share instead). */
    payTo: Address,
    bids: z
      .array(
        z
          .object({
            /** Indices into the CFP's subtasks. */
            bundle: z
              .array(
                z
                  .number()
                  .int()
                  .min(0)
                  .max(MAX_SUBTASKS - 1),
              )
              .min(1)
              .max(MAX_SUBTASKS),
            price: Price,
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BUNDLES_PER_BID),
    coalition: z.array(CoalitionMemberSchema).min(2).max(16).optional(),
    /**
     * What the bidder says about itself, for the auctioneer's records (informational: the
     * auctioneer checks on its own anything it relies on). `agentDid`: the registry DID the agent
     * works as when it signs bids as another DID (the devnet's nodes sign as their account's
     * address DID); `strategy`: the name of its bidding strategy.
     */
    profile: z
      .object({
        agentDid: Did.optional(),
        strategy: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,31}$/)
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type BidContent = z.infer<typeof BidContentSchema>;

export const PayoutSchema = z
  .object({ address: Address, amount: z.string().regex(/^[0-9]{1,78}$/) })
  .strict();

/** The award, as sent to the winner; `escrow` is the EIP-712 struct the escrow contract takes. */
export const AwardSchema = z
  .object({
    cfpId: Hex32,
    winner: Did,
    bundle: z.array(
      z
        .number()
        .int()
        .min(0)
        .max(MAX_SUBTASKS - 1),
    ),
    escrow: z
      .object({
        taskId: Hex32,
        agent: Address,
        /** uint256, decimal, in the token's base units (payment × priceUnit). */
        price: z.string().regex(/^[0-9]{1,78}$/),
        /** The CFP's task deadline (seconds since epoch); informational: the escrow fixes its own at funding. */
        deadline: z.number().int().positive(),
        /** EIP-712 signature by the auctioneer's account key, `r ‖ s ‖ v`. */
        signature: z.string().regex(/^0x[0-9a-f]{130}$/),
      })
      .strict(),
    payouts: z.array(PayoutSchema).min(1).max(16),
  })
  .strict();
export type Award = z.infer<typeof AwardSchema>;

export const OfferSchema = z
  .object({
    offerId: z.string().regex(/^[0-9a-f]{8,64}$/),
    capability: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/),
    price: Price,
    capacity: z.number().int().min(1).max(1_000_000),
    payTo: Address,
    /** Offer valid until (ms since epoch). */
    until: z.number().int().positive(),
  })
  .strict();
export type Offer = z.infer<typeof OfferSchema>;

export const NegotiateSchema = z
  .object({
    cfpId: Hex32,
    round: z.number().int().min(0).max(64),
    action: z.enum(["propose", "counter", "accept", "reject"]),
    price: Price,
  })
  .strict();
export type Negotiate = z.infer<typeof NegotiateSchema>;

/** Subtask indices ⇄ bitmask. */
export function bundleMask(bundle: readonly number[]): number {
  let mask = 0;
  for (const i of bundle) mask |= 1 << i;
  return mask;
}

export function maskBundle(mask: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < MAX_SUBTASKS; i++) if ((mask >>> i) & 1) out.push(i);
  return out;
}

/** The statement each coalition member signs. */
export function coalitionStatement(
  cfpId: string,
  lead: string,
  members: ReadonlyArray<{ did: string; address: string; shareBps: number }>,
): string {
  return `ainur/coalition/v1|${cfpId}|${lead}|${members.map((m) => `${m.did},${m.address.toLowerCase()},${m.shareBps}`).join(";")}`;
}
