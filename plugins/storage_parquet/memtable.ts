/**
 * A memtable: one partition's rows not yet in a segment, as column batches with each row's
 * commit LSN and, once deleted, its delete LSN (or, while an uncommitted transaction is about to
 * delete it, `-mark`). Small appends top up the last batch, so many
 * single-row INSERTs do not leave thousands of tiny batches for every scan to walk.
 *
 * @example
 * ```ts
 * import { MemTable } from "./memtable.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const m = new MemTable(1024);
 * m.append({ columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 7);
 * m.markDeleted(0, 1, 8);
 * console.assert(m.rows === 2 && m.batches[0]!.deleted![1] === 8);
 * ```
 *
 * @module
 */
import type { Batch } from "../../core/types/batch.ts";
import { type Column, concatColumns, takeColumn } from "../../core/types/column.ts";

/** A batch of a memtable. */
export interface MemBatch {
  columns: Column[];
  length: number;
  /** Commit LSN of each row. */
  lsns: Float64Array;
  /**
   * Delete value of each row: 0 = live, > 0 = committed delete LSN, < 0 = a pending mark
   * (`-mark`, kept in memory only); `null` while all are 0.
   */
  deleted: Float64Array | null;
}

/** Deleted rows a memtable keeps at least before {@link MemTable.dropDead} rebuilds it. */
export const memtableDeadRowsMin = 1024;

/** Bytes a value of a text kind is counted as, beyond its characters. */
const textValueOverheadBytes = 16;

/** Rough bytes a column holds in memory (typed array bytes, or string lengths). */
export function columnBytes(col: Column): number {
  if (col.data === null) return 0;
  if (Array.isArray(col.data)) {
    let n = 0;
    for (let i = 0; i < col.length; i++) {
      n += (col.data[i]?.length ?? 0) * 2 + textValueOverheadBytes;
    }
    return n;
  }
  return col.length * (col.data as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
}

/** One partition's unflushed rows. */
export class MemTable {
  readonly batches: MemBatch[] = [];
  rows = 0;
  bytes = 0;
  /** Rows with a committed delete (a rough count: it only drives {@link dropDead}). */
  deadRows = 0;

  constructor(readonly batchRowsMax: number) {}

  /** Appends rows committed at `lsn` (columns in the table's current order). */
  append(batch: Batch, lsn: number): void {
    const slice = (start: number, count: number): Column[] => {
      if (start === 0 && count === batch.length) return [...batch.columns];
      const idx = new Uint32Array(count);
      for (let i = 0; i < count; i++) idx[i] = start + i;
      return batch.columns.map((c) => takeColumn(c, idx));
    };
    let start = 0;
    const last = this.batches.at(-1);
    // a bulk batch is kept whole (scans slice it); only small appends top up the last batch
    if (batch.length >= this.batchRowsMax / 2) {
      this.batches.push({
        columns: [...batch.columns],
        length: batch.length,
        lsns: new Float64Array(batch.length).fill(lsn),
        deleted: null,
      });
      this.rows += batch.length;
      for (const c of batch.columns) this.bytes += columnBytes(c);
      this.bytes += batch.length * 8;
      return;
    }
    // (a batch with deleted rows is topped up too: one-row UPDATEs must not leave a trail of
    // one-row batches that every scan walks)
    if (last !== undefined && last.length < this.batchRowsMax) {
      const count = Math.min(this.batchRowsMax - last.length, batch.length);
      const part = slice(0, count);
      last.columns = last.columns.map((c, i) => concatColumns(c.type, [c, part[i]!]));
      const lsns = new Float64Array(last.length + count);
      lsns.set(last.lsns);
      lsns.fill(lsn, last.length);
      last.lsns = lsns;
      if (last.deleted !== null) {
        const deleted = new Float64Array(last.length + count);
        deleted.set(last.deleted);
        last.deleted = deleted;
      }
      last.length += count;
      start = count;
    }
    while (start < batch.length) {
      const count = Math.min(this.batchRowsMax, batch.length - start);
      this.batches.push({
        columns: slice(start, count),
        length: count,
        lsns: new Float64Array(count).fill(lsn),
        deleted: null,
      });
      start += count;
    }
    this.rows += batch.length;
    for (const c of batch.columns) this.bytes += columnBytes(c);
    this.bytes += batch.length * 8;
  }

  /** Marks row `row` of batch `b` deleted at `lsn`. */
  markDeleted(b: number, row: number, lsn: number): void {
    this.setDeleteValue(b, row, lsn);
  }

  /** Sets the delete value (see {@link MemBatch.deleted}) of row `row` of batch `b`. */
  setDeleteValue(b: number, row: number, value: number): void {
    const batch = this.batches[b]!;
    if (batch.deleted === null && value === 0) return;
    batch.deleted ??= new Float64Array(batch.length);
    if (value > 0 && !(batch.deleted[row]! > 0)) this.deadRows++;
    batch.deleted[row] = value;
  }

  /**
   * Drops the rows whose delete committed at or below `horizon` (no snapshot can see them any
   * more), once they are at least a quarter of the rows: a table of many UPDATEs does not keep
   * every old version in memory until the next checkpoint. Live rows keep their order, so
   * positions in the latest view do not change. Returns the rows dropped.
   */
  dropDead(horizon: number): number {
    if (this.deadRows < Math.max(memtableDeadRowsMin, this.rows / 4)) return 0;
    let dropped = 0;
    let dead = 0;
    for (let k = 0; k < this.batches.length; k++) {
      const b = this.batches[k]!;
      const del = b.deleted;
      if (del === null) continue;
      const keep = new Uint32Array(b.length);
      let n = 0;
      for (let i = 0; i < b.length; i++) {
        const d = del[i]!;
        if (d > 0 && d <= horizon) continue;
        if (d > 0) dead++;
        keep[n++] = i;
      }
      if (n === b.length) continue;
      dropped += b.length - n;
      const idx = keep.subarray(0, n);
      b.columns = b.columns.map((c) => takeColumn(c, idx));
      b.lsns = Float64Array.from(idx, (i) => b.lsns[i]!);
      const kept = Float64Array.from(idx, (i) => del[i]!);
      b.deleted = kept.some((d) => d !== 0) ? kept : null;
      b.length = n;
    }
    // neighbours that fit in one batch are merged, so scans walk few batches
    const merged: MemBatch[] = [];
    for (const b of this.batches) {
      if (b.length === 0) continue;
      const prev = merged.at(-1);
      if (prev === undefined || prev.length + b.length > this.batchRowsMax) {
        merged.push(b);
        continue;
      }
      const n = prev.length + b.length;
      prev.columns = prev.columns.map((c, i) => concatColumns(c.type, [c, b.columns[i]!]));
      const lsns = new Float64Array(n);
      lsns.set(prev.lsns);
      lsns.set(b.lsns, prev.length);
      prev.lsns = lsns;
      if (prev.deleted !== null || b.deleted !== null) {
        const deleted = new Float64Array(n);
        if (prev.deleted !== null) deleted.set(prev.deleted);
        if (b.deleted !== null) deleted.set(b.deleted, prev.length);
        prev.deleted = deleted;
      }
      prev.length = n;
    }
    this.batches.length = 0;
    this.batches.push(...merged);
    this.rows -= dropped;
    this.deadRows = dead;
    let bytes = 0;
    for (const b of this.batches) {
      for (const c of b.columns) bytes += columnBytes(c);
      bytes += b.length * 8;
    }
    this.bytes = bytes;
    return dropped;
  }

  /** Adds a column after the last one; `values(start, count)` gives its rows in order. */
  addColumn(values: (start: number, count: number) => Column): void {
    let base = 0;
    for (const b of this.batches) {
      b.columns = [...b.columns, values(base, b.length)];
      base += b.length;
    }
  }

  /** Removes the column at position `i`. */
  dropColumn(i: number): void {
    for (const b of this.batches) b.columns = b.columns.filter((_, k) => k !== i);
  }
}
