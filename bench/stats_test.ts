import assert from "node:assert/strict";
import { median, nearestRank, summarize } from "./stats.ts";

Deno.test("median of odd and even counts", () => {
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
});

Deno.test("nearest-rank percentile", () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(nearestRank(values, 0.95), 95);
  assert.equal(nearestRank(values, 0.5), 50);
  assert.equal(nearestRank([7], 0.95), 7);
  assert.equal(nearestRank([1, 2, 3], 0.95), 3);
});

Deno.test("summarize keeps samples in run order", () => {
  const s = summarize([30, 10, 20]);
  assert.deepEqual(s.samplesMs, [30, 10, 20]);
  assert.equal(s.minMs, 10);
  assert.equal(s.maxMs, 30);
  assert.equal(s.medianMs, 20);
  assert.equal(s.meanMs, 20);
  assert.equal(s.p95Ms, 30);
});
