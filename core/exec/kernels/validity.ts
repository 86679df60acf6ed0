/**
 * Validity bitmap helpers for kernels.
 *
 * @module
 */
import { validityBytes } from "../../types/column.ts";
import { smallU8 } from "../../types/small_arrays.ts";

/** The AND of two validity bitmaps (`null` = all valid). */
export function andValidity(
  a: Uint8Array | null,
  b: Uint8Array | null,
  length: number,
): Uint8Array | null {
  const n = validityBytes(length);
  if (a === null && b === null) return null;
  const out = smallU8(n);
  if (a === null) out.set(b!.subarray(0, n));
  else if (b === null) out.set(a.subarray(0, n));
  else for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}
