/**
 * Application-level peer scoring. Every inbound gossip message and request is charged against a
 * per-peer token bucket; going over the rate, and sending input the application rejects, cost
 * points. Scores decay back towards 0 over time. A peer whose score falls to `banThreshold` is
 * banned: the transport hangs up on it and its connection gater refuses it from then on.
 */

export interface PeerScorerInit {
  /** Messages a peer may send in a burst. Default 1000. */
  burst?: number;
  /** Sustained messages per second per peer (a relay forwards a whole topic's traffic). Default 500. */
  ratePerSecond?: number;
  /** Points lost for each message over the rate. Default 1. */
  floodPenalty?: number;
  /** Points lost for each message the application rejects (forged, malformed, ...). Default 10. */
  invalidPenalty?: number;
  /** Score at or below which the peer is banned. Default -100. */
  banThreshold?: number;
  /** Points per second by which a negative score recovers. Default 1. */
  recoveryPerSecond?: number;
  /** Clock, for tests. Default `performance.now`. */
  now?: () => number;
}

interface PeerState {
  tokens: number;
  score: number;
  updatedAt: number;
  flooded: number;
  invalid: number;
}

export interface PeerScoreSnapshot {
  peer: string;
  score: number;
  flooded: number;
  invalid: number;
  banned: boolean;
}

export class PeerScorer {
  readonly #burst: number;
  readonly #rate: number;
  readonly #floodPenalty: number;
  readonly #invalidPenalty: number;
  readonly #banThreshold: number;
  readonly #recovery: number;
  readonly #now: () => number;
  readonly #peers = new Map<string, PeerState>();
  readonly #banned = new Set<string>();
  readonly #onBan: Array<(peer: string, reason: string) => void> = [];

  constructor(init: PeerScorerInit = {}) {
    this.#burst = init.burst ?? 1000;
    this.#rate = init.ratePerSecond ?? 500;
    this.#floodPenalty = init.floodPenalty ?? 1;
    this.#invalidPenalty = init.invalidPenalty ?? 10;
    this.#banThreshold = init.banThreshold ?? -100;
    this.#recovery = init.recoveryPerSecond ?? 1;
    this.#now = init.now ?? (() => performance.now());
  }

  /** Calls `listener(peer, reason)` once when a peer is banned. */
  onBan(listener: (peer: string, reason: string) => void): void {
    this.#onBan.push(listener);
  }

  /**
   * Charges one message to `peer`. Returns false (and costs points) when the peer is over its
   * rate or banned; the caller must then drop the message.
   */
  charge(peer: string): boolean {
    if (this.#banned.has(peer)) return false;
    const state = this.#state(peer);
    if (state.tokens >= 1) {
      state.tokens -= 1;
      return true;
    }
    state.flooded += 1;
    this.#lose(peer, state, this.#floodPenalty, "flooding");
    return false;
  }

  /** Records a message from `peer` that the application rejected. */
  penalize(peer: string, reason = "invalid message", points = this.#invalidPenalty): void {
    if (this.#banned.has(peer)) return;
    const state = this.#state(peer);
    state.invalid += 1;
    this.#lose(peer, state, points, reason);
  }

  /** Bans `peer` at once. */
  ban(peer: string, reason: string): void {
    if (this.#banned.has(peer)) return;
    this.#banned.add(peer);
    for (const listener of this.#onBan) listener(peer, reason);
  }

  isBanned(peer: string): boolean {
    return this.#banned.has(peer);
  }

  score(peer: string): number {
    return this.#banned.has(peer) ? this.#banThreshold : this.#state(peer).score;
  }

  snapshot(): PeerScoreSnapshot[] {
    return [...this.#peers.entries()].map(([peer, s]) => ({
      peer,
      score: s.score,
      flooded: s.flooded,
      invalid: s.invalid,
      banned: this.#banned.has(peer),
    }));
  }

  #lose(peer: string, state: PeerState, points: number, reason: string): void {
    state.score -= points;
    if (state.score <= this.#banThreshold) this.ban(peer, reason);
  }

  #state(peer: string): PeerState {
    const now = this.#now();
    let state = this.#peers.get(peer);
    if (state === undefined) {
      state = { tokens: this.#burst, score: 0, updatedAt: now, flooded: 0, invalid: 0 };
      this.#peers.set(peer, state);
      return state;
    }
    const elapsed = Math.max(0, now - state.updatedAt) / 1000;
    state.tokens = Math.min(this.#burst, state.tokens + elapsed * this.#rate);
    if (state.score < 0) state.score = Math.min(0, state.score + elapsed * this.#recovery);
    state.updatedAt = now;
    return state;
  }
}
