/**
 * `avg(x)` -> double precision for every numeric type. Integer inputs are summed exactly and
 * divided once (PostgreSQL returns numeric: a listed divergence); float inputs use PostgreSQL's
 * float8_accum, so avg(double precision) matches PostgreSQL exactly, including its 22003 on
 * overflow. NULLs are skipped; an empty group gives NULL.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, makeColumn } from "../../../core/types/column.ts";
import { isInteger, isNumeric, Types } from "../../../core/types/data_type.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";
import { IntSumsAccumulator } from "./_int_sum.ts";
import { Moments } from "./_moments.ts";

/** avg over integers: exact sum / count. */
export class IntAvgAccumulator extends IntSumsAccumulator {
  evaluate(groupCount: number): Column {
    this.sums.ensure(groupCount);
    const out = new Float64Array(groupCount);
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      if (this.sums.count[g] === 0) continue;
      has[g] = 1;
      out[g] = this.sums.mean(g);
    }
    return makeColumn(Types.float8, groupCount, out, validityFromFlags(has, groupCount));
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

/** `avg(int2 | int4 | int8 | float4 | float8)` -> float8. */
export const avgAggregate: AggregateFunctionDef = {
  name: "avg",
  resolve(types) {
    if (types.length !== 1 || !isNumeric(types[0]!)) return null;
    const t = types[0]!;
    return { returns: Types.float8, argTypes: [isInteger(t) ? t : Types.float8] };
  },
  createAccumulator(resolution) {
    return isInteger(resolution.argTypes[0]!) ? new IntAvgAccumulator() : new FloatAvgAccumulator();
  },
};
