/**
 * Circuit breakers. A breaker is closed (calls pass) until `failureThreshold` failures fall within
 * `windowMs`; then it opens (calls are refused) for `openMs`; then it is half-open and lets
 * `halfOpenProbes` calls through; a probe's success closes it, a probe's failure opens it again.
 * Time comes from the injected clock; there are no timers.
 */
import type { Clock } from "./clock.ts";
import type { AgentId, Capability } from "./types.ts";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerPolicy {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
  halfOpenProbes: number;
}

export const defaultBreakerPolicy: BreakerPolicy = {
  failureThreshold: 5,
  windowMs: 30_000,
  openMs: 10_000,
  halfOpenProbes: 1,
};

export class CircuitOpenError extends Error {
  override name = "CircuitOpenError";
  readonly key: string;
  readonly retryAt: number;
  constructor(key: string, retryAt: number) {
    super(
      `The circuit for ${key} is open until t=${retryAt}; use another agent or wait for the half-open probe.`,
    );
    this.key = key;
    this.retryAt = retryAt;
  }
}

export class CircuitBreaker {
  readonly key: string;
  private readonly policy: BreakerPolicy;
  private readonly clock: Clock;
  private current: BreakerState = "closed";
  private failures: number[] = [];
  private openedAt = 0;
  private probes = 0;

  constructor(key: string, clock: Clock, policy: BreakerPolicy = defaultBreakerPolicy) {
    if (!(
      policy.failureThreshold >= 1 &&
      policy.halfOpenProbes >= 1 &&
      policy.windowMs > 0 &&
      policy.openMs >= 0
    )) {
      throw new RangeError(`Breaker policy for ${key} is invalid: ${JSON.stringify(policy)}.`);
    }
    this.key = key;
    this.clock = clock;
    this.policy = policy;
  }

  /** The state now (an open breaker whose cool-down has passed reads as half-open). */
  state(): BreakerState {
    if (this.current === "open" && this.clock.now() >= this.openedAt + this.policy.openMs) {
      this.current = "half-open";
      this.probes = 0;
    }
    return this.current;
  }

  /** Whether a call would be let through now (does not take a probe slot). */
  allows(): boolean {
    const s = this.state();
    return s === "closed" || (s === "half-open" && this.probes < this.policy.halfOpenProbes);
  }

  /** Takes permission for one call; throws CircuitOpenError when refused. */
  acquire(): void {
    if (!this.allows()) throw new CircuitOpenError(this.key, this.openedAt + this.policy.openMs);
    if (this.current === "half-open") this.probes++;
  }

  onSuccess(): void {
    if (this.state() === "half-open") {
      this.current = "closed";
      this.failures = [];
      this.probes = 0;
    }
  }

  onFailure(): void {
    const now = this.clock.now();
    const s = this.state();
    if (s === "half-open") return this.open(now);
    if (s === "open") return;
    this.failures.push(now);
    const from = now - this.policy.windowMs;
    while (this.failures.length > 0 && this.failures[0]! <= from) this.failures.shift();
    if (this.failures.length >= this.policy.failureThreshold) this.open(now);
  }

  /** Failures counted in the current window (closed state). */
  recentFailures(): number {
    const from = this.clock.now() - this.policy.windowMs;
    return this.failures.filter((t) => t > from).length;
  }

  private open(now: number): void {
    this.current = "open";
    this.openedAt = now;
    this.failures = [];
    this.probes = 0;
  }
}

/**
 * Breakers per agent (all its capabilities) and per (agent, capability): an agent whose
 * `image.render` keeps failing still gets `text.summarize` calls, but an agent that fails at
 * everything is cut off as a whole.
 */
export class BreakerBook {
  private readonly clock: Clock;
  private readonly agentPolicy: BreakerPolicy;
  private readonly capabilityPolicy: BreakerPolicy;
  private readonly breakers = new Map<string, CircuitBreaker>();
  /** Agents with some breaker not closed: the only ones `allows` has to look at (fast shortlists). */
  private readonly troubled = new Set<AgentId>();
  private readonly perAgent = new Map<AgentId, CircuitBreaker[]>();

  constructor(clock: Clock, policies: { agent?: BreakerPolicy; capability?: BreakerPolicy } = {}) {
    this.clock = clock;
    this.agentPolicy = policies.agent ?? { ...defaultBreakerPolicy, failureThreshold: 10 };
    this.capabilityPolicy = policies.capability ?? defaultBreakerPolicy;
  }

  forAgent(agentId: AgentId): CircuitBreaker {
    return this.get(agentId, `agent ${agentId}`, this.agentPolicy);
  }

  forCapability(agentId: AgentId, capability: Capability): CircuitBreaker {
    return this.get(agentId, `agent ${agentId} for ${capability}`, this.capabilityPolicy);
  }

  /** Agents with some breaker not closed (read-only view, for fast scans: others are all allowed). */
  troubledAgents(): ReadonlySet<AgentId> {
    return this.troubled;
  }

  /** Non-mutating: may `agentId` be called for `capability` now? */
  allows(agentId: AgentId, capability: Capability): boolean {
    if (!this.troubled.has(agentId)) return true;
    const a = this.breakers.get(`agent ${agentId}`);
    const c = this.breakers.get(`agent ${agentId} for ${capability}`);
    return (a === undefined || a.allows()) && (c === undefined || c.allows());
  }

  /** Takes permission on both breakers; throws CircuitOpenError naming the one that refused. */
  acquire(agentId: AgentId, capability: Capability): void {
    const agent = this.forAgent(agentId);
    const cap = this.forCapability(agentId, capability);
    if (!agent.allows()) agent.acquire();
    if (!cap.allows()) cap.acquire();
    agent.acquire();
    cap.acquire();
  }

  record(agentId: AgentId, capability: Capability, ok: boolean): void {
    for (const b of [this.forAgent(agentId), this.forCapability(agentId, capability)]) {
      if (ok) b.onSuccess();
      else b.onFailure();
    }
    if (this.perAgent.get(agentId)!.some((b) => b.state() !== "closed")) this.troubled.add(agentId);
    else this.troubled.delete(agentId);
  }

  private get(agentId: AgentId, key: string, policy: BreakerPolicy): CircuitBreaker {
    let b = this.breakers.get(key);
    if (b === undefined) {
      this.breakers.set(key, (b = new CircuitBreaker(key, this.clock, policy)));
      const list = this.perAgent.get(agentId);
      if (list === undefined) this.perAgent.set(agentId, [b]);
      else list.push(b);
    }
    return b;
  }
}
