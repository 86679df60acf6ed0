/**
 * `sum` and `avg` over NUMERIC: exact, with PostgreSQL's result scales (the sum keeps the
 * largest input scale; the average divides with numeric division's scale rule).
 *
 * @module
 */
import type { Accumulator } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { Types } from "../../../core/types/data_type.ts";
import { type Dec, divDec, formatDec, parseDec, pow10 } from "../../../core/types/numeric.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";

/**
 * Calls `visit` with the row index and value of each non-NULL value among the first `length` of
 * a NUMERIC column (numeric text).
 *
 * @example
 * ```ts
 * import { eachDecimal } from "./numeric_sum.ts";
 * import { columnFromValues, Types } from "../../../core/types/mod.ts";
 * let sum = 0n;
 * eachDecimal(columnFromValues(Types.numeric, ["1.5", null, "2"]), 3, (_i, d) => {
 *   sum += d.s === 0 ? d.v * 10n : d.v;
 * });
 * console.assert(sum === 35n);
 * ```
 */
export function eachDecimal(
  col: Column,
  length: number,
  visit: (row: number, value: Dec) => void,
): void {
  const src = col.data as string[];
  for (let i = 0; i < length; i++) {
    if (isValid(col.validity, i)) visit(i, parseDec(src[i]!));
  }
}

/** Per-group exact sums of decimal values. */
export class NumericSumAccumulator implements Accumulator {
  #sums: bigint[] = [];
  #scales: number[] = [];
  #counts: number[] = [];

  /** `average`: return sum / count instead of the sum. */
  constructor(readonly average: boolean) {}

  #ensure(groupCount: number): void {
    while (this.#sums.length < groupCount) {
      this.#sums.push(0n);
      this.#scales.push(0);
      this.#counts.push(0);
    }
  }

  #add(g: number, v: bigint, s: number, count: number): void {
    const cur = this.#scales[g]!;
    if (s > cur) {
      this.#sums[g] = this.#sums[g]! * pow10(s - cur);
      this.#scales[g] = s;
    }
    this.#sums[g] = this.#sums[g]! + v * pow10(this.#scales[g]! - s);
    this.#counts[g] = this.#counts[g]! + count;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    eachDecimal(args[0]!, length, (i, d) => this.#add(groupIds[i]!, d.v, d.s, 1));
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#sums.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) {
      if (o.#counts[g] === 0) continue;
      this.#add(groupMap[g]!, o.#sums[g]!, o.#scales[g]!, o.#counts[g]!);
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = new Array<string>(groupCount).fill("0");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const count = this.#counts[g]!;
      if (count === 0) continue;
      has[g] = 1;
      const sum = { v: this.#sums[g]!, s: this.#scales[g]! };
      out[g] = formatDec(this.average ? divDec(sum, { v: BigInt(count), s: 0 }) : sum);
    }
    return makeColumn(Types.numeric, groupCount, out, validityFromFlags(has, groupCount));
  }
}
