/**
 * Bad SQL never crashes the engine: random token sequences and mutated valid queries produce
 * results or DbErrors, nothing else, and the data stays intact.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Database, DbError } from "../../mod.ts";

const TOKENS = [
  "SELECT",
  "FROM",
  "WHERE",
  "INSERT",
  "INTO",
  "VALUES",
  "CREATE",
  "TABLE",
  "DROP",
  "ORDER",
  "BY",
  "LIMIT",
  "OFFSET",
  "DISTINCT",
  "AND",
  "OR",
  "NOT",
  "NULL",
  "IS",
  "IN",
  "BETWEEN",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "CAST",
  "AS",
  "INTEGER",
  "TEXT",
  "BIGINT",
  "GROUP",
  "JOIN",
  "ON",
  "(",
  ")",
  ",",
  ";",
  "*",
  "+",
  "-",
  "/",
  "%",
  "^",
  "||",
  "=",
  "<>",
  "<",
  ">=",
  "::",
  "'x'",
  "''",
  "1",
  "0",
  "-1",
  "2147483647",
  "9223372036854775807",
  "1.5",
  "1e308",
  "$1",
  "a",
  "b",
  "t",
  "t.a",
  '"A"',
  "abs",
  "coalesce",
  "lower",
  "TRUE",
  "FALSE",
  "E'\\x41'",
  "/*",
  "*/",
  "--",
  "\n",
];

const SEEDS = [
  "SELECT a, b FROM t WHERE a > 1 ORDER BY b DESC LIMIT 2",
  "INSERT INTO t VALUES (1, 'one'), (2, NULL)",
  "SELECT CASE WHEN a IS NULL THEN 0 ELSE a / 2 END FROM t",
  "SELECT CAST(b AS INTEGER) + 1 FROM t WHERE b IN ('1', '2')",
  "CREATE TABLE u (x BIGINT NOT NULL, y DOUBLE PRECISION)",
];

async function expectOnlyDbErrors(db: Database, sql: string): Promise<void> {
  try {
    await db.query(sql, [1], { timeoutMs: 2000 });
  } catch (e) {
    if (!(e instanceof DbError)) {
      throw new Error(`non-DbError for ${JSON.stringify(sql)}: ${(e as Error)?.stack ?? e}`);
    }
    assert.match(e.code, /^[0-9A-Z]{5}$/);
    assert.notEqual(e.code, "XX000", `internal error for ${JSON.stringify(sql)}: ${e.message}`);
  }
}

Deno.test("random token sequences give results or DbErrors, never crashes", async () => {
  const db = await Database.open({ memory: true });
  await db.query(
    "CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, '1'), (2, '2'), (NULL, 'x')",
  );
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 14 }),
      async (toks) => {
        await expectOnlyDbErrors(db, toks.join(" "));
      },
    ),
    { seed: 20261126, numRuns: 1500 },
  );
  const count = (await db.query("SELECT a FROM t")).rows.length;
  assert.ok(count >= 3, "rows were never lost");
  await db.close();
});

Deno.test("mutated valid queries give results or DbErrors, never crashes", async () => {
  const db = await Database.open({ memory: true });
  await db.query("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, '1'), (2, '2')");
  const mutation = fc.record({
    seed: fc.constantFrom(...SEEDS),
    at: fc.nat(),
    cut: fc.nat({ max: 6 }),
    insert: fc.constantFrom(...TOKENS, "", " ", "'", '"', "(", ")"),
  });
  await fc.assert(
    fc.asyncProperty(mutation, async ({ seed, at, cut, insert }) => {
      const i = at % (seed.length + 1);
      await expectOnlyDbErrors(db, seed.slice(0, i) + insert + seed.slice(i + cut));
    }),
    { seed: 42, numRuns: 1500 },
  );
  await db.close();
});
