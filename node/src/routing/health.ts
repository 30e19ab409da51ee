/**
 * Health from heartbeats: an agent heard from within `degradedAfterMs` is healthy, within
 * `offlineAfterMs` degraded, otherwise (or never heard from) offline. Computed from the injected
 * clock when asked, so a test moves an agent through the states by advancing a ManualClock.
 */
import type { Health } from "./types.ts";

export interface HealthPolicy {
  /** Expected heartbeat period, ms (default 5 s). */
  intervalMs: number;
  /** Silence after which an agent is degraded (default 3 periods). */
  degradedAfterMs: number;
  /** Silence after which an agent is offline (default 6 periods). */
  offlineAfterMs: number;
}

export function healthPolicy(intervalMs = 5_000, degradedAfter = 3, offlineAfter = 6): HealthPolicy {
  if (!(intervalMs > 0 && degradedAfter > 0 && offlineAfter > degradedAfter)) {
    throw new RangeError(
      `A health policy needs intervalMs > 0 and 0 < degradedAfter < offlineAfter; got ${intervalMs}, ${degradedAfter}, ${offlineAfter}.`,
    );
  }
  return {
    intervalMs,
    degradedAfterMs: intervalMs * degradedAfter,
    offlineAfterMs: intervalMs * offlineAfter,
  };
}

export function healthAt(lastHeardAt: number | undefined, now: number, policy: HealthPolicy): Health {
  if (lastHeardAt === undefined) return "offline";
  const silence = now - lastHeardAt;
  if (silence <= policy.degradedAfterMs) return "healthy";
  if (silence <= policy.offlineAfterMs) return "degraded";
  return "offline";
}
