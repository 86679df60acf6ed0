/**
 * Rule `reorder_joins`: flattens a tree of inner and cross joins (with the WHERE filter above
 * it) into its relations and conjuncts, then rebuilds it left-deep in the order with the least
 * estimated intermediate rows: exhaustively (dynamic programming over subsets) up to
 * {@link exhaustiveRelationsMax} relations, greedily beyond, so that the SQLite corpus' many-table
 * joins never build a needless cross product. Each conjunct goes to the lowest join that has all
 * its relations; a projection on top restores the original column order.
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
/** Relations in one join tree, at most, ordered exhaustively; greedily beyond. */
export const exhaustiveRelationsMax = 10;
/** Rows assumed for a relation whose size is unknown. */
const defaultRows = 1000;
/** Selectivity assumed for an equality join predicate and for a local filter. */
const joinSelectivity = 0.1;
const filterSelectivity = 0.25;
/**
 * Selectivity assumed for a join predicate that is not an equality (PostgreSQL's default for an
 * inequality is 1/3): such a join keeps more pairs and is evaluated on every pair, so an
 * equality join goes first.
 */
const otherJoinSelectivity = 1 / 3;

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

/** A join predicate over two or more relations, by relation index. */
interface Link {
  readonly leaves: ReadonlySet<number>;
  /** Fraction of pairs it keeps ({@link joinSelectivity} when absent). */
  readonly selectivity?: number;
}

/** Whether a conjunct is `x = y` with columns on both sides (a hash join key). */
function isEquality(e: BoundExpr): boolean {
  return e.kind === "op" && e.op === "eq" && columnsOf(e.left).size > 0 &&
    columnsOf(e.right).size > 0;
}

/** Factor that makes a cross product the last resort in both orderings. */
const crossProductPenalty = 1e6;

/**
 * The left-deep order with the least total intermediate rows (the C_out cost), by dynamic
 * programming over every subset of relations: 2^n subsets times n choices, fine up to
 * {@link exhaustiveRelationsMax}. A join step without a predicate to what is built so far costs
 * {@link crossProductPenalty} times its size, so cross products come last.
 */
export function exhaustiveOrder(leaves: readonly { rows: number }[], links: readonly Link[]) {
  const n = leaves.length;
  const full = (1 << n) - 1;
  const joins = links.filter((l) => l.leaves.size > 1);
  const masks = joins.map((l) => {
    let m = 0;
    for (const x of l.leaves) m |= 1 << x;
    return m;
  });
  const selectivities = joins.map((l) => l.selectivity ?? joinSelectivity);
  const card = new Float64Array(full + 1);
  const cost = new Float64Array(full + 1).fill(Infinity);
  const last = new Int8Array(full + 1).fill(-1);
  for (let set = 1; set <= full; set++) {
    let rows = 1;
    for (let i = 0; i < n; i++) if (set & (1 << i)) rows *= leaves[i]!.rows;
    masks.forEach((m, k) => {
      if ((m & set) === m) rows *= selectivities[k]!;
    });
    card[set] = Math.max(1, rows);
    if ((set & (set - 1)) === 0) {
      cost[set] = 0;
      last[set] = 31 - Math.clz32(set);
      continue;
    }
    for (let i = 0; i < n; i++) {
      const bit = 1 << i;
      if ((set & bit) === 0) continue;
      const rest = set & ~bit;
      // a predicate links i to the rest when it covers i, lies within set and touches rest
      const linked = masks.some((m) => (m & bit) !== 0 && (m & set) === m && (m & rest) !== 0);
      const step = card[set]! * (linked ? 1 : crossProductPenalty);
      const c = cost[rest]! + step;
      if (c < cost[set]!) {
        cost[set] = c;
        last[set] = i;
      }
    }
  }
  const order: number[] = [];
  for (let set = full; set !== 0;) {
    const i = last[set]!;
    order.push(i);
    set &= ~(1 << i);
  }
  return order.reverse();
}

/**
 * Greedy order for many relations: start from the smallest estimated relation and keep adding
 * the one whose join with what is built so far is estimated smallest, preferring relations
 * connected by a predicate.
 */
export function greedyOrder(leaves: readonly { rows: number }[], links: readonly Link[]) {
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
      const linking = links.filter((m) =>
        m.leaves.size > 1 && m.leaves.has(i) && [...m.leaves].every((l) => l === i || inSet.has(l))
      );
      const selectivity = linking.reduce((p, m) => p * (m.selectivity ?? joinSelectivity), 1);
      const estimate = rows * leaves[i]!.rows * selectivity *
        (linking.length > 0 ? 1 : crossProductPenalty);
      if (estimate < bestRows) {
        bestRows = estimate;
        best = i;
      }
    }
    order.push(best);
    inSet.add(best);
    rows = Math.max(
      1,
      bestRows >= crossProductPenalty * rows * leaves[best]!.rows
        ? rows * leaves[best]!.rows
        : bestRows,
    );
  }
  return order;
}

function reorder(root: LogicalPlan, filter: BoundExpr | null): LogicalPlan | null {
  const leaves: Leaf[] = [];
  const preds: BoundExpr[] = [];
  collect(root, leaves, preds, 0);
  if (filter !== null) preds.push(...conjuncts(filter));
  if (leaves.length < 3 || leaves.length > reorderRelationsMax) return null;
  const movable: { expr: BoundExpr; leaves: Set<number>; selectivity: number }[] = [];
  const pinned: BoundExpr[] = []; // stay above the whole join
  for (const p of preds) {
    const ls = new Set([...columnsOf(p)].map((c) => leafOf(leaves, c)));
    if (isVolatile(p) || containsSubquery(p) || ls.has(-1) || ls.size === 0) pinned.push(p);
    else {
      movable.push({
        expr: p,
        leaves: ls,
        selectivity: isEquality(p) ? joinSelectivity : otherJoinSelectivity,
      });
    }
  }
  for (const m of movable) {
    if (m.leaves.size === 1) leaves[[...m.leaves][0]!]!.rows *= filterSelectivity;
  }

  const order = leaves.length <= exhaustiveRelationsMax
    ? exhaustiveOrder(leaves, movable)
    : greedyOrder(leaves, movable);

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
