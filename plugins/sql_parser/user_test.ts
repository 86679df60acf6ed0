import assert from "node:assert/strict";
import { DbError } from "../../core/errors.ts";
import { parseSql } from "./parser.ts";

Deno.test("parser: user and token statements", () => {
  const kinds = parseSql(
    "CREATE USER a; CREATE ROLE b LOGIN; ALTER ROLE b PASSWORD 'p'; DROP ROLE IF EXISTS a, b;" +
      " CREATE TOKEN FOR USER a; DROP TOKEN 'x'",
  ).map((s) => s.kind);
  assert.deepEqual(kinds, [
    "create_user",
    "create_user",
    "alter_user",
    "drop_user",
    "create_token",
    "drop_token",
  ]);
});

Deno.test("parser: user options other than LOGIN and PASSWORD are refused with 0A000", () => {
  for (const sql of ["CREATE USER a SUPERUSER", "CREATE ROLE g", "ALTER USER a CREATEDB"]) {
    assert.throws(() => parseSql(sql), (e) => e instanceof DbError && e.code === "0A000", sql);
  }
  assert.throws(
    () => parseSql("CREATE USER a PASSWORD 5"),
    (e) => e instanceof DbError && e.code === "42601",
  );
});
