import type { Batch } from "../types/batch.ts";
import { concatColumns } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Field } from "../plan/logical_plan.ts";
import { castColumn } from "./kernels/cast.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

const unitBatch: Batch = { columns: [], length: 1 };

/** Evaluates literal rows (`VALUES (...), (...)`, or a FROM-less SELECT's single row). */
export async function* valuesExec(
  rows: readonly (readonly BoundExpr[])[],
  fields: readonly Field[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const batchRows = ctx.limits.batchRowsMax;
  for (let start = 0; start < rows.length; start += batchRows) {
    ctx.check();
    const chunk = rows.length <= batchRows ? rows : rows.slice(start, start + batchRows);
    for (const row of chunk) {
      const subqueries = subqueriesOf(row);
      if (subqueries.length > 0) await prepareSubqueries(subqueries, unitBatch, ctx);
    }
    yield valuesBatch(chunk, fields, ctx);
  }
}

/** One batch of literal rows (their subqueries, if any, prepared already). */
export function valuesBatch(
  rows: readonly (readonly BoundExpr[])[],
  fields: readonly Field[],
  ctx: ExecContext,
): Batch {
  const columns = fields.map((f, c) =>
    concatColumns(f.type, rows.map((row) => castColumn(evaluate(row[c]!, unitBatch, ctx), f.type)))
  );
  return { columns, length: rows.length };
}
