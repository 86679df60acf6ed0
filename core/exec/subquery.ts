/**
 * Subqueries used as expressions. Expression evaluation is synchronous, so before an operator
 * evaluates expressions over a batch it awaits `prepareSubqueries`, which runs each subquery
 * (once per query when uncorrelated, once per row when correlated, with the row pushed on the
 * context's outer-row stack) and leaves one column per subquery for `evaluate` to pick up.
 *
 * @module
 */
import { AssertionError, DbError } from "../errors.ts";
import type { Batch } from "../types/batch.ts";
import {
  type Column,
  columnFromValues,
  concatColumns,
  isValid,
  takeColumn,
  valueAt,
} from "../types/column.ts";
import { compare } from "./kernels/compare.ts";
import { Types } from "../types/data_type.ts";
import type { BoundExpr, BoundSubquery } from "../plan/expr.ts";
import { walkBound } from "../plan/expr_utils.ts";
import type { ExecContext, SubqueryResult } from "./context.ts";
import { evaluate, evaluateRows } from "./eval.ts";
import { rowKey } from "./group_keys.ts";

/** The subqueries in `exprs`, innermost (operand) ones first. */
export function subqueriesOf(exprs: readonly BoundExpr[]): BoundSubquery[] {
  const out: BoundSubquery[] = [];
  for (const e of exprs) {
    walkBound(e, (x) => {
      if (x.kind === "subquery") out.push(x);
    });
  }
  return out.reverse();
}

async function run(sq: BoundSubquery, ctx: ExecContext): Promise<SubqueryResult> {
  if (ctx.runPlan === null) throw new AssertionError("no plan runner in the execution context");
  switch (sq.mode) {
    case "exists": {
      for await (const b of ctx.runPlan(sq.plan)) {
        if (b.length > 0) return { kind: "exists", exists: true };
      }
      return { kind: "exists", exists: false };
    }
    case "scalar": {
      let found: Column | null = null;
      for await (const b of ctx.runPlan(sq.plan)) {
        if (b.length === 0) continue;
        if (found !== null || b.length > 1) {
          throw new DbError(
            "21000",
            "more than one row returned by a subquery used as an expression",
          );
        }
        found = b.columns[0]!;
      }
      return { kind: "scalar", column: found ?? columnFromValues(sq.type, [null]) };
    }
    case "any":
    case "all": {
      // PostgreSQL compares x with the subquery's rows as they come and stops at the first
      // decisive one (TRUE for ANY, FALSE for ALL): a data exception in a later row is never
      // met. The rows before such an error are kept, and the error is raised only by a
      // comparison that gets past them (the subquery's operators yield the rows before a
      // failing row first: see rows_before_error.ts).
      const parts: Column[] = [];
      let error: DbError | null = null;
      try {
        for await (const b of ctx.runPlan(sq.plan)) {
          parts.push(b.columns[0]!);
          ctx.reserve(b.length * 16);
        }
      } catch (e) {
        if (!(e instanceof DbError) || !e.code.startsWith(dataExceptionClass)) throw e;
        error = e;
      }
      return { kind: "values", column: concatColumns(sq.plan.fields[0]!.type, parts), error };
    }
    case "in": {
      const keys = new Set<string>();
      let hasNull = false;
      for await (const b of ctx.runPlan(sq.plan)) {
        const c = b.columns[0]!;
        for (let i = 0; i < b.length; i++) {
          if (c.kind === "unknown" || !isValid(c.validity, i)) hasNull = true;
          else keys.add(rowKey(c, i));
        }
        ctx.reserve(b.length * 48);
      }
      return { kind: "in", keys, hasNull };
    }
  }
}

/** SQLSTATE class of data exceptions (overflow, division by zero, bad datetime, ...). */
const dataExceptionClass = "22";

/** Computes each subquery of `exprs` over `batch` into `ctx.subqueryColumns`. */
export async function prepareSubqueries(
  subqueries: readonly BoundSubquery[],
  batch: Batch,
  ctx: ExecContext,
): Promise<void> {
  for (const sq of subqueries) {
    const n = batch.length;
    const out: (boolean | null)[] = new Array(n);
    let scalar: Column | null = null;
    if (!sq.correlated) {
      let r = ctx.subqueryCache.get(sq);
      if (r === undefined) {
        r = await run(sq, ctx);
        ctx.subqueryCache.set(sq, r);
      }
      if (r.kind === "scalar") scalar = broadcastValue(r.column, sq, n);
      else if (isEmptyResult(r)) {
        // x IN / op ANY (empty) is false and op ALL (empty) true, without evaluating x, as
        // PostgreSQL's executor does
        out.fill(sq.mode === "all");
      } else if (
        (sq.semiJoin === true || sq.unknownIsFalse === true) &&
        ((r.kind === "in" && r.keys.size === 0) || (r.kind === "values" && allNull(r.column)))
      ) {
        // only NULLs: as a semi-join's empty hash table (or a hashed SubPlan that keeps no NULL
        // rows where UNKNOWN is FALSE), no row passes and x is not computed
        out.fill(null);
      } else {
        const operand = sq.operand === null ? null : evaluate(sq.operand, batch, ctx);
        for (let i = 0; i < n; i++) out[i] = answer(r, operand, i, sq);
      }
    } else {
      const values: unknown[] = [];
      const results: SubqueryResult[] = [];
      for (let i = 0; i < n; i++) {
        ctx.check();
        ctx.outer.push({ batch, row: i });
        let r: SubqueryResult;
        try {
          r = await run(sq, ctx);
        } finally {
          ctx.outer.pop();
        }
        if (r.kind === "scalar") values.push(valueAt(r.column, 0));
        else results.push(r);
      }
      if (sq.mode === "scalar") scalar = columnFromValues(sq.type, values as never);
      else {
        // The operand is evaluated only for the rows whose subquery returned rows: PostgreSQL
        // compares it with each row the subquery returns, so over none it is never computed.
        const choice = new Int32Array(n);
        for (let i = 0; i < n; i++) choice[i] = isEmptyResult(results[i]!) ? 0 : 1;
        const operand = sq.operand === null || !choice.includes(1)
          ? null
          : evaluateRows(sq.operand, batch, ctx, choice, 1);
        for (let i = 0; i < n; i++) out[i] = answer(results[i]!, operand, i, sq);
      }
    }
    ctx.subqueryColumns.set(sq, scalar ?? boolColumn(out));
  }
}

/** Whether every value of `c` is NULL. */
function allNull(c: Column): boolean {
  if (c.kind === "unknown") return true;
  for (let i = 0; i < c.length; i++) if (isValid(c.validity, i)) return false;
  return true;
}

/**
 * Whether an IN / ANY / ALL subquery returned no rows at all. One that raised before its first
 * row raises that error now, before x is computed (PostgreSQL fetches a row before it
 * evaluates the comparison).
 */
function isEmptyResult(r: SubqueryResult): boolean {
  if (r.kind === "in") return r.keys.size === 0 && !r.hasNull;
  if (r.kind === "values") {
    if (r.column.length === 0 && r.error !== null) throw r.error;
    return r.column.length === 0;
  }
  return false;
}

function broadcastValue(col: Column, sq: BoundSubquery, n: number): Column {
  const v = col.length === 0 ? null : valueAt(col, 0);
  return columnFromValues(sq.type, new Array(n).fill(v));
}

function answer(
  r: SubqueryResult,
  operand: Column | null,
  i: number,
  sq: BoundSubquery,
): boolean | null {
  if (r.kind === "exists") return r.exists;
  if (r.kind === "values") {
    // op ANY: true if some comparison is true, else NULL if some is NULL, else false.
    // op ALL: false if some comparison is false, else NULL if some is NULL, else true.
    const values = r.column;
    if (values.length === 0) return sq.mode === "all";
    if (operand === null || sq.compare === null) throw new AssertionError("bad ANY/ALL subquery");
    const one = takeColumn(operand, new Uint32Array(values.length).fill(i));
    const cmp = compare(sq.compare, one, values);
    let sawNull = false;
    const decisive = sq.mode === "any" ? 1 : 0;
    for (let k = 0; k < values.length; k++) {
      if (!isValid(cmp.validity, k)) sawNull = true;
      else if ((cmp.data as Uint8Array)[k] === decisive) return sq.mode === "any";
    }
    // no row decided it: the rows after them were needed
    if (r.error !== null) throw r.error;
    return sawNull ? null : sq.mode === "all";
  }
  if (r.kind !== "in") throw new AssertionError("bad subquery result");
  if (r.keys.size === 0 && !r.hasNull) return false;
  if (operand === null) throw new AssertionError("bad subquery result");
  if (operand.kind === "unknown" || !isValid(operand.validity, i)) return null;
  if (r.keys.has(rowKey(operand, i))) return true;
  return r.hasNull ? null : false;
}

function boolColumn(values: (boolean | null)[]): Column {
  return columnFromValues(Types.bool, values);
}
