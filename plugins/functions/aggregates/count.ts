/**
 * `count(*)` (zero arguments: counts rows) and `count(x)` (counts non-NULL values) -> bigint.
 * An empty group counts 0, never NULL.
 *
 * @module
 */
import type {
  Accumulator,
  AggregateFunctionDef,
  FunctionResolution,
} from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { Types } from "../../../core/types/data_type.ts";
import { growArray, grownCapacity, mergeTargetCount, sameAccumulator } from "./_groups.ts";

/** Counts per group; `star` counts rows, otherwise non-NULL values of the argument. */
export class CountAccumulator implements Accumulator {
  #counts = new Float64Array(0);
  readonly #star: boolean;

  constructor(star: boolean) {
    this.#star = star;
  }

  #ensure(groupCount: number): void {
    if (this.#counts.length < groupCount) {
      this.#counts = growArray(this.#counts, grownCapacity(this.#counts.length, groupCount));
    }
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const c = this.#counts;
    const v = this.#star ? null : args[0]!.validity;
    if (v === null) { for (let i = 0; i < length; i++) c[groupIds[i]!]!++; }
    else for (let i = 0; i < length; i++) if (isValid(v, i)) c[groupIds[i]!]!++;
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#counts.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) this.#counts[groupMap[g]!]! += o.#counts[g]!;
  }

  evaluate(groupCount: number): Column {
    const out = new BigInt64Array(groupCount);
    const c = this.#counts;
    for (let g = 0; g < groupCount && g < c.length; g++) out[g] = BigInt(c[g]!);
    return makeColumn(Types.int8, groupCount, out, null);
  }
}

/** `count(*)` and `count(any)`. */
export const countAggregate: AggregateFunctionDef = {
  name: "count",
  resolve(types) {
    if (types.length === 0) return { returns: Types.int8, argTypes: [] };
    if (types.length !== 1) return null;
    const t = types[0]!.kind === "unknown" ? Types.text : types[0]!;
    return { returns: Types.int8, argTypes: [t] };
  },
  createAccumulator(resolution: FunctionResolution): Accumulator {
    return new CountAccumulator(resolution.argTypes.length === 0);
  },
};
