/**
 * unnest(array) in FROM: evaluates the array once and streams its elements in batches.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { takeColumn, valueAt } from "../types/column.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { arrayElements } from "./kernels/array_ops.ts";

/** Runs an `unnest` plan node. */
export async function* unnestExec(
  plan: LogicalPlan & { kind: "unnest" },
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const one: Batch = { columns: [], length: 1 };
  const subqueries = subqueriesOf([plan.array]);
  if (subqueries.length > 0) await prepareSubqueries(subqueries, one, ctx);
  const text = valueAt(evaluate(plan.array, one, ctx), 0);
  if (text === null) return;
  const elements = arrayElements(String(text), plan.fields[0]!.type);
  ctx.reserve(elements.length * 16);
  const batchRows = ctx.limits.batchRowsMax;
  for (let start = 0; start < elements.length; start += batchRows) {
    ctx.check();
    const count = Math.min(batchRows, elements.length - start);
    const idx = new Uint32Array(count);
    for (let i = 0; i < count; i++) idx[i] = start + i;
    yield { columns: [takeColumn(elements, idx)], length: count };
  }
}
