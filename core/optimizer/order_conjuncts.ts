/**
 * Rule `order_conjuncts`: evaluates the cheaper conjuncts of a filter first, as PostgreSQL's
 * planner orders qualifications by estimated cost. With per-row short-circuit AND, a cheap
 * false conjunct then spares the expensive (or failing) ones, and results and errors match
 * PostgreSQL's. The sort is stable, so equal-cost conjuncts keep their written order, except that
 * over a table's scan an equality goes after the others of its cost (PostgreSQL generates those
 * quals from its equivalence classes once the others are placed).
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import {
  andAll,
  conjuncts,
  exprKey,
  isPseudoConstant,
  isVolatile,
  walkBound,
} from "../plan/expr_utils.ts";
import { type DataType, sameType } from "../types/data_type.ts";

/** True when `to` is `from` without its typmod: numeric(p,s) to numeric, varchar(n) to varchar. */
function droppedTypmod(from: DataType, to: DataType): boolean {
  if (from.kind === "numeric" && to.kind === "numeric") return to.precision === null;
  if (from.kind === "varchar" && to.kind === "varchar") return to.maxLength === null;
  return false;
}

/** Cost units of a subquery (runs a whole plan). */
const subqueryCost = 1000;

/**
 * Estimated evaluation cost, after PostgreSQL's cost_qual_eval: one unit per operator or
 * function call, two for a cast through text (input plus output function) except boolean to
 * text (a function cast); AND, OR, NOT, CASE and IS NULL are free.
 */
export function exprCost(e: BoundExpr): number {
  let cost = 0;
  // NULLIF and COALESCE repeat their operands in the CASE they bind to; PostgreSQL prices
  // each operand once, so repeated subexpressions count once here too.
  const seen = new Set<string>();
  // (only a CASE can repeat a subexpression: without one, no key is built, which is costly)
  let hasCase = false;
  walkBound(e, (x) => {
    if (x.kind === "case") hasCase = true;
  });
  walkBound(e, (x) => {
    if (
      hasCase &&
      (x.kind === "op" || x.kind === "neg" || x.kind === "call" || x.kind === "cast")
    ) {
      const key = exprKey(x);
      if (seen.has(key)) return;
      seen.add(key);
    }
    switch (x.kind) {
      case "op":
        if (x.op !== "and" && x.op !== "or") cost += 1;
        break;
      case "neg":
        cost += 1;
        break;
      case "call":
        // PostgreSQL compares a date with a timestamp with a cross-type operator
        // (date_eq_timestamp...): the date's conversion is part of the comparison's one unit
        if (x.fn.name !== "date_for_comparison") cost += 1;
        break;
      case "cast": {
        // a cast to the type the operand already has is dropped by PostgreSQL's planner, and
        // one that only drops a typmod (numeric(12,3) to numeric, varchar(n) to varchar) is a
        // relabeling, no function call
        if (sameType(x.operand.type, x.type) || droppedTypmod(x.operand.type, x.type)) break;
        const width = (k: string) => k === "int2" ? 2 : k === "int4" ? 4 : k === "int8" ? 8 : 0;
        // PostgreSQL compares integer types with cross-type operators: no widening to pay (a
        // narrowing cast, int8 to int4, is a function call of its own)
        const from = width(x.operand.type.kind);
        if (from > 0 && width(x.type.kind) > from) break;
        const viaText = x.type.kind === "text" || x.type.kind === "varchar" ||
          x.operand.type.kind === "text" || x.operand.type.kind === "varchar";
        // boolean to text (or varchar) is no I/O conversion but pg_cast's function text(boolean):
        // one call, as boolean to integer (fuzz seed 5353535)
        cost += viaText && x.operand.type.kind !== "bool" ? 2 : 1;
        // a typmod is applied by a length-coercion call of its own (numeric(numeric, int)),
        // after the conversion from another type
        if (
          x.type.kind === "numeric" && x.type.precision !== null &&
          x.operand.type.kind !== "numeric"
        ) {
          cost += 1;
        }
        break;
      }
      case "subquery":
        // an uncorrelated subquery runs once per query; per row it is a lookup in a hashed
        // SubPlan (or the InitPlan's value), else a scan of its stored rows
        cost += x.correlated || !lookedUpPerRow(x) ? subqueryCost : 1;
        break;
      default:
        break;
    }
  });
  return cost;
}

const dateTimeKinds = new Set(["date", "timestamp", "timestamptz"]);

/**
 * The type a comparison converted from: a date compared with a timestamp goes through
 * `date_for_comparison`. (A timestamp compared with a timestamptz is cast, and that cast looks
 * like a written one, so that pair counts as hashable here although PostgreSQL's
 * timestamp_eq_timestamptz is not.)
 */
function comparedType(e: BoundExpr): DataType {
  if (e.kind === "call" && e.fn.name === "date_for_comparison") return e.args[0]!.type;
  return e.type;
}

/**
 * Whether PostgreSQL answers an uncorrelated subquery per row without rescanning it: a scalar or
 * EXISTS one is an InitPlan (one value), `x IN (...)` / `x = ANY (...)` a hashed SubPlan unless
 * the equality has no hash support; date, timestamp and timestamptz compared across types use
 * btree-only operators (date_eq_timestamp...). Other ANY and ALL comparisons rescan the rows.
 */
function lookedUpPerRow(x: BoundExpr & { kind: "subquery" }): boolean {
  if (x.mode === "scalar" || x.mode === "exists") return true;
  if (x.mode === "all" || (x.mode === "any" && x.compare !== "eq")) return false;
  if (x.operand === null) return true;
  const left = comparedType(x.operand).kind;
  const top = x.plan.kind === "project" ? x.plan.exprs[0] : undefined;
  const right = top === undefined ? x.plan.fields[0]!.type.kind : comparedType(top).kind;
  return !(dateTimeKinds.has(left) && dateTimeKinds.has(right) && left !== right);
}

/**
 * How PostgreSQL files a WHERE conjunct of a base relation: `x = x` (non-volatile) becomes
 * `x IS NOT NULL`, which costs only `x`'s evaluation; another non-volatile `a = b` is a
 * mergejoinable equality that goes into an equivalence class, and the scan's qual is generated
 * again from that class after every other conjunct is placed (so among conjuncts of equal cost
 * it runs last); anything else stays where it is written.
 */
function equivalence(p: BoundExpr): "is_not_null" | "class" | null {
  if (p.kind !== "op" || p.op !== "eq" || p.nullif === true || isVolatile(p)) return null;
  if (exprKey(p.left) === exprKey(p.right)) return "is_not_null";
  return "class";
}

/**
 * `predicate`'s conjuncts cheapest first (stable), or null when they are in that order. A
 * pseudo-constant conjunct comes before all of them; a WHERE's `x IN (SELECT ...)` that
 * PostgreSQL pulls up into a semi-join (tagged `semiJoin`) after every other conjunct: those are
 * pushed below that join and filter the rows it probes. Over a base relation (`baseRelation`),
 * an equality runs after the other conjuncts of its cost, as PostgreSQL's equivalence classes
 * place it (see {@link equivalence}).
 */
function ordered(predicate: BoundExpr, baseRelation: boolean): BoundExpr | null {
  const parts = conjuncts(predicate);
  if (parts.length < 2) return null;
  // 0: a pseudo-constant (PostgreSQL's one-time gating filter), 1: the rest, 2: a semi-join
  // (also one whose operand folded to a constant: it is still a join, run after the scan)
  const rank = parts.map((p) =>
    p.kind === "subquery" && p.semiJoin === true ? 2 : isPseudoConstant(p) ? 0 : 1
  );
  const classes = parts.map((p, i) => (baseRelation && rank[i] === 1 ? equivalence(p) : null));
  // PostgreSQL's one-time filter keeps the pseudo-constants in their written order, whatever
  // they cost (a subquery before a cheap cast stays first)
  const costs = parts.map((p, i) =>
    rank[i] === 0
      ? 0
      : classes[i] === "is_not_null"
      ? exprCost((p as BoundExpr & { kind: "op" }).left)
      : exprCost(p)
  );
  const late = classes.map((c) => (c === "class" ? 1 : 0));
  const order = parts.map((_, i) => i).sort((a, b) =>
    rank[a]! - rank[b]! || costs[a]! - costs[b]! || late[a]! - late[b]! || a - b
  );
  if (order.every((v, i) => v === i)) return null;
  return andAll(order.map((i) => parts[i]!))!;
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  // a join's ON conjuncts too, as PostgreSQL's order_qual_clauses orders join quals
  if (plan.kind === "join") {
    const condition = plan.condition === null ? null : ordered(plan.condition, false);
    return condition === null ? null : { ...plan, condition };
  }
  if (plan.kind !== "filter") return null;
  // a filter on a table's scan holds its WHERE (and inner-join ON) conjuncts: PostgreSQL's
  // baserestrictinfo, where equivalence classes apply
  const predicate = ordered(plan.predicate, plan.input.kind === "scan");
  return predicate === null ? null : { ...plan, predicate };
}

/** The rule. */
export const orderConjuncts: OptimizerRule = {
  name: "order_conjuncts",
  phase: "optimizer",
  apply: rewrite,
};
