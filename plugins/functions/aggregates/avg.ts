/**
 * `avg(x)` -> double precision for every numeric type. Integer inputs are summed exactly and
 * divided once (PostgreSQL returns numeric: a listed divergence); float inputs use PostgreSQL's
 * float8_accum, so avg(double precision) matches PostgreSQL exactly, including its 22003 on
 * overflow. NULLs are skipped; an empty group gives NULL.
 *
 * @module
 */
import type {
  Accumulator,
  AggregateFunctionDef,
  FunctionResolution,
} from "../../../core/plugin/functions.ts";
import { type Column, makeColumn } from "../../../core/types/column.ts";
import { type DataType, isInteger, isNumeric, Types } from "../../../core/types/data_type.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";
import { IntSumsAccumulator } from "./_int_sum.ts";
import { NumericSumAccumulator } from "./numeric_sum.ts";
import { divDec, formatDec } from "../../../core/types/numeric.ts";
import { Moments } from "./_moments.ts";

/** avg over integers: exact sum / count. */
export class IntAvgAccumulator extends IntSumsAccumulator {
  evaluate(groupCount: number): Column {
    // PostgreSQL: avg of integers is NUMERIC, exact sum divided with numeric's scale rule.
    this.sums.ensure(groupCount);
    const out = new Array<string>(groupCount).fill("0");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const count = this.sums.count[g]!;
      if (count === 0) continue;
      has[g] = 1;
      out[g] = formatDec(divDec({ v: this.sums.total(g), s: 0 }, { v: BigInt(count), s: 0 }));
    }
    return makeColumn(Types.numeric, groupCount, out, validityFromFlags(has, groupCount));
  }
}

/** avg over floats: PostgreSQL's float8_accum then Sx / N. */
export class FloatAvgAccumulator implements Accumulator {
  readonly #m = new Moments();

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
    for (let g = 0; g < groupCount; g++) {
      const n = this.#m.n[g]!;
      if (n === 0) continue;
      has[g] = 1;
      out[g] = this.#m.sx[g]! / n;
    }
    return makeColumn(Types.float8, groupCount, out, validityFromFlags(has, groupCount));
  }
}

/**
 * The result type PostgreSQL gives avg and the variance family: numeric for an integer (kept as
 * it is) or numeric argument, double precision (the argument cast to it) for a float one.
 *
 * @example
 * ```ts
 * import { numericOrFloat8Resolution } from "./avg.ts";
 * import { Types } from "../../../core/types/data_type.ts";
 * console.assert(numericOrFloat8Resolution([Types.int4])?.returns.kind === "numeric");
 * console.assert(numericOrFloat8Resolution([Types.float4])?.argTypes[0]?.kind === "float8");
 * ```
 */
export function numericOrFloat8Resolution(
  types: readonly DataType[],
): FunctionResolution | null {
  if (types.length !== 1 || !isNumeric(types[0]!)) return null;
  const t = types[0]!;
  if (isInteger(t)) return { returns: Types.numeric, argTypes: [t] };
  if (t.kind === "numeric") return { returns: Types.numeric, argTypes: [Types.numeric] };
  return { returns: Types.float8, argTypes: [Types.float8] };
}

/** `avg(integer | numeric)` -> numeric, `avg(float4 | float8)` -> float8, as in PostgreSQL. */
export const avgAggregate: AggregateFunctionDef = {
  name: "avg",
  resolve: numericOrFloat8Resolution,
  createAccumulator(resolution) {
    const t = resolution.argTypes[0]!;
    if (isInteger(t)) return new IntAvgAccumulator();
    return t.kind === "numeric" ? new NumericSumAccumulator(true) : new FloatAvgAccumulator();
  },
};
