/**
 * Exact per-group sums of integers (int2, int4, int8) for `sum` and `avg`. Values accumulate in
 * a Float64Array while the running sum stays within +-2^52 (exact); larger partial sums move into
 * a bigint per group, so the total is exact over any number of rows.
 *
 * @module
 */
import { DbError, SqlState } from "../../../core/errors.ts";
import { type Column, isValid } from "../../../core/types/column.ts";
import type { Accumulator } from "../../../core/plugin/functions.ts";
import { growArray, grownCapacity, mergeTargetCount, sameAccumulator } from "./_groups.ts";

/** Largest magnitude a float64 partial sum may reach before it is moved into the bigint. */
const exactPartialMax = 2 ** 52;

/** Largest magnitude whose square is exact in a float64 and within {@link exactPartialMax}. */
const squareExactMax = 2 ** 26;

const int8Min = -(2n ** 63n);
const int8Max = 2n ** 63n - 1n;

/** Exact integer sums and value counts per group. */
export class IntSums {
  /** The float64 part of each group's sum (always within +-2^52, so exact). */
  small = new Float64Array(0);
  /** Non-NULL values seen per group. */
  count = new Float64Array(0);
  /** The carried part of each group's sum; allocated on the first carry. */
  big: bigint[] | null = null;

  /** Grows the per-group arrays to hold `groupCount` groups. */
  ensure(groupCount: number): void {
    if (this.small.length >= groupCount) return;
    const cap = grownCapacity(this.small.length, groupCount);
    this.small = growArray(this.small, cap);
    this.count = growArray(this.count, cap);
    if (this.big !== null) { while (this.big.length < cap) this.big.push(0n); }
  }

  #carry(g: number, amount: bigint): void {
    if (this.big === null) this.big = new Array<bigint>(this.small.length).fill(0n);
    this.big[g] = this.big[g]! + amount;
  }

  /** Adds the non-NULL values of an int2/int4/int8 column. */
  add(col: Column, groupIds: Uint32Array, length: number): void {
    const v = col.validity;
    const small = this.small;
    const count = this.count;
    if (col.kind === "int8") {
      const data = col.data;
      for (let i = 0; i < length; i++) {
        if (!isValid(v, i)) continue;
        const g = groupIds[i]!;
        const x = data[i]!;
        const f = Number(x);
        count[g]!++;
        if (f > exactPartialMax || f < -exactPartialMax) {
          this.#carry(g, x);
          continue;
        }
        const s = small[g]! + f;
        if (s > exactPartialMax || s < -exactPartialMax) {
          this.#carry(g, BigInt(s));
          small[g] = 0;
        } else small[g] = s;
      }
      return;
    }
    const data = col.data as Int32Array | Int16Array;
    for (let i = 0; i < length; i++) {
      if (!isValid(v, i)) continue;
      const g = groupIds[i]!;
      count[g]!++;
      const s = small[g]! + data[i]!;
      if (s > exactPartialMax || s < -exactPartialMax) {
        this.#carry(g, BigInt(s));
        small[g] = 0;
      } else small[g] = s;
    }
  }

  /**
   * Adds the squares of the non-NULL values of an int2/int4/int8 column (for the variance
   * family); counts stay as they are (the sums of the values count them).
   */
  addSquares(col: Column, groupIds: Uint32Array, length: number): void {
    const v = col.validity;
    const small = this.small;
    const data = col.data as Int32Array | Int16Array | BigInt64Array;
    for (let i = 0; i < length; i++) {
      if (!isValid(v, i)) continue;
      const g = groupIds[i]!;
      const x = Number(data[i]!);
      if (x > squareExactMax || x < -squareExactMax) {
        const b = BigInt(data[i]!);
        this.#carry(g, b * b);
        continue;
      }
      const s = small[g]! + x * x;
      if (s > exactPartialMax) {
        this.#carry(g, BigInt(s));
        small[g] = 0;
      } else small[g] = s;
    }
  }

  /** Folds `other`'s groups into this one's through `groupMap`. */
  merge(other: IntSums, groupMap: Uint32Array, n: number): void {
    for (let g = 0; g < n; g++) {
      const t = groupMap[g]!;
      this.count[t]! += other.count[g]!;
      const s = this.small[t]! + other.small[g]!;
      if (s > exactPartialMax || s < -exactPartialMax) {
        this.#carry(t, BigInt(s));
        this.small[t] = 0;
      } else this.small[t] = s;
      if (other.big !== null && other.big[g] !== 0n) this.#carry(t, other.big[g]!);
    }
  }

  /** The exact sum of group `g`. */
  total(g: number): bigint {
    const s = BigInt(this.small[g]!);
    return this.big === null ? s : this.big[g]! + s;
  }

  /** The sum of group `g` as a bigint, raising 22003 beyond the int8 range. */
  totalInt8(g: number): bigint {
    const t = this.total(g);
    if (t < int8Min || t > int8Max) {
      throw new DbError(SqlState.numericValueOutOfRange, "bigint out of range");
    }
    return t;
  }

  /** The mean of group `g` (count > 0). */
  mean(g: number): number {
    const n = this.count[g]!;
    if (this.big === null || this.big[g] === 0n) return this.small[g]! / n;
    return Number(this.total(g)) / n;
  }
}

/** The shared update and merge of `sum` and `avg` over integers; subclasses finish a group. */
export abstract class IntSumsAccumulator implements Accumulator {
  protected readonly sums = new IntSums();

  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void {
    this.sums.ensure(groupCount);
    this.sums.add(args[0]!, groupIds, length);
  }

  merge(other: Accumulator, groupMap: Uint32Array): void {
    const o = sameAccumulator(this, other);
    const n = Math.min(groupMap.length, o.sums.count.length);
    this.sums.ensure(mergeTargetCount(groupMap, n));
    this.sums.merge(o.sums, groupMap, n);
  }

  abstract evaluate(groupCount: number): Column;
}
