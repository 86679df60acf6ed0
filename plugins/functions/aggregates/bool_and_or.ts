/**
 * `bool_and(b)` (alias `every`) and `bool_or(b)` -> boolean. NULLs are skipped; an empty group
 * gives NULL.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { Types } from "../../../core/types/data_type.ts";
import {
  growArray,
  grownCapacity,
  mergeTargetCount,
  sameAccumulator,
  validityFromFlags,
} from "./_groups.ts";

/** AND or OR of the booleans of each group. */
export class BoolAccumulator implements Accumulator {
  #value = new Uint8Array(0);
  #has = new Uint8Array(0);
  readonly #isAnd: boolean;

  constructor(isAnd: boolean) {
    this.#isAnd = isAnd;
  }

  #ensure(groupCount: number): void {
    if (this.#has.length >= groupCount) return;
    const cap = grownCapacity(this.#has.length, groupCount);
    this.#value = growArray(this.#value, cap);
    this.#has = growArray(this.#has, cap);
  }

  #add(g: number, x: number): void {
    if (this.#has[g] === 0) {
      this.#value[g] = x;
      this.#has[g] = 1;
    } else this.#value[g] = this.#isAnd ? this.#value[g]! & x : this.#value[g]! | x;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const col = args[0]!;
    const data = col.data as Uint8Array;
    const v = col.validity;
    for (let i = 0; i < length; i++) if (isValid(v, i)) this.#add(groupIds[i]!, data[i]! ? 1 : 0);
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) if (o.#has[g] === 1) this.#add(groupMap[g]!, o.#value[g]!);
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = this.#value.slice(0, groupCount);
    return makeColumn(Types.bool, groupCount, out, validityFromFlags(this.#has, groupCount));
  }
}

function boolAggregate(name: string, isAnd: boolean): AggregateFunctionDef {
  return {
    name,
    resolve: (types) =>
      types.length === 1 && (types[0]!.kind === "bool" || types[0]!.kind === "unknown")
        ? { returns: Types.bool, argTypes: [Types.bool] }
        : null,
    createAccumulator: () => new BoolAccumulator(isAnd),
  };
}

/** bool_and, every, bool_or. */
export const boolAggregates: readonly AggregateFunctionDef[] = [
  boolAggregate("bool_and", true),
  boolAggregate("every", true),
  boolAggregate("bool_or", false),
];
