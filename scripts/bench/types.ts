/** One measured figure, as written to `bench-results.json`. */
export interface BenchResult {
  /** Dotted id, e.g. `zk.inclusion20.prove_ms`. `npm run bench -- <prefix>` selects by prefix. */
  id: string;
  value: number;
  unit: string;
  better: "lower" | "higher";
}

/**
 * A benchmark suite: one file `scripts/bench/<name>.bench.ts` whose default export is a suite.
 * `ids` lists every id the suite can report, so the runner can skip suites a prefix does not select
 * without running them.
 */
export interface BenchSuite {
  name: string;
  ids: readonly string[];
  /** `selected(id)` tells whether the caller asked for that id; a suite may skip unselected work. */
  run(selected: (id: string) => boolean): Promise<BenchResult[]>;
}

/** Median of a non-empty sample. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in [0, 100]) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile: the sample is empty");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
