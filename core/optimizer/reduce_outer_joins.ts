/**
 * Rule `reduce_outer_joins` (PostgreSQL's reduce_outer_joins): an outer join under a WHERE
 * conjunct, under an inner join's ON conjunct, or on the nullable side of an outer join's ON
 * conjunct, that rejects NULL in a column of its nullable side cannot keep a NULL-extended row there, so it is the join with that side preserved: a LEFT
 * JOIN becomes INNER, a FULL JOIN becomes LEFT or RIGHT (or INNER when both sides are
 * constrained). The conjuncts stay where they are; `push_down_filters` can then move them below
 * the join, as PostgreSQL does, so they are evaluated (and raise their errors) on the rows of
 * that side's scan.
 *
 * A conjunct rejects NULL in a column when it is NULL whenever that column is: a comparison or
 * arithmetic, `||` of non-arrays (not of arrays: array_cat is not strict), negation, NOT, casts and functions
 * declared `strict` (abs, lower, length ...) over it. An AND rejects a side's NULLs when either
 * operand does, an OR when both do (each arm may name another column of that side); `x IS NOT
 * NULL` rejects NULL where x does, as a conjunct (or an AND/OR arm) of its own. Other
 * functions, CASE, COALESCE, a nested IS [NOT] NULL and subqueries are not assumed strict.
 *
 * @example
 * ```ts
 * import { nullRejectedColumns } from "./reduce_outer_joins.ts";
 * import { Types } from "../types/mod.ts";
 * const eq = { kind: "op", op: "eq", type: Types.bool,
 *   left: { kind: "column", index: 3, type: Types.int4 },
 *   right: { kind: "const", value: 1, type: Types.int4 } } as const;
 * console.assert([...nullRejectedColumns(eq)].join() === "3");
 * ```
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr, BoundOp } from "../plan/expr.ts";
import type { JoinType, LogicalPlan } from "../plan/logical_plan.ts";
import { conjuncts } from "../plan/expr_utils.ts";

/** Operators that return NULL when an operand is NULL. */
const strictOps: ReadonlySet<BoundOp> = new Set<BoundOp>([
  "add",
  "sub",
  "mul",
  "div",
  "mod",
  "pow",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
]);

/** Adds to `out` the columns whose NULL makes `e` NULL. */
function collectStrict(e: BoundExpr, out: Set<number>): void {
  switch (e.kind) {
    case "column":
      out.add(e.index);
      return;
    case "op":
      // || of two non-arrays is textcat (or anytextcat): strict, unlike array_cat
      if (
        !strictOps.has(e.op) &&
        !(e.op === "concat" && e.left.type.kind !== "array" && e.right.type.kind !== "array")
      ) {
        return;
      }
      collectStrict(e.left, out);
      collectStrict(e.right, out);
      return;
    case "neg":
    case "not":
    case "cast":
      collectStrict(e.operand, out);
      return;
    case "call":
      // a STRICT function (abs, lower, length ...) is NULL when an argument is
      if (e.fn.strict === true) { for (const a of e.args) collectStrict(a, out); }
      return;
    default:
      return;
  }
}

/**
 * The columns (of the plan the conjunct is over) in which a NULL makes the conjunct NULL, so that
 * a WHERE or an inner join's ON drops the row.
 */
export function nullRejectedColumns(conjunct: BoundExpr): Set<number> {
  const out = new Set<number>();
  collectStrict(conjunct, out);
  return out;
}

/**
 * Whether a WHERE (or inner join ON) conjunct drops every row whose columns in `side` are all
 * NULL, as a NULL-extended row has them: a strict expression over one of them is NULL; AND drops
 * the row when either side does, OR when both do (PostgreSQL's find_nonnullable_rels).
 */
function rejectsNullSide(e: BoundExpr, side: (column: number) => boolean): boolean {
  if (e.kind === "op" && e.op === "and") {
    return rejectsNullSide(e.left, side) || rejectsNullSide(e.right, side);
  }
  if (e.kind === "op" && e.op === "or") {
    return rejectsNullSide(e.left, side) && rejectsNullSide(e.right, side);
  }
  // IS NOT NULL rejects what makes its operand NULL, as a condition of its own (not nested)
  const strict = e.kind === "is_null" && e.negated ? e.operand : e;
  for (const c of nullRejectedColumns(strict)) if (side(c)) return true;
  return false;
}

/** Conjuncts over a plan, asked whether they drop rows NULL in a set of its columns. */
type Rejects = (side: (column: number) => boolean) => boolean;

function rejectsOf(parts: readonly BoundExpr[]): Rejects {
  return (side) => parts.some((p) => rejectsNullSide(p, side));
}

/** `join` with the side(s) that `rejects` drops when NULL made preserved, or null if none. */
function reduce(
  join: LogicalPlan & { kind: "join" },
  rejects: Rejects,
): (LogicalPlan & { kind: "join" }) | null {
  const t = join.joinType;
  if (t !== "left" && t !== "right" && t !== "full") return null;
  const leftLen = join.left.fields.length;
  const width = join.fields.length;
  // the nullable side of LEFT is the right one, of RIGHT the left one, of FULL both
  const leftNullable = t === "right" || t === "full";
  const rightNullable = t === "left" || t === "full";
  const keepLeft = leftNullable && rejects((c) => c < leftLen);
  const keepRight = rightNullable && rejects((c) => c >= leftLen && c < width);
  if (!keepLeft && !keepRight) return null;
  let joinType: JoinType;
  if (t === "full") joinType = keepLeft && keepRight ? "inner" : keepLeft ? "left" : "right";
  else joinType = "inner";
  return { ...join, joinType };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind === "filter" && plan.input.kind === "join") {
    const reduced = reduce(plan.input, rejectsOf(conjuncts(plan.predicate)));
    return reduced === null ? null : { ...plan, input: reduced };
  }
  if (
    plan.kind === "join" && plan.condition !== null &&
    (plan.joinType === "inner" || plan.joinType === "left" || plan.joinType === "right")
  ) {
    // An inner join's ON drops the rows its conjuncts reject, as a WHERE above it would. An
    // outer join's ON does so on its nullable side: a row of that side that the ON rejects
    // matches nothing, so it never reaches the output (PostgreSQL passes these constraints
    // down to the nullable side only, never to the preserved one).
    const rejects = rejectsOf(conjuncts(plan.condition));
    const leftLen = plan.left.fields.length;
    const left = plan.left.kind === "join" && plan.joinType !== "left"
      ? reduce(plan.left, (side) => rejects((c) => c < leftLen && side(c)))
      : null;
    const right = plan.right.kind === "join" && plan.joinType !== "right"
      ? reduce(plan.right, (side) => rejects((c) => c >= leftLen && side(c - leftLen)))
      : null;
    if (left === null && right === null) return null;
    return { ...plan, left: left ?? plan.left, right: right ?? plan.right };
  }
  return null;
}

/** The rule. */
export const reduceOuterJoins: OptimizerRule = {
  name: "reduce_outer_joins",
  phase: "optimizer",
  apply: rewrite,
};
