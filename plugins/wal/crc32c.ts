/**
 * CRC32C (Castagnoli), table-driven.
 *
 * @module
 */

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/**
 * The CRC32C of `bytes`.
 *
 * @example
 * ```ts
 * import { crc32c } from "./crc32c.ts";
 * console.assert(crc32c(new TextEncoder().encode("123456789")) === 0xe3069283);
 * ```
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  let c = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
