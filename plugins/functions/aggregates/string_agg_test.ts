import assert from "node:assert/strict";
import { Types as T } from "../../../core/types/data_type.ts";
import { builtinAggregateFunctions as fns } from "./mod.ts";
import { aggregate, feed, makeAccumulator, values } from "../_test_util.ts";

Deno.test("string_agg joins in arrival order with each row's delimiter, like PostgreSQL", () => {
  // PostgreSQL: string_agg(x, y) over ('a', ','), (NULL, ';'), ('b', '-'), ('c', NULL) = 'a-bc'
  const r = aggregate(fns, "string_agg", [[T.text, ["a", null, "b", "c"]], [T.text, [
    ",",
    ";",
    "-",
    null,
  ]]], [0, 0, 0, 0]);
  assert.equal(r.type.kind, "text");
  assert.deepEqual(r.values, ["a-bc"]);
  const g = aggregate(fns, "string_agg", [[T.varchar, ["x", "y", null, "z"]], [T.unknown, [
    ",",
    ",",
    ",",
    ",",
  ]]], [0, 1, 2, 0]);
  assert.deepEqual(g.values, ["x,z", "y", null]);
  assert.equal(fns.find((f) => f.name === "string_agg")!.resolve([T.int4, T.text]), null);
});

Deno.test("string_agg merge keeps the merged group's first delimiter", () => {
  const a = makeAccumulator(fns, "string_agg", [T.text, T.text]);
  const b = makeAccumulator(fns, "string_agg", [T.text, T.text]);
  feed(a.acc, a.res, [[T.text, ["a"]], [T.text, [","]]], [0], 2048);
  feed(b.acc, b.res, [[T.text, ["b", "c"]], [T.text, ["+", "-"]]], [0, 0], 2048);
  a.acc.merge(b.acc, Uint32Array.of(0));
  assert.deepEqual(values(a.acc.evaluate(1)), ["a+b-c"]);
});

Deno.test("string_agg(value) joins with a comma (DuckDB's one-argument form)", () => {
  const r = aggregate(fns, "string_agg", [[T.varchar, ["a", null, "b", "c"]]], [0, 0, 1, 0]);
  assert.deepEqual(r.values, ["a,c", "b"]);
  assert.equal(fns.find((f) => f.name === "string_agg")!.resolve([T.int4]), null);
});
