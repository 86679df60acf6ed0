import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";

Deno.test("bool_and / every / bool_or skip NULLs; empty groups are NULL", () => {
  const vals = [true, false, null, true, true, null];
  const groups = [0, 0, 0, 1, 1, 2];
  assert.deepEqual(aggregate(fns, "bool_and", [[T.bool, vals]], groups).values, [
    false,
    true,
    null,
  ]);
  assert.deepEqual(aggregate(fns, "every", [[T.bool, vals]], groups).values, [false, true, null]);
  assert.deepEqual(aggregate(fns, "bool_or", [[T.bool, vals]], groups).values, [true, true, null]);
  assert.deepEqual(aggregate(fns, "bool_or", [[T.bool, [false, false]]], [0, 0]).values, [false]);
  assert.equal(fns.find((f) => f.name === "bool_and")!.resolve([T.int4]), null);
});

Deno.test("bool_and merges partial states", () => {
  const a = makeAccumulator(fns, "bool_and", [T.bool]);
  const b = makeAccumulator(fns, "bool_and", [T.bool]);
  feed(a.acc, a.res, [[T.bool, [true, true]]], [0, 1], 2048);
  feed(b.acc, b.res, [[T.bool, [false, true]]], [0, 1], 2048);
  a.acc.merge(b.acc, Uint32Array.of(1, 2));
  assert.deepEqual(values(a.acc.evaluate(3)), [true, false, true]);
});
