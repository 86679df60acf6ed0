/**
 * Rule `reorder_joins`: flattens a tree of inner and cross joins (with the WHERE filter above
 * it) into its relations and conjuncts, then rebuilds it greedily: start from the smallest
 * estimated relation and keep adding the relation whose join with what is built so far is
 * estimated smallest, preferring relations connected by a predicate, so that the SQLite corpus'
 * many-table joins never build a needless cross product. Each conjunct goes to the lowest join
 * that has all its relations; a projection on top restores the original column order.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Field, LogicalPlan } from "../plan/logical_plan.ts";
import {
  andAll,
  columnsOf,
  conjuncts,
  containsSubquery,
  isVolatile,
  mapColumns,
} from "../plan/expr_utils.ts";

/** Relations in one join tree, at most, that this rule reorders. */
export const reorderRelationsMax = 64;
/** Rows assumed for a relation whose size is unknown. */
const defaultRows = 1000;
/** Selectivity assumed for an equality join predicate and for a local filter. */
const joinSelectivity = 0.1;
const filterSelectivity = 0.25;

interface Leaf {
  readonly plan: LogicalPlan;
  /** Offset of its first column in the original concatenated field order. */
  readonly offset: number;
  readonly width: number;
  rows: number;
}

function collect(plan: LogicalPlan, leaves: Leaf[], preds: BoundExpr[], offset: number): void {
  if (plan.kind === "join" && (plan.joinType === "inner" || plan.joinType === "cross")) {
    collect(plan.left, leaves, preds, offset);
    collect(plan.right, leaves, preds, offset + plan.left.fields.length);
    if (plan.condition !== null) {
      for (const c of conjuncts(plan.condition)) preds.push(mapColumns(c, (i) => i + offset));
    }
    return;
  }
  const rows = plan.kind === "scan" ? plan.estimatedRows ?? defaultRows : defaultRows;
  leaves.push({ plan, offset, width: plan.fields.length, rows: Math.max(1, rows) });
}

function leafOf(leaves: readonly Leaf[], column: number): number {
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i]!;
    if (column >= l.offset && column < l.offset + l.width) return i;
  }
  return -1;
}

function reorder(root: LogicalPlan, filter: BoundExpr | null): LogicalPlan | null {
  const leaves: Leaf[] = [];
  const preds: BoundExpr[] = [];
  collect(root, leaves, preds, 0);
  if (filter !== null) preds.push(...conjuncts(filter));
  if (leaves.length < 3 || leaves.length > reorderRelationsMax) return null;
  const movable: { expr: BoundExpr; leaves: Set<number> }[] = [];
  const pinned: BoundExpr[] = []; // stay above the whole join
  for (const p of preds) {
    const ls = new Set([...columnsOf(p)].map((c) => leafOf(leaves, c)));
    if (isVolatile(p) || containsSubquery(p) || ls.has(-1) || ls.size === 0) pinned.push(p);
    else movable.push({ expr: p, leaves: ls });
  }
  for (const m of movable) {
    if (m.leaves.size === 1) leaves[[...m.leaves][0]!]!.rows *= filterSelectivity;
  }

  // Greedy order.
  const order: number[] = [];
  const inSet = new Set<number>();
  let first = 0;
  for (let i = 1; i < leaves.length; i++) if (leaves[i]!.rows < leaves[first]!.rows) first = i;
  order.push(first);
  inSet.add(first);
  let rows = leaves[first]!.rows;
  while (order.length < leaves.length) {
    let best = -1;
    let bestRows = Infinity;
    for (let i = 0; i < leaves.length; i++) {
      if (inSet.has(i)) continue;
      const links = movable.filter((m) =>
        m.leaves.size > 1 && m.leaves.has(i) && [...m.leaves].every((l) =>
          l === i || inSet.has(l)
        )
      ).length;
      const estimate = rows * leaves[i]!.rows * (links > 0 ? Math.pow(joinSelectivity, links) : 1) *
        (links > 0 ? 1 : 1e6); // a cross product is the last resort
      if (estimate < bestRows) {
        bestRows = estimate;
        best = i;
      }
    }
    order.push(best);
    inSet.add(best);
    rows = Math.max(
      1,
      bestRows >= 1e6 * rows * leaves[best]!.rows ? rows * leaves[best]!.rows : bestRows,
    );
  }

  // Rebuild left-deep, placing each conjunct at the lowest join that covers it.
  const newOffset = new Map<number, number>(); // leaf -> offset in the new order
  let width = 0;
  for (const l of order) {
    newOffset.set(l, width);
    width += leaves[l]!.width;
  }
  const remap = (e: BoundExpr): BoundExpr =>
    mapColumns(e, (c) => {
      const l = leafOf(leaves, c);
      return newOffset.get(l)! + (c - leaves[l]!.offset);
    });
  const placed = new Set<number>();
  let plan: LogicalPlan | null = null;
  const available = new Set<number>();
  for (const l of order) {
    const leaf = leaves[l]!;
    available.add(l);
    let leafPlan = leaf.plan;
    const local = movable
      .map((m, k) => ({ m, k }))
      .filter(({ m, k }) => !placed.has(k) && m.leaves.size === 1 && m.leaves.has(l));
    if (local.length > 0) {
      for (const { k } of local) placed.add(k);
      const predicate = andAll(local.map(({ m }) => mapColumns(m.expr, (c) => c - leaf.offset)))!;
      leafPlan = { kind: "filter", input: leafPlan, predicate, fields: leafPlan.fields };
    }
    if (plan === null) {
      plan = leafPlan;
      continue;
    }
    const ready = movable
      .map((m, k) => ({ m, k }))
      .filter(({ m, k }) => !placed.has(k) && [...m.leaves].every((x) => available.has(x)));
    for (const { k } of ready) placed.add(k);
    const condition = andAll(ready.map(({ m }) => remap(m.expr)));
    plan = {
      kind: "join",
      joinType: condition === null ? "cross" : "inner",
      left: plan,
      right: leafPlan,
      condition,
      fields: [...plan.fields, ...leafPlan.fields],
      ordered: true,
    };
  }
  // Restore the original column order, then apply what could not move: those conjuncts keep
  // their original column numbers (correlated subqueries inside them point at that order).
  const originalFields: Field[] = [];
  const exprs: BoundExpr[] = [];
  leaves.forEach((leaf, l) => {
    leaf.plan.fields.forEach((f, i) => {
      originalFields.push(f);
      exprs.push({ kind: "column", index: newOffset.get(l)! + i, type: f.type });
    });
  });
  const restored: LogicalPlan = { kind: "project", input: plan!, exprs, fields: originalFields };
  if (pinned.length === 0) return restored;
  return { kind: "filter", input: restored, predicate: andAll(pinned)!, fields: originalFields };
}

function isReorderable(plan: LogicalPlan): plan is LogicalPlan & { kind: "join" } {
  return plan.kind === "join" && (plan.joinType === "inner" || plan.joinType === "cross") &&
    plan.ordered !== true;
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind === "filter" && isReorderable(plan.input)) {
    return reorder(plan.input, plan.predicate);
  }
  if (isReorderable(plan)) return reorder(plan, null);
  return null;
}

/** The rule. */
export const reorderJoins: OptimizerRule = {
  name: "reorder_joins",
  phase: "optimizer",
  apply: rewrite,
};
