/**
 * Rule `equivalence_classes`: an expression that the WHERE (or an inner join's ON) equates with
 * a constant, directly or through other equalities, is equated with that constant on its own
 * relation too. PostgreSQL gathers a query's mergejoinable equalities into equivalence classes
 * and, for a class with a constant, generates `member = constant` for every member
 * (generate_base_implied_equalities_const): `a.x = b.x AND a.x = 5` filters `b` by `b.x = 5`.
 * The generated qual runs in `b`'s scan, after `b`'s conjuncts of lower or equal cost (see
 * `order_conjuncts`), so it spares the costlier ones their errors on rows it rejects:
 * `b.s::int > 0` is not evaluated for a row whose `x` is not 5.
 *
 * A WHERE's `x IN (SELECT y ...)` that PostgreSQL pulls up into a semi-join puts `y` in `x`'s
 * class: with `x = 5`, `y = 5` filters the subquery's rows.
 *
 * Also PostgreSQL's reconsider_outer_join_clauses: under `a LEFT JOIN b ON a.x = b.y`, when `a.x`
 * is equated with a constant below the join (a WHERE conjunct pushed into `a`), `b.y = constant`
 * filters `b`, the nullable side (and the mirror for RIGHT JOIN).
 *
 * Rows never change: the generated conjunct is implied by the ones it comes from. Only members
 * that read columns of one relation get a conjunct (PostgreSQL also generates join quals for the
 * others). Two different literals in one class (`x = 5 AND x = 6`) make the region a constant
 * FALSE filter, as PostgreSQL's generated `5 = 6` is a one-time filter that reads nothing. A member
 * already equated with a constant is left alone.
 *
 * @example
 * ```ts
 * import { equivalenceClasses } from "./equivalence_classes.ts";
 * console.assert(equivalenceClasses.name === "equivalence_classes");
 * ```
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import {
  andAll,
  columnsOf,
  conjuncts,
  containsSubquery,
  exprKey,
  isVolatile,
  mapColumns,
} from "../plan/expr_utils.ts";
import { castValue } from "../exec/kernels/cast.ts";
import { type DataType, sameType, Types } from "../types/data_type.ts";

/** A relation at the edge of an inner-join region, with its first column's region index. */
interface Leaf {
  readonly plan: LogicalPlan;
  readonly offset: number;
}

/**
 * Collects the conjuncts of an inner-join region (its filters and inner/cross join ONs, with
 * column indexes over the region's output) and the relations at its edge, left to right.
 */
function collect(plan: LogicalPlan, offset: number, parts: BoundExpr[], leaves: Leaf[]): void {
  const shifted = (e: BoundExpr) => (offset === 0 ? e : mapColumns(e, (c) => c + offset));
  if (plan.kind === "filter") {
    parts.push(...conjuncts(plan.predicate).map(shifted));
    collect(plan.input, offset, parts, leaves);
  } else if (plan.kind === "join" && (plan.joinType === "inner" || plan.joinType === "cross")) {
    if (plan.condition !== null) parts.push(...conjuncts(plan.condition).map(shifted));
    collect(plan.left, offset, parts, leaves);
    collect(plan.right, offset + plan.left.fields.length, parts, leaves);
  } else {
    leaves.push({ plan, offset });
  }
}

/** The region rebuilt with `added[i]` (over region columns) filtering leaf `i`. */
function rebuild(
  plan: LogicalPlan,
  added: readonly (readonly BoundExpr[])[],
  next: { leaf: number },
): LogicalPlan {
  if (plan.kind === "filter") return { ...plan, input: rebuild(plan.input, added, next) };
  if (plan.kind === "join" && (plan.joinType === "inner" || plan.joinType === "cross")) {
    const left = rebuild(plan.left, added, next);
    return { ...plan, left, right: rebuild(plan.right, added, next) };
  }
  const parts = added[next.leaf++]!;
  const predicate = andAll(parts);
  return predicate === null
    ? plan
    : { kind: "filter", input: plan, predicate, fields: plan.fields };
}

const intWidth: Readonly<Record<string, number>> = { int2: 2, int4: 4, int8: 8 };

/**
 * An equality's side as an equivalence-class member: a widening integer cast is looked through,
 * as PostgreSQL compares integer types with cross-type operators (int48eq) and keeps the
 * uncast expression in the class.
 */
function member(e: BoundExpr): BoundExpr {
  while (
    e.kind === "cast" && (intWidth[e.operand.type.kind] ?? 0) > 0 &&
    (intWidth[e.type.kind] ?? 0) > (intWidth[e.operand.type.kind] ?? 0)
  ) {
    e = e.operand;
  }
  return e;
}

/** Whether `e` may be a class member: nothing volatile, no subquery. */
function usable(e: BoundExpr): boolean {
  return !isVolatile(e) && !containsSubquery(e);
}

/** Whether a member is a constant of the execution: it reads no column of the region. */
function isConstant(e: BoundExpr): boolean {
  return columnsOf(e).size === 0;
}

/** `constant` as a value of `type`, or null when it cannot be one exactly. */
function convert(constant: BoundExpr, type: DataType): BoundExpr | null {
  if (sameType(constant.type, type)) return constant;
  if (constant.kind !== "const" || constant.value === null) return null;
  if (intWidth[constant.type.kind] === undefined || intWidth[type.kind] === undefined) return null;
  try {
    return { kind: "const", value: castValue(constant.value, constant.type, type), type };
  } catch {
    return null; // out of the member's range: no row equals it
  }
}

/** The usable equalities of `parts`, as member pairs (a side equal to itself excluded). */
function equalities(parts: readonly BoundExpr[]): [BoundExpr, BoundExpr][] {
  const out: [BoundExpr, BoundExpr][] = [];
  for (const p of parts) {
    if (p.kind !== "op" || p.op !== "eq" || p.nullif === true || !usable(p)) continue;
    const l = member(p.left);
    const r = member(p.right);
    if (isConstant(l) && isConstant(r)) continue;
    if (exprKey(l) === exprKey(r)) continue;
    out.push([l, r]);
  }
  return out;
}

/** Equivalence classes over `pairs`: each class's members, in order of first appearance. */
function classes(pairs: readonly [BoundExpr, BoundExpr][]): BoundExpr[][] {
  const parent = new Map<string, string>();
  const members = new Map<string, BoundExpr>();
  const find = (k: string): string => {
    let r = k;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(k, r);
    return r;
  };
  for (const [l, r] of pairs) {
    const kl = exprKey(l);
    const kr = exprKey(r);
    for (const [k, e] of [[kl, l], [kr, r]] as const) {
      if (!parent.has(k)) {
        parent.set(k, k);
        members.set(k, e);
      }
    }
    const a = find(kl);
    const b = find(kr);
    if (a !== b) parent.set(b, a);
  }
  const groups = new Map<string, BoundExpr[]>();
  for (const [k, e] of members) {
    const root = find(k);
    let g = groups.get(root);
    if (g === undefined) groups.set(root, g = []);
    g.push(e);
  }
  return [...groups.values()];
}

/** Keys of the members that an equality of `pairs` already equates with a constant directly. */
function equatedWithConstant(pairs: readonly [BoundExpr, BoundExpr][]): Set<string> {
  const out = new Set<string>();
  for (const [l, r] of pairs) {
    if (isConstant(r)) out.add(exprKey(l));
    if (isConstant(l)) out.add(exprKey(r));
  }
  return out;
}

/**
 * The class's constant: the first literal, else the first other constant (a parameter, an
 * outer column), as PostgreSQL prefers a Const; null without one, or with two different
 * literals.
 */
function classConstant(members: readonly BoundExpr[]): BoundExpr | null {
  const constants = members.filter(isConstant);
  const literals = constants.filter((m) => m.kind === "const");
  if (literals.length > 1) {
    const first = literals[0]!;
    if (literals.some((l) => !sameType(l.type, first.type) || exprKey(l) !== exprKey(first))) {
      return null;
    }
  }
  const c = literals[0] ?? constants[0] ?? null;
  return c !== null && c.kind === "const" && c.value === null ? null : c;
}

/** Types whose equal values have one representation (not numeric's 5.0 and 5.00, nor intervals). */
const canonicalKinds = new Set(["bool", "int2", "int4", "int8", "text", "varchar", "date"]);

/** Whether a class equates two different literals of one type (`x = 5 AND x = 6`). */
function contradicts(members: readonly BoundExpr[]): boolean {
  const literals = members.filter((m) =>
    m.kind === "const" && m.value !== null && canonicalKinds.has(m.type.kind)
  );
  return literals.some((a, i) =>
    literals.some((b, j) => j > i && sameType(a.type, b.type) && exprKey(a) !== exprKey(b))
  );
}

function equality(left: BoundExpr, right: BoundExpr): BoundExpr {
  return { kind: "op", op: "eq", left, right, type: Types.bool };
}

/**
 * The filters and joins inside a region whose top was handled in this walk: the driver applies
 * a rule top-down, so a region's top comes first; its inner parts, a region of their own, see
 * only some of its conjuncts and would derive again what the top derived or found present.
 */
const interior = new WeakSet<LogicalPlan>();

function markInterior(plan: LogicalPlan, top: boolean): void {
  const inner = plan.kind === "filter" ||
    (plan.kind === "join" && (plan.joinType === "inner" || plan.joinType === "cross"));
  if (!inner) return;
  if (!top) interior.add(plan);
  if (plan.kind === "filter") markInterior(plan.input, false);
  else if (plan.kind === "join") {
    markInterior(plan.left, false);
    markInterior(plan.right, false);
  }
}

/** The `member = constant` conjuncts an inner-join region (or one relation's filter) implies. */
function deriveInRegion(plan: LogicalPlan): LogicalPlan | null {
  if (interior.has(plan)) return null;
  const result = derive(plan);
  markInterior(result ?? plan, true);
  return result;
}

function derive(plan: LogicalPlan): LogicalPlan | null {
  const parts: BoundExpr[] = [];
  const leaves: Leaf[] = [];
  collect(plan, 0, parts, leaves);
  const pairs = equalities(parts);
  if (pairs.length === 0) return null;
  if (classes(pairs).some(contradicts)) {
    // PostgreSQL's generated `5 = 6` is a constant-false one-time filter: nothing is read
    const never: BoundExpr = { kind: "const", value: false, type: Types.bool };
    return { kind: "filter", input: plan, predicate: never, fields: plan.fields };
  }
  const known = constantsByMember(pairs);
  const done = equatedWithConstant(pairs);
  const added: BoundExpr[][] = leaves.map(() => []);
  let any = false;
  for (const [key, { member: m, constant }] of known) {
    if (done.has(key)) continue;
    const cols = [...columnsOf(m)];
    const at = leaves.findLastIndex((l) => l.offset <= cols[0]!);
    const leaf = leaves[at]!;
    const end = leaf.offset + leaf.plan.fields.length;
    if (cols.some((c) => c < leaf.offset || c >= end)) continue; // reads two relations
    const k = convert(constant, m.type);
    if (k === null) continue;
    added[at]!.push(mapColumns(equality(m, k), (c) => c - leaf.offset));
    any = true;
  }
  const result = any ? rebuild(plan, added, { leaf: 0 }) : plan;
  const semi = result.kind === "filter" ? intoSemiJoins(result, known) : null;
  return semi ?? (any ? result : null);
}

/**
 * The WHERE's pulled-up `x IN (SELECT y ...)` (or `x = ANY`) whose `x` the class of a constant
 * `k` holds, with `y = k` filtering the subquery: PostgreSQL's semi-join puts `y` in `x`'s class,
 * so `y = k` runs in the subquery's scan ahead of its costlier conditions.
 */
function intoSemiJoins(
  filter: LogicalPlan & { kind: "filter" },
  known: ReadonlyMap<string, { member: BoundExpr; constant: BoundExpr }>,
): LogicalPlan | null {
  let changed = false;
  const parts = conjuncts(filter.predicate).map((p) => {
    if (
      p.kind !== "subquery" || p.semiJoin !== true || p.constantPushed === true ||
      p.operand === null || p.correlated
    ) {
      return p;
    }
    const found = known.get(exprKey(member(p.operand)));
    const field = p.plan.fields[0];
    // (a constant of the whole execution: a literal or a parameter, not an enclosing row's column)
    const kind = found?.constant.kind;
    if (found === undefined || field === undefined || (kind !== "const" && kind !== "param")) {
      return p;
    }
    const k = convert(found.constant, field.type);
    if (k === null) return p;
    const eq = equality({ kind: "column", index: 0, type: field.type }, k);
    changed = true;
    const plan: LogicalPlan = {
      kind: "filter",
      input: p.plan,
      predicate: eq,
      fields: p.plan.fields,
    };
    return { ...p, plan, constantPushed: true } as BoundExpr;
  });
  return changed ? { ...filter, predicate: andAll(parts)! } : null;
}

/** Each member of a class with a constant, by key, with that constant. */
function constantsByMember(
  pairs: readonly [BoundExpr, BoundExpr][],
): Map<string, { member: BoundExpr; constant: BoundExpr }> {
  const out = new Map<string, { member: BoundExpr; constant: BoundExpr }>();
  for (const members of classes(pairs)) {
    const constant = classConstant(members);
    if (constant === null) continue;
    for (const m of members) if (!isConstant(m)) out.set(exprKey(m), { member: m, constant });
  }
  return out;
}

/** The constant each member of the relation's region is equated with (by member key). */
function constantsOf(plan: LogicalPlan): Map<string, BoundExpr> {
  const parts: BoundExpr[] = [];
  collect(plan, 0, parts, []);
  const out = new Map<string, BoundExpr>();
  for (const [k, { constant }] of constantsByMember(equalities(parts))) out.set(k, constant);
  return out;
}

/**
 * Under a LEFT (RIGHT) JOIN, `preserved = nullable` ON conjuncts whose preserved side is equated
 * with a constant below the join give `nullable = constant` on the nullable side.
 */
function deriveThroughOuterJoin(join: LogicalPlan & { kind: "join" }): LogicalPlan | null {
  if (join.condition === null || (join.joinType !== "left" && join.joinType !== "right")) {
    return null;
  }
  const leftLen = join.left.fields.length;
  const preservedLeft = join.joinType === "left";
  const preserved = preservedLeft ? join.left : join.right;
  const nullable = preservedLeft ? join.right : join.left;
  const known = constantsOf(preserved);
  if (known.size === 0) return null;
  const inPreserved = (e: BoundExpr) => {
    const cols = [...columnsOf(e)];
    return cols.length > 0 && cols.every((c) => (c < leftLen) === preservedLeft);
  };
  const inNullable = (e: BoundExpr) => {
    const cols = [...columnsOf(e)];
    return cols.length > 0 && cols.every((c) => (c < leftLen) !== preservedLeft);
  };
  const toPreserved = (e: BoundExpr) => preservedLeft ? e : mapColumns(e, (c) => c - leftLen);
  const toNullable = (e: BoundExpr) => preservedLeft ? mapColumns(e, (c) => c - leftLen) : e;
  const already = equatedWithConstant(equalities((() => {
    const parts: BoundExpr[] = [];
    collect(nullable, 0, parts, []);
    return parts;
  })()));
  const added: BoundExpr[] = [];
  for (const [l, r] of equalities(conjuncts(join.condition))) {
    const [p, n] = inPreserved(l) && inNullable(r)
      ? [l, r]
      : inPreserved(r) && inNullable(l)
      ? [r, l]
      : [null, null];
    if (p === null || n === null) continue;
    const constant = known.get(exprKey(toPreserved(p)));
    if (constant === undefined) continue;
    const m = toNullable(n);
    if (already.has(exprKey(m)) || added.some((a) => exprKey(a) === exprKey(m))) continue;
    const k = convert(constant, m.type);
    if (k === null) continue;
    added.push(equality(m, k));
  }
  if (added.length === 0) return null;
  const filtered: LogicalPlan = {
    kind: "filter",
    input: nullable,
    predicate: andAll(added)!,
    fields: nullable.fields,
  };
  return preservedLeft ? { ...join, right: filtered } : { ...join, left: filtered };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind === "join" && (plan.joinType === "left" || plan.joinType === "right")) {
    return deriveThroughOuterJoin(plan);
  }
  // a HAVING's conjuncts are no equivalences (PostgreSQL moves those that need no aggregate
  // into the WHERE, where they are)
  if (plan.kind === "filter" && plan.input.kind === "aggregate") return null;
  if (plan.kind === "filter" || (plan.kind === "join" && plan.joinType === "inner")) {
    return deriveInRegion(plan);
  }
  return null;
}

/** The rule. */
export const equivalenceClasses: OptimizerRule = {
  name: "equivalence_classes",
  phase: "optimizer",
  apply: rewrite,
};
