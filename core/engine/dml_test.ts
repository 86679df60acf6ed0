/**
 * INSERT / UPDATE / DELETE with RETURNING, UPDATE ... FROM, DELETE ... USING, multi-column SET
 * and EXPLAIN of DML, through the real engine. Every expected answer and error code is what
 * PostgreSQL 15 returns for the same statements (checked against a PostgreSQL 15 server).
 */
import assert from "node:assert/strict";
import { Database, DbError, type QueryResult } from "../../mod.ts";
import type { Value } from "../types/column.ts";

async function setup(): Promise<Database> {
  const db = await Database.open({ memory: true });
  await db.query(`
    CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT);
    CREATE TABLE s (id INT, v INT, w TEXT);
    INSERT INTO t VALUES (1, 10, 'x'), (2, 20, NULL), (3, NULL, 'z');
    INSERT INTO s VALUES (1, 100, 'one'), (2, 200, 'two'), (2, 200, 'two-dup'), (4, 400, 'four'),
      (NULL, 5, 'null-id');
  `);
  return db;
}

function plain(rows: readonly (readonly Value[])[]): unknown[][] {
  return rows.map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
}

/** Sorted rows, for results whose order PostgreSQL leaves open. */
function sorted(rows: unknown[][]): unknown[][] {
  return [...rows].sort((x, y) => JSON.stringify(x) < JSON.stringify(y) ? -1 : 1);
}

async function run(
  db: Database,
  sql: string,
  want: { command: string; columns?: string[]; rows?: unknown[][] },
): Promise<QueryResult> {
  const r = await db.query(sql);
  assert.equal(r.command, want.command, sql);
  assert.equal(r.rowCount, Number(want.command.split(" ").at(-1)), sql);
  if (want.columns !== undefined) assert.deepEqual(r.columns.map((c) => c.name), want.columns, sql);
  if (want.rows !== undefined) assert.deepEqual(sorted(plain(r.rows)), sorted(want.rows), sql);
  return r;
}

async function table(db: Database, sql = "SELECT * FROM t ORDER BY id"): Promise<unknown[][]> {
  return plain((await db.query(sql)).rows);
}

async function fails(db: Database, sql: string, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(
    db.query(sql),
    (e: unknown) => e instanceof DbError && e.code === code && (message?.test(e.message) ?? true),
    sql,
  );
}

Deno.test("INSERT ... RETURNING: *, t.*, expressions, aliases, omitted columns, command tag", async () => {
  const db = await setup();
  const r = await run(
    db,
    "INSERT INTO t VALUES (4, 40, 'w') RETURNING *, a + 1, a + 1 AS c, t.*, b",
    {
      command: "INSERT 0 1",
      columns: ["id", "a", "b", "?column?", "c", "id", "a", "b", "b"],
      rows: [[4, 40, "w", 41, 41, 4, 40, "w", "w"]],
    },
  );
  assert.deepEqual(r.columns.map((c) => c.type.kind), [
    "int4",
    "int4",
    "text",
    "int4",
    "int4",
    "int4",
    "int4",
    "text",
    "text",
  ]);
  // omitted columns are stored (and returned) as NULL
  await run(db, "INSERT INTO t (id) VALUES (5), (6) RETURNING a, b IS NULL, 'k'", {
    command: "INSERT 0 2",
    columns: ["a", "?column?", "?column?"],
    rows: [[null, true, "k"], [null, true, "k"]],
  });
  // RETURNING sees the stored values: after the assignment cast, and computed by the source
  await run(db, "INSERT INTO t (id, a) VALUES (7, 2.7), (8, '41') RETURNING id, a", {
    command: "INSERT 0 2",
    rows: [[7, 3], [8, 41]],
  });
  await run(
    db,
    "INSERT INTO t SELECT id + 100, v * 2, upper(w) FROM s WHERE id = 1 RETURNING t.id AS k, a, b",
    { command: "INSERT 0 1", columns: ["k", "a", "b"], rows: [[101, 200, "ONE"]] },
  );
  // a subquery in RETURNING sees the table as it was before the statement
  await run(db, "INSERT INTO t VALUES (9, 9, 'n') RETURNING (SELECT count(*) FROM t) AS before", {
    command: "INSERT 0 1",
    rows: [[9]],
  });
  await run(db, "INSERT INTO t SELECT * FROM t WHERE false RETURNING *", {
    command: "INSERT 0 0",
    columns: ["id", "a", "b"],
    rows: [],
  });
  // without RETURNING, no columns
  const plainInsert = await db.query("INSERT INTO t VALUES (10, 1, 'p')");
  assert.deepEqual([plainInsert.command, plainInsert.columns, plainInsert.rows], [
    "INSERT 0 1",
    [],
    [],
  ]);
  await fails(db, "INSERT INTO t VALUES (11, 1, 'q') RETURNING nosuch", "42703");
  await fails(db, "INSERT INTO t VALUES (11, 1, 'q') RETURNING x.id", "42P01");
  await fails(db, "INSERT INTO t VALUES (11, 1, 'q') RETURNING count(*)", "42803");
  await fails(db, "INSERT INTO t VALUES (11, 1, 'q') RETURNING 1 / (a - 1)", "22012");
  await fails(db, "INSERT INTO t VALUES (1, 1, 'dup') RETURNING *", "23505");
  assert.deepEqual(await table(db, "SELECT count(*) FROM t WHERE id IN (1, 11)"), [[1]]);
  await db.close();
});

Deno.test("UPDATE ... RETURNING returns the new values; DELETE ... RETURNING the old ones", async () => {
  const db = await setup();
  await run(db, "UPDATE t SET a = a + 1 WHERE id <= 2 RETURNING *", {
    command: "UPDATE 2",
    columns: ["id", "a", "b"],
    rows: [[1, 11, "x"], [2, 21, null]],
  });
  await run(db, "UPDATE t SET a = 1 WHERE id = 99 RETURNING *", {
    command: "UPDATE 0",
    columns: ["id", "a", "b"],
    rows: [],
  });
  await run(db, "UPDATE t SET b = 'y', a = NULL WHERE b IS NULL RETURNING id, a IS NULL AS gone", {
    command: "UPDATE 1",
    columns: ["id", "gone"],
    rows: [[2, true]],
  });
  // a subquery in RETURNING sees the table as it was before the statement
  await run(
    db,
    "UPDATE t SET a = 50 WHERE id = 1 RETURNING a, (SELECT a FROM t WHERE id = 1) AS old",
    {
      command: "UPDATE 1",
      columns: ["a", "old"],
      rows: [[50, 11]],
    },
  );
  // correlated subquery in SET
  await run(
    db,
    "UPDATE t SET a = (SELECT max(v) FROM s WHERE s.id = t.id) WHERE id IN (1, 3) RETURNING id, a",
    { command: "UPDATE 2", rows: [[1, 100], [3, null]] },
  );
  await run(db, "DELETE FROM t WHERE id = 3 RETURNING id * 2 AS twice, 'k', t.*", {
    command: "DELETE 1",
    columns: ["twice", "?column?", "id", "a", "b"],
    rows: [[6, "k", 3, null, "z"]],
  });
  await run(db, "DELETE FROM t WHERE id = 3 RETURNING *", {
    command: "DELETE 0",
    columns: ["id", "a", "b"],
    rows: [],
  });
  assert.deepEqual(await table(db), [[1, 100, "x"], [2, null, "y"]]);
  await fails(db, "UPDATE t SET a = 1 RETURNING nosuch", "42703");
  await fails(db, "UPDATE t SET a = 1 RETURNING count(*)", "42803");
  await fails(db, "DELETE FROM t RETURNING sum(a)", "42803");
  // PostgreSQL binds RETURNING before SET: its error comes first
  await fails(db, "UPDATE t SET nosuch = 1 RETURNING nosuch3", "42703", /nosuch3/);
  await db.close();
});

Deno.test("UPDATE ... FROM joins other tables; each target row changes once", async () => {
  const db = await setup();
  // s has two rows for id 2 with the same v: deterministic, and t's row 2 is updated once
  await run(db, "UPDATE t SET a = s.v FROM s WHERE t.id = s.id RETURNING t.id, t.a", {
    command: "UPDATE 2",
    rows: [[1, 100], [2, 200]],
  });
  assert.deepEqual(await table(db), [[1, 100, "x"], [2, 200, null], [3, null, "z"]]);
  // RETURNING * includes the FROM items' columns
  await run(
    db,
    "UPDATE t SET a = s.v + t.a FROM s WHERE t.id = s.id AND s.w <> 'two-dup' RETURNING *",
    {
      command: "UPDATE 2",
      columns: ["id", "a", "b", "id", "v", "w"],
      rows: [[1, 200, "x", 1, 100, "one"], [2, 400, null, 2, 200, "two"]],
    },
  );
  // alias, several FROM items, a derived table and VALUES
  await run(
    db,
    `UPDATE t AS x SET b = q.tag || x.id, a = NULL
       FROM (VALUES (1), (3)) AS v(k), (SELECT 'id' AS tag) q
      WHERE x.id = v.k RETURNING x.*, v.k`,
    {
      command: "UPDATE 2",
      columns: ["id", "a", "b", "k"],
      rows: [[1, null, "id1", 1], [3, null, "id3", 3]],
    },
  );
  await run(db, "UPDATE t x SET a = 5 FROM s WHERE x.id = s.id AND s.id = 4 RETURNING x.*", {
    command: "UPDATE 0",
    columns: ["id", "a", "b"],
    rows: [],
  });
  // NULL keys never join
  await run(db, "UPDATE t SET a = 0 FROM s WHERE t.a = s.id", { command: "UPDATE 0" });
  // IS NOT DISTINCT FROM joins NULLs; a join inside FROM; an aggregate subquery in FROM
  await run(
    db,
    `UPDATE t SET b = s2.w FROM s JOIN s AS s2 ON s.id IS NOT DISTINCT FROM s2.id
      WHERE t.a IS NOT DISTINCT FROM s.id AND s2.w = 'null-id' RETURNING t.id, t.b`,
    { command: "UPDATE 2", rows: [[1, "null-id"], [3, "null-id"]] },
  );
  await run(db, "UPDATE t SET a = q.m FROM (SELECT max(v) m FROM s) q RETURNING a, q.m, q.*", {
    command: "UPDATE 3",
    columns: ["a", "m", "m"],
    rows: [[400, 400, 400], [400, 400, 400], [400, 400, 400]],
  });
  await db.close();
});

Deno.test("UPDATE ... FROM over more rows than one batch", async () => {
  const db = await Database.open({ memory: true });
  await db.query(`
    CREATE TABLE big (k INT PRIMARY KEY, v INT);
    INSERT INTO big SELECT g, 0 FROM generate_series(1, 5000) AS g;
    CREATE TABLE delta (k INT, d INT);
    INSERT INTO delta SELECT g, g * 2 FROM generate_series(1, 5000, 2) AS g;
  `);
  const r = await db.query("UPDATE big SET v = big.v + delta.d FROM delta WHERE big.k = delta.k");
  assert.equal(r.command, "UPDATE 2500");
  // odd k: 2 * sum(1, 3, ..., 4999) = 2 * 2500^2
  assert.deepEqual(
    await table(db, "SELECT sum(v), count(*), count(*) FILTER (WHERE v > 0) FROM big"),
    [
      [12_500_000, 5000, 2500],
    ],
  );
  const del = await db.query(
    "DELETE FROM big USING delta WHERE big.k = delta.k + 1 RETURNING big.k",
  );
  assert.equal(del.command, "DELETE 2500");
  assert.deepEqual(await table(db, "SELECT min(k), max(k), count(*) FROM big"), [[1, 4999, 2500]]);
  await db.close();
});

Deno.test("DELETE ... USING: each target row deleted once, RETURNING any table's columns", async () => {
  const db = await setup();
  await run(db, "DELETE FROM t USING s WHERE t.id = s.id RETURNING t.*", {
    command: "DELETE 2",
    columns: ["id", "a", "b"],
    rows: [[1, 10, "x"], [2, 20, null]],
  });
  assert.deepEqual(await table(db), [[3, null, "z"]]);
  await db.query("INSERT INTO t VALUES (1, 10, 'x'), (2, 20, NULL)");
  await run(
    db,
    "DELETE FROM t AS x USING s WHERE x.id = s.id AND s.w <> 'two-dup' RETURNING x.id, s.w",
    {
      command: "DELETE 2",
      columns: ["id", "w"],
      rows: [[1, "one"], [2, "two"]],
    },
  );
  await db.query("INSERT INTO t VALUES (1, 10, 'x')");
  await run(
    db,
    "DELETE FROM t USING (SELECT 1 AS k) q, s WHERE t.id = q.k AND s.id = q.k RETURNING *",
    {
      command: "DELETE 1",
      columns: ["id", "a", "b", "k", "id", "v", "w"],
      rows: [[1, 10, "x", 1, 1, 100, "one"]],
    },
  );
  // no matching USING row, no delete; NULL matches nothing
  await run(db, "DELETE FROM t USING s WHERE t.a = s.id", { command: "DELETE 0" });
  await run(db, "DELETE FROM t USING s WHERE s.id = 4 RETURNING t.id, s.v", {
    command: "DELETE 1",
    rows: [[3, 400]],
  });
  assert.deepEqual(await table(db), []);
  await db.close();
});

Deno.test("UPDATE SET (a, b) = (...) and ROW(...)", async () => {
  const db = await setup();
  await run(db, "UPDATE t SET (a, b) = (7, 'seven') WHERE id = 1 RETURNING *", {
    command: "UPDATE 1",
    rows: [[1, 7, "seven"]],
  });
  await run(db, "UPDATE t SET (a) = ROW(8) WHERE id = 1 RETURNING a", {
    command: "UPDATE 1",
    rows: [[8]],
  });
  await run(db, "UPDATE t SET (b, a) = ROW('nine', a + 1), id = id * 10 WHERE id = 1 RETURNING *", {
    command: "UPDATE 1",
    rows: [[10, 9, "nine"]],
  });
  await fails(db, "UPDATE t SET (a, b) = (1, 2, 3)", "42601", /number of columns/);
  await fails(db, "UPDATE t SET (a, b) = ROW(1)", "42601", /number of columns/);
  await fails(db, "UPDATE t SET (a) = (7)", "0A000", /ROW\(\) expression/);
  await fails(db, "UPDATE t SET (a, b) = (7)", "0A000");
  await fails(db, "UPDATE t SET (a, a) = (1, 2)", "42601", /multiple assignments/);
  await fails(db, "UPDATE t SET (a, nosuch) = (1, 2)", "42703");
  // PostgreSQL runs (a, b) = (SELECT ...); not yet here
  await fails(db, "UPDATE t SET (a, b) = (SELECT v, w FROM s WHERE s.id = t.id)", "0A000");
  assert.deepEqual(await table(db), [[2, 20, null], [3, null, "z"], [10, 9, "nine"]]);
  await db.close();
});

Deno.test("UPDATE ... FROM / DELETE ... USING errors, as PostgreSQL reports them", async () => {
  const db = await setup();
  await fails(db, "UPDATE t SET a = 1 FROM t WHERE t.id = 1", "42712", /"t" specified more/);
  await fails(db, "UPDATE t SET a = 1 FROM s AS t WHERE t.id = 1", "42712");
  await fails(db, "UPDATE t SET a = 1 FROM s, s WHERE t.id = 1", "42712", /"s"/);
  await fails(db, "UPDATE t AS s SET a = 1 FROM s", "42712");
  await fails(db, "DELETE FROM t USING t WHERE t.id = 1", "42712");
  await fails(db, "DELETE FROM t AS s USING s", "42712");
  await fails(db, "UPDATE t SET a = 1 FROM nosuch WHERE t.id = 1", "42P01");
  await fails(db, "DELETE FROM t USING nosuch", "42P01");
  await fails(db, "UPDATE nosuch SET a = 1 FROM s", "42P01");
  await fails(db, "UPDATE t SET a = nosuch.v FROM s WHERE t.id = 1", "42P01");
  // an alias hides the table's own name
  await fails(db, "UPDATE t AS x SET a = 1 WHERE t.id = 1", "42P01");
  await fails(db, "UPDATE t AS x SET a = 1 WHERE x.id = 1 RETURNING t.a", "42P01");
  await fails(db, "DELETE FROM t AS x WHERE t.id = 1", "42P01");
  // FROM items cannot see the target table
  await fails(db, "UPDATE t SET a = 1 FROM (SELECT * FROM s WHERE s.id = t.id) q", "42P01");
  await fails(
    db,
    "UPDATE t SET a = 1 FROM s LEFT JOIN s s2 ON s2.id = t.id WHERE t.id = s.id",
    "42P01",
  );
  await fails(db, "UPDATE t SET a = s.nosuch FROM s WHERE t.id = 1", "42703");
  await fails(db, "UPDATE t SET a = 1 FROM s WHERE nosuch2 = 1", "42703");
  await fails(db, "UPDATE t SET a = 1 FROM s WHERE id = 1", "42702");
  await fails(db, "UPDATE t SET a = s.w FROM s", "42804");
  await fails(db, "DELETE FROM t USING s WHERE s.v", "42804");
  await fails(db, "UPDATE t SET a = 1 FROM s WHERE sum(s.v) > 1", "42803");
  await fails(db, "UPDATE t SET a = 1 FROM s RETURNING s.*, count(*)", "42803");
  assert.deepEqual(await table(db), [[1, 10, "x"], [2, 20, null], [3, null, "z"]]);
  await db.close();
});

Deno.test("a failing UPDATE ... FROM, DELETE ... USING or RETURNING changes nothing", async () => {
  const db = await setup();
  await db.query("CREATE TABLE u (k INT, n INT NOT NULL); INSERT INTO u VALUES (1, 1), (2, 2)");
  const before = await table(db);
  await fails(db, "UPDATE t SET id = s.id + 1 FROM s WHERE t.id = s.id AND s.id = 1", "23505");
  await fails(db, "UPDATE u SET n = NULL FROM s WHERE u.k = s.id", "23502");
  await fails(db, "UPDATE t SET a = 1 / (t.a - 10) FROM s WHERE t.id = s.id RETURNING *", "22012");
  await fails(db, "UPDATE t SET a = 7 WHERE id = 1 RETURNING a / 0", "22012");
  await fails(db, "DELETE FROM t USING s WHERE t.id = s.id RETURNING 1 / (t.a - 10)", "22012");
  await fails(db, "DELETE FROM t WHERE id = 1 RETURNING 1 / (a - 10)", "22012");
  await fails(db, "UPDATE t SET a = 'abc' FROM s", "22P02");
  assert.deepEqual(await table(db), before);
  assert.deepEqual(await table(db, "SELECT * FROM u ORDER BY k"), [[1, 1], [2, 2]]);
  await db.close();
});

Deno.test("EXPLAIN of INSERT / UPDATE / DELETE; EXPLAIN ANALYZE makes the change", async () => {
  const db = await setup();
  const lines = (r: QueryResult) => r.rows.map((row) => String(row[0]));
  const update = lines(await db.query("EXPLAIN UPDATE t SET a = s.v FROM s WHERE t.id = s.id"));
  assert.equal(update[0], "Update on t");
  assert.match(update[1]!, /^-> {2}Inner Join on \(t\.id = s\.id\)$/);
  assert.ok(
    update.some((l) => /^ {2}-> {2}Scan t \(id, a, b\) with row positions$/.test(l)),
    update.join("\n"),
  );
  assert.deepEqual(await table(db), [[1, 10, "x"], [2, 20, null], [3, null, "z"]]);
  const insert = lines(await db.query("EXPLAIN INSERT INTO t VALUES (9, 9, 'n') RETURNING *"));
  assert.equal(insert[0], "Insert on t");
  assert.ok(insert.at(-1)!.endsWith("Values (1 rows)"));
  assert.deepEqual(await table(db, "SELECT count(*) FROM t WHERE id = 9"), [[0]]);
  const del = lines(await db.query("EXPLAIN ANALYZE DELETE FROM t USING s WHERE t.id = s.id"));
  assert.equal(del[0], "Delete on t  (actual rows=2)");
  assert.match(
    del[1]!,
    /^-> {2}Inner Join on \(t\.id = s\.id\) {2}\(actual rows=3 time=[\d.]+ ms\)$/,
  );
  assert.deepEqual(await table(db), [[3, null, "z"]]);
  const ins = lines(await db.query("EXPLAIN (ANALYZE) INSERT INTO t VALUES (9, 9, 'n')"));
  assert.equal(ins[0], "Insert on t  (actual rows=1)");
  assert.deepEqual(await table(db), [[3, null, "z"], [9, 9, "n"]]);
  await fails(db, "EXPLAIN UPDATE t SET a = 1 FROM t", "42712");
  await db.close();
});

Deno.test("UPDATE ... FROM, DELETE ... USING and RETURNING survive close and reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = await Database.open({ path: dir });
    await db.query(`
      CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT);
      CREATE TABLE s (id INT, v INT, w TEXT);
      INSERT INTO s VALUES (1, 100, 'one'), (2, 200, 'two'), (2, 200, 'two-dup'), (4, 400, 'four');
    `);
    await run(db, "INSERT INTO t VALUES (1, 10, 'x'), (2, 20, NULL), (3, NULL, 'z') RETURNING id", {
      command: "INSERT 0 3",
      rows: [[1], [2], [3]],
    });
    await run(
      db,
      "UPDATE t SET a = s.v, b = s.w FROM s WHERE t.id = s.id AND s.w <> 'two-dup' RETURNING t.id",
      {
        command: "UPDATE 2",
        rows: [[1], [2]],
      },
    );
    await run(db, "DELETE FROM t USING s WHERE t.a = s.v AND s.id = 1 RETURNING t.id", {
      command: "DELETE 1",
      rows: [[1]],
    });
    await run(db, "UPDATE t SET (a, b) = (3, 'three') WHERE id = 3", { command: "UPDATE 1" });
    await fails(db, "UPDATE t SET id = 2 FROM s WHERE t.id = 3", "23505");
    const want = [[2, 200, "two"], [3, 3, "three"]];
    assert.deepEqual(await table(db), want);
    await db.close();
    const again = await Database.open({ path: dir });
    assert.deepEqual(await table(again), want);
    // the unique key cache is rebuilt from the replayed rows
    await fails(again, "INSERT INTO t VALUES (2, 0, 'dup')", "23505");
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RETURNING sees column defaults", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE d (a int, b text DEFAULT 'dflt', c int DEFAULT 7)");
  assert.deepEqual((await db.query("INSERT INTO d (a) VALUES (1) RETURNING *")).rows, [[
    1,
    "dflt",
    7,
  ]]);
  assert.deepEqual((await db.query("INSERT INTO d DEFAULT VALUES RETURNING *")).rows, [[
    null,
    "dflt",
    7,
  ]]);
  await db.close();
});

Deno.test("UPDATE SET column = DEFAULT, also in a column list", async () => {
  const db = await Database.open({ memory: true });
  await db.query(
    "CREATE TABLE d (a int, b text DEFAULT 'dflt', c int); INSERT INTO d VALUES (1, 'x', 5)",
  );
  assert.deepEqual((await db.query("UPDATE d SET b = DEFAULT, c = DEFAULT RETURNING *")).rows, [[
    1,
    "dflt",
    null,
  ]]);
  assert.deepEqual((await db.query("UPDATE d SET (b, c) = (DEFAULT, 3) RETURNING *")).rows, [[
    1,
    "dflt",
    3,
  ]]);
  await assert.rejects(db.query("UPDATE d SET b = DEFAULT || 'x'"));
  await db.close();
});
