import assert from "node:assert/strict";
import { Database, defaultPlugins } from "../mod.ts";
import { statsPlugin } from "./plugin_system_relation.ts";

Deno.test("a plugin's system relation is computed when read, and joins like a table", async () => {
  const db = await Database.open({ memory: true, plugins: [...defaultPlugins, statsPlugin] });
  try {
    assert.deepEqual((await db.query("SELECT * FROM omendb_stats.tables")).rows, []);
    await db.query("CREATE SCHEMA telegraf");
    await db.query("CREATE TABLE telegraf.cpu (ts TIMESTAMPTZ, host TEXT, usage FLOAT8)");
    await db.query("CREATE TABLE mem (ts TIMESTAMPTZ, used BIGINT)");
    await db.query("INSERT INTO mem SELECT now(), g FROM generate_series(1, 3000) g");
    const r = await db.query(
      "SELECT t.schema, t.name, t.columns, t.estimated_rows, c.oid IS NOT NULL " +
        "FROM omendb_stats.tables t JOIN pg_class c ON c.relname = t.name ORDER BY t.name",
    );
    assert.deepEqual(r.rows, [["telegraf", "cpu", 3, 0n, true], ["public", "mem", 2, 3000n, true]]);
    // it is listed in the catalogs and information_schema like a built-in system relation
    const listed = await db.query(
      "SELECT table_type FROM information_schema.tables WHERE table_schema = 'omendb_stats'",
    );
    assert.deepEqual(listed.rows, [["BASE TABLE"]]);
  } finally {
    await db.close();
  }
  // without the plugin the relation does not exist
  const plain = await Database.open({ memory: true });
  try {
    await assert.rejects(plain.query("SELECT * FROM omendb_stats.tables"), { code: "42P01" });
  } finally {
    await plain.close();
  }
});
