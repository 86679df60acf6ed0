/**
 * The optimizer driver: applies rules to every node, top-down, until nothing changes or the
 * pass limit is reached, and checks the plan after each rule so a broken rewrite names its rule.
 *
 * @module
 */
import { AssertionError } from "../errors.ts";
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { planExpressions, planInputs } from "../plan/logical_plan.ts";
import { columnsOf, containsSubquery, walkBound } from "../plan/expr_utils.ts";
import { pushDownFilters } from "./push_down_filters.ts";
import { foldConstants, foldExpr } from "./fold_constants.ts";
import { orderConjuncts } from "./order_conjuncts.ts";
import { reorderJoins } from "./reorder_joins.ts";
import { pushDownLimit } from "./push_down_limit.ts";
import { pruneUnusedColumns } from "./prune_unused_columns.ts";
import { mergeProjections } from "./merge_projections.ts";
import { latestPerSeries } from "./latest_per_series.ts";
import { narrowScans } from "./narrow_scans.ts";
import { reduceOuterJoins } from "./reduce_outer_joins.ts";
import { minMaxFirstRow } from "./min_max_first_row.ts";
import { pullUpExistsQuals } from "./pull_up_exists_quals.ts";
import { equivalenceClasses } from "./equivalence_classes.ts";

/** Passes over the whole plan at most. */
export const optimizerPassesMax = 16;

/** The built-in rules, in order. */
export const builtinRules: readonly OptimizerRule[] = [
  // Before folding, so that folding sees through derived tables (PostgreSQL's pull-up)...
  mergeProjections,
  // ...and a constant error in a column nobody reads is not raised.
  pruneUnusedColumns,
  foldConstants,
  // an outer join that a WHERE or an upper ON makes inner can be reordered and filtered below
  reduceOuterJoins,
  reorderJoins,
  // before the WHERE's conjuncts are pushed down and ordered: an EXISTS's outer-only quals join them
  pullUpExistsQuals,
  // before pushdown, which takes the conjuncts it derives to their relations
  equivalenceClasses,
  pushDownFilters,
  orderConjuncts,
  pushDownLimit,
  // after folding and pushdown: it looks for constant arguments and equated columns
  minMaxFirstRow,
  latestPerSeries,
  narrowScans,
];

function withInputs(plan: LogicalPlan, inputs: LogicalPlan[]): LogicalPlan {
  switch (plan.kind) {
    case "scan":
    case "values":
      return plan;
    case "join":
    case "set_op":
      return { ...plan, left: inputs[0]!, right: inputs[1]! };
    case "recursive_cte":
      return { ...plan, base: inputs[0]!, step: inputs[1]! };
    case "working_table":
    case "series":
      return plan;
    default:
      return { ...plan, input: inputs[0]! } as LogicalPlan;
  }
}

/** Checks that every column reference is in range of its node's input. */
export function checkPlan(plan: LogicalPlan, rule: string): void {
  const check = (exprs: readonly { kind: string }[], width: number) => {
    for (const e of exprs) {
      for (const c of columnsOf(e as never)) {
        if (c < 0 || c >= width) {
          throw new AssertionError(`rule ${rule} produced column ${c} outside 0..${width - 1}`);
        }
      }
    }
  };
  switch (plan.kind) {
    case "filter":
      check([plan.predicate], plan.input.fields.length);
      break;
    case "project":
      check(plan.exprs, plan.input.fields.length);
      break;
    case "join":
      if (plan.condition) {
        check([plan.condition], plan.left.fields.length + plan.right.fields.length);
      }
      break;
    default:
      break;
  }
  for (const i of planInputs(plan)) checkPlan(i, rule);
}

function applyOnce(plan: LogicalPlan, rule: OptimizerRule): LogicalPlan | null {
  let changed = false;
  let node = plan;
  const here = rule.apply(node);
  if (here !== null) {
    node = here;
    changed = true;
  }
  const inputs = planInputs(node);
  const next = inputs.map((i) => applyOnce(i, rule));
  if (next.some((n) => n !== null)) {
    node = withInputs(node, next.map((n, k) => n ?? inputs[k]!));
    changed = true;
  }
  return changed ? node : null;
}

/**
 * Optimizes the plans of the subqueries inside a plan's expressions (each on its own, innermost
 * first), so that folding and pushdown work inside them too, as PostgreSQL plans subqueries.
 * A subquery keeps its identity (the executor caches results by it); its plan is replaced.
 */
/** Plans `optimize` returned: a subquery planned ahead of its query is not planned again. */
const optimized = new WeakSet<LogicalPlan>();

function optimizeSubqueries(
  plan: LogicalPlan,
  rules: readonly OptimizerRule[],
  disabled: ReadonlySet<string>,
): boolean {
  let decorrelated = false;
  for (const e of planExpressions(plan)) {
    walkBound(e, (x) => {
      if (x.kind !== "subquery") return;
      // (a select-list subquery was planned already, before the outer plan)
      if (!optimized.has(x.plan)) {
        (x as { plan: LogicalPlan }).plan = optimize(x.plan, rules, disabled);
      }
      // PostgreSQL makes a subquery's outer references parameters after folding it: one whose
      // references all folded away runs once per query, and a condition over it alone is a
      // one-time filter (it stays where its form put it: an IN is not pulled up afterwards)
      if (x.correlated && !readsOuter(x.plan, 0)) {
        (x as { correlated: boolean }).correlated = false;
        (x as { correlationFolded?: true }).correlationFolded = true;
        decorrelated = true;
      }
    });
  }
  for (const i of planInputs(plan)) {
    if (optimizeSubqueries(i, rules, disabled)) decorrelated = true;
  }
  return decorrelated;
}

/**
 * Whether a subquery's plan (nested `level` subqueries deep) reads a column of a query that
 * encloses the subquery.
 */
function readsOuter(plan: LogicalPlan, level: number): boolean {
  let found = false;
  for (const e of planExpressions(plan)) {
    walkBound(e, (x) => {
      if (x.kind === "outer_column" && x.depth > level) found = true;
      else if (x.kind === "subquery" && !found && readsOuter(x.plan, level + 1)) found = true;
    });
    if (found) return true;
  }
  return planInputs(plan).some((i) => readsOuter(i, level));
}

/** The query's select list: its first projection under ORDER BY, LIMIT and DISTINCT. */
function selectList(plan: LogicalPlan): (LogicalPlan & { kind: "project" }) | null {
  for (;;) {
    if (plan.kind === "project") return plan;
    if (
      plan.kind !== "limit" && plan.kind !== "sort" && plan.kind !== "distinct" &&
      plan.kind !== "distinct_on"
    ) {
      return null;
    }
    plan = plan.input;
  }
}

/**
 * Plans the select list's subqueries before anything else, once the select list is folded
 * (dropping those in arms that fold away), as PostgreSQL preprocesses the target list, planning
 * its sublinks, before the FROM's and WHERE's conditions: their constant errors are raised even
 * when a constant-false WHERE leaves no rows.
 */
function planSelectList(
  plan: LogicalPlan,
  rules: readonly OptimizerRule[],
  disabled: ReadonlySet<string>,
): void {
  const select = selectList(plan);
  if (select === null) return;
  for (const e of select.exprs) {
    if (!containsSubquery(e)) continue;
    const folded = disabled.has(foldConstants.name) ? e : foldExpr(e);
    walkBound(folded, (x) => {
      if (x.kind === "subquery") {
        (x as { plan: LogicalPlan }).plan = optimize(x.plan, rules, disabled);
      }
    });
  }
}

/**
 * Optimizes a plan with the given rules (built-ins plus plugin rules).
 *
 * @example
 * ```ts
 * import { optimize, builtinRules } from "./driver.ts";
 * const plan = { kind: "values" as const, rows: [[]], fields: [] };
 * console.assert(optimize(plan, builtinRules) === plan);
 * ```
 */
export function optimize(
  plan: LogicalPlan,
  rules: readonly OptimizerRule[],
  disabled: ReadonlySet<string> = new Set(),
): LogicalPlan {
  planSelectList(plan, rules, disabled);
  let current = passes(plan, rules, disabled);
  // after the outer plan, so that a subquery the outer plan dropped (WHERE ... AND NULL) is never
  // planned, as in PostgreSQL, where a constant-false qual removes its sublinks before planning;
  // when one turns out uncorrelated, the outer plan is optimized again around it
  if (optimizeSubqueries(current, rules, disabled)) current = passes(current, rules, disabled);
  optimized.add(current);
  return current;
}

function passes(
  plan: LogicalPlan,
  rules: readonly OptimizerRule[],
  disabled: ReadonlySet<string>,
): LogicalPlan {
  let current = plan;
  for (let pass = 0; pass < optimizerPassesMax; pass++) {
    let changed = false;
    for (const rule of rules) {
      if (disabled.has(rule.name)) continue;
      const next = applyOnce(current, rule);
      if (next !== null) {
        checkPlan(next, rule.name);
        current = next;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return current;
}
