/**
 * The catalog queries real PostgreSQL tools send (psql 15's describe commands, Grafana's
 * schema discovery and a time-series panel, Metabase's sync, postgres.js's type fetch), run
 * verbatim through `db.query`: their shape and values against what OmenDB's catalog holds, and,
 * with PostgreSQL 15 installed, against the same queries on a reference server holding the same
 * schema.
 */
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import type { QueryResult } from "../../core/engine/result.ts";
import { formatValue } from "../../core/types/format.ts";
import { psqlQueries } from "./psql_queries.ts";
import { toolQueries } from "./tool_queries.ts";
import { type PgTextResult, postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";

/** The schema both databases hold. */
const schemaSql = [
  "CREATE TABLE cpu (time timestamptz NOT NULL, host text, usage double precision DEFAULT 0, " +
  "n bigint PRIMARY KEY, CHECK (usage >= 0))",
  "CREATE INDEX cpu_host ON cpu (host)",
  "CREATE VIEW v AS SELECT time, host FROM cpu",
  "CREATE SCHEMA s2",
  "CREATE TABLE s2.m (a int)",
  "INSERT INTO cpu VALUES ('2024-01-01T00:00:10Z', 'a', 1, 1), " +
  "('2024-01-01T00:00:50Z', 'a', 3, 2), ('2024-01-01T00:01:10Z', 'b', 5, 3)",
];

/** Opens an in-memory database holding the schema, closed when disposed. */
async function omendb(): Promise<Database & AsyncDisposable> {
  const db = await Database.open({ memory: true });
  for (const sql of schemaSql) await db.query(sql);
  return Object.assign(db, { [Symbol.asyncDispose]: () => db.close() });
}

/** A result as PostgreSQL's text format prints it (what a text-mode client sees). */
function text(r: QueryResult): (string | null)[][] {
  return r.rows.map((row) => row.map((v, i) => formatValue(r.columns[i]!.type, v)));
}

/** Runs `\d name` as psql does: find the OID, then every describe query with it. */
async function describe(
  run: (sql: string) => Promise<{ rows: (string | null)[][]; names: string[] }>,
  name: string,
): Promise<{ rows: (string | null)[][]; names: string[] }[]> {
  const find = psqlQueries("").describeTable[0]!.replace("^(cpu)$", `^(${name})$`);
  const found = await run(find);
  assert.equal(found.rows.length, 1, `\\d ${name} finds one relation`);
  const oid = found.rows[0]![0]!;
  const queries = psqlQueries(oid)[name === "cpu" ? "describeTable" : "describeView"];
  const out = [found];
  for (const q of queries.slice(1)) out.push(await run(q));
  return out;
}

function omendbRunner(db: Database) {
  return async (sql: string) => {
    const r = await db.query(sql);
    return { rows: text(r), names: r.columns.map((c) => c.name) };
  };
}

Deno.test("psql 15: \\d, \\dt, \\di, \\dn, \\l, \\du list what the catalog holds", async () => {
  await using db = await omendb();
  const q = psqlQueries("");
  const rows = async (sql: string) => text(await db.query(sql));
  assert.deepEqual(await rows(q.list[0]!), [
    ["public", "cpu", "table", "omendb"],
    ["public", "v", "view", "omendb"],
  ]);
  assert.deepEqual(await rows(q.listTables[0]!), [["public", "cpu", "table", "omendb"]]);
  assert.deepEqual(await rows(q.listIndexes[0]!), [
    ["public", "cpu_host", "index", "omendb", "cpu"],
    ["public", "cpu_pkey", "index", "omendb", "cpu"],
  ]);
  assert.deepEqual(await rows(q.listSchemas[0]!), [["public", "omendb"], ["s2", "omendb"]]);
  assert.deepEqual(await rows(q.listDatabases[0]!), [
    ["omendb", "omendb", "UTF8", "C", "C", null, "libc", null],
  ]);
  assert.deepEqual(await rows(q.listRoles[0]!), [
    ["omendb", "t", "t", "t", "t", "t", "-1", null, "{}", "f", "f"],
  ]);
  // a table in a schema off the search path is not visible, so \dt does not list it
  await db.query("SET search_path = s2, public");
  assert.deepEqual(await rows(q.listTables[0]!), [
    ["public", "cpu", "table", "omendb"],
    ["s2", "m", "table", "omendb"],
  ]);
});

Deno.test("psql 15: \\d table and \\d view describe columns, indexes and checks", async () => {
  await using db = await omendb();
  const [found, flags, attrs, indexes, checks, ...rest] = await describe(omendbRunner(db), "cpu");
  const oid = (await db.query("SELECT 'cpu'::regclass")).rows[0]![0];
  assert.deepEqual(found!.rows, [[String(oid), "public", "cpu"]]);
  assert.deepEqual(flags!.rows[0]!.slice(0, 3), ["1", "r", "t"]); // relchecks, relkind, relhasindex
  assert.equal(flags!.rows[0]!.at(-1), "heap");
  assert.deepEqual(attrs!.rows, [
    ["time", "timestamp with time zone", null, "t", null, "", ""],
    ["host", "text", null, "f", null, "", ""],
    ["usage", "double precision", "0", "f", null, "", ""],
    ["n", "bigint", null, "t", null, "", ""],
  ]);
  assert.deepEqual(indexes!.rows, [
    [
      "cpu_pkey",
      "t",
      "t",
      "f",
      "t",
      "CREATE UNIQUE INDEX cpu_pkey ON cpu USING btree (n)",
      "PRIMARY KEY (n)",
      "p",
      "f",
      "f",
      "f",
      "0",
    ],
    [
      "cpu_host",
      "f",
      "f",
      "f",
      "t",
      "CREATE INDEX cpu_host ON cpu USING btree (host)",
      null,
      null,
      null,
      null,
      "f",
      "0",
    ],
  ]);
  assert.deepEqual(checks!.rows, [["cpu_usage_check", "CHECK (usage >= 0)"]]);
  // policies, statistics objects, publications, inheritance: none
  for (const r of rest) assert.deepEqual(r.rows, []);
  const view = await describe(omendbRunner(db), "v");
  assert.equal(view[1]!.rows[0]![1], "v");
  assert.deepEqual(view[2]!.rows, [
    ["time", "timestamp with time zone", null, "f", null, "", ""],
    ["host", "text", null, "f", null, "", ""],
  ]);
});

Deno.test("Grafana: schema discovery and a $__timeGroup time-series panel", async () => {
  await using db = await omendb();
  const q = toolQueries;
  assert.deepEqual((await db.query(q.grafanaVersion)).rows, [[1500]]);
  assert.deepEqual((await db.query(q.grafanaTimescale)).rows, []);
  assert.deepEqual((await db.query(q.grafanaSchemas)).rows, [["public"], ["s2"]]);
  // tables on the search path bare, others qualified, in that order
  assert.deepEqual((await db.query(q.grafanaTables)).rows, [["cpu"], ["v"], ["s2.m"]]);
  const columns = await db.query(q.grafanaColumns);
  assert.deepEqual(columns.columns.map((c) => c.name), ["column", "type"]);
  assert.deepEqual(columns.rows, [
    ['"time"', "timestamp with time zone"],
    ["host", "text"],
    ["usage", "double precision"],
    ["n", "bigint"],
  ]);
  const series = await db.query(q.grafanaSeries);
  assert.deepEqual(series.columns.map((c) => c.name), ["time", "metric", "usage"]);
  assert.deepEqual(text(series), [["1704067200", "a", "2"], ["1704067260", "b", "5"]]);
  const bucketed = await db.query(q.grafanaSeriesTimescale);
  assert.deepEqual(text(bucketed), [
    ["2024-01-01 00:00:00+00", "2"],
    ["2024-01-01 00:01:00+00", "5"],
  ]);
});

Deno.test("Metabase: table and field sync, enum types, time zone", async () => {
  await using db = await omendb();
  const q = toolQueries;
  const tables = await db.query(q.metabaseTables);
  assert.deepEqual(tables.columns.map((c) => c.name), [
    "schema",
    "name",
    "type",
    "description",
    "estimated_row_count",
  ]);
  assert.deepEqual(text(tables), [
    ["public", "cpu", "TABLE", null, "3"],
    ["public", "v", "VIEW", null, null],
  ]);
  const fields = await db.query(q.metabaseFields);
  assert.deepEqual(text(fields), [
    ["time", "timestamptz", "0", "public", "cpu", "f", null, "t", "f"],
    ["host", "text", "1", "public", "cpu", "f", null, "f", "f"],
    ["usage", "float8", "2", "public", "cpu", "f", null, "f", "f"],
    ["n", "int8", "3", "public", "cpu", "t", null, "t", "f"],
    ["time", "timestamptz", "0", "public", "v", "f", null, "f", "f"],
    ["host", "text", "1", "public", "v", "f", null, "f", "f"],
  ]);
  assert.deepEqual((await db.query(q.metabaseEnums)).rows, []);
  assert.deepEqual((await db.query(q.metabaseTimezone)).rows, [["UTC"]]);
});

Deno.test("postgres.js: the connect-time array type query pairs each type with its array", async () => {
  await using db = await omendb();
  const r = await db.query(toolQueries.postgresJsTypes);
  assert.deepEqual(r.columns.map((c) => c.name), ["oid", "typarray"]);
  const pairs = new Map(r.rows.map(([oid, arr]) => [Number(oid), Number(arr)]));
  assert.equal(pairs.get(23), 1007); // int4 -> _int4
  assert.equal(pairs.get(25), 1009); // text -> _text
  assert.equal(pairs.get(701), 1022); // float8 -> _float8
  assert.equal(pairs.get(1184), 1185); // timestamptz -> _timestamptz
  const oids = r.rows.map(([oid]) => Number(oid));
  assert.deepEqual(oids, [...oids].sort((a, b) => a - b));
});

Deno.test("DBeaver: the schema, database and schema-list queries it sends at connect", async () => {
  await using db = await omendb();
  const q = toolQueries;
  assert.deepEqual((await db.query(q.dbeaverSchema)).rows, [["public", "omendb"]]);
  const database = await db.query(q.dbeaverDatabase, ["omendb"]);
  assert.equal(database.rows.length, 1);
  assert.deepEqual(database.columns.slice(0, 3).map((c) => c.name), ["oid", "oid", "datname"]);
  assert.deepEqual(database.rows[0]!.slice(0, 3), [16384, 16384, "omendb"]);
  assert.deepEqual((await db.query(q.dbeaverDatabase, ["other"])).rows, []);
  const schemas = await db.query(q.dbeaverSchemas);
  assert.deepEqual(schemas.rows.map((r) => r[2]), [
    "information_schema",
    "pg_catalog",
    "pg_toast",
    "public",
    "s2",
  ]);
  assert.deepEqual(schemas.rows.map((r) => r[0]), schemas.rows.map((r) => r[1]));
});

const pgStatus = await postgresPrereq();

/** A PostgreSQL 15 text result as rows and column names. */
function pgRunner(server: PostgresServer) {
  return async (sql: string) => {
    const r: PgTextResult = await server.query(sql);
    return { rows: r.rows.map((row) => [...row]), names: r.fields.map((f) => f.name) };
  };
}

prereqTest([pgStatus], {
  name: "PostgreSQL 15 gives the same shapes (and, where OmenDB matches it, the same values)",
  fn: async () => {
    await using server = await PostgresServer.start();
    for (const sql of schemaSql) await server.query(sql);
    await using db = await omendb();
    const ours = omendbRunner(db);
    const theirs = pgRunner(server);
    const oursWith = async (sql: string, params: unknown[]) => {
      const r = await db.query(sql, params as string[]);
      return { rows: text(r), names: r.columns.map((c) => c.name) };
    };
    const theirsWith = async (sql: string, params: unknown[]) => {
      const r = await server.query(sql, params);
      return { rows: r.rows.map((row) => [...row]), names: r.fields.map((f) => f.name) };
    };
    const q = psqlQueries("");
    const owner = (rows: (string | null)[][], col: number) =>
      rows.map((r) => r.map((v, i) => (i === col ? "owner" : v)));
    for (const key of ["list", "listTables", "listIndexes"] as const) {
      const a = await ours(q[key][0]!);
      const b = await theirs(q[key][0]!);
      assert.deepEqual(a.names, b.names, key);
      assert.deepEqual(owner(a.rows, 3), owner(b.rows, 3), key);
    }
    for (const key of ["listSchemas", "listDatabases", "listRoles"] as const) {
      const a = await ours(q[key][0]!);
      const b = await theirs(q[key][0]!);
      assert.deepEqual(a.names, b.names, key);
    }
    const a = await describe(ours, "cpu");
    const b = await describe(theirs, "cpu");
    assert.deepEqual(a.map((r) => r.names), b.map((r) => r.names));
    assert.deepEqual(a[2]!.rows, b[2]!.rows); // columns: names, types, defaults, NOT NULL
    assert.deepEqual(a[3]!.rows, b[3]!.rows); // indexes and their constraints
    assert.deepEqual(a[4]!.rows.map((r) => r[0]), b[4]!.rows.map((r) => r[0])); // check names
    const av = await describe(ours, "v");
    const bv = await describe(theirs, "v");
    assert.deepEqual(av[2]!.rows, bv[2]!.rows);
    for (const [key, sql] of Object.entries(toolQueries)) {
      if (key === "grafanaSeriesTimescale") continue; // time_bucket is TimescaleDB's
      const params = sql.includes("$1") ? [key.startsWith("dbeaver") ? "postgres" : ""] : [];
      const x = await (params.length > 0 ? oursWith(sql, ["omendb"]) : ours(sql));
      const y = await (params.length > 0 ? theirsWith(sql, params) : theirs(sql));
      assert.deepEqual(x.names, y.names, key);
      if (key === "postgresJsTypes") continue; // PostgreSQL has more types
      // 1500 vs 1518; the server's default time zone (Etc/UTC there); user and database names;
      // the schemas' and database's OIDs (PostgreSQL assigns some at initdb)
      const differ = ["grafanaVersion", "metabaseTimezone", "dbeaverSchema", "dbeaverDatabase"];
      if (differ.includes(key)) continue;
      if (key === "dbeaverSchemas") {
        assert.deepEqual(x.rows.map((r) => r[2]), y.rows.map((r) => r[2]));
        continue;
      }
      if (key === "metabaseTables") {
        // estimated_row_count: storage's estimate here, the statistics collector's (0) there
        assert.deepEqual(x.rows.map((r) => r.slice(0, 4)), y.rows.map((r) => r.slice(0, 4)));
        continue;
      }
      assert.deepEqual(x.rows, y.rows, key);
    }
  },
});
