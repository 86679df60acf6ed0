import type { Batch } from "../types/batch.ts";
import { isValid, takeColumn } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import { conjuncts, isPseudoConstant } from "../plan/expr_utils.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { eachBatch } from "./rows_before_error.ts";

/**
 * Keeps the rows for which `predicate` is true (not false, not NULL). Conjuncts are evaluated
 * in order, each only on the rows every earlier one accepted (PostgreSQL's ExecQual: a row is
 * rejected at its first false or NULL conjunct), which also spares work.
 */
export function filterExec(
  input: AsyncIterable<Batch>,
  predicate: BoundExpr,
  ctx: ExecContext,
): AsyncIterable<Batch> {
  const all = conjuncts(predicate);
  let gates = 0;
  while (gates < all.length && isPseudoConstant(all[gates]!)) gates++;
  if (gates > 0) return gatedExec(input, all.slice(0, gates), all.slice(gates), ctx);
  return conjunctsExec(input, all, ctx);
}

/**
 * The leading conjuncts that read no column, as PostgreSQL's one-time filter: evaluated once
 * before the input is read; unless all are true, the input is never read (nor its filters and
 * their errors evaluated). `rest` then filters each batch.
 */
async function* gatedExec(
  input: AsyncIterable<Batch>,
  gates: readonly BoundExpr[],
  rest: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const one: Batch = { columns: [], length: 1 };
  for (const g of gates) {
    const subqueries = subqueriesOf([g]);
    if (subqueries.length > 0) await prepareSubqueries(subqueries, one, ctx);
    const cond = evaluate(g, one, ctx);
    if (cond.kind !== "bool" || !cond.data[0] || !isValid(cond.validity, 0)) {
      await input[Symbol.asyncIterator]().return?.();
      return;
    }
  }
  yield* rest.length === 0 ? input : conjunctsExec(input, rest, ctx);
}

function conjunctsExec(
  input: AsyncIterable<Batch>,
  all: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncIterable<Batch> {
  const parts = all.map((p) => ({ expr: p, subqueries: subqueriesOf([p]) }));
  /** One conjunct over `current`: the rows it accepts. */
  const keepWhere = (expr: BoundExpr, current: Batch): Batch => {
    const cond = evaluate(expr, current, ctx);
    const keep = selection(current.length);
    let count = 0;
    if (cond.kind === "bool") {
      const d = cond.data;
      for (let i = 0; i < current.length; i++) {
        if (d[i] && isValid(cond.validity, i)) keep[count++] = i;
      }
    }
    if (count === current.length) return current;
    return { columns: current.columns.map((c) => takeColumn(c, keep, count)), length: count };
  };
  if (parts.every((p) => p.subqueries.length === 0)) {
    // no subquery to await: each batch is filtered synchronously
    const keepRows = (batch: Batch): Batch => {
      let current = batch;
      for (const part of parts) {
        current = keepWhere(part.expr, current);
        if (current.length === 0) break;
      }
      return current;
    };
    return eachBatch(input, keepRows, ctx);
  }
  const keepRows = async (batch: Batch): Promise<Batch> => {
    let current = batch;
    for (const part of parts) {
      if (part.subqueries.length > 0) await prepareSubqueries(part.subqueries, current, ctx);
      current = keepWhere(part.expr, current);
      if (current.length === 0) break;
    }
    return current;
  };
  return eachBatch(input, keepRows, ctx);
}

/** Reused selection buffer: filled and read within one synchronous step, never kept. */
let selectionBuffer = new Uint32Array(1024);

/** A selection buffer of at least `n` entries (valid until the next call). */
function selection(n: number): Uint32Array {
  if (selectionBuffer.length < n) {
    selectionBuffer = new Uint32Array(Math.max(n, 2 * selectionBuffer.length));
  }
  return selectionBuffer;
}
