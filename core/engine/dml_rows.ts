/**
 * The row work of INSERT, UPDATE and DELETE between planning and storage: which stored rows a
 * statement changes (once each, however many FROM rows they join), their new values, and the
 * RETURNING rows. Nothing here writes; `database.ts` logs and applies the result.
 *
 * @module
 */
import type { TableSchema } from "../catalog/table.ts";
import type { BoundReturning } from "../plan/bound_statement.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { ExecContext } from "../exec/context.ts";
import { evaluate } from "../exec/eval.ts";
import { prepareSubqueries, subqueriesOf } from "../exec/subquery.ts";
import { castColumn } from "../exec/kernels/cast.ts";
import type { Batch } from "../types/batch.ts";
import { type Column, concatColumns, takeColumn, type Value, valueAt } from "../types/column.ts";
import { sameType } from "../types/data_type.ts";

/** The rows an UPDATE or DELETE changes, in table position order. */
export interface TargetRows {
  /** Row positions in the table, ascending, each once. */
  readonly positions: number[];
  /** One row of the statement's source per position, in the same order. */
  readonly rows: Batch;
}

/**
 * Reads a DML source plan's output (see `bindDmlSource`) and keeps the first row seen for each
 * table row position, ordered by position, so that a row joined to several FROM rows changes
 * once and the stored order stays the scan order.
 */
export async function collectTargetRows(
  source: AsyncIterable<Batch>,
  positionColumn: number,
  ctx: ExecContext,
): Promise<TargetRows> {
  const seen = new Set<number>();
  const parts: Batch[] = [];
  const partPositions: number[] = [];
  let types: Column["type"][] | null = null;
  for await (const b of source) {
    ctx.check();
    types ??= b.columns.map((c) => c.type);
    const pos = b.columns[positionColumn]!.data as BigInt64Array;
    const keep = new Uint32Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const p = Number(pos[i]!);
      if (seen.has(p)) continue;
      seen.add(p);
      keep[n++] = i;
      partPositions.push(p);
    }
    if (n === 0) continue;
    ctx.reserve(n * b.columns.length * 16);
    parts.push(
      n === b.length ? b : { columns: b.columns.map((c) => takeColumn(c, keep, n)), length: n },
    );
  }
  if (types === null) return { positions: [], rows: { columns: [], length: 0 } };
  const all: Batch = parts.length === 1 ? parts[0]! : {
    columns: types.map((t, c) => concatColumns(t, parts.map((p) => p.columns[c]!))),
    length: partPositions.length,
  };
  const order = Uint32Array.from(partPositions.keys()).sort((a, b) =>
    partPositions[a]! - partPositions[b]!
  );
  if (order.every((k, i) => k === i)) return { positions: partPositions, rows: all };
  return {
    positions: Array.from(order, (k) => partPositions[k]!),
    rows: { columns: all.columns.map((c) => takeColumn(c, order)), length: all.length },
  };
}

/**
 * UPDATE's new rows: the assignments evaluated over each source row. Returns the new table rows
 * and the source rows with the table's columns replaced by the new values (what RETURNING sees).
 */
export async function updatedRows(
  table: TableSchema,
  assignments: ReadonlyMap<number, BoundExpr>,
  rows: Batch,
  ctx: ExecContext,
): Promise<{ newRows: Batch; returningInput: Batch }> {
  const subqueries = subqueriesOf([...assignments.values()]);
  const tableParts: Batch[] = [];
  const returningParts: Batch[] = [];
  for (const part of slices(rows, ctx.limits.batchRowsMax)) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, part, ctx);
    const columns = table.columns.map((c, i) => {
      const e = assignments.get(i);
      if (e === undefined) return part.columns[i]!;
      const v = evaluate(e, part, ctx);
      return sameType(v.type, c.type) ? v : castColumn(v, c.type);
    });
    tableParts.push({ columns, length: part.length });
    returningParts.push({
      columns: [...columns, ...part.columns.slice(columns.length)],
      length: part.length,
    });
  }
  return { newRows: concatBatches(tableParts), returningInput: concatBatches(returningParts) };
}

/** RETURNING: its expressions evaluated over each row, as result rows. */
export async function returningRows(
  returning: BoundReturning,
  rows: Batch,
  ctx: ExecContext,
): Promise<Value[][]> {
  const subqueries = subqueriesOf(returning.exprs);
  const out: Value[][] = [];
  for (const part of slices(rows, ctx.limits.batchRowsMax)) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, part, ctx);
    const cols = returning.exprs.map((e) => evaluate(e, part, ctx));
    for (let i = 0; i < part.length; i++) out.push(cols.map((c) => valueAt(c, i)));
    ctx.reserve(part.length * cols.length * 16);
  }
  return out;
}

/** A batch cut into batches of at most `rowsMax` rows (none when it is empty). */
function slices(b: Batch, rowsMax: number): Batch[] {
  if (b.length <= rowsMax) return b.length === 0 ? [] : [b];
  const out: Batch[] = [];
  for (let start = 0; start < b.length; start += rowsMax) {
    const n = Math.min(rowsMax, b.length - start);
    const idx = Uint32Array.from({ length: n }, (_, i) => start + i);
    out.push({ columns: b.columns.map((c) => takeColumn(c, idx)), length: n });
  }
  return out;
}

/** One batch of all `parts` (an empty one without columns when there are none). */
function concatBatches(parts: readonly Batch[]): Batch {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return { columns: [], length: 0 };
  const first = parts[0]!;
  return {
    columns: first.columns.map((c, k) => concatColumns(c.type, parts.map((p) => p.columns[k]!))),
    length: parts.reduce((n, p) => n + p.length, 0),
  };
}
