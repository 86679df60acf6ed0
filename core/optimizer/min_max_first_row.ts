/**
 * Rule `min_max_first_row`: an aggregation without GROUP BY whose aggregates are all `min` /
 * `max` (any aggregate with a {@link AggregateFunctionDef.sortOperator}) of a value that is the
 * same in every row reads at most one row of its single table. PostgreSQL's planagg.c rewrites
 * such a query as `SELECT x FROM t WHERE ... AND x IS NOT NULL ORDER BY x LIMIT 1` per
 * aggregate; when x is a constant, or a column the WHERE equates to a constant, the ORDER BY is
 * empty and the plan is a Limit over the scan, chosen as cheaper than reading every row. So a
 * row after the first that qualifies is never read, and its errors are never raised; and when
 * every x is a NULL constant, `x IS NOT NULL` is a false one-time filter and nothing is read.
 *
 * OmenDB gives the same answers the same way: the aggregation's input becomes `LIMIT 1` of itself
 * (the aggregate over at most one qualifying row gives that row's value, or NULL for none), or
 * no rows at all when every argument is a NULL constant. PostgreSQL does this only over one
 * base table (through filters and projections, as its pulled-up subqueries are), without
 * FILTER or an ordered aggregate, which the rule checks too.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { AggregateFunctionDef } from "../plugin/functions.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { BoundAggregate, BoundExpr } from "../plan/expr.ts";
import { conjuncts } from "../plan/expr_utils.ts";

/** Whether `e` is `column = non-NULL constant` (either way round) for column `index`. */
function equatesToConstant(e: BoundExpr, index: number): boolean {
  if (e.kind !== "op" || e.op !== "eq") return false;
  const isColumn = (x: BoundExpr) => x.kind === "column" && x.index === index;
  const isConst = (x: BoundExpr) => x.kind === "const" && x.value !== null;
  return (isColumn(e.left) && isConst(e.right)) || (isConst(e.left) && isColumn(e.right));
}

/**
 * Whether `plan` is one base table read through filters and projections; and, for `column`
 * (a column of `plan`, or null), whether one of those filters equates it to a constant.
 */
function singleTable(plan: LogicalPlan, column: number | null): { equated: boolean } | null {
  switch (plan.kind) {
    case "scan":
      if (plan.rowPositions === true || plan.latestBy !== undefined) return null;
      return {
        equated: column !== null && plan.filters.some((f) => equatesToConstant(f, column)),
      };
    case "filter": {
      const below = singleTable(plan.input, column);
      if (below === null) return null;
      const here = column !== null &&
        conjuncts(plan.predicate).some((c) => equatesToConstant(c, column));
      return { equated: below.equated || here };
    }
    case "project": {
      const e = column === null ? null : plan.exprs[column];
      return singleTable(plan.input, e?.kind === "column" ? e.index : null);
    }
    default:
      return null;
  }
}

/** Whether the aggregate reads one value per qualifying row that is the same in each. */
function sameInEveryRow(a: BoundAggregate, input: LogicalPlan): boolean {
  const fn: AggregateFunctionDef = a.fn;
  if (fn.sortOperator === undefined || a.args.length !== 1 || a.filter !== null) return false;
  if ((a.orderBy?.length ?? 0) > 0 || a.groupingKeys !== undefined) return false;
  const x = a.args[0]!;
  if (x.kind === "const") return true;
  // a boolean `c = TRUE` is simplified to `c` before PostgreSQL looks for equated columns
  if (x.kind !== "column" || x.type.kind === "bool") return false;
  return singleTable(input, x.index)?.equated === true;
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "aggregate" || plan.groups.length > 0 || plan.aggregates.length === 0) {
    return null;
  }
  // GROUP BY () is one empty grouping set; GROUPING SETS ((), ()) gives two rows
  if (plan.sets != null && (plan.sets.length !== 1 || plan.sets[0]!.length > 0)) return null;
  const input = plan.input;
  if (singleTable(input, null) === null) return null;
  if (!plan.aggregates.every((a) => sameInEveryRow(a, input))) return null;
  const allNull = plan.aggregates.every((a) => {
    const x = a.args[0]!;
    return x.kind === "const" && x.value === null;
  });
  const rows: LogicalPlan = allNull
    ? { kind: "values", rows: [], fields: input.fields }
    : { kind: "limit", input, limit: 1, offset: 0, fields: input.fields };
  return { ...plan, input: rows };
}

/** The rule. */
export const minMaxFirstRow: OptimizerRule = {
  name: "min_max_first_row",
  phase: "optimizer",
  apply: rewrite,
};
