/**
 * Rule `pull_up_exists_quals`: a WHERE's `EXISTS (SELECT ... FROM ... WHERE p AND q)` whose
 * condition `p` reads only the enclosing row (no column of the subquery's own FROM, no subquery,
 * nothing volatile) becomes `p AND EXISTS (SELECT ... WHERE q)`, with `p` ahead of the WHERE's
 * other conjuncts. PostgreSQL pulls such an EXISTS up into a semi-join
 * (convert_EXISTS_sublink_to_join) and distributes its condition's quals: `p` mentions only the
 * outer relation, so it becomes a filter of that relation's scan, listed before the WHERE's own
 * quals (order_conjuncts then orders them by cost, stably). So `p` runs before the WHERE's other
 * conditions and spares their errors on the rows it rejects: `WHERE EXISTS (SELECT 1 FROM t1 WHERE
 * a.c1) AND CAST(0 % a.c2 AS BOOLEAN)` divides no row whose c1 is false (fuzz seed 5757575).
 *
 * Only a top-level WHERE conjunct, not negated (NOT EXISTS is an anti-join, whose quals stay in
 * the join), over a subquery that PostgreSQL converts: a projection over a WHERE with nothing
 * volatile over a FROM of tables that reads no enclosing row (no aggregate, DISTINCT, LIMIT, set
 * operation or VALUES). Both forms reject the same rows: a NULL `p` rejects the row either way.
 *
 * @example
 * ```ts
 * import { pullUpExistsQuals } from "./pull_up_exists_quals.ts";
 * console.assert(pullUpExistsQuals.name === "pull_up_exists_quals");
 * ```
 *
 * @module
 */
import type { BoundExpr, BoundSubquery } from "../plan/expr.ts";
import { andAll, conjuncts, isVolatile, mapLeaves, walkBound } from "../plan/expr_utils.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";

/** Whether `plan` is a FROM of tables (scans and joins of them) that reads no enclosing row. */
function isTableFrom(plan: LogicalPlan): boolean {
  if (plan.kind === "scan") return true;
  if (plan.kind !== "join") return false;
  let outer = false;
  if (plan.condition !== null) {
    walkBound(plan.condition, (x) => {
      if (x.kind === "outer_column" || x.kind === "subquery") outer = true;
    });
  }
  return !outer && isTableFrom(plan.left) && isTableFrom(plan.right);
}

/**
 * Whether `e` reads the enclosing row and nothing of its own: no column of the subquery's input,
 * no deeper enclosing row, no subquery (constants and parameters may come along).
 */
function readsOnlyOuter(e: BoundExpr): boolean {
  let outer = false;
  let other = false;
  walkBound(e, (x) => {
    if (x.kind === "outer_column") {
      if (x.depth === 1) outer = true;
      else other = true;
    } else if (x.kind === "column" || x.kind === "subquery") other = true;
  });
  return outer && !other && !isVolatile(e);
}

/** `e` with its depth-1 outer columns made columns of the enclosing input. */
function toEnclosing(e: BoundExpr): BoundExpr {
  return mapLeaves(
    e,
    (leaf) =>
      leaf.kind === "outer_column" ? { kind: "column", index: leaf.index, type: leaf.type } : leaf,
  );
}

/** The quals to pull out of an EXISTS conjunct, and the EXISTS without them; null if none. */
function split(e: BoundExpr): { pulled: BoundExpr[]; rest: BoundSubquery } | null {
  if (e.kind !== "subquery" || e.mode !== "exists" || e.negated || !e.correlated) return null;
  const top = e.plan;
  if (top.kind !== "project" || top.input.kind !== "filter") return null;
  const where = top.input;
  if (!isTableFrom(where.input)) return null;
  const parts = conjuncts(where.predicate);
  // PostgreSQL converts no EXISTS whose WHERE calls something volatile
  if (parts.some(isVolatile)) return null;
  const pulled = parts.filter(readsOnlyOuter);
  if (pulled.length === 0) return null;
  const kept = parts.filter((p) => !pulled.includes(p));
  const predicate = andAll(kept);
  const input: LogicalPlan = predicate === null ? where.input : { ...where, predicate };
  return { pulled: pulled.map(toEnclosing), rest: { ...e, plan: { ...top, input } } };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  // a WHERE (a HAVING's EXISTS is not pulled up)
  if (plan.kind !== "filter" || plan.input.kind === "aggregate") return null;
  const parts = conjuncts(plan.predicate);
  const pulled: BoundExpr[] = [];
  let changed = false;
  const rest = parts.map((p) => {
    const s = split(p);
    if (s === null) return p;
    changed = true;
    pulled.push(...s.pulled);
    return s.rest;
  });
  if (!changed) return null;
  return { ...plan, predicate: andAll([...pulled, ...rest])! };
}

/** The rule. */
export const pullUpExistsQuals: OptimizerRule = {
  name: "pull_up_exists_quals",
  phase: "optimizer",
  apply: rewrite,
};
