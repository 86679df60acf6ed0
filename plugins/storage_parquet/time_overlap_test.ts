import assert from "node:assert/strict";
import { overlappingSpans, spanOf } from "./time_overlap.ts";

Deno.test("overlappingSpans: disjoint spans need no merging, touching ends do", () => {
  assert.deepEqual(overlappingSpans([]), []);
  assert.deepEqual(overlappingSpans([[0, 5]]), [false]);
  assert.deepEqual(overlappingSpans([[0, 5], [6, 9], [10, 20]]), [false, false, false]);
  // equal end and start: a row at time 5 may be in both
  assert.deepEqual(overlappingSpans([[0, 5], [5, 9]]), [true, true]);
  // a long span overlapping a later short one; the middle one only overlaps the long one
  assert.deepEqual(overlappingSpans([[30, 40], [0, 100], [200, 300], [50, 60]]), [
    true,
    true,
    false,
    true,
  ]);
  // out-of-order input
  assert.deepEqual(overlappingSpans([[10, 20], [0, 9], [15, 16]]), [true, false, true]);
});

Deno.test("overlappingSpans: an unknown span overlaps everything", () => {
  assert.deepEqual(overlappingSpans([[0, 1], null, [5, 6]]), [true, true, true]);
  assert.deepEqual(overlappingSpans([null]), [false]);
});

Deno.test("overlappingSpans agrees with the pairwise definition on random spans", () => {
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 500; round++) {
    const spans = Array.from({ length: 1 + rand(8) }, () => {
      const a = rand(50);
      return [a, a + rand(10)] as const;
    });
    const expected = spans.map((s, i) =>
      spans.some((o, j) => j !== i && o[0] <= s[1] && s[0] <= o[1])
    );
    assert.deepEqual(overlappingSpans(spans), expected, JSON.stringify(spans));
  }
});

Deno.test("spanOf", () => {
  assert.deepEqual(spanOf(new Float64Array([3, 1, 2]), 3), [1, 3]);
  assert.deepEqual(spanOf(new Float64Array([3, 1, 2]), 1), [3, 3]);
  assert.deepEqual(spanOf([], 0), null);
});
