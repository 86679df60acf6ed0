/**
 * Building syntax-tree nodes: what parsers and the binder's rewrites share.
 *
 * @module
 */
import type { Expr } from "./ast.ts";

/**
 * A plain call `name(args)` as a parser writes it (no `*`, DISTINCT, FILTER, ORDER BY or OVER).
 *
 * @example
 * ```ts
 * import { callExpr } from "./build.ts";
 * const e = callExpr(["pg_catalog", "lower"], [], 0);
 * console.assert(e.kind === "function" && e.name.parts.at(-1) === "lower");
 * ```
 */
export function callExpr(
  parts: readonly string[],
  args: readonly Expr[],
  pos: number,
): Expr & { kind: "function" } {
  return {
    kind: "function",
    name: { parts, pos },
    args,
    star: false,
    distinct: false,
    filter: null,
    orderBy: [],
    over: null,
    pos,
  };
}
