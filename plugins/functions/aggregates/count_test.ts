import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";

Deno.test("count(*) counts rows, count(x) non-NULL values, empty groups count 0", () => {
  const groups = [0, 0, 1, 1, 1];
  const star = aggregate(fns, "count", [], groups, { groupCount: 3 });
  assert.equal(star.type.kind, "int8");
  assert.deepEqual(star.values, [2n, 3n, 0n]);
  const x = aggregate(fns, "count", [[T.int4, [1, null, null, 2, 3]]], groups, { groupCount: 3 });
  assert.deepEqual(x.values, [1n, 2n, 0n]);
  assert.deepEqual(aggregate(fns, "count", [[T.unknown, [null, null]]], [0, 0]).values, [0n]);
  assert.deepEqual(aggregate(fns, "count", [[T.text, ["a", "b"]]], [0, 0]).values, [2n]);
});

Deno.test("count grows its groups across batches and merges partial states", () => {
  const n = 10_000;
  const groups = Array.from({ length: n }, (_, i) => i % 1000); // group count grows per batch
  const vals = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i));
  const r = aggregate(
    fns,
    "count",
    [[T.int8, vals.map((v) => (v === null ? null : BigInt(v)))]],
    groups,
    {
      batchRows: 7,
    },
  );
  const expected = new Array<bigint>(1000).fill(0n);
  vals.forEach((v, i) => {
    if (v !== null) expected[i % 1000]!++;
  });
  assert.deepEqual(r.values, expected);

  const a = makeAccumulator(fns, "count", []);
  const b = makeAccumulator(fns, "count", []);
  feed(a.acc, a.res, [], [0, 1, 1], 2048);
  feed(b.acc, b.res, [], [0, 0, 0, 1], 2048);
  a.acc.merge(b.acc, Uint32Array.of(2, 0)); // b's group 0 -> a's 2, b's 1 -> a's 0
  assert.deepEqual(values(a.acc.evaluate(3)), [2n, 2n, 3n]);
});
