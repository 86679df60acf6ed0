import type { Batch } from "../types/batch.ts";
import { takeColumn, valueAt } from "../types/column.ts";
import { DbError } from "../errors.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

/** Evaluates a LIMIT/OFFSET argument once: `null` for NULL, 2201W when negative. */
async function argumentValue(
  e: BoundExpr,
  what: "LIMIT" | "OFFSET",
  ctx: ExecContext,
): Promise<number | null> {
  const one: Batch = { columns: [], length: 1 };
  const subqueries = subqueriesOf([e]);
  if (subqueries.length > 0) await prepareSubqueries(subqueries, one, ctx);
  const v = valueAt(evaluate(e, one, ctx), 0);
  if (v === null) return null;
  const n = Number(v);
  if (n < 0) throw new DbError("2201W", `${what} must not be negative`);
  return n;
}

/** A LIMIT whose count or offset is evaluated when the query starts (PostgreSQL's rule). */
export async function* limitByExpressions(
  plan: LogicalPlan & { kind: "limit" },
  input: () => AsyncIterable<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const limit = plan.limitExpr === undefined
    ? plan.limit
    : await argumentValue(plan.limitExpr, "LIMIT", ctx);
  const offset = plan.offsetExpr === undefined
    ? plan.offset
    : (await argumentValue(plan.offsetExpr, "OFFSET", ctx)) ?? 0;
  yield* limitExec(input(), limit, offset, ctx);
}

/**
 * What a LIMIT / OFFSET passes of a stream of batches: {@link take} each batch in order until
 * {@link done}.
 */
export class LimitWindow {
  #toSkip: number;
  #left: number;

  constructor(limit: number | null, offset: number) {
    this.#toSkip = offset;
    this.#left = limit ?? Infinity;
  }

  /** Whether no more rows pass (the limit is reached). */
  get done(): boolean {
    return this.#left <= 0;
  }

  /** The rows of `batch` that pass, `null` for none. */
  take(batch: Batch): Batch | null {
    let start = 0;
    if (this.#toSkip > 0) {
      start = Math.min(this.#toSkip, batch.length);
      this.#toSkip -= start;
    }
    const end = Math.min(batch.length, start + this.#left);
    if (end <= start) return null;
    this.#left -= end - start;
    return start === 0 && end === batch.length ? batch : slice(batch, start, end);
  }
}

/** Skips `offset` rows, then passes at most `limit` rows (all when `null`). */
export async function* limitExec(
  input: AsyncIterable<Batch>,
  limit: number | null,
  offset: number,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const window = new LimitWindow(limit, offset);
  if (window.done) return;
  for await (const batch of input) {
    ctx.check();
    const out = window.take(batch);
    if (out !== null) yield out;
    if (window.done) return;
  }
}

function slice(batch: Batch, start: number, end: number): Batch {
  const indices = new Uint32Array(end - start);
  for (let i = 0; i < indices.length; i++) indices[i] = start + i;
  return {
    columns: batch.columns.map((c) => takeColumn(c, indices)),
    length: indices.length,
  };
}
