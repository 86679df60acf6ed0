import assert from "node:assert/strict";
import * as path from "node:path";
import type { RecordOutcome } from "./file_runner.ts";
import { compareWithRatchet, readRatchet, writeRatchet } from "./ratchet.ts";
import { Report } from "./report.ts";

function outcome(
  partial: Partial<RecordOutcome> & Pick<RecordOutcome, "id" | "status">,
): RecordOutcome {
  return {
    seq: 0,
    file: partial.id.split(":")[0] as string,
    line: Number(partial.id.split(":")[1]),
    iteration: null,
    reason: null,
    sql: "",
    expected: "",
    actual: "",
    tags: [],
    lenient: false,
    messageMismatch: false,
    noop: false,
    ...partial,
  };
}

Deno.test("report: counts, timeouts, tags and the exact JSON shape", () => {
  const r = new Report();
  r.add(outcome({ id: "sqlite/a.test:1", status: "passed", tags: ["ddl"] }), "sqlite");
  r.add(
    outcome({
      id: "sqlite/a.test:5",
      seq: 1,
      status: "failed",
      reason: "error",
      tags: ["ddl", "agg"],
    }),
    "sqlite",
  );
  r.add(outcome({ id: "sqlite/a.test:9", seq: 2, status: "failed", reason: "timeout" }), "sqlite");
  r.add(
    outcome({
      id: "sqlite/a.test:10",
      seq: 4,
      status: "failed",
      reason: "error",
      tags: ["window"],
    }),
    "sqlite",
  );
  r.add(
    outcome({ id: "sqlite/a.test:12", seq: 3, status: "skipped", reason: "condition" }),
    "sqlite",
  );
  r.add(outcome({ id: "duckdb/b.test:3", status: "skipped", reason: "require" }), "duckdb");
  const json = r.toJson();
  assert.deepEqual(json.corpora.sqlite, {
    runnable: 4,
    passed: 1,
    failed: 3,
    skipped: { condition: 1, require: 0, mode: 0, unsupported: 0, timeout: 1 },
    // the window-tagged failure is outside the covered basis
    covered: { passed: 1, failed: 2 },
  });
  assert.deepEqual(json.corpora.duckdb?.skipped.require, 1);
  assert.equal(json.corpora.duckdb?.runnable, 1);
  assert.deepEqual(json.byTag, {
    agg: { passed: 0, failed: 1 },
    ddl: { passed: 1, failed: 1 },
    window: { passed: 0, failed: 1 },
  });
  assert.deepEqual(Object.keys(json), ["version", "corpora", "byTag", "failures"]);
  assert.deepEqual(json.failures.map((f) => f.id), [
    "sqlite/a.test:5",
    "sqlite/a.test:9",
    "sqlite/a.test:10",
  ]);
  assert.deepEqual(Object.keys(json.failures[0] ?? {}), [
    "id",
    "file",
    "line",
    "iteration",
    "sql",
    "expected",
    "actual",
    "tags",
  ]);
  const text = r.toText();
  assert.equal(text.split("\n").at(-1), "1 passed, 3 failed");
  assert.match(
    text,
    /^sqlite: 1 passed, 3 failed \(25\.00%\); covered tags: 1 of 3 \(33\.33%\)$/m,
  );
});

Deno.test("ratchet: write, read back, regressions and newly passing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slt_ratchet_test_" });
  try {
    const file = path.join(dir, "ratchet.json");
    writeRatchet(["b:2", "a:1", "b:2"], { sqlite: { passed: 5, failed: 2 } }, file);
    const r = readRatchet(file);
    assert.deepEqual(r.failing, ["a:1", "b:2"]);
    assert.deepEqual(r.counts, { sqlite: { passed: 5, failed: 2 } });
    const diff = compareWithRatchet(r, ["b:2", "c:3"], ["a:1", "d:4"]);
    assert.deepEqual(diff, { regressions: ["c:3"], newlyPassing: ["a:1"] });
    assert.deepEqual(readRatchet(path.join(dir, "missing.json")).failing, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
