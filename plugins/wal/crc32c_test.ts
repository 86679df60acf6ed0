import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32c } from "./crc32c.ts";

/** The textbook bit-at-a-time CRC32C, as the reference. */
function crc32cBitwise(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
  }
  return ~c >>> 0;
}

Deno.test("crc32c (slicing-by-8) equals the bitwise definition at every length and split", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(100), (bytes, cut) => {
      const at = Math.min(cut, bytes.length);
      assert.equal(crc32c(bytes), crc32cBitwise(bytes));
      assert.equal(crc32c(bytes.subarray(at), crc32c(bytes.subarray(0, at))), crc32c(bytes));
    }),
  );
  // RFC 3720 test vector: 32 bytes of zeros
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});
