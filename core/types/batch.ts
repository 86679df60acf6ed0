/**
 * A batch: columns of equal length, at most `limits.batchRowsMax` rows. Operators consume and
 * produce batches; nothing on a hot path creates an object per row.
 *
 * @module
 */
import { assert } from "../errors.ts";
import type { Column } from "./column.ts";

/** Columns of equal length. */
export interface Batch {
  readonly columns: readonly Column[];
  readonly length: number;
}

/** Builds a batch, checking that every column has the batch's length. */
export function makeBatch(columns: readonly Column[], length: number): Batch {
  for (const c of columns) {
    if (c.length !== length) assert(false, `column length ${c.length} != ${length}`);
  }
  return { columns, length };
}
