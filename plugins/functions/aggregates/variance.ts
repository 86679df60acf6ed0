/**
 * The variance family -> double precision: `var_samp`/`variance`, `var_pop`,
 * `stddev_samp`/`stddev`, `stddev_pop`. Computed with PostgreSQL's float8 accumulator
 * (Youngs-Cramer); integer inputs are converted to float8 first (PostgreSQL computes them in
 * numeric, a listed divergence in the last digits). Sample forms give NULL for fewer than two
 * values; population forms give NULL for none and 0 for one.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, makeColumn } from "../../../core/types/column.ts";
import { isNumeric, Types } from "../../../core/types/data_type.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";
import { Moments } from "./_moments.ts";

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

function varianceAggregate(name: string, kind: VarianceKind): AggregateFunctionDef {
  return {
    name,
    resolve: (types) =>
      types.length === 1 && isNumeric(types[0]!)
        ? { returns: Types.float8, argTypes: [Types.float8] }
        : null,
    createAccumulator: () => new VarianceAccumulator(kind),
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
