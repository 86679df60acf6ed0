/**
 * The filters a scan hands its storage engine, with the parameters of a generic plan (one bound
 * once and run with different values) replaced by this execution's values: `column <op> $n`, or
 * a cast of `$n`, becomes `column <op> constant`, the shape storage prunes partitions, segments
 * and series by. A value whose cast fails leaves its conjunct as it is: storage then prunes
 * nothing by it, and the filter above the scan (which re-checks every pushed filter) raises the
 * error.
 *
 * @example
 * ```ts
 * import { withParamValues } from "./scan_params.ts";
 * import { ExecContext } from "./context.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * import { systemClock } from "../env/clock.ts";
 * const ctx = new ExecContext(systemClock, defaultLimits, ["a"], null, 0);
 * const f = { kind: "op", op: "eq", type: Types.bool,
 *   left: { kind: "column", index: 0, type: Types.text },
 *   right: { kind: "param", index: 1, type: Types.text } } as const;
 * const [g] = withParamValues([f], ctx);
 * console.assert(g!.kind === "op" && g!.right.kind === "const" && g!.right.value === "a");
 * ```
 *
 * @module
 */
import type { BoundExpr } from "../plan/expr.ts";
import { valueAt } from "../types/column.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";

/** Whether `e` is `$n` or a cast (of a cast ...) of it. */
function isParamValue(e: BoundExpr): boolean {
  while (e.kind === "cast") e = e.operand;
  return e.kind === "param";
}

/** `e` evaluated once as a constant, or null when that fails. */
function constantOf(e: BoundExpr, ctx: ExecContext): BoundExpr | null {
  try {
    const col = evaluate(e, { columns: [], length: 1 }, ctx);
    return { kind: "const", value: valueAt(col, 0), type: e.type };
  } catch {
    return null;
  }
}

function substitute(e: BoundExpr, ctx: ExecContext): BoundExpr {
  if (e.kind !== "op") return e;
  if (e.op === "and") {
    const left = substitute(e.left, ctx);
    const right = substitute(e.right, ctx);
    return left === e.left && right === e.right ? e : { ...e, left, right };
  }
  if (e.left.kind === "column" && isParamValue(e.right)) {
    const k = constantOf(e.right, ctx);
    return k === null ? e : { ...e, right: k };
  }
  if (e.right.kind === "column" && isParamValue(e.left)) {
    const k = constantOf(e.left, ctx);
    return k === null ? e : { ...e, left: k };
  }
  return e;
}

/** `filters` with `column <op> $n` conjuncts given this execution's values (see the module). */
export function withParamValues(
  filters: readonly BoundExpr[],
  ctx: ExecContext,
): readonly BoundExpr[] {
  if (ctx.params.length === 0) return filters;
  return filters.map((f) => substitute(f, ctx));
}
