import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { SltEngine } from "./engine.ts";
import {
  isEngineKnob,
  parseDelimited,
  resolveDataPath,
  runShim,
  toPostgresTypes,
} from "./shims.ts";
import { fakeEngine } from "./_fake_engine.ts";

Deno.test("shims: delimited parsing handles quotes, NULLs and .tbl trailing bars", () => {
  assert.deepEqual(parseDelimited('a,"b,""c""",\n1,,"x\ny"\n', ",", true), [
    ["a", 'b,"c"', null],
    ["1", null, "x\ny"],
  ]);
  assert.deepEqual(parseDelimited("1|ALGERIA|0|haggle|\n2|X|1||\n", "|", false), [
    ["1", "ALGERIA", "0", "haggle"],
    ["2", "X", "1", null],
  ]);
});

Deno.test("shims: scratch paths map to the scratch dir, others to the working dir", () => {
  assert.equal(
    resolveDataPath("test_files/scratch/limit/d.csv", "/wd", "/tmp/s"),
    "/tmp/s/limit/d.csv",
  );
  assert.equal(resolveDataPath("../x.csv", "/a/wd", "/tmp/s"), "/a/x.csv");
});

Deno.test("shims: knobs and DataFusion types", () => {
  assert.ok(isEngineKnob("PRAGMA enable_verification"));
  assert.ok(isEngineKnob("set datafusion.execution.batch_size = 2;"));
  assert.equal(isEngineKnob("SET default_null_order='nulls_first'"), false);
  assert.equal(
    toPostgresTypes("a TINYINT, b BIGINT UNSIGNED, c DOUBLE, d DOUBLE PRECISION, e FLOAT,"),
    "a SMALLINT, b NUMERIC(20, 0), c DOUBLE PRECISION, d DOUBLE PRECISION, e REAL",
  );
});

Deno.test("shims: CREATE EXTERNAL TABLE and COPY FROM become CREATE TABLE + INSERTs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slt_shim_test_" });
  try {
    await Deno.writeTextFile(path.join(dir, "d.csv"), "c1,c2\n1,x\n2.5,\n");
    await Deno.writeTextFile(path.join(dir, "n.tbl"), "1|a|\n2|b|\n");
    const log: string[] = [];
    const ctx = {
      engine: fakeEngine(log),
      workingDir: dir,
      scratchDir: path.join(dir, "scratch"),
      options: { timeoutMs: 1000 },
    };
    await runShim(
      "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION 'd.csv' OPTIONS ('format.has_header' 'true');",
      ctx,
    );
    assert.deepEqual(log, [
      "CREATE TABLE t (c1 DOUBLE PRECISION, c2 TEXT)",
      "INSERT INTO t VALUES\n('1', 'x'),\n('2.5', NULL)",
    ]);
    log.length = 0;
    const r = await runShim("COPY nation FROM 'n.tbl' ( DELIMITER '|' );", ctx);
    assert.deepEqual(log, ["INSERT INTO nation VALUES\n('1', 'a'),\n('2', 'b')"]);
    assert.deepEqual(r?.rows, [[2n]]);
    assert.equal(await runShim("SELECT 1", ctx), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shims: COPY TO writes only into the scratch dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slt_shim_test_" });
  try {
    const engine: SltEngine = fakeEngine();
    const ctx = {
      engine,
      workingDir: dir,
      scratchDir: path.join(dir, "s"),
      options: { timeoutMs: 1000 },
    };
    const r = await runShim(
      "COPY (select 1, 'say \"hi\"') TO 'test_files/scratch/limit/data.csv' STORED AS CSV",
      ctx,
    );
    assert.deepEqual(r?.rows, [[1n]]);
    assert.equal(
      fs.readFileSync(path.join(dir, "s", "limit", "data.csv"), "utf8"),
      '1,"say ""hi"""\n',
    );
    await assert.rejects(runShim("COPY (select 1) TO '../escape.csv'", ctx), /outside the scratch/);
    assert.equal(fs.existsSync(path.join(dir, "..", "escape.csv")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
