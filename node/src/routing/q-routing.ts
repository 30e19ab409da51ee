/**
 * Confidence-based Q-routing (after Kumar & Miikkulainen's CQ-routing): for each (capability,
 * agent) the node keeps Q, its learned end-to-end latency for a call, and C in [0, 1], its
 * confidence in Q.
 *
 * - Learning: on an observed latency x, η = max(α, 1 − C) and Q ← Q + η(x − Q); C moves toward the
 *   observation's confidence by η. A new or forgotten estimate learns fast, a trusted one slowly.
 * - Forgetting: C halves every `confidenceHalfLifeMs` without observations, so estimates of agents
 *   not called for a while become uncertain again and get re-explored.
 * - Prior: the agent's reported impedance (latency + processing × (queue + 1)) from its heartbeat.
 *   The estimate used is Q̂ = C·Q + (1 − C)·impedance, so a fresh queue report still counts.
 * - Shortlist score: Q̂ · (1 − β(1 − C)) (optimism for uncertain agents: exploration), times a
 *   penalty for degraded health. The k lowest scores are invited to the call for proposals.
 */
import type { Clock } from "./clock.ts";
import type { AgentId, Capability } from "./types.ts";

export interface QRoutingPolicy {
  /** α: the smallest learning rate (a fully trusted estimate). */
  learningRate: number;
  /** Confidence of one direct observation (≤ 1). */
  observationConfidence: number;
  /** Confidence half-life without observations, ms. */
  confidenceHalfLifeMs: number;
  /** β: how much better an unknown agent may look than its prior (0 = no exploration). */
  exploration: number;
  /** Latency charged for a failed call, ms. */
  failurePenaltyMs: number;
  /** Score multiplier for degraded agents. */
  degradedPenalty: number;
}

export const defaultQRoutingPolicy: QRoutingPolicy = {
  learningRate: 0.3,
  observationConfidence: 0.9,
  confidenceHalfLifeMs: 120_000,
  exploration: 0.3,
  failurePenaltyMs: 10_000,
  degradedPenalty: 2,
};

export interface QEntry {
  q: number;
  c: number;
  t: number;
}

export interface Estimate {
  /** Learned latency (NaN when never observed). */
  q: number;
  /** Confidence now, after decay. */
  confidence: number;
}

export class QTable {
  readonly policy: QRoutingPolicy;
  private readonly clock: Clock;
  private readonly table = new Map<Capability, Map<AgentId, QEntry>>();
  /** ln 2 / half-life: confidence is multiplied by exp(−Δt · decayPerMs). */
  readonly decayPerMs: number;

  constructor(clock: Clock, policy: Partial<QRoutingPolicy> = {}) {
    this.clock = clock;
    this.policy = { ...defaultQRoutingPolicy, ...policy };
    this.decayPerMs = Math.LN2 / this.policy.confidenceHalfLifeMs;
  }

  /** The entries of one capability (for a shortlist scan: fetch once, then look up agents). */
  entries(capability: Capability): ReadonlyMap<AgentId, QEntry> | undefined {
    return this.table.get(capability);
  }

  /** Confidence of an entry at time `now`. */
  confidenceOf(entry: QEntry | undefined, now: number): number {
    if (entry === undefined) return 0;
    return entry.c * Math.exp(-(now - entry.t) * this.decayPerMs);
  }

  /** Q̂: the learned value blended with the prior by confidence. */
  blended(entry: QEntry | undefined, prior: number, now: number): { value: number; confidence: number } {
    if (entry === undefined) return { value: prior, confidence: 0 };
    const c = this.confidenceOf(entry, now);
    return { value: c * entry.q + (1 - c) * prior, confidence: c };
  }

  /** The shortlist score (lower is better). */
  score(entry: QEntry | undefined, prior: number, now: number, degraded: boolean): number {
    const { value, confidence } = this.blended(entry, prior, now);
    const s = value * (1 - this.policy.exploration * (1 - confidence));
    return degraded ? s * this.policy.degradedPenalty : s;
  }

  estimate(capability: Capability, agentId: AgentId): Estimate {
    const entry = this.table.get(capability)?.get(agentId);
    return { q: entry?.q ?? NaN, confidence: this.confidenceOf(entry, this.clock.now()) };
  }

  /** Learns from one call: its latency, or a failure (charged `failurePenaltyMs`). */
  observe(capability: Capability, agentId: AgentId, outcome: { ok: boolean; latencyMs: number }): void {
    const sample = outcome.ok ? outcome.latencyMs : Math.max(outcome.latencyMs, this.policy.failurePenaltyMs);
    if (!(sample >= 0) || !isFinite(sample)) {
      throw new RangeError(`A latency sample must be a finite number ≥ 0; got ${outcome.latencyMs}.`);
    }
    const now = this.clock.now();
    let byAgent = this.table.get(capability);
    if (byAgent === undefined) this.table.set(capability, (byAgent = new Map()));
    const entry = byAgent.get(agentId);
    if (entry === undefined) {
      byAgent.set(agentId, { q: sample, c: this.policy.observationConfidence, t: now });
      return;
    }
    const c = this.confidenceOf(entry, now);
    const eta = Math.max(this.policy.learningRate, 1 - c);
    entry.q += eta * (sample - entry.q);
    entry.c = c + eta * (this.policy.observationConfidence - c);
    entry.t = now;
  }
}
