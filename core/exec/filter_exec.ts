import type { Batch } from "../types/batch.ts";
import { isValid, takeColumn } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

/** Keeps the rows for which `predicate` is true (not false, not NULL). */
export async function* filterExec(
  input: AsyncIterable<Batch>,
  predicate: BoundExpr,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const subqueries = subqueriesOf([predicate]);
  for await (const batch of input) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
    const cond = evaluate(predicate, batch, ctx);
    const keep = new Uint32Array(batch.length);
    let count = 0;
    if (cond.kind === "bool") {
      const d = cond.data;
      for (let i = 0; i < batch.length; i++) {
        if (d[i] && isValid(cond.validity, i)) keep[count++] = i;
      }
    }
    if (count === 0) continue;
    if (count === batch.length) {
      yield batch;
      continue;
    }
    yield { columns: batch.columns.map((c) => takeColumn(c, keep, count)), length: count };
  }
}
