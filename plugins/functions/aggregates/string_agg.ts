/**
 * `string_agg(value, delimiter)` -> text: the non-NULL values of each group in arrival order,
 * each but the first preceded by the delimiter given on its own row (a NULL delimiter adds
 * nothing), as PostgreSQL does. An empty group gives NULL. Results longer than
 * `resultStringCharsMax` raise 54000. `string_agg(value)` (DuckDB's form) uses a comma.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { Types } from "../../../core/types/data_type.ts";
import { checkResultLength, stringOrUnknown } from "../_common.ts";
import {
  growArray,
  grownCapacity,
  mergeTargetCount,
  sameAccumulator,
  validityFromFlags,
} from "./_groups.ts";

/** Concatenation per group, keeping the first value's delimiter for merges. */
export class StringAggAccumulator implements Accumulator {
  #text: string[] = [];
  #firstDelimiter: string[] = [];
  #has = new Uint8Array(0);

  #ensure(groupCount: number): void {
    if (this.#has.length >= groupCount) return;
    const cap = grownCapacity(this.#has.length, groupCount);
    this.#has = growArray(this.#has, cap);
    while (this.#text.length < cap) {
      this.#text.push("");
      this.#firstDelimiter.push("");
    }
  }

  #append(g: number, value: string, delimiter: string): void {
    if (this.#has[g] === 0) {
      this.#text[g] = value;
      this.#firstDelimiter[g] = delimiter;
      this.#has[g] = 1;
      return;
    }
    const s = this.#text[g]! + delimiter + value;
    checkResultLength(s.length);
    this.#text[g] = s;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const values = args[0]!;
    const delims = args[1];
    const vs = values.data as string[];
    if (delims === undefined) {
      for (let i = 0; i < length; i++) {
        if (isValid(values.validity, i)) this.#append(groupIds[i]!, vs[i]!, ",");
      }
      return;
    }
    const ds = delims.data as string[];
    for (let i = 0; i < length; i++) {
      if (!isValid(values.validity, i)) continue;
      this.#append(groupIds[i]!, vs[i]!, isValid(delims.validity, i) ? ds[i]! : "");
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) {
      if (o.#has[g] === 1) this.#append(groupMap[g]!, o.#text[g]!, o.#firstDelimiter[g]!);
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = this.#text.slice(0, groupCount);
    return makeColumn(Types.text, groupCount, out, validityFromFlags(this.#has, groupCount));
  }
}

/** `string_agg(text, text)` and `string_agg(text)`. */
export const stringAggAggregate: AggregateFunctionDef = {
  name: "string_agg",
  resolve: (types) =>
    types.length === 1 && stringOrUnknown(types[0]!)
      ? { returns: Types.text, argTypes: [Types.text] }
      : types.length === 2 && stringOrUnknown(types[0]!) && stringOrUnknown(types[1]!)
      ? { returns: Types.text, argTypes: [Types.text, Types.text] }
      : null,
  createAccumulator: () => new StringAggAccumulator(),
};
