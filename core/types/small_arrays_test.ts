import assert from "node:assert/strict";
import { ownedBuffer, slabBytes, smallArrayBytesMax, smallCopy, smallU8 } from "./small_arrays.ts";

Deno.test("small arrays are zeroed, independent views; large ones are allocated whole", () => {
  const arrays = Array.from({ length: 3 * slabBytes / 8 }, (_, i) => smallU8(1 + (i % 7)));
  for (const a of arrays) assert.ok(a.every((x) => x === 0), "zero-filled");
  arrays.forEach((a, i) => a.fill(i & 0xff));
  arrays.forEach((a, i) =>
    assert.ok(a.every((x) => x === (i & 0xff)), `array ${i} kept its bytes`)
  );
  const src = Uint8Array.of(1, 2, 3, 4);
  const copy = smallCopy(src.subarray(1, 3));
  src.fill(0);
  assert.deepEqual([...copy], [2, 3], "a copy, not a view");
  assert.equal(smallCopy(new Uint8Array(smallArrayBytesMax + 1)).byteOffset, 0);
  const big = smallU8(smallArrayBytesMax + 1);
  assert.notEqual(ownedBuffer(big), null, "a large array owns its buffer");
  assert.equal(ownedBuffer(smallU8(4)), null, "a carved one shares its slab");
  assert.equal(ownedBuffer(new Uint8Array(8).subarray(2)), null);
});

Deno.test("a carved array moved to a worker is copied, not transferred", () => {
  const a = smallU8(2);
  const neighbour = smallU8(2);
  neighbour[0] = 42;
  a[1] = 7;
  const transfer = [a, neighbour].map(ownedBuffer).filter((b) => b !== null) as ArrayBuffer[];
  const copy = structuredClone({ a }, { transfer });
  assert.equal(copy.a[1], 7);
  assert.equal(neighbour[0], 42, "the neighbour on the same slab is intact");
  assert.equal(a.length, 2, "the original is not detached");
  // a slab someone transferred anyway is replaced, not carved further
  const b = smallU8(2);
  structuredClone(b, { transfer: [b.buffer as ArrayBuffer] });
  assert.equal(b.length, 0, "(what ownedBuffer prevents)");
  const c = smallU8(2);
  c[1] = 5;
  assert.equal(c[1], 5);
});
