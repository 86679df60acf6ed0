/**
 * `sum(x)`: int2/int4 -> bigint, int8 -> bigint (exact; 22003 if the total leaves the int8
 * range; PostgreSQL returns numeric), float4 -> real, float8 -> double precision (22003 when a
 * running float sum overflows, as PostgreSQL's float8pl). NULLs are skipped; an empty group
 * gives NULL.
 *
 * @module
 */
import type {
  Accumulator,
  AggregateFunctionDef,
  FunctionResolution,
} from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { type DataType, isInteger, Types } from "../../../core/types/data_type.ts";
import { floatOverflow } from "../_common.ts";
import {
  growArray,
  grownCapacity,
  mergeTargetCount,
  sameAccumulator,
  validityFromFlags,
} from "./_groups.ts";
import { IntSumsAccumulator } from "./_int_sum.ts";
import { NumericSumAccumulator } from "./numeric_sum.ts";

/** Exact integer sum per group. */
export class IntSumAccumulator extends IntSumsAccumulator {
  /** `asNumeric`: return NUMERIC (sum of int8), else int8 (sum of int2/int4). */
  constructor(readonly asNumeric: boolean) {
    super();
  }

  evaluate(groupCount: number): Column {
    this.sums.ensure(groupCount);
    if (this.asNumeric) {
      const text = new Array<string>(groupCount).fill("0");
      const present = new Uint8Array(groupCount);
      for (let g = 0; g < groupCount; g++) {
        if (this.sums.count[g] === 0) continue;
        present[g] = 1;
        text[g] = this.sums.total(g).toString();
      }
      return makeColumn(Types.numeric, groupCount, text, validityFromFlags(present, groupCount));
    }
    const out = new BigInt64Array(groupCount);
    const has = new Uint8Array(groupCount);
    for (let g = 0; g < groupCount; g++) {
      if (this.sums.count[g] === 0) continue;
      has[g] = 1;
      out[g] = this.sums.totalInt8(g);
    }
    return makeColumn(Types.int8, groupCount, out, validityFromFlags(has, groupCount));
  }
}

function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity;
}

/** Float sum per group; `single` rounds every step to float4 like PostgreSQL's float4pl. */
export class FloatSumAccumulator implements Accumulator {
  #sums = new Float64Array(0);
  #has = new Uint8Array(0);
  readonly #single: boolean;

  constructor(single: boolean) {
    this.#single = single;
  }

  #ensure(groupCount: number): void {
    if (this.#sums.length >= groupCount) return;
    const cap = grownCapacity(this.#sums.length, groupCount);
    this.#sums = growArray(this.#sums, cap);
    this.#has = growArray(this.#has, cap);
  }

  #add(g: number, x: number): void {
    const prev = this.#sums[g]!;
    let s = prev + x;
    if (this.#single) s = Math.fround(s);
    if (isInf(s) && !isInf(prev) && !isInf(x)) throw floatOverflow();
    this.#sums[g] = s;
    this.#has[g] = 1;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const col = args[0]!;
    const data = col.data as Float64Array | Float32Array;
    const v = col.validity;
    for (let i = 0; i < length; i++) if (isValid(v, i)) this.#add(groupIds[i]!, data[i]!);
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#sums.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    for (let g = 0; g < n; g++) if (o.#has[g] === 1) this.#add(groupMap[g]!, o.#sums[g]!);
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const type = this.#single ? Types.float4 : Types.float8;
    const out = this.#single ? new Float32Array(groupCount) : new Float64Array(groupCount);
    for (let g = 0; g < groupCount; g++) out[g] = this.#sums[g]!;
    return makeColumn(type, groupCount, out, validityFromFlags(this.#has, groupCount));
  }
}

/** The resolution of sum(t). */
function resolveSum(types: readonly DataType[]): FunctionResolution | null {
  if (types.length !== 1) return null;
  const t = types[0]!;
  if (t.kind === "int8") return { returns: Types.numeric, argTypes: [t] }; // as PostgreSQL
  if (isInteger(t)) return { returns: Types.int8, argTypes: [t] };
  if (t.kind === "numeric") return { returns: Types.numeric, argTypes: [Types.numeric] };
  if (t.kind === "float4") return { returns: Types.float4, argTypes: [t] };
  if (t.kind === "float8") return { returns: Types.float8, argTypes: [t] };
  return null;
}

/** `sum(int2 | int4 | int8 | float4 | float8)`. */
export const sumAggregate: AggregateFunctionDef = {
  name: "sum",
  resolve: resolveSum,
  createAccumulator(resolution) {
    const r = resolution.returns.kind;
    if (r === "numeric") {
      return resolution.argTypes[0]!.kind === "int8"
        ? new IntSumAccumulator(true)
        : new NumericSumAccumulator(false);
    }
    return r === "int8" ? new IntSumAccumulator(false) : new FloatSumAccumulator(r === "float4");
  },
};
