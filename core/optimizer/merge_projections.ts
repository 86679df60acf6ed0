/**
 * Rule `merge_projections`: a projection directly over another projection (a derived table,
 * a view, an inlined CTE) becomes one projection, the outer expressions reading the inner ones
 * in place. PostgreSQL pulls simple subqueries up into the outer query the same way, so constant
 * folding then sees through them (`CASE WHEN s.flag ...` over `SELECT TRUE AS flag` folds), and
 * an inner expression nothing reads is never evaluated. Filters between the two projections
 * (the outer query's WHERE) come along, reading the inner expressions in place, as PostgreSQL
 * pulls the subquery up before it pushes quals down. Volatile inner expressions and subqueries
 * are left where they are, as PostgreSQL leaves such subqueries.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { columnsOf, containsSubquery, isVolatile, substituteColumns } from "../plan/expr_utils.ts";

/** One merge step: `plan` over its input projection, or null when it may not merge. */
function mergeOnce(
  plan: LogicalPlan & { kind: "project" },
): (LogicalPlan & { kind: "project" }) | null {
  const filters: (LogicalPlan & { kind: "filter" })[] = [];
  let below = plan.input;
  while (below.kind === "filter") {
    filters.push(below);
    below = below.input;
  }
  if (below.kind !== "project") return null;
  const inner = below;
  // correlated references inside an outer subquery index the inner projection's row
  if (plan.exprs.some(containsSubquery) || filters.some((f) => containsSubquery(f.predicate))) {
    return null;
  }
  const used = new Set<number>();
  for (const e of plan.exprs) columnsOf(e, used);
  for (const f of filters) columnsOf(f.predicate, used);
  for (const i of used) {
    const e = inner.exprs[i]!;
    if (isVolatile(e) || containsSubquery(e)) return null;
  }
  const inPlace = (e: BoundExpr): BoundExpr => substituteColumns(e, (i) => inner.exprs[i]!);
  let input = inner.input;
  for (const f of filters.reverse()) {
    input = { kind: "filter", input, predicate: inPlace(f.predicate), fields: input.fields };
  }
  return { kind: "project", input, exprs: plan.exprs.map(inPlace), fields: plan.fields };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "project") return null;
  // the whole chain at once, so that the next rule (folding) sees the merged expressions
  let merged: (LogicalPlan & { kind: "project" }) | null = null;
  for (let next = mergeOnce(plan); next !== null; next = mergeOnce(next)) merged = next;
  return merged;
}

/** The rule. */
export const mergeProjections: OptimizerRule = {
  name: "merge_projections",
  phase: "optimizer",
  apply: rewrite,
};
