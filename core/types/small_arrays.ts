/**
 * Small typed arrays, carved out of shared slabs. Deno 2.9 gives every `new Uint8Array(n)` its
 * own backing store outside the JavaScript heap: about 300 ns each, ten times Node's on-heap
 * small arrays (measured: a one-element Uint8Array 250-380 ns, a view on an existing buffer 22-27
 * ns). A short query (a point lookup, one-row batches) makes dozens of one-row columns, validity
 * bitmaps and selections; carving them from a slab makes each a cheap view.
 *
 * A carved array is zero-filled like a new one (slabs are fresh and no region is handed out
 * twice) and keeps its slab alive while it lives, so only arrays up to
 * {@link smallArrayBytesMax} are carved, from slabs of {@link slabBytes}: a long-lived small
 * array pins at most one slab.
 *
 * @example
 * ```ts
 * import { smallU8 } from "./small_arrays.ts";
 * const a = smallU8(3);
 * console.assert(a.length === 3 && a[0] === 0);
 * ```
 *
 * @module
 */

/** Typed arrays of at most this many bytes are carved from a slab; larger ones are allocated. */
export const smallArrayBytesMax = 256;

/** Bytes per slab. */
export const slabBytes = 16 * 1024;

let slab = new ArrayBuffer(slabBytes);
let at = 0;

/** `bytes` (at most {@link smallArrayBytesMax}) of fresh zeroed memory: the slab and offset. */
function carve(bytes: number): number {
  // 8-byte alignment serves every element size
  const size = (bytes + 7) & ~7;
  // (a slab transferred to a Worker by mistake is detached: its length reads 0)
  if (at + size > slabBytes || slab.byteLength === 0) {
    slab = new ArrayBuffer(slabBytes);
    at = 0;
  }
  const offset = at;
  at += size;
  return offset;
}

/** A zeroed Uint8Array of `n` elements. */
export function smallU8(n: number): Uint8Array {
  if (n > smallArrayBytesMax) return new Uint8Array(n);
  const offset = carve(n);
  return new Uint8Array(slab, offset, n);
}

/**
 * A copy of `bytes` (like `slice()`), carved from a slab when it is small.
 *
 * @example
 * ```ts
 * import { smallCopy } from "./small_arrays.ts";
 * const src = Uint8Array.of(1, 2, 3);
 * const c = smallCopy(src.subarray(1));
 * src[1] = 9;
 * console.assert(c[0] === 2 && c.length === 2);
 * ```
 */
export function smallCopy(bytes: Uint8Array): Uint8Array {
  if (bytes.length > smallArrayBytesMax) return bytes.slice();
  const out = smallU8(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * The buffer `a` alone spans, which may be transferred to a Worker with it; `null` for a view
 * on a shared buffer (a carved small array, a slice), which must be copied instead.
 *
 * @example
 * ```ts
 * import { ownedBuffer, smallU8 } from "./small_arrays.ts";
 * console.assert(ownedBuffer(new Uint8Array(4)) !== null);
 * console.assert(ownedBuffer(smallU8(4)) === null);
 * ```
 */
export function ownedBuffer(a: ArrayBufferView): ArrayBuffer | null {
  const b = a.buffer;
  if (!(b instanceof ArrayBuffer)) return null;
  return a.byteOffset === 0 && a.byteLength === b.byteLength ? b : null;
}
