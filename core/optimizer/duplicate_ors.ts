/**
 * PostgreSQL's find_duplicate_ors (canonicalize_qual, run on every WHERE, ON and HAVING
 * condition): a condition that every arm of an OR has in common is pulled out of the OR and ANDed
 * with it, `(A AND B) OR (A AND C)` becoming `A AND (B OR C)`, and an arm that is only such
 * conditions absorbs the others, `(A AND B) OR A` becoming `A`. Both forms accept the same rows
 * (the distributive and absorption laws hold in three-valued logic), but `A` then becomes a
 * conjunct of its own that runs in cost order with the others (and joins an equivalence class),
 * so which errors the condition can raise follows PostgreSQL:
 * `WHERE (1/c2 > 0 AND c1 = 1) OR (c1 = 1 AND c3 > 0)` divides no row whose c1 is not 1.
 *
 * @example
 * ```ts
 * import { findDuplicateOrs } from "./duplicate_ors.ts";
 * import { Types } from "../types/mod.ts";
 * const a = { kind: "column", index: 0, type: Types.bool } as const;
 * const b = { kind: "column", index: 1, type: Types.bool } as const;
 * const ab = { kind: "op", op: "and", left: a, right: b, type: Types.bool } as const;
 * const e = findDuplicateOrs({ kind: "op", op: "or", left: ab, right: a, type: Types.bool });
 * console.assert(e === a);
 * ```
 *
 * @module
 */
import type { BoundExpr } from "../plan/expr.ts";
import { andAll, conjuncts, exprKey } from "../plan/expr_utils.ts";
import { Types } from "../types/data_type.ts";

/** The arms of a (binary, nested) OR, flattened left to right. */
function disjuncts(e: BoundExpr): BoundExpr[] {
  if (e.kind === "op" && e.op === "or") return [...disjuncts(e.left), ...disjuncts(e.right)];
  return [e];
}

function orAll(parts: readonly BoundExpr[]): BoundExpr {
  return parts.reduce((a, b) => ({ kind: "op", op: "or", left: a, right: b, type: Types.bool }));
}

const isAnd = (e: BoundExpr) => e.kind === "op" && e.op === "and";

/** `orlist` with the conditions common to all its arms pulled out (process_duplicate_ors). */
function processDuplicateOrs(orlist: readonly BoundExpr[]): BoundExpr {
  if (orlist.length === 1) return orlist[0]!;
  // the shortest AND arm is the reference; an arm that is no AND is one condition, the shortest
  let reference: BoundExpr[] | null = null;
  for (const arm of orlist) {
    if (!isAnd(arm)) {
      reference = [arm];
      break;
    }
    const parts = conjuncts(arm);
    if (reference === null || parts.length < reference.length) reference = parts;
  }
  const armKeys = orlist.map((arm) => new Set(conjuncts(arm).map(exprKey)));
  const winners: BoundExpr[] = [];
  const winnerKeys = new Set<string>();
  for (const r of reference!) {
    const k = exprKey(r);
    if (winnerKeys.has(k)) continue;
    if (armKeys.every((keys) => keys.has(k))) {
      winners.push(r);
      winnerKeys.add(k);
    }
  }
  if (winners.length === 0) return orAll(orlist);
  // the arms without the winners; an arm left empty makes the whole OR only the winners
  const rest: BoundExpr[] = [];
  for (const arm of orlist) {
    const left = conjuncts(arm).filter((p) => !winnerKeys.has(exprKey(p)));
    if (left.length === 0) return andAll(winners)!;
    rest.push(andAll(left)!);
  }
  return andAll([...winners, orAll(rest.flatMap(disjuncts))])!;
}

/**
 * `qual` (a WHERE, ON or HAVING condition) with common OR conditions pulled out, through its
 * AND/OR tree (not below NOT or other operators, as in PostgreSQL); the same object when nothing
 * changed.
 */
export function findDuplicateOrs(qual: BoundExpr): BoundExpr {
  if (qual.kind !== "op" || (qual.op !== "and" && qual.op !== "or")) return qual;
  if (qual.op === "or") {
    const arms = disjuncts(qual);
    const processed = arms.map(findDuplicateOrs);
    const out = processDuplicateOrs(processed.flatMap(disjuncts));
    return exprKey(out) === exprKey(qual) ? qual : out;
  }
  const parts = conjuncts(qual);
  const processed = parts.map(findDuplicateOrs);
  if (processed.every((p, i) => p === parts[i])) return qual;
  return andAll(processed.flatMap(conjuncts))!;
}
