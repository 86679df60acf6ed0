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
import { type Value, valueAt } from "../types/column.ts";
import { castDependsOnZone, castTextValue } from "./kernels/cast.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";

/** Whether `e` is `$n` or a cast (of a cast ...) of it. */
function isParamValue(e: BoundExpr): boolean {
  while (e.kind === "cast") e = e.operand;
  return e.kind === "param";
}

/**
 * A text parameter, or `CAST($n AS t)` of one read directly by t's input function (the common
 * case: a driver's untyped parameter compared with a column), with no one-row columns;
 * `undefined` when the value needs the general path (a zone other than UTC, numeric, interval,
 * array, a parameter of another type).
 */
function castParamValue(e: BoundExpr, ctx: ExecContext): Value | undefined {
  if (e.kind === "param") {
    // a text parameter used as text, or NULL
    const v = ctx.params[e.index - 1] ?? null;
    return v === null || (typeof v === "string" && e.type.kind === "text") ? v : undefined;
  }
  if (e.kind !== "cast" || e.operand.kind !== "param" || e.operand.type.kind !== "text") {
    return undefined;
  }
  const v = ctx.params[e.operand.index - 1] ?? null;
  if (v === null) return null;
  if (typeof v !== "string") return undefined;
  const to = e.type;
  if (to.kind === "numeric" || to.kind === "interval" || to.kind === "array") return undefined;
  if (e.zone !== undefined && !e.zone.isUtc && castDependsOnZone(e.operand.type, to)) {
    return undefined;
  }
  return castTextValue(v, to);
}

/** `e` evaluated once as a constant, or null when that fails. */
function constantOf(e: BoundExpr, ctx: ExecContext): BoundExpr | null {
  try {
    const direct = castParamValue(e, ctx);
    if (direct !== undefined) return { kind: "const", value: direct, type: e.type };
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
