/**
 * `sum(interval)` and `avg(interval)` -> interval, as PostgreSQL computes them: months, days and
 * microseconds are added separately (a month is not a fixed number of days); avg divides the sum
 * by the count as `interval / number` does. NULLs are skipped; an empty group gives NULL.
 *
 * @example
 * ```ts
 * import { intervalAggregates } from "./interval_sum.ts";
 * import { columnFromValues, Types, valueAt } from "../../../core/types/mod.ts";
 * const sum = intervalAggregates.find((f) => f.name === "sum")!;
 * const acc = sum.createAccumulator(sum.resolve([Types.interval])!);
 * acc.update([columnFromValues(Types.interval, ["1 mon", "2 days"])], Uint32Array.of(0, 0), 2, 1);
 * console.assert(valueAt(acc.evaluate(1), 0) === "1 mon 2 days");
 * ```
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { Types } from "../../../core/types/data_type.ts";
import {
  addIntervals,
  formatInterval,
  type Interval,
  parseInterval,
  scaleInterval,
} from "../../../core/types/interval.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";

const zero: Interval = { months: 0, days: 0, micros: 0 };

/** Per-group interval sum and count. */
export class IntervalSumAccumulator implements Accumulator {
  readonly #average: boolean;
  #sums: Interval[] = [];
  #counts: number[] = [];

  constructor(average: boolean) {
    this.#average = average;
  }

  #ensure(groupCount: number): void {
    while (this.#sums.length < groupCount) {
      this.#sums.push(zero);
      this.#counts.push(0);
    }
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const col = args[0]!;
    const texts = col.data as string[];
    for (let i = 0; i < length; i++) {
      if (!isValid(col.validity, i)) continue;
      const g = groupIds[i]!;
      this.#sums[g] = addIntervals(this.#sums[g]!, parseInterval(texts[i]!));
      this.#counts[g]! += 1;
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const count = Math.min(groupMap.length, o.#sums.length);
    this.#ensure(mergeTargetCount(groupMap, count));
    for (let g = 0; g < count; g++) {
      const t = groupMap[g]!;
      this.#sums[t] = addIntervals(this.#sums[t]!, o.#sums[g]!);
      this.#counts[t]! += o.#counts[g]!;
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = new Array<string>(groupCount).fill("00:00:00");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const n = this.#counts[g]!;
      if (n === 0) continue;
      const sum = this.#sums[g]!;
      out[g] = formatInterval(this.#average ? scaleInterval(sum, 1 / n) : sum);
      has[g] = 1;
    }
    return makeColumn(Types.interval, groupCount, out, validityFromFlags(has, groupCount));
  }
}

function intervalAggregate(name: "sum" | "avg"): AggregateFunctionDef {
  return {
    name,
    resolve: (types) =>
      types.length === 1 && types[0]!.kind === "interval"
        ? { returns: Types.interval, argTypes: [Types.interval] }
        : null,
    createAccumulator: () => new IntervalSumAccumulator(name === "avg"),
  };
}

/** sum(interval) and avg(interval). */
export const intervalAggregates: readonly AggregateFunctionDef[] = [
  intervalAggregate("sum"),
  intervalAggregate("avg"),
];
