import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, assertCode } from "../_test_util.ts";

// (y, x) pairs with NULLs; expected values are PostgreSQL 15's answers for the same rows
const ys = [1, 3, 4, null, 10, 5, 2, 2];
const xs = [2, 5, 7, 3, null, 1, 2, 4];
const groups = [0, 0, 0, 0, 0, 1, 2, 2];

function stat(name: string): unknown[] {
  return aggregate(fns, name, [[T.float8, ys], [T.int4, xs]], groups, { groupCount: 4 }).values;
}

Deno.test("covariance, correlation and regression match PostgreSQL 15, NULL pairs skipped", () => {
  assert.deepEqual(stat("covar_pop"), [2.5555555555555554, 0, 0, null]);
  assert.deepEqual(stat("covar_samp"), [3.833333333333333, null, 0, null]);
  assert.deepEqual(stat("corr"), [0.997176464952738, null, null, null]);
  assert.deepEqual(stat("regr_count"), [3n, 1n, 2n, 0n]);
  assert.deepEqual(stat("regr_sxx"), [12.666666666666666, 0, 2, null]);
  assert.deepEqual(stat("regr_avgy"), [2.6666666666666665, 5, 2, null]);
  assert.deepEqual(stat("regr_slope"), [0.6052631578947368, null, 0, null]);
  assert.deepEqual(stat("regr_intercept"), [-0.157894736842105, null, 2, null]);
  assert.deepEqual(stat("regr_r2"), [0.9943609022556392, null, 1, null]);
});

Deno.test("regression sums overflow with 22003 like PostgreSQL's float8 accumulators", () => {
  assertCode(
    () => aggregate(fns, "covar_pop", [[T.float8, [1e308, -1e308]], [T.float8, [1, 2]]], [0, 0]),
    "22003",
  );
});
