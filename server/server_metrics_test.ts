import assert from "node:assert/strict";
import {
  readProcessSample,
  sqlStateClassOf,
  statementKindOf,
  statementKindOfSql,
} from "./server_metrics.ts";

Deno.test("statement kinds from command tags", () => {
  const cases: [string, string][] = [
    ["SELECT 2", "select"],
    ["INSERT 0 3", "insert"],
    ["UPDATE 1", "update"],
    ["DELETE 0", "delete"],
    ["CREATE TABLE", "ddl"],
    ["DROP VIEW", "ddl"],
    ["ALTER TABLE", "ddl"],
    ["TRUNCATE TABLE", "ddl"],
    ["BEGIN", "other"],
    ["COMMIT", "other"],
    ["SET", "other"],
    ["COPY 10", "other"],
    ["EXPLAIN", "other"],
    ["", "other"],
  ];
  for (const [tag, kind] of cases) assert.equal(statementKindOf(tag), kind, tag);
});

Deno.test("statement kinds from SQL text: the first keyword after comments and parentheses", () => {
  const cases: [string, string][] = [
    ["select 1", "select"],
    ["  \n\tINSERT INTO t VALUES (1)", "insert"],
    ["-- note\n/* block\n comment */ ((SELECT 1))", "select"],
    ["with x as (select 1) select * from x", "other"],
    ["create index i on t (a)", "ddl"],
    ["", "other"],
    ["42", "other"],
  ];
  for (const [sql, kind] of cases) assert.equal(statementKindOfSql(sql), kind, sql);
});

Deno.test("SQLSTATE classes: the first two characters of a well-formed code", () => {
  assert.equal(sqlStateClassOf("42P01"), "42");
  assert.equal(sqlStateClassOf("XX000"), "XX");
  assert.equal(sqlStateClassOf("57014"), "57");
  assert.equal(sqlStateClassOf("bogus"), "XX");
  assert.equal(sqlStateClassOf('4"'), "XX");
});

Deno.test("the process sample reads plausible values", () => {
  const s = readProcessSample();
  assert.ok(s.residentBytes > 1_000_000);
  assert.ok(s.heapUsedBytes > 0 && s.heapUsedBytes <= s.heapTotalBytes);
  assert.ok(s.cpuSeconds > 0 && s.cpuSeconds < 1e6);
});
