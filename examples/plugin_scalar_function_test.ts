import assert from "node:assert/strict";
import { Database, DbError, defaultPlugins } from "../mod.ts";
import { celsiusToFahrenheit, clamp, temperaturePlugin } from "./plugin_scalar_function.ts";

const fahrenheit = (c: number): number => (c * 9) / 5 + 32;

async function withDb(fn: (db: Database) => Promise<void>): Promise<void> {
  const db = await Database.open({ memory: true, plugins: [...defaultPlugins, temperaturePlugin] });
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

async function assertSqlState(db: Database, sql: string, code: string): Promise<void> {
  await assert.rejects(db.query(sql), (e: unknown) => {
    assert.ok(e instanceof DbError, `${sql}: expected DbError, got ${String(e)}`);
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    return true;
  });
}

Deno.test("the plugin's functions work from SQL over a table", async () => {
  await withDb(async (db) => {
    await db.query("CREATE TABLE readings (sensor TEXT, celsius DOUBLE PRECISION, raw INTEGER)");
    const insert = await db.query(
      "INSERT INTO readings VALUES ('a', 0, 10), ('b', 100, -3), ('c', -40, NULL), ('d', 36.6, 250), ('e', NULL, 7)",
    );
    assert.equal(insert.command, "INSERT 0 5");
    const r = await db.query(
      "SELECT sensor, celsius_to_fahrenheit(celsius) AS f, clamp(raw, 0, 100) AS pct FROM readings ORDER BY sensor",
    );
    assert.deepEqual(r.columns.map((c) => [c.name, c.type.kind]), [
      ["sensor", "text"],
      ["f", "float8"],
      ["pct", "float8"],
    ]);
    assert.deepEqual(r.rows, [
      ["a", fahrenheit(0), 10],
      ["b", fahrenheit(100), 0],
      ["c", fahrenheit(-40), null],
      ["d", fahrenheit(36.6), 100],
      ["e", null, 7],
    ]);
    assert.equal(fahrenheit(-40), -40, "sanity: -40 is the same on both scales");

    const hot = await db.query(
      "SELECT sensor FROM readings WHERE celsius_to_fahrenheit(celsius) > 98 ORDER BY sensor",
    );
    assert.deepEqual(hot.rows, [["b"]]);
  });
});

Deno.test("NULL arguments give NULL", async () => {
  await withDb(async (db) => {
    const r = await db.query(
      "SELECT celsius_to_fahrenheit(NULL), clamp(NULL, 0, 1), clamp(5, NULL, 1), clamp(5, 0, NULL), clamp(5, NULL, NULL)",
    );
    assert.deepEqual(r.rows, [[null, null, null, null, null]]);
    // A NULL bound never triggers the lo > hi check.
    const ok = await db.query("SELECT clamp(5, 10, NULL)");
    assert.deepEqual(ok.rows, [[null]]);
  });
});

Deno.test("a wrong argument count or type is 42883, as in PostgreSQL", async () => {
  await withDb(async (db) => {
    await assertSqlState(db, "SELECT celsius_to_fahrenheit()", "42883");
    await assertSqlState(db, "SELECT celsius_to_fahrenheit(1, 2)", "42883");
    await assertSqlState(db, "SELECT clamp(1, 2)", "42883");
    await assertSqlState(db, "SELECT clamp(1, 2, 3, 4)", "42883");
    await assertSqlState(db, "SELECT celsius_to_fahrenheit(CAST('x' AS TEXT))", "42883");
  });
});

Deno.test("clamp with lower bound above upper bound is 22023", async () => {
  await withDb(async (db) => {
    await assertSqlState(db, "SELECT clamp(5, 10, 0)", "22023");
  });
});

Deno.test("without the plugin the functions do not exist", async () => {
  const db = await Database.open({ memory: true, plugins: [...defaultPlugins] });
  try {
    await assertSqlState(db, "SELECT celsius_to_fahrenheit(1)", "42883");
  } finally {
    await db.close();
  }
});

Deno.test("columns bigger than one batch are evaluated correctly", async () => {
  const rows = 5000;
  const celsius = new Float64Array(rows);
  const id = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    id[i] = i;
    celsius[i] = (i % 400) - 150.5;
  }
  await withDb(async (db) => {
    await db.query("CREATE TABLE t (id INTEGER, c DOUBLE PRECISION)");
    assert.equal(await db.insertColumns("t", { id, c: celsius }), rows);
    const r = await db.query(
      "SELECT id, celsius_to_fahrenheit(c), clamp(c, -100, 100) FROM t ORDER BY id",
    );
    assert.equal(r.rows.length, rows);
    for (let i = 0; i < rows; i++) {
      const c = celsius[i]!;
      assert.deepEqual(r.rows[i], [i, fahrenheit(c), Math.min(100, Math.max(-100, c))], `row ${i}`);
    }
  });
});

Deno.test("resolve accepts numeric types and rejects others", () => {
  assert.ok(celsiusToFahrenheit.resolve([{ kind: "int4" }]) !== null);
  assert.ok(celsiusToFahrenheit.resolve([{ kind: "unknown" }]) !== null);
  assert.equal(celsiusToFahrenheit.resolve([{ kind: "text" }]), null);
  assert.equal(celsiusToFahrenheit.resolve([]), null);
  assert.ok(clamp.resolve([{ kind: "float8" }, { kind: "int2" }, { kind: "int8" }]) !== null);
  assert.equal(clamp.resolve([{ kind: "float8" }, { kind: "bool" }, { kind: "int8" }]), null);
});
