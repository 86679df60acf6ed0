import type { Batch } from "../types/batch.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { rowsBeforeError } from "./rows_before_error.ts";

/** Computes one output column per expression. */
export async function* projectExec(
  input: AsyncIterable<Batch>,
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const subqueries = subqueriesOf(exprs);
  const computed = async (batch: Batch): Promise<Batch> => {
    if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
    return { columns: exprs.map((e) => evaluate(e, batch, ctx)), length: batch.length };
  };
  for await (const batch of input) {
    ctx.check();
    let out: Batch;
    try {
      out = await computed(batch);
    } catch (e) {
      // the rows before the failing one come out first, as PostgreSQL projects a row at a time
      yield* rowsBeforeError(batch, computed, e);
      return;
    }
    yield out;
  }
}
