/**
 * Rule `fold_constants`: evaluates constant subexpressions once at plan time, as PostgreSQL's
 * eval_const_expressions does: strict operators with a NULL operand become NULL without
 * evaluating the other side, `FALSE AND x` is FALSE, CASE arms with constant conditions are
 * decided, and errors in constant expressions (e.g. `1/0`) are raised while planning.
 *
 * @module
 */
import { findDuplicateOrs } from "./duplicate_ors.ts";
import { unreachable } from "../errors.ts";
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr, BoundOp } from "../plan/expr.ts";
import { type LogicalPlan, planInputs } from "../plan/logical_plan.ts";
import {
  andAll,
  coalesceOf,
  columnsOf,
  conjuncts,
  containsSubquery,
  isPseudoConstant,
  substituteColumns,
  walkBound,
} from "../plan/expr_utils.ts";
import { evaluate } from "../exec/eval.ts";
import { ExecContext } from "../exec/context.ts";
import { defaultLimits } from "../limits.ts";
import { valueAt } from "../types/column.ts";
import type { Clock } from "../env/clock.ts";

const noClock: Clock = {
  nowMicros: () => 0,
  monotonicMs: () => 0,
  sleep: () => Promise.resolve(),
};

function isConst(e: BoundExpr): e is BoundExpr & { kind: "const" } {
  return e.kind === "const";
}

function isNull(e: BoundExpr): boolean {
  return e.kind === "const" && e.value === null;
}

function constant(e: BoundExpr): BoundExpr {
  const ctx = new ExecContext(noClock, defaultLimits, [], null, 0);
  const col = evaluate(e, { columns: [], length: 1 }, ctx);
  return { kind: "const", value: col.kind === "unknown" ? null : valueAt(col, 0), type: e.type };
}

const dateTimeKinds = new Set(["date", "timestamp", "timestamptz", "interval"]);
const textKinds = new Set(["text", "varchar", "unknown"]);

/**
 * PostgreSQL folds only immutable functions. A cast between text and a date/time type goes
 * through date_in, timestamp_out... which are stable (they read DateStyle or TimeZone), so it is
 * evaluated per row, and never when no row reaches it.
 */
function isStableCast(e: BoundExpr & { kind: "cast" }): boolean {
  const from = e.operand.type.kind;
  const to = e.type.kind;
  return (textKinds.has(from) && dateTimeKinds.has(to)) ||
    (dateTimeKinds.has(from) && textKinds.has(to));
}

function nullOf(e: BoundExpr): BoundExpr {
  return { kind: "const", value: null, type: e.type };
}

const negatedComparison: Partial<Record<BoundOp, BoundOp>> = {
  eq: "ne",
  ne: "eq",
  lt: "ge",
  ge: "lt",
  gt: "le",
  le: "gt",
};

/** `NOT e` without the NOT (see the `not` case of {@link foldExpr}), or `null`. */
function negate(e: BoundExpr): BoundExpr | null {
  if (e.kind === "not") return e.operand;
  if (e.kind !== "op") return null;
  if (e.op === "and" || e.op === "or") {
    const not = (x: BoundExpr): BoundExpr => ({ kind: "not", operand: x, type: e.type });
    return { ...e, op: e.op === "and" ? "or" : "and", left: not(e.left), right: not(e.right) };
  }
  const op = negatedComparison[e.op];
  return op === undefined ? null : { ...e, op };
}

/**
 * Folds an expression; returns the same object when nothing changed.
 *
 * @example
 * ```ts
 * import { foldExpr } from "./fold_constants.ts";
 * import { Types } from "../types/mod.ts";
 * const e = foldExpr({ kind: "op", op: "add", type: Types.int4,
 *   left: { kind: "const", value: 1, type: Types.int4 }, right: { kind: "const", value: 2, type: Types.int4 } });
 * console.assert(e.kind === "const" && e.value === 3);
 * ```
 */
export function foldExpr(e: BoundExpr): BoundExpr {
  switch (e.kind) {
    case "column":
    case "const":
    case "param":
    case "outer_column":
      return e;
    case "subquery": {
      if (e.operand === null) return e;
      const operand = foldExpr(e.operand);
      return operand === e.operand ? e : { ...e, operand };
    }
    case "op": {
      const left = foldExpr(e.left);
      if ((e.op === "and" || e.op === "or") && isConst(left) && left.value === (e.op === "or")) {
        // PostgreSQL folds AND/OR arguments left to right and stops at a decisive constant,
        // so what follows is never evaluated (nor its errors raised).
        return { kind: "const", value: e.op === "or", type: e.type };
      }
      const right = foldExpr(e.right);
      if (e.op === "and" || e.op === "or") {
        const decisive = e.op === "and" ? false : true;
        if (
          (isConst(left) && left.value === decisive) || (isConst(right) && right.value === decisive)
        ) {
          return { kind: "const", value: decisive, type: e.type };
        }
        if (isConst(left) && left.value === !decisive) return right;
        if (isConst(right) && right.value === !decisive) return left;
      } else if (isNull(left) || isNull(right)) {
        return nullOf(e);
      } else if ((e.op === "eq" || e.op === "ne") && left.type.kind === "bool" && !e.nullif) {
        // PostgreSQL's simplify_boolean_equality: x = TRUE is x, x = FALSE is NOT x (and <>
        // the other way round), which also makes the comparison cost nothing when conjuncts
        // are ordered
        const [c, x] = isConst(left) ? [left, right] : [right, left];
        if (isConst(c) && !isConst(x) && typeof c.value === "boolean") {
          return (c.value === true) === (e.op === "eq")
            ? x
            : { kind: "not", operand: x, type: e.type };
        }
      }
      const next = left === e.left && right === e.right ? e : { ...e, left, right };
      return isConst(left) && isConst(right) ? constant(next) : next;
    }
    case "not": {
      const operand = foldExpr(e.operand);
      if (isNull(operand)) return nullOf(e);
      if (isConst(operand)) return constant({ ...e, operand });
      // PostgreSQL's negate_clause: NOT is pushed down through AND/OR (De Morgan) and into
      // comparisons (NOT a = b is a <> b), so a NOT (x OR y) filter becomes conjuncts that
      // reject a row at the first false or NULL one, as PostgreSQL evaluates it
      const negated = negate(operand);
      if (negated !== null) return foldExpr(negated);
      return operand === e.operand ? e : { ...e, operand };
    }
    case "neg":
    case "cast": {
      const operand = foldExpr(e.operand);
      if (isNull(operand)) return nullOf(e);
      const next = operand === e.operand ? e : { ...e, operand };
      if (e.kind === "cast" && isStableCast(e)) return next;
      return isConst(operand) ? constant(next) : next;
    }
    case "is_null": {
      const operand = foldExpr(e.operand);
      const next = operand === e.operand ? e : { ...e, operand };
      return isConst(operand) ? constant(next) : next;
    }
    case "case": {
      let changed = false;
      const whens: { when: BoundExpr; then: BoundExpr }[] = [];
      for (const w of e.whens) {
        const when = foldExpr(w.when);
        if (isConst(when) && when.value !== true) {
          changed = true; // FALSE or NULL: this arm never fires
          continue;
        }
        const then = foldExpr(w.then);
        if (isConst(when)) {
          // TRUE: this arm fires for every row that reaches it
          if (whens.length === 0) return then;
          return { ...e, whens, else: then };
        }
        if (when !== w.when || then !== w.then) changed = true;
        whens.push({ when, then });
      }
      const elseExpr = foldExpr(e.else);
      if (whens.length === 0) {
        // COALESCE(NULL, ..., x) keeps COALESCE(x) in PostgreSQL: not strict, so a WHERE over
        // it does not make an outer join inner
        return e.coalesce !== true || isConst(elseExpr) ? elseExpr : coalesceOf(elseExpr);
      }
      if (!changed && elseExpr === e.else) return e;
      return { ...e, whens, else: elseExpr };
    }
    case "call": {
      const args = e.args.map(foldExpr);
      const changed = args.some((a, i) => a !== e.args[i]);
      const next = changed ? { ...e, args } : e;
      return e.fn.volatility !== "volatile" && args.every(isConst) ? constant(next) : next;
    }
    default:
      return unreachable(e, "expression");
  }
}

/**
 * A WHERE or ON condition with its constant FALSE and NULL arms resolved, as PostgreSQL's
 * canonicalize_qual does for a qualification (where NULL rejects a row like FALSE): through the
 * AND/OR tree from the top, an AND with such an arm is FALSE, and an OR drops such an arm. So the
 * other arms are never evaluated (nor their errors raised). Then conditions common to an OR's
 * arms are pulled out of it ({@link findDuplicateOrs}), as canonicalize_qual does next. Not for a
 * select list, where NULL and FALSE differ.
 */
export function simplifyQual(e: BoundExpr): BoundExpr {
  return findDuplicateOrs(resolveConstantArms(e));
}

function resolveConstantArms(e: BoundExpr): BoundExpr {
  if (e.kind !== "op" || (e.op !== "and" && e.op !== "or")) return e;
  const left = resolveConstantArms(e.left);
  const right = resolveConstantArms(e.right);
  const rejects = (x: BoundExpr) => x.kind === "const" && (x.value === null || x.value === false);
  if (e.op === "and") {
    if (rejects(left) || rejects(right)) return { kind: "const", value: false, type: e.type };
  } else {
    if (rejects(left)) return right;
    if (rejects(right)) return left;
  }
  return left === e.left && right === e.right ? e : { ...e, left, right };
}

function foldAll(exprs: readonly BoundExpr[]): readonly BoundExpr[] | null {
  const out = exprs.map(foldExpr);
  return out.some((x, i) => x !== exprs[i]) ? out : null;
}

/** Whether `plan` returns no rows whatever the data: no rows, or a constant FALSE/NULL WHERE. */
function isProvablyEmpty(plan: LogicalPlan): boolean {
  switch (plan.kind) {
    case "values":
      return plan.rows.length === 0;
    case "project":
      // (not through ORDER BY, DISTINCT or LIMIT: PostgreSQL does not flatten such a subquery)
      return isProvablyEmpty(plan.input);
    case "filter": {
      if (isProvablyEmpty(plan.input)) return true;
      return conjuncts(plan.predicate).some((part) => {
        try {
          const f = foldExpr(part);
          return f.kind === "const" && f.value !== true;
        } catch {
          return false;
        }
      });
    }
    default:
      return false;
  }
}

/**
 * Whether a WHERE conjunct is `x IN (subquery)`, `x op ANY (subquery)` or `EXISTS (subquery)`
 * over a subquery that returns no rows whatever the data. PostgreSQL pulls such a sublink up
 * into a semi-join with an empty relation, so the whole WHERE is empty and its other conjuncts
 * (and the operand) are never evaluated. A correlated one (or one whose correlation folds away)
 * stays a SubPlan there, but planned as a one-time FALSE it costs next to nothing, so it is
 * evaluated before the other conjuncts and rejects every row first.
 */
function isEmptySemiJoin(part: BoundExpr): boolean {
  if (part.kind !== "subquery" || part.negated) return false;
  if (part.mode !== "in" && part.mode !== "any" && part.mode !== "exists") return false;
  return isProvablyEmpty(part.plan);
}

/**
 * Raises the errors PostgreSQL raises while folding a WHERE over a derived table, which it
 * folds with the derived table's expressions in place of its columns. Rewrites nothing: the
 * filter stays where it is until the pushdown rule moves it.
 *
 * - A plain derived table (a projection over a WHERE) is pulled up into the outer query, whose
 *   WHERE clauses are then folded from the innermost out: the derived table's WHERE first, then
 *   the outer one with the expressions substituted, whatever either folds to.
 * - A DISTINCT one is planned on its own after the outer WHERE, folded as it is, has its
 *   conjuncts that read a column pushed down after the derived table's own: an error there is
 *   raised unless those fold to FALSE first. An outer WHERE with a constant FALSE or NULL
 *   conjunct pushes nothing: the derived table is not planned at all.
 */
function raiseFoldedThroughDerivedTable(predicate: BoundExpr, input: LogicalPlan): void {
  if (containsSubquery(predicate)) return;
  if (input.kind === "filter") return foldPulledUpWheres(input);
  if (input.kind === "project") {
    if (input.exprs.some(containsSubquery)) return;
    foldPulledUpWheres(input);
    const exprs = input.exprs;
    foldExpr(substituteColumns(predicate, (i) => exprs[i]!));
    return;
  }
  if (input.kind !== "distinct" || input.input.kind !== "project") return;
  const project = input.input;
  if (project.exprs.some(containsSubquery)) return;
  const exprs = project.exprs;
  const folded = simplifyQual(foldExpr(predicate));
  if (folded.kind === "const") return; // a FALSE or NULL conjunct: the derived table is not read
  const pushed = conjuncts(folded)
    .filter((c) => columnsOf(c).size > 0)
    .map((c) => substituteColumns(c, (i) => exprs[i]!));
  if (pushed.length === 0) return;
  const own = project.input.kind === "filter" ? conjuncts(project.input.predicate) : [];
  if (own.some(containsSubquery)) return;
  foldExpr(andAll([...own, ...pushed])!);
}

/**
 * Folds the WHERE clauses of pulled-up derived tables below a filter (through projections and
 * the filters merging left over them), innermost first.
 */
function foldPulledUpWheres(plan: LogicalPlan): void {
  if (plan.kind === "project") {
    if (!plan.exprs.some(containsSubquery)) foldPulledUpWheres(plan.input);
  } else if (plan.kind === "filter" && !containsSubquery(plan.predicate)) {
    foldPulledUpWheres(plan.input);
    foldExpr(plan.predicate);
  }
}

/** Whether `e` is an uncorrelated `x IN (subquery)` or `x = ANY (subquery)` (not negated). */
function isUncorrelatedIn(e: BoundExpr): e is BoundExpr & { kind: "subquery" } {
  return e.kind === "subquery" && (e.mode === "in" || (e.mode === "any" && e.compare === "eq")) &&
    !e.negated && !e.correlated;
}

/**
 * Folds, for their errors only, the conditions and aggregate arguments of a subtree that a
 * constant FALSE condition (or an empty input) is about to replace by no rows: PostgreSQL folds
 * every expression of a query level (its joins' ON conditions bottom-up, then WHERE, HAVING and
 * the aggregates') before it finds out that a relation is empty, so their constant errors are
 * raised. Not into derived tables that are not pulled up (a projection), which PostgreSQL plans
 * separately.
 */
function raiseDiscarded(plan: LogicalPlan): void {
  if (plan.kind !== "filter" && plan.kind !== "join" && plan.kind !== "aggregate") return;
  for (const input of planInputs(plan)) raiseDiscarded(input);
  const folded = rewrite(plan) ?? plan;
  if (folded.kind === "filter") runGates(folded.predicate);
}

/**
 * Evaluates, for their errors only, a discarded WHERE's conjuncts that read no column and that
 * folding left alone (a stable cast such as `(DATE '2014-06-24')::TEXT::BOOLEAN`): PostgreSQL runs
 * them as the query's one-time filter, in order and before a constant FALSE condition of an
 * enclosing level (a pulled-up derived table's WHERE comes first), and stops at the first that is
 * not true. Only what can run now: no subquery, no parameter.
 */
function runGates(predicate: BoundExpr): void {
  for (const c of conjuncts(predicate)) {
    if (!isPseudoConstant(c) || containsSubquery(c)) return;
    let param = false;
    walkBound(c, (x) => {
      if (x.kind === "param" || x.kind === "outer_column") param = true;
    });
    if (param) return;
    const v = c.kind === "const" ? c : constant(c);
    if (v.kind !== "const" || v.value !== true) return;
  }
}

/**
 * Whether a HAVING over `input` that folded to a constant FALSE or NULL stays the aggregation's
 * own condition, evaluated per group after every group is computed: under ROLLUP, CUBE or
 * GROUPING SETS, where PostgreSQL moves no HAVING condition to the WHERE. The aggregation then
 * still runs and raises its errors. Otherwise the constant, which reads no aggregate once folded
 * (`sum(c) >= NULL` is NULL), moves to the WHERE, where it reads no row at all.
 */
function evaluatedPerGroup(input: LogicalPlan): boolean {
  return input.kind === "aggregate" && input.sets !== undefined && input.sets !== null;
}

/** Whether `e` is a pulled-up semi-join whose operand folded to a constant not handled yet. */
function isConstantSemiJoin(e: BoundExpr): e is BoundExpr & { kind: "subquery" } {
  return e.kind === "subquery" && e.semiJoin === true && e.operand !== null &&
    isConst(e.operand) && e.constantPushed !== true;
}

/**
 * A pulled-up semi-join after its operand folded to a constant, as PostgreSQL plans it: the
 * join qual `NULL = y` folds to NULL, a one-time filter that runs neither side; `k = y` reads
 * only the subquery's row, so it is pushed into the subquery's scan as a filter (where it runs
 * before the subquery's own costlier conditions, sparing their errors on the rows it rejects).
 */
function constantSemiJoin(e: BoundExpr): BoundExpr {
  if (!isConstantSemiJoin(e)) return e;
  const operand = e.operand!;
  if (isNull(operand)) return { kind: "const", value: null, type: e.type };
  const field = e.plan.fields[0];
  // (the same kind compares without a cast; other pairs keep the subquery as it is)
  if (field === undefined || field.type.kind !== operand.type.kind || field.type.kind === "array") {
    return e;
  }
  const eq: BoundExpr = {
    kind: "op",
    op: "eq",
    left: operand,
    right: { kind: "column", index: 0, type: field.type },
    type: e.type,
  };
  const plan: LogicalPlan = { kind: "filter", input: e.plan, predicate: eq, fields: e.plan.fields };
  return { ...e, plan, constantPushed: true };
}

/** Tags the uncorrelated INs of a WHERE's AND/OR tree (see `unknownIsFalse`). */
function tagQualIns(e: BoundExpr): BoundExpr {
  if (e.kind === "op" && (e.op === "and" || e.op === "or")) {
    const left = tagQualIns(e.left);
    const right = tagQualIns(e.right);
    return left === e.left && right === e.right ? e : { ...e, left, right };
  }
  if (isUncorrelatedIn(e) && e.unknownIsFalse !== true) return { ...e, unknownIsFalse: true };
  return e;
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  switch (plan.kind) {
    case "filter": {
      // PostgreSQL folds a WHERE's conjuncts left to right (simplify_and_arguments): a constant
      // FALSE ends the fold, so the conjuncts after it are never folded (nor their errors
      // raised), but a NULL does not, and an error in a conjunct before a FALSE is raised.
      // foldExpr follows that order over the left-deep AND; over no rows there is nothing to do.
      if (plan.input.kind === "values" && plan.input.rows.length === 0) return plan.input;
      const parts = conjuncts(plan.predicate);
      if (parts.some(isEmptySemiJoin)) {
        // the semi-join is pulled up first; the other conjuncts, and the IN's operand (a join
        // qual then, or still a SubPlan's test when it reads no column), are still folded
        const others = andAll(parts.filter((p) => !isEmptySemiJoin(p)));
        if (others !== null) simplifyQual(foldExpr(others));
        for (const p of parts) {
          if (p.kind === "subquery" && p.operand !== null && isEmptySemiJoin(p)) {
            foldExpr(p.operand);
          }
        }
        raiseDiscarded(plan.input);
        return { kind: "values", rows: [], fields: plan.fields };
      }
      raiseFoldedThroughDerivedTable(plan.predicate, plan.input);
      // PostgreSQL pulls up an IN whose operand reads the outer query's columns into a semi-join
      // before it folds anything: what the operand folds to afterwards does not undo that
      let predicate = plan.predicate;
      const semi = (c: BoundExpr) =>
        isUncorrelatedIn(c) && c.semiJoin !== true && c.correlationFolded !== true &&
        c.operand !== null && columnsOf(c.operand).size > 0;
      if (conjuncts(predicate).some(semi)) {
        predicate = andAll(
          conjuncts(predicate).map((c) => (semi(c) ? { ...c, semiJoin: true } as BoundExpr : c)),
        )!;
      }
      predicate = simplifyQual(foldExpr(predicate));
      if (conjuncts(predicate).some(isConstantSemiJoin)) {
        predicate = simplifyQual(andAll(conjuncts(predicate).map(constantSemiJoin))!);
      }
      predicate = tagQualIns(predicate);
      if (predicate.kind === "const" && predicate.value === true) return plan.input;
      // A constant FALSE or NULL conjunct is a one-time filter: the input is never read.
      if (conjuncts(predicate).some((c) => c.kind === "const" && c.value !== true)) {
        if (plan.input.kind === "values" && plan.input.rows.length === 0) return null;
        if (plan.perGroup === true || evaluatedPerGroup(plan.input)) {
          // the aggregation runs; no group passes
          return predicate === plan.predicate && plan.perGroup === true
            ? null
            : { ...plan, predicate, perGroup: true };
        }
        raiseDiscarded(plan.input);
        return { kind: "values", rows: [], fields: plan.fields };
      }
      return predicate === plan.predicate ? null : { ...plan, predicate };
    }
    case "project": {
      // nothing to compute over no rows, but PostgreSQL has folded the select list before it
      // found that out: its constant errors are raised
      if (plan.input.kind === "values" && plan.input.rows.length === 0) {
        foldAll(plan.exprs);
        return { kind: "values", rows: [], fields: plan.fields };
      }
      const exprs = foldAll(plan.exprs);
      return exprs === null ? null : { ...plan, exprs };
    }
    case "join": {
      // PostgreSQL marks a join that can return no rows as empty and never reads its inputs:
      // an inner join on a constant FALSE/NULL condition, or with an input that is empty
      const empty: LogicalPlan = { kind: "values", rows: [], fields: plan.fields };
      const isEmpty = (p: LogicalPlan) => p.kind === "values" && p.rows.length === 0;
      const inner = plan.joinType === "inner" || plan.joinType === "cross";
      const semi = plan.joinType === "semi";
      const leftRows = inner || semi || plan.joinType === "left" || plan.joinType === "anti";
      const discard = () => {
        raiseDiscarded(plan.left);
        raiseDiscarded(plan.right);
        if (plan.condition !== null) simplifyQual(foldExpr(plan.condition));
        return empty;
      };
      if (isEmpty(plan.left) && leftRows) return discard();
      if (isEmpty(plan.right) && (inner || semi || plan.joinType === "right")) return discard();
      if (plan.condition === null) return null;
      const condition = simplifyQual(foldExpr(plan.condition));
      const never = conjuncts(condition).some((c) => c.kind === "const" && c.value !== true);
      if ((inner || semi) && never) return discard();
      if (never && plan.joinType !== "full") {
        // an outer (or anti) join that matches nothing needs no rows of its nullable side:
        // PostgreSQL never reads that side (nor evaluates its expressions), but it has folded
        // that side's conditions while preprocessing the query
        const side = plan.joinType === "right" ? "left" : "right";
        if (!isEmpty(plan[side])) {
          raiseDiscarded(plan[side]);
          return {
            ...plan,
            condition,
            [side]: { kind: "values", rows: [], fields: plan[side].fields },
          } as LogicalPlan;
        }
      }
      return condition === plan.condition ? null : { ...plan, condition };
    }
    case "sort": {
      // A key that is the same for every row orders nothing: PostgreSQL drops it (and with it,
      // possibly the whole sort, so a LIMIT above reads only the rows it returns).
      const input = plan.input;
      const constantKey = (k: { expr: BoundExpr }): boolean =>
        sameForEveryRow(k.expr) ||
        (k.expr.kind === "column" && constantColumn(input, k.expr.index));
      if (plan.keys.some(constantKey)) {
        const keys = plan.keys.filter((k) => !constantKey(k));
        // (the input is folded now: the driver goes on below what this returns)
        return keys.length === 0 ? rewrite(plan.input) ?? plan.input : { ...plan, keys };
      }
      const folded = foldAll(plan.keys.map((k) => k.expr));
      return folded === null
        ? null
        : { ...plan, keys: plan.keys.map((k, i) => ({ ...k, expr: folded[i]! })) };
    }
    case "values": {
      const rows = plan.rows.map((r) => foldAll(r));
      return rows.every((r) => r === null)
        ? null
        : { ...plan, rows: rows.map((r, i) => r ?? plan.rows[i]!) };
    }
    case "aggregate": {
      const groups = foldAll(plan.groups);
      const aggregates = plan.aggregates.map((a) => {
        const args = foldAll(a.args);
        const filter = a.filter === null ? null : foldExpr(a.filter);
        // an ordered aggregate's sort keys are expressions over the rows too (PostgreSQL folds
        // them with the arguments: string_agg(x, ',' ORDER BY NULL || f(x)) never computes f)
        const keys = a.orderBy === undefined ? null : foldAll(a.orderBy.map((o) => o.expr));
        const orderBy = keys === null || a.orderBy === undefined
          ? a.orderBy
          : a.orderBy.map((o, i) => ({ ...o, expr: keys[i]! }));
        if (args === null && filter === a.filter && orderBy === a.orderBy) return a;
        return {
          ...a,
          args: args ?? a.args,
          filter,
          ...(orderBy === undefined ? {} : { orderBy }),
        };
      });
      if (groups === null && aggregates.every((a, i) => a === plan.aggregates[i])) return null;
      return { ...plan, groups: groups ?? plan.groups, aggregates };
    }
    case "scan":
    case "recursive_cte":
    case "working_table":
    case "series":
    case "unnest":
    case "distinct":
    case "distinct_on":
    case "limit":
    case "set_op":
      return null;
    default:
      return unreachable(plan, "plan");
  }
}

/** The rule. */
export const foldConstants: OptimizerRule = {
  name: "fold_constants",
  phase: "optimizer",
  apply: rewrite,
};

/**
 * Whether a sort key is the same for every row as PostgreSQL sees it: a constant, a parameter, or
 * an uncorrelated scalar subquery (an InitPlan's output, a parameter too).
 */
function sameForEveryRow(e: BoundExpr): boolean {
  return e.kind === "const" || e.kind === "param" ||
    (e.kind === "subquery" && e.mode === "scalar" && !e.correlated);
}

/**
 * True when column `index` of `plan`'s output is the same on every row ({@link sameForEveryRow}):
 * a projected one, seen through the nodes that pass their input's columns through unchanged.
 */
function constantColumn(plan: LogicalPlan, index: number): boolean {
  for (;;) {
    switch (plan.kind) {
      case "project": {
        const e = plan.exprs[index];
        return e !== undefined && sameForEveryRow(e);
      }
      case "distinct":
      case "filter":
      case "limit":
      case "sort":
        plan = plan.input;
        continue;
      default:
        return false;
    }
  }
}
