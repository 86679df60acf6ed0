/**
 * CHECK constraints end to end: column and table constraints, their names, NULL passing,
 * violations by INSERT, UPDATE, COPY and the bulk API storing nothing, errors at CREATE TABLE,
 * ALTER TABLE ADD / DROP CONSTRAINT and their effect on column renames and drops, and
 * persistence through WAL replay and checkpoints. Expected messages, names and details were
 * checked against PostgreSQL 15.
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { MemoryFileSystem, realEnv } from "../env/mod.ts";
import type { Value } from "../types/column.ts";
import { bindStatement } from "../plan/binder.ts";
import { Catalog } from "../catalog/catalog.ts";
import { defaultLimits } from "../limits.ts";
import type { Query } from "../sql/ast.ts";

function plain(rows: readonly (readonly Value[])[]): unknown[][] {
  return rows.map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
}

async function check(db: Database, sql: string, want: unknown[][]): Promise<void> {
  assert.deepEqual(plain((await db.query(sql)).rows), want, sql);
}

/** Runs `sql`, expecting a DbError with these fields (those given). */
async function fails(
  db: Database | Promise<unknown>,
  sql: string,
  want: { code: string; message?: string; detail?: string; position?: number },
): Promise<void> {
  const p = db instanceof Database ? db.query(sql) : db;
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DbError, `${sql}: ${e}`);
    assert.equal(e.code, want.code, `${sql}: ${e.message}`);
    if (want.message !== undefined) assert.equal(e.message, want.message, sql);
    if (want.detail !== undefined) assert.equal(e.detail, want.detail, sql);
    if (want.position !== undefined) assert.equal(e.position, want.position, sql);
    return true;
  });
}

const violation = (table: string, name: string) =>
  `new row for relation "${table}" violates check constraint "${name}"`;

Deno.test("column and table CHECK constraints: names, NULL passes, first failure by name", async () => {
  const db = await Database.open({ memory: true });
  // PostgreSQL names a check by the columns it reads: one column t_<col>_check, else t_check;
  // duplicates get 1, 2, ...; checks are evaluated (and reported) in name order
  await db.query(`CREATE TABLE t (a int CHECK (a > 0), b int, c int CHECK (c > b),
    CHECK (a < 100), CHECK (a > b), CONSTRAINT named CHECK (b <> 7), CHECK (1 < 2),
    CHECK (a > 0))`);
  await fails(db, "INSERT INTO t VALUES (1, 2, 1)", {
    code: "23514",
    message: violation("t", "t_check"),
    detail: "Failing row contains (1, 2, 1).",
  });
  await fails(db, "INSERT INTO t VALUES (-1, 2, 3)", {
    code: "23514",
    message: violation("t", "t_a_check"),
    detail: "Failing row contains (-1, 2, 3).",
  });
  await fails(db, "INSERT INTO t VALUES (5, 7, 8)", {
    code: "23514",
    message: violation("t", "named"),
  });
  await fails(db, "INSERT INTO t VALUES (200, 1, 2)", {
    code: "23514",
    message: violation("t", "t_a_check1"),
  });
  // NULL is not false: a row of NULLs passes every check
  await db.query("INSERT INTO t VALUES (NULL, NULL, NULL), (5, 1, 2)");
  await check(db, "SELECT a, b, c FROM t ORDER BY a", [[5, 1, 2], [null, null, null]]);
  // the first failing row is reported; nothing of the statement is stored
  await fails(db, "INSERT INTO t VALUES (6, 1, 2), (7, 1, 0), (-1, 0, 1)", {
    code: "23514",
    message: violation("t", "t_check"),
    detail: "Failing row contains (7, 1, 0).",
  });
  await check(db, "SELECT count(*) FROM t", [[2]]);
  await db.close();
});

Deno.test("CHECK violations by UPDATE, COPY and insertColumns store nothing", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.open({ memory: true, env: { ...realEnv(), fs } });
  await db.query("CREATE TABLE t (a int CHECK (a > 0), b text DEFAULT 'x' CHECK (b <> ''))");
  await db.query("INSERT INTO t (a) VALUES (1), (2)");
  await fails(db, "UPDATE t SET a = a - 1", {
    code: "23514",
    message: violation("t", "t_a_check"),
    detail: "Failing row contains (0, x).",
  });
  await fails(db, "UPDATE t SET b = '' WHERE a = 2", {
    code: "23514",
    message: violation("t", "t_b_check"),
    detail: "Failing row contains (2, ).",
  });
  await check(db, "SELECT a, b FROM t ORDER BY a", [[1, "x"], [2, "x"]]);
  await db.query("UPDATE t SET a = a + 10");
  await check(db, "SELECT a FROM t ORDER BY a", [[11], [12]]);
  await fs.writeFileAtomic("/in.csv", new TextEncoder().encode("3,y\n-1,z\n4,w\n"));
  await fails(db, "COPY t FROM '/in.csv' (FORMAT csv)", {
    code: "23514",
    message: violation("t", "t_a_check"),
    detail: "Failing row contains (-1, z).",
  });
  // COPY's defaults are checked too
  await fs.writeFileAtomic("/a.csv", new TextEncoder().encode("5\n"));
  await db.query("COPY t (a) FROM '/a.csv' (FORMAT csv)");
  await fails(db.insertColumns("t", { a: new Int32Array([7, -7]) }), "insertColumns", {
    code: "23514",
    message: violation("t", "t_a_check"),
    detail: "Failing row contains (-7, null).",
  });
  await db.insertColumns("t", { a: new Int32Array([8]) });
  await check(db, "SELECT a, b FROM t ORDER BY a", [[5, "x"], [8, null], [11, "x"], [12, "x"]]);
  await db.close();
});

Deno.test("the Failing row detail prints values as PostgreSQL does, long ones cut at 64 bytes", async () => {
  const db = await Database.open({ memory: true });
  await db.query(`CREATE TABLE v (a float8 CHECK (a < 10), b numeric(5,2), c bool, d date,
    e text, f timestamptz)`);
  await fails(
    db,
    "INSERT INTO v VALUES ('nan', 1.5, true, '2020-01-02', NULL, '2020-01-01 00:00:00+00')",
    {
      code: "23514",
      detail: "Failing row contains (NaN, 1.50, t, 2020-01-02, null, 2020-01-01 00:00:00+00).",
    },
  );
  await db.query("CREATE TABLE w (a text CHECK (length(a) < 100))");
  await fails(db, "INSERT INTO w VALUES (repeat('x', 50) || repeat('y', 60) || 'é')", {
    code: "23514",
    detail: `Failing row contains (${"x".repeat(50)}${"y".repeat(14)}...).`,
  });
  await db.close();
});

Deno.test("CREATE TABLE rejects checks PostgreSQL rejects, with positions", async () => {
  const db = await Database.open({ memory: true });
  const cases: [string, string, string, number | undefined][] = [
    ["a int CHECK (a > (SELECT 1))", "0A000", "cannot use subquery in check constraint", 34],
    ["a int CHECK (a IN (SELECT 1))", "0A000", "cannot use subquery in check constraint", 32],
    ["a int CHECK (a > ANY (SELECT 1))", "0A000", "cannot use subquery in check constraint", 32],
    ["a int CHECK (EXISTS (SELECT 1))", "0A000", "cannot use subquery in check constraint", 30],
    [
      "a int CHECK (sum(a) > 0)",
      "42803",
      "aggregate functions are not allowed in check constraints",
      30,
    ],
    [
      "a int CHECK (row_number() OVER () > 0)",
      "42P20",
      "window functions are not allowed in check constraints",
      30,
    ],
    [
      "a int CHECK (generate_series(1, 2) > 0)",
      "0A000",
      "set-returning functions are not allowed in check constraints",
      30,
    ],
    ["a int CHECK (zz > 0)", "42703", 'column "zz" does not exist', 30],
    ["a int CHECK (w.a > 0)", "42P01", 'missing FROM-clause entry for table "w"', 30],
    ["a int CHECK (a > $1)", "42P02", "there is no parameter $1", 34],
    [
      "a int CHECK (a + 1)",
      "42804",
      "argument of CHECK must be type boolean, not type integer",
      30,
    ],
    ["a int CHECK ('x')", "22P02", 'invalid input syntax for type boolean: "x"', 30],
    [
      "a int CONSTRAINT p CHECK (a > 0), CONSTRAINT p CHECK (a < 9)",
      "42710",
      'check constraint "p" already exists',
      undefined,
    ],
    [
      "a int CHECK (a > 0), CONSTRAINT v_a_check CHECK (a < 9)",
      "42710",
      'check constraint "v_a_check" already exists',
      undefined,
    ],
  ];
  for (const [body, code, message, position] of cases) {
    await fails(db, `CREATE TABLE v (${body})`, {
      code,
      message,
      ...(position === undefined ? {} : { position }),
    });
  }
  // nothing was created by any of them
  await db.query("CREATE TABLE v (a int CHECK (v.a > 0) NO INHERIT, CHECK (a < 10) NO INHERIT)");
  await fails(db, "INSERT INTO v VALUES (10)", {
    code: "23514",
    message: violation("v", "v_a_check1"),
  });
  await db.close();
});

Deno.test("CHECK names avoid names used in the schema; key indexes avoid check names", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE w1 (x int, CONSTRAINT q_a_check CHECK (x > 0))");
  await db.query("CREATE TABLE q (a int CHECK (a > 0))");
  await fails(db, "INSERT INTO q VALUES (0)", {
    code: "23514",
    message: violation("q", "q_a_check1"),
  });
  // a named check takes v_a_key: the UNIQUE index becomes v_a_key1 (PostgreSQL)
  await db.query("CREATE TABLE v (a int UNIQUE, CONSTRAINT v_a_key CHECK (a > 0))");
  await fails(db, "INSERT INTO v VALUES (1), (1)", {
    code: "23505",
    message: 'duplicate key value violates unique constraint "v_a_key1"',
  });
  await fails(db, "INSERT INTO v VALUES (0)", {
    code: "23514",
    message: violation("v", "v_a_key"),
  });
  // names longer than 63 bytes are cut as PostgreSQL's makeObjectName cuts them
  const long = "abcdefghij".repeat(6) + "123";
  await db.query(`CREATE TABLE ${long} (${long} int CHECK (${long} > 0), CHECK (${long} < 100))`);
  await fails(db, `INSERT INTO ${long} VALUES (0)`, {
    code: "23514",
    message: violation(long, "abcdefghijabcdefghijabcdefgh_abcdefghijabcdefghijabcdefgh_check"),
  });
  await fails(db, `INSERT INTO ${long} VALUES (100)`, {
    code: "23514",
    message: violation(long, "abcdefghijabcdefghijabcdefgh_abcdefghijabcdefghijabcdefg_check1"),
  });
  // a named key constraint cannot take a check's name
  await fails(db, "CREATE TABLE x (a int, CONSTRAINT x UNIQUE (a), CONSTRAINT x CHECK (a > 0))", {
    code: "42710",
    message: 'constraint "x" for relation "x" already exists',
  });
  // column constraint names name the key indexes too
  await db.query("CREATE TABLE k (a int CONSTRAINT c1 CHECK (a > 0) CONSTRAINT pk PRIMARY KEY)");
  await fails(db, "INSERT INTO k VALUES (1), (1)", {
    code: "23505",
    message: 'duplicate key value violates unique constraint "pk"',
  });
  await fails(db, "INSERT INTO k VALUES (0)", { code: "23514", message: violation("k", "c1") });
  await db.close();
});

Deno.test("ALTER TABLE ADD CHECK validates existing rows; DROP CONSTRAINT; NOT VALID", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE v (a int, b int); INSERT INTO v VALUES (1, 1), (6, 2)");
  await db.query("ALTER TABLE v ADD CHECK (v.a > 0)");
  await fails(db, "ALTER TABLE v ADD CONSTRAINT big CHECK (a > 5)", {
    code: "23514",
    message: 'check constraint "big" of relation "v" is violated by some row',
  });
  await fails(db, "ALTER TABLE v ADD CONSTRAINT v_a_check CHECK (a > 5)", {
    code: "42710",
    message: 'constraint "v_a_check" for relation "v" already exists',
  });
  await db.query("ALTER TABLE v ADD CHECK (a > -5)"); // v_a_check1
  await db.query("ALTER TABLE v ADD CONSTRAINT big CHECK (a > 5) NOT VALID");
  await fails(db, "INSERT INTO v VALUES (2, 2)", { code: "23514", message: violation("v", "big") });
  await fails(db, "ALTER TABLE v ADD CHECK ((SELECT 1) > 0)", { code: "0A000" });
  await fails(db, "ALTER TABLE v ADD CHECK (sum(a) > 0)", { code: "42803" });
  await fails(db, "ALTER TABLE v ADD CHECK (zz > 0)", { code: "42703" });
  await fails(db, "ALTER TABLE v DROP CONSTRAINT nope", {
    code: "42704",
    message: 'constraint "nope" of relation "v" does not exist',
  });
  await db.query("ALTER TABLE v DROP CONSTRAINT IF EXISTS nope");
  await db.query("ALTER TABLE v DROP CONSTRAINT big, DROP CONSTRAINT v_a_check1");
  await db.query("INSERT INTO v VALUES (2, 2)");
  await fails(db, "INSERT INTO v VALUES (0, 2)", {
    code: "23514",
    message: violation("v", "v_a_check"),
  });
  // ADD COLUMN with a CHECK checks the column's fill of the existing rows
  await fails(db, "ALTER TABLE v ADD COLUMN d int DEFAULT -1 CHECK (d > 0)", {
    code: "23514",
    message: 'check constraint "v_d_check" of relation "v" is violated by some row',
  });
  await db.query("ALTER TABLE v ADD COLUMN d int DEFAULT 1 CHECK (d > 0)");
  await fails(db, "INSERT INTO v VALUES (1, 1, 0)", {
    code: "23514",
    message: violation("v", "v_d_check"),
  });
  // the statement is one change: a failing ADD CHECK leaves the earlier actions undone
  await fails(db, "ALTER TABLE v DROP CONSTRAINT v_a_check, ADD CHECK (b > 100)", {
    code: "23514",
  });
  await fails(db, "INSERT INTO v VALUES (0, 2, 1)", {
    code: "23514",
    message: violation("v", "v_a_check"),
  });
  await fails(db, "ALTER TABLE v ADD PRIMARY KEY (a)", { code: "0A000" });
  await db.close();
});

Deno.test("CHECK constraints follow column renames and go with dropped columns", async () => {
  const db = await Database.open({ memory: true });
  await db.query(
    "CREATE TABLE v (a int CHECK (a > 0), b int, c int, CHECK (c > a), CHECK (b > 0))",
  );
  await db.query('ALTER TABLE v RENAME COLUMN a TO "Select"');
  await db.query("ALTER TABLE v RENAME TO vv");
  await fails(db, "INSERT INTO vv VALUES (0, 1, 5)", {
    code: "23514",
    message: violation("vv", "v_a_check"),
  });
  await fails(db, "INSERT INTO vv VALUES (6, 1, 5)", {
    code: "23514",
    message: violation("vv", "v_check"),
  });
  // dropping the column drops v_a_check and v_check (which read it), not v_b_check
  await db.query('ALTER TABLE vv DROP COLUMN "Select"');
  await db.query("INSERT INTO vv VALUES (1, -5)");
  await fails(db, "INSERT INTO vv VALUES (0, 5)", {
    code: "23514",
    message: violation("vv", "v_b_check"),
  });
  await db.close();
});

Deno.test("CHECK constraints survive WAL replay and checkpoints", async () => {
  const fs = new MemoryFileSystem();
  const env = { ...realEnv(), fs };
  let db = await Database.open({ path: "/d", env });
  await db.query(
    "CREATE TABLE t (a int CHECK (a > 0), b text, CONSTRAINT short CHECK (length(b) < 3))",
  );
  await db.query("ALTER TABLE t ADD CONSTRAINT even CHECK (a % 2 = 0)");
  await db.query("ALTER TABLE t RENAME COLUMN a TO x");
  await db.query("INSERT INTO t VALUES (2, 'ab')");
  fs.crash(); // not close(): recovery replays the WAL
  db = await Database.open({ path: "/d", env });
  await fails(db, "INSERT INTO t VALUES (3, 'a')", {
    code: "23514",
    message: violation("t", "even"),
  });
  await fails(db, "INSERT INTO t VALUES (-2, 'a')", {
    code: "23514",
    message: violation("t", "t_a_check"),
  });
  await fails(db, "INSERT INTO t VALUES (4, 'abc')", {
    code: "23514",
    message: violation("t", "short"),
  });
  await db.query("CHECKPOINT");
  await db.query("ALTER TABLE t DROP CONSTRAINT even");
  await db.close(); // a clean close checkpoints: the catalog snapshot holds the checks
  db = await Database.open({ path: "/d", env });
  await db.query("INSERT INTO t VALUES (3, 'a')");
  await fails(db, "INSERT INTO t VALUES (-2, 'a')", {
    code: "23514",
    message: violation("t", "t_a_check"),
  });
  await check(db, "SELECT x, b FROM t ORDER BY x", [[2, "ab"], [3, "a"]]);
  await db.close();
});

Deno.test("the catalog keeps a check's text with unqualified names; a rename rewrites it", async () => {
  const db = await Database.open({ memory: true });
  const parser = db.registry.parser()!;
  const parse = (sql: string) => parser.parse(sql, { limits: defaultLimits })[0]!;
  const catalog = new Catalog(defaultLimits);
  const ctx = {
    catalog,
    registry: db.registry,
    params: [],
    parseQuery: (sql: string): Query => {
      const s = parse(sql);
      assert.ok(s.kind === "query");
      return s.query;
    },
  };
  const created = bindStatement(
    parse(`CREATE TABLE t (a int CHECK (public.t.a > 0 AND "A" IS NULL), "A" int,
      CONSTRAINT c CHECK ( t . a<"A" ))`),
    ctx,
  );
  assert.ok(created.kind === "create_table");
  assert.deepEqual(created.checks, [
    { name: "t_check", sql: 'a > 0 AND "A" IS NULL' },
    { name: "c", sql: 'a<"A"' },
  ]);
  catalog.createTable("public", "t", created.columns, null, created.checks);
  const renamed = bindStatement(parse("ALTER TABLE t RENAME COLUMN a TO b"), ctx);
  assert.ok(renamed.kind === "alter_table");
  assert.deepEqual(renamed.alterations[1], {
    op: "set_checks",
    checks: [
      { name: "t_check", sql: '"b" > 0 AND "A" IS NULL' },
      { name: "c", sql: '"b"<"A"' },
    ],
  });
  await db.close();
});
