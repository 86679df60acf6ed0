/**
 * CRC32C (Castagnoli), slicing-by-8: eight 256-entry tables let the loop fold 8 bytes per step
 * (about 4x faster than one table, byte by byte, in V8).
 *
 * @module
 */

/** `TABLES[k * 256 + i]`: table k of slicing-by-8 (table 0 is the classic byte table). */
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    for (let k = 1; k < 8; k++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/**
 * The CRC32C of `bytes` (continuing from `seed`, the CRC of earlier bytes).
 *
 * @example
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * const text = new TextEncoder().encode("123456789");
 * console.assert(crc32c(text) === 0xe3069283);
 * console.assert(crc32c(text.subarray(4), crc32c(text.subarray(0, 4))) === 0xe3069283);
 * ```
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  const t = TABLES;
  let c = ~seed >>> 0;
  let i = 0;
  const end8 = bytes.length - (bytes.length & 7);
  for (; i < end8; i += 8) {
    c ^= bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    c = t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
      t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^
      t[bytes[i + 7]!]!;
  }
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
