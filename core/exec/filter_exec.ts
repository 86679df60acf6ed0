import type { Batch } from "../types/batch.ts";
import { isValid, takeColumn } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import { conjuncts } from "../plan/expr_utils.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { eachBatch } from "./rows_before_error.ts";

/**
 * Keeps the rows for which `predicate` is true (not false, not NULL). Conjuncts are evaluated
 * in order, each only on the rows every earlier one accepted (PostgreSQL's ExecQual: a row is
 * rejected at its first false or NULL conjunct), which also spares work.
 */
export async function* filterExec(
  input: AsyncIterable<Batch>,
  predicate: BoundExpr,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const parts = conjuncts(predicate).map((p) => ({ expr: p, subqueries: subqueriesOf([p]) }));
  const keepRows = async (batch: Batch): Promise<Batch> => {
    let current = batch;
    for (const part of parts) {
      if (part.subqueries.length > 0) await prepareSubqueries(part.subqueries, current, ctx);
      const cond = evaluate(part.expr, current, ctx);
      const keep = new Uint32Array(current.length);
      let count = 0;
      if (cond.kind === "bool") {
        const d = cond.data;
        for (let i = 0; i < current.length; i++) {
          if (d[i] && isValid(cond.validity, i)) keep[count++] = i;
        }
      }
      if (count < current.length) {
        current = {
          columns: current.columns.map((c) => takeColumn(c, keep, count)),
          length: count,
        };
      }
      if (count === 0) break;
    }
    return current;
  };
  yield* eachBatch(input, keepRows, ctx);
}
