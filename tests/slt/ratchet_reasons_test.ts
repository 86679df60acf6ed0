import assert from "node:assert/strict";
import { readRatchet } from "./ratchet.ts";
import { groupByReason, reasonFor } from "./ratchet_reasons.ts";

Deno.test("every record in ratchet.json has a one-line reason", () => {
  const unexplained = readRatchet().failing.filter((id) => reasonFor(id) === null);
  assert.deepEqual(unexplained, [], "add a failure group to tests/slt/ratchet_reasons.ts");
});

Deno.test("reasons group ids and leave unknown ids without one", () => {
  const groups = groupByReason([
    "duckdb/test/sql/window/test_basic_window.test:1",
    "duckdb/test/sql/window/test_lead_lag.test:2",
    "nowhere/x.test:3",
  ]);
  assert.equal(groups[0]![1].length, 2);
  assert.equal(reasonFor("nowhere/x.test:3"), null);
});
