/**
 * Summary statistics of benchmark samples.
 *
 * @example
 * ```ts
 * import { summarize } from "./stats.ts";
 * const s = summarize([3, 1, 2, 10]);
 * console.assert(s.medianMs === 2.5 && s.p95Ms === 10 && s.minMs === 1);
 * ```
 *
 * @module
 */

/** Summary of one contender's timed runs, in milliseconds. */
export interface SampleSummary {
  /** Every timed run, in run order. */
  readonly samplesMs: readonly number[];
  /** Fastest run. */
  readonly minMs: number;
  /** Median run. */
  readonly medianMs: number;
  /** 95th percentile by the nearest-rank method (the maximum when there are fewer than 20 runs). */
  readonly p95Ms: number;
  /** Slowest run. */
  readonly maxMs: number;
  /** Arithmetic mean. */
  readonly meanMs: number;
}

/** The q-quantile (0 < q <= 1) of sorted values by the nearest-rank method. */
export function nearestRank(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("no samples");
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** The median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("no samples");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Summarizes samples (milliseconds per run). */
export function summarize(samplesMs: readonly number[]): SampleSummary {
  if (samplesMs.length === 0) throw new RangeError("no samples");
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    samplesMs: [...samplesMs],
    minMs: sorted[0]!,
    medianMs: median(sorted),
    p95Ms: nearestRank(sorted, 0.95),
    maxMs: sorted[sorted.length - 1]!,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}
