/** End to end: the functions through the SQL binder and executor of an in-memory database. */
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { DbError } from "../../core/errors.ts";

Deno.test("built-in functions run through SQL with PostgreSQL results", async () => {
  const db = await Database.open({ memory: true });
  try {
    const r = await db.query(
      `SELECT round(2.5::float8), round(1.005, 2), sqrt(16), mod(-7, 3), gcd(12, 18),
              substr('PostgreSQL', 5, 3), split_part('a,b,c', ',', -1), lpad('7', 3, '0'),
              concat('x', NULL, 1), like('cpu-1', 'cpu%'), ilike('CPU', 'c_u'),
              greatest(1, NULL, 3), initcap('hello world'), md5('abc')`,
    );
    assert.deepEqual(r.rows[0], [
      2,
      "1.01",
      4,
      -1,
      6,
      "gre",
      "c",
      "007",
      "x1",
      true,
      true,
      3,
      "Hello World",
      "900150983cd24fb0d6963f7d28e17f72",
    ]);
    assert.deepEqual(r.columns.map((c) => c.type.kind), [
      "float8",
      "numeric",
      "float8",
      "int4",
      "int4",
      "text",
      "text",
      "text",
      "text",
      "bool",
      "bool",
      "int4",
      "text",
      "text",
    ]);
  } finally {
    await db.close();
  }
});

Deno.test("function errors reach SQL callers as DbError with PostgreSQL's SQLSTATE", async () => {
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE TABLE t (x DOUBLE PRECISION, s TEXT)");
    await db.query("INSERT INTO t VALUES (4, 'a'), (NULL, NULL), (-1, 'b')");
    const ok = await db.query("SELECT sqrt(x), upper(s) FROM t WHERE x IS NULL OR x >= 0");
    assert.deepEqual(ok.rows, [[2, "A"], [null, null]]);
    for (
      const [sql, code] of [
        ["SELECT sqrt(x) FROM t", "2201F"],
        ["SELECT ln(0)", "2201E"],
        ["SELECT mod(1, 0)", "22012"],
        ["SELECT like('a', 'a\\')", "22025"],
        ["SELECT substr('a', 1, -1)", "22011"],
        ["SELECT chr(0)", "54000"],
        ["SELECT round('x', 1)", "22P02"],
        ["SELECT gcd(1.5, 2)", "42883"],
      ] as const
    ) {
      await assert.rejects(db.query(sql), (e: unknown) => {
        assert.ok(e instanceof DbError, String(e));
        assert.equal(e.code, code, `${sql}: ${e.message}`);
        return true;
      });
    }
  } finally {
    await db.close();
  }
});
