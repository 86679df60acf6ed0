import type { Batch } from "../types/batch.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { eachBatch } from "./rows_before_error.ts";

/** Computes one output column per expression. */
export async function* projectExec(
  input: AsyncIterable<Batch>,
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const subqueries = subqueriesOf(exprs);
  const computed = (batch: Batch): Batch => ({
    columns: exprs.map((e) => evaluate(e, batch, ctx)),
    length: batch.length,
  });
  if (subqueries.length === 0) {
    // nothing to await: each batch is computed synchronously
    yield* eachBatch(input, computed, ctx);
    return;
  }
  yield* eachBatch(input, async (batch: Batch): Promise<Batch> => {
    await prepareSubqueries(subqueries, batch, ctx);
    return computed(batch);
  }, ctx);
}
