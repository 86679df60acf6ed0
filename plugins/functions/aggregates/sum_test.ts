import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";
import { assertCode } from "../_test_util.ts";

Deno.test("sum over int2/int4 returns int8, exact beyond 2^53", () => {
  const r = aggregate(fns, "sum", [[T.int4, [1, 2, null, 4, null]]], [0, 0, 0, 1, 2]);
  assert.equal(r.type.kind, "int8");
  assert.deepEqual(r.values, [3n, 4n, null]);
  assert.equal(aggregate(fns, "sum", [[T.int2, [-5, 7]]], [0, 0]).values[0], 2n);
  // 2^22 rows of int4 max overflow a float64 sum's exactness; the bigint carry keeps it exact.
  const n = 1 << 22;
  const big = new Array<number>(n).fill(2147483647);
  big[0] = 2147483646;
  const sum = aggregate(fns, "sum", [[T.int4, big]], new Array<number>(n).fill(0));
  assert.equal(sum.values[0], 2147483647n * BigInt(n) - 1n);
});

Deno.test("sum over int8 is an exact NUMERIC (PostgreSQL), never overflowing", () => {
  const max = 9223372036854775807n;
  const r = aggregate(fns, "sum", [[T.int8, [max, 1n, -2n, 5n, null]]], [0, 0, 0, 1, 1]);
  assert.equal(r.type.kind, "numeric");
  assert.deepEqual(r.values, [String(max - 1n), "5"]);
  assert.deepEqual(aggregate(fns, "sum", [[T.int8, [max, 1n]]], [0, 0]).values, [String(max + 1n)]);
  assert.deepEqual(aggregate(fns, "sum", [[T.numeric, ["1.5", "2.25", null]]], [0, 0, 0]).values, [
    "3.75",
  ]);
});

Deno.test("sum over floats: float8 -> float8, float4 -> float4 rounding per step", () => {
  const r = aggregate(fns, "sum", [[T.float8, [0.5, 0.25, null, NaN]]], [0, 0, 0, 1]);
  assert.equal(r.type.kind, "float8");
  assert.equal(r.values[0], 0.75);
  assert.ok(Number.isNaN(r.values[1]));
  const f4 = aggregate(fns, "sum", [[T.float4, [1.5, 2.25, 0.1]]], [0, 0, 0]);
  assert.equal(f4.type.kind, "float4");
  assert.equal(f4.values[0], Math.fround(Math.fround(3.75) + Math.fround(0.1)));
  assertCode(() => aggregate(fns, "sum", [[T.float8, [1e308, 1e308]]], [0, 0]), "22003");
  assert.deepEqual(
    aggregate(fns, "sum", [[T.float8, [Infinity, 1]]], [0, 0]).values,
    [Infinity],
  );
  assert.equal(fns.find((f) => f.name === "sum")!.resolve([T.text]), null);
  assert.equal(fns.find((f) => f.name === "sum")!.resolve([T.unknown]), null);
});

Deno.test("sum merges partial states, including carried bigints", () => {
  for (const type of [T.int4, T.int8, T.float8]) {
    const mk = (v: number) => (type.kind === "int8" ? BigInt(v) : v);
    const a = makeAccumulator(fns, "sum", [type]);
    const b = makeAccumulator(fns, "sum", [type]);
    feed(a.acc, a.res, [[type, [mk(1), mk(2)]]], [0, 1], 2048);
    feed(b.acc, b.res, [[type, [mk(10), mk(20), null]]], [0, 1, 2], 2048);
    a.acc.merge(b.acc, Uint32Array.of(1, 3, 2));
    const out = values(a.acc.evaluate(4)).map((v) => (v === null ? null : Number(v)));
    assert.deepEqual(out, [1, 12, null, 20], type.kind);
  }
  const big = 2n ** 60n;
  const a = makeAccumulator(fns, "sum", [T.int8]);
  const b = makeAccumulator(fns, "sum", [T.int8]);
  feed(a.acc, a.res, [[T.int8, [big]]], [0], 2048);
  feed(b.acc, b.res, [[T.int8, [big, 3n]]], [0, 0], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  assert.deepEqual(values(a.acc.evaluate(1)), [String(2n * big + 3n)]);
});
