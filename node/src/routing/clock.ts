/** Time as routing sees it. Tests inject a `ManualClock` so health and breakers are deterministic. */
export interface Clock {
  /** Milliseconds, monotonic for the clock's lifetime. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

export class ManualClock implements Clock {
  private t: number;
  constructor(start = 0) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    if (ms < 0) throw new RangeError(`ManualClock.advance: ${ms} ms is negative; time only moves forward.`);
    this.t += ms;
  }
}
