import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { defaultPlugins } from "../mod.ts";
import type { Plugin } from "../../core/plugin/registry.ts";
import { Types } from "../../core/types/data_type.ts";
import { firstUserOid, formatType, pgTypes } from "./oids.ts";
import { typeInfo, typeOid } from "../../core/types/data_type.ts";

async function open(): Promise<Database & AsyncDisposable> {
  const db = await Database.open({ memory: true });
  return Object.assign(db, { [Symbol.asyncDispose]: () => db.close() });
}

async function one(db: Database, sql: string): Promise<unknown> {
  return (await db.query(sql)).rows[0]?.[0];
}

Deno.test("pg_class, pg_attribute: table OIDs are firstUserOid + id, attnum the column id", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE a (x int)");
    await db.query("CREATE TABLE cpu (time timestamptz, host varchar(20), v numeric(10,2))");
    const oid = await one(db, "SELECT oid FROM pg_class WHERE relname = 'cpu'");
    assert.equal(oid, firstUserOid + 2);
    await db.query("ALTER TABLE cpu DROP COLUMN host");
    await db.query("ALTER TABLE cpu ADD COLUMN dc text");
    await db.query("ALTER TABLE cpu RENAME TO cpu2");
    await db.close();
    db = await Database.open({ path: dir }); // stable across restarts and renames
    try {
      assert.equal(await one(db, "SELECT 'cpu2'::regclass"), oid);
      const r = await db.query(
        "SELECT attname, attnum, format_type(atttypid, atttypmod), atttypmod FROM pg_attribute " +
          `WHERE attrelid = ${oid} ORDER BY attnum`,
      );
      assert.deepEqual(r.rows, [
        ["time", 1, "timestamp with time zone", -1],
        ["v", 3, "numeric(10,2)", ((10 << 16) | 2) + 4],
        ["dc", 4, "text", -1],
      ]);
    } finally {
      await db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pg_type: PostgreSQL's OIDs for every OmenDB type and its array type", async () => {
  await using db = await open();
  for (const kind of Object.keys(typeInfo) as (keyof typeof typeInfo)[]) {
    if (kind === "array" || kind === "numeric" || kind === "varchar") continue;
    const t = Types[kind as keyof typeof Types];
    const r = await db.query("SELECT typname, typarray FROM pg_type WHERE oid = $1", [typeOid(t)]);
    assert.equal(r.rows[0]?.[0], typeInfo[kind].pgName, kind);
  }
  assert.deepEqual(
    (await db.query(
      "SELECT oid, typname, typelem, typcategory FROM pg_type WHERE oid IN (20, 23, 25, 701, 1184, 1007) ORDER BY oid",
    )).rows,
    [
      [20, "int8", 0, "N"],
      [23, "int4", 0, "N"],
      [25, "text", 0, "S"],
      [701, "float8", 0, "N"],
      [1007, "_int4", 23, "A"],
      [1184, "timestamptz", 0, "D"],
    ],
  );
  assert.equal(new Set(pgTypes.map((t) => t.oid)).size, pgTypes.length, "OIDs are unique");
  assert.equal(formatType(1043, 24), "character varying(20)");
  assert.equal(formatType(1015, -1), "character varying[]");
  assert.equal(formatType(999_999, -1), "???");
  assert.equal(await one(db, "SELECT format_type(1184, NULL)"), "timestamp with time zone");
  assert.equal(await one(db, "SELECT format_type(NULL, 1)"), null);
});

Deno.test("search_path: pg_catalog comes first unless the path names it", async () => {
  await using db = await open();
  await db.query("CREATE TABLE pg_class (mine int)");
  // bare pg_class is the catalog, as in PostgreSQL
  const cols = (await db.query("SELECT * FROM pg_class LIMIT 0")).columns.map((c) => c.name);
  assert.ok(cols.includes("relname"));
  await db.query("SET search_path = public, pg_catalog");
  assert.deepEqual((await db.query("SELECT * FROM pg_class")).columns.map((c) => c.name), [
    "mine",
  ]);
  assert.ok(
    (await db.query("SELECT relname FROM pg_catalog.pg_class WHERE relname = 'pg_class'")).rows
      .length >= 1,
  );
  await db.query("SET search_path = public");
  assert.ok(
    (await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'pg_class'")).rows
      .length === 2, // the user's table and the catalog
  );
  const plan = (await db.query("EXPLAIN SELECT relname FROM pg_catalog.pg_class")).rows.join("\n");
  assert.match(plan, /System Scan pg_catalog\.pg_class \(relname\)/); // narrowed like a table scan
  await assert.rejects(db.query("SELECT * FROM information_schema.nosuch"), { code: "42P01" });
  await assert.rejects(db.query("SELECT * FROM pg_catalog.nosuch"), { code: "42P01" });
  // system relations are read-only: DML does not find them as tables
  await assert.rejects(db.query("DELETE FROM pg_catalog.pg_type"), { code: "42P01" });
  await assert.rejects(db.query("CREATE SCHEMA pg_catalog"), { code: "42939" });
});

Deno.test("reg* casts: names to OIDs and OIDs to names", async () => {
  await using db = await open();
  await db.query('CREATE SCHEMA s2; CREATE TABLE s2.m (a int); CREATE TABLE "Cpu" (a int)');
  const m = await one(db, "SELECT oid FROM pg_class WHERE relname = 'm'");
  assert.equal(await one(db, "SELECT 's2.m'::regclass"), m);
  assert.equal(await one(db, "SELECT 'pg_class'::regclass"), 1259);
  assert.equal(await one(db, "SELECT 'pg_catalog.pg_type'::regclass::oid"), 1247);
  assert.equal(await one(db, `SELECT ${m}::regclass`), "s2.m"); // off the path: qualified
  assert.equal(await one(db, `SELECT '"Cpu"'::regclass::regclass`), '"Cpu"');
  await db.query("SET search_path = s2, public");
  assert.equal(await one(db, `SELECT ${m}::regclass::text`), "m");
  await assert.rejects(db.query("SELECT 'nosuch'::regclass"), { code: "42P01" });
  assert.equal(await one(db, "SELECT to_regclass('nosuch')"), null);
  assert.equal(await one(db, "SELECT 'integer'::regtype"), 23);
  assert.equal(await one(db, "SELECT 'timestamptz'::regtype::oid"), 1184);
  assert.equal(await one(db, "SELECT 1184::regtype"), "timestamp with time zone");
  await assert.rejects(db.query("SELECT 'nosuch'::regtype"), { code: "42704" });
  assert.equal(await one(db, "SELECT 's2'::regnamespace::regnamespace"), "s2");
  assert.equal(await one(db, "SELECT 'omendb'::regrole"), 10);
  assert.equal(await one(db, "SELECT 'lower'::regproc::regproc"), "lower");
  // the column name is the type's, as PostgreSQL's
  assert.equal((await db.query("SELECT 'pg_class'::regclass")).columns[0]!.name, "regclass");
});

Deno.test("pg_stat_activity: one row per open session with its state, query and times", async () => {
  await using db = await open();
  const a = db.session();
  const b = db.session();
  try {
    assert.notEqual(a.activity.pid, b.activity.pid);
    await b.query("CREATE TABLE t (x int)");
    await b.query("BEGIN");
    await b.query("INSERT INTO t VALUES (1)");
    const read = async () =>
      new Map(
        (await a.query(
          "SELECT pid, state, query, xact_start IS NOT NULL, query_start IS NOT NULL, datname, " +
            "backend_type FROM pg_stat_activity",
        )).rows.map((r) => [r[0], r.slice(1)]),
      );
    let rows = await read();
    assert.equal(rows.size, 3); // the embedded session, a and b
    assert.deepEqual(rows.get(b.activity.pid), [
      "idle in transaction",
      "INSERT INTO t VALUES (1)",
      true,
      true,
      "omendb",
      "client backend",
    ]);
    const self = rows.get(a.activity.pid)!;
    assert.equal(self[0], "active"); // the session reading is running this query
    assert.match(String(self[1]), /FROM pg_stat_activity/);
    await assert.rejects(b.query("SELECT 1/0"), { code: "22012" });
    rows = await read();
    assert.equal(rows.get(b.activity.pid)![0], "idle in transaction (aborted)");
    await b.query("ROLLBACK");
    rows = await read();
    assert.deepEqual(rows.get(b.activity.pid)!.slice(0, 3), ["idle", "ROLLBACK", false]);
    assert.equal(
      await a.query("SELECT pg_backend_pid()").then((r) => r.rows[0]![0]),
      a.activity.pid,
    );
    // a server fills the client fields
    a.activity.user = "alice";
    a.activity.applicationName = "psql";
    a.activity.clientAddress = "127.0.0.1";
    a.activity.clientPort = 54321;
    const mine = await a.query(
      "SELECT usename, application_name, client_addr, client_port, current_user, session_user " +
        "FROM pg_stat_activity WHERE pid = pg_backend_pid()",
    );
    assert.deepEqual(mine.rows, [["alice", "psql", "127.0.0.1", 54321, "alice", "alice"]]);
    assert.equal((await a.query("SHOW application_name")).rows[0]![0], "psql");
    await a.query("SET application_name = 'grafana'");
    assert.equal(a.activity.applicationName, "grafana");
    assert.equal(
      (await a.query("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()"))
        .rows[0]![0],
      "grafana",
    );
    await b.query(`SELECT '${"x".repeat(5000)}'`);
    assert.equal((await read()).get(b.activity.pid)![1], `SELECT '${"x".repeat(1024 - 8)}`);
    await b.close();
    rows = await read();
    assert.equal(rows.has(b.activity.pid), false);
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("session functions: version, settings, schemas, privileges", async () => {
  await using db = await open();
  assert.match(
    String(await one(db, "SELECT version()")),
    /^PostgreSQL 15\.0 \(OmenDB [0-9.]+\) on /,
  );
  assert.equal(await one(db, "SELECT current_database()"), "omendb");
  assert.equal(await one(db, "SELECT current_catalog"), "omendb");
  assert.deepEqual((await db.query("SELECT current_user, session_user, user")).rows, [[
    "omendb",
    "omendb",
    "omendb",
  ]]);
  assert.deepEqual(
    (await db.query("SELECT current_user, user")).columns.map((c) => c.name),
    ["current_user", "user"],
  );
  assert.equal(await one(db, "SELECT current_setting('TimeZone')"), "UTC");
  await assert.rejects(db.query("SELECT current_setting('nosuch')"), { code: "42704" });
  assert.equal(await one(db, "SELECT current_setting('nosuch', true)"), null);
  assert.equal(await one(db, "SELECT set_config('application_name', 'grafana', false)"), "grafana");
  assert.deepEqual((await db.query("SHOW application_name")).rows, [["grafana"]]);
  assert.equal(await one(db, "SELECT current_schemas(false)"), "{public}");
  assert.equal(await one(db, "SELECT current_schemas(true)"), "{pg_catalog,public}");
  assert.equal(await one(db, "SELECT current_schema()"), "public");
  assert.equal(await one(db, "SELECT pg_encoding_to_char(6)"), "UTF8");
  assert.equal(await one(db, "SELECT pg_get_userbyid(10)"), "omendb");
  assert.equal(await one(db, "SELECT pg_get_userbyid(12345)"), "unknown (OID=12345)");
  assert.equal(await one(db, "SELECT has_table_privilege('pg_class', 'SELECT')"), true);
  assert.equal(await one(db, "SELECT has_schema_privilege('omendb', 'public', 'USAGE')"), true);
  assert.equal(await one(db, "SELECT obj_description(1259, 'pg_class')"), null);
  assert.equal(await one(db, "SELECT pg_typeof(1.5::float8)"), "double precision");
  assert.equal(await one(db, "SELECT pg_is_in_recovery()"), false);
  assert.equal(await one(db, "SELECT 'pg_toast' ~ '^pg_'"), true);
  assert.equal(await one(db, "SELECT 'public' OPERATOR(pg_catalog.!~) '^pg_'"), true);
});

Deno.test("SET, SHOW, RESET, DISCARD ALL and UNLISTEN * as clients send them at connect", async () => {
  await using db = await open();
  const s = db.session();
  try {
    for (
      const sql of [
        "SET extra_float_digits = 3",
        "SET DateStyle = 'ISO, MDY'",
        "SET client_encoding = 'UTF8'",
        "SET application_name = 'PostgreSQL JDBC Driver'",
        "SET TimeZone = 'Europe/Berlin'",
        "SET search_path = public",
        "SET statement_timeout = 5000",
        "SET intervalstyle = 'postgres'",
        "SET lock_timeout = '1s'",
        "SET bytea_output = 'hex'",
        "SET row_security = off",
        "SET check_function_bodies = false",
      ]
    ) await s.query(sql);
    assert.deepEqual((await s.query("SHOW TimeZone")).columns.map((c) => c.name), ["TimeZone"]);
    assert.equal((await s.query("SHOW statement_timeout")).rows[0]![0], "5000");
    assert.equal((await s.query("SHOW max_identifier_length")).rows[0]![0], "63");
    await assert.rejects(s.query("SET max_identifier_length = 10"), { code: "55P02" });
    await s.query("PREPARE p AS SELECT 1");
    await s.query("UNLISTEN *");
    await s.query("BEGIN");
    await assert.rejects(s.query("DISCARD ALL"), { code: "25001" });
    await s.query("ROLLBACK");
    const r = await s.query("DISCARD ALL");
    assert.equal(r.command, "DISCARD ALL");
    assert.equal(s.prepared.size, 0);
    assert.equal((await s.query("SHOW TimeZone")).rows[0]![0], "UTC");
    assert.equal((await s.query("SHOW application_name")).rows[0]![0], "");
    await s.query("SET TimeZone = 'Asia/Tokyo'; RESET ALL");
    assert.equal((await s.query("SHOW TimeZone")).rows[0]![0], "UTC");
    const settings = await s.query(
      "SELECT name, setting FROM pg_settings WHERE name IN ('TimeZone', 'search_path') ORDER BY 1",
    );
    assert.deepEqual(settings.rows, [["TimeZone", "UTC"], ["search_path", '"$user", public']]);
  } finally {
    await s.close();
  }
});

Deno.test("information_schema: tables, columns and constraints with PostgreSQL's facts", async () => {
  await using db = await open();
  await db.query(
    "CREATE TABLE t (id bigint PRIMARY KEY, name varchar(10) NOT NULL, price numeric(8,2), " +
      "tags text[], UNIQUE (name))",
  );
  const cols = await db.query(
    "SELECT column_name, ordinal_position, is_nullable, data_type, character_maximum_length, " +
      "numeric_precision, numeric_scale, udt_name FROM information_schema.columns " +
      "WHERE table_name = 't' ORDER BY ordinal_position",
  );
  assert.deepEqual(cols.rows, [
    ["id", 1, "NO", "bigint", null, 64, 0, "int8"],
    ["name", 2, "NO", "character varying", 10, null, null, "varchar"],
    ["price", 3, "YES", "numeric", null, 8, 2, "numeric"],
    ["tags", 4, "YES", "ARRAY", null, null, null, "_text"],
  ]);
  assert.deepEqual(
    (await db.query(
      "SELECT table_schema, table_type FROM information_schema.tables WHERE table_name IN " +
        "('t', 'pg_class', 'columns') ORDER BY 1",
    )).rows,
    [["information_schema", "VIEW"], ["pg_catalog", "BASE TABLE"], ["public", "BASE TABLE"]],
  );
  const keys = await db.query(
    "SELECT tc.constraint_type, kc.column_name FROM information_schema.table_constraints tc " +
      "JOIN information_schema.key_column_usage kc ON tc.constraint_name = kc.constraint_name " +
      "WHERE tc.table_name = 't' ORDER BY 1",
  );
  assert.deepEqual(keys.rows, [["PRIMARY KEY", "id"], ["UNIQUE", "name"]]);
  assert.deepEqual(
    (await db.query("SELECT schema_name FROM information_schema.schemata ORDER BY 1")).rows,
    [["information_schema"], ["pg_catalog"], ["pg_toast"], ["public"]],
  );
});

Deno.test("system relations are a plugin: without it they do not exist; others can add theirs", async () => {
  const without = await Database.open({
    memory: true,
    plugins: defaultPlugins.filter((p) => p.name !== "pg_catalog"),
  });
  try {
    await assert.rejects(without.query("SELECT * FROM pg_class"), { code: "42P01" });
    await assert.rejects(without.query("SELECT 'x'::regclass"), { code: "42704" });
  } finally {
    await without.close();
  }
  const metrics: Plugin = {
    name: "my_metrics",
    apiVersion: 1,
    register(registry) {
      registry.addSystemRelation({
        schema: "my_metrics",
        name: "tables",
        columns: [{ name: "name", type: Types.text }, { name: "columns", type: Types.int4 }],
        rows: (ctx) => ctx.catalog.tables().map((t) => [t.name, t.columns.length]),
      });
    },
  };
  const db = await Database.open({ memory: true, plugins: [...defaultPlugins, metrics] });
  try {
    await db.query("CREATE TABLE a (x int, y int)");
    assert.deepEqual((await db.query("SELECT * FROM my_metrics.tables")).rows, [["a", 2]]);
    // it shows in the catalogs like a built-in one
    assert.deepEqual(
      (await db.query(
        "SELECT n.nspname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
          "JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'tables' AND " +
          "n.nspname = 'my_metrics' ORDER BY a.attnum",
      )).rows,
      [["my_metrics", "name"], ["my_metrics", "columns"]],
    );
  } finally {
    await db.close();
  }
});
