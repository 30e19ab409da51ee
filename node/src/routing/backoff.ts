/** Exponential backoff with jitter, from a seeded generator so retries are reproducible. */
import type { Rng } from "./rng.ts";

export interface BackoffInit {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any delay. */
  maxMs: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /**
   * `full`: uniform in [0, d] (AWS "full jitter", the best at spreading herds);
   * `equal`: uniform in [d/2, d]; `none`: exactly d.
   */
  jitter?: "full" | "equal" | "none";
  rng: Rng;
}

export class Backoff {
  private readonly init: Required<BackoffInit>;
  constructor(init: BackoffInit) {
    if (!(init.baseMs >= 0) || !(init.maxMs >= init.baseMs)) {
      throw new RangeError(
        `Backoff needs 0 ≤ baseMs ≤ maxMs; got baseMs=${init.baseMs}, maxMs=${init.maxMs}.`,
      );
    }
    this.init = { factor: 2, jitter: "full", ...init };
  }

  /** The delay before retry number `attempt` (0 for the first retry). */
  delay(attempt: number): number {
    const { baseMs, maxMs, factor, jitter, rng } = this.init;
    const ceiling = Math.min(maxMs, baseMs * factor ** Math.max(0, attempt));
    if (jitter === "none") return ceiling;
    if (jitter === "equal") return ceiling / 2 + rng() * (ceiling / 2);
    return rng() * ceiling;
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
