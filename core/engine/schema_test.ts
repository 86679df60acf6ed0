import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { Catalog, type CatalogJson } from "../catalog/catalog.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";
import { defaultLimits } from "../limits.ts";
import { SessionSettings } from "./settings.ts";
import type { Value } from "../types/column.ts";

async function rows(db: Database, sql: string): Promise<readonly (readonly Value[])[]> {
  return (await db.query(sql)).rows;
}

/** The error a statement fails with (its code, message, detail and hint), or `null`. */
async function failure(
  db: Database,
  sql: string,
): Promise<{ code: string; message: string; detail?: string; hint?: string } | null> {
  try {
    await db.query(sql);
  } catch (e) {
    assert.ok(e instanceof DbError, `not a DbError: ${e}`);
    return {
      code: e.code,
      message: e.message,
      ...(e.detail === undefined ? {} : { detail: e.detail }),
      ...(e.hint === undefined ? {} : { hint: e.hint }),
    };
  }
  return null;
}

async function code(db: Database, sql: string): Promise<string> {
  return (await failure(db, sql))?.code ?? "ok";
}

Deno.test("CREATE SCHEMA and DROP SCHEMA: IF [NOT] EXISTS, duplicates, reserved names", async () => {
  const db = await Database.open({ memory: true });
  assert.equal((await db.query("CREATE SCHEMA s")).command, "CREATE SCHEMA");
  assert.deepEqual(await failure(db, "CREATE SCHEMA s"), {
    code: "42P06",
    message: 'schema "s" already exists',
  });
  assert.equal(await code(db, "CREATE SCHEMA IF NOT EXISTS s"), "ok");
  assert.deepEqual(await failure(db, "CREATE SCHEMA pg_x"), {
    code: "42939",
    message: 'unacceptable schema name "pg_x"',
    detail: 'The prefix "pg_" is reserved for system schemas.',
  });
  assert.equal(await code(db, "CREATE SCHEMA IF NOT EXISTS pg_catalog"), "42939");
  assert.equal(await code(db, "CREATE SCHEMA information_schema"), "42939");
  assert.equal(await code(db, "CREATE SCHEMA s AUTHORIZATION bob"), "0A000");
  assert.equal(await code(db, "CREATE SCHEMA s2 CREATE TABLE t (a int)"), "0A000");
  // quoted names are kept verbatim and are case-sensitive
  await db.query('CREATE SCHEMA "my-db"');
  await db.query('CREATE SCHEMA "S"');
  assert.equal(await code(db, 'CREATE SCHEMA "my-db"'), "42P06");
  assert.deepEqual(await failure(db, "DROP SCHEMA nope"), {
    code: "3F000",
    message: 'schema "nope" does not exist',
  });
  // one missing name fails the whole statement
  assert.equal(await code(db, 'DROP SCHEMA "S", nope'), "3F000");
  assert.equal((await db.query('DROP SCHEMA IF EXISTS nope, "S"')).command, "DROP SCHEMA");
  assert.equal(await code(db, 'CREATE SCHEMA "S"'), "ok");
  await db.query('DROP SCHEMA s, "S", "my-db", s RESTRICT');
  assert.equal(await code(db, "CREATE TABLE s.t (a int)"), "3F000");
  await db.close();
});

Deno.test("DROP SCHEMA RESTRICT: 2BP01 with PostgreSQL's message, detail and hint", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (id serial PRIMARY KEY, v int)");
  await db.query("CREATE INDEX ON s.t (v)");
  await db.query("CREATE VIEW s.v AS SELECT v FROM s.t");
  await db.query("CREATE SEQUENCE s.q");
  const hint = "Use DROP ... CASCADE to drop the dependent objects too.";
  // the SERIAL sequence and the indexes go with their table, so they are not listed
  assert.deepEqual(await failure(db, "DROP SCHEMA s"), {
    code: "2BP01",
    message: "cannot drop schema s because other objects depend on it",
    detail: "table s.t depends on schema s\nview s.v depends on schema s\n" +
      "sequence s.q depends on schema s",
    hint,
  });
  // names the search path finds are written bare, as PostgreSQL writes them
  await db.query("SET search_path TO s, public");
  assert.equal(
    (await failure(db, "DROP SCHEMA s RESTRICT"))?.detail,
    "table t depends on schema s\nview v depends on schema s\nsequence q depends on schema s",
  );
  await db.query("RESET search_path");
  await db.query('CREATE SCHEMA "My-S"');
  await db.query('CREATE TABLE "My-S"."T x" (a int)');
  assert.deepEqual(await failure(db, 'DROP SCHEMA "My-S"'), {
    code: "2BP01",
    message: "cannot drop schema My-S because other objects depend on it",
    detail: 'table "My-S"."T x" depends on schema My-S',
    hint,
  });
  await db.query("CREATE SCHEMA empty");
  assert.equal(
    (await failure(db, "DROP SCHEMA empty, s"))?.message,
    "cannot drop desired object(s) because other objects depend on them",
  );
  assert.deepEqual(await rows(db, "SELECT count(*) FROM s.t"), [[0n]], "nothing was dropped");
  assert.equal(await code(db, "DROP SCHEMA empty"), "ok");
  await db.close();
});

Deno.test("DROP SCHEMA CASCADE drops its tables, views, indexes and sequences", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (id serial PRIMARY KEY, v int)");
  await db.query("INSERT INTO s.t (v) VALUES (1), (2)");
  await db.query("CREATE INDEX t_v ON s.t (v)");
  await db.query("CREATE VIEW s.v AS SELECT v FROM s.t");
  await db.query("CREATE SEQUENCE s.q");
  await db.query("CREATE TABLE t (a int)"); // public.t is another table
  await db.query("INSERT INTO t VALUES (7)");
  assert.equal((await db.query("DROP SCHEMA s CASCADE")).command, "DROP SCHEMA");
  assert.equal(await code(db, "SELECT * FROM s.t"), "42P01");
  assert.equal(await code(db, "SELECT nextval('s.q')"), "3F000");
  assert.deepEqual(await rows(db, "SELECT a FROM t"), [[7]]);
  // the names are free again
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (id serial PRIMARY KEY, v int)");
  await db.query("CREATE INDEX t_v ON s.t (v)");
  await db.query("CREATE VIEW s.v AS SELECT v FROM s.t");
  await db.query("CREATE SEQUENCE s.q");
  assert.deepEqual(await rows(db, "INSERT INTO s.t (v) VALUES (5) RETURNING id, v"), [[1, 5]]);
  assert.deepEqual(await rows(db, "SELECT nextval('s.q')"), [[1n]]);
  await db.close();
});

Deno.test("public can be dropped and created again, as in PostgreSQL", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a int)");
  await db.query("DROP SCHEMA public CASCADE");
  assert.deepEqual(await failure(db, "CREATE TABLE t (a int)"), {
    code: "3F000",
    message: "no schema has been selected to create in",
  });
  assert.deepEqual(await rows(db, "SELECT current_schema"), [[null]]);
  await db.query("CREATE SCHEMA public");
  await db.query("CREATE TABLE t (a int)");
  assert.deepEqual(await rows(db, "SELECT current_schema()"), [["public"]]);
  await db.close();
});

Deno.test("schema-qualified names in DML, DDL, COPY and nextval", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (id serial PRIMARY KEY, v int, w text DEFAULT 'd')");
  await db.query("CREATE TABLE t (id int, v int)"); // public.t: a different table
  assert.deepEqual(
    await rows(db, "INSERT INTO s.t (v) VALUES (10), (20) RETURNING id, v, w"),
    [[1, 10, "d"], [2, 20, "d"]],
  );
  await db.query("INSERT INTO t VALUES (1, 100)");
  assert.deepEqual(await rows(db, "UPDATE s.t SET v = v + 1 WHERE id = 1 RETURNING v"), [[11]]);
  assert.equal((await db.query("DELETE FROM s.t WHERE id = 2")).command, "DELETE 1");
  assert.deepEqual(
    await rows(
      db,
      "INSERT INTO s.t VALUES (1, 5) ON CONFLICT (id) DO UPDATE SET v = excluded.v RETURNING v",
    ),
    [[5]],
  );
  // same-named tables of two schemas in one FROM, told apart by schema.table.column
  assert.deepEqual(
    await rows(db, "SELECT s.t.v, public.t.v, omendb.s.t.id FROM s.t, public.t"),
    [[5, 100, 1]],
  );
  assert.deepEqual(await rows(db, "SELECT * FROM s.t JOIN t USING (id)"), [[1, 5, "d", 100]]);
  assert.equal(await code(db, "SELECT * FROM s.t, s.t"), "42712");
  // DDL on qualified names
  await db.query("ALTER TABLE s.t ADD COLUMN z int DEFAULT 7");
  await db.query("CREATE INDEX t_z ON s.t (z)");
  await db.query("DROP INDEX s.t_z");
  await db.query("CREATE VIEW s.big AS SELECT id FROM s.t WHERE v > 1");
  assert.deepEqual(await rows(db, "SELECT * FROM s.big"), [[1]]);
  await db.query("CREATE SEQUENCE s.q START 42");
  assert.deepEqual(await rows(db, "SELECT nextval('s.q'), nextval('S.Q')"), [[42n, 43n]]);
  await db.query("DROP SEQUENCE s.q");
  await db.query("DROP VIEW s.big");
  const dir = await Deno.makeTempDir();
  try {
    await db.query(`COPY s.t (v) TO '${dir}/v.csv' (FORMAT csv)`);
    await db.query(`COPY s.t (v) FROM '${dir}/v.csv' (FORMAT csv)`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await rows(db, "SELECT id, v FROM s.t ORDER BY id"), [[1, 5], [3, 5]]);
  await db.query("TRUNCATE s.t RESTART IDENTITY");
  assert.deepEqual(await rows(db, "INSERT INTO s.t (v) VALUES (1) RETURNING id"), [[1]]);
  await db.query("ALTER TABLE s.t RENAME TO u");
  assert.deepEqual(await rows(db, "SELECT v FROM s.u"), [[1]]);
  await db.query("DROP TABLE s.u");
  assert.deepEqual(await rows(db, "SELECT v FROM t"), [[100]]);
  // line-protocol names: quoted schemas with any characters
  await db.query('CREATE SCHEMA "my-db"');
  await db.query('CREATE TABLE "my-db"."cpu load" (host text, v float8)');
  await db.query(`INSERT INTO "my-db"."cpu load" VALUES ('a', 0.5)`);
  assert.deepEqual(await rows(db, 'SELECT host, v FROM "my-db"."cpu load"'), [["a", 0.5]]);
  await db.close();
});

Deno.test("unknown schemas and relations fail with PostgreSQL's codes and messages", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  const relation = (name: string) => ({
    code: "42P01",
    message: `relation "${name}" does not exist`,
  });
  const schema = { code: "3F000", message: 'schema "nos" does not exist' };
  // SELECT, INSERT, UPDATE, DELETE name the relation as written, also for a missing schema
  assert.deepEqual(await failure(db, "SELECT * FROM nos.t"), relation("nos.t"));
  assert.deepEqual(await failure(db, "SELECT * FROM s.nope"), relation("s.nope"));
  assert.deepEqual(await failure(db, "INSERT INTO s.nope VALUES (1)"), relation("s.nope"));
  assert.deepEqual(await failure(db, "UPDATE s.nope SET a = 1"), relation("s.nope"));
  assert.deepEqual(await failure(db, "DELETE FROM nos.t"), relation("nos.t"));
  // DDL and COPY check the schema first
  for (
    const sql of [
      "CREATE TABLE nos.t (a int)",
      "CREATE VIEW nos.v AS SELECT 1",
      "CREATE SEQUENCE nos.q",
      "CREATE INDEX ON nos.t (a)",
      "ALTER TABLE nos.t ADD COLUMN b int",
      "TRUNCATE nos.t",
      "COPY nos.t FROM '/tmp/x.csv'",
      "DROP TABLE nos.t",
      "DROP VIEW nos.v",
      "DROP INDEX nos.i",
      "DROP SEQUENCE nos.q",
      "SELECT nextval('nos.q')",
    ]
  ) assert.deepEqual(await failure(db, sql), schema, sql);
  assert.deepEqual(await failure(db, "ALTER TABLE s.nope ADD COLUMN b int"), relation("s.nope"));
  assert.deepEqual(await failure(db, "TRUNCATE s.nope"), relation("s.nope"));
  assert.deepEqual(await failure(db, "SELECT nextval('s.nope')"), relation("s.nope"));
  assert.deepEqual(await failure(db, "DROP TABLE s.nope"), {
    code: "42P01",
    message: 'table "nope" does not exist',
  });
  assert.equal(await code(db, "DROP TABLE IF EXISTS nos.t, s.nope"), "ok");
  assert.equal(await code(db, "ALTER TABLE IF EXISTS s.nope ADD COLUMN b int"), "ok");
  await db.query("CREATE TABLE s.t (a int)");
  assert.deepEqual(await failure(db, "CREATE TABLE s.t (a int)"), {
    code: "42P07",
    message: 'relation "t" already exists',
  });
  assert.equal(await code(db, "SELECT * FROM x.s.t"), "0A000");
  await db.close();
});

Deno.test("search_path: unqualified names resolve through it and CREATE uses its first schema", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(await rows(db, "SHOW search_path"), [['"$user", public']]);
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE t (a int)");
  await db.query("INSERT INTO t VALUES (1)");
  await db.query("SET search_path TO s, public");
  assert.deepEqual(await rows(db, "SHOW search_path"), [["s, public"]]);
  assert.deepEqual(await rows(db, "SELECT current_schema"), [["s"]]);
  assert.deepEqual(await rows(db, "SELECT a FROM t"), [[1]], "found in public");
  await db.query("CREATE TABLE t (a int, b text)"); // goes to s, the first schema
  await db.query("INSERT INTO t VALUES (2, 'x')");
  assert.deepEqual(await rows(db, "SELECT * FROM t"), [[2, "x"]], "s.t now comes first");
  assert.deepEqual(await rows(db, "SELECT a FROM public.t"), [[1]]);
  await db.query("CREATE SEQUENCE q");
  await db.query("CREATE TABLE c (id serial, v int)");
  assert.deepEqual(await rows(db, "SELECT nextval('q'), nextval('s.q')"), [[1n, 2n]]);
  await db.query("SET search_path TO public");
  assert.equal(await code(db, "SELECT nextval('q')"), "42P01");
  // a SERIAL default finds its own sequence whatever the path says
  assert.deepEqual(await rows(db, "INSERT INTO s.c (v) VALUES (9) RETURNING id"), [[1]]);
  // the first existing schema of the path takes new objects; none at all is 3F000
  await db.query('SET search_path TO "$user", nope, s');
  await db.query("CREATE VIEW v AS SELECT b FROM t");
  assert.deepEqual(await rows(db, "SELECT * FROM s.v"), [["x"]]);
  await db.query("SET search_path TO nope");
  assert.deepEqual(await failure(db, "CREATE TABLE u (a int)"), {
    code: "3F000",
    message: "no schema has been selected to create in",
  });
  assert.equal(await code(db, "CREATE SEQUENCE u"), "3F000");
  assert.deepEqual(await failure(db, "SELECT * FROM t"), {
    code: "42P01",
    message: 'relation "t" does not exist',
  });
  // a view looks its bare names up where they were when it was created
  assert.deepEqual(await rows(db, "SELECT * FROM s.v"), [["x"]]);
  // list items are identifiers: quoted ones verbatim, strings whole
  await db.query(`SET search_path TO "My S", 'a,b', Public`);
  assert.deepEqual(await rows(db, "SHOW search_path"), [['"My S", "a,b", public']]);
  await db.query("RESET search_path");
  assert.deepEqual(await rows(db, "SELECT * FROM t"), [[1]]);
  await db.close();
});

Deno.test("search_path is per session", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (a int)");
  await db.query("INSERT INTO s.t VALUES (1)");
  const one = db.session();
  const two = db.session();
  await one.query("SET search_path = s");
  assert.deepEqual((await one.query("SELECT a FROM t")).rows, [[1]]);
  await assert.rejects(
    two.query("SELECT a FROM t"),
    (e) => e instanceof DbError && e.code === "42P01",
  );
  await one.close();
  await two.close();
  await db.close();
});

Deno.test("schema changes are DDL: not inside a block, not over a table an open block wrote", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA s");
  await db.query("CREATE TABLE s.t (a int)");
  const session = db.session();
  await session.query("BEGIN");
  for (const sql of ["CREATE SCHEMA x", "DROP SCHEMA s CASCADE", "ALTER SCHEMA s RENAME TO x"]) {
    await assert.rejects(session.query(sql), (e) => e instanceof DbError && e.code === "25001");
    await session.query("ROLLBACK");
    await session.query("BEGIN");
  }
  await session.query("INSERT INTO s.t VALUES (1)");
  assert.equal(await code(db, "DROP SCHEMA s CASCADE"), "55006");
  assert.equal(await code(db, "ALTER SCHEMA s RENAME TO x"), "55006");
  await session.query("COMMIT");
  await db.query("ALTER SCHEMA s RENAME TO x");
  assert.deepEqual(await rows(db, "SELECT a FROM x.t"), [[1]]);
  await session.close();
  await db.close();
});

Deno.test("ALTER SCHEMA RENAME TO moves what it holds", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA a");
  await db.query("CREATE SCHEMA b");
  await db.query("SET search_path TO a");
  await db.query("CREATE TABLE t (id serial PRIMARY KEY, v int)");
  await db.query("CREATE VIEW v AS SELECT v FROM t");
  await db.query("INSERT INTO t (v) VALUES (1)");
  await db.query("RESET search_path");
  assert.equal((await db.query('ALTER SCHEMA a RENAME TO "a 2"')).command, "ALTER SCHEMA");
  assert.equal(await code(db, "SELECT * FROM a.t"), "42P01");
  assert.deepEqual(await rows(db, 'INSERT INTO "a 2".t (v) VALUES (2) RETURNING id'), [[2]]);
  assert.deepEqual(await rows(db, 'SELECT * FROM "a 2".v ORDER BY v'), [[1], [2]]);
  assert.deepEqual(await failure(db, 'ALTER SCHEMA b RENAME TO "a 2"'), {
    code: "42P06",
    message: 'schema "a 2" already exists',
  });
  assert.equal(await code(db, "ALTER SCHEMA nope RENAME TO c"), "3F000");
  assert.equal(await code(db, "ALTER SCHEMA b RENAME TO pg_b"), "42939");
  await db.close();
});

Deno.test("ALTER SCHEMA RENAME TO refuses while a view or default names the schema", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE SCHEMA b");
  await db.query("CREATE TABLE b.t (a int)");
  await db.query("CREATE VIEW w AS SELECT a FROM b.t");
  const f = await failure(db, "ALTER SCHEMA b RENAME TO c");
  assert.equal(f?.code, "0A000");
  assert.equal(f?.message, "cannot rename schema b: view public.w names it");
  await db.query("DROP VIEW w");
  await db.query("CREATE SEQUENCE b.q");
  await db.query("CREATE TABLE u (a int DEFAULT nextval('b.q'))");
  assert.match((await failure(db, "ALTER SCHEMA b RENAME TO c"))!.message, /default of column a/);
  await db.query("DROP TABLE u");
  await db.query("ALTER SCHEMA b RENAME TO c");
  assert.deepEqual(await rows(db, "SELECT nextval('c.q')"), [[1n]]);
  await db.close();
});

Deno.test("insertColumns takes a schema, by default the search path's", async () => {
  const db = await Database.open({ memory: true });
  await db.query('CREATE SCHEMA "my-db"');
  await db.query('CREATE TABLE "my-db".cpu (host text, v float8)');
  await db.query("CREATE TABLE cpu (host text, v float8)");
  assert.equal(
    await db.insertColumns("cpu", { host: ["a"], v: new Float64Array([1]) }, { schema: "my-db" }),
    1,
  );
  await db.insertColumns("cpu", { host: ["b", "c"], v: new Float64Array([2, 3]) });
  assert.deepEqual(await rows(db, 'SELECT host FROM "my-db".cpu'), [["a"]]);
  assert.deepEqual(await rows(db, "SELECT count(*) FROM public.cpu"), [[2n]]);
  await db.query('SET search_path TO "my-db", public'); // the default session's path
  await db.insertColumns("cpu", { host: ["d"] });
  assert.deepEqual(await rows(db, 'SELECT host FROM "my-db".cpu ORDER BY host'), [["a"], ["d"]]);
  await assert.rejects(
    db.insertColumns("cpu", { host: ["x"] }, { schema: "nope" }),
    (e) => e instanceof DbError && e.code === "3F000",
  );
  await assert.rejects(
    db.insertColumns("mem", { host: ["x"] }, { schema: "my-db" }),
    (e) =>
      e instanceof DbError && e.code === "42P01" &&
      e.message === 'relation "my-db.mem" does not exist',
  );
  await db.close();
});

Deno.test("schemas survive a clean reopen (catalog in the manifest)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await Database.open({ path: dir });
    await db.query('CREATE SCHEMA "my-db"');
    await db.query("CREATE SCHEMA gone");
    await db.query("CREATE SCHEMA old");
    await db.query('CREATE TABLE "my-db".cpu (id serial, v float8)');
    await db.query('INSERT INTO "my-db".cpu (v) VALUES (0.5)');
    await db.query("CREATE TABLE gone.t (a int)");
    await db.query("INSERT INTO gone.t VALUES (1)");
    await db.query("SET search_path TO old");
    await db.query("CREATE TABLE t (a int)");
    await db.query("CREATE VIEW v AS SELECT a FROM t");
    await db.query("INSERT INTO t VALUES (3)");
    await db.query("RESET search_path");
    await db.query("CHECKPOINT");
    await db.query("DROP SCHEMA gone CASCADE");
    await db.query("ALTER SCHEMA old RENAME TO renamed");
    await db.close();
    const again = await Database.open({ path: dir });
    assert.deepEqual(await rows(again, 'SELECT id, v FROM "my-db".cpu'), [[1, 0.5]]);
    assert.deepEqual(await rows(again, 'INSERT INTO "my-db".cpu (v) VALUES (1) RETURNING id'), [[
      2,
    ]]);
    assert.equal(await code(again, "SELECT * FROM gone.t"), "42P01");
    assert.equal(await code(again, "CREATE TABLE gone.t (a int)"), "3F000");
    assert.deepEqual(await rows(again, "SELECT a FROM renamed.v"), [[3]]);
    assert.equal(await code(again, 'CREATE SCHEMA "my-db"'), "42P06");
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const checkpoint of [false, true]) {
  const over = checkpoint ? " over a checkpoint" : "";
  Deno.test(`schema changes replay from the WAL after a crash${over}`, async () => {
    const fs = new MemoryFileSystem();
    const env = { ...realEnv(), fs };
    const db = await Database.open({ path: "/data", env });
    await db.query("CREATE SCHEMA a");
    await db.query("CREATE SCHEMA b");
    await db.query("CREATE SCHEMA c");
    await db.query("CREATE TABLE a.t (id serial, v int)");
    await db.query("CREATE TABLE b.t (v int)");
    await db.query("CREATE VIEW b.v AS SELECT v FROM b.t");
    await db.query("INSERT INTO a.t (v) VALUES (1), (2)");
    await db.query("INSERT INTO b.t VALUES (3)");
    if (checkpoint) await db.query("CHECKPOINT"); // the catalog and rows so far in the manifest
    await db.query("DROP SCHEMA b CASCADE");
    await db.query("ALTER SCHEMA a RENAME TO z");
    await db.query("INSERT INTO z.t (v) VALUES (4)");
    await db.query("DROP SCHEMA c");
    await db.query("CREATE SCHEMA b"); // the name again, now empty
    fs.crash(); // not close(): recovery replays the WAL
    const logged: Record<string, unknown>[] = [];
    const after = await Database.open({ path: "/data", env, log: (e) => logged.push(e) });
    const recovered = logged.find((e) => e.event === "recovered");
    assert.equal(recovered?.checkpointLsn === "0", !checkpoint);
    assert.deepEqual(await rows(after, "SELECT id, v FROM z.t ORDER BY id"), [
      [1, 1],
      [2, 2],
      [3, 4],
    ]);
    assert.equal(await code(after, "SELECT * FROM b.t"), "42P01");
    assert.equal(await code(after, "SELECT * FROM a.t"), "42P01");
    assert.equal(await code(after, "DROP SCHEMA b"), "ok");
    assert.equal(await code(after, "CREATE TABLE c.t (a int)"), "3F000");
    fs.crash();
    const third = await Database.open({ path: "/data", env });
    assert.equal(await code(third, "CREATE SCHEMA b"), "ok", "the DROP was replayed too");
    assert.deepEqual(await rows(third, "SELECT count(*) FROM z.t"), [[3n]]);
    await third.close();
  });
}

Deno.test("a catalog written before schemas existed loads: public and the schemas in use", () => {
  const old = {
    version: 1,
    nextTableId: 2,
    tables: [{
      id: 1,
      schema: "public",
      name: "t",
      columns: [{ id: 1, name: "a", type: { kind: "int4" }, notNull: false, default: null }],
      nextColumnId: 2,
    }],
    views: [{ schema: "public", name: "v", sql: "SELECT a FROM t", columns: [] }],
    indexes: [],
    sequences: [],
  } as unknown as CatalogJson;
  const catalog = new Catalog(defaultLimits);
  catalog.createSchema("leftover");
  catalog.restore(old);
  assert.deepEqual(catalog.schemas(), ["public"]);
  assert.equal(catalog.getTable("public", "t")?.id, 1);
  catalog.createSchema("s");
  assert.deepEqual(catalog.toJson().schemas, ["public", "s"]);
});

Deno.test("search_path must be a valid list of names (22023)", () => {
  const s = new SessionSettings();
  // PostgreSQL's SplitIdentifierString: an unclosed quote, junk after a quoted name, an empty name
  for (const bad of ['"a', '"a"x', "a,,b"]) {
    assert.throws(
      () => s.set("search_path", bad),
      (e) => e instanceof DbError && e.code === "22023",
    );
  }
  s.set("search_path", 'a"b'); // as in PostgreSQL: a quote inside a bare name is a character
  assert.deepEqual(s.searchPath(), ['a"b']);
  s.set("search_path", ' Foo , "Bar", "" ');
  assert.deepEqual(s.searchPath(), ["foo", "Bar", ""]);
  s.set("search_path", "");
  assert.deepEqual(s.searchPath(), []);
});
