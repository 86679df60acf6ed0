/**
 * Per-group state storage for accumulators: typed arrays indexed by group id that grow
 * geometrically as the group count grows between `update` calls. Private to the aggregates.
 *
 * @module
 */
import { AssertionError } from "../../../core/errors.ts";
import type { Accumulator } from "../../../core/plugin/functions.ts";
import type { TypeKind } from "../../../core/types/data_type.ts";
import { allocData, type ColumnDataByKind } from "../../../core/types/column.ts";

/** Initial per-group capacity of an accumulator. */
export const groupCapacityInitial = 16;

/** The capacity to grow to so that `needed` groups fit: at least double the current one. */
export function grownCapacity(current: number, needed: number): number {
  let c = Math.max(current, groupCapacityInitial);
  while (c < needed) c *= 2;
  return c;
}

/** A typed array grown to `capacity`, keeping its contents (new slots are zero). */
export function growArray<T extends Float64Array | Uint8Array | BigInt64Array>(
  old: T,
  capacity: number,
): T {
  if (old.length >= capacity) return old;
  const next = new (old.constructor as new (n: number) => T)(capacity);
  next.set(old as never);
  return next;
}

/** Storage for one value per group, in the column layout of a type kind. */
export type KindData = Exclude<ColumnDataByKind[TypeKind], null>;

/** Value storage of `kind` grown to `capacity`, keeping its contents. */
export function growKindData(kind: TypeKind, old: KindData | null, capacity: number): KindData {
  if (old !== null && old.length >= capacity) return old;
  const next = allocData(kind, capacity) as KindData | null;
  if (next === null) throw new AssertionError(`no storage for kind ${kind}`);
  if (old !== null) {
    if (Array.isArray(next)) {
      const src = old as string[];
      for (let i = 0; i < src.length; i++) next[i] = src[i]!;
    } else (next as Float64Array).set(old as Float64Array);
  }
  return next;
}

/** The largest target group in a merge map plus one (the capacity a merge needs). */
export function mergeTargetCount(groupMap: Uint32Array, count: number): number {
  let max = 0;
  for (let g = 0; g < count; g++) if (groupMap[g]! + 1 > max) max = groupMap[g]! + 1;
  return max;
}

/** Checks that a merge partner is an accumulator of the same class. */
export function sameAccumulator<T extends Accumulator>(
  self: T,
  other: Accumulator,
): T {
  if (other.constructor !== self.constructor) {
    throw new AssertionError(
      `cannot merge ${other.constructor.name} into ${self.constructor.name}`,
    );
  }
  return other as T;
}

/** A validity bitmap for `groupCount` groups from a per-group "has a value" byte array. */
export function validityFromFlags(flags: Uint8Array, groupCount: number): Uint8Array | null {
  let all = true;
  for (let g = 0; g < groupCount; g++) {
    if (flags[g] !== 1) {
      all = false;
      break;
    }
  }
  if (all) return null;
  const v = new Uint8Array((groupCount + 7) >>> 3);
  for (let g = 0; g < groupCount; g++) if (flags[g] === 1) v[g >>> 3]! |= 1 << (g & 7);
  return v;
}
