import assert from "node:assert/strict";
import {
  ownedBuffer,
  slabBytes,
  smallArrayBytesMax,
  smallF64,
  smallI64,
  smallU32,
  smallU8,
} from "./small_arrays.ts";

Deno.test("small arrays are zeroed, independent views; large ones are allocated whole", () => {
  const arrays = Array.from({ length: 3 * slabBytes / 8 }, (_, i) => smallU8(1 + (i % 7)));
  for (const a of arrays) assert.ok(a.every((x) => x === 0), "zero-filled");
  arrays.forEach((a, i) => a.fill(i & 0xff));
  arrays.forEach((a, i) =>
    assert.ok(a.every((x) => x === (i & 0xff)), `array ${i} kept its bytes`)
  );
  const f = smallF64(3);
  const g = smallI64(2);
  const u = smallU32(5);
  assert.equal(f.byteOffset % 8, 0);
  assert.equal(g.byteOffset % 8, 0);
  f[2] = 1.5;
  g[1] = -7n;
  u[4] = 9;
  assert.deepEqual([...f, ...g, ...u], [0, 0, 1.5, 0n, -7n, 0, 0, 0, 0, 9]);
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
