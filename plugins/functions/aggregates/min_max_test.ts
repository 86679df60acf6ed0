import assert from "node:assert/strict";
import { type DataType, Types as T } from "../../../core/types/data_type.ts";
import type { Value } from "../../../core/types/column.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";

const cases: [DataType, Value[], Value, Value][] = [
  [T.int2, [3, -7, null, 5], -7, 5],
  [T.int4, [3, -7, null, 5], -7, 5],
  [T.int8, [3n, -(2n ** 63n), null, 2n ** 62n], -(2n ** 63n), 2n ** 62n],
  [T.float4, [1.5, -0.25, null], -0.25, 1.5],
  [T.float8, [1.5, NaN, -3, null], -3, NaN],
  [T.text, ["b", "a", null, "ab", "B"], "B", "b"],
  [T.bool, [true, false, null], false, true],
  [T.date, [18000, -5, null], -5, 18000],
  [T.timestamp, [1.7e15, 0, null], 0, 1.7e15],
  [T.timestamptz, [1.7e15, 1.6e15], 1.6e15, 1.7e15],
];

Deno.test("min and max for every orderable type return the input type", () => {
  for (const [type, vals, min, max] of cases) {
    const groups = vals.map(() => 0);
    const lo = aggregate(fns, "min", [[type, vals]], groups, { groupCount: 2 });
    const hi = aggregate(fns, "max", [[type, vals]], groups, { groupCount: 2 });
    assert.equal(lo.type.kind, type.kind);
    assert.deepEqual(lo.values, [min, null], `min ${type.kind}`);
    assert.deepEqual(hi.values, [max, null], `max ${type.kind}`);
  }
});

Deno.test("min and max: varchar and untyped become text; all-NULL groups are NULL", () => {
  const r = aggregate(fns, "max", [[T.varchar, ["x", "y"]]], [0, 0]);
  assert.equal(r.type.kind, "text");
  assert.deepEqual(r.values, ["y"]);
  assert.equal(fns.find((f) => f.name === "min")!.resolve([T.unknown])!.returns.kind, "text");
  assert.deepEqual(aggregate(fns, "min", [[T.int4, [null, null, 4]]], [0, 0, 1]).values, [
    null,
    4,
  ]);
  assert.deepEqual(
    aggregate(fns, "min", [[T.float8, [NaN, NaN]]], [0, 0]).values,
    [NaN],
  );
});

Deno.test("min and max over many groups across batches, and merge", () => {
  const n = 5000;
  const vals = Array.from({ length: n }, (_, i) => (i * 7919) % 10007);
  const groups = vals.map((_, i) => i % 97);
  const r = aggregate(fns, "max", [[T.int4, vals]], groups, { batchRows: 100 });
  const expected = new Array<number>(97).fill(-1);
  vals.forEach((v, i) => (expected[i % 97] = Math.max(expected[i % 97]!, v)));
  assert.deepEqual(r.values, expected);

  const a = makeAccumulator(fns, "min", [T.text]);
  const b = makeAccumulator(fns, "min", [T.text]);
  feed(a.acc, a.res, [[T.text, ["m", "z"]]], [0, 1], 2048);
  feed(b.acc, b.res, [[T.text, ["a", "q", null]]], [0, 1, 2], 2048);
  a.acc.merge(b.acc, Uint32Array.of(1, 0, 2));
  assert.deepEqual(values(a.acc.evaluate(3)), ["m", "a", null]);
});
