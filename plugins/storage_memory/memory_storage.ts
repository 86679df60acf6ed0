/**
 * In-memory storage: each table is a list of column batches. It is the `memory: true` backend
 * and the reference implementation of the storage interface.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { Batch } from "../../core/types/batch.ts";
import { type Column, concatColumns, takeColumn } from "../../core/types/column.ts";
import type { ColumnSchema, TableSchema } from "../../core/catalog/table.ts";
import type {
  ColumnFill,
  FilterSupport,
  ScanRequest,
  StorageContext,
  StorageEngine,
  StoragePlugin,
} from "../../core/plugin/storage.ts";
import { duplicateTableId, tableById } from "../../core/plugin/storage.ts";

interface MemoryTable {
  /** The table's columns as storage knows them (ADD / DROP COLUMN change them). */
  columns: readonly ColumnSchema[];
  readonly batches: Batch[];
  rows: number;
}

/** A storage engine that keeps every table in memory. */
export class MemoryStorage implements StorageEngine {
  readonly #tables = new Map<number, MemoryTable>();

  constructor(readonly batchRowsMax: number) {}

  #table(id: number): MemoryTable {
    return tableById(this.#tables, id);
  }

  createTable(table: TableSchema): Promise<void> {
    if (this.#tables.has(table.id)) {
      return Promise.reject(duplicateTableId(table.id));
    }
    this.#tables.set(table.id, { columns: table.columns, batches: [], rows: 0 });
    return Promise.resolve();
  }

  dropTable(tableId: number): Promise<void> {
    this.#tables.delete(tableId);
    return Promise.resolve();
  }

  addColumn(tableId: number, column: ColumnSchema, fill: ColumnFill): Promise<void> {
    const t = this.#table(tableId);
    if (t.columns.some((c) => c.id === column.id)) {
      return Promise.reject(
        new DbError(SqlState.internalError, `column id ${column.id} already exists`),
      );
    }
    if (fill.kind === "rows" && fill.values.length !== t.rows) {
      return Promise.reject(
        new DbError(SqlState.internalError, "addColumn: fill does not match the row count"),
      );
    }
    let base = 0;
    for (let k = 0; k < t.batches.length; k++) {
      const b = t.batches[k]!;
      const idx = new Uint32Array(b.length);
      if (fill.kind === "rows") { for (let i = 0; i < b.length; i++) idx[i] = base + i; }
      const source: Column = fill.kind === "rows" ? fill.values : fill.value;
      t.batches[k] = { columns: [...b.columns, takeColumn(source, idx)], length: b.length };
      base += b.length;
    }
    t.columns = [...t.columns, column];
    return Promise.resolve();
  }

  dropColumn(tableId: number, columnId: number): Promise<void> {
    const t = this.#table(tableId);
    const i = t.columns.findIndex((c) => c.id === columnId);
    if (i < 0) {
      return Promise.reject(
        new DbError(SqlState.internalError, `column id ${columnId} does not exist`),
      );
    }
    t.columns = t.columns.filter((_, k) => k !== i);
    for (let k = 0; k < t.batches.length; k++) {
      const b = t.batches[k]!;
      t.batches[k] = { columns: b.columns.filter((_, c) => c !== i), length: b.length };
    }
    return Promise.resolve();
  }

  append(tableId: number, batch: Batch): Promise<void> {
    const t = this.#table(tableId);
    if (batch.columns.length !== t.columns.length) {
      return Promise.reject(
        new DbError(SqlState.internalError, "batch does not match table columns"),
      );
    }
    const slice = (start: number, count: number): Batch => {
      if (start === 0 && count === batch.length) return batch;
      const idx = new Uint32Array(count);
      for (let i = 0; i < count; i++) idx[i] = start + i;
      return { columns: batch.columns.map((c) => takeColumn(c, idx)), length: count };
    };
    let start = 0;
    // Top up a partly filled last batch first, so that many small INSERTs do not leave
    // thousands of one-row batches behind (every scan pays per batch).
    const last = t.batches.at(-1);
    if (last !== undefined && last.length < this.batchRowsMax) {
      const count = Math.min(this.batchRowsMax - last.length, batch.length);
      const part = slice(0, count);
      t.batches[t.batches.length - 1] = {
        columns: t.columns.map((c, i) =>
          concatColumns(c.type, [last.columns[i]!, part.columns[i]!])
        ),
        length: last.length + count,
      };
      start = count;
    }
    for (; start < batch.length; start += this.batchRowsMax) {
      t.batches.push(slice(start, Math.min(this.batchRowsMax, batch.length - start)));
    }
    t.rows += batch.length;
    return Promise.resolve();
  }

  deleteRows(tableId: number, positions: readonly number[]): Promise<void> {
    const t = this.#table(tableId);
    if (positions.length === 0) return Promise.resolve();
    const kept: Batch[] = [];
    let p = 0;
    let base = 0;
    for (const b of t.batches) {
      const keep = new Uint32Array(b.length);
      let n = 0;
      for (let i = 0; i < b.length; i++) {
        if (p < positions.length && positions[p] === base + i) p++;
        else keep[n++] = i;
      }
      base += b.length;
      if (n === b.length) kept.push(b);
      else if (n > 0) {
        kept.push({ columns: b.columns.map((c) => takeColumn(c, keep, n)), length: n });
      }
    }
    if (p !== positions.length) {
      return Promise.reject(
        new DbError(SqlState.internalError, "deleteRows: position out of range"),
      );
    }
    t.batches.length = 0;
    t.batches.push(...kept);
    t.rows -= positions.length;
    return Promise.resolve();
  }

  async *scan(tableId: number, request: ScanRequest): AsyncGenerator<Batch> {
    const t = this.#table(tableId);
    let left = request.limit ?? Infinity;
    for (const b of t.batches) {
      if (left <= 0) return;
      left -= b.length;
      yield { columns: request.projection.map((i) => b.columns[i]!), length: b.length };
    }
  }

  filterSupport(_tableId: number, _filter: unknown): FilterSupport {
    return "unsupported";
  }

  estimateRows(tableId: number): number {
    return this.#tables.get(tableId)?.rows ?? 0;
  }

  close(): Promise<void> {
    this.#tables.clear();
    return Promise.resolve();
  }
}

/** The storage plugin part. */
export const memoryStoragePlugin: StoragePlugin = {
  name: "memory",
  open(context: StorageContext): Promise<StorageEngine> {
    return Promise.resolve(new MemoryStorage(context.limits.batchRowsMax));
  },
};
