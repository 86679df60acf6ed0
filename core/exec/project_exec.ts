import type { Batch } from "../types/batch.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

/** Computes one output column per expression. */
export async function* projectExec(
  input: AsyncIterable<Batch>,
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const subqueries = subqueriesOf(exprs);
  for await (const batch of input) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
    yield { columns: exprs.map((e) => evaluate(e, batch, ctx)), length: batch.length };
  }
}
