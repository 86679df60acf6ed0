/**
 * Rule `prune_unused_columns`: a projection over another projection (a derived table, an inlined
 * CTE), possibly through a filter, replaces the inner expressions that nothing above reads with
 * NULL, so they are never evaluated. PostgreSQL's planner drops unused subquery outputs the same
 * way (remove_unused_subquery_outputs), so an error in a column that no one selects is not
 * raised. Volatile expressions and subqueries are kept, as PostgreSQL keeps them. Likewise an
 * aggregate that the projection (and HAVING) over its aggregation no longer reads computes
 * nothing.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundAggregate, BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { columnsOf, containsSubquery, isVolatile } from "../plan/expr_utils.ts";

/** Whether an aggregate computes nothing from its input: NULL arguments, no FILTER or ORDER BY. */
function neutral(a: BoundAggregate): boolean {
  return a.args.every((x) => x.kind === "const" && x.value === null) && a.filter === null &&
    (a.orderBy === undefined || a.orderBy.length === 0);
}

/**
 * The aggregation's aggregates that nothing above reads (`used`: its output columns read), made
 * to compute nothing: PostgreSQL computes only the aggregates its target list and HAVING still
 * name once folded, and drops a derived table's unused outputs, aggregates included, so
 * `HAVING sum(1/x) >= NULL` or an unselected `sum(1/x)` divides nothing.
 */
function pruneAggregates(
  agg: LogicalPlan & { kind: "aggregate" },
  used: ReadonlySet<number>,
): LogicalPlan | null {
  let changed = false;
  const aggregates = agg.aggregates.map((a, i): BoundAggregate => {
    if (used.has(agg.groups.length + i) || neutral(a)) return a;
    if (a.args.some((x) => isVolatile(x) || containsSubquery(x))) return a;
    changed = true;
    const { orderBy: _, ...rest } = a;
    return {
      ...rest,
      args: a.args.map((x): BoundExpr => ({ kind: "const", value: null, type: x.type })),
      filter: null,
    };
  });
  return changed ? { ...agg, aggregates } : null;
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "project") return null;
  const mid = plan.input.kind === "filter" ? plan.input : null;
  const inner = mid === null ? plan.input : mid.input;
  if (inner.kind === "aggregate") {
    const used = new Set<number>();
    for (const e of mid === null ? plan.exprs : [...plan.exprs, mid.predicate]) {
      if (containsSubquery(e)) return null; // a correlated reference is not a column index
      columnsOf(e, used);
    }
    const pruned = pruneAggregates(inner, used);
    if (pruned === null) return null;
    return mid === null
      ? { ...plan, input: pruned }
      : { ...plan, input: { ...mid, input: pruned } };
  }
  if (inner.kind !== "project") return null;
  const readers = mid === null ? plan.exprs : [...plan.exprs, mid.predicate];
  const used = new Set<number>();
  for (const e of readers) {
    if (containsSubquery(e)) return null; // a correlated reference is not a column index
    columnsOf(e, used);
  }
  let changed = false;
  const exprs = inner.exprs.map((e, i): BoundExpr => {
    // An unused column reference goes too, so that the projection below it prunes in turn.
    if (used.has(i) || e.kind === "const") return e;
    if (isVolatile(e) || containsSubquery(e)) return e;
    changed = true;
    return { kind: "const", value: null, type: e.type };
  });
  if (!changed) return null;
  const pruned: LogicalPlan = { ...inner, exprs };
  return mid === null ? { ...plan, input: pruned } : { ...plan, input: { ...mid, input: pruned } };
}

/** The rule. */
export const pruneUnusedColumns: OptimizerRule = {
  name: "prune_unused_columns",
  phase: "optimizer",
  apply: rewrite,
};
