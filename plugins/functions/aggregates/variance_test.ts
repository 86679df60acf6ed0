import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import type { DataType } from "../../../core/types/data_type.ts";
import type { Value } from "../../../core/types/column.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, assertCode, feed, makeAccumulator, values } from "../_test_util.ts";

const data = [2, 4, 4, 4, 5, 5, 7, 9]; // mean 5, population variance 4, sample 32/7

Deno.test("variance family on a known data set", () => {
  const g = data.map(() => 0);
  const one = (name: string) => aggregate(fns, name, [[T.float8, data]], g).values[0] as number;
  assert.equal(one("var_pop"), 4);
  assert.equal(one("stddev_pop"), 2);
  assert.ok(Math.abs(one("var_samp") - 32 / 7) < 1e-15);
  assert.ok(Math.abs(one("variance") - 32 / 7) < 1e-15);
  assert.ok(Math.abs(one("stddev_samp") - Math.sqrt(32 / 7)) < 1e-15);
  assert.ok(Math.abs(one("stddev") - Math.sqrt(32 / 7)) < 1e-15);
  // Integer input gives numeric, with numeric division's result scale (as in PostgreSQL).
  const ints = aggregate(fns, "var_pop", [[T.int4, data]], g);
  assert.equal(ints.type.kind, "numeric");
  assert.equal(ints.values[0], "4.0000000000000000");
});

Deno.test("integer and numeric inputs: PostgreSQL's numeric results and scales", () => {
  const one = (name: string, type: DataType, vals: Value[]) =>
    aggregate(fns, name, [[type, vals]], vals.map(() => 0)).values[0];
  // checked against PostgreSQL 15
  assert.equal(one("stddev", T.int4, [1, 2, 4]), "1.5275252316519467");
  assert.equal(one("stddev_pop", T.int4, [1, 2, 4]), "1.2472191289246471");
  assert.equal(one("stddev", T.int4, [0, 214748364, 0, 214748364]), "123985026");
  assert.equal(
    one("var_pop", T.int8, [9223372036854775807n, -9223372036854775807n, 12345n]),
    "56713727820156410564931271856188867283",
  );
  assert.equal(one("var_pop", T.numeric, ["1.50", "2.25", "4.00"]), "1.09722222222222222222");
  assert.equal(one("stddev", T.numeric, ["0.001", "0.002", "100000.5"]), "57735.31472807");
  assert.equal(one("var_pop", T.int2, [5, 5, 5]), "0");
  assert.equal(one("stddev", T.int4, [5]), null);
  // merging partial states equals one pass
  const a = makeAccumulator(fns, "var_samp", [T.int4]);
  const b = makeAccumulator(fns, "var_samp", [T.int4]);
  feed(a.acc, a.res, [[T.int4, [1, 2]]], [0, 0], 2048);
  feed(b.acc, b.res, [[T.int4, [4]]], [0], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  assert.equal(values(a.acc.evaluate(1))[0], "2.3333333333333333");
});

Deno.test("sample forms are NULL below two values; population forms 0 for one, NULL for none", () => {
  const groups = [0, 1, 1];
  const vals = [5, 3, null];
  const gc = { groupCount: 3 };
  assert.deepEqual(aggregate(fns, "var_samp", [[T.float8, vals]], groups, gc).values, [
    null,
    null,
    null,
  ]);
  assert.deepEqual(aggregate(fns, "var_pop", [[T.float8, vals]], groups, gc).values, [0, 0, null]);
  assert.deepEqual(aggregate(fns, "stddev_pop", [[T.float8, vals]], groups, gc).values, [
    0,
    0,
    null,
  ]);
});

Deno.test("constant inputs give exactly 0; large offsets stay accurate", () => {
  const g = [0, 0, 0];
  assert.deepEqual(aggregate(fns, "var_pop", [[T.float8, [0.1, 0.1, 0.1]]], g).values, [0]);
  const off = [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16];
  const v = aggregate(fns, "var_samp", [[T.float8, off]], [0, 0, 0, 0]).values[0] as number;
  assert.ok(Math.abs(v - 30) < 1e-6, String(v));
  assertCode(() => aggregate(fns, "var_pop", [[T.float8, [1e200, -1e200]]], [0, 0]), "22003");
  assert.ok(Number.isNaN(aggregate(fns, "var_pop", [[T.float8, [Infinity, 1]]], [0, 0]).values[0]));
});

Deno.test("variance merge equals one pass", () => {
  const a = makeAccumulator(fns, "var_samp", [T.float8]);
  const b = makeAccumulator(fns, "var_samp", [T.float8]);
  feed(a.acc, a.res, [[T.float8, data.slice(0, 3)]], [0, 0, 0], 2048);
  feed(b.acc, b.res, [[T.float8, data.slice(3)]], data.slice(3).map(() => 0), 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  const merged = values(a.acc.evaluate(1))[0] as number;
  assert.ok(Math.abs(merged - 32 / 7) < 1e-14, String(merged));
  const empty = makeAccumulator(fns, "var_samp", [T.float8]);
  a.acc.merge(empty.acc, Uint32Array.of(0));
  assert.equal(values(a.acc.evaluate(1))[0], merged);
});
