import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";
import type { ExecContext } from "./context.ts";

/** Skips `offset` rows, then passes at most `limit` rows (all when `null`). */
export async function* limitExec(
  input: AsyncIterable<Batch>,
  limit: number | null,
  offset: number,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  let toSkip = offset;
  let left = limit ?? Infinity;
  if (left <= 0) return;
  for await (const batch of input) {
    ctx.check();
    let start = 0;
    if (toSkip > 0) {
      start = Math.min(toSkip, batch.length);
      toSkip -= start;
    }
    const end = Math.min(batch.length, start + left);
    if (end <= start) continue;
    left -= end - start;
    yield start === 0 && end === batch.length ? batch : slice(batch, start, end);
    if (left <= 0) return;
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
