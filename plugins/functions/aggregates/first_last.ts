/**
 * TimescaleDB's `first(value, time)` and `last(value, time)`: the value on the row with the
 * smallest (first) or largest (last) `time` in the group, of the value's type. As in
 * TimescaleDB, a NULL value is a legitimate answer (it is not skipped), rows whose `time` is
 * NULL lose to any row with a time, and ties keep the row seen first. An empty group gives NULL.
 *
 * The one-argument forms `first(value)` and `last(value)` (DuckDB's) give the value on the first
 * or last row in input order (the aggregate's own `ORDER BY` when it has one), NULL included.
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
import { after, before, isOrderable, type Scalar } from "./_compare.ts";

/** The bookend value per group. */
export class BookendAccumulator implements Accumulator {
  readonly #valueType: DataType;
  readonly #cmpType: DataType;
  readonly #better: (x: Scalar, y: Scalar) => boolean;
  #values: KindData | null = null;
  #valueValid = new Uint8Array(0);
  #cmps: KindData | null = null;
  #cmpValid = new Uint8Array(0);
  #has = new Uint8Array(0);

  constructor(valueType: DataType, cmpType: DataType, isLast: boolean) {
    this.#valueType = valueType;
    this.#cmpType = cmpType;
    this.#better = isLast ? after : before;
  }

  #ensure(groupCount: number): void {
    if (this.#has.length >= groupCount && this.#values !== null) return;
    const cap = grownCapacity(this.#has.length, groupCount);
    this.#values = growKindData(this.#valueType.kind, this.#values, cap);
    this.#cmps = growKindData(this.#cmpType.kind, this.#cmps, cap);
    this.#valueValid = growArray(this.#valueValid, cap);
    this.#cmpValid = growArray(this.#cmpValid, cap);
    this.#has = growArray(this.#has, cap);
  }

  /** Takes (value, cmp) for group g if it beats the current one. */
  #offer(
    g: number,
    value: Scalar,
    valueValid: boolean,
    cmp: Scalar,
    cmpValid: boolean,
  ): void {
    if (this.#has[g] === 1) {
      if (!cmpValid) return;
      if (this.#cmpValid[g] === 1 && !this.#better(cmp, (this.#cmps as Scalar[])[g]!)) return;
    }
    (this.#values as Scalar[])[g] = value;
    this.#valueValid[g] = valueValid ? 1 : 0;
    (this.#cmps as Scalar[])[g] = cmp;
    this.#cmpValid[g] = cmpValid ? 1 : 0;
    this.#has[g] = 1;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const value = args[0]!;
    const cmp = args[1]!;
    const vs = value.data as unknown as ArrayLike<Scalar> | null;
    const cs = cmp.data as unknown as ArrayLike<Scalar>;
    for (let i = 0; i < length; i++) {
      const vv = isValid(value.validity, i) && vs !== null;
      this.#offer(groupIds[i]!, vv ? vs[i]! : 0, vv, cs[i]!, isValid(cmp.validity, i));
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    const vs = o.#values as unknown as Scalar[];
    const cs = o.#cmps as unknown as Scalar[];
    for (let g = 0; g < n; g++) {
      if (o.#has[g] !== 1) continue;
      this.#offer(groupMap[g]!, vs[g]!, o.#valueValid[g] === 1, cs[g]!, o.#cmpValid[g] === 1);
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const data = this.#values!.slice(0, groupCount);
    const flags = this.#has.slice(0, groupCount);
    for (let g = 0; g < groupCount; g++) flags[g] = flags[g]! & this.#valueValid[g]!;
    return makeColumn(this.#valueType, groupCount, data, validityFromFlags(flags, groupCount));
  }
}

/** The value on the first or last row fed to each group, in input order, NULL included. */
export class InputOrderAccumulator implements Accumulator {
  readonly #type: DataType;
  readonly #isLast: boolean;
  #values: KindData | null = null;
  #valid = new Uint8Array(0);
  #has = new Uint8Array(0);

  constructor(type: DataType, isLast: boolean) {
    this.#type = type;
    this.#isLast = isLast;
  }

  #ensure(groupCount: number): void {
    if (this.#has.length >= groupCount && this.#values !== null) return;
    const cap = grownCapacity(this.#has.length, groupCount);
    this.#values = growKindData(this.#type.kind, this.#values, cap);
    this.#valid = growArray(this.#valid, cap);
    this.#has = growArray(this.#has, cap);
  }

  #offer(g: number, value: Scalar, valid: boolean): void {
    if (!this.#isLast && this.#has[g] === 1) return;
    (this.#values as Scalar[])[g] = value;
    this.#valid[g] = valid ? 1 : 0;
    this.#has[g] = 1;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.#ensure(groupCount);
    const value = args[0]!;
    const vs = value.data as unknown as ArrayLike<Scalar> | null;
    for (let i = 0; i < length; i++) {
      const ok = isValid(value.validity, i) && vs !== null;
      this.#offer(groupIds[i]!, ok ? vs[i]! : 0, ok);
    }
  }

  /** `other` holds rows that come after this accumulator's rows. */
  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    this.#ensure(mergeTargetCount(groupMap, n));
    const vs = o.#values as unknown as Scalar[];
    for (let g = 0; g < n; g++) {
      if (o.#has[g] === 1) this.#offer(groupMap[g]!, vs[g]!, o.#valid[g] === 1);
    }
  }

  evaluate(groupCount: number): Column {
    this.#ensure(groupCount);
    const data = this.#values!.slice(0, groupCount);
    const flags = this.#has.slice(0, groupCount);
    for (let g = 0; g < groupCount; g++) flags[g] = flags[g]! & this.#valid[g]!;
    return makeColumn(this.#type, groupCount, data, validityFromFlags(flags, groupCount));
  }
}

function bookendAggregate(name: "first" | "last"): AggregateFunctionDef {
  return {
    name,
    resolve(types) {
      if (types.length === 1) {
        const value = types[0]!.kind === "unknown" ? Types.text : types[0]!;
        return { returns: value, argTypes: [value] };
      }
      if (types.length !== 2) return null;
      const value = types[0]!.kind === "unknown" ? Types.text : types[0]!;
      const cmp = types[1]!.kind === "unknown" ? Types.text : types[1]!;
      if (!isOrderable(cmp)) return null;
      return { returns: value, argTypes: [value, cmp] };
    },
    createAccumulator: (r) =>
      r.argTypes.length === 1
        ? new InputOrderAccumulator(r.argTypes[0]!, name === "last")
        : new BookendAccumulator(r.argTypes[0]!, r.argTypes[1]!, name === "last"),
  };
}

/** `first(value [, time])` and `last(value [, time])`. */
export const bookendAggregates: readonly AggregateFunctionDef[] = [
  bookendAggregate("first"),
  bookendAggregate("last"),
];
