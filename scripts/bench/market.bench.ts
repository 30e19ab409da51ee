/**
 * Market benchmarks.
 *
 * - `market.bid_admission_per_s`: sealed, signed bids admitted by the auctioneer per second on one
 *   core: envelope size/shape/schema checks, expiry and replay checks, ed25519 verification against
 *   the DID's key, and storing. The bids (from 100 agents) are made beforehand; no network.
 * - `market.ed25519_verify_per_s`: bare signature verification in the same run, for context: admission
 *   is bound by it.
 * - `market.clear_10k_bids_ms`: second-price clearing of 10 000 asks (median of 25 runs).
 * - `market.close_10k_sealed_bids_ms`: `Auctioneer.close` at the deadline with 10 000 sealed bids whose
 *   seals were opened (X25519 + AES-GCM, content checks) in idle time during the bid window: clear and
 *   sign the EIP-712 award (one run).
 * - `market.seal_open_per_s`: how fast that idle-time opening went (10 000 seals).
 * - `market.vcg_16_subtasks_ms`: exact VCG (winner determination + every winner's payment) over
 *   16 subtasks, 24 bidders with 4 bundle asks each (median of 5 runs).
 */
import {
  AgentKeys,
  StaticDidResolver,
  signEnvelope,
  toHex,
  utf8,
  verifyMessage,
} from "../../node/src/identity/index.ts";
import { Auctioneer, clearVcg, clearVickrey, seal, sealAad, TYPES } from "../../node/src/market/index.ts";
import { createTransport } from "../../node/src/transport/index.ts";
import { median, type BenchResult, type BenchSuite } from "./types.ts";

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function bidAdmission(): Promise<[number, number]> {
  const CHAIN = 31337;
  const requester = AgentKeys.fromSeed(new Uint8Array(32).fill(1), CHAIN);
  const agents = Array.from({ length: 100 }, (_, i) =>
    AgentKeys.fromSeed(
      new Uint8Array(32).fill(0).map((_, j) => (j === 0 ? i + 10 : 7)),
      CHAIN,
    ),
  );
  const resolver = new StaticDidResolver([requester, ...agents].map((k) => k.publicKeys));
  const transport = createTransport({ seed: new Uint8Array(32).fill(3) });
  await transport.start();
  try {
    const auctioneer = new Auctioneer(
      { escrow: { chainId: CHAIN, verifyingContract: "0x" + "11".repeat(20) } },
      { keys: requester, resolver, transport },
    );
    const { cfp } = await auctioneer.announce({
      capability: "bench",
      subtasks: ["t"],
      mechanism: "vickrey",
      reserve: 1_000_000,
      deadline: Date.now() + 600_000,
      taskDeadline: Math.floor(Date.now() / 1000) + 3600,
    });
    const N = 4000;
    const bids: Uint8Array[] = [];
    for (let i = 0; i < N; i++) {
      const keys = agents[i % agents.length]!;
      const content = {
        cfpId: cfp.cfpId,
        bidder: keys.did,
        payTo: keys.address,
        bids: [{ bundle: [0], price: 1000 + i }],
      };
      const sealed = seal(
        cfp.auctioneer.sealKey,
        utf8(JSON.stringify(content)),
        sealAad(cfp.cfpId, keys.did),
      );
      bids.push(signEnvelope(keys, TYPES.sealedBid, { cfpId: cfp.cfpId, sealed }, { ttlMs: 300_000 }));
    }
    for (let i = 0; i < 200; i++) auctioneer.admit(bids[i]!, "bench-peer"); // warm-up
    const started = performance.now();
    for (let i = 200; i < N; i++) auctioneer.admit(bids[i]!, "bench-peer");
    const seconds = (performance.now() - started) / 1000;
    // Context: the bare ed25519 verification rate on this machine, same run.
    const key = agents[0]!.messageKey;
    const msg = utf8("x".repeat(600));
    const sig = agents[0]!.signMessage(msg);
    const t = performance.now();
    for (let i = 0; i < 2000; i++) verifyMessage(key, msg, sig);
    const verifyPerS = 2000 / ((performance.now() - t) / 1000);
    return [(N - 200) / seconds, verifyPerS];
  } finally {
    await transport.stop();
  }
}

/** `Auctioneer.close` over 10 000 stored sealed bids: open every seal, check, clear, sign the award. */
async function close10k(): Promise<[number, number]> {
  const CHAIN = 31337;
  const requester = AgentKeys.fromSeed(new Uint8Array(32).fill(2), CHAIN);
  // 10 000 bidder DIDs that share one key pair (deriving 10 000 secp256k1 keys would dominate the run).
  const shared = AgentKeys.fromSeed(new Uint8Array(32).fill(5), CHAIN);
  const dids = Array.from({ length: 10_000 }, (_, i) => `did:ainur:${CHAIN}:${i + 1}`);
  const resolver = new StaticDidResolver([
    requester.publicKeys,
    ...dids.map((did) => ({ ...shared.publicKeys, did })),
  ]);
  const transport = createTransport({ seed: new Uint8Array(32).fill(4) });
  await transport.start();
  try {
    const auctioneer = new Auctioneer(
      { escrow: { chainId: CHAIN, verifyingContract: "0x" + "11".repeat(20) } },
      { keys: requester, resolver, transport },
    );
    const { cfp } = await auctioneer.announce({
      capability: "bench",
      subtasks: ["t"],
      mechanism: "vickrey",
      reserve: 1_000_000,
      deadline: Date.now() + 600_000,
      taskDeadline: Math.floor(Date.now() / 1000) + 3600,
    });
    const next = rng(9);
    const expiry = Date.now() + 300_000;
    for (const [i, did] of dids.entries()) {
      const content = {
        cfpId: cfp.cfpId,
        bidder: did,
        payTo: shared.address,
        bids: [{ bundle: [0], price: Math.floor(next() * 900_000) }],
      };
      const sealed = seal(cfp.auctioneer.sealKey, utf8(JSON.stringify(content)), sealAad(cfp.cfpId, did));
      // the envelope format of identity/envelope.ts, signed with the shared key under each DID
      const payload = JSON.stringify({
        type: TYPES.sealedBid,
        from: did,
        nonce: i.toString(16).padStart(16, "0"),
        expiry,
        body: { cfpId: cfp.cfpId, sealed },
      });
      const wire = { v: 1, alg: "ed25519", payload, sig: toHex(shared.signMessage(utf8(payload))) };
      auctioneer.admit(utf8(JSON.stringify(wire)), "bench-peer");
    }
    const openStarted = performance.now();
    await auctioneer.opened(); // seals are opened in idle time during the bid window
    const openPerS = 10_000 / ((performance.now() - openStarted) / 1000);
    const started = performance.now();
    const outcome = await auctioneer.close(cfp.cfpId); // the award delivery fails fast: "bench-peer" is no peer
    const ms = performance.now() - started;
    if (outcome.bids !== 10_000 || outcome.winners.length !== 1)
      throw new Error(`close10k: ${outcome.bids} bids, ${outcome.winners.length} winners`);
    return [ms, openPerS];
  } finally {
    await transport.stop();
  }
}

function clear10k(): number {
  const next = rng(42);
  const asks = Array.from({ length: 10_000 }, (_, i) => ({
    bidder: `did:ainur:31337:${i}`,
    price: Math.floor(next() * 1_000_000),
  }));
  const cfp = "0x" + "22".repeat(32);
  for (let i = 0; i < 5; i++) clearVickrey(asks, 900_000, cfp);
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const t = performance.now();
    clearVickrey(asks, 900_000, cfp);
    times.push(performance.now() - t);
  }
  return median(times);
}

function vcg16(): number {
  const next = rng(7);
  const M = 16;
  const asks: Array<{ bidder: string; mask: number; price: number }> = [];
  for (let b = 0; b < 24; b++) {
    for (let k = 0; k < 4; k++) {
      const size = 1 + Math.floor(next() * 4);
      let mask = 0;
      while (popcount(mask) < size) mask |= 1 << Math.floor(next() * M);
      asks.push({ bidder: `b${b}`, mask, price: size * 100 + Math.floor(next() * 100) });
    }
  }
  const cfp = "0x" + "33".repeat(32);
  clearVcg(asks, M, 100_000, cfp);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    clearVcg(asks, M, 100_000, cfp);
    times.push(performance.now() - t);
  }
  return median(times);
}

function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}

const suite: BenchSuite = {
  name: "market",
  ids: [
    "market.bid_admission_per_s",
    "market.ed25519_verify_per_s",
    "market.clear_10k_bids_ms",
    "market.close_10k_sealed_bids_ms",
    "market.seal_open_per_s",
    "market.vcg_16_subtasks_ms",
  ],
  async run(selected) {
    const out: BenchResult[] = [];
    if (selected("market.bid_admission_per_s") || selected("market.ed25519_verify_per_s")) {
      const [admitted, verified] = await bidAdmission();
      out.push({
        id: "market.bid_admission_per_s",
        value: Math.round(admitted),
        unit: "bids/s",
        better: "higher",
      });
      out.push({
        id: "market.ed25519_verify_per_s",
        value: Math.round(verified),
        unit: "verify/s",
        better: "higher",
      });
    }
    if (selected("market.clear_10k_bids_ms"))
      out.push({ id: "market.clear_10k_bids_ms", value: clear10k(), unit: "ms", better: "lower" });
    if (selected("market.close_10k_sealed_bids_ms") || selected("market.seal_open_per_s")) {
      const [ms, openPerS] = await close10k();
      out.push({ id: "market.close_10k_sealed_bids_ms", value: ms, unit: "ms", better: "lower" });
      out.push({
        id: "market.seal_open_per_s",
        value: Math.round(openPerS),
        unit: "bids/s",
        better: "higher",
      });
    }
    if (selected("market.vcg_16_subtasks_ms"))
      out.push({ id: "market.vcg_16_subtasks_ms", value: vcg16(), unit: "ms", better: "lower" });
    return out;
  },
};

export default suite;
