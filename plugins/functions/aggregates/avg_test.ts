import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, assertCode, feed, makeAccumulator, values } from "../_test_util.ts";

Deno.test("avg of integers is an exact NUMERIC as in PostgreSQL; NULLs skipped; empty is NULL", () => {
  const r = aggregate(fns, "avg", [[T.int4, [1, 2, null, 7]]], [0, 0, 0, 1], { groupCount: 3 });
  assert.equal(r.type.kind, "numeric");
  assert.deepEqual(r.values, ["1.5000000000000000", "7.0000000000000000", null]);
  const m = 9223372036854775807n;
  assert.deepEqual(aggregate(fns, "avg", [[T.int8, [m, m]]], [0, 0]).values, [
    "9223372036854775807",
  ]);
  assert.deepEqual(aggregate(fns, "avg", [[T.int2, [1, 2]]], [0, 0]).values, [
    "1.5000000000000000",
  ]);
  assert.deepEqual(aggregate(fns, "avg", [[T.numeric, ["1.5", "2.25"]]], [0, 0]).values, [
    "1.8750000000000000",
  ]);
});

Deno.test("avg of floats matches PostgreSQL's float8_accum, including overflow 22003", () => {
  assert.deepEqual(aggregate(fns, "avg", [[T.float8, [0.1, 0.2, 0.3]]], [0, 0, 0]).values, [
    (0.1 + 0.2 + 0.3) / 3,
  ]);
  assert.deepEqual(aggregate(fns, "avg", [[T.float4, [1.5, 2.5]]], [0, 0]).values, [2]);
  // PostgreSQL: avg(x) over (1e200, -1e200) raises "value out of range: overflow".
  assertCode(() => aggregate(fns, "avg", [[T.float8, [1e200, -1e200]]], [0, 0]), "22003");
  const inf = aggregate(fns, "avg", [[T.float8, [Infinity, 1]]], [0, 0]).values;
  assert.deepEqual(inf, [Infinity]);
  assert.equal(fns.find((f) => f.name === "avg")!.resolve([T.text]), null);
});

Deno.test("avg merges partial states", () => {
  for (const type of [T.int4, T.float8]) {
    const a = makeAccumulator(fns, "avg", [type]);
    const b = makeAccumulator(fns, "avg", [type]);
    feed(a.acc, a.res, [[type, [1, 2]]], [0, 0], 2048);
    feed(b.acc, b.res, [[type, [6, 5]]], [0, 1], 2048);
    a.acc.merge(b.acc, Uint32Array.of(0, 1));
    const want = type.kind === "int4" ? ["3.0000000000000000", "5.0000000000000000"] : [3, 5];
    assert.deepEqual(values(a.acc.evaluate(2)), want);
  }
});
