/**
 * `array_agg(value)` -> value's array type: every input value of each group, NULLs included, in
 * arrival order (an `ORDER BY` inside the call sorts the input first), as PostgreSQL does. An
 * empty group gives NULL. Arrays of arrays are not supported yet (42883).
 *
 * @example
 * ```ts
 * import { arrayAggAggregate } from "./array_agg.ts";
 * import { columnFromValues, Types, valueAt } from "../../../core/types/mod.ts";
 * const res = arrayAggAggregate.resolve([Types.int4])!;
 * const acc = arrayAggAggregate.createAccumulator(res);
 * acc.update([columnFromValues(Types.int4, [3, null, 1])], Uint32Array.of(0, 0, 1), 3, 2);
 * const out = acc.evaluate(2);
 * console.assert(valueAt(out, 0) === "{3,NULL}" && valueAt(out, 1) === "{1}");
 * ```
 *
 * @module
 */
import type {
  Accumulator,
  AggregateFunctionDef,
  FunctionResolution,
} from "../../../core/plugin/functions.ts";
import { type Column, makeColumn, valueAt } from "../../../core/types/column.ts";
import { arrayOf, type DataType, Types } from "../../../core/types/data_type.ts";
import { formatValue } from "../../../core/types/format.ts";
import { formatArrayText } from "../../../core/types/array.ts";
import { mergeTargetCount, sameAccumulator, validityFromFlags } from "./_groups.ts";

/** The elements (in text form) collected per group. */
export class ArrayAggAccumulator implements Accumulator {
  readonly #element: DataType;
  #groups: (string | null)[][] = [];

  constructor(element: DataType) {
    this.#element = element;
  }

  #ensure(groupCount: number): void {
    while (this.#groups.length < groupCount) this.#groups.push([]);
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const col = args[0]!;
    for (let i = 0; i < length; i++) {
      this.#groups[groupIds[i]!]!.push(formatValue(this.#element, valueAt(col, i)));
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const count = Math.min(groupMap.length, o.#groups.length);
    this.#ensure(mergeTargetCount(groupMap, count));
    for (let g = 0; g < count; g++) this.#groups[groupMap[g]!]!.push(...o.#groups[g]!);
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = new Array<string>(groupCount).fill("{}");
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      const items = this.#groups[g]!;
      if (items.length === 0) continue;
      out[g] = formatArrayText(items);
      has[g] = 1;
    }
    return makeColumn(arrayOf(this.#element), groupCount, out, validityFromFlags(has, groupCount));
  }
}

/** array_agg(anynonarray). */
export const arrayAggAggregate: AggregateFunctionDef = {
  name: "array_agg",
  resolve(types): FunctionResolution | null {
    if (types.length !== 1 || types[0]!.kind === "array") return null;
    const element = types[0]!.kind === "unknown" ? Types.text : types[0]!;
    return { returns: arrayOf(element), argTypes: [element] };
  },
  createAccumulator: (resolution) =>
    new ArrayAggAccumulator(
      resolution.returns.kind === "array" ? resolution.returns.element : Types.text,
    ),
};
