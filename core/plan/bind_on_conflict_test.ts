/**
 * Binding INSERT ... ON CONFLICT: the arbiter index, the DO UPDATE layout (existing row, then
 * the EXCLUDED row) and PostgreSQL's errors. Messages, codes and positions were checked against
 * PostgreSQL 15.
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { Catalog } from "../catalog/catalog.ts";
import { defaultLimits } from "../limits.ts";
import type { Query, Statement } from "../sql/ast.ts";
import { bindStatement } from "./binder.ts";
import type { BoundOnConflict, BoundStatement } from "./bound_statement.ts";
import type { BoundExpr } from "./expr.ts";

/** A catalog that CREATE TABLE / CREATE INDEX statements fill, and a binder over it. */
async function binder(): Promise<{
  bind: (sql: string) => BoundStatement;
  onConflict: (sql: string) => BoundOnConflict;
  close: () => Promise<void>;
}> {
  const db = await Database.open({ memory: true });
  const parser = db.registry.parser()!;
  const parse = (sql: string): Statement => parser.parse(sql, { limits: defaultLimits })[0]!;
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
  const bind = (sql: string): BoundStatement => {
    const b = bindStatement(parse(sql), ctx);
    if (b.kind === "create_table") {
      catalog.createTable(b.schema, b.name, b.columns, b.options, b.checks);
      for (const i of b.indexes) catalog.createIndex(i);
    } else if (b.kind === "create_index") catalog.createIndex(b.index);
    return b;
  };
  const onConflict = (sql: string): BoundOnConflict => {
    const b = bind(sql);
    assert.ok(b.kind === "insert" && b.onConflict !== null, sql);
    return b.onConflict;
  };
  return { bind, onConflict, close: () => db.close() };
}

/** Binding `sql` fails with these fields (those given). */
function fails(
  bind: (sql: string) => unknown,
  sql: string,
  want: { code: string; message?: string; position?: number; hint?: string },
): void {
  assert.throws(() => bind(sql), (e: unknown) => {
    assert.ok(e instanceof DbError, `${sql}: ${e}`);
    assert.equal(e.code, want.code, `${sql}: ${e.message}`);
    if (want.message !== undefined) assert.equal(e.message, want.message, sql);
    assert.equal(e.position, want.position, `${sql}: position`);
    if (want.hint !== undefined) assert.equal(e.hint, want.hint, sql);
    return true;
  }, sql);
}

const TABLE = "CREATE TABLE t (a int PRIMARY KEY, b int, c int DEFAULT 7, UNIQUE (b, c))";

Deno.test("ON CONFLICT infers the arbiter index from its columns or names it", async () => {
  const { bind, onConflict, close } = await binder();
  bind(TABLE);
  bind("CREATE TABLE n (a int, b int)");
  assert.deepEqual(onConflict("INSERT INTO t VALUES (1, 2, 3) ON CONFLICT DO NOTHING"), {
    keyColumns: null,
    indexName: null,
    action: { kind: "nothing" },
  });
  // no unique index at all is fine without a target
  assert.equal(onConflict("INSERT INTO n VALUES (1, 2) ON CONFLICT DO NOTHING").indexName, null);
  const pk = onConflict("INSERT INTO t VALUES (1, 2, 3) ON CONFLICT (a) DO NOTHING");
  assert.deepEqual([pk.keyColumns, pk.indexName], [[0], "t_pkey"]);
  // the columns match as a set, in any order and repeated; positions follow the index's order
  for (const target of ["(c, b)", "(b, c, b)", "((b), c)"]) {
    const k = onConflict(`INSERT INTO t VALUES (1, 2, 3) ON CONFLICT ${target} DO NOTHING`);
    assert.deepEqual([k.keyColumns, k.indexName], [[1, 2], "t_b_c_key"], target);
  }
  // the inference WHERE (a partial index's predicate) is implied by a whole index
  assert.equal(
    onConflict("INSERT INTO t VALUES (1) ON CONFLICT (a) WHERE b > 0 DO NOTHING").indexName,
    "t_pkey",
  );
  const named = onConflict(
    "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_b_c_key DO UPDATE SET c = 5",
  );
  assert.deepEqual([named.keyColumns, named.indexName], [[1, 2], "t_b_c_key"]);
  // a primary key wins over a unique index on the same columns
  bind("CREATE UNIQUE INDEX a_again ON t (a)");
  assert.equal(
    onConflict("INSERT INTO t VALUES (1) ON CONFLICT (a) DO NOTHING").indexName,
    "t_pkey",
  );
  bind("CREATE UNIQUE INDEX ci ON t (c)");
  assert.equal(onConflict("INSERT INTO t VALUES (1) ON CONFLICT (c) DO NOTHING").indexName, "ci");
  // ... but ON CONSTRAINT names constraints only, not CREATE UNIQUE INDEX (PostgreSQL: 42704)
  fails(bind, "INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT ci DO NOTHING", {
    code: "42704",
    message: 'constraint "ci" for table "t" does not exist',
  });
  await close();
});

Deno.test("DO UPDATE binds over [existing row, EXCLUDED row]; unqualified names are ambiguous", async () => {
  const { bind, onConflict, close } = await binder();
  bind(TABLE);
  const u = onConflict(
    "INSERT INTO t VALUES (1, 2, 3) ON CONFLICT (a) DO UPDATE " +
      "SET b = excluded.b + t.b, c = DEFAULT WHERE excluded.c > t.c",
  );
  assert.ok(u.action.kind === "update");
  const b = u.action.assignments.get(1)!;
  assert.ok(b.kind === "op");
  assert.deepEqual([b.left, b.right], [
    { kind: "column", index: 4, type: b.left.type },
    { kind: "column", index: 1, type: b.right.type },
  ]);
  // SET c = DEFAULT: the column's default
  const c = u.action.assignments.get(2)! as BoundExpr & { kind: "const" };
  assert.equal(c.value, 7);
  const where = u.action.where!;
  assert.ok(where.kind === "op");
  assert.deepEqual(
    [(where.left as { index: number }).index, (where.right as { index: number }).index],
    [5, 2],
  );
  // the alias replaces the table's name; (x, y) = (...) sets several columns
  const aliased = onConflict(
    "INSERT INTO t AS x VALUES (1) ON CONFLICT (a) DO UPDATE SET (b, c) = (x.c, excluded.b)",
  );
  assert.ok(aliased.action.kind === "update");
  assert.deepEqual([...aliased.action.assignments.keys()], [1, 2]);
  fails(bind, "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = b + 1", {
    code: "42702",
    message: 'column reference "b" is ambiguous',
    position: 60,
  });
  fails(bind, "INSERT INTO t AS x VALUES (1) ON CONFLICT (a) DO UPDATE SET b = t.b + 1", {
    code: "42P01",
    message: 'invalid reference to FROM-clause entry for table "t"',
    position: 65,
    hint: 'Perhaps you meant to reference the table alias "x".',
  });
  // RETURNING sees the alias too
  fails(bind, "INSERT INTO t AS x VALUES (1) RETURNING t.a", {
    code: "42P01",
    message: 'invalid reference to FROM-clause entry for table "t"',
    position: 41,
  });
  const returning = bind("INSERT INTO t AS x VALUES (1) RETURNING x.a");
  assert.ok(returning.kind === "insert" && returning.returning?.columns[0]?.name === "a");
  await close();
});

Deno.test("ON CONFLICT errors as PostgreSQL reports them", async () => {
  const { bind, close } = await binder();
  bind(TABLE);
  const head = "INSERT INTO t VALUES (1, 2, 3) ON CONFLICT";
  const cases: [string, string, string, number | undefined][] = [
    [
      "(b) DO NOTHING",
      "42P10",
      "there is no unique or exclusion constraint matching the ON CONFLICT specification",
      undefined,
    ],
    [
      "(a, b) DO NOTHING",
      "42P10",
      "there is no unique or exclusion constraint matching the ON CONFLICT specification",
      undefined,
    ],
    [
      "DO UPDATE SET b = 1",
      "42601",
      "ON CONFLICT DO UPDATE requires inference specification or constraint name",
      32,
    ],
    [
      "ON CONSTRAINT nope DO NOTHING",
      "42704",
      'constraint "nope" for table "t" does not exist',
      undefined,
    ],
    ["(zz) DO NOTHING", "42703", 'column "zz" does not exist', 44],
    ["(a, zz) DO NOTHING", "42703", 'column "zz" does not exist', 44],
    ["((zz)) DO NOTHING", "42703", 'column "zz" does not exist', 46],
    ["(a) WHERE zz > 0 DO NOTHING", "42703", 'column "zz" does not exist', 54],
    [
      "(a) DO UPDATE SET b = 1, b = 2",
      "42601",
      'multiple assignments to same column "b"',
      undefined,
    ],
    ["(a) DO UPDATE SET zz = 1", "42703", 'column "zz" of relation "t" does not exist', 62],
    [
      "(a) DO UPDATE SET excluded.b = 1",
      "42703",
      'column "excluded" of relation "t" does not exist',
      62,
    ],
    [
      "(a) DO UPDATE SET b.x = 1",
      "42804",
      'cannot assign to field "x" of column "b" because its type integer is not a composite type',
      62,
    ],
    ["(a) DO UPDATE SET b = zz", "42703", 'column "zz" does not exist', 66],
    ["(a) DO UPDATE SET b = excluded.zz", "42703", "column excluded.zz does not exist", 66],
    ["(a) DO UPDATE SET b = sum(1)", "42803", "aggregate functions are not allowed in UPDATE", 66],
    [
      "(a) DO UPDATE SET b = row_number() OVER ()",
      "42P20",
      "window functions are not allowed in UPDATE",
      66,
    ],
    [
      "(a) DO UPDATE SET b = 1 WHERE sum(1) > 0",
      "42803",
      "aggregate functions are not allowed in WHERE",
      74,
    ],
    [
      "(a) DO UPDATE SET b = 1 WHERE 1",
      "42804",
      "argument of WHERE must be type boolean, not type integer",
      74,
    ],
    [
      "(a) DO UPDATE SET b = 1 RETURNING excluded.b",
      "42P01",
      'invalid reference to FROM-clause entry for table "excluded"',
      78,
    ],
    [
      // without DO UPDATE there is no EXCLUDED row at all
      "(a) DO NOTHING RETURNING excluded.*",
      "42P01",
      'missing FROM-clause entry for table "excluded"',
      69,
    ],
  ];
  for (const [rest, code, message, position] of cases) {
    fails(bind, `${head} ${rest}`, {
      code,
      message,
      ...(position === undefined ? {} : { position }),
    });
  }
  // a table called excluded: excluded.x is ambiguous until the table has an alias
  bind("CREATE TABLE excluded (a int PRIMARY KEY)");
  fails(bind, "INSERT INTO excluded VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a + 1", {
    code: "42P09",
    message: 'table reference "excluded" is ambiguous',
    position: 67,
  });
  bind("INSERT INTO excluded AS e VALUES (1) ON CONFLICT (a) DO UPDATE SET a = excluded.a + e.a");
  await close();
});

Deno.test("EXPLAIN shows ON CONFLICT's resolution and arbiter index", async () => {
  const db = await Database.open({ memory: true });
  await db.query(TABLE);
  const plan = await db.query(
    "EXPLAIN INSERT INTO t VALUES (1) ON CONFLICT (b, c) DO UPDATE SET a = excluded.a",
  );
  assert.deepEqual(plan.rows.slice(0, 3).map((r) => r[0]), [
    "Insert on t",
    "  Conflict Resolution: UPDATE",
    "  Conflict Arbiter Indexes: t_b_c_key",
  ]);
  const nothing = await db.query("EXPLAIN INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
  assert.deepEqual(nothing.rows.slice(0, 2).map((r) => r[0]), [
    "Insert on t",
    "  Conflict Resolution: NOTHING",
  ]);
  await db.query("INSERT INTO t VALUES (1)");
  await db.close();
});
