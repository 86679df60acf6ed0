/**
 * Binary searches over a window `[lo, hi)` of sorted keys: the last-mile search of the RMI and,
 * over the whole array, the baseline. Private: callers go through `binary_search.ts` or `rmi.ts`.
 *
 * @module
 */

/** The first index in `[lo, hi)` whose key is `>= q`, or `hi` if there is none. */
export function searchLower(keys: Float64Array, q: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in `[lo, hi)` whose key is `> q`, or `hi` if there is none. */
export function searchUpper(keys: Float64Array, q: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= q) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
