/**
 * Rule `push_down_filters`: moves WHERE conjuncts into joins and below them, so that joins see
 * small inputs and equality conditions become hash-join keys. A conjunct goes to one side when
 * it reads only that side's columns and that side is not the nullable side of an outer join;
 * a conjunct over both sides of an inner or cross join becomes part of its ON condition. An
 * outer join's ON conjuncts that read only its nullable side go below it into that side.
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
  isPseudoConstant,
  isVolatile,
  mapColumns,
  substituteColumns,
} from "../plan/expr_utils.ts";
import { castValue } from "../exec/kernels/cast.ts";

function withFilter(input: LogicalPlan, parts: readonly BoundExpr[]): LogicalPlan {
  const predicate = andAll(parts);
  if (predicate === null) return input;
  if (input.kind === "filter") {
    return { ...input, predicate: andAll([...conjuncts(input.predicate), ...parts])! };
  }
  return { kind: "filter", input, predicate, fields: input.fields };
}

/** The conjuncts of `parts` that read columns of one side only, nothing volatile, no subquery. */
function singleSide(parts: readonly BoundExpr[], leftLen: number): BoundExpr[] {
  return parts.filter((p) => {
    const cols = [...columnsOf(p)];
    return !isVolatile(p) && !containsSubquery(p) && cols.length > 0 &&
      (cols.every((c) => c < leftLen) || cols.every((c) => c >= leftLen));
  });
}

/** Splits `parts` over a join; returns the rewritten join and what could not move. */
function pushIntoJoin(
  join: LogicalPlan & { kind: "join" },
  parts: readonly BoundExpr[],
): LogicalPlan | null {
  const leftLen = join.left.fields.length;
  if (join.joinType === "inner" && join.condition !== null) {
    // the join's own one-side ON conjuncts go down ahead of the WHERE's: PostgreSQL distributes
    // a join's ON quals before the WHERE's, so of two of equal cost the ON's runs first
    const on = conjuncts(join.condition);
    const single = singleSide(on, leftLen);
    if (single.length > 0) {
      join = { ...join, condition: andAll(on.filter((p) => !single.includes(p))) };
      parts = [...single, ...parts];
    }
  }
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
  if (input.kind === "aggregate") return intoWhere(plan, input);
  if (input.kind === "set_op") return intoArms(plan, input);
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

/**
 * A HAVING's conjuncts that read only grouping keys (no aggregate, nothing volatile, no
 * subquery) go below a plain GROUP BY into its WHERE, after the WHERE's own conjuncts, as
 * PostgreSQL's subquery_planner moves them: a group they reject loses all its rows before they
 * are aggregated, so `HAVING c1 > 0 AND sum(1 / c2) > 0` divides no row whose c1 is not positive.
 * Not under GROUPING SETS, ROLLUP or CUBE (a key is NULL in some sets' rows), nor without GROUP BY.
 * The same applies to an outer WHERE over a grouped derived table.
 */
function intoWhere(
  plan: LogicalPlan & { kind: "filter" },
  agg: LogicalPlan & { kind: "aggregate" },
): LogicalPlan | null {
  if (agg.groups.length === 0 || (agg.sets !== undefined && agg.sets !== null)) return null;
  const keys = agg.groups.length;
  const down: BoundExpr[] = [];
  const stay: BoundExpr[] = [];
  for (const p of conjuncts(plan.predicate)) {
    const cols = [...columnsOf(p)];
    if (!movable(p) || cols.some((c) => c >= keys)) stay.push(p);
    else {
      const moved = substituteColumns(p, (c) => agg.groups[c]!);
      if (movable(moved)) down.push(moved);
      else stay.push(p);
    }
  }
  if (down.length === 0) return null;
  return withFilter({ ...agg, input: withFilter(agg.input, down) }, stay);
}

/** Whether a set operation's arm ends in LIMIT/OFFSET (through projections, sorts, filters). */
function hasLimit(plan: LogicalPlan): boolean {
  for (;;) {
    if (plan.kind === "limit") return true;
    if (plan.kind !== "project" && plan.kind !== "sort" && plan.kind !== "filter") return false;
    plan = plan.input;
  }
}

/** Whether conditions may go into a set operation's arms: no EXCEPT, no arm with a LIMIT. */
function armsTakeConditions(plan: LogicalPlan & { kind: "set_op" }): boolean {
  if (plan.op === "except") return false;
  return [plan.left, plan.right].every((arm) =>
    arm.kind === "set_op" ? armsTakeConditions(arm) : !hasLimit(arm)
  );
}

/**
 * A filter over UNION [ALL] or INTERSECT [ALL] goes into every arm (after the arm's own WHERE),
 * as PostgreSQL pushes a qual into a set operation's queries: a row it rejects never meets the
 * arm's own conditions' errors. Not over EXCEPT anywhere in the tree, an arm with LIMIT, a
 * column an arm had to be cast to (`coerced`), nor a condition with anything volatile or a
 * subquery (PostgreSQL's subquery_is_pushdown_safe).
 */
function intoArms(
  plan: LogicalPlan & { kind: "filter" },
  op: LogicalPlan & { kind: "set_op" },
): LogicalPlan | null {
  if (!armsTakeConditions(op)) return null;
  const coerced = new Set(op.coerced ?? []);
  const down: BoundExpr[] = [];
  const stay: BoundExpr[] = [];
  for (const p of conjuncts(plan.predicate)) {
    if (movable(p) && ![...columnsOf(p)].some((c) => coerced.has(c))) down.push(p);
    else stay.push(p);
  }
  if (down.length === 0) return null;
  return withFilter(
    { ...op, left: withFilter(op.left, down), right: withFilter(op.right, down) },
    stay,
  );
}

/**
 * A constant, or a cast of one evaluated now (a date/time literal is a cast that folding leaves
 * to run time, as PostgreSQL does); a parameter of a generic plan, or a cast of one, as it is
 * (the scan reads its value when the plan runs); `null` when it is none of these or the cast
 * fails.
 */
function constantOf(e: BoundExpr): BoundExpr | null {
  if (e.kind === "const" || e.kind === "param") return e;
  if (e.kind === "cast" && e.operand.kind === "param") return e;
  if (e.kind !== "cast" || e.operand.kind !== "const") return null;
  try {
    const value = castValue(e.operand.value, e.operand.type, e.type, e.zone);
    return { kind: "const", value, type: e.type };
  } catch {
    return null;
  }
}

/**
 * A copy of a conjunct `column <op> constant` (either way round) that storage can prune by, or
 * `null`. The copy only narrows what storage reads: the filter above still decides, and errors
 * in evaluating a constant here drop the copy instead of failing the query.
 */
function prunable(e: BoundExpr): BoundExpr | null {
  if (e.kind !== "op" || !["eq", "lt", "le", "gt", "ge"].includes(e.op)) return null;
  if (e.left.kind === "column") {
    const k = constantOf(e.right);
    return k === null ? null : k === e.right ? e : { ...e, right: k };
  }
  if (e.right.kind === "column") {
    const k = constantOf(e.left);
    return k === null ? null : k === e.left ? e : { ...e, left: k };
  }
  return null;
}

/** Hands the storage engine copies of the prunable conjuncts of a filter right above a scan. */
function pruneScan(plan: LogicalPlan & { kind: "filter" }): LogicalPlan | null {
  const scan = plan.input;
  if (scan.kind !== "scan" || scan.rowPositions === true || scan.pruning !== undefined) {
    return null;
  }
  const parts = conjuncts(plan.predicate).map(prunable).filter((p) => p !== null);
  if (parts.length === 0) return null;
  return { ...plan, input: { ...scan, pruning: parts } };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind === "filter" && plan.input.kind === "filter") {
    // one filter of all the conjuncts, as PostgreSQL pools a relation's quals (and orders them
    // by cost): a cheap conjunct pushed down from above may then spare a failing one below
    const below = plan.input;
    return {
      ...below,
      predicate: andAll([...conjuncts(below.predicate), ...conjuncts(plan.predicate)])!,
    };
  }
  if (plan.kind === "filter" && plan.input.kind === "scan") return pruneScan(plan);
  if (plan.kind === "filter" && plan.input.kind === "join") {
    return pushIntoJoin(plan.input, conjuncts(plan.predicate));
  }
  if (plan.kind === "filter") return pushThrough(plan);
  if (plan.kind === "join" && plan.joinType === "inner" && plan.condition !== null) {
    // an ON conjunct that reads no column is PostgreSQL's one-time filter over the join: it
    // runs once before the join reads anything (and raises its error even over no rows)
    const on = conjuncts(plan.condition);
    const gates = on.filter(isPseudoConstant);
    if (gates.length > 0) {
      const join = { ...plan, condition: andAll(on.filter((p) => !gates.includes(p))) };
      return { kind: "filter", input: join, predicate: andAll(gates)!, fields: plan.fields };
    }
    // single-side ON conjuncts of an inner join can go below it too
    if (singleSide(on, plan.left.fields.length).length === 0) return null;
    return pushIntoJoin(plan, []);
  }
  if (plan.kind === "join" && plan.condition !== null && plan.joinType !== "inner") {
    // ON conjuncts of an outer (or semi/anti) join that read only the side whose rows the ON
    // condition filters (the nullable side; a semi/anti join's right) go below it, as
    // PostgreSQL does: they only decide which of that side's rows can match
    const leftLen = plan.left.fields.length;
    const filtered = plan.joinType === "right" ? "left" : plan.joinType === "full" ? null : "right";
    if (filtered === null) return null;
    const parts = conjuncts(plan.condition);
    const single = parts.filter((p) => {
      const cols = [...columnsOf(p)];
      return !isVolatile(p) && !containsSubquery(p) && cols.length > 0 &&
        (filtered === "left" ? cols.every((c) => c < leftLen) : cols.every((c) => c >= leftLen));
    });
    if (single.length === 0) return null;
    const rest = parts.filter((p) => !single.includes(p));
    return {
      ...plan,
      condition: andAll(rest),
      left: filtered === "left" ? withFilter(plan.left, single) : plan.left,
      right: filtered === "right"
        ? withFilter(plan.right, single.map((p) => mapColumns(p, (c) => c - leftLen)))
        : plan.right,
    };
  }
  return null;
}

/** The rule. */
export const pushDownFilters: OptimizerRule = {
  name: "push_down_filters",
  phase: "optimizer",
  apply: rewrite,
};
