import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";
import { rowKey } from "./group_keys.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Field, SortKey } from "../plan/logical_plan.ts";
import { materialize, rebatch } from "./materialize.ts";
import { keyComparator } from "./sort_exec.ts";
import { evaluate } from "./eval.ts";
import type { ExecContext } from "./context.ts";

/** Drops duplicate rows (NULLs equal each other here, as in SQL's DISTINCT). */
export async function* distinctExec(
  input: AsyncIterable<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const seen = new Set<string>();
  for await (const batch of input) {
    ctx.check();
    const keep = new Uint32Array(batch.length);
    let count = 0;
    for (let i = 0; i < batch.length; i++) {
      let key = "";
      for (const c of batch.columns) key += rowKey(c, i);
      if (!seen.has(key)) {
        seen.add(key);
        ctx.reserve(key.length * 2 + 32);
        keep[count++] = i;
      }
    }
    if (count > 0) {
      yield { columns: batch.columns.map((c) => takeColumn(c, keep, count)), length: count };
    }
  }
}

/**
 * DISTINCT ON without a full sort: one pass keeps, per key, the row that sorts first by
 * `order`; then only those rows are sorted. (The latest reading per series costs one scan.)
 */
export async function* distinctOnExec(
  input: AsyncIterable<Batch>,
  keys: readonly BoundExpr[],
  order: readonly SortKey[],
  fields: readonly Field[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const { columns, length } = await materialize(input, fields, ctx);
  const whole: Batch = { columns, length };
  const keyCols = keys.map((k) => evaluate(k, whole, ctx));
  const comparators = order.map((k) => keyComparator(evaluate(k.expr, whole, ctx), k));
  const before = (a: number, b: number): number => {
    for (const c of comparators) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return a - b;
  };
  const best = new Map<string, number>();
  for (let i = 0; i < length; i++) {
    if ((i & 0xffff) === 0) ctx.check();
    let key = "";
    for (const c of keyCols) key += rowKey(c, i);
    const current = best.get(key);
    if (current === undefined) {
      best.set(key, i);
      ctx.reserve(key.length * 2 + 32);
    } else if (before(i, current) < 0) best.set(key, i);
  }
  const winners = Uint32Array.from(best.values()).sort(before);
  yield* rebatch(columns, winners.length, winners, ctx.limits.batchRowsMax);
}
