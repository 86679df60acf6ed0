/**
 * `min(x)` and `max(x)` for every orderable type (numbers, text, bool, date, timestamp,
 * timestamptz, interval by its span with 30-day months), returning the input type (varchar becomes text, as in PostgreSQL). NaN is the
 * largest float, text compares by code unit. NULLs are skipped; an empty group gives NULL.
 * `min`/`max` over booleans is an extension (PostgreSQL has only bool_and/bool_or).
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
import {
  after,
  afterInterval,
  afterNumeric,
  before,
  beforeInterval,
  beforeNumeric,
  isOrderable,
  type Scalar,
} from "./_compare.ts";

/** Minimum or maximum per group. */
export class MinMaxAccumulator implements Accumulator {
  readonly #type: DataType;
  readonly #better: (x: Scalar, y: Scalar) => boolean;
  #data: KindData | null = null;
  #has = new Uint8Array(0);

  constructor(type: DataType, isMax: boolean) {
    this.#type = type;
    this.#better = type.kind === "numeric"
      ? (isMax ? afterNumeric : beforeNumeric)
      : type.kind === "interval"
      ? (isMax ? afterInterval : beforeInterval)
      : (isMax ? after : before);
  }

  #ensure(groupCount: number): KindData {
    if (this.#data === null || this.#data.length < groupCount) {
      const cap = grownCapacity(this.#has.length, groupCount);
      this.#data = growKindData(this.#type.kind, this.#data, cap);
      this.#has = growArray(this.#has, cap);
    }
    return this.#data;
  }

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    const dst = this.#ensure(groupCount) as unknown as Scalar[];
    const col = args[0]!;
    const src = col.data as unknown as ArrayLike<Scalar>;
    const v = col.validity;
    const has = this.#has;
    const better = this.#better;
    for (let i = 0; i < length; i++) {
      if (!isValid(v, i)) continue;
      const g = groupIds[i]!;
      const x = src[i]!;
      if (has[g] === 0) {
        dst[g] = x;
        has[g] = 1;
      } else if (better(x, dst[g]!)) dst[g] = x;
    }
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.#has.length);
    const dst = this.#ensure(mergeTargetCount(groupMap, n)) as unknown as Scalar[];
    const src = o.#data as unknown as Scalar[];
    for (let g = 0; g < n; g++) {
      if (o.#has[g] !== 1) continue;
      const t = groupMap[g]!;
      if (this.#has[t] !== 1 || this.#better(src[g]!, dst[t]!)) {
        dst[t] = src[g]!;
        this.#has[t] = 1;
      }
    }
  }

  evaluate(groupCount: number): Column {
    const data = this.#ensure(groupCount).slice(0, groupCount);
    return makeColumn(this.#type, groupCount, data, validityFromFlags(this.#has, groupCount));
  }
}

function minMaxAggregate(name: "min" | "max"): AggregateFunctionDef {
  return {
    name,
    sortOperator: name === "min" ? "lt" : "gt",
    resolve(types) {
      if (types.length !== 1) return null;
      const t = types[0]!;
      if (t.kind === "unknown" || t.kind === "varchar") {
        return { returns: Types.text, argTypes: [Types.text] };
      }
      return isOrderable(t) || t.kind === "interval" ? { returns: t, argTypes: [t] } : null;
    },
    createAccumulator: (resolution) => new MinMaxAccumulator(resolution.returns, name === "max"),
  };
}

/** `min(x)` and `max(x)`. */
export const minMaxAggregates: readonly AggregateFunctionDef[] = [
  minMaxAggregate("min"),
  minMaxAggregate("max"),
];
