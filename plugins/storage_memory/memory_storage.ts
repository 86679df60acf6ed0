/**
 * In-memory storage: each table is a list of column batches, each row with its commit LSN and
 * a delete value, so scans can read any snapshot (MVCC). It is the `memory: true` backend and
 * the reference implementation of the storage interface.
 *
 * A row's delete value is 0 while it is live, the commit LSN of its delete once deleted, and
 * `-mark` while an uncommitted transaction's mark ({@link MemoryStorage.markRows}) is on it.
 * Deleted rows stay until {@link MemoryStorage.setHorizon} passes their delete LSN.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "./memory_storage.ts";
 * import { columnFromValues, valueAt } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const s = new MemoryStorage(1024);
 * const x = { id: 1, name: "x", type: Types.int4, notNull: false, default: null };
 * await s.createTable({ id: 1, schema: "public", name: "t", columns: [x], nextColumnId: 2 });
 * await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 5n);
 * await s.deleteRows(1, [0], 6n);
 * const read = async (snapshotLsn: bigint) => {
 *   const out = [];
 *   const req = { projection: [0], filters: [], limit: null, signal: null, snapshotLsn };
 *   for await (const b of s.scan(1, req)) for (let i = 0; i < b.length; i++) out.push(valueAt(b.columns[0]!, i));
 *   return out.join();
 * };
 * console.assert(await read(5n) === "1,2" && await read(6n) === "2");
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { Batch } from "../../core/types/batch.ts";
import {
  allValid,
  type Column,
  concatColumns,
  makeColumn,
  setNull,
  takeColumn,
} from "../../core/types/column.ts";
import type { ColumnSchema, TableSchema } from "../../core/catalog/table.ts";
import type {
  ColumnFill,
  FilterSupport,
  MarkResult,
  RowView,
  ScanRequest,
  StorageContext,
  StorageEngine,
  StoragePlugin,
} from "../../core/plugin/storage.ts";
import {
  checkMark,
  duplicateTableId,
  latestRowView,
  markConflict,
  type ResolvedRowView,
  resolveRowView,
  tableById,
} from "../../core/plugin/storage.ts";

/** A batch of a table. `columns`, `lsns` and `length` never change; `deleted` does. */
interface MemBatch {
  readonly columns: readonly Column[];
  readonly length: number;
  /** Commit LSN of each row. */
  readonly lsns: Float64Array;
  readonly maxLsn: number;
  /** Per row: 0 = live, > 0 = committed delete LSN, < 0 = pending mark (-mark); null: all 0. */
  deleted: Float64Array | null;
  /** Rows with a committed delete. */
  deletes: number;
  /** Rows with a pending mark. */
  marks: number;
  /** The smallest committed delete LSN (Infinity: none). */
  minDelete: number;
}

interface MemoryTable {
  /** The table's columns as storage knows them (ADD / DROP COLUMN change them). */
  columns: readonly ColumnSchema[];
  /** Replaced (not changed in place) when batches go or merge, so scans keep their list. */
  batches: MemBatch[];
  /** Rows in the latest view (live or pending-marked). */
  live: number;
  /** Rows with a pending mark. */
  marks: number;
}

function lsnNumber(lsn: bigint | undefined): number {
  return lsn === undefined ? 0 : Number(lsn);
}

function newBatch(
  columns: readonly Column[],
  lsns: Float64Array,
  deleted: Float64Array | null,
): MemBatch {
  let maxLsn = 0;
  for (let i = 0; i < lsns.length; i++) if (lsns[i]! > maxLsn) maxLsn = lsns[i]!;
  const b: MemBatch = {
    columns,
    length: lsns.length,
    lsns,
    maxLsn,
    deleted: null,
    deletes: 0,
    marks: 0,
    minDelete: Infinity,
  };
  if (deleted !== null) {
    for (let i = 0; i < deleted.length; i++) {
      const d = deleted[i]!;
      if (d > 0) {
        b.deletes++;
        if (d < b.minDelete) b.minDelete = d;
      } else if (d < 0) b.marks++;
    }
    if (b.deletes + b.marks > 0) b.deleted = deleted;
  }
  return b;
}

/**
 * Which rows of `b` the view sees: `null` = all, else 1 = visible. Batches with no deletes and
 * no rows after the snapshot cost nothing.
 */
function visibleRows(b: MemBatch, v: ResolvedRowView): Uint8Array | null {
  const { snapshot: snap, own } = v;
  const del = b.deleted;
  if (snap === null || b.maxLsn <= snap) {
    if (del === null) return null;
    if (b.deletes === 0 && (b.marks === 0 || own === null)) return null;
  }
  const mask = new Uint8Array(b.length);
  const lsns = b.lsns;
  let all = true;
  for (let i = 0; i < b.length; i++) {
    let seen = snap === null || lsns[i]! <= snap;
    if (seen && del !== null) {
      const d = del[i]!;
      if (d > 0) seen = snap !== null && d > snap;
      else if (d < 0) seen = own === null || !own.has(-d);
    }
    if (seen) mask[i] = 1;
    else all = false;
  }
  return all ? null : mask;
}

/** Rows of `b` the view sees, when that is cheap to tell; -1 otherwise. */
function visibleCount(b: MemBatch, v: ResolvedRowView): number {
  if (v.snapshot !== null && b.maxLsn > v.snapshot) return -1;
  if (v.snapshot !== null && b.deletes > 0) return -1;
  if (b.marks > 0 && v.own !== null) return -1;
  return b.length - b.deletes;
}

function outOfRange(what: string): DbError {
  return new DbError(SqlState.internalError, `${what}: position out of range`);
}

/** Rows the positions name: per target, its batch (index into `batches`) and row. */
interface Targets {
  readonly batches: readonly MemBatch[];
  readonly batch: Uint32Array;
  readonly row: Uint32Array;
}

/** A storage engine that keeps every table in memory. */
export class MemoryStorage implements StorageEngine {
  readonly #tables = new Map<number, MemoryTable>();
  /** Deletes committed at or below it may be dropped (0: keep everything). */
  #horizon = 0;

  constructor(readonly batchRowsMax: number) {}

  #table(id: number): MemoryTable {
    return tableById(this.#tables, id);
  }

  createTable(table: TableSchema): Promise<void> {
    if (this.#tables.has(table.id)) {
      return Promise.reject(duplicateTableId(table.id));
    }
    this.#tables.set(table.id, { columns: table.columns, batches: [], live: 0, marks: 0 });
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
    if (fill.kind === "rows" && fill.values.length !== t.live) {
      return Promise.reject(
        new DbError(SqlState.internalError, "addColumn: fill does not match the row count"),
      );
    }
    // `rows`: one value per row of the latest view, in scan order; deleted rows read NULL
    let base = 0;
    t.batches = t.batches.map((b) => {
      let added: Column;
      if (fill.kind === "constant") added = takeColumn(fill.value, new Uint32Array(b.length));
      else {
        const mask = visibleRows(b, latestRowView);
        const idx = new Uint32Array(b.length);
        let valid: Uint8Array | null = null;
        for (let i = 0; i < b.length; i++) {
          if (mask === null || mask[i] === 1) idx[i] = base++;
          else setNull(valid ??= allValid(b.length), i);
        }
        added = takeColumn(fill.values, idx);
        if (valid !== null) {
          const v = added.validity ?? allValid(b.length);
          for (let i = 0; i < v.length; i++) v[i] = v[i]! & valid[i]!;
          added = makeColumn(added.type, b.length, added.data, v);
        }
      }
      return { ...b, columns: [...b.columns, added] };
    });
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
    t.batches = t.batches.map((b) => ({ ...b, columns: b.columns.filter((_, c) => c !== i) }));
    return Promise.resolve();
  }

  append(tableId: number, batch: Batch, lsn?: bigint): Promise<void> {
    const t = this.#table(tableId);
    if (batch.columns.length !== t.columns.length) {
      return Promise.reject(
        new DbError(SqlState.internalError, "batch does not match table columns"),
      );
    }
    if (batch.length === 0) return Promise.resolve();
    const at = lsnNumber(lsn);
    const slice = (start: number, count: number): readonly Column[] => {
      if (start === 0 && count === batch.length) return batch.columns;
      const idx = new Uint32Array(count);
      for (let i = 0; i < count; i++) idx[i] = start + i;
      return batch.columns.map((c) => takeColumn(c, idx));
    };
    let start = 0;
    // Top up a partly filled last batch first, so that many small INSERTs do not leave
    // thousands of one-row batches behind (every scan pays per batch).
    const batches = [...t.batches];
    const last = batches.at(-1);
    if (last !== undefined && last.length < this.batchRowsMax) {
      const count = Math.min(this.batchRowsMax - last.length, batch.length);
      const part = slice(0, count);
      const lsns = new Float64Array(last.length + count);
      lsns.set(last.lsns);
      lsns.fill(at, last.length);
      let deleted: Float64Array | null = null;
      if (last.deleted !== null) {
        deleted = new Float64Array(last.length + count);
        deleted.set(last.deleted);
      }
      const columns = t.columns.map((c, i) => concatColumns(c.type, [last.columns[i]!, part[i]!]));
      batches[batches.length - 1] = newBatch(columns, lsns, deleted);
      start = count;
    }
    for (; start < batch.length; start += this.batchRowsMax) {
      const count = Math.min(this.batchRowsMax, batch.length - start);
      batches.push(newBatch(slice(start, count), new Float64Array(count).fill(at), null));
    }
    t.batches = batches;
    t.live += batch.length;
    return Promise.resolve();
  }

  /**
   * The rows that `positions` (ascending) name in view `v`; XX000 when one is out of range or
   * they are not ascending.
   */
  #locate(t: MemoryTable, positions: readonly number[], v: ResolvedRowView, what: string): Targets {
    const n = positions.length;
    const batch = new Uint32Array(n);
    const row = new Uint32Array(n);
    const batches = t.batches;
    let p = 0;
    let base = 0;
    for (let k = 0; k < batches.length && p < n; k++) {
      const b = batches[k]!;
      const count = visibleCount(b, v);
      if (count >= 0 && positions[p]! >= base + count) {
        base += count;
        continue;
      }
      const mask = visibleRows(b, v);
      for (let i = 0; i < b.length && p < n; i++) {
        if (mask !== null && mask[i] === 0) continue;
        if (positions[p] === base) {
          batch[p] = k;
          row[p] = i;
          p++;
        }
        base++;
      }
    }
    if (p !== n) throw outOfRange(what);
    return { batches, batch, row };
  }

  deleteRows(tableId: number, positions: readonly number[], lsn?: bigint): Promise<void> {
    const t = this.#table(tableId);
    if (positions.length === 0) return Promise.resolve();
    let targets: Targets;
    try {
      targets = this.#locate(t, positions, latestRowView, "deleteRows");
    } catch (e) {
      return Promise.reject(e);
    }
    const at = Math.max(1, lsnNumber(lsn));
    for (let k = 0; k < positions.length; k++) {
      const b = targets.batches[targets.batch[k]!]!;
      const i = targets.row[k]!;
      b.deleted ??= new Float64Array(b.length);
      if (b.deleted[i]! < 0) {
        b.marks--;
        t.marks--;
      }
      b.deleted[i] = at;
      b.deletes++;
      if (at < b.minDelete) b.minDelete = at;
    }
    t.live -= positions.length;
    return Promise.resolve();
  }

  markRows(
    tableId: number,
    positions: readonly number[],
    view: RowView,
    mark: number,
  ): Promise<MarkResult> {
    const t = this.#table(tableId);
    let targets: Targets;
    try {
      checkMark(mark);
      targets = this.#locate(t, positions, resolveRowView(view), "markRows");
    } catch (e) {
      return Promise.reject(e);
    }
    // check every row first: a conflict marks nothing
    for (let k = 0; k < positions.length; k++) {
      const d = targets.batches[targets.batch[k]!]!.deleted?.[targets.row[k]!] ?? 0;
      const conflict = markConflict(d, mark);
      if (conflict !== null) return Promise.resolve(conflict);
    }
    for (let k = 0; k < positions.length; k++) {
      const b = targets.batches[targets.batch[k]!]!;
      const i = targets.row[k]!;
      b.deleted ??= new Float64Array(b.length);
      if (b.deleted[i] === 0) {
        b.deleted[i] = -mark;
        b.marks++;
        t.marks++;
      }
    }
    return Promise.resolve({ kind: "marked" });
  }

  unmarkRows(marks: ReadonlySet<number>): Promise<void> {
    if (marks.size === 0) return Promise.resolve();
    for (const t of this.#tables.values()) {
      if (t.marks === 0) continue;
      for (const b of t.batches) {
        const del = b.deleted;
        if (b.marks === 0 || del === null) continue;
        for (let i = 0; i < b.length; i++) {
          const d = del[i]!;
          if (d < 0 && marks.has(-d)) {
            del[i] = 0;
            b.marks--;
            t.marks--;
          }
        }
        if (b.marks === 0 && b.deletes === 0) b.deleted = null;
      }
    }
    return Promise.resolve();
  }

  markedPositions(marks: ReadonlySet<number>): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (marks.size === 0) return Promise.resolve(out);
    for (const [id, t] of this.#tables) {
      if (t.marks === 0) continue;
      const found: number[] = [];
      let base = 0;
      for (const b of t.batches) {
        const del = b.deleted;
        if (b.marks === 0 || del === null) {
          base += b.length - b.deletes;
          continue;
        }
        for (let i = 0; i < b.length; i++) {
          const d = del[i]!;
          if (d > 0) continue; // not in the latest view
          if (d < 0 && marks.has(-d)) found.push(base);
          base++;
        }
      }
      if (found.length > 0) out.set(id, found);
    }
    return Promise.resolve(out);
  }

  /**
   * Drops rows whose delete committed at or below `lsn`. Only batches holding such rows are
   * rebuilt (each batch knows its oldest delete), and a rebuilt batch merges into its
   * neighbour when both fit in one, so many small deletes do not leave many small batches.
   */
  setHorizon(lsn: bigint): void {
    const h = Number(lsn);
    if (!(h > this.#horizon)) return;
    this.#horizon = h;
    for (const t of this.#tables.values()) {
      if (!t.batches.some((b) => b.minDelete <= h)) continue;
      const out: MemBatch[] = [];
      for (const b of t.batches) {
        if (b.minDelete > h) {
          out.push(b);
          continue;
        }
        const kept = this.#dropDeleted(b, h);
        if (kept === null) continue;
        const prev = out.at(-1);
        if (prev !== undefined && prev.length + kept.length <= this.batchRowsMax) {
          out[out.length - 1] = this.#concat(t, prev, kept);
        } else out.push(kept);
      }
      t.batches = out;
    }
  }

  /** `b` without the rows deleted at or below `h`; `null` when none is left. */
  #dropDeleted(b: MemBatch, h: number): MemBatch | null {
    const del = b.deleted!;
    const idx = new Uint32Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const d = del[i]!;
      if (!(d > 0 && d <= h)) idx[n++] = i;
    }
    if (n === 0) return null;
    const lsns = new Float64Array(n);
    const deleted = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      lsns[i] = b.lsns[idx[i]!]!;
      deleted[i] = del[idx[i]!]!;
    }
    return newBatch(b.columns.map((c) => takeColumn(c, idx, n)), lsns, deleted);
  }

  #concat(t: MemoryTable, a: MemBatch, b: MemBatch): MemBatch {
    const n = a.length + b.length;
    const lsns = new Float64Array(n);
    lsns.set(a.lsns);
    lsns.set(b.lsns, a.length);
    let deleted: Float64Array | null = null;
    if (a.deleted !== null || b.deleted !== null) {
      deleted = new Float64Array(n);
      if (a.deleted !== null) deleted.set(a.deleted);
      if (b.deleted !== null) deleted.set(b.deleted, a.length);
    }
    const columns = t.columns.map((c, i) => concatColumns(c.type, [a.columns[i]!, b.columns[i]!]));
    return newBatch(columns, lsns, deleted);
  }

  async *scan(tableId: number, request: ScanRequest): AsyncGenerator<Batch> {
    yield* this.scanSync(tableId, request);
  }

  /** The rows, synchronously: a memory table never waits. */
  *scanSync(tableId: number, request: ScanRequest): Generator<Batch> {
    const t = this.#table(tableId);
    const v = resolveRowView(request);
    let left = request.limit ?? Infinity;
    for (const b of t.batches) {
      if (left <= 0) return;
      request.signal?.throwIfAborted();
      const mask = visibleRows(b, v);
      if (mask === null) {
        left -= b.length;
        yield { columns: request.projection.map((i) => b.columns[i]!), length: b.length };
        continue;
      }
      const idx = new Uint32Array(b.length);
      let n = 0;
      for (let i = 0; i < b.length; i++) if (mask[i] === 1) idx[n++] = i;
      if (n === 0) continue;
      left -= n;
      yield {
        columns: request.projection.map((i) => takeColumn(b.columns[i]!, idx, n)),
        length: n,
      };
    }
  }

  filterSupport(_tableId: number, _filter: unknown): FilterSupport {
    return "unsupported";
  }

  estimateRows(tableId: number): number {
    return this.#tables.get(tableId)?.live ?? 0;
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
