import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";
import { rowKey } from "./group_keys.ts";
import type { BoundExpr } from "../plan/expr.ts";
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

/** Keeps the first row of each run of equal `keys` (the input arrives sorted by them). */
export async function* distinctOnExec(
  input: AsyncIterable<Batch>,
  keys: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  let previous: string | null = null;
  for await (const batch of input) {
    ctx.check();
    const cols = keys.map((k) => evaluate(k, batch, ctx));
    const keep = new Uint32Array(batch.length);
    let count = 0;
    for (let i = 0; i < batch.length; i++) {
      let key = "";
      for (const c of cols) key += rowKey(c, i);
      if (key !== previous) {
        keep[count++] = i;
        previous = key;
      }
    }
    if (count > 0) {
      yield { columns: batch.columns.map((c) => takeColumn(c, keep, count)), length: count };
    }
  }
}
