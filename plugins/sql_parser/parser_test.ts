import assert from "node:assert/strict";
import { parseSql } from "./parser.ts";
import { tokenize } from "./tokenizer.ts";
import { DbError, SqlSyntaxError } from "../../core/errors.ts";
import type { Expr, Statement } from "../../core/sql/ast.ts";

function selectExpr(sql: string): Expr {
  const [s] = parseSql(sql);
  assert.ok(s && s.kind === "query" && s.query.body.kind === "select");
  const item = s.query.body.items[0]!;
  assert.ok(item.kind === "expr");
  return item.expr;
}

/** Renders an expression fully parenthesised, to check precedence. */
function show(e: Expr): string {
  switch (e.kind) {
    case "literal":
      return e.value.kind === "number"
        ? e.value.text
        : e.value.kind === "string"
        ? `'${e.value.value}'`
        : e.value.kind;
    case "column_ref":
      return e.parts.join(".");
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "unary":
      return `(${e.op} ${show(e.operand)})`;
    case "is_null":
      return `(${show(e.operand)} IS ${e.negated ? "NOT " : ""}NULL)`;
    case "between":
      return `(${show(e.operand)} BETWEEN ${show(e.low)} AND ${show(e.high)})`;
    case "cast":
      return `(${show(e.operand)})::${e.type.name}`;
    default:
      return e.kind;
  }
}

Deno.test("tokenizer folds identifiers, keeps quoted ones, unescapes strings", () => {
  const t = tokenize(
    `SELECT "MixedCase", Foo, 'it''s', E'a\\nb', 1.5e3, $2 -- comment\n/* c /* nested */ */ x`,
  );
  assert.deepEqual(
    t.map((x) => [x.kind, x.value]),
    [
      ["ident", "select"],
      ["qident", "MixedCase"],
      ["op", ","],
      ["ident", "foo"],
      ["op", ","],
      ["string", "it's"],
      ["op", ","],
      ["estring", "a\nb"],
      ["op", ","],
      ["number", "1.5e3"],
      ["op", ","],
      ["param", "2"],
      ["ident", "x"],
      ["eof", ""],
    ],
  );
});

Deno.test("tokenizer reads dollar-quoted strings as PostgreSQL does: no escapes, tags must match", () => {
  const t = tokenize("SELECT $$it's \\n$$, $q$a $$ b$q$, a$b, $1, $$$$");
  assert.deepEqual(
    t.map((x) => [x.kind, x.value]),
    [
      ["ident", "select"],
      ["string", "it's \\n"],
      ["op", ","],
      ["string", "a $$ b"],
      ["op", ","],
      ["ident", "a$b"],
      ["op", ","],
      ["param", "1"],
      ["op", ","],
      ["string", ""],
      ["eof", ""],
    ],
  );
  assert.throws(() => tokenize("SELECT $x$abc$y$"), (e: unknown) => {
    assert.ok(e instanceof SqlSyntaxError);
    assert.match(e.message, /unterminated dollar-quoted string/);
    assert.deepEqual([e.line, e.column], [1, 8]);
    return true;
  });
  assert.throws(() => tokenize("SELECT $"), SqlSyntaxError);
});

Deno.test("operator precedence follows PostgreSQL", () => {
  assert.equal(show(selectExpr("SELECT 1 + 2 * 3 - 4")), "((1 + (2 * 3)) - 4)");
  assert.equal(show(selectExpr("SELECT a OR b AND NOT c")), "(a or (b and (not c)))");
  assert.equal(
    show(selectExpr("SELECT a = 1 AND b < 2 OR c IS NULL")),
    "(((a = 1) and (b < 2)) or (c IS NULL))",
  );
  assert.equal(show(selectExpr("SELECT -a ^ 2")), "((- a) ^ 2)");
  assert.equal(show(selectExpr("SELECT a BETWEEN 1 AND 2 AND b")), "((a BETWEEN 1 AND 2) and b)");
  assert.equal(show(selectExpr("SELECT a || b = c")), "((a || b) = c)");
  assert.equal(show(selectExpr("SELECT x::int + 1")), "((x)::int4 + 1)");
  assert.equal(show(selectExpr("SELECT - 5")), "-5");
});

Deno.test("statements: CREATE TABLE, INSERT, DROP, unsupported", () => {
  const [c] = parseSql(
    "CREATE TABLE IF NOT EXISTS t (a INT PRIMARY KEY, b VARCHAR(5) NOT NULL, c DOUBLE PRECISION)",
  );
  assert.ok(c?.kind === "create_table");
  assert.equal(c.ifNotExists, true);
  assert.deepEqual(c.columns.map((x) => [x.name, x.type.name, x.type.args, x.notNull]), [
    ["a", "int4", [], true],
    ["b", "varchar", [5], true],
    ["c", "float8", [], false],
  ]);
  const [trailing] = parseSql("CREATE TABLE t (a INT, b TEXT,)");
  assert.ok(trailing?.kind === "create_table" && trailing.columns.length === 2);
  assert.throws(() => parseSql("CREATE TABLE t (,)"), (e: unknown) => e instanceof SqlSyntaxError);
  const [i] = parseSql("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')");
  assert.ok(i?.kind === "insert" && i.source.body.kind === "values");
  assert.equal(i.source.body.rows.length, 2);
  const [d] = parseSql("DROP TABLE IF EXISTS a, b");
  assert.ok(d?.kind === "drop_table" && d.ifExists && d.names.length === 2);
  const [u] = parseSql("ALTER INDEX i RENAME TO j");
  assert.deepEqual(u as Statement, { kind: "unsupported", what: "ALTER INDEX", pos: 0 });
  assert.equal(parseSql("SELECT 1; SELECT 2;").length, 2);
});

Deno.test("syntax errors are SqlSyntaxError with line and column", () => {
  for (
    const [sql, line, column] of [
      ["SELECT (1", 1, 10],
      ["SELECT 1\nFROM", 2, 5],
      ["SELEC 1", 1, 1],
      ["SELECT 'abc", 1, 8],
    ] as const
  ) {
    assert.throws(() => parseSql(sql), (e: unknown) => {
      assert.ok(e instanceof SqlSyntaxError, `${sql}: ${e}`);
      assert.equal(e.code, "42601");
      assert.deepEqual([e.line, e.column], [line, column], sql);
      return true;
    });
  }
});

Deno.test("deep nesting is a 54000 error, not a stack overflow", () => {
  const sql = `SELECT ${"(".repeat(5000)}1${")".repeat(5000)}`;
  assert.throws(() => parseSql(sql), (e: unknown) => e instanceof DbError && e.code === "54000");
});

Deno.test("keyword integer types take no modifier, as in PostgreSQL's grammar", () => {
  for (const sql of ["SELECT '1'::INTEGER(1000)", "CREATE TABLE t (a bigint(20))"]) {
    assert.throws(() => parseSql(sql), (e: unknown) => e instanceof SqlSyntaxError);
  }
  assert.equal(parseSql("SELECT '1'::numeric(10, 2), 'a'::varchar(3)").length, 1);
});

Deno.test("UNSIGNED integer types map to the next wider signed type, only in CAST and columns", () => {
  const cast = (sql: string) => {
    const e = selectExpr(sql);
    assert.ok(e.kind === "cast");
    return [e.type.name, ...e.type.args].join(",");
  };
  assert.equal(cast("SELECT CAST(1 AS TINYINT UNSIGNED)"), "int2");
  assert.equal(cast("SELECT CAST(1 AS SMALLINT UNSIGNED)"), "int4");
  assert.equal(cast("SELECT CAST(1 AS INT UNSIGNED)"), "int8");
  assert.equal(cast("SELECT CAST(1 AS INTEGER UNSIGNED)"), "int8");
  assert.equal(cast("SELECT CAST(1 AS BIGINT UNSIGNED)"), "numeric,20,0");
  assert.equal(cast("SELECT 1::UINTEGER"), "int8");
  assert.equal(cast("SELECT 1::UBIGINT"), "numeric,20,0");
  // after ::, PostgreSQL reads the word as a column alias
  const [s] = parseSql("SELECT 1::int unsigned");
  assert.ok(s && s.kind === "query" && s.query.body.kind === "select");
  const item = s.query.body.items[0]!;
  assert.ok(item.kind === "expr" && item.alias === "unsigned");
  const [t] = parseSql("CREATE TABLE t (a INT UNSIGNED NOT NULL, b BIGINT UNSIGNED)");
  assert.ok(t && t.kind === "create_table");
  assert.deepEqual(t.columns.map((c) => c.type.name), ["int8", "numeric"]);
  assert.throws(() => parseSql("SELECT CAST(1 AS TEXT UNSIGNED)"), SqlSyntaxError);
});

Deno.test("a parenthesized table takes an alias after the parenthesis, as in DataFusion", () => {
  const [s] = parseSql("SELECT * FROM (t1) AS x(a) FULL JOIN (t2) ON true");
  assert.ok(s && s.kind === "query" && s.query.body.kind === "select");
  const from = s.query.body.from[0]!;
  assert.ok(from.kind === "join" && from.joinType === "full");
  assert.ok(from.left.kind === "table" && from.left.alias === "x");
  assert.deepEqual(from.left.columnAliases, ["a"]);
  assert.ok(from.right.kind === "table" && from.right.alias === null);
});

Deno.test("IN over a parenthesized query is a subquery, as PostgreSQL's select_with_parens", () => {
  assert.equal(selectExpr("SELECT 1 IN ((SELECT 1 UNION ALL SELECT 2))").kind, "in_subquery");
  assert.equal(selectExpr("SELECT 1 NOT IN (((SELECT 1)))").kind, "in_subquery");
  assert.equal(selectExpr("SELECT 1 IN ((SELECT 1) UNION (SELECT 3))").kind, "in_subquery");
  // a scalar subquery among other list items stays a list
  assert.equal(selectExpr("SELECT 1 IN ((SELECT 1), 5)").kind, "in_list");
  assert.equal(selectExpr("SELECT 1 IN ((1))").kind, "in_list");
});

Deno.test("INTERVAL '1' + '2' MONTH gives the unit to every string of the chain (DataFusion)", () => {
  const lit = (e: Expr): string => {
    if (e.kind === "literal" && e.value.kind === "typed_string") return `'${e.value.value}'`;
    if (e.kind === "literal" && e.value.kind === "string") return `s'${e.value.value}'`;
    if (e.kind === "binary") return `(${lit(e.left)} ${e.op} ${lit(e.right)})`;
    if (e.kind === "unary") return `(${e.op} ${lit(e.operand)})`;
    return e.kind;
  };
  assert.equal(
    lit(selectExpr("SELECT INTERVAL '10' - '1' - '1' MONTH")),
    "(('10 month' - '1 month') - '1 month')",
  );
  assert.equal(
    lit(selectExpr("SELECT -INTERVAL '5' - '1' YEAR")),
    "((- '5 year') - '1 year')",
  );
  // without a trailing unit the strings stay untyped, as in PostgreSQL
  assert.equal(lit(selectExpr("SELECT INTERVAL '1' + '1'")), "('1' + s'1')");
  assert.throws(() => parseSql("SELECT INTERVAL '1' + '1' DAY TO HOUR"), SqlSyntaxError);
});

/** The one statement of `sql`, which must be of kind `K`. */
function one<K extends Statement["kind"]>(sql: string, kind: K): Statement & { kind: K } {
  const [s, ...rest] = parseSql(sql);
  assert.equal(rest.length, 0, sql);
  assert.ok(s !== undefined && s.kind === kind, `${sql}: ${s?.kind}`);
  return s as Statement & { kind: K };
}

Deno.test("CHECK constraints: column and table level, names, source text, NO INHERIT", () => {
  const sql =
    "CREATE TABLE t (a int CHECK (a > 0) NOT NULL, b int CONSTRAINT b_pos CHECK ( b>0 ) " +
    "NO INHERIT CHECK (b < 9), CHECK (a < b), CONSTRAINT big CHECK (a + b < 100))";
  const s = one(sql, "create_table");
  const [a, b] = s.columns;
  assert.equal(a!.notNull, true);
  assert.deepEqual(
    a!.checks!.map((c) => [c.name, c.sql, c.noInherit, sql.slice(c.pos, c.pos + 5)]),
    [[null, "a > 0", false, "CHECK"]],
  );
  // CONSTRAINT name names the check after it; the check starts at CONSTRAINT
  assert.deepEqual(
    b!.checks!.map((c) => [c.name, c.sql, c.noInherit, sql.slice(c.pos, c.pos + 5)]),
    [["b_pos", "b>0", true, "CONST"], [null, "b < 9", false, "CHECK"]],
  );
  assert.deepEqual(
    s.constraints.map((c) => c.kind === "check" ? [c.name, c.sql, show(c.expr)] : c.kind),
    [[null, "a < b", "(a < b)"], ["big", "a + b < 100", "((a + b) < 100)"]],
  );
  // CONSTRAINT name before PRIMARY KEY / UNIQUE names the key
  const k = one(
    "CREATE TABLE k (a int CONSTRAINT pk PRIMARY KEY, b int CONSTRAINT u UNIQUE)",
    "create_table",
  );
  assert.equal(k.columns[0]!.primaryKeyName, "pk");
  assert.equal(k.columns[1]!.uniqueName, "u");
  // a CONSTRAINT name with no constraint after it is a syntax error, as in PostgreSQL
  assert.throws(() => parseSql("CREATE TABLE t (a int CONSTRAINT x, b int)"), SqlSyntaxError);
  assert.throws(() => parseSql("CREATE TABLE t (a int, CONSTRAINT x)"), SqlSyntaxError);
  assert.throws(() => parseSql("CREATE TABLE t (a int CHECK a > 0)"), SqlSyntaxError);
  // FOREIGN KEY and REFERENCES are still skipped
  one("CREATE TABLE t (a int REFERENCES u, FOREIGN KEY (a) REFERENCES u (x))", "create_table");
});

Deno.test("ALTER TABLE ADD [CONSTRAINT] CHECK and DROP CONSTRAINT", () => {
  const s = one(
    "ALTER TABLE t ADD CHECK (a > 0), ADD CONSTRAINT c CHECK (b > 0) NO INHERIT NOT VALID, " +
      "DROP CONSTRAINT IF EXISTS x CASCADE, DROP CONSTRAINT y, ADD COLUMN z int CHECK (z > 0)",
    "alter_table",
  );
  const kinds = s.actions.map((a) => {
    switch (a.kind) {
      case "add_constraint":
        return a.constraint.kind === "check"
          ? ["add", a.constraint.name, a.constraint.sql, a.notValid === true]
          : ["add", a.constraint.kind];
      case "drop_constraint":
        return ["drop", a.name, a.ifExists];
      case "add_column":
        return ["add column", a.column.checks?.map((c) => c.sql)];
      default:
        return [a.kind];
    }
  });
  assert.deepEqual(kinds, [
    ["add", null, "a > 0", false],
    ["add", "c", "b > 0", true],
    ["drop", "x", true],
    ["drop", "y", false],
    ["add column", ["z > 0"]],
  ]);
  const key = one("ALTER TABLE t ADD CONSTRAINT k UNIQUE (a)", "alter_table");
  assert.equal(
    key.actions[0]!.kind === "add_constraint" && key.actions[0]!.constraint.kind,
    "unique",
  );
  assert.equal(
    one("ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u", "unsupported").what,
    "ALTER TABLE ... ADD FOREIGN KEY",
  );
});

Deno.test("INSERT ... ON CONFLICT: targets, DO NOTHING, DO UPDATE SET ... WHERE, RETURNING", () => {
  const sql = "INSERT INTO t AS x (a, b) VALUES (1, 2) ON CONFLICT (a, (b)) WHERE a > 0 " +
    "DO UPDATE SET b = excluded.b + x.b, (c, d) = (1, DEFAULT), e = DEFAULT WHERE x.c < 5 RETURNING *";
  const s = one(sql, "insert");
  assert.equal(s.alias, "x");
  const c = s.onConflict!;
  assert.equal(sql.slice(c.pos, c.pos + 11), "ON CONFLICT");
  assert.deepEqual(c.columns!.map((k) => [k.name, sql.slice(k.pos, k.pos + 3)]), [
    ["a", "(a,"],
    ["b", "b))"],
  ]);
  assert.equal(show(c.indexWhere!), "(a > 0)");
  assert.equal(c.constraint, null);
  assert.ok(c.action.kind === "update");
  assert.deepEqual(c.action.assignments.map((a) => [a.column, show(a.value)]), [
    ["b", "(excluded.b + x.b)"],
    ["c", "1"],
    ["d", "default"],
    ["e", "default"],
  ]);
  assert.equal(show(c.action.where!), "(x.c < 5)");
  assert.equal(s.returning?.length, 1);

  const nothing = one("INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING", "insert").onConflict!;
  assert.deepEqual([nothing.columns, nothing.constraint, nothing.action], [null, null, {
    kind: "nothing",
  }]);
  const named = one(
    "INSERT INTO t SELECT * FROM u ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
    "insert",
  );
  assert.equal(named.onConflict!.constraint, "t_pkey");
  assert.equal(named.source.body.kind, "select");
  // without ON CONFLICT the fields are absent
  const plain = one("INSERT INTO t VALUES (1) RETURNING a", "insert");
  assert.equal(plain.onConflict ?? null, null);
  assert.equal(plain.alias ?? null, null);
  // SET col.field = ... is parsed for the binder to reject (42804 / 42703 as in PostgreSQL)
  const field = one(
    "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET excluded.b = 1",
    "insert",
  );
  assert.ok(field.onConflict!.action.kind === "update");
  assert.deepEqual(field.onConflict!.action.assignments[0]!.fields, ["b"]);
  // an inference expression that is not a column matches no index (PostgreSQL: 42P10)
  assert.throws(
    () => parseSql("INSERT INTO t VALUES (1) ON CONFLICT ((a + 1)) DO NOTHING"),
    (e: unknown) => e instanceof DbError && e.code === "42P10",
  );
  for (
    const bad of [
      "INSERT INTO t VALUES (1) ON CONFLICT",
      "INSERT INTO t VALUES (1) ON CONFLICT (a)",
      "INSERT INTO t VALUES (1) ON CONFLICT (a) DO",
      "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE",
      "INSERT INTO t VALUES (1) ON CONFLICT (t.a) DO NOTHING",
      "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET (b, c) = (1)",
    ]
  ) {
    assert.throws(() => parseSql(bad), DbError, bad);
  }
  // UPDATE shares the SET list: fields and multi-column items
  const u = one("UPDATE t SET t.b = 1, (c, d) = ROW(2, 3)", "update");
  assert.deepEqual(u.assignments.map((a) => [a.column, a.fields ?? []]), [["t", ["b"]], ["c", []], [
    "d",
    [],
  ]]);
});

Deno.test("CREATE, DROP and ALTER SCHEMA; SET search_path keeps each name whole", () => {
  const strip = (sql: string) =>
    parseSql(sql).map((s) => {
      const { pos: _, ...rest } = s;
      return rest;
    });
  assert.deepEqual(strip('CREATE SCHEMA IF NOT EXISTS "my-db"; CREATE SCHEMA S'), [
    { kind: "create_schema", name: "my-db", ifNotExists: true },
    { kind: "create_schema", name: "s", ifNotExists: false },
  ]);
  assert.deepEqual(strip("DROP SCHEMA IF EXISTS a, B CASCADE; DROP SCHEMA c RESTRICT"), [
    { kind: "drop_schema", names: ["a", "b"], ifExists: true, cascade: true },
    { kind: "drop_schema", names: ["c"], ifExists: false, cascade: false },
  ]);
  assert.deepEqual(strip('ALTER SCHEMA a RENAME TO "B"'), [
    { kind: "rename_schema", name: "a", newName: "B" },
  ]);
  assert.deepEqual(strip("CREATE SCHEMA AUTHORIZATION joe; ALTER SCHEMA a OWNER TO joe"), [
    { kind: "unsupported", what: "CREATE SCHEMA AUTHORIZATION" },
    { kind: "unsupported", what: "ALTER SCHEMA" },
  ]);
  assert.deepEqual(strip(`SET search_path TO "$user", My, "My S", 'a,b'`), [
    { kind: "set", name: "search_path", value: '"$user", my, "My S", "a,b"' },
  ]);
  assert.deepEqual(strip("SET application_name = 'My App'"), [
    { kind: "set", name: "application_name", value: "My App" },
  ]);
  assert.equal(show(selectExpr("SELECT current_schema")), "function");
  assert.equal(show(selectExpr("SELECT current_schema()")), "function");
});

Deno.test("PostgreSQL catalog syntax: OPERATOR(), COLLATE, qualified types, niladic functions", () => {
  const op = selectExpr("SELECT a OPERATOR(pg_catalog.~) '^x' AND b");
  assert.equal(op.kind, "binary"); // AND on top: OPERATOR() binds tighter
  const regex = selectExpr("SELECT a !~* 'x'");
  assert.ok(regex.kind === "function" && regex.name.parts[0] === "texticregexne");
  const collated = selectExpr("SELECT c.relname COLLATE pg_catalog.default");
  assert.equal(collated.kind, "column_ref");
  assert.throws(() => parseSql("SELECT 'a' COLLATE \"de_DE\""), { code: "0A000" });
  const cast = selectExpr("SELECT x::pg_catalog.regclass::pg_catalog.text");
  assert.ok(cast.kind === "cast" && cast.type.name === "text");
  assert.ok(cast.operand.kind === "cast" && cast.operand.type.name === "regclass");
  for (const [sql, name] of [["current_user", "current_user"], ["user", "user"]] as const) {
    const e = selectExpr(`SELECT ${sql}`);
    assert.ok(e.kind === "function" && e.name.parts[0] === name && e.args.length === 0);
  }
  const arr = selectExpr("SELECT ARRAY(SELECT 1)");
  assert.ok(arr.kind === "function" && arr.name.parts[0] === "coalesce");
});

Deno.test("DISCARD and UNLISTEN statements", () => {
  assert.deepEqual(parseSql("DISCARD ALL")[0], { kind: "discard", target: "all", pos: 0 });
  assert.deepEqual(parseSql("discard temporary")[0], { kind: "discard", target: "temp", pos: 0 });
  assert.deepEqual(parseSql("UNLISTEN *")[0], { kind: "unlisten", channel: null, pos: 0 });
  assert.deepEqual(parseSql("UNLISTEN ch")[0], { kind: "unlisten", channel: "ch", pos: 0 });
  assert.throws(() => parseSql("DISCARD everything"), { code: "42601" });
});
