/**
 * Rule `push_down_filters`: moves WHERE conjuncts into joins and below them, so that joins see
 * small inputs and equality conditions become hash-join keys. A conjunct goes to one side when
 * it reads only that side's columns and that side is not the nullable side of an outer join;
 * a conjunct over both sides of an inner or cross join becomes part of its ON condition.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { BoundExpr } from "../plan/expr.ts";
import {
  andAll,
  columnsOf,
  conjuncts,
  containsSubquery,
  isVolatile,
  mapColumns,
  substituteColumns,
} from "../plan/expr_utils.ts";

function withFilter(input: LogicalPlan, parts: readonly BoundExpr[]): LogicalPlan {
  const predicate = andAll(parts);
  if (predicate === null) return input;
  if (input.kind === "filter") {
    return { ...input, predicate: andAll([...conjuncts(input.predicate), ...parts])! };
  }
  return { kind: "filter", input, predicate, fields: input.fields };
}

/** Splits `parts` over a join; returns the rewritten join and what could not move. */
function pushIntoJoin(
  join: LogicalPlan & { kind: "join" },
  parts: readonly BoundExpr[],
): LogicalPlan | null {
  const leftLen = join.left.fields.length;
  const toLeft: BoundExpr[] = [];
  const toRight: BoundExpr[] = [];
  const toJoin: BoundExpr[] = [];
  const stay: BoundExpr[] = [];
  const inner = join.joinType === "inner" || join.joinType === "cross";
  // a semi or anti join outputs a subset of its left rows, decided row by row
  const leftPreserved = inner || join.joinType === "left" || join.joinType === "semi" ||
    join.joinType === "anti";
  const rightPreserved = inner || join.joinType === "right";
  for (const p of parts) {
    if (isVolatile(p) || containsSubquery(p)) {
      stay.push(p);
      continue;
    }
    const cols = [...columnsOf(p)];
    const onlyLeft = cols.every((c) => c < leftLen);
    const onlyRight = cols.every((c) => c >= leftLen);
    if (cols.length > 0 && onlyLeft && leftPreserved) toLeft.push(p);
    else if (cols.length > 0 && onlyRight && rightPreserved) {
      toRight.push(mapColumns(p, (c) => c - leftLen));
    } else if (inner && cols.length > 0) toJoin.push(p);
    else stay.push(p);
  }
  if (toLeft.length + toRight.length + toJoin.length === 0) return null;
  const condition = andAll([...(join.condition ? conjuncts(join.condition) : []), ...toJoin]);
  const rewritten: LogicalPlan = {
    ...join,
    joinType: join.joinType === "cross" && condition !== null ? "inner" : join.joinType,
    left: withFilter(join.left, toLeft),
    right: withFilter(join.right, toRight),
    condition,
  };
  return withFilter(rewritten, stay);
}

/** Whether an expression may be moved or duplicated (PostgreSQL's qual_is_pushdown_safe). */
function movable(e: BoundExpr): boolean {
  return !isVolatile(e) && !containsSubquery(e);
}

/**
 * A filter over a projection (a derived table, a view, an inlined CTE) goes below it, its column
 * references replaced by the projected expressions; a filter over DISTINCT goes below the
 * DISTINCT. PostgreSQL pushes quals into subqueries the same way, so a row the outer WHERE
 * rejects never evaluates the inner expressions or filters.
 */
function pushThrough(plan: LogicalPlan & { kind: "filter" }): LogicalPlan | null {
  const input = plan.input;
  if (input.kind !== "project" && input.kind !== "distinct") return null;
  const parts = conjuncts(plan.predicate);
  const down: BoundExpr[] = [];
  const stay: BoundExpr[] = [];
  for (const p of parts) {
    if (!movable(p)) {
      stay.push(p);
      continue;
    }
    if (input.kind === "distinct") {
      down.push(p);
      continue;
    }
    const cols = [...columnsOf(p)];
    if (cols.some((c) => !movable(input.exprs[c]!))) stay.push(p);
    else down.push(substituteColumns(p, (c) => input.exprs[c]!));
  }
  if (down.length === 0) return null;
  return withFilter({ ...input, input: withFilter(input.input, down) }, stay);
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind === "filter" && plan.input.kind === "join") {
    return pushIntoJoin(plan.input, conjuncts(plan.predicate));
  }
  if (plan.kind === "filter") return pushThrough(plan);
  if (plan.kind === "join" && plan.joinType === "inner" && plan.condition !== null) {
    // single-side ON conjuncts of an inner join can go below it too
    const parts = conjuncts(plan.condition);
    const leftLen = plan.left.fields.length;
    const single = parts.filter((p) => {
      const cols = [...columnsOf(p)];
      return !isVolatile(p) && !containsSubquery(p) && cols.length > 0 &&
        (cols.every((c) => c < leftLen) || cols.every((c) => c >= leftLen));
    });
    if (single.length === 0) return null;
    const rest = parts.filter((p) => !single.includes(p));
    return pushIntoJoin({ ...plan, condition: andAll(rest) }, single);
  }
  return null;
}

/** The rule. */
export const pushDownFilters: OptimizerRule = {
  name: "push_down_filters",
  phase: "optimizer",
  apply: rewrite,
};
