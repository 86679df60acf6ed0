/**
 * One-dimensional arrays through the real engine: literals, ARRAY[...], subscripts, ANY/ALL,
 * comparisons, casts, array_agg, unnest and the array functions. Every expected answer is
 * PostgreSQL 15's for the same statements (checked against a PostgreSQL 15 server).
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";

async function texts(db: Database, sql: string): Promise<(string | null)[][]> {
  const r = await db.query(sql);
  return r.rows.map((row) => row.map((v) => (v === null ? null : String(v))));
}

async function code(db: Database, sql: string): Promise<string> {
  try {
    await db.query(sql);
    return "no error";
  } catch (e) {
    assert.ok(e instanceof DbError, String(e));
    return e.code;
  }
}

Deno.test("array literals, constructors, casts and subscripts", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await texts(
      db,
      `SELECT ARRAY[1, 2, NULL], ARRAY['a', 'b c', '', 'NULL', 'x"y'], ARRAY[1, 2.5], ARRAY[]::int[],
        '{1, 2 ,3}'::int[], '{ null , NULL,"NULL"}'::text[], ARRAY[1.5, 2]::int[]`,
    ),
    [[
      "{1,2,NULL}",
      '{a,"b c","","NULL","x\\"y"}',
      "{1,2.5}",
      "{}",
      "{1,2,3}",
      '{NULL,NULL,"NULL"}',
      "{2,2}",
    ]],
  );
  assert.deepEqual(
    await texts(
      db,
      "SELECT (ARRAY[10, 20, 30])[2], (ARRAY[10, 20])[5], pg_typeof(ARRAY[1,2]), (ARRAY[1,2])[NULL]",
    ),
    [["20", null, "integer[]", null]],
  );
  assert.equal(await code(db, "SELECT ARRAY[]"), "42P18");
  assert.equal(await code(db, "SELECT '{1,x}'::int[]"), "22P02");
  assert.equal(await code(db, "SELECT '1,2'::int[]"), "22P02");
  assert.equal(await code(db, "SELECT '{{1},{2}}'::int[]"), "0A000");
  assert.equal(await code(db, "SELECT (1)[1]"), "42804");
  await db.close();
});

Deno.test("ANY/ALL over arrays and array comparisons use three-valued logic", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await texts(
      db,
      `SELECT 2 = ANY(ARRAY[1, 2]), 3 = ANY(ARRAY[1, NULL]), 1 < ALL(ARRAY[2, 3]), 1 = ANY('{1,2}'),
        5 = ANY(ARRAY[]::int[]), NULL = ALL(ARRAY[]::int[]), NULL = ANY(ARRAY[1]), 1 <> ALL(ARRAY[2, NULL])`,
    ),
    [["true", null, "true", "true", "false", "true", null, null]],
  );
  assert.deepEqual(
    await texts(
      db,
      `SELECT ARRAY[1,2] = ARRAY[1,2], ARRAY[1,2] < ARRAY[1,3], ARRAY[1,2] < ARRAY[1,2,0],
        ARRAY[2] > ARRAY[10], ARRAY[1,NULL] > ARRAY[1,2]`,
    ),
    [["true", "true", "true", "false", "true"]],
  );
  await db.close();
});

Deno.test("array columns: storage, ordering, grouping, array_agg and unnest", async () => {
  const db = await Database.open({ memory: true });
  await db.query(
    `CREATE TABLE ta (a int[], t text[]);
     INSERT INTO ta VALUES ('{1,2}', ARRAY['x']), (ARRAY[3], NULL), ('{}', '{""}')`,
  );
  assert.deepEqual(await texts(db, "SELECT a, a[1] AS first, cardinality(a) FROM ta ORDER BY a"), [
    ["{}", null, "0"],
    ["{1,2}", "1", "2"],
    ["{3}", "3", "1"],
  ]);
  assert.deepEqual(
    await texts(
      db,
      `SELECT array_agg(x ORDER BY x DESC), array_agg(x), array_agg(DISTINCT x)
       FROM (VALUES (1), (NULL), (3), (1)) s(x)`,
    ),
    [["{NULL,3,1,1}", "{1,NULL,3,1}", "{1,3,NULL}"]],
  );
  assert.deepEqual(await texts(db, "SELECT array_agg(x) FROM (VALUES (1)) s(x) WHERE false"), [[
    null,
  ]]);
  assert.deepEqual(
    await texts(db, "SELECT u.x * 2 FROM unnest(ARRAY[1, NULL, 2]) AS u(x) ORDER BY 1"),
    [
      ["2"],
      ["4"],
      [null],
    ],
  );
  assert.equal(await code(db, "SELECT * FROM unnest(1)"), "42883");
  await db.close();
});

Deno.test("array functions", async () => {
  const db = await Database.open({ memory: true });
  assert.deepEqual(
    await texts(
      db,
      `SELECT array_to_string(ARRAY[1, NULL, 3], ','), array_to_string(ARRAY[1, NULL, 3], ',', '*'),
        array_append(ARRAY[1], 2), array_prepend(0, ARRAY[1]), array_cat(ARRAY[1], ARRAY[2,3]),
        array_position(ARRAY['a','b'], 'b'), array_length(ARRAY[]::int[], 1),
        array_upper(ARRAY[5,6], 1), array_lower(ARRAY[5,6], 1), array_position(ARRAY[1,NULL], NULL)`,
    ),
    [["1,3", "1,*,3", "{1,2}", "{0,1}", "{1,2,3}", "2", null, "2", "1", "2"]],
  );
  await db.close();
});

Deno.test("arrays survive a durable reopen", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let db = await Database.open({ path: dir });
    await db.query("CREATE TABLE a (v text[]); INSERT INTO a VALUES (ARRAY['x y', NULL])");
    await db.close();
    db = await Database.open({ path: dir });
    assert.deepEqual(await texts(db, "SELECT v, v[1] FROM a"), [['{"x y",NULL}', "x y"]]);
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
