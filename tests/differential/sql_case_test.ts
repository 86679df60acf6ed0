import assert from "node:assert/strict";
import fc from "fast-check";
import { DuckdbEngine } from "./duckdb_engine.ts";
import { caseArbitrary, defaultCaseConfig } from "./gen_query.ts";
import { renderFloat, renderScript, renderSetup, renderValue } from "./sql_case.ts";

Deno.test("literals render with unambiguous types and exact floats", () => {
  assert.equal(renderValue("int4", -2147483648), "CAST(-2147483648 AS INTEGER)");
  assert.equal(renderValue("int8", 9223372036854775807n), "CAST(9223372036854775807 AS BIGINT)");
  assert.equal(renderValue("text", "it's"), "'it''s'");
  assert.equal(renderValue("bool", null), "NULL");
  assert.equal(renderFloat(1.5), "1.5");
  assert.equal(renderFloat(3), "3.0");
  assert.equal(renderFloat(1e300), "1e+300");
  assert.equal(renderFloat(NaN), "CAST('NaN' AS DOUBLE PRECISION)");
  assert.equal(renderFloat(0.1 + 0.2), "CAST('0.30000000000000004' AS DOUBLE PRECISION)");
});

Deno.test("generated cases are valid SQL for DuckDB and carry feature tags", async () => {
  const duck = await DuckdbEngine.open();
  try {
    const samples = fc.sample(caseArbitrary(defaultCaseConfig), { seed: 5, numRuns: 60 });
    let parsed = 0;
    const features = new Set<string>();
    for (const c of samples) {
      assert.ok(c.query.features.length > 0);
      for (const f of c.query.features) features.add(f);
      assert.ok(renderScript(c).endsWith(`${c.query.sql};`));
      const o = await duck.run(renderSetup(c.tables), c.query.sql);
      // Setup must always work; the query may fail (errors are part of the test), but never
      // with a parser error unless the generator meant one.
      assert.ok(o.ok || o.stage === "query", `setup failed: ${renderScript(c)}`);
      if (!o.ok && o.message.startsWith("Parser Error")) {
        assert.ok(c.query.features.includes("error.syntax"), `${c.query.sql}: ${o.message}`);
      } else parsed++;
    }
    assert.ok(parsed > 40);
    for (const f of ["select", "where", "order_by", "arith", "compare", "cast", "case"]) {
      assert.ok(features.has(f), `no case used ${f}`);
    }
  } finally {
    await duck.close();
  }
});
