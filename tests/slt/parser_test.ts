import assert from "node:assert/strict";
import { parseSlt } from "./parser.ts";
import type { ControlRecord, LoopRecord, QueryRecord, StatementRecord } from "./record.ts";

Deno.test("parser: classic statements, queries, conditions with trailing comments", () => {
  const text = [
    "hash-threshold 8",
    "",
    "statement ok",
    "CREATE TABLE t1(a INTEGER)",
    "",
    "# a comment between records",
    "skipif mysql # not compatible",
    "onlyif postgresql",
    "query II rowsort label-1",
    "SELECT a,",
    "# dropped comment line inside SQL",
    "  a FROM t1",
    "----",
    "1",
    "2",
    "",
    "halt",
    "",
  ].join("\r\n");
  const records = parseSlt(text, "classic");
  assert.deepEqual(records.map((r) => r.kind), ["control", "statement", "query", "control"]);
  const st = records[1] as StatementRecord;
  assert.equal(st.line, 3);
  assert.equal(st.expect, "ok");
  assert.equal(st.sql, "CREATE TABLE t1(a INTEGER)");
  const q = records[2] as QueryRecord;
  assert.equal(q.line, 9);
  assert.equal(q.types, "II");
  assert.equal(q.sortMode, "rowsort");
  assert.equal(q.label, "label-1");
  assert.equal(q.sql, "SELECT a,\n  a FROM t1");
  assert.deepEqual(q.expected, ["1", "2"]);
  assert.deepEqual(q.conditions, [
    { kind: "skipif", engine: "mysql" },
    { kind: "onlyif", engine: "postgresql" },
  ]);
  assert.equal((records[3] as ControlRecord).directive, "halt");
});

Deno.test("parser: a query without ---- or with an empty block expects nothing", () => {
  const records = parseSlt("query I\nSELECT 1\n\nquery T\nSELECT ''\n----\n\n", "classic");
  assert.deepEqual((records[0] as QueryRecord).expected, []);
  assert.deepEqual((records[1] as QueryRecord).expected, []);
});

Deno.test("parser: expected lines starting with # are values", () => {
  const q = parseSlt("query T\nSELECT '#x'\n----\n#x\n", "duckdb")[0] as QueryRecord;
  assert.deepEqual(q.expected, ["#x"]);
});

Deno.test("parser: DuckDB error messages, regexes, maybe, connection names", () => {
  const text = [
    "statement error",
    "SELECT x",
    "----",
    "Binder Error: x",
    "",
    "statement error",
    "SELECT y",
    "----",
    "<REGEX>:Conversion.*",
    "",
    "statement maybe",
    "SELECT z",
    "",
    "query I con1 label-a",
    "SELECT 1",
    "----",
    "1",
  ].join("\n");
  const r = parseSlt(text, "duckdb");
  assert.deepEqual((r[0] as StatementRecord).error, { kind: "contains", text: "Binder Error: x" });
  assert.deepEqual((r[1] as StatementRecord).error, {
    kind: "regex",
    pattern: "Conversion.*",
    negate: false,
  });
  assert.equal((r[2] as StatementRecord).expect, "maybe");
  const q = r[3] as QueryRecord;
  assert.equal(q.sortMode, null);
  assert.equal(q.label, "label-a");
});

Deno.test("parser: sqllogictest-rs inline errors, query error, include, control", () => {
  const text = [
    "statement error (42P01)",
    "SELECT * FROM nope",
    "",
    "query error DataFusion error: Schema error: No field",
    "SELECT x",
    "",
    "include _create.slt",
    "include _q1.slt",
    "control sortmode rowsort",
    "",
    "statement error",
    "SELECT 1",
    "----",
    "multi",
    "",
    "line",
    "",
    "",
    "statement ok",
    "SELECT 2",
  ].join("\n");
  const r = parseSlt(text, "risinglight");
  assert.deepEqual((r[0] as StatementRecord).error, { kind: "sqlstate", code: "42P01" });
  const qe = r[1] as QueryRecord;
  assert.deepEqual(qe.error, {
    kind: "search",
    pattern: "DataFusion error: Schema error: No field",
  });
  assert.deepEqual(r.slice(2, 5).map((x) => (x as ControlRecord).argument), [
    "_create.slt",
    "_q1.slt",
    "rowsort",
  ]);
  assert.deepEqual((r[5] as StatementRecord).error, { kind: "exact", text: "multi\n\nline" });
  assert.equal((r[6] as StatementRecord).sql, "SELECT 2");
  assert.equal(r.length, 7);
});

Deno.test("parser: nested loops and foreach find their endloop", () => {
  const text = [
    "loop i 0 3",
    "",
    "foreach t INTEGER BIGINT",
    "",
    "statement ok",
    "SELECT {i}::${t}",
    "",
    "endloop",
    "",
    "endloop",
    "",
    "endloop",
  ].join("\n");
  const r = parseSlt(text, "duckdb");
  const outer = r[0] as LoopRecord;
  const inner = r[1] as LoopRecord;
  assert.deepEqual(outer.values, ["0", "1", "2"]);
  assert.deepEqual(inner.values, ["INTEGER", "BIGINT"]);
  assert.equal(inner.endIndex, 3);
  assert.equal(outer.endIndex, 4);
  assert.equal(r[5]?.kind, "unsupported"); // the stray third endloop
});

Deno.test("parser: require, mode skip/unskip and unknown directives", () => {
  const text =
    "require parquet\n\nmode skip\n\nmode output_result\n\nmode unskip\n\nsystem ok\necho hi\n\nstatement bogus\nSELECT 1\n";
  const r = parseSlt(text, "duckdb");
  assert.deepEqual(
    r.map((x) => x.kind === "control" ? x.directive : x.kind),
    ["require", "mode-skip", "ignore", "mode-unskip", "unsupported", "unsupported"],
  );
});
