import assert from "node:assert/strict";
import { DbError, SqlState, SqlSyntaxError, toDbError } from "./errors.ts";

Deno.test("SqlSyntaxError reports line, column, position and a caret excerpt", () => {
  const e = SqlSyntaxError.at("SELECT 1\nFROM ) x", 14, 'unexpected ")"');
  assert.equal(e.code, "42601");
  assert.equal(e.line, 2);
  assert.equal(e.column, 6);
  assert.equal(e.position, 15);
  assert.equal(e.excerpt, "FROM ) x\n     ^");
  assert.match(e.message, /at 2:6$/);
  assert.ok(e instanceof DbError);
});

Deno.test("toDbError keeps DbErrors and wraps anything else as XX000", () => {
  const original = new DbError(SqlState.undefinedTable, "nope");
  assert.equal(toDbError(original), original);
  const wrapped = toDbError(new TypeError("boom"));
  assert.equal(wrapped.code, "XX000");
  assert.match(wrapped.message, /boom/);
  assert.equal(toDbError(new RangeError("Maximum call stack size exceeded")).code, "54000");
});

Deno.test("DbError.toJSON carries code, message and position", () => {
  const e = new DbError("42703", 'column "x" does not exist', { position: 8 });
  assert.deepEqual(e.toJSON(), {
    code: "42703",
    message: 'column "x" does not exist',
    position: 8,
  });
  assert.equal(e.sqlStateClass, "42");
});
