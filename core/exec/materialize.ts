import type { Batch } from "../types/batch.ts";
import { type Column, concatColumns, takeColumn } from "../types/column.ts";
import type { Field } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";

/** Reads all of `input` into one set of columns, accounting its memory. */
export async function materialize(
  input: AsyncIterable<Batch>,
  fields: readonly Field[],
  ctx: ExecContext,
): Promise<{ columns: Column[]; length: number }> {
  const batches: Batch[] = [];
  let length = 0;
  for await (const b of input) {
    ctx.check();
    ctx.reserve(b.length * Math.max(1, fields.length) * 8);
    batches.push(b);
    length += b.length;
  }
  const columns = fields.map((f, c) => concatColumns(f.type, batches.map((b) => b.columns[c]!)));
  return { columns, length };
}

/** Splits columns back into batches of at most `batchRows` rows. */
export function* rebatch(
  columns: readonly Column[],
  length: number,
  order: Uint32Array | null,
  batchRows: number,
): Generator<Batch> {
  for (let start = 0; start < length; start += batchRows) {
    const count = Math.min(batchRows, length - start);
    const idx = new Uint32Array(count);
    for (let i = 0; i < count; i++) idx[i] = order ? order[start + i]! : start + i;
    yield { columns: columns.map((c) => takeColumn(c, idx)), length: count };
  }
}
