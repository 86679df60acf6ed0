import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  isEngineKnob,
  parseDelimited,
  resolveDataPath,
  runShim,
  toPostgresTypes,
} from "./shims.ts";
import { fakeEngine } from "./_fake_engine.ts";
import { openEngine } from "./omendb_engine.ts";

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

Deno.test("shims: CREATE EXTERNAL TABLE and COPY FROM become CREATE TABLE + the engine's COPY", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slt_shim_test_" });
  try {
    await Deno.writeTextFile(path.join(dir, "d.csv"), "c1,c2\n1,x\n2.5,\n");
    await Deno.writeTextFile(path.join(dir, "n.tbl"), "1|a|\n2|b|\n");
    const log: string[] = [];
    const scratchDir = path.join(dir, "scratch");
    const ctx = {
      engine: fakeEngine(log),
      workingDir: dir,
      scratchDir,
      options: { timeoutMs: 1000 },
    };
    await runShim(
      "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION 'd.csv' OPTIONS ('format.has_header' 'true');",
      ctx,
    );
    assert.deepEqual(log, [
      "CREATE TABLE t (c1 DOUBLE PRECISION, c2 TEXT)",
      `COPY t FROM '${path.join(dir, "d.csv")}' (FORMAT csv, HEADER true, DELIMITER ',')`,
    ]);
    log.length = 0;
    await runShim("COPY nation FROM 'n.tbl' ( DELIMITER '|' );", ctx);
    // the .tbl lines' trailing bar is dropped in a scratch copy
    const copy = path.join(scratchDir, "_copy_n.tbl");
    assert.deepEqual(log, [`COPY nation FROM '${copy}' ( DELIMITER '|' )`]);
    assert.equal(fs.readFileSync(copy, "utf8"), "1|a\n2|b\n");
    assert.equal(await runShim("SELECT 1", ctx), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shims: the engine's COPY loads .tbl files and writes COPY TO only into the scratch dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "slt_shim_test_" });
  const engine = await openEngine({ storage: "memory", dir });
  try {
    await Deno.writeTextFile(path.join(dir, "n.tbl"), "1|a|\n2|b|\n");
    const ctx = {
      engine,
      workingDir: dir,
      scratchDir: path.join(dir, "s"),
      options: { timeoutMs: 1000 },
    };
    await engine.query("CREATE TABLE nation (k int, name text)", ctx.options);
    const loaded = await runShim("COPY nation FROM 'n.tbl' ( DELIMITER '|' );", ctx);
    assert.deepEqual(loaded?.rows, [[2n]]);
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
    await engine.close();
    await Deno.remove(dir, { recursive: true });
  }
});
