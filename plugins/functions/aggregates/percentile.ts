/**
 * Ordered-set aggregates over float8 values: `median(x)` and `percentile_cont(f)` (linear
 * interpolation), `percentile_disc(f)` (the first value whose position reaches f), and
 * `mode()` (the most frequent value, smallest on ties). `percentile_*` and `mode` are called
 * with `WITHIN GROUP (ORDER BY x)`; the binder passes `x` first, then the fraction.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { isNumeric, Types } from "../../../core/types/data_type.ts";
import { dbError } from "../_common.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";

type Kind = "cont" | "disc" | "mode";

/** Collects each group's values, then answers from the sorted list. */
export class PercentileAccumulator implements Accumulator {
  #values: number[][] = [];
  #fraction: number[] = [];

  constructor(readonly kind: Kind, readonly fixedFraction: number | null) {}

  #ensure(groupCount: number): void {
    while (this.#values.length < groupCount) {
      this.#values.push([]);
      this.#fraction.push(this.fixedFraction ?? NaN);
    }
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const x = args[0]!;
    const src = x.data as Float64Array;
    const f = args[1];
    for (let i = 0; i < length; i++) {
      const g = groupIds[i]!;
      if (f !== undefined && isValid(f.validity, i)) {
        const fraction = (f.data as Float64Array)[i]!;
        if (!(fraction >= 0 && fraction <= 1)) {
          throw dbError("22003", `percentile value ${fraction} is not between 0 and 1`);
        }
        this.#fraction[g] = fraction;
      }
      if (isValid(x.validity, i)) this.#values[g]!.push(src[i]!);
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#values.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) {
      const t = groupMap[g]!;
      for (const v of o.#values[g]!) this.#values[t]!.push(v);
      if (!Number.isNaN(o.#fraction[g]!)) this.#fraction[t] = o.#fraction[g]!;
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = new Float64Array(groupCount);
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const vs = this.#values[g]!;
      if (vs.length === 0) continue;
      vs.sort((
        a,
        b,
      ) => (a < b
        ? -1
        : a > b
        ? 1
        : Number.isNaN(a)
        ? (Number.isNaN(b) ? 0 : 1)
        : Number.isNaN(b)
        ? -1
        : 0)
      );
      has[g] = 1;
      if (this.kind === "mode") {
        let best = vs[0]!;
        let bestCount = 0;
        for (let i = 0; i < vs.length;) {
          let j = i;
          while (j < vs.length && Object.is(vs[j], vs[i])) j++;
          if (j - i > bestCount) {
            bestCount = j - i;
            best = vs[i]!;
          }
          i = j === i ? i + 1 : j;
        }
        out[g] = best;
        continue;
      }
      const f = this.#fraction[g]!;
      if (this.kind === "disc") {
        out[g] = vs[Math.max(0, Math.ceil(f * vs.length) - 1)]!;
      } else {
        const pos = f * (vs.length - 1);
        const lo = Math.floor(pos);
        const hi = Math.ceil(pos);
        out[g] = lo === hi ? vs[lo]! : vs[lo]! + (vs[hi]! - vs[lo]!) * (pos - lo);
      }
    }
    return makeColumn(Types.float8, groupCount, out, validityFromFlags(has, groupCount));
  }
}

function numericArgs(count: number) {
  return (types: readonly import("../../../core/types/data_type.ts").DataType[]) =>
    types.length === count && types.every((t) => t.kind === "unknown" || isNumeric(t))
      ? { returns: Types.float8, argTypes: types.map(() => Types.float8) }
      : null;
}

/** The ordered-set aggregates. */
export const percentileAggregates: readonly AggregateFunctionDef[] = [
  {
    name: "median",
    resolve: numericArgs(1),
    createAccumulator: () => new PercentileAccumulator("cont", 0.5),
  },
  {
    name: "percentile_cont",
    resolve: numericArgs(2),
    createAccumulator: () => new PercentileAccumulator("cont", null),
  },
  {
    name: "percentile_disc",
    resolve: numericArgs(2),
    createAccumulator: () => new PercentileAccumulator("disc", null),
  },
  {
    name: "mode",
    resolve: numericArgs(1),
    createAccumulator: () => new PercentileAccumulator("mode", null),
  },
];
