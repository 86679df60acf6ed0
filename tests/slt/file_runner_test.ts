import assert from "node:assert/strict";
import * as path from "node:path";
import type { SltEngine } from "./engine.ts";
import { type FileRunSpec, type RecordOutcome, runFile } from "./file_runner.ts";
import type { Dialect } from "./record.ts";
import { fakeEngine } from "./_fake_engine.ts";

interface Run {
  outcomes: RecordOutcome[];
  begun: number[];
  log: string[];
}

async function runText(
  text: string,
  options: {
    dialect?: Dialect;
    names?: string[];
    extraFiles?: Record<string, string>;
    spec?: Partial<FileRunSpec>;
    engine?: SltEngine;
  } = {},
): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "slt_runner_test_" });
  try {
    const file = path.join(dir, "t.slt");
    await Deno.writeTextFile(file, text);
    for (const [name, body] of Object.entries(options.extraFiles ?? {})) {
      await Deno.writeTextFile(path.join(dir, name), body);
    }
    const log: string[] = [];
    const outcomes: RecordOutcome[] = [];
    const begun: number[] = [];
    await runFile(
      {
        file,
        relPath: "c/t.slt",
        dialect: options.dialect ?? "classic",
        engineNames: options.names ?? ["postgresql", "omendb"],
        ...options.spec,
      },
      options.engine ?? fakeEngine(log),
      { begin: (s) => begun.push(s), outcome: (o) => outcomes.push(o) },
    );
    return { outcomes, begun, log };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const statuses = (r: Run): string[] =>
  r.outcomes.map((o) => `${o.id} ${o.status}${o.reason === null ? "" : ` ${o.reason}`}`);

Deno.test("runner: passes, mismatches, errors and crashes become outcomes", async () => {
  const r = await runText(
    [
      "statement ok",
      "create table t",
      "",
      "query IT",
      "select 1, 'a'",
      "----",
      "1",
      "a",
      "",
      "query I",
      "select 2",
      "----",
      "3",
      "",
      "statement error",
      "fail",
      "",
      "statement error",
      "create table u",
      "",
      "statement ok",
      "fail",
      "",
      "statement ok",
      "boom",
      "",
      "query I",
      "select 1, 2",
      "----",
      "1",
      "2",
    ].join("\n"),
  );
  assert.deepEqual(statuses(r), [
    "c/t.slt:1 passed",
    "c/t.slt:4 passed",
    "c/t.slt:10 failed mismatch",
    "c/t.slt:15 passed",
    "c/t.slt:18 failed no-error",
    "c/t.slt:21 failed error",
    "c/t.slt:24 failed crash",
    "c/t.slt:27 failed mismatch", // 2 columns for 1 type letter
  ]);
  const mismatch = r.outcomes[2] as RecordOutcome;
  assert.equal(mismatch.sql, "select 2");
  assert.equal(mismatch.expected, "3");
  assert.equal(mismatch.actual, "2");
  assert.match((r.outcomes[6] as RecordOutcome).actual, /CRASH: TypeError: engine bug/);
  assert.deepEqual(r.begun, [0, 1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("runner: skipif/onlyif use our engine names; halt respects conditions", async () => {
  const text = [
    "skipif postgresql # not for us",
    "statement ok",
    "select 1",
    "",
    "onlyif mysql",
    "statement ok",
    "select 2",
    "",
    "onlyif omendb",
    "statement ok",
    "select 3",
    "",
    "onlyif mssql",
    "halt",
    "",
    "statement ok",
    "select 4",
    "",
    "skipif mysql",
    "halt",
    "",
    "statement ok",
    "select 5",
  ].join("\n");
  const r = await runText(text);
  assert.deepEqual(statuses(r), [
    "c/t.slt:2 skipped condition",
    "c/t.slt:6 skipped condition",
    "c/t.slt:10 passed",
    "c/t.slt:16 passed",
  ]);
  assert.deepEqual(r.log, ["select 3", "select 4"]);
  const duck = await runText("onlyif duckdb\nstatement ok\nselect 1\n", { names: ["duckdb"] });
  assert.deepEqual(statuses(duck), ["c/t.slt:2 passed"]);
});

Deno.test("runner: DuckDB loops substitute variables and number iterations", async () => {
  const text = [
    "loop i 0 2",
    "",
    "foreach v 7 8",
    "",
    "query I",
    "select {i}${v}",
    "----",
    "{i}${v}",
    "",
    "endloop",
    "",
    "endloop",
    "",
    "statement ok",
    "select 1",
  ].join("\n");
  const r = await runText(text, { dialect: "duckdb", names: ["duckdb"] });
  assert.deepEqual(statuses(r), [
    "c/t.slt:5#0 passed",
    "c/t.slt:5#1 passed",
    "c/t.slt:5#2 passed",
    "c/t.slt:5#3 passed",
    "c/t.slt:14 passed",
  ]);
  assert.deepEqual(r.log.slice(0, 4), ["select 07", "select 08", "select 17", "select 18"]);
  assert.equal(r.outcomes[1]?.iteration, 1);
});

Deno.test("runner: require skips the rest of the file; mode skip/unskip", async () => {
  const text = [
    "require vector_size 2",
    "",
    "mode skip",
    "",
    "statement ok",
    "select 1",
    "",
    "mode unskip",
    "",
    "statement ok",
    "select 2",
    "",
    "require parquet",
    "",
    "statement ok",
    "select 3",
    "",
    "query I",
    "select 4",
    "----",
    "4",
  ].join("\n");
  const r = await runText(text, { dialect: "duckdb", names: ["duckdb"] });
  assert.deepEqual(statuses(r), [
    "c/t.slt:5 skipped mode",
    "c/t.slt:10 passed",
    "c/t.slt:15 skipped require",
    "c/t.slt:18 skipped require",
  ]);
  assert.deepEqual(r.log, ["select 2"]);
});

Deno.test("runner: labels must agree; rowsort sorts; hashed results", async () => {
  const text = [
    "query I rowsort label-a",
    "select 10",
    "----",
    "10",
    "",
    "query I rowsort label-a",
    "select 11",
    "----",
    "11",
    "",
    "query I rowsort",
    "select rows 12",
    "----",
    "12 values hashing to 17b4c7ee1e4afbbdc6e34e0b2e98b1cb",
  ].join("\n");
  const r = await runText(text);
  assert.equal(r.outcomes[0]?.status, "passed");
  assert.equal(r.outcomes[1]?.reason, "label");
  // rows 0..11 sorted as strings: 0,1,10,11,2,...,9
  const { hashValues } = await import("./compare.ts");
  const sorted = ["0", "1", "10", "11", "2", "3", "4", "5", "6", "7", "8", "9"];
  const want = hashValues(sorted);
  const r2 = await runText(text.replace("17b4c7ee1e4afbbdc6e34e0b2e98b1cb", want));
  assert.equal(r2.outcomes[2]?.status, "passed");
  assert.equal(r.outcomes[2]?.status, "failed");
  assert.equal(r.outcomes[2]?.actual, `12 values hashing to ${want}`);
});

Deno.test("runner: rs include runs parts in the same session with their own ids", async () => {
  const r = await runText("include _a.slt\ninclude _b*.slt\n\nquery I\ncount\n----\n3\n", {
    dialect: "risinglight",
    names: ["risinglight"],
    extraFiles: {
      "_a.slt": "statement ok\ninsert x\n",
      "_b1.slt": "statement ok\ninsert y\n",
      "_b2.slt": "statement ok\ninsert z\n\nhalt\n\nstatement ok\nselect 9\n",
    },
  });
  assert.deepEqual(statuses(r), ["c/_a.slt:1 passed", "c/_b1.slt:1 passed", "c/_b2.slt:1 passed"]);
});

Deno.test("runner: unknown directives fail, EXPLAIN is skipped in DataFusion, knobs swallowed", async () => {
  const text = [
    "frobnicate now",
    "",
    "query TT",
    "EXPLAIN select 1",
    "----",
    "plan",
    "",
    "statement ok",
    "set datafusion.execution.batch_size = 2;",
    "",
    "query error DataFusion error: nope",
    "fail",
    "",
    "query B",
    "select true",
    "----",
    "true",
  ].join("\n");
  const engine = fakeEngine();
  const knobEngine: SltEngine = {
    query: (sql, o) =>
      sql.startsWith("set ")
        ? Promise.reject(Object.assign(new Error("no"), { name: "DbError", code: "0A000" }))
        : engine.query(sql, o),
    close: () => Promise.resolve(),
  };
  const r = await runText(text, {
    dialect: "datafusion",
    names: ["datafusion"],
    engine: knobEngine,
  });
  assert.deepEqual(statuses(r), [
    "c/t.slt:1 failed unsupported-directive",
    "c/t.slt:3 skipped unsupported",
    "c/t.slt:8 passed",
    "c/t.slt:11 passed",
    "c/t.slt:14 passed",
  ]);
  assert.equal(r.outcomes[2]?.noop, true);
  assert.equal(r.outcomes[3]?.messageMismatch, true);
});

Deno.test("runner: deadline and resume", async () => {
  const text = "statement ok\ninsert a\n\nstatement ok\ninsert b\n\nquery I\ncount\n----\n1\n";
  const late = await runText(text, { spec: { fileDeadline: 0 } });
  assert.deepEqual(statuses(late), [
    "c/t.slt:1 failed timeout",
    "c/t.slt:4 failed timeout",
    "c/t.slt:7 failed timeout",
  ]);
  assert.equal(late.log.length, 0);
  // Resume after seq 1: seq 0 replays silently, seq 1 is skipped, seq 2 is reported.
  const resumed = await runText(text, { spec: { resumeAfter: 1, killedSeqs: [1] } });
  assert.deepEqual(statuses(resumed), ["c/t.slt:7 passed"]);
  assert.deepEqual(resumed.log, ["insert a", "count"]);
  const timeout = await runText("statement ok\ntimeout\n");
  assert.deepEqual(statuses(timeout), ["c/t.slt:1 failed timeout"]);
});
