/**
 * Walking the SQL syntax tree.
 *
 * @module
 */
import { unreachable } from "../errors.ts";
import type { Expr } from "./ast.ts";

/**
 * Visits an expression tree, parents before children, not descending into subqueries (their
 * node is visited, not their query).
 *
 * @example
 * ```ts
 * import { walkExpr } from "./walk.ts";
 * import type { Expr } from "./ast.ts";
 * const e: Expr = {
 *   kind: "binary", op: "+", pos: 2,
 *   left: { kind: "column_ref", parts: ["a"], pos: 0 },
 *   right: { kind: "literal", value: { kind: "number", text: "1" }, pos: 4 },
 * };
 * const kinds: string[] = [];
 * walkExpr(e, (x) => kinds.push(x.kind));
 * console.assert(kinds.join() === "binary,column_ref,literal");
 * ```
 */
export function walkExpr(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  const kids: (Expr | null)[] = [];
  switch (e.kind) {
    case "literal":
    case "column_ref":
    case "param":
    case "subquery":
    case "exists":
    case "default":
      break;
    case "unary":
    case "is_null":
    case "is_bool":
    case "cast":
      kids.push(e.operand);
      break;
    case "binary":
    case "is_distinct":
      kids.push(e.left, e.right);
      break;
    case "between":
      kids.push(e.operand, e.low, e.high);
      break;
    case "in_list":
      kids.push(e.operand, ...e.list);
      break;
    case "in_subquery":
    case "quantified":
      kids.push(e.operand);
      break;
    case "quantified_array":
      kids.push(e.operand, e.array);
      break;
    case "array":
      kids.push(...e.elements);
      break;
    case "subscript":
      kids.push(e.operand, e.index);
      break;
    case "like":
      kids.push(e.operand, e.pattern, e.escape);
      break;
    case "case":
      kids.push(e.operand, e.else, ...e.whens.flatMap((w) => [w.when, w.then]));
      break;
    case "function":
      kids.push(...e.args, e.filter, ...e.orderBy.map((o) => o.expr));
      break;
    default:
      unreachable(e, "expression");
  }
  for (const k of kids) if (k !== null) walkExpr(k, visit);
}
