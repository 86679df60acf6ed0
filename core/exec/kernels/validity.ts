/**
 * Validity bitmap helpers for kernels.
 *
 * @module
 */
import { validityBytes } from "../../types/column.ts";

/** The AND of two validity bitmaps (`null` = all valid). */
export function andValidity(
  a: Uint8Array | null,
  b: Uint8Array | null,
  length: number,
): Uint8Array | null {
  if (a === null) return b === null ? null : b.slice(0, validityBytes(length));
  if (b === null) return a.slice(0, validityBytes(length));
  const n = validityBytes(length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}
