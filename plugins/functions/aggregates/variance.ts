/**
 * The variance family: `var_samp`/`variance`, `var_pop`, `stddev_samp`/`stddev`, `stddev_pop`.
 * As in PostgreSQL, float inputs give double precision through the float8 accumulator
 * (Youngs-Cramer), and integer and numeric inputs give numeric from exact sums N, Sx and Sxx
 * with numeric division's result scale (numeric_stddev_internal). Sample forms give NULL for
 * fewer than two values; population forms give NULL for none and 0 for one.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, makeColumn } from "../../../core/types/column.ts";
import { isInteger, Types } from "../../../core/types/data_type.ts";
import { type Dec, divDec, formatDec, pow10, sqrtDec } from "../../../core/types/numeric.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";
import { Moments } from "./_moments.ts";
import { IntSums } from "./_int_sum.ts";
import { numericOrFloat8Resolution } from "./avg.ts";
import { eachDecimal } from "./numeric_sum.ts";

/** Which statistic a {@link VarianceAccumulator} produces. */
export type VarianceKind = "var_samp" | "var_pop" | "stddev_samp" | "stddev_pop";

/** Variance or standard deviation per group. */
export class VarianceAccumulator implements Accumulator {
  readonly #m = new Moments();
  readonly #kind: VarianceKind;

  constructor(kind: VarianceKind) {
    this.#kind = kind;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#m.ensure(groupCount);
    const col = args[0]!;
    this.#m.add(col.data as Float64Array, col.validity, groupIds, length);
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#m.n.length);
    this.#m.ensure(mergeTargetCount(groupMap, n));
    this.#m.merge(o.#m, groupMap, n);
  }

  evaluate(groupCount: number): Column {
    this.#m.ensure(groupCount);
    const out = new Float64Array(groupCount);
    const has = new Uint8Array(groupCount);
    const sample = this.#kind === "var_samp" || this.#kind === "stddev_samp";
    const root = this.#kind === "stddev_samp" || this.#kind === "stddev_pop";
    for (let g = 0; g < groupCount; g++) {
      const n = this.#m.n[g]!;
      if (sample ? n <= 1 : n === 0) continue;
      has[g] = 1;
      const v = this.#m.sxx[g]! / (sample ? n - 1 : n);
      out[g] = root ? Math.sqrt(v) : v;
    }
    return makeColumn(Types.float8, groupCount, out, validityFromFlags(has, groupCount));
  }
}

/**
 * PostgreSQL's numeric_stddev_internal: the statistic of `n` values with exact sums `sx` and
 * `sxx` (`sxx` at twice the scale of `sx`) as numeric text, or null when it is undefined.
 */
export function numericVariance(n: number, sx: Dec, sxx: Dec, kind: VarianceKind): string | null {
  const sample = kind === "var_samp" || kind === "stddev_samp";
  if (sample ? n <= 1 : n === 0) return null;
  const bn = BigInt(n);
  // N * Sxx - Sx * Sx, exact at Sxx's scale (twice Sx's)
  const numerator = { v: bn * sxx.v - sx.v * sx.v * pow10(sxx.s - 2 * sx.s), s: sxx.s };
  if (numerator.v <= 0n) return "0"; // rounding never makes it negative here, but as in PostgreSQL
  const variance = divDec(numerator, { v: bn * (sample ? bn - 1n : bn), s: 0 });
  const root = kind === "stddev_samp" || kind === "stddev_pop";
  return formatDec(root ? sqrtDec(variance, variance.s) : variance);
}

/** The variance family over int2/int4/int8 -> numeric, from exact sums. */
export class IntVarianceAccumulator implements Accumulator {
  readonly #sx = new IntSums();
  readonly #sxx = new IntSums();
  readonly #kind: VarianceKind;

  constructor(kind: VarianceKind) {
    this.#kind = kind;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#sx.ensure(groupCount);
    this.#sxx.ensure(groupCount);
    this.#sx.add(args[0]!, groupIds, length);
    this.#sxx.addSquares(args[0]!, groupIds, length);
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#sx.count.length);
    const target = mergeTargetCount(groupMap, n);
    this.#sx.ensure(target);
    this.#sxx.ensure(target);
    this.#sx.merge(o.#sx, groupMap, n);
    this.#sxx.merge(o.#sxx, groupMap, n);
  }

  evaluate(groupCount: number): Column {
    this.#sx.ensure(groupCount);
    this.#sxx.ensure(groupCount);
    const out = new Array<string>(groupCount).fill("0");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const r = numericVariance(
        this.#sx.count[g]!,
        { v: this.#sx.total(g), s: 0 },
        { v: this.#sxx.total(g), s: 0 },
        this.#kind,
      );
      if (r === null) continue;
      has[g] = 1;
      out[g] = r;
    }
    return makeColumn(Types.numeric, groupCount, out, validityFromFlags(has, groupCount));
  }
}

/** The variance family over numeric -> numeric, from exact sums at the largest input scale. */
export class DecVarianceAccumulator implements Accumulator {
  #sx: bigint[] = [];
  #sxx: bigint[] = [];
  #scale: number[] = [];
  #n: number[] = [];
  readonly #kind: VarianceKind;

  constructor(kind: VarianceKind) {
    this.#kind = kind;
  }

  #ensure(groupCount: number): void {
    while (this.#n.length < groupCount) {
      this.#sx.push(0n);
      this.#sxx.push(0n);
      this.#scale.push(0);
      this.#n.push(0);
    }
  }

  /** Adds sums `x` (scale `s`) and `xx` (scale 2s) of `count` values to group `g`. */
  #add(g: number, x: bigint, xx: bigint, s: number, count: number): void {
    const cur = this.#scale[g]!;
    if (s > cur) {
      this.#sx[g] = this.#sx[g]! * pow10(s - cur);
      this.#sxx[g] = this.#sxx[g]! * pow10(2 * (s - cur));
      this.#scale[g] = s;
    }
    const up = this.#scale[g]! - s;
    this.#sx[g] = this.#sx[g]! + x * pow10(up);
    this.#sxx[g] = this.#sxx[g]! + xx * pow10(2 * up);
    this.#n[g] = this.#n[g]! + count;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    eachDecimal(args[0]!, length, (i, d) => this.#add(groupIds[i]!, d.v, d.v * d.v, d.s, 1));
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#n.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) {
      if (o.#n[g] === 0) continue;
      this.#add(groupMap[g]!, o.#sx[g]!, o.#sxx[g]!, o.#scale[g]!, o.#n[g]!);
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = new Array<string>(groupCount).fill("0");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const s = this.#scale[g]!;
      const r = numericVariance(
        this.#n[g]!,
        { v: this.#sx[g]!, s },
        { v: this.#sxx[g]!, s: 2 * s },
        this.#kind,
      );
      if (r === null) continue;
      has[g] = 1;
      out[g] = r;
    }
    return makeColumn(Types.numeric, groupCount, out, validityFromFlags(has, groupCount));
  }
}

function varianceAggregate(name: string, kind: VarianceKind): AggregateFunctionDef {
  return {
    name,
    resolve: numericOrFloat8Resolution,
    createAccumulator(resolution) {
      const t = resolution.argTypes[0]!;
      if (isInteger(t)) return new IntVarianceAccumulator(kind);
      return t.kind === "numeric"
        ? new DecVarianceAccumulator(kind)
        : new VarianceAccumulator(kind);
    },
  };
}

/** stddev, stddev_samp, stddev_pop, variance, var_samp, var_pop. */
export const varianceAggregates: readonly AggregateFunctionDef[] = [
  varianceAggregate("stddev", "stddev_samp"),
  varianceAggregate("stddev_samp", "stddev_samp"),
  varianceAggregate("stddev_pop", "stddev_pop"),
  varianceAggregate("variance", "var_samp"),
  varianceAggregate("var_samp", "var_samp"),
  varianceAggregate("var_pop", "var_pop"),
];
