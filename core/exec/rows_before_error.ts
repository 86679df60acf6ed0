/**
 * PostgreSQL runs a plan a row at a time, so a consumer that stops early (EXISTS stops at its
 * first row, LIMIT at its last) never meets the error of a later row. OmenDB's operators
 * evaluate a batch at once; {@link eachBatch} runs such a step, and when it raises over a batch,
 * evaluates that batch again a row at a time and yields what the rows before the failing one
 * produce, then raises that row's error. The common, error-free path stays vectorized.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { concatColumns, takeColumn } from "../types/column.ts";
import { DbError } from "../errors.ts";
import type { ExecContext } from "./context.ts";

function concatBatches(parts: readonly Batch[]): Batch {
  const first = parts[0]!;
  return {
    columns: first.columns.map((c, k) => concatColumns(c.type, parts.map((p) => p.columns[k]!))),
    length: parts.reduce((n, p) => n + p.length, 0),
  };
}

/**
 * Re-runs `step` over `batch` a row at a time after `error` (raised by `step` over the whole
 * batch): yields the output of the rows before the first failing row, then raises its error.
 * An error that is not a DbError, or a batch of one row, is raised as it is.
 */
async function* rowsBeforeError(
  batch: Batch,
  step: (rows: Batch) => Batch | Promise<Batch>,
  error: unknown,
): AsyncGenerator<Batch> {
  if (!(error instanceof DbError) || batch.length <= 1) throw error;
  const parts: Batch[] = [];
  for (let i = 0; i < batch.length; i++) {
    const at = Uint32Array.of(i);
    const row: Batch = { columns: batch.columns.map((c) => takeColumn(c, at, 1)), length: 1 };
    let out: Batch;
    try {
      out = await step(row);
    } catch (e) {
      if (parts.length > 0) yield concatBatches(parts);
      throw e;
    }
    if (out.length > 0) parts.push(out);
  }
  // no row fails on its own: what they produce is the answer
  if (parts.length > 0) yield concatBatches(parts);
}

/**
 * Runs `step` over each input batch and yields its non-empty outputs; after a step raises,
 * the rows of that batch before the failing row still come out (see the module doc).
 */
export async function* eachBatch(
  input: AsyncIterable<Batch>,
  step: (rows: Batch) => Batch | Promise<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  for await (const batch of input) {
    ctx.check();
    let out: Batch;
    try {
      // a synchronous step's batch is used as it is: no promise, no extra turn
      const r = step(batch);
      out = r instanceof Promise ? await r : r;
    } catch (e) {
      yield* rowsBeforeError(batch, step, e);
      return;
    }
    if (out.length > 0) yield out;
  }
}
