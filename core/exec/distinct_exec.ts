import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";
import { GroupKeys } from "./group_keys.ts";
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
  let groups: GroupKeys | null = null;
  for await (const batch of input) {
    ctx.check();
    if (batch.length === 0) continue;
    if (batch.columns.length === 0) {
      // zero-column rows are all equal: keep one
      if (groups === null) {
        groups = new GroupKeys(0);
        yield { columns: [], length: 1 };
      }
      continue;
    }
    groups ??= new GroupKeys(batch.columns.length);
    let next = groups.size; // the id the next new row tuple gets
    const ids = groups.assign(batch.columns, batch.length);
    const keep = new Uint32Array(batch.length);
    let count = 0;
    for (let i = 0; i < batch.length; i++) {
      // ids are handed out in row order, so a row is a first occurrence exactly when its id
      // is the next unused one
      if (ids[i] === next) {
        next++;
        keep[count++] = i;
      }
    }
    ctx.reserve(count * 16 * Math.max(1, batch.columns.length));
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
  const groups = new GroupKeys(keyCols.length);
  const ids = groups.assign(keyCols, length);
  const best = new Int32Array(groups.size).fill(-1);
  for (let i = 0; i < length; i++) {
    if ((i & 0xffff) === 0) ctx.check();
    const g = ids[i]!;
    const current = best[g]!;
    if (current < 0 || before(i, current) < 0) best[g] = i;
  }
  const winners = Uint32Array.from(best).sort(before);
  yield* rebatch(columns, winners.length, winners, ctx.limits.batchRowsMax);
}
