import assert from "node:assert/strict";
import type { CaseResult, Verdict } from "./oracle.ts";
import type { SqlCase } from "./sql_case.ts";
import { FeatureReport, followedExamplesMax, totalRow } from "./report.ts";

const rows = { ok: true, columns: [], rows: [] } as const;

function result(
  verdict: Verdict,
  features: string[],
  divergence: string | null,
  reason: string,
): CaseResult {
  const c = { tables: [], query: { sql: "SELECT 1", features, order: "any" } };
  return {
    verdict,
    case: c as unknown as SqlCase,
    features,
    omen: rows,
    duck: rows,
    pg: rows,
    divergence,
    reason,
  };
}

Deno.test("FeatureReport counts verdicts per feature, divergences, and matches that followed DuckDB, not PostgreSQL", () => {
  const r = new FeatureReport();
  r.add(result("match", ["join"], null, ""));
  r.add(result("match", ["join", "case"], null, "error_evaluation_order"));
  r.add(result("divergence", ["case"], "division_by_zero", "division_by_zero"));
  r.add(result("mismatch", ["case"], null, "differs"));
  r.add(result("unsupported", ["join"], null, "no"));
  assert.deepEqual(r.get(totalRow), {
    queries: 5,
    ranOnBoth: 4,
    matched: 2,
    mismatched: 1,
    divergences: 1,
    unsupported: 1,
  });
  assert.equal(r.get("join").queries, 3);
  assert.equal(r.get("case").mismatched, 1);
  assert.deepEqual([...r.divergenceCounts], [["division_by_zero", 1]]);
  assert.deepEqual([...r.followedDuckdbCounts], [["error_evaluation_order", 1]]);
  assert.deepEqual(r.followedDuckdbExamples.get("error_evaluation_order")?.[0]?.features, [
    "join",
    "case",
  ]);
  for (let i = 0; i < 5; i++) r.add(result("match", ["join"], null, "constant_folded_error"));
  assert.equal(r.followedDuckdbExamples.get("constant_folded_error")?.length, followedExamplesMax);
  assert.equal(r.followedDuckdbCounts.get("constant_folded_error"), 5);
  const text = r.format();
  assert.match(text, /divergences: division_by_zero=1/);
  assert.match(
    text,
    /matched DuckDB, not PostgreSQL \(implementation-defined\): error_evaluation_order=1/,
  );
  assert.deepEqual(r.features(), [totalRow, "case", "join"]);
});
