import type { Batch } from "../types/batch.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";

/** Computes one output column per expression. */
export async function* projectExec(
  input: AsyncIterable<Batch>,
  exprs: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  for await (const batch of input) {
    ctx.check();
    yield { columns: exprs.map((e) => evaluate(e, batch, ctx)), length: batch.length };
  }
}
