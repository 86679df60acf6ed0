/**
 * The two-argument statistics over (Y, X) pairs -> double precision, as PostgreSQL 15 computes
 * them: `covar_pop`, `covar_samp`, `corr`, `regr_count` (bigint), `regr_sxx`, `regr_syy`,
 * `regr_sxy`, `regr_avgx`, `regr_avgy`, `regr_slope`, `regr_intercept`, `regr_r2`. Rows where
 * either argument is NULL are skipped. The state is PostgreSQL's float8_regr_accum
 * (N, Sx, Sxx, Sy, Syy, Sxy with Youngs-Cramer updates), so results match its float8 aggregates.
 *
 * @example
 * ```ts
 * import { regressionAggregates } from "./regression.ts";
 * import { columnFromValues, Types, valueAt } from "../../../core/types/mod.ts";
 * const slope = regressionAggregates.find((f) => f.name === "regr_slope")!;
 * const acc = slope.createAccumulator(slope.resolve([Types.float8, Types.float8])!);
 * const y = columnFromValues(Types.float8, [2, 4, 6]);
 * const x = columnFromValues(Types.float8, [1, 2, 3]);
 * acc.update([y, x], Uint32Array.of(0, 0, 0), 3, 1);
 * console.assert(valueAt(acc.evaluate(1), 0) === 2);
 * ```
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { isNumeric, Types } from "../../../core/types/data_type.ts";
import { floatOverflow } from "../_common.ts";
import {
  growArray,
  grownCapacity,
  mergeTargetCount,
  sameAccumulator,
  validityFromFlags,
} from "./_groups.ts";

/** Which statistic a {@link RegressionAccumulator} produces. */
export type RegressionKind =
  | "covar_pop"
  | "covar_samp"
  | "corr"
  | "regr_count"
  | "regr_sxx"
  | "regr_syy"
  | "regr_sxy"
  | "regr_avgx"
  | "regr_avgy"
  | "regr_slope"
  | "regr_intercept"
  | "regr_r2";

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

/** Per-group (N, Sx, Sxx, Sy, Syy, Sxy) and the statistic computed from it. */
export class RegressionAccumulator implements Accumulator {
  readonly #kind: RegressionKind;
  #n = new Float64Array(0);
  #sx = new Float64Array(0);
  #sxx = new Float64Array(0);
  #sy = new Float64Array(0);
  #syy = new Float64Array(0);
  #sxy = new Float64Array(0);

  constructor(kind: RegressionKind) {
    this.#kind = kind;
  }

  #ensure(groupCount: number): void {
    if (this.#n.length >= groupCount) return;
    const cap = grownCapacity(this.#n.length, groupCount);
    this.#n = growArray(this.#n, cap);
    this.#sx = growArray(this.#sx, cap);
    this.#sxx = growArray(this.#sxx, cap);
    this.#sy = growArray(this.#sy, cap);
    this.#syy = growArray(this.#syy, cap);
    this.#sxy = growArray(this.#sxy, cap);
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const yCol = args[0]!;
    const xCol = args[1]!;
    const ys = yCol.data as Float64Array;
    const xs = xCol.data as Float64Array;
    for (let i = 0; i < length; i++) {
      if (!isValid(yCol.validity, i) || !isValid(xCol.validity, i)) continue;
      this.#add(groupIds[i]!, ys[i]!, xs[i]!);
    }
  }

  /** PostgreSQL's float8_regr_accum for one (y, x) pair. */
  #add(g: number, y: number, x: number): void {
    const n0 = this.#n[g]!;
    const sx0 = this.#sx[g]!;
    const sy0 = this.#sy[g]!;
    const n = n0 + 1;
    const sx = sx0 + x;
    const sy = sy0 + y;
    let sxx = this.#sxx[g]!;
    let syy = this.#syy[g]!;
    let sxy = this.#sxy[g]!;
    if (n0 > 0) {
      const tmpX = x * n - sx;
      const tmpY = y * n - sy;
      const scale = 1 / (n * n0);
      sxx += tmpX * tmpX * scale;
      syy += tmpY * tmpY * scale;
      sxy += tmpX * tmpY * scale;
      if (isInf(sx) || isInf(sxx)) {
        if (!isInf(sx0) && !isInf(x)) throw floatOverflow();
        sxx = NaN;
      }
      if (isInf(sy) || isInf(syy)) {
        if (!isInf(sy0) && !isInf(y)) throw floatOverflow();
        syy = NaN;
      }
      if (isInf(sxy)) {
        if (!isInf(sx0) && !isInf(x) && !isInf(sy0) && !isInf(y)) throw floatOverflow();
        sxy = NaN;
      }
    } else {
      if (Number.isNaN(x) || isInf(x)) sxx = sxy = NaN;
      if (Number.isNaN(y) || isInf(y)) syy = sxy = NaN;
    }
    this.#n[g] = n;
    this.#sx[g] = sx;
    this.#sy[g] = sy;
    this.#sxx[g] = sxx;
    this.#syy[g] = syy;
    this.#sxy[g] = sxy;
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const count = Math.min(groupMap.length, o.#n.length);
    this.#ensure(mergeTargetCount(groupMap, count));
    for (let g = 0; g < count; g++) {
      const n2 = o.#n[g]!;
      if (n2 === 0) continue;
      const t = groupMap[g]!;
      const n1 = this.#n[t]!;
      if (n1 === 0) {
        this.#n[t] = n2;
        this.#sx[t] = o.#sx[g]!;
        this.#sxx[t] = o.#sxx[g]!;
        this.#sy[t] = o.#sy[g]!;
        this.#syy[t] = o.#syy[g]!;
        this.#sxy[t] = o.#sxy[g]!;
        continue;
      }
      // PostgreSQL's float8_regr_combine
      const n = n1 + n2;
      const dx = this.#sx[t]! / n1 - o.#sx[g]! / n2;
      const dy = this.#sy[t]! / n1 - o.#sy[g]! / n2;
      this.#sxx[t] = this.#sxx[t]! + o.#sxx[g]! + (n1 * n2 * dx * dx) / n;
      this.#syy[t] = this.#syy[t]! + o.#syy[g]! + (n1 * n2 * dy * dy) / n;
      this.#sxy[t] = this.#sxy[t]! + o.#sxy[g]! + (n1 * n2 * dx * dy) / n;
      this.#sx[t] = this.#sx[t]! + o.#sx[g]!;
      this.#sy[t] = this.#sy[t]! + o.#sy[g]!;
      this.#n[t] = n;
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    if (this.#kind === "regr_count") {
      const counts = new BigInt64Array(groupCount);
      for (let g = 0; g < groupCount; g++) counts[g] = BigInt(this.#n[g]!);
      return makeColumn(Types.int8, groupCount, counts, null);
    }
    const out = new Float64Array(groupCount);
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const v = this.#final(g);
      if (v === null) continue;
      out[g] = v;
      has[g] = 1;
    }
    return makeColumn(Types.float8, groupCount, out, validityFromFlags(has, groupCount));
  }

  /** PostgreSQL 15's final functions (float8_covar_pop, float8_corr, float8_regr_*...). */
  #final(g: number): number | null {
    const n = this.#n[g]!;
    const sx = this.#sx[g]!;
    const sy = this.#sy[g]!;
    const sxx = this.#sxx[g]!;
    const syy = this.#syy[g]!;
    const sxy = this.#sxy[g]!;
    if (n < 1) return null;
    switch (this.#kind) {
      case "covar_pop":
        return sxy / n;
      case "covar_samp":
        return n > 1 ? sxy / (n - 1) : null;
      case "corr":
        return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
      case "regr_sxx":
        return sxx;
      case "regr_syy":
        return syy;
      case "regr_sxy":
        return sxy;
      case "regr_avgx":
        return sx / n;
      case "regr_avgy":
        return sy / n;
      case "regr_slope":
        return sxx === 0 ? null : sxy / sxx;
      case "regr_intercept":
        return sxx === 0 ? null : (sy - (sx * sxy) / sxx) / n;
      case "regr_r2":
        if (sxx === 0) return null;
        return syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
      case "regr_count":
        return n;
    }
  }
}

function regressionAggregate(kind: RegressionKind): AggregateFunctionDef {
  return {
    name: kind,
    resolve: (types) =>
      types.length === 2 && isNumeric(types[0]!) && isNumeric(types[1]!)
        ? {
          returns: kind === "regr_count" ? Types.int8 : Types.float8,
          argTypes: [Types.float8, Types.float8],
        }
        : null,
    createAccumulator: () => new RegressionAccumulator(kind),
  };
}

/** covar_pop, covar_samp, corr and the regr_* family, all taking (Y, X). */
export const regressionAggregates: readonly AggregateFunctionDef[] = (
  [
    "covar_pop",
    "covar_samp",
    "corr",
    "regr_count",
    "regr_sxx",
    "regr_syy",
    "regr_sxy",
    "regr_avgx",
    "regr_avgy",
    "regr_slope",
    "regr_intercept",
    "regr_r2",
  ] as const
).map(regressionAggregate);
