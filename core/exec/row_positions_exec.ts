import type { Batch } from "../types/batch.ts";
import { makeColumn } from "../types/column.ts";
import { Types } from "../types/data_type.ts";
import type { ExecContext } from "./context.ts";

/**
 * Appends each row's position in scan order as a last int8 column: the row identity that UPDATE
 * and DELETE hand to `StorageEngine.deleteRows`. The input must be an unfiltered table scan, so
 * that positions count every stored row.
 *
 * @example
 * ```ts
 * import { rowPositionsExec } from "./row_positions_exec.ts";
 * import { ExecContext } from "./context.ts";
 * import { systemClock } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { columnFromValues, valueAt } from "../types/column.ts";
 * import { Types } from "../types/data_type.ts";
 * const ctx = new ExecContext(systemClock, defaultLimits, [], null, 0);
 * async function* two() {
 *   yield { columns: [columnFromValues(Types.int4, [7, 8])], length: 2 };
 *   yield { columns: [columnFromValues(Types.int4, [9])], length: 1 };
 * }
 * const out = [];
 * for await (const b of rowPositionsExec(two(), ctx)) out.push(valueAt(b.columns[1]!, b.length - 1));
 * console.assert(out[0] === 1n && out[1] === 2n);
 * ```
 */
export async function* rowPositionsExec(
  input: AsyncIterable<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  let base = 0;
  for await (const batch of input) {
    ctx.check();
    const positions = new BigInt64Array(batch.length);
    for (let i = 0; i < batch.length; i++) positions[i] = BigInt(base + i);
    base += batch.length;
    yield {
      columns: [...batch.columns, makeColumn(Types.int8, batch.length, positions, null)],
      length: batch.length,
    };
  }
}
