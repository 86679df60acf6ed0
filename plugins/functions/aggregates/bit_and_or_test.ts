import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";
import { Database } from "../../../mod.ts";

Deno.test("bit_and/bit_or/bit_xor fold integers per group and skip NULLs", () => {
  const v = [12, 10, null, -1, 6];
  const g = [0, 0, 0, 1, 1];
  assert.deepEqual(aggregate(fns, "bit_and", [[T.int4, v]], g).values, [8, 6]);
  assert.deepEqual(aggregate(fns, "bit_or", [[T.int4, v]], g).values, [14, -1]);
  assert.deepEqual(aggregate(fns, "bit_xor", [[T.int4, v]], g).values, [6, -7]);
  const big = aggregate(fns, "bit_or", [[T.int8, [1n << 40n, 3n]]], [0, 0], { groupCount: 2 });
  assert.equal(big.type.kind, "int8");
  assert.deepEqual(big.values, [(1n << 40n) | 3n, null]);
  const s = aggregate(fns, "bit_xor", [[T.int2, [-32768, 1]]], [0, 0]);
  assert.deepEqual(s.values, [-32767]);
  assert.equal(fns.find((f) => f.name === "bit_and")!.resolve([T.float8]), null);
  const a = makeAccumulator(fns, "bit_xor", [T.int4]);
  const b = makeAccumulator(fns, "bit_xor", [T.int4]);
  feed(a.acc, a.res, [[T.int4, [5, 1]]], [0, 1], 2048);
  feed(b.acc, b.res, [[T.int4, [3]]], [0], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  assert.deepEqual(values(a.acc.evaluate(2)), [6, 1]);
});

Deno.test("bit aggregates in SQL, like PostgreSQL 15", async () => {
  const db = await Database.open({ memory: true });
  // PostgreSQL folds two's-complement integers exactly as JavaScript's 32-bit operators do
  const r = await db.query(
    "SELECT bit_and(x), bit_or(x), bit_xor(x), bit_and(x) FILTER (WHERE x > 0) FROM (VALUES (125::smallint), (-117::smallint), (-69::smallint)) t(x)",
  );
  assert.deepEqual(r.rows, [[125 & -117 & -69, 125 | -117 | -69, 125 ^ -117 ^ -69, 125]]);
  await db.close();
});
