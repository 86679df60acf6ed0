/**
 * The scan of a system relation: asks the relation's provider for its rows now and hands them on
 * in batches of the projected columns, each value cast to its column's type.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { columnFromValues, type Value } from "../types/column.ts";
import type { ColumnSchema } from "../catalog/table.ts";
import type { SystemScan } from "../plugin/system_relation.ts";
import type { ExecContext } from "./context.ts";
import { DbError, SqlState } from "../errors.ts";

/**
 * Yields the relation's rows, `projection` (column positions) of each, at most
 * `ctx.limits.batchRowsMax` rows a batch.
 *
 * @example
 * ```ts
 * import { systemScanExec } from "./system_scan_exec.ts";
 * import { ExecContext } from "./context.ts";
 * import { systemClock } from "../env/clock.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * import type { SystemContext } from "../plugin/system_relation.ts";
 * const relation = {
 *   schema: "pg_catalog", name: "two", columns: [{ name: "n", type: Types.int4 }],
 *   rows: () => [[1], [2]],
 * };
 * const ctx = new ExecContext(systemClock, defaultLimits, [], null, 0);
 * const columns = [{ id: 1, name: "n", type: Types.int4, notNull: false, default: null }];
 * const scan = { relation, context: {} as SystemContext };
 * let rows = 0;
 * for await (const b of systemScanExec(scan, columns, [0], ctx)) rows += b.length;
 * console.assert(rows === 2);
 * ```
 */
export async function* systemScanExec(
  scan: SystemScan,
  columns: readonly ColumnSchema[],
  projection: readonly number[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const batchRows = ctx.limits.batchRowsMax;
  let chunk: (readonly Value[])[] = [];
  const flush = (): Batch => {
    const out = projection.map((p) =>
      columnFromValues(columns[p]!.type, chunk.map((row) => row[p] ?? null))
    );
    const batch = { columns: out, length: chunk.length };
    chunk = [];
    return batch;
  };
  for (const row of scan.relation.rows(scan.context)) {
    if (row.length !== columns.length) {
      throw new DbError(
        SqlState.internalError,
        `system relation ${scan.relation.name} returned a row of ${row.length} values for ${columns.length} columns`,
      );
    }
    chunk.push(row);
    if (chunk.length === batchRows) {
      ctx.check();
      ctx.reserve(batchRows * columns.length * 8);
      yield flush();
    }
  }
  if (chunk.length > 0) yield flush();
}
