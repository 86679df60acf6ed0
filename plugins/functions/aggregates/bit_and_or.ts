/**
 * `bit_and(n)`, `bit_or(n)` and `bit_xor(n)` over smallint, integer and bigint -> the input's
 * type, as in PostgreSQL 14+: NULLs are skipped and an empty group gives NULL.
 *
 * @module
 */
import type { Accumulator, AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../../core/types/column.ts";
import { type DataType, Types } from "../../../core/types/data_type.ts";
import {
  growArray,
  growKindData,
  grownCapacity,
  type KindData,
  mergeTargetCount,
  sameAccumulator,
  validityFromFlags,
} from "./_groups.ts";

/** The bitwise operation an accumulator folds with. */
export type BitOp = "and" | "or" | "xor";

function fold32(op: BitOp, x: number, y: number): number {
  return op === "and" ? x & y : op === "or" ? x | y : x ^ y;
}

function fold64(op: BitOp, x: bigint, y: bigint): bigint {
  return op === "and" ? x & y : op === "or" ? x | y : x ^ y;
}

/** The bitwise AND, OR or XOR of each group's integers. */
export class BitAccumulator implements Accumulator {
  readonly #type: DataType;
  readonly #op: BitOp;
  #values: KindData | null = null;
  #has = new Uint8Array(0);

  constructor(type: DataType, op: BitOp) {
    this.#type = type;
    this.#op = op;
  }

  #ensure(groupCount: number): void {
    if (this.#has.length >= groupCount && this.#values !== null) return;
    const cap = grownCapacity(this.#has.length, groupCount);
    this.#values = growKindData(this.#type.kind, this.#values, cap);
    this.#has = growArray(this.#has, cap);
  }

  #add(g: number, x: number | bigint): void {
    const vs = this.#values as unknown as (number | bigint)[];
    if (this.#has[g] === 0) {
      vs[g] = x;
      this.#has[g] = 1;
    } else if (typeof x === "bigint") vs[g] = fold64(this.#op, vs[g] as bigint, x);
    else vs[g] = fold32(this.#op, vs[g] as number, x);
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const col = args[0]!;
    const data = col.data as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < length; i++) {
      if (isValid(col.validity, i)) this.#add(groupIds[i]!, data[i]!);
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    const vs = o.#values as unknown as ArrayLike<number | bigint>;
    for (let g = 0; g < n; g++) if (o.#has[g] === 1) this.#add(groupMap[g]!, vs[g]!);
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const out = this.#values!.slice(0, groupCount);
    return makeColumn(this.#type, groupCount, out, validityFromFlags(this.#has, groupCount));
  }
}

function bitAggregate(op: BitOp): AggregateFunctionDef {
  return {
    name: `bit_${op}`,
    resolve(types) {
      if (types.length !== 1) return null;
      const t = types[0]!.kind === "unknown" ? Types.int4 : types[0]!;
      if (t.kind !== "int2" && t.kind !== "int4" && t.kind !== "int8") return null;
      return { returns: t, argTypes: [t] };
    },
    createAccumulator: (r) => new BitAccumulator(r.argTypes[0]!, op),
  };
}

/** bit_and, bit_or, bit_xor. */
export const bitAggregates: readonly AggregateFunctionDef[] = [
  bitAggregate("and"),
  bitAggregate("or"),
  bitAggregate("xor"),
];
