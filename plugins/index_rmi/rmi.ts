/**
 * A two-stage recursive model index (RMI) over one segment's sorted keys (timestamps in
 * microseconds as float64).
 *
 * Stage 1, one linear model, routes a key to one of L leaves. Stage 2, one linear model per leaf,
 * predicts the key's position; each leaf stores the proven error bounds `[errLo, errHi]` of its
 * prediction. A lookup predicts, then binary-searches only the window the bounds allow.
 *
 * ## Why the window holds for any query, stored or not
 *
 * Notation: keys `k[0..n)` sorted ascending, duplicates allowed; for a query q,
 * `LB(q)` = number of keys `< q` (the first position with a key `>= q`) and `UB(q)` = number of
 * keys `<= q`. `route(q)` is the stage-1 leaf and `p_j(q)` the stage-2 prediction of leaf j,
 * clamped to `[start_j, end_j]`. Both are computed by the same float64 expressions at build and at
 * lookup (same operations in the same order; JavaScript never fuses them), so they are the same
 * functions of q.
 *
 * 1. Monotone. Every step of `route` and of `p_j` (subtract a constant, multiply by a constant
 *    `>= 0`, divide by a constant `> 0`, add a constant, floor, clamp) is non-decreasing, and IEEE
 *    rounding is non-decreasing too, so `route` and each `p_j` are non-decreasing in q.
 * 2. Leaves are contiguous. As the keys are sorted and `route` is non-decreasing, the keys routed
 *    to leaf j are the positions `[start_j, end_j)`; equal keys share a leaf.
 * 3. Clamp. Let `route(q) = j`. A key routed below j is `< q` (if it were `>= q` its leaf would
 *    be `>= j`), and a key routed above j is `> q`. So `start_j <= LB(q) <= UB(q) <= end_j`,
 *    even when no key of leaf j is near q (queries in gaps between leaves, or an empty leaf).
 * 4. Bounds. At build, for every run of equal keys `[r, s)` in leaf j (value v, so `LB(v) = r`,
 *    `UB(v) = s`): `errLo_j = min(r - p_j(v))` and `errHi_j = max(s - p_j(v))`.
 *    Take m = LB(q) (or m = UB(q); the argument is the same).
 *    - If `m < end_j`: `k[m]` is in leaf j, `k[m] >= q` and `LB(k[m]) = m` (as `k[m-1] < k[m]`;
 *      for UB, `k[m] > q` and again `LB(k[m]) = m`). By 1, `p_j(q) <= p_j(k[m])`, so
 *      `m - p_j(q) >= m - p_j(k[m]) >= errLo_j`.
 *    - If `m > start_j`: `k[m-1]` is in leaf j, `k[m-1] < q` (or `<= q`) and `UB(k[m-1]) = m`.
 *      By 1, `p_j(k[m-1]) <= p_j(q)`, so `m - p_j(q) <= m - p_j(k[m-1]) <= errHi_j`.
 *    - If `m = end_j` the lower side fails to apply but 3 gives `m <= end_j`; if `m = start_j`
 *      the upper side fails to apply but 3 gives `m >= start_j`.
 *    Hence `lo = clamp(p + errLo, start_j, end_j) <= m <= clamp(p + errHi, start_j, end_j) = hi`.
 * 5. Search. `k[i] < q` exactly for `i < LB(q)`, so the first i in `[lo, hi)` with `k[i] >= q`
 *    (or hi) is `LB(q)`; likewise for `k[i] > q` and `UB(q)`.
 *
 * Queries below the smallest key answer 0 and above the largest answer n before any model runs,
 * so every model input is a finite offset in `[0, keyMax - keyMin]`.
 *
 * @module
 */
import { assert } from "../../core/errors.ts";
import type { IndexPlugin, SegmentIndex } from "../../core/plugin/index_plugin.ts";
import { searchLower, searchUpper } from "./_search.ts";
import { decodeRmi, encodeRmi, rmiKeyCountMax, rmiLeafCountMax, type RmiModel } from "./format.ts";

/**
 * Default keys per stage-2 model, in keys per leaf: the leaf count is `n / 256` (at least 1, at
 * most {@link rmiLeafCountMax}). Measured on 10 M jittered 10 s timestamps in `bench/`.
 */
export const rmiKeysPerLeafDefault = 256;

/**
 * The default leaf count for `keyCount` keys.
 *
 * @example
 * ```ts
 * import { rmiLeafCountDefault } from "./rmi.ts";
 * console.assert(rmiLeafCountDefault(0) === 1 && rmiLeafCountDefault(1_000_000) === 3907);
 * ```
 */
export function rmiLeafCountDefault(keyCount: number): number {
  return Math.min(rmiLeafCountMax, Math.max(1, Math.ceil(keyCount / rmiKeysPerLeafDefault)));
}

/** Options of {@link buildRmi}. */
export interface RmiBuildOptions {
  /** Stage-2 models, 1 to {@link rmiLeafCountMax}; default {@link rmiLeafCountDefault}. */
  readonly leafCount?: number;
}

/**
 * Builds an RMI over keys sorted ascending. Duplicates are fine; NaN, infinities, keys out of
 * order, more than `rmiKeyCountMax` keys or a key range wider than float64 are a RangeError.
 *
 * @example
 * ```ts
 * import { buildRmi } from "./rmi.ts";
 * const keys = Float64Array.from({ length: 1000 }, (_, i) => 1.7e15 + i * 10_000_000);
 * const rmi = buildRmi(keys);
 * console.assert(rmi.lowerBound(keys, keys[500]!) === 500);
 * console.assert(rmi.upperBound(keys, keys[500]! + 1) === 501);
 * ```
 */
export function buildRmi(sortedKeys: Float64Array, options: RmiBuildOptions = {}): RmiIndex {
  const keys = sortedKeys;
  const n = keys.length;
  if (n > rmiKeyCountMax) throw new RangeError(`RMI: ${n} keys exceed ${rmiKeyCountMax}`);
  const leafCount = options.leafCount ?? rmiLeafCountDefault(n);
  if (!Number.isSafeInteger(leafCount) || leafCount < 1 || leafCount > rmiLeafCountMax) {
    throw new RangeError(`RMI: leafCount must be an integer in [1, ${rmiLeafCountMax}]`);
  }
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (!Number.isFinite(k)) throw new RangeError(`RMI: key at position ${i} is ${k}`);
    if (i > 0 && k < keys[i - 1]!) {
      throw new RangeError(`RMI: keys are not sorted ascending at position ${i}`);
    }
  }
  const leafModels = new Float64Array(3 * leafCount);
  const leafBounds = new Int32Array(4 * leafCount);
  if (n === 0) {
    return new RmiIndex({
      keyCount: 0,
      leafCount,
      keyMin: 0,
      keyMax: 0,
      rootSlope: 0,
      rootIntercept: 0,
      leafModels,
      leafBounds,
    });
  }
  const keyMin = keys[0]!;
  const keyMax = keys[n - 1]!;
  if (!Number.isFinite(keyMax - keyMin)) {
    throw new RangeError(`RMI: key range [${keyMin}, ${keyMax}] exceeds float64`);
  }
  const spanDiv = keyMax > keyMin ? keyMax - keyMin : 1;
  // Stage 1 maps equal spans of time to leaves (the endpoints line). Least squares of leaf on key
  // was measured too: on 10 M jittered timestamps with gaps and bursts its mean window was 53
  // positions against 33 and its max error 3,375 against 1,783 (docs/index_rmi.md).
  const rootSlope = leafCount;
  const rootIntercept = 0;

  // Route every key (non-decreasing, see the module comment) and record each leaf's range.
  let leaf = 0;
  for (let i = 0; i < n; i++) {
    const j = routeLeaf((keys[i]! - keyMin) / spanDiv, rootSlope, rootIntercept, leafCount - 1);
    assert(j >= leaf, "RMI routing is non-decreasing");
    while (leaf < j) {
      leafBounds[4 * leaf + 1] = i;
      leaf++;
      leafBounds[4 * leaf] = i;
    }
  }
  while (leaf < leafCount) {
    leafBounds[4 * leaf + 1] = n;
    leaf++;
    if (leaf < leafCount) leafBounds[4 * leaf] = n;
  }
  for (let j = 0; j < leafCount; j++) fitLeaf(keys, keyMin, j, leafModels, leafBounds);
  return new RmiIndex({
    keyCount: n,
    leafCount,
    keyMin,
    keyMax,
    rootSlope,
    rootIntercept,
    leafModels,
    leafBounds,
  });
}

/** Stage 1: the leaf of normalized key offset `u` (in [0, 1]). Non-decreasing in `u`. */
function routeLeaf(u: number, slope: number, intercept: number, lastLeaf: number): number {
  const j = Math.floor(slope * u + intercept);
  return j >= 0 ? (j <= lastLeaf ? j : lastLeaf) : 0;
}

/** Stage 2: the position leaf j predicts for key offset `d`, clamped to `[start, end]`. */
function predict(d: number, models: Float64Array, m: number, start: number, end: number): number {
  const p = Math.floor(models[m]! * (d - models[m + 1]!) + models[m + 2]!);
  return p >= start ? (p <= end ? p : end) : start; // NaN cannot occur; it would go to start
}

/** Stage 2 for leaf j: least squares of position on key offset, then the proven error bounds. */
function fitLeaf(
  keys: Float64Array,
  keyMin: number,
  j: number,
  models: Float64Array,
  bounds: Int32Array,
): void {
  const start = bounds[4 * j]!;
  const end = bounds[4 * j + 1]!;
  const m = 3 * j;
  if (start === end) {
    models[m + 2] = start;
    return; // slope 0, origin 0, errLo = errHi = 0: the window is [start, start]
  }
  const count = end - start;
  const origin = keys[start]! - keyMin;
  let xMean = 0;
  for (let i = start; i < end; i++) xMean += keys[i]! - keyMin - origin;
  xMean /= count;
  const yMean = (start + end - 1) / 2;
  let sxx = 0;
  let sxy = 0;
  for (let i = start; i < end; i++) {
    const dx = keys[i]! - keyMin - origin - xMean;
    sxx += dx * dx;
    sxy += dx * (i - yMean);
  }
  let slope = sxy / sxx;
  let atOrigin = yMean - slope * xMean;
  if (!(slope >= 0 && Number.isFinite(slope) && Number.isFinite(atOrigin))) {
    slope = 0;
    atOrigin = yMean;
  }
  models[m] = slope;
  models[m + 1] = origin;
  models[m + 2] = atOrigin;
  let errLo = Infinity;
  let errHi = -Infinity;
  for (let r = start; r < end;) {
    const v = keys[r]!;
    let s = r + 1;
    while (s < end && keys[s] === v) s++;
    const p = predict(v - keyMin, models, m, start, end);
    if (r - p < errLo) errLo = r - p;
    if (s - p > errHi) errHi = s - p;
    r = s;
  }
  bounds[4 * j + 2] = errLo;
  bounds[4 * j + 3] = errHi;
}

/**
 * A built or loaded RMI. {@link RmiIndex.lookupRange} answers from the model alone (the proven
 * window, at most one leaf wide); {@link RmiIndex.lowerBound} and {@link RmiIndex.upperBound} are
 * exact, given the keys the index was built over.
 *
 * @example
 * ```ts
 * import { buildRmi, RmiIndex } from "./rmi.ts";
 * const keys = Float64Array.of(10, 20, 20, 20, 30, 40);
 * const loaded = RmiIndex.deserialize(buildRmi(keys).serialize());
 * const { start, end } = loaded.lookupRange(20, 30);
 * console.assert(start <= 1 && end >= 5);
 * console.assert(loaded.lowerBound(keys, 20) === 1 && loaded.upperBound(keys, 30) === 5);
 * ```
 */
export class RmiIndex implements SegmentIndex {
  /** The model's parameters (read-only by contract; `serialize()` writes them). */
  readonly model: RmiModel;
  readonly #n: number;
  readonly #lastLeaf: number;
  readonly #keyMin: number;
  readonly #keyMax: number;
  readonly #spanDiv: number;
  readonly #rootSlope: number;
  readonly #rootIntercept: number;
  readonly #models: Float64Array;
  readonly #bounds: Int32Array;
  /** The last window computed by `#window`, to return two numbers without an object. */
  #lo = 0;
  #hi = 0;

  /** Wraps a model; use {@link buildRmi} or {@link RmiIndex.deserialize} to get one. */
  constructor(model: RmiModel) {
    this.model = model;
    this.#n = model.keyCount;
    this.#lastLeaf = model.leafCount - 1;
    this.#keyMin = model.keyMin;
    this.#keyMax = model.keyMax;
    this.#spanDiv = model.keyMax > model.keyMin ? model.keyMax - model.keyMin : 1;
    this.#rootSlope = model.rootSlope;
    this.#rootIntercept = model.rootIntercept;
    this.#models = model.leafModels;
    this.#bounds = model.leafBounds;
  }

  /**
   * Loads bytes written by `serialize()`; a `DbError` with SQLSTATE `XX001` if they are corrupt.
   *
   * @example
   * ```ts
   * import { buildRmi, RmiIndex } from "./rmi.ts";
   * const bytes = buildRmi(Float64Array.of(1, 2, 3)).serialize();
   * console.assert(RmiIndex.deserialize(bytes).keyCount === 3);
   * ```
   */
  static deserialize(bytes: Uint8Array): RmiIndex {
    return new RmiIndex(decodeRmi(bytes));
  }

  /** Keys the index covers. */
  get keyCount(): number {
    return this.#n;
  }

  /** Stage-2 models. */
  get leafCount(): number {
    return this.#lastLeaf + 1;
  }

  /** Bytes of the model's typed arrays. */
  get sizeBytes(): number {
    return this.#models.byteLength + this.#bounds.byteLength;
  }

  /**
   * The largest distance, in positions, between a leaf's prediction and a true lower or upper
   * bound: `max(-errLo, errHi)` over the leaves. The search window is at most `errHi - errLo`.
   */
  get maxError(): number {
    let max = 0;
    for (let b = 0; b < this.#bounds.length; b += 4) {
      max = Math.max(max, -this.#bounds[b + 2]!, this.#bounds[b + 3]!);
    }
    return max;
  }

  /** Sets `#lo`/`#hi` to the proven window holding `LB(q)` and `UB(q)`; q is not NaN. */
  #window(q: number): void {
    if (!(q >= this.#keyMin)) {
      this.#lo = this.#hi = 0;
      return;
    }
    if (q > this.#keyMax) {
      this.#lo = this.#hi = this.#n;
      return;
    }
    const d = q - this.#keyMin;
    const j = routeLeaf(d / this.#spanDiv, this.#rootSlope, this.#rootIntercept, this.#lastLeaf);
    const bounds = this.#bounds;
    const b = 4 * j;
    const start = bounds[b]!;
    const end = bounds[b + 1]!;
    const p = predict(d, this.#models, 3 * j, start, end);
    const lo = p + bounds[b + 2]!;
    const hi = p + bounds[b + 3]!;
    this.#lo = lo >= start ? (lo <= end ? lo : end) : start;
    this.#hi = hi >= start ? (hi <= end ? hi : end) : start;
  }

  /**
   * Positions `[start, end)` holding every key in `[low, high]`, from the model alone: `start`
   * is at most the first position with a key `>= low`, `end` at least the position after the
   * last key `<= high`, each within one leaf's error window of exact. Empty for NaN bounds.
   *
   * @example
   * ```ts
   * import { buildRmi } from "./rmi.ts";
   * const keys = Float64Array.from({ length: 10_000 }, (_, i) => i * 10);
   * const { start, end } = buildRmi(keys).lookupRange(500, 1000);
   * console.assert(start <= 50 && end >= 101 && end - start < 10_000);
   * ```
   */
  lookupRange(low: number, high: number): { start: number; end: number } {
    if (low !== low || high !== high) return { start: 0, end: 0 };
    this.#window(low);
    const start = this.#lo;
    this.#window(high);
    return { start, end: this.#hi > start ? this.#hi : start };
  }

  /**
   * The first position whose key is `>= q`, exact: the model's window, then a binary search in
   * it. `keys` must be the keys the index was built over; q must not be NaN (RangeError).
   *
   * @example
   * ```ts
   * import { buildRmi } from "./rmi.ts";
   * const keys = Float64Array.of(1, 5, 5, 9);
   * console.assert(buildRmi(keys).lowerBound(keys, 5) === 1);
   * ```
   */
  lowerBound(keys: Float64Array, q: number): number {
    assert(keys.length === this.#n, "RMI lookup over the keys it was built for");
    if (q !== q) throw new RangeError("RMI lowerBound: the query must not be NaN");
    this.#window(q);
    return searchLower(keys, q, this.#lo, this.#hi);
  }

  /**
   * The position after the last key `<= q`, exact; same rules as {@link RmiIndex.lowerBound}.
   *
   * @example
   * ```ts
   * import { buildRmi } from "./rmi.ts";
   * const keys = Float64Array.of(1, 5, 5, 9);
   * console.assert(buildRmi(keys).upperBound(keys, 5) === 3);
   * ```
   */
  upperBound(keys: Float64Array, q: number): number {
    assert(keys.length === this.#n, "RMI lookup over the keys it was built for");
    if (q !== q) throw new RangeError("RMI upperBound: the query must not be NaN");
    this.#window(q);
    return searchUpper(keys, q, this.#lo, this.#hi);
  }

  /** The model as bytes (see `format.ts`), to store beside the segment. */
  serialize(): Uint8Array {
    return encodeRmi(this.model);
  }
}

/**
 * The `rmi` index plugin: what the storage engine calls at flush (`build`) and at scan
 * (`deserialize`, then `lookupRange`).
 *
 * @example
 * ```ts
 * import { rmiIndexPlugin } from "./rmi.ts";
 * const index = rmiIndexPlugin.build(Float64Array.of(100, 200, 300));
 * const again = rmiIndexPlugin.deserialize(index.serialize());
 * console.assert(again.lookupRange(150, 250).start <= 1 && again.lookupRange(150, 250).end >= 2);
 * ```
 */
export const rmiIndexPlugin: IndexPlugin = {
  name: "rmi",
  build: (sortedKeys) => buildRmi(sortedKeys),
  deserialize: (bytes) => RmiIndex.deserialize(bytes),
};
