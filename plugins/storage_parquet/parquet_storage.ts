/**
 * The durable storage engine: per table and time partition a columnar memtable, written at each
 * checkpoint as an immutable Parquet segment (zstd, per-column statistics, field ids = column ids)
 * in Hive-style folders, with an RMI index beside it; a manifest (catalog, live segments, delete
 * vectors, checkpoint LSN) replaced atomically. Rows carry their commit LSN and deletes theirs,
 * so a scan can read any committed snapshot; `dedup_keys` tables keep the last write per
 * (keys, time) at read time. See docs/storage.md.
 *
 * @example
 * ```ts
 * import { ParquetStorage } from "./parquet_storage.ts";
 * import { MemoryFileSystem, realEnv } from "../../core/env/mod.ts";
 * import { defaultLimits } from "../../core/limits.ts";
 * import { columnFromValues, valueAt } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const env = { ...realEnv(), fs: new MemoryFileSystem() };
 * const s = await ParquetStorage.open({ env, dir: "/db", limits: defaultLimits });
 * const col = { id: 1, name: "x", type: Types.int4, notNull: false, default: null };
 * await s.createTable({ id: 1, schema: "public", name: "t", columns: [col], nextColumnId: 2 });
 * await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 1n);
 * await s.checkpoint(1n, { any: "catalog" });
 * const again = await ParquetStorage.open({ env, dir: "/db", limits: defaultLimits });
 * const req = { projection: [0], filters: [], limit: null, signal: null };
 * for await (const b of again.scan(1, req)) console.assert(valueAt(b.columns[0]!, 1) === 2);
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { Batch } from "../../core/types/batch.ts";
import {
  allValid,
  type Column,
  columnFromValues,
  concatColumns,
  isValid,
  makeColumn,
  nullColumn,
  setNull,
  takeColumn,
  valueAt,
} from "../../core/types/column.ts";
import { Types } from "../../core/types/data_type.ts";
import type { ColumnSchema, TableOptions, TableSchema } from "../../core/catalog/table.ts";
import type { BoundExpr } from "../../core/plan/expr.ts";
import type {
  CheckpointStats,
  ColumnFill,
  FilterSupport,
  ScanRequest,
  StorageContext,
  StorageEngine,
  StorageRecovery,
} from "../../core/plugin/storage.ts";
import type { Env } from "../../core/env/mod.ts";
import type { Limits } from "../../core/limits.ts";
import type { IndexPlugin } from "../../core/plugin/index_plugin.ts";
import { columnBytes, MemTable } from "./memtable.ts";
import {
  decodeManifest,
  encodeManifest,
  type Manifest,
  manifestFileName,
  type PartitionMeta,
  type SegmentMeta,
  statFromJson,
  type StatJson,
  statToJson,
  type TableMeta,
} from "./manifest.ts";
import {
  nullPartitionKey,
  partitionFolder,
  partitionOf,
  type PartitionRange,
  sanitizeName,
} from "./partition.ts";
import { columnRanges, isNumberKind, overlaps, type ValueRange } from "./prune.ts";
import { ColumnCache } from "./column_cache.ts";
import { seriesTimeOrder, timeOrder } from "./segment_sort.ts";
import {
  decodeSegment,
  encodeSegment,
  readSegmentFooter,
  type SegmentColumnSpec,
} from "./segment_codec.ts";

/** The hidden column of each segment row's commit LSN (field id 0; user columns start at 1). */
export const lsnColumn: SegmentColumnSpec = { id: 0, name: "_omendb_lsn", type: Types.int8 };

interface SegmentState {
  meta: SegmentMeta;
  /** Deleted rows → delete LSN. */
  deleted: Map<number, number>;
}

interface PartitionState {
  readonly range: PartitionRange;
  segments: SegmentState[];
  mem: MemTable;
}

interface TableState {
  readonly id: number;
  readonly folder: string;
  columns: ColumnSchema[];
  readonly options: TableOptions | null;
  /** What segments written before a column existed read for it, by column id. */
  readonly fills: Map<number, Column>;
  readonly partitions: Map<string, PartitionState>;
}

/** A row source inside a partition: a segment, or a memtable batch. */
type Source =
  | { readonly kind: "segment"; readonly segment: SegmentState }
  | { readonly kind: "mem"; readonly batch: number };

function lsnNumber(lsn: bigint | undefined): number {
  return lsn === undefined ? 0 : Number(lsn);
}

function fileError(path: string, what: string, cause: unknown): DbError {
  return new DbError(SqlState.ioError, `${path}: cannot ${what}: ${(cause as Error).message}`, {
    cause,
  });
}

/** Rows `[start, start + count)` of a column (zero-copy when the start is byte aligned). */
function sliceColumn(col: Column, start: number, count: number): Column {
  if (start === 0 && count === col.length) return col;
  if (start % 8 === 0 && col.data !== null) {
    const data = Array.isArray(col.data)
      ? col.data.slice(start, start + count)
      : (col.data as Float64Array).subarray(start, start + count);
    const validity = col.validity === null
      ? null
      : col.validity.subarray(start >>> 3, (start + count + 7) >>> 3);
    return makeColumn(col.type, count, data as Column["data"], validity);
  }
  const idx = new Uint32Array(count);
  for (let i = 0; i < count; i++) idx[i] = start + i;
  return takeColumn(col, idx);
}

/** A column of `length` copies of a one-row column's value. */
function repeatColumn(one: Column, length: number): Column {
  return takeColumn(one, new Uint32Array(length));
}

/** One thing wrong in a data directory's storage files. */
export interface StorageProblem {
  /** `error`: data is missing or damaged. `warning`: harmless leftovers the next open removes. */
  readonly severity: "error" | "warning";
  /** Path relative to the data directory. */
  readonly file: string;
  readonly message: string;
}

/** What {@link ParquetStorage.verifyDir} found. */
export interface StorageVerifyReport {
  readonly problems: StorageProblem[];
  /** Live segments the manifest names. */
  readonly segments: number;
  /** Rows in those segments (deleted rows included). */
  readonly rows: number;
}

/** The durable Parquet storage engine. */
export class ParquetStorage implements StorageEngine {
  readonly #env: Env;
  readonly #dir: string;
  readonly #limits: Limits;
  readonly #index: IndexPlugin | null;
  readonly #log: (event: Record<string, unknown>) => void;
  readonly #tables = new Map<number, TableState>();
  readonly #cache: ColumnCache;
  #nextSegmentId = 1;
  #recovery: StorageRecovery | null;
  /** Files that the next manifest no longer names, removed once it is durable. */
  #obsolete: string[] = [];

  private constructor(ctx: StorageContext & { dir: string }, manifest: Manifest | null) {
    this.#env = ctx.env;
    this.#dir = ctx.dir;
    this.#limits = ctx.limits;
    this.#index = ctx.index ?? null;
    this.#log = ctx.log ?? (() => {});
    this.#cache = new ColumnCache(ctx.limits.columnCacheBytesMax);
    this.#recovery = manifest === null
      ? null
      : { checkpointLsn: BigInt(manifest.checkpointLsn), catalog: manifest.catalog };
    if (manifest !== null) this.#load(manifest);
  }

  /** Opens the engine over a data directory, reading its manifest if there is one. */
  static async open(ctx: StorageContext): Promise<ParquetStorage> {
    if (ctx.dir === null) {
      throw new DbError(SqlState.internalError, "the parquet storage needs a data directory");
    }
    const path = `${ctx.dir}/${manifestFileName}`;
    const bytes = await ctx.env.fs.readFile(path);
    const manifest = bytes === null ? null : decodeManifest(bytes, path);
    const s = new ParquetStorage({ ...ctx, dir: ctx.dir }, manifest);
    await s.#removeUnlisted();
    return s;
  }

  /**
   * Checks a data directory's storage files without opening it for writing and without changing
   * anything: the manifest decodes, and every segment it names passes the checks of
   * {@link ParquetStorage.verify}. Files under `tables/` that the manifest does not name are
   * warnings (a crash during a checkpoint leaves them; the next open removes them).
   *
   * @example
   * ```ts
   * import { ParquetStorage } from "./parquet_storage.ts";
   * import { MemoryFileSystem, realEnv } from "../../core/env/mod.ts";
   * import { defaultLimits } from "../../core/limits.ts";
   * const env = { ...realEnv(), fs: new MemoryFileSystem() };
   * await env.fs.writeFileAtomic("/db/tables/1-t/stray.parquet", new Uint8Array(3));
   * const r = await ParquetStorage.verifyDir({ env, dir: "/db", limits: defaultLimits });
   * console.assert(r.problems[0]?.severity === "warning" && r.segments === 0);
   * ```
   */
  static async verifyDir(ctx: StorageContext & { dir: string }): Promise<StorageVerifyReport> {
    const path = `${ctx.dir}/${manifestFileName}`;
    let manifest: Manifest | null;
    try {
      const bytes = await ctx.env.fs.readFile(path);
      manifest = bytes === null ? null : decodeManifest(bytes, path);
    } catch (e) {
      return {
        problems: [{ severity: "error", file: manifestFileName, message: (e as Error).message }],
        segments: 0,
        rows: 0,
      };
    }
    const s = new ParquetStorage(ctx, manifest);
    const problems = await s.#check();
    for (const file of await s.#unlisted()) {
      problems.push({
        severity: "warning",
        file,
        message: "not named by the manifest (left by an interrupted checkpoint; " +
          "the next open removes it)",
      });
    }
    let segments = 0, rows = 0;
    for (const t of s.#tables.values()) {
      for (const p of t.partitions.values()) {
        segments += p.segments.length;
        for (const seg of p.segments) rows += seg.meta.rows;
      }
    }
    return { problems, segments, rows };
  }

  #load(m: Manifest): void {
    this.#nextSegmentId = m.nextSegmentId;
    for (const t of m.tables) {
      const fills = new Map<number, Column>();
      for (const [id, v] of Object.entries(t.fills)) {
        const col = t.columns.find((c) => c.id === Number(id));
        if (col) fills.set(col.id, columnFromValues(col.type, [statValue(v, col)]));
      }
      const state: TableState = {
        id: t.id,
        folder: t.folder,
        columns: [...t.columns],
        options: t.options,
        fills,
        partitions: new Map(),
      };
      for (const p of t.partitions) {
        state.partitions.set(p.key, {
          range: { key: p.key, start: p.start ?? -Infinity, end: p.end ?? Infinity },
          segments: p.segments.map((meta) => ({
            meta,
            deleted: new Map(meta.deletedRows.map((r, i) => [r, meta.deleteLsns[i]!])),
          })),
          mem: new MemTable(this.#limits.batchRowsMax),
        });
      }
      this.#tables.set(t.id, state);
    }
  }

  /** Removes segment, index and temp files under `tables/` that the manifest does not name. */
  async #removeUnlisted(): Promise<void> {
    for (const path of await this.#unlisted()) {
      await this.#env.fs.remove(`${this.#dir}/${path}`);
      this.#log({ event: "storage_unlisted_file_removed", file: path });
    }
  }

  /**
   * Files under `tables/` that the manifest does not name, and folders of tables it does not
   * name (dropped, or created after it), relative to the data directory.
   */
  async #unlisted(): Promise<string[]> {
    const listed = new Set<string>();
    const folders = new Set<string>();
    for (const t of this.#tables.values()) {
      folders.add(t.folder);
      for (const p of t.partitions.values()) {
        for (const s of p.segments) {
          listed.add(s.meta.path);
          if (s.meta.indexPath !== null) listed.add(s.meta.indexPath);
        }
      }
    }
    const fs = this.#env.fs;
    const found: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const name of (await fs.readDir(`${this.#dir}/${rel}`)).sort()) {
        const path = `${rel}/${name}`;
        const info = await fs.stat(`${this.#dir}/${path}`);
        if (info?.isDirectory) {
          if (rel === "tables" && !folders.has(path)) found.push(path);
          else await walk(path);
        } else if (!listed.has(path)) found.push(path);
      }
    };
    if (await fs.stat(`${this.#dir}/tables`)) await walk("tables");
    return found;
  }

  recovered(): StorageRecovery | null {
    return this.#recovery;
  }

  #table(id: number): TableState {
    const t = this.#tables.get(id);
    if (!t) {
      throw new DbError(SqlState.undefinedTable, `table with id ${id} does not exist in storage`);
    }
    return t;
  }

  createTable(table: TableSchema): Promise<void> {
    if (this.#tables.has(table.id)) {
      return Promise.reject(
        new DbError(SqlState.duplicateTable, `table id ${table.id} already exists`),
      );
    }
    this.#tables.set(table.id, {
      id: table.id,
      folder: `tables/${table.id}-${sanitizeName(table.name)}`,
      columns: [...table.columns],
      options: table.options ?? null,
      fills: new Map(),
      partitions: new Map(),
    });
    return Promise.resolve();
  }

  dropTable(tableId: number): Promise<void> {
    const t = this.#tables.get(tableId);
    if (t === undefined) return Promise.resolve();
    for (const p of t.partitions.values()) this.#retire(p.segments);
    this.#obsolete.push(t.folder); // the folder goes too, once the manifest no longer names it
    this.#tables.delete(tableId);
    return Promise.resolve();
  }

  #retire(segments: readonly SegmentState[]): void {
    for (const s of segments) {
      this.#obsolete.push(s.meta.path);
      if (s.meta.indexPath !== null) this.#obsolete.push(s.meta.indexPath);
      this.#cache.dropSegment(s.meta.id);
    }
  }

  async addColumn(tableId: number, column: ColumnSchema, fill: ColumnFill): Promise<void> {
    const t = this.#table(tableId);
    if (t.columns.some((c) => c.id === column.id)) {
      throw new DbError(SqlState.internalError, `column id ${column.id} already exists`);
    }
    if (fill.kind === "constant") {
      for (const p of t.partitions.values()) {
        p.mem.addColumn((_, count) => repeatColumn(fill.value, count));
      }
      if (isValid(fill.value.validity, 0)) t.fills.set(column.id, fill.value);
      t.columns = [...t.columns, column];
      return;
    }
    // one value per visible row in scan order: memtables take theirs, segments are rewritten
    let base = 0;
    const values = fill.values;
    const take = (mask: Uint8Array | null, length: number): Column => {
      const idx = new Uint32Array(length);
      const valid = allValid(length);
      for (let i = 0; i < length; i++) {
        if (mask === null || mask[i] === 1) idx[i] = base++;
        else setNull(valid, i);
      }
      const col = takeColumn(values, idx);
      const v = col.validity ?? allValid(length);
      for (let i = 0; i < v.length; i++) v[i] = v[i]! & valid[i]!;
      return makeColumn(col.type, length, col.data, v);
    };
    for (const p of this.#sortedPartitions(t)) {
      const masks = await this.#masks(t, p, null);
      const segments: SegmentState[] = [];
      for (let k = 0; k < p.segments.length; k++) {
        const seg = p.segments[k]!;
        const old = await this.#decode(t, seg, t.columns.map((_, i) => i), true);
        const added = take(masks[k]!, seg.meta.rows);
        segments.push(
          await this.#writeSegment(t, p, [...old.columns, added], old.lsns, seg.meta.sort, {
            series: seg.meta.series,
            columns: [...t.columns, column],
            deleted: seg.deleted,
          }),
        );
      }
      this.#retire(p.segments);
      p.segments = segments;
      let b = 0;
      p.mem.addColumn((_, count) => take(masks[p.segments.length + b++]!, count));
    }
    t.columns = [...t.columns, column];
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
    t.fills.delete(columnId);
    for (const p of t.partitions.values()) p.mem.dropColumn(i);
    return Promise.resolve();
  }

  #partition(t: TableState, range: PartitionRange): PartitionState {
    let p = t.partitions.get(range.key);
    if (p === undefined) {
      p = { range, segments: [], mem: new MemTable(this.#limits.batchRowsMax) };
      t.partitions.set(range.key, p);
    }
    return p;
  }

  #sortedPartitions(t: TableState): PartitionState[] {
    return [...t.partitions.values()].sort((a, b) =>
      a.range.start - b.range.start || (a.range.key < b.range.key ? -1 : 1)
    );
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
    const o = t.options;
    const tsPos = o === null || o.timestampColumnId === null || o.partitionBy === "none"
      ? -1
      : t.columns.findIndex((c) => c.id === o.timestampColumnId);
    if (tsPos < 0) {
      this.#partition(t, partitionOf(0, "none")).mem.append(batch, at);
      return Promise.resolve();
    }
    const unit = o!.partitionBy;
    const tsCol = batch.columns[tsPos]!;
    const ts = tsCol.data as Float64Array;
    // one partition for the whole batch is the common case: check the range first
    const keyOf = (i: number): PartitionRange =>
      isValid(tsCol.validity, i)
        ? partitionOf(ts[i]!, unit)
        : { key: nullPartitionKey, start: Infinity, end: Infinity };
    const first = keyOf(0);
    let single = true;
    for (let i = 1; i < batch.length && single; i++) {
      if (!isValid(tsCol.validity, i) || !(ts[i]! >= first.start && ts[i]! < first.end)) {
        single = first.key === nullPartitionKey && !isValid(tsCol.validity, i);
      }
    }
    if (single) {
      this.#partition(t, first).mem.append(batch, at);
      return Promise.resolve();
    }
    const groups = new Map<string, { range: PartitionRange; rows: number[] }>();
    for (let i = 0; i < batch.length; i++) {
      const r = keyOf(i);
      let g = groups.get(r.key);
      if (g === undefined) groups.set(r.key, g = { range: r, rows: [] });
      g.rows.push(i);
    }
    for (const g of groups.values()) {
      const idx = Uint32Array.from(g.rows);
      this.#partition(t, g.range).mem.append(
        { columns: batch.columns.map((c) => takeColumn(c, idx)), length: idx.length },
        at,
      );
    }
    return Promise.resolve();
  }

  /** The sources of a partition in scan order. */
  #sources(p: PartitionState): Source[] {
    const out: Source[] = p.segments.map((segment) => ({ kind: "segment", segment }));
    for (let b = 0; b < p.mem.batches.length; b++) out.push({ kind: "mem", batch: b });
    return out;
  }

  /**
   * Per source, which rows a reader at `snapshot` (null = latest) sees: 1 = visible, `null` =
   * all. Deleted rows, rows committed after the snapshot and, in `dedup_keys` tables, rows that a
   * later write to the same (keys, time) replaced are hidden.
   */
  async #masks(
    t: TableState,
    p: PartitionState,
    snapshot: number | null,
  ): Promise<(Uint8Array | null)[]> {
    const sources = this.#sources(p);
    const masks: (Uint8Array | null)[] = [];
    const lsnsOf: (Float64Array | null)[] = [];
    for (const s of sources) {
      let mask: Uint8Array | null = null;
      const hide = (i: number, n: number) => {
        mask ??= new Uint8Array(n).fill(1);
        mask[i] = 0;
      };
      if (s.kind === "segment") {
        const m = s.segment.meta;
        for (const [row, at] of s.segment.deleted) {
          if (snapshot === null || at <= snapshot) hide(row, m.rows);
        }
        let lsns: Float64Array | null = null;
        if (snapshot !== null && m.maxLsn > snapshot) {
          lsns = (await this.#decode(t, s.segment, [], true)).lsns;
          for (let i = 0; i < m.rows; i++) if (lsns[i]! > snapshot) hide(i, m.rows);
        }
        lsnsOf.push(lsns);
      } else {
        const b = p.mem.batches[s.batch]!;
        for (let i = 0; i < b.length; i++) {
          const del = b.deleted?.[i] ?? 0;
          if (
            (snapshot !== null && b.lsns[i]! > snapshot) ||
            (del !== 0 && (snapshot === null || del <= snapshot))
          ) hide(i, b.length);
        }
        lsnsOf.push(b.lsns);
      }
      masks.push(mask);
    }
    const o = t.options;
    if (
      o !== null && o.dedupKeyColumnIds.length > 0 && o.timestampColumnId !== null &&
      p.range.key !== nullPartitionKey && (p.segments.length > 1 || p.mem.rows > 0)
    ) {
      await this.#dedupMasks(t, p, sources, masks, lsnsOf);
    }
    return masks;
  }

  /** Hides every row that a later write to the same (dedup keys, time) replaced. */
  async #dedupMasks(
    t: TableState,
    p: PartitionState,
    sources: Source[],
    masks: (Uint8Array | null)[],
    lsnsOf: (Float64Array | null)[],
  ): Promise<void> {
    const o = t.options!;
    const keyPos = [...o.dedupKeyColumnIds, o.timestampColumnId!].map((id) =>
      t.columns.findIndex((c) => c.id === id)
    );
    const winners = new Map<string, { source: number; row: number; lsn: number }>();
    const losers: { source: number; row: number }[] = [];
    for (let k = 0; k < sources.length; k++) {
      const s = sources[k]!;
      let cols: Column[];
      let lsns: Float64Array;
      if (s.kind === "segment") {
        const d = await this.#decode(t, s.segment, keyPos, true);
        cols = d.columns;
        lsns = d.lsns;
      } else {
        const b = p.mem.batches[s.batch]!;
        cols = keyPos.map((i) => b.columns[i]!);
        lsns = lsnsOf[k] ?? b.lsns;
      }
      const mask = masks[k] ?? null;
      const n = cols[0]!.length;
      for (let i = 0; i < n; i++) {
        if (mask !== null && mask[i] === 0) continue;
        let key = "";
        for (const c of cols) key += `${String(valueAt(c, i))}\u001f`;
        const w = winners.get(key);
        const lsn = lsns[i]!;
        if (w === undefined) winners.set(key, { source: k, row: i, lsn });
        else if (lsn >= w.lsn) {
          losers.push({ source: w.source, row: w.row });
          winners.set(key, { source: k, row: i, lsn });
        } else losers.push({ source: k, row: i });
      }
    }
    for (const l of losers) {
      const s = sources[l.source]!;
      const n = s.kind === "segment" ? s.segment.meta.rows : p.mem.batches[s.batch]!.length;
      masks[l.source] ??= new Uint8Array(n).fill(1);
      masks[l.source]![l.row] = 0;
    }
  }

  /** Decodes table columns (by position) of a segment, through the cache; optionally its LSNs. */
  async #decode(
    t: TableState,
    seg: SegmentState,
    positions: readonly number[],
    withLsns: boolean,
  ): Promise<{ columns: Column[]; lsns: Float64Array }> {
    const m = seg.meta;
    const specs = positions.map((i) => t.columns[i]!);
    const wanted: SegmentColumnSpec[] = [];
    const out: (Column | null)[] = specs.map((c) => {
      if (!m.columnIds.includes(c.id)) {
        const fill = t.fills.get(c.id);
        return fill ? repeatColumn(fill, m.rows) : nullColumn(c.type, m.rows);
      }
      const hit = this.#cache.get(`${m.id}:${c.id}`);
      if (hit === null) wanted.push({ id: c.id, name: c.name, type: c.type });
      return hit;
    });
    let lsnCol = withLsns ? this.#cache.get(`${m.id}:0`) : null;
    if (withLsns && lsnCol === null) wanted.push(lsnColumn);
    if (wanted.length > 0) {
      const path = `${this.#dir}/${m.path}`;
      let bytes: Uint8Array | null;
      try {
        bytes = await this.#env.fs.readFile(path);
      } catch (e) {
        throw fileError(m.path, "read segment", e);
      }
      if (bytes === null) {
        throw new DbError(SqlState.dataCorrupted, `segment file ${m.path} is missing`, {
          hint: "the data directory is damaged; run omendb verify",
        });
      }
      const decoded = await decodeSegment(bytes, wanted);
      wanted.forEach((w, k) => {
        const col = decoded[k] ?? nullColumn(w.type, m.rows);
        if (col.length !== m.rows) {
          throw new DbError(
            SqlState.dataCorrupted,
            `segment ${m.path} has ${col.length} rows in column ${w.id}, the manifest says ${m.rows}`,
          );
        }
        this.#cache.put(`${m.id}:${w.id}`, col);
        if (w.id === 0) lsnCol = col;
        else out[specs.findIndex((c) => c.id === w.id)] = col;
      });
    }
    let lsns = new Float64Array(0);
    if (withLsns && lsnCol !== null) {
      const big = (lsnCol as Column & { kind: "int8" }).data;
      lsns = new Float64Array(m.rows);
      for (let i = 0; i < m.rows; i++) lsns[i] = Number(big[i]!);
    }
    return { columns: out as Column[], lsns };
  }

  async *scan(tableId: number, request: ScanRequest): AsyncGenerator<Batch> {
    const t = this.#table(tableId);
    const snapshot = request.snapshotLsn === undefined ? null : Number(request.snapshotLsn);
    const ranges = columnRanges(request.filters);
    // ranges by table column id
    const byId = new Map<number, ValueRange>();
    for (const [i, r] of ranges) {
      const pos = request.projection[i];
      if (pos !== undefined) byId.set(t.columns[pos]!.id, r);
    }
    const tsRange = t.options?.timestampColumnId != null
      ? byId.get(t.options.timestampColumnId) ?? null
      : null;
    let left = request.limit ?? Infinity;
    const max = this.#limits.batchRowsMax;
    const emit = function* (
      cols: Column[],
      n: number,
      mask: Uint8Array | null,
    ): Generator<Batch> {
      for (let start = 0; start < n && left > 0; start += max) {
        const count = Math.min(max, n - start);
        if (mask === null) {
          left -= count;
          yield { columns: cols.map((c) => sliceColumn(c, start, count)), length: count };
          continue;
        }
        const idx = new Uint32Array(count);
        let k = 0;
        for (let i = start; i < start + count; i++) if (mask[i] === 1) idx[k++] = i;
        if (k === 0) continue;
        left -= k;
        yield { columns: cols.map((c) => takeColumn(c, idx, k)), length: k };
      }
    };
    for (const p of this.#sortedPartitions(t)) {
      if (left <= 0) return;
      request.signal?.throwIfAborted();
      if (tsRange !== null && p.range.key !== nullPartitionKey) {
        const hi = p.range.end === p.range.start ? p.range.end : p.range.end - 1e-9;
        if (!overlaps(tsRange, p.range.start, hi)) continue;
      }
      const masks = await this.#masks(t, p, snapshot);
      for (let k = 0; k < p.segments.length && left > 0; k++) {
        const seg = p.segments[k]!;
        if (this.#pruned(t, seg, byId)) continue;
        request.signal?.throwIfAborted();
        const { columns } = await this.#decode(t, seg, request.projection, false);
        yield* emit(columns, seg.meta.rows, masks[k]!);
      }
      // the memtable may change while the consumer holds a batch: take the list now
      const batches = [...p.mem.batches];
      for (let b = 0; b < batches.length && left > 0; b++) {
        const mb = batches[b]!;
        yield* emit(
          request.projection.map((i) => mb.columns[i]!),
          mb.length,
          masks[p.segments.length + b] ?? null,
        );
      }
    }
  }

  /** Whether a segment's statistics rule out every row the filters allow. */
  #pruned(t: TableState, seg: SegmentState, ranges: Map<number, ValueRange>): boolean {
    for (const [id, r] of ranges) {
      const st = seg.meta.stats[String(id)];
      const col = t.columns.find((c) => c.id === id);
      if (st === undefined || col === undefined || !isNumberKind(col.type.kind)) continue;
      const min = statFromJson(st.min), max = statFromJson(st.max);
      if (typeof min !== "number" || typeof max !== "number") continue;
      // statistics of floats may leave NaN out, and NaN sorts above every number
      const top = col.type.kind === "float4" || col.type.kind === "float8" ? Infinity : max;
      if (!overlaps(r, min, top)) return true;
    }
    return false;
  }

  async deleteRows(tableId: number, positions: readonly number[], lsn?: bigint): Promise<void> {
    if (positions.length === 0) return;
    const t = this.#table(tableId);
    const at = Math.max(1, lsnNumber(lsn));
    let p = 0;
    let base = 0;
    for (const part of this.#sortedPartitions(t)) {
      const masks = await this.#masks(t, part, null);
      const sources = this.#sources(part);
      for (let k = 0; k < sources.length && p < positions.length; k++) {
        const s = sources[k]!;
        const mask = masks[k] ?? null;
        const n = s.kind === "segment" ? s.segment.meta.rows : part.mem.batches[s.batch]!.length;
        for (let i = 0; i < n && p < positions.length; i++) {
          if (mask !== null && mask[i] === 0) continue;
          if (positions[p] === base) {
            if (s.kind === "segment") s.segment.deleted.set(i, at);
            else part.mem.markDeleted(s.batch, i, at);
            p++;
          }
          base++;
        }
      }
    }
    if (p !== positions.length) {
      throw new DbError(SqlState.internalError, "deleteRows: position out of range");
    }
  }

  filterSupport(_tableId: number, filter: BoundExpr): FilterSupport {
    return columnRanges([filter]).size > 0 ? "inexact" : "unsupported";
  }

  estimateRows(tableId: number): number {
    const t = this.#tables.get(tableId);
    if (t === undefined) return 0;
    let n = 0;
    for (const p of t.partitions.values()) {
      n += p.mem.rows;
      for (const s of p.segments) n += s.meta.rows - s.deleted.size;
    }
    return n;
  }

  unflushedBytes(): number {
    let n = 0;
    for (const t of this.#tables.values()) for (const p of t.partitions.values()) n += p.mem.bytes;
    return n;
  }

  /**
   * Writes one segment (and its index) from columns in table order and their LSNs, sorting
   * them unless `sort` says they already are.
   */
  async #writeSegment(
    t: TableState,
    p: PartitionState,
    columns: Column[],
    lsns: Float64Array,
    presorted: SegmentMeta["sort"] | null,
    keep: {
      series: SegmentMeta["series"];
      columns: readonly ColumnSchema[];
      deleted: Map<number, number>;
    } | null,
    deletes: Float64Array | null = null,
  ): Promise<SegmentState> {
    const tableColumns = keep?.columns ?? t.columns;
    const o = t.options;
    const dedupTable = (o?.dedupKeyColumnIds.length ?? 0) > 0;
    if (deletes !== null && dedupTable) {
      // a deleted row must not win a (keys, time) over a live one: drop deleted rows first
      const idx = new Uint32Array(lsns.length);
      let k = 0;
      for (let i = 0; i < lsns.length; i++) if (deletes[i] === 0) idx[k++] = i;
      if (k < lsns.length) {
        columns = columns.map((c) => takeColumn(c, idx, k));
        const kept = new Float64Array(k);
        for (let i = 0; i < k; i++) kept[i] = lsns[idx[i]!]!;
        lsns = kept;
      }
      deletes = null;
    }
    let order: Uint32Array | null = null;
    const tsPos = o?.timestampColumnId == null
      ? -1
      : tableColumns.findIndex((c) => c.id === o.timestampColumnId);
    let rows = lsns.length;
    let sort: SegmentMeta["sort"] = "none";
    let series: SegmentMeta["series"] = null;
    if (presorted !== null) {
      sort = presorted;
      series = keep?.series ?? null;
    } else if (tsPos >= 0) {
      const ts = columns[tsPos]!.data as Float64Array;
      const dedup = o!.dedupKeyColumnIds.length > 0 && p.range.key !== nullPartitionKey;
      const keyCols = dedup
        ? o!.dedupKeyColumnIds.map((id) => columns[tableColumns.findIndex((c) => c.id === id)]!)
        : columns.filter((c) => c.kind === "text" || c.kind === "varchar");
      if (keyCols.length > 0) {
        const o2 = seriesTimeOrder(keyCols, ts, lsns, dedup);
        order = o2.order;
        series = o2.series;
        sort = "series_time";
      } else {
        order = timeOrder(ts);
        sort = "time";
      }
      const perm = order;
      rows = perm.length;
      columns = columns.map((c) => takeColumn(c, perm, rows));
      const sorted = new Float64Array(rows);
      for (let i = 0; i < rows; i++) sorted[i] = lsns[perm[i]!]!;
      lsns = sorted;
    }
    const deleted = keep?.deleted ?? new Map<number, number>();
    if (deletes !== null) {
      for (let i = 0; i < rows; i++) {
        const d = deletes[order === null ? i : order[i]!]!;
        if (d !== 0) deleted.set(i, d);
      }
    }
    const id = this.#nextSegmentId++;
    const folder = [
      t.folder,
      partitionFolder(
        tsPos >= 0 ? tableColumns[tsPos]!.name : "",
        o?.partitionBy ?? "none",
        p.range.key,
      ),
    ].filter((s) => s !== "").join("/");
    const path = `${folder}/${String(id).padStart(10, "0")}.parquet`;
    const bigLsns = new BigInt64Array(rows);
    let minLsn = Infinity, maxLsn = 0;
    for (let i = 0; i < rows; i++) {
      const v = lsns[i]!;
      bigLsns[i] = BigInt(v);
      if (v < minLsn) minLsn = v;
      if (v > maxLsn) maxLsn = v;
    }
    const specs: SegmentColumnSpec[] = [
      ...tableColumns.map((c) => ({ id: c.id, name: c.name, type: c.type })),
      lsnColumn,
    ];
    const bytes = await encodeSegment(
      specs,
      [...columns, makeColumn(Types.int8, rows, bigLsns, null)],
      rows,
      {
        keyValue: {
          "omendb.table_id": String(t.id),
          "omendb.partition": p.range.key,
          "omendb.sort": sort,
          "omendb.min_lsn": String(rows === 0 ? 0 : minLsn),
          "omendb.max_lsn": String(maxLsn),
        },
      },
    );
    const fs = this.#env.fs;
    try {
      await fs.mkdirp(`${this.#dir}/${folder}`);
      await fs.writeFileAtomic(`${this.#dir}/${path}`, bytes);
    } catch (e) {
      throw fileError(path, "write segment", e);
    }
    let indexPath: string | null = null;
    if (this.#index !== null && tsPos >= 0 && rows > 0) {
      const keys = indexKeys(columns[tsPos]!.data as Float64Array, sort, series);
      if (keys !== null) {
        indexPath = path.replace(/\.parquet$/, ".rmi");
        try {
          await fs.writeFileAtomic(
            `${this.#dir}/${indexPath}`,
            this.#index.build(keys).serialize(),
          );
        } catch (e) {
          throw fileError(indexPath, "write index", e);
        }
      }
    }
    const footer = readSegmentFooter(bytes);
    const stats: Record<string, { min: StatJson; max: StatJson; nullCount: number }> = {};
    for (const c of footer.columns) {
      if (c.id === 0) continue;
      stats[String(c.id)] = {
        min: statToJson(c.stats.min),
        max: statToJson(c.stats.max),
        nullCount: c.stats.nullCount,
      };
    }
    // the columns are not cached here: a bulk load would fill the cache with data nobody read
    this.#log({ event: "segment_written", file: path, rows, bytes: bytes.length });
    return {
      meta: {
        id,
        path,
        indexPath,
        rows,
        bytes: bytes.length,
        minLsn: rows === 0 ? 0 : minLsn,
        maxLsn,
        columnIds: tableColumns.map((c) => c.id),
        stats,
        sort,
        series,
        deletedRows: [],
        deleteLsns: [],
      },
      deleted,
    };
  }

  /**
   * A memtable's rows concatenated, with their LSNs and delete LSNs (0 = live): deleted rows
   * stay, as the segment's delete vector, so older snapshots still see them until compaction.
   */
  #memRows(
    t: TableState,
    mem: MemTable,
  ): { columns: Column[]; lsns: Float64Array; deletes: Float64Array } {
    const n = mem.rows;
    const lsns = new Float64Array(n);
    const deletes = new Float64Array(n);
    let off = 0;
    for (const b of mem.batches) {
      lsns.set(b.lsns, off);
      if (b.deleted !== null) deletes.set(b.deleted, off);
      off += b.length;
    }
    const columns = t.columns.map((c, i) =>
      concatColumns(c.type, mem.batches.map((b) => b.columns[i]!))
    );
    return { columns, lsns, deletes };
  }

  /** Rows of segments with their deletes applied (for compaction), in order. */
  async #segmentRows(
    t: TableState,
    segs: readonly SegmentState[],
  ): Promise<{ columns: Column[]; lsns: Float64Array }> {
    const all = t.columns.map((_, i) => i);
    const parts: Column[][] = t.columns.map(() => []);
    const lsnParts: Float64Array[] = [];
    for (const s of segs) {
      const d = await this.#decode(t, s, all, true);
      const idx = new Uint32Array(s.meta.rows);
      let k = 0;
      for (let i = 0; i < s.meta.rows; i++) if (!s.deleted.has(i)) idx[k++] = i;
      d.columns.forEach((c, i) => parts[i]!.push(takeColumn(c, idx, k)));
      const l = new Float64Array(k);
      for (let i = 0; i < k; i++) l[i] = d.lsns[idx[i]!]!;
      lsnParts.push(l);
    }
    const lsns = new Float64Array(lsnParts.reduce((n, l) => n + l.length, 0));
    let off = 0;
    for (const l of lsnParts) {
      lsns.set(l, off);
      off += l.length;
    }
    return { columns: t.columns.map((c, i) => concatColumns(c.type, parts[i]!)), lsns };
  }

  async checkpoint(lsn: bigint, catalog: unknown): Promise<CheckpointStats> {
    let segmentsWritten = 0, rowsWritten = 0, bytesWritten = 0, segmentsCompacted = 0;
    let partitionsExpired = 0;
    const now = this.#env.clock.nowMicros();
    for (const t of this.#tables.values()) {
      const ttl = t.options?.ttlMicros ?? null;
      for (const p of this.#sortedPartitions(t)) {
        if (ttl !== null && p.range.key !== nullPartitionKey && p.range.end + ttl <= now) {
          this.#retire(p.segments);
          t.partitions.delete(p.range.key);
          partitionsExpired++;
          continue;
        }
        if (p.mem.rows > 0) {
          const { columns, lsns, deletes } = this.#memRows(t, p.mem);
          if (lsns.length > 0) {
            const seg = await this.#writeSegment(t, p, columns, lsns, null, null, deletes);
            p.segments.push(seg);
            segmentsWritten++;
            rowsWritten += seg.meta.rows;
            bytesWritten += seg.meta.bytes;
          }
          p.mem = new MemTable(this.#limits.batchRowsMax);
        }
        const overlapping = t.options?.dedupKeyColumnIds.length ? p.segments.length > 1 : false;
        if (p.segments.length > this.#limits.partitionSegmentsMax || overlapping) {
          const old = p.segments;
          const { columns, lsns } = await this.#segmentRows(t, old);
          const merged = lsns.length === 0
            ? []
            : [await this.#writeSegment(t, p, columns, lsns, null, null)];
          this.#retire(old);
          p.segments = merged;
          segmentsCompacted += old.length;
          bytesWritten += merged[0]?.meta.bytes ?? 0;
        }
        if (p.segments.length === 0 && p.mem.rows === 0) t.partitions.delete(p.range.key);
      }
    }
    await this.#writeManifest(Number(lsn), catalog);
    this.#recovery = { checkpointLsn: lsn, catalog };
    return { segmentsWritten, rowsWritten, bytesWritten, segmentsCompacted, partitionsExpired };
  }

  async #writeManifest(checkpointLsn: number, catalog: unknown): Promise<void> {
    const tables: TableMeta[] = [...this.#tables.values()].map((t) => ({
      id: t.id,
      folder: t.folder,
      columns: t.columns,
      options: t.options,
      fills: Object.fromEntries(
        [...t.fills].map(([id, c]) => [String(id), statToJson(valueAt(c, 0))]),
      ),
      partitions: this.#sortedPartitions(t).map((p): PartitionMeta => ({
        key: p.range.key,
        start: Number.isFinite(p.range.start) ? p.range.start : null,
        end: Number.isFinite(p.range.end) ? p.range.end : null,
        segments: p.segments.map((s) => {
          const rows = [...s.deleted.keys()].sort((a, b) => a - b);
          return {
            ...s.meta,
            deletedRows: rows,
            deleteLsns: rows.map((r) => s.deleted.get(r)!),
          };
        }),
      })),
    }));
    const manifest: Manifest = {
      checkpointLsn,
      catalog,
      nextSegmentId: this.#nextSegmentId,
      tables,
    };
    const path = `${this.#dir}/${manifestFileName}`;
    try {
      await this.#env.fs.writeFileAtomic(path, encodeManifest(manifest));
    } catch (e) {
      throw fileError(manifestFileName, "write the manifest", e);
    }
    // a dropped table's folder stays while a table of the same id uses it (TRUNCATE recreates)
    const live = new Set([...this.#tables.values()].map((t) => t.folder));
    const obsolete = this.#obsolete.filter((f) => !live.has(f));
    this.#obsolete = [];
    for (const f of obsolete) {
      try {
        await this.#env.fs.remove(`${this.#dir}/${f}`);
      } catch (e) {
        // a file left behind is removed at the next open; data is never at risk
        this.#log({ event: "storage_remove_failed", file: f, error: (e as Error).message });
      }
    }
  }

  async dropPartitions(tableId: number, keys: readonly string[]): Promise<number> {
    const t = this.#table(tableId);
    let rows = 0;
    for (const key of keys) {
      const p = t.partitions.get(key);
      if (p === undefined) continue;
      const masks = await this.#masks(t, p, null);
      const sources = this.#sources(p);
      sources.forEach((s, k) => {
        const n = s.kind === "segment" ? s.segment.meta.rows : p.mem.batches[s.batch]!.length;
        const m = masks[k];
        for (let i = 0; i < n; i++) if (m === null || m === undefined || m[i] === 1) rows++;
      });
      this.#retire(p.segments);
      t.partitions.delete(key);
    }
    return rows;
  }

  /** Partition keys of a table, in time order. */
  partitionKeys(tableId: number): string[] {
    return this.#sortedPartitions(this.#table(tableId)).map((p) => p.range.key);
  }

  async verify(): Promise<string[]> {
    return (await this.#check()).map((p) => `${p.file}: ${p.message}`);
  }

  /**
   * The checks of {@link ParquetStorage.verify}: every live segment exists, has the manifest's
   * size and row count, and decodes (the LSN column and every stored column); its index
   * deserializes.
   */
  async #check(): Promise<StorageProblem[]> {
    const problems: StorageProblem[] = [];
    const error = (file: string, message: string) =>
      problems.push({ severity: "error", file, message });
    for (const t of this.#tables.values()) {
      for (const p of t.partitions.values()) {
        for (const s of p.segments) {
          const m = s.meta;
          const bytes = await this.#env.fs.readFile(`${this.#dir}/${m.path}`);
          if (bytes === null) {
            error(m.path, "segment file is missing");
            continue;
          }
          if (bytes.length !== m.bytes) {
            error(m.path, `${bytes.length} bytes, the manifest says ${m.bytes}`);
          }
          try {
            const footer = readSegmentFooter(bytes);
            if (footer.rows !== m.rows) {
              error(m.path, `${footer.rows} rows, the manifest says ${m.rows}`);
            }
            // every stored column is decoded, so damaged pages are found, not only the footer
            const stored: SegmentColumnSpec[] = t.columns
              .filter((c) => m.columnIds.includes(c.id))
              .map((c) => ({ id: c.id, name: c.name, type: c.type }));
            const cols = await decodeSegment(bytes, [lsnColumn, ...stored]);
            if (cols[0]?.length !== m.rows) error(m.path, "LSN column is damaged");
            stored.forEach((c, k) => {
              const n = cols[k + 1]?.length;
              if (n !== m.rows) {
                error(
                  m.path,
                  `column ${c.id} (${c.name}) has ${n ?? "no"} rows, the manifest says ${m.rows}`,
                );
              }
            });
          } catch (e) {
            error(m.path, (e as Error).message);
          }
          if (m.indexPath !== null && this.#index !== null) {
            const ib = await this.#env.fs.readFile(`${this.#dir}/${m.indexPath}`);
            if (ib === null) error(m.indexPath, "index file is missing");
            else {
              try {
                this.#index.deserialize(ib);
              } catch (e) {
                error(m.indexPath, (e as Error).message);
              }
            }
          }
        }
      }
    }
    return problems;
  }

  close(): Promise<void> {
    this.#tables.clear();
    return Promise.resolve();
  }

  /** Cache counters, for metrics and tests. */
  cacheStats(): { bytes: number; hits: number; misses: number } {
    return { bytes: this.#cache.bytes, hits: this.#cache.hits, misses: this.#cache.misses };
  }

  /** Bytes of decoded columns cached now. */
  get cachedBytes(): number {
    return this.#cache.bytes;
  }
}

/** A manifest fill value back to a column value of the column's type. */
function statValue(v: StatJson, col: ColumnSchema): ReturnType<typeof valueAt> {
  if (isNumberKind(col.type.kind) || col.type.kind === "int8") {
    const x = statFromJson(v);
    return typeof x === "boolean" ? (x ? 1 : 0) : x as number | bigint | string | null;
  }
  if (col.type.kind === "bool") return v === true;
  if (v !== null && typeof v === "object") return BigInt(v.int8);
  return v as string | number | null;
}

/**
 * The sorted keys a segment's learned index is built over: the time itself when sorted by time,
 * or `series number × span + (time − min)` when sorted by series then time, if that stays exact
 * in a double; `null` when there is no such key (infinite times, or too wide a product).
 */
export function indexKeys(
  ts: Float64Array,
  sort: SegmentMeta["sort"],
  series: SegmentMeta["series"],
): Float64Array | null {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    if (ts[i]! < min) min = ts[i]!;
    if (ts[i]! > max) max = ts[i]!;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  if (sort === "time") return ts;
  if (sort !== "series_time" || series === null) return null;
  const span = max - min + 1;
  if (series.length * span > Number.MAX_SAFE_INTEGER) return null;
  const keys = new Float64Array(ts.length);
  series.forEach(([, start, end], s) => {
    for (let i = start; i < end; i++) keys[i] = s * span + (ts[i]! - min);
  });
  return keys;
}

/** Bytes a column takes, for callers sizing memtables. */
export { columnBytes };

/** The storage plugin part (`parquet`). */
export const parquetStoragePlugin = {
  name: "parquet",
  open(context: StorageContext): Promise<StorageEngine> {
    return ParquetStorage.open(context);
  },
};
