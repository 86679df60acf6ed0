/**
 * Exact lower- and upper-bound binary search over keys sorted ascending: what a segment does
 * without a learned index, and the baseline the RMI is measured against.
 *
 * @module
 */
import { searchLower, searchUpper } from "./_search.ts";

/**
 * The first position whose key is `>= q` (the number of keys `< q`). `q` must not be NaN.
 *
 * @example
 * ```ts
 * import { lowerBound } from "./binary_search.ts";
 * const keys = Float64Array.of(10, 20, 20, 30);
 * console.assert(lowerBound(keys, 20) === 1 && lowerBound(keys, 25) === 3);
 * ```
 */
export function lowerBound(keys: Float64Array, q: number): number {
  if (q !== q) throw new RangeError("lowerBound: the query must not be NaN");
  return searchLower(keys, q, 0, keys.length);
}

/**
 * The position after the last key `<= q` (the number of keys `<= q`). `q` must not be NaN.
 *
 * @example
 * ```ts
 * import { upperBound } from "./binary_search.ts";
 * const keys = Float64Array.of(10, 20, 20, 30);
 * console.assert(upperBound(keys, 20) === 3 && upperBound(keys, 5) === 0);
 * ```
 */
export function upperBound(keys: Float64Array, q: number): number {
  if (q !== q) throw new RangeError("upperBound: the query must not be NaN");
  return searchUpper(keys, q, 0, keys.length);
}
