/**
 * Helpers over bound expressions: column references, conjunct splitting and index remapping,
 * used by the binder and the optimizer rules.
 *
 * @module
 */
import { unreachable } from "../errors.ts";
import { Types } from "../types/data_type.ts";
import type { BoundExpr } from "./expr.ts";

/** Rebuilds an expression with every column reference passed through `f`. */
export function mapColumns(e: BoundExpr, f: (index: number) => number): BoundExpr {
  switch (e.kind) {
    case "column":
      return { ...e, index: f(e.index) };
    case "const":
    case "param":
      return e;
    case "op":
      return { ...e, left: mapColumns(e.left, f), right: mapColumns(e.right, f) };
    case "neg":
    case "not":
    case "is_null":
    case "cast":
      return { ...e, operand: mapColumns(e.operand, f) };
    case "case":
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: mapColumns(w.when, f), then: mapColumns(w.then, f) })),
        else: mapColumns(e.else, f),
      };
    case "call":
      return { ...e, args: e.args.map((a) => mapColumns(a, f)) };
    case "outer_column":
      return e;
    case "subquery":
      // Correlated references inside the plan point at the enclosing row, which is not
      // renumbered here: callers keep subqueries where they were bound (see containsSubquery).
      return e.operand === null ? e : { ...e, operand: mapColumns(e.operand, f) };
    default:
      return unreachable(e, "expression");
  }
}

/** A leaf of an expression tree: what {@link mapLeaves} hands its function. */
export type BoundLeaf = BoundExpr & { kind: "column" | "const" | "param" | "outer_column" };

/**
 * Rebuilds an expression with every leaf (column, constant, parameter, outer column) replaced
 * by what `f` gives for it. Subqueries are left as they are (their plans are bound where they
 * stand).
 */
export function mapLeaves(e: BoundExpr, f: (leaf: BoundLeaf) => BoundExpr): BoundExpr {
  switch (e.kind) {
    case "column":
    case "const":
    case "param":
    case "outer_column":
      return f(e);
    case "subquery":
      return e;
    case "op":
      return { ...e, left: mapLeaves(e.left, f), right: mapLeaves(e.right, f) };
    case "neg":
    case "not":
    case "is_null":
    case "cast":
      return { ...e, operand: mapLeaves(e.operand, f) };
    case "case":
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: mapLeaves(w.when, f), then: mapLeaves(w.then, f) })),
        else: mapLeaves(e.else, f),
      };
    case "call":
      return { ...e, args: e.args.map((a) => mapLeaves(a, f)) };
    default:
      return unreachable(e, "expression");
  }
}

/**
 * Replaces every column reference with the expression `f` gives for its index (inlining a
 * projection's expressions). Subqueries are left as they are: callers skip expressions with
 * subqueries (see {@link containsSubquery}).
 */
export function substituteColumns(e: BoundExpr, f: (index: number) => BoundExpr): BoundExpr {
  return mapLeaves(e, (leaf) => (leaf.kind === "column" ? f(leaf.index) : leaf));
}

/**
 * A structural key for a bound expression: equal keys mean the same computation (functions by
 * name, a subquery by its whole plan).
 *
 * @example
 * ```ts
 * import { exprKey } from "./expr_utils.ts";
 * import { Types } from "../types/mod.ts";
 * const a = { kind: "column", index: 0, type: Types.int4 } as const;
 * console.assert(exprKey(a) === exprKey({ ...a }));
 * ```
 */
export function exprKey(e: BoundExpr): string {
  return JSON.stringify(e, (key, value) => {
    if (typeof value === "bigint") return `${value}n`;
    if (key === "fn" && value !== null && typeof value === "object") {
      return `fn:${(value as { name: string }).name}`;
    }
    if (typeof value === "number" && !Number.isFinite(value)) return String(value);
    return value;
  });
}

/** Whether an expression contains a subquery. */
export function containsSubquery(e: BoundExpr): boolean {
  let found = false;
  walkBound(e, (x) => {
    if (x.kind === "subquery") found = true;
  });
  return found;
}

/** The column indexes an expression reads. */
export function columnsOf(e: BoundExpr, out: Set<number> = new Set()): Set<number> {
  mapColumns(e, (i) => {
    out.add(i);
    return i;
  });
  return out;
}

/** Splits `a AND b AND c` into its conjuncts. */
export function conjuncts(e: BoundExpr): BoundExpr[] {
  if (e.kind === "op" && e.op === "and") return [...conjuncts(e.left), ...conjuncts(e.right)];
  return [e];
}

/** Joins conjuncts back with AND; `null` for none. */
export function andAll(parts: readonly BoundExpr[]): BoundExpr | null {
  if (parts.length === 0) return null;
  return parts.reduce((a, b) => ({ kind: "op", op: "and", left: a, right: b, type: Types.bool }));
}

/** Whether an expression's result can differ between calls with the same input. */
export function isVolatile(e: BoundExpr): boolean {
  let volatile = false;
  const visit = (x: BoundExpr): void => {
    if (x.kind === "call" && x.fn.volatility === "volatile") volatile = true;
  };
  walkBound(e, visit);
  return volatile;
}

/**
 * Whether a conjunct reads no column of its input (nor runs a volatile function or a subquery
 * correlated with that input): PostgreSQL makes such a qual a one-time filter, evaluated once
 * before the input is read (and when it is not true, the input is never read). An IN that
 * PostgreSQL pulls up into a semi-join (tagged `semiJoin`) is a join, not such a qual.
 *
 * @example
 * ```ts
 * import { isPseudoConstant } from "./expr_utils.ts";
 * import { Types } from "../types/mod.ts";
 * const one = { kind: "const", value: 1, type: Types.int4 } as const;
 * const col = { kind: "column", index: 0, type: Types.int4 } as const;
 * console.assert(isPseudoConstant({ kind: "op", op: "eq", left: one, right: one, type: Types.bool }));
 * console.assert(!isPseudoConstant({ kind: "op", op: "eq", left: col, right: one, type: Types.bool }));
 * ```
 */
export function isPseudoConstant(e: BoundExpr): boolean {
  if (e.kind === "const" || columnsOf(e).size > 0 || isVolatile(e)) return false;
  if (e.kind === "subquery" && e.semiJoin === true) return false;
  let correlated = false;
  walkBound(e, (x) => {
    if (x.kind === "subquery" && x.correlated) correlated = true;
  });
  return !correlated;
}

/**
 * `COALESCE(x)`: x, but kept a COALESCE as PostgreSQL keeps it, which is not strict (a WHERE
 * over it does not make an outer join inner). It is the CASE a COALESCE binds to.
 *
 * @example
 * ```ts
 * import { coalesceOf } from "./expr_utils.ts";
 * import { Types } from "../types/mod.ts";
 * const e = coalesceOf({ kind: "column", index: 0, type: Types.int4 });
 * console.assert(e.kind === "case" && e.coalesce === true);
 * ```
 */
export function coalesceOf(x: BoundExpr): BoundExpr {
  return {
    kind: "case",
    whens: [{ when: { kind: "is_null", negated: true, operand: x, type: Types.bool }, then: x }],
    else: { kind: "const", value: null, type: x.type },
    type: x.type,
    coalesce: true,
  };
}

/** Visits every node of a bound expression. */
export function walkBound(e: BoundExpr, visit: (e: BoundExpr) => void): void {
  visit(e);
  switch (e.kind) {
    case "column":
    case "const":
    case "param":
      return;
    case "op":
      walkBound(e.left, visit);
      walkBound(e.right, visit);
      return;
    case "neg":
    case "not":
    case "is_null":
    case "cast":
      walkBound(e.operand, visit);
      return;
    case "case":
      for (const w of e.whens) {
        walkBound(w.when, visit);
        walkBound(w.then, visit);
      }
      walkBound(e.else, visit);
      return;
    case "call":
      for (const a of e.args) walkBound(a, visit);
      return;
    case "outer_column":
      return;
    case "subquery":
      if (e.operand !== null) walkBound(e.operand, visit);
      return;
    default:
      unreachable(e, "expression");
  }
}
