import assert from "node:assert/strict";
import { arith, negate } from "./arith.ts";
import { compare } from "./compare.ts";
import { castColumn } from "./cast.ts";
import { columnFromValues, Types, type Value, valueAt } from "../../types/mod.ts";
import type { Column } from "../../types/column.ts";
import { DbError } from "../../errors.ts";

function values(c: Column): Value[] {
  return Array.from({ length: c.length }, (_, i) => valueAt(c, i));
}

Deno.test("integer arithmetic truncates, propagates NULL and never wraps", () => {
  const a = columnFromValues(Types.int4, [7, -7, null, 2147483647]);
  const b = columnFromValues(Types.int4, [2, 2, 1, 1]);
  assert.deepEqual(values(arith("div", a, b, Types.int4)).slice(0, 3), [3, -3, null]);
  assert.deepEqual(values(arith("mod", a, b, Types.int4)).slice(0, 3), [1, -1, null]);
  assert.throws(
    () => arith("add", a, b, Types.int4),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  const big = columnFromValues(Types.int8, [9223372036854775807n]);
  assert.throws(
    () => arith("add", big, columnFromValues(Types.int8, [1n]), Types.int8),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  assert.throws(
    () => negate(columnFromValues(Types.int4, [-2147483648])),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  assert.throws(
    () => arith("div", b, columnFromValues(Types.int4, [0, 1, 1, 1]), Types.int4),
    (e: unknown) => e instanceof DbError && e.code === "22012",
  );
  // a NULL row does not raise division by zero
  assert.deepEqual(
    values(
      arith(
        "div",
        columnFromValues(Types.int4, [null]),
        columnFromValues(Types.int4, [0]),
        Types.int4,
      ),
    ),
    [null],
  );
});

Deno.test("float overflow is an error, not Infinity; Infinity inputs stay", () => {
  const x = columnFromValues(Types.float8, [1e308]);
  assert.throws(
    () => arith("mul", x, x, Types.float8),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  const inf = columnFromValues(Types.float8, [Infinity]);
  assert.deepEqual(values(arith("add", inf, columnFromValues(Types.float8, [1]), Types.float8)), [
    Infinity,
  ]);
});

Deno.test("comparisons: NaN equals NaN and is greatest; strings by code unit; NULL is NULL", () => {
  const a = columnFromValues(Types.float8, [NaN, NaN, 1, null]);
  const b = columnFromValues(Types.float8, [NaN, 1e300, 2, 1]);
  assert.deepEqual(values(compare("eq", a, b)), [true, false, false, null]);
  assert.deepEqual(values(compare("gt", a, b)), [false, true, false, null]);
  const s = compare(
    "lt",
    columnFromValues(Types.text, ["B", "a"]),
    columnFromValues(Types.text, ["a", "b"]),
  );
  assert.deepEqual(values(s), [true, true]);
});

Deno.test("casts: text to numbers, numbers to text, float to int rounds half to even", () => {
  assert.deepEqual(
    values(castColumn(columnFromValues(Types.text, ["1", " 2 ", null]), Types.int4)),
    [1, 2, null],
  );
  assert.deepEqual(
    values(castColumn(columnFromValues(Types.float8, [2.5, 3.5, -2.5]), Types.int4)),
    [2, 4, -2],
  );
  assert.deepEqual(values(castColumn(columnFromValues(Types.float8, [0.1, 1e20]), Types.text)), [
    "0.1",
    "1e+20",
  ]);
  assert.deepEqual(values(castColumn(columnFromValues(Types.bool, [true]), Types.text)), ["true"]);
  assert.deepEqual(
    values(castColumn(columnFromValues(Types.text, ["abcdef"]), { kind: "varchar", maxLength: 3 })),
    ["abc"],
  );
  assert.throws(
    () => castColumn(columnFromValues(Types.float8, [3e9]), Types.int4),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
  assert.throws(
    () => castColumn(columnFromValues(Types.text, ["x"]), Types.float8),
    (e: unknown) => e instanceof DbError && e.code === "22P02",
  );
  assert.throws(
    () => castColumn(columnFromValues(Types.date, [1]), Types.int4),
    (e: unknown) => e instanceof DbError && e.code === "42804",
  );
});
