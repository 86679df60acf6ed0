/**
 * Which of a partition's sources (segments, memtable batches) share a time with another: in a
 * `dedup_keys` table two rows can only replace each other when their times are equal, so sources
 * whose time spans are disjoint need no deduplication against each other. In-order ingest writes
 * segments that never overlap, so neither checkpoints nor scans have to merge them.
 *
 * @module
 */

/** A source's smallest and largest timestamp (microseconds), or `null` when unknown. */
export type TimeSpan = readonly [min: number, max: number] | null;

/**
 * Per span, whether it overlaps at least one other (inclusive ends). An unknown span overlaps
 * everything, as does every span when one is unknown.
 *
 * @example
 * ```ts
 * import { overlappingSpans } from "./time_overlap.ts";
 * const o = overlappingSpans([[0, 10], [11, 20], [5, 6]]);
 * console.assert(o.join() === "true,false,true");
 * ```
 */
export function overlappingSpans(spans: readonly TimeSpan[]): boolean[] {
  const out = new Array<boolean>(spans.length).fill(false);
  if (spans.length < 2) return out;
  if (spans.some((s) => s === null)) return out.fill(true);
  const order = spans.map((_, i) => i).sort((a, b) => spans[a]![0] - spans[b]![0]);
  // a sweep in start order: a span starting at or before the running end joins the group; every
  // member of a group of two or more overlaps at least one other member
  let group: number[] = [];
  let end = -Infinity;
  const close = () => {
    if (group.length > 1) { for (const i of group) out[i] = true; }
  };
  for (const i of order) {
    const [min, max] = spans[i]!;
    if (min > end) {
      close();
      group = [];
      end = -Infinity;
    }
    group.push(i);
    if (max > end) end = max;
  }
  close();
  return out;
}

/** The smallest and largest of `ts[0..n)`, or `null` when `n` is 0. */
export function spanOf(ts: ArrayLike<number>, n: number): TimeSpan {
  if (n === 0) return null;
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = ts[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
