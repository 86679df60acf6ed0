import type { Batch } from "../types/batch.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { eachBatch } from "./rows_before_error.ts";

/** Computes one output column per expression. */
export function projectExec(
  input: AsyncIterable<Batch>,
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncIterable<Batch> {
  const subqueries = subqueriesOf(exprs);
  const computed = projectedRows(exprs, ctx);
  // the batches come straight from eachBatch: no generator layer of its own
  if (subqueries.length === 0) {
    // nothing to await: each batch is computed synchronously
    return eachBatch(input, computed, ctx);
  }
  return eachBatch(input, async (batch: Batch): Promise<Batch> => {
    await prepareSubqueries(subqueries, batch, ctx);
    return computed(batch);
  }, ctx);
}

/** Computes a batch's projection (the expressions hold no subquery, or theirs are prepared). */
export function projectedRows(
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): (batch: Batch) => Batch {
  return (batch) => ({ columns: exprs.map((e) => evaluate(e, batch, ctx)), length: batch.length });
}
