import assert from "node:assert/strict";
import { Types as T } from "../../core/types/data_type.ts";
import { basicScalarFunctions as f } from "./scalar.ts";
import { assertCode, call1, callScalar } from "./_test_util.ts";

Deno.test("abs keeps every numeric type and raises 22003 at the integer minimum", () => {
  for (
    const [type, x, want] of [
      [T.int2, -5, 5],
      [T.int4, -7, 7],
      [T.int8, -9n, 9n],
      [T.float4, -2.5, 2.5],
      [T.float8, -0.25, 0.25],
    ] as const
  ) {
    const r = callScalar(f, "abs", [type, [x, null]]);
    assert.equal(r.type.kind, type.kind);
    assert.deepEqual(r.values, [want, null]);
  }
  assertCode(() => call1(f, "abs", [T.int2, -32768]), "22003");
  assertCode(() => call1(f, "abs", [T.int4, -2147483648]), "22003");
  assertCode(() => call1(f, "abs", [T.int8, -(2n ** 63n)]), "22003");
  // NULL rows never raise, whatever their data slot holds.
  assert.deepEqual(callScalar(f, "abs", [T.int4, [null]]).values, [null]);
});

Deno.test("coalesce, nullif, length, lower, upper", () => {
  const c = callScalar(f, "coalesce", [T.int4, [null, 1, null]], [T.int4, [2, 3, null]]);
  assert.deepEqual(c.values, [2, 1, null]);
  assert.equal(call1(f, "nullif", [T.int4, 1], [T.int4, 1]), null);
  assert.equal(call1(f, "nullif", [T.int4, 1], [T.int4, 2]), 1);
  assert.equal(call1(f, "length", [T.text, "a😀"]), 2);
  assert.equal(call1(f, "char_length", [T.text, null]), null);
  assert.equal(call1(f, "lower", [T.text, "ÀB"]), "àb");
  assert.equal(call1(f, "upper", [T.text, "àb"]), "ÀB");
});

Deno.test("pg_typeof names the argument's type without modifiers", async () => {
  const { Database } = await import("../../mod.ts");
  const db = await Database.open({ memory: true });
  const r = await db.query(
    "SELECT pg_typeof(1), pg_typeof(1.5::numeric(4,1)), pg_typeof('a'), pg_typeof('a'::varchar(3)), pg_typeof(now())",
  );
  assert.deepEqual(r.rows, [[
    "integer",
    "numeric",
    "unknown",
    "character varying",
    "timestamp with time zone",
  ]]);
  await db.close();
});
