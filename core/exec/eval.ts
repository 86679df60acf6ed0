/**
 * Evaluates bound expressions over a whole batch at once, producing a column.
 *
 * @module
 */
import { smallU8 } from "../types/small_arrays.ts";
import { AssertionError, DbError, SqlState, unreachable } from "../errors.ts";
import type { BoundExpr } from "../plan/expr.ts";
import { sameType, Types } from "../types/data_type.ts";
import type { Batch } from "../types/batch.ts";
import {
  allocData,
  allValid,
  type Column,
  columnFromValues,
  isValid,
  makeColumn,
  setNull,
  takeColumn,
  type Value,
  valueAt,
} from "../types/column.ts";
import { arith, negate } from "./kernels/arith.ts";
import { datetimeArith, isDatetimeKind } from "./kernels/datetime_arith.ts";
import { compare, type CompareOp, compareScalar, flipCompare } from "./kernels/compare.ts";
import { castColumn } from "./kernels/cast.ts";
import type { ExecContext } from "./context.ts";

/**
 * One-row columns of constants, by expression: a plan (cached, or a query's) converts each
 * constant once. Columns are never written after they are made, so one serves every batch.
 */
const constantColumns = new WeakMap<BoundExpr, Column>();

/** A column of `length` copies of a constant's value. */
function constant(expr: BoundExpr & { kind: "const" }, length: number): Column {
  let one = constantColumns.get(expr);
  if (one === undefined) {
    one = columnFromValues(expr.type, [(expr.value ?? null) as Value]);
    constantColumns.set(expr, one);
  }
  return broadcast(one, length);
}

/** A batch of one row and no columns, to evaluate expressions of constants and parameters. */
const oneRow: Batch = { columns: [], length: 1 };

/**
 * Evaluates `expr` for every row of `batch`.
 *
 * @example
 * ```ts
 * import { evaluate } from "./eval.ts";
 * import { ExecContext } from "./context.ts";
 * import { columnFromValues, makeBatch, Types, valueAt } from "../types/mod.ts";
 * import { systemClock } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * const batch = makeBatch([columnFromValues(Types.int4, [1, 2])], 2);
 * const ctx = new ExecContext(systemClock, defaultLimits, [], null, 0);
 * const col = evaluate({ kind: "op", op: "add", type: Types.int4,
 *   left: { kind: "column", index: 0, type: Types.int4 },
 *   right: { kind: "const", value: 10, type: Types.int4 } }, batch, ctx);
 * console.assert(valueAt(col, 1) === 12);
 * ```
 */
export function evaluate(expr: BoundExpr, batch: Batch, ctx: ExecContext): Column {
  const n = batch.length;
  switch (expr.kind) {
    case "column":
      return batch.columns[expr.index]!;
    case "const":
      return constant(expr, n);
    case "param": {
      const v = ctx.params[expr.index - 1] ?? null;
      return broadcast(castColumn(columnFromValues(paramType(v), [v]), expr.type), n);
    }
    case "op":
      return evalOp(expr, batch, ctx);
    case "neg":
      return negate(evaluate(expr.operand, batch, ctx));
    case "not": {
      const a = evaluate(expr.operand, batch, ctx);
      const out = smallU8(n);
      const d = a.data as Uint8Array;
      for (let i = 0; i < n; i++) out[i] = d[i] ? 0 : 1;
      return makeColumn(Types.bool, n, out, a.validity);
    }
    case "is_null": {
      const a = evaluate(expr.operand, batch, ctx);
      const out = smallU8(n);
      for (let i = 0; i < n; i++) out[i] = isValid(a.validity, i) === expr.negated ? 1 : 0;
      if (a.kind === "unknown") out.fill(expr.negated ? 0 : 1);
      return makeColumn(Types.bool, n, out, null);
    }
    case "case":
      return caseWhen(expr, batch, ctx);
    case "cast": {
      if (expr.operand.kind === "param") {
        // a parameter's value is read by its type's input function once per execution
        const index = expr.operand.index;
        let casts = ctx.paramCasts.get(index);
        if (casts === undefined) ctx.paramCasts.set(index, casts = []);
        let one = casts.find((c) => c.zone === expr.zone && sameType(c.type, expr.type))?.column;
        if (one === undefined) {
          one = castColumn(evaluate(expr.operand, oneRow, ctx), expr.type, expr.zone);
          casts.push({ type: expr.type, zone: expr.zone, column: one });
        }
        return broadcast(one, n);
      }
      return castColumn(evaluate(expr.operand, batch, ctx), expr.type, expr.zone);
    }
    case "call": {
      const args = expr.args.map((a) => evaluate(a, batch, ctx));
      const out = expr.fn.evaluate(args, n);
      if (out.length !== n) {
        throw new DbError(
          SqlState.internalError,
          `function ${expr.fn.name} returned ${out.length} rows for ${n}`,
        );
      }
      return out;
    }
    case "outer_column": {
      const o = ctx.outer[ctx.outer.length - expr.depth];
      if (o === undefined) throw new AssertionError(`outer row at depth ${expr.depth} missing`);
      const v = valueAt(o.batch.columns[expr.index]!, o.row);
      return broadcast(columnFromValues(expr.type, [v]), n);
    }
    case "subquery": {
      const col = ctx.subqueryColumns.get(expr);
      if (col === undefined || col.length !== n) {
        throw new AssertionError("subquery was not prepared for this batch");
      }
      return col;
    }
    default:
      return unreachable(expr, "expression");
  }
}

function evalOp(expr: BoundExpr & { kind: "op" }, batch: Batch, ctx: ExecContext): Column {
  if (expr.op === "and" || expr.op === "or") {
    // Short-circuit per row, as PostgreSQL does: the right side is evaluated only for rows the
    // left side does not decide, so a guard like `b <> 0 AND a / b > 1` protects the division.
    const a = evaluate(expr.left, batch, ctx);
    const decisive = expr.op === "or" ? 1 : 0;
    const NEEDED = 1;
    const need = new Int32Array(batch.length);
    let needed = 0;
    for (let i = 0; i < batch.length; i++) {
      const decided = a.kind === "bool" && isValid(a.validity, i) && a.data[i] === decisive;
      if (!decided) {
        need[i] = NEEDED;
        needed++;
      }
    }
    if (needed === 0) return a;
    const b = needed === batch.length
      ? evaluate(expr.right, batch, ctx)
      : evaluateRows(expr.right, batch, ctx, need, NEEDED);
    return logic(expr.op, a, b);
  }
  if (isCompare(expr.op)) {
    // Fast path: column op constant (or constant op column) compares in place.
    const { left, right } = expr;
    if (right.kind === "const" && right.value !== null && left.kind !== "const") {
      const fast = compareScalar(expr.op, evaluate(left, batch, ctx), right.value);
      if (fast !== null) return fast;
    } else if (left.kind === "const" && left.value !== null && right.kind !== "const") {
      const fast = compareScalar(flipCompare(expr.op), evaluate(right, batch, ctx), left.value);
      if (fast !== null) return fast;
    }
  }
  const l = evaluate(expr.left, batch, ctx);
  const r = evaluate(expr.right, batch, ctx);
  if (
    (expr.op === "add" || expr.op === "sub" || expr.op === "mul" || expr.op === "div") &&
    (isDatetimeKind(l.kind) || isDatetimeKind(r.kind))
  ) {
    return datetimeArith(expr.op, l, r, expr.type, expr.zone);
  }
  switch (expr.op) {
    case "add":
    case "sub":
    case "mul":
    case "div":
    case "mod":
    case "pow":
      return arith(expr.op, l, r, expr.type);
    case "eq":
    case "ne":
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return compare(expr.op, l, r);
    case "concat":
      return concat(l, r);
    default:
      return unreachable(expr.op, "operator");
  }
}

function isCompare(op: string): op is CompareOp {
  return op === "eq" || op === "ne" || op === "lt" || op === "le" || op === "gt" || op === "ge";
}

/** The type a parameter value brings: the binder coerces from it. */
export function paramType(value: unknown): typeof Types[keyof typeof Types] {
  if (value === null || value === undefined) return Types.unknown;
  if (typeof value === "boolean") return Types.bool;
  if (typeof value === "bigint") return Types.int8;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) return Types.int4;
    if (Number.isSafeInteger(value)) return Types.int8;
    return Types.float8;
  }
  return Types.text;
}

function broadcast(one: Column, n: number): Column {
  if (n === 1) return one;
  const data = allocData(one.kind, n);
  if (data !== null && one.data !== null) {
    if (Array.isArray(data)) data.fill((one.data as string[])[0]!);
    else (data as Float64Array).fill((one.data as Float64Array)[0]!);
  }
  const validity = isValid(one.validity, 0) && one.kind !== "unknown"
    ? null
    : new Uint8Array((n + 7) >>> 3);
  return makeColumn(one.type, n, data, validity);
}

/** SQL three-valued AND / OR. */
function logic(op: "and" | "or", a: Column, b: Column): Column {
  const n = a.length;
  const out = new Uint8Array(n);
  let validity: Uint8Array | null = null;
  const x = a.data as Uint8Array | null;
  const y = b.data as Uint8Array | null;
  for (let i = 0; i < n; i++) {
    const av = isValid(a.validity, i) && a.kind !== "unknown";
    const bv = isValid(b.validity, i) && b.kind !== "unknown";
    const l = av ? x![i]! !== 0 : null;
    const r = bv ? y![i]! !== 0 : null;
    let z: boolean | null;
    if (op === "and") {
      z = l === false || r === false ? false : l === null || r === null ? null : true;
    } else z = l === true || r === true ? true : l === null || r === null ? null : false;
    if (z === null) {
      validity ??= allValid(n);
      setNull(validity, i);
    } else out[i] = z ? 1 : 0;
  }
  return makeColumn(Types.bool, n, out, validity);
}

function concat(a: Column, b: Column): Column {
  const n = a.length;
  const ta = a.kind === "text" || a.kind === "varchar" ? a : castColumn(a, Types.text);
  const tb = b.kind === "text" || b.kind === "varchar" ? b : castColumn(b, Types.text);
  const out = new Array<string>(n);
  let validity: Uint8Array | null = null;
  const x = ta.data as string[];
  const y = tb.data as string[];
  for (let i = 0; i < n; i++) {
    if (
      !isValid(ta.validity, i) || !isValid(tb.validity, i) || ta.kind === "unknown" ||
      tb.kind === "unknown"
    ) {
      validity ??= allValid(n);
      setNull(validity, i);
      out[i] = "";
    } else out[i] = x[i]! + y[i]!;
  }
  return makeColumn(Types.text, n, out, validity);
}

function caseWhen(expr: BoundExpr & { kind: "case" }, batch: Batch, ctx: ExecContext): Column {
  const n = batch.length;
  // choice[i] = index of the first WHEN that is true for row i, or whens.length for ELSE
  // A WHEN is evaluated only for rows no earlier WHEN decided (SQL's lazy CASE), so
  // COALESCE-style guards protect later conditions from errors.
  const UNDECIDED = -1;
  const choice = new Int32Array(n).fill(UNDECIDED);
  for (let w = 0; w < expr.whens.length; w++) {
    const cond = evaluateRows(expr.whens[w]!.when, batch, ctx, choice, UNDECIDED);
    const d = cond.data as Uint8Array | null;
    for (let i = 0; i < n; i++) {
      if (
        choice[i] === UNDECIDED && cond.kind !== "unknown" && isValid(cond.validity, i) && d![i]
      ) {
        choice[i] = w;
      }
    }
  }
  for (let i = 0; i < n; i++) if (choice[i] === UNDECIDED) choice[i] = expr.whens.length;
  // Evaluate each branch over the whole batch only if some row chose it, so that errors in
  // branches no row takes (e.g. 1/0) are not raised.
  const branches: (Column | null)[] = [];
  for (let w = 0; w <= expr.whens.length; w++) {
    let used = false;
    for (let i = 0; i < n && !used; i++) used = choice[i] === w;
    const e = w < expr.whens.length ? expr.whens[w]!.then : expr.else;
    branches.push(used ? castColumn(evaluateRows(e, batch, ctx, choice, w), expr.type) : null);
  }
  const out = allocData(expr.type.kind, n);
  const validity = allValid(n);
  for (let i = 0; i < n; i++) {
    const src = branches[choice[i]!]!;
    if (!isValid(src.validity, i) || src.kind === "unknown") {
      setNull(validity, i);
      continue;
    }
    if (out !== null) (out as unknown[])[i] = (src.data as unknown as unknown[])[i];
  }
  return makeColumn(expr.type, n, out, validity);
}

/**
 * Evaluates `expr` only on rows where `choice[i] === w`; other rows are NULL. Used by CASE so a
 * branch's errors only surface for rows that take it.
 */
export function evaluateRows(
  expr: BoundExpr,
  batch: Batch,
  ctx: ExecContext,
  choice: Int32Array,
  w: number,
): Column {
  const idx: number[] = [];
  for (let i = 0; i < batch.length; i++) if (choice[i] === w) idx.push(i);
  if (idx.length === batch.length) return evaluate(expr, batch, ctx);
  const indices = Uint32Array.from(idx);
  const sub = { columns: batch.columns.map((c) => takeColumn(c, indices)), length: idx.length };
  // Subquery results prepared for the whole batch are narrowed to the same rows meanwhile.
  const prepared = ctx.subqueryColumns.size > 0 ? new Map(ctx.subqueryColumns) : null;
  if (prepared !== null) {
    for (const [sq, col] of prepared) {
      if (col.length === batch.length) ctx.subqueryColumns.set(sq, takeColumn(col, indices));
    }
  }
  let part: Column;
  try {
    part = evaluate(expr, sub, ctx);
  } finally {
    if (prepared !== null) { for (const [sq, col] of prepared) ctx.subqueryColumns.set(sq, col); }
  }
  // scatter back
  const out = allocData(part.kind, batch.length);
  const validity = new Uint8Array((batch.length + 7) >>> 3);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    if (isValid(part.validity, k) && part.kind !== "unknown") {
      validity[i >>> 3]! |= 1 << (i & 7);
      if (out !== null) (out as unknown[])[i] = (part.data as unknown as unknown[])[k];
    }
  }
  return makeColumn(part.type, batch.length, out, validity);
}
