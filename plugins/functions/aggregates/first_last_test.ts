import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";

const ts = [30, 10, 20, null, 10];
const vals = [3.5, 1.5, 2.5, 9.5, 7.5];

Deno.test("first/last return the value at the smallest/largest time; ties keep the first row", () => {
  const g = ts.map(() => 0);
  const first = aggregate(fns, "first", [[T.float8, vals], [T.timestamptz, ts]], g);
  const last = aggregate(fns, "last", [[T.float8, vals], [T.timestamptz, ts]], g);
  assert.equal(first.type.kind, "float8");
  assert.deepEqual(first.values, [1.5]);
  assert.deepEqual(last.values, [3.5]);
  const txt = aggregate(fns, "last", [[T.text, ["a", "b"]], [T.int8, [5n, 5n]]], [0, 0]);
  assert.deepEqual(txt.values, ["a"]);
});

Deno.test("first/last keep a NULL value (TimescaleDB semantics) and ignore NULL times", () => {
  const r = aggregate(fns, "first", [[T.int4, [null, 5]], [T.timestamp, [1, 2]]], [0, 0]);
  assert.deepEqual(r.values, [null]);
  const n = aggregate(fns, "last", [[T.int4, [7, 5]], [T.timestamp, [null, 1]]], [0, 0]);
  assert.deepEqual(n.values, [5]);
  const onlyNull = aggregate(fns, "last", [[T.int4, [7]], [T.date, [null]]], [0], {
    groupCount: 2,
  });
  assert.deepEqual(onlyNull.values, [7, null]);
});

Deno.test("first/last over groups across batches, and merge", () => {
  const n = 3000;
  const times = Array.from({ length: n }, (_, i) => (i * 7919) % 3001);
  const groups = times.map((_, i) => i % 10);
  const r = aggregate(
    fns,
    "last",
    [[T.int4, times.map((_, i) => i)], [T.timestamptz, times]],
    groups,
    {
      batchRows: 128,
    },
  );
  for (let g = 0; g < 10; g++) {
    let best = -1;
    let at = -1;
    times.forEach((t, i) => {
      if (i % 10 === g && t > best) [best, at] = [t, i];
    });
    assert.equal(r.values[g], at);
  }
  const a = makeAccumulator(fns, "first", [T.text, T.timestamptz]);
  const b = makeAccumulator(fns, "first", [T.text, T.timestamptz]);
  feed(a.acc, a.res, [[T.text, ["late", "x"]], [T.timestamptz, [100, 5]]], [0, 1], 2048);
  feed(b.acc, b.res, [[T.text, ["early", "y"]], [T.timestamptz, [50, 9]]], [0, 1], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0, 1));
  assert.deepEqual(values(a.acc.evaluate(2)), ["early", "x"]);
  assert.equal(fns.find((f) => f.name === "first")!.resolve([T.int4, T.int4, T.int4]), null);
});

Deno.test("one-argument first/last follow input order and keep NULLs", () => {
  const g = [0, 1, 0, 1, 0];
  const v = [null, 4, 2, 5, null];
  const first = aggregate(fns, "first", [[T.int4, v]], g);
  const last = aggregate(fns, "last", [[T.int4, v]], g);
  assert.deepEqual(first.values, [null, 4]);
  assert.deepEqual(last.values, [null, 5]);
  const big = Array.from({ length: 3000 }, (_, i) => i);
  const r = aggregate(fns, "last", [[T.int8, big.map(BigInt)]], big.map((i) => i % 3), {
    batchRows: 128,
  });
  assert.deepEqual(r.values, [2997n, 2998n, 2999n]);
  const a = makeAccumulator(fns, "last", [T.text]);
  const b = makeAccumulator(fns, "last", [T.text]);
  feed(a.acc, a.res, [[T.text, ["a0", "a1"]]], [0, 1], 2048);
  feed(b.acc, b.res, [[T.text, ["b0"]]], [0], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  assert.deepEqual(values(a.acc.evaluate(2)), ["b0", "a1"]);
});
