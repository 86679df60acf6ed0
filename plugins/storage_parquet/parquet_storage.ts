/**
 * The durable storage engine: per table and time partition a columnar memtable, written at each
 * checkpoint as an immutable Parquet segment (zstd, per-column statistics, field ids = column ids)
 * in Hive-style folders, with an RMI index beside it; a manifest (catalog, live segments, delete
 * vectors, checkpoint LSN) replaced atomically. Rows carry their commit LSN and deletes theirs,
 * so a scan can read any committed snapshot; `dedup_keys` tables keep the last write per
 * (keys, time) at read time. See docs/storage.md.
 *
 * A row's delete value is 0 while live, its delete's commit LSN once deleted, and `-mark` while
 * an uncommitted transaction's mark is on it ({@link ParquetStorage.markRows}), in memtable
 * batches and segment delete maps alike. Marks live in memory only: the manifest keeps the
 * positive values, and a checkpoint carries marks to the rows' places in the new segments.
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
import { ownedBuffer } from "../../core/types/small_arrays.ts";
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
  sliceColumn,
  takeColumn,
  type Value,
  valueAt,
} from "../../core/types/column.ts";
import type { ColumnSchema, TableOptions, TableSchema } from "../../core/catalog/table.ts";
import type { BoundExpr } from "../../core/plan/expr.ts";
import type {
  CheckpointStats,
  ColumnFill,
  FilterSupport,
  MarkResult,
  RowView,
  ScanRequest,
  StorageContext,
  StorageEngine,
  StorageRecovery,
} from "../../core/plugin/storage.ts";
import { ScanWouldWait } from "../../core/plugin/storage.ts";
import {
  checkMark,
  duplicateTableId,
  latestRowView,
  markConflict,
  type ResolvedRowView,
  resolveRowView,
  tableById,
} from "../../core/plugin/storage.ts";
import type { Env } from "../../core/env/mod.ts";
import type { Limits } from "../../core/limits.ts";
import type { IndexPlugin, SegmentIndex } from "../../core/plugin/index_plugin.ts";
import { MemTable } from "./memtable.ts";
import {
  type ColumnStatsJson,
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
import { columnRanges, isNumberKind, overlaps, textEqualities, type ValueRange } from "./prune.ts";
import { ColumnCache } from "./column_cache.ts";
import { seriesIds, seriesKeySeparator } from "./segment_sort.ts";
import {
  buildSegment,
  type BuildTask,
  type BuiltSegment,
  lsnColumn,
  packTask,
} from "./segment_build.ts";
import { decodeSegment, readSegmentFooter, type SegmentColumnSpec } from "./segment_codec.ts";
import { overlappingSpans, spanOf, type TimeSpan } from "./time_overlap.ts";

/**
 * Segments with fewer rows than this are "small": when a partition has more than
 * `partitionSegmentsMax` segments, the small ones are merged first, so a bulk load's big
 * segments are not rewritten over and over.
 */
export const compactionSegmentRowsMin = 262_144;

interface SegmentState {
  meta: SegmentMeta;
  /** Deleted or marked rows → delete value (> 0: committed delete LSN; < 0: `-mark`). */
  readonly deleted: Map<number, number>;
}

interface PartitionState {
  readonly range: PartitionRange;
  segments: SegmentState[];
  /** Memtables a background checkpoint is writing out (still read until their segment is in). */
  frozen: MemTable[];
  mem: MemTable;
}

interface TableState {
  readonly id: number;
  readonly folder: string;
  columns: ColumnSchema[];
  /** Changes only by {@link ParquetStorage.setTableOptions} (a growing series key). */
  options: TableOptions | null;
  /** What segments written before a column existed read for it, by column id. */
  readonly fills: Map<number, Column>;
  readonly partitions: Map<string, PartitionState>;
  /** `partitions` by start time, kept until the map changes (null: sort again). */
  sorted: PartitionState[] | null;
  /** Rows carrying a pending mark, at most (0: none; unmarkRows counts them again). */
  marks: number;
}

/** A scan step that needs I/O: the asynchronous scan awaits `wait()`, a synchronous one stops. */
interface Wait {
  readonly wait: () => Promise<unknown>;
}

function wait(f: () => Promise<unknown>): Wait {
  return { wait: f };
}

/** What {@link ParquetStorage.#decode} gives. */
interface Decoded {
  readonly columns: Column[];
  readonly lsns: Float64Array;
}

/** Each series' latest row (by the timestamp; the later write wins a tie), kept at ingest. */
interface LatestRows {
  /** Series key text → its latest row's time, commit LSN and values in table column order. */
  readonly bySeries: Map<string, { ts: number; lsn: number; values: Value[] }>;
  /**
   * The commit LSN whose state it holds: no commit above it changed the table (appends raise
   * it, deletes and schema changes drop the whole table). A snapshot at or above it sees the
   * same latest rows.
   */
  asOfLsn: number;
}

/** The column ids of a table's series key: its dedup keys, or else its text columns (tags). */
function seriesKeyIds(t: { columns: readonly ColumnSchema[]; options: TableOptions | null }) {
  const o = t.options;
  if (o !== null && o.dedupKeyColumnIds.length > 0) return [...o.dedupKeyColumnIds];
  return t.columns.filter((c) => c.type.kind === "text" || c.type.kind === "varchar").map((c) =>
    c.id
  );
}

/** A partition as a running checkpoint will leave it, installed once its manifest is durable. */
/** The layout a rewritten segment keeps (its rows are already in order). */
interface KeptLayout {
  readonly sort: SegmentMeta["sort"];
  readonly series: SegmentMeta["series"];
  readonly seriesColumnIds: SegmentMeta["seriesColumnIds"];
  readonly columns: readonly ColumnSchema[];
}

/** A frozen memtable a checkpoint writes: its rows once taken, and its segment's build. */
interface PendingBuild {
  readonly t: TableState;
  readonly p: PartitionState;
  readonly mem: MemTable;
  rows: { columns: Column[]; lsns: Float64Array; deletes: Float64Array; inputRows: number } | null;
  built: Promise<BuiltSegment> | null;
}

interface StagedPartition {
  readonly t: TableState;
  segments: SegmentState[];
  /** Frozen memtables (from the front) now in segments. */
  frozenDone: number;
  expired: boolean;
  /** Segments the new manifest no longer names. */
  retired: SegmentState[];
}

/** A row source inside a partition: a segment, or a memtable batch. */
type Source =
  | { readonly kind: "segment"; readonly segment: SegmentState }
  | { readonly kind: "mem"; readonly mem: MemTable; readonly batch: number };

/**
 * Whether a reader with `view` sees every row of `sources` without a mask pass: the common case
 * of a checkpointed partition, one segment with nothing deleted and nothing newer than the
 * snapshot (and no memtable rows that could replace its rows).
 */
function allVisible(sources: readonly Source[], view: ResolvedRowView): boolean {
  if (sources.length !== 1) return false;
  const s = sources[0]!;
  return s.kind === "segment" && s.segment.deleted.size === 0 &&
    (view.snapshot === null || s.segment.meta.maxLsn <= view.snapshot);
}

/** A column a segment does not store (added after it was written): its fill, or NULLs. */
function absentColumn(t: TableState, c: ColumnSchema, rows: number): Column {
  const fill = t.fills.get(c.id);
  return fill ? repeatColumn(fill, rows) : nullColumn(c.type, rows);
}

/** Rows of a source. */
function sourceRows(s: Source): number {
  return s.kind === "segment" ? s.segment.meta.rows : s.mem.batches[s.batch]!.length;
}

/** The delete value of a row of a source (0 = live, > 0 = delete LSN, < 0 = `-mark`). */
function deleteValue(s: Source, row: number): number {
  return s.kind === "segment"
    ? s.segment.deleted.get(row) ?? 0
    : s.mem.batches[s.batch]!.deleted?.[row] ?? 0;
}

function setDeleteValue(s: Source, row: number, value: number): void {
  if (s.kind === "mem") s.mem.setDeleteValue(s.batch, row, value);
  else if (value === 0) s.segment.deleted.delete(row);
  else s.segment.deleted.set(row, value);
}

/** Rows that positions name, by source (in scan order). */
interface Located {
  readonly source: Source;
  readonly rows: number[];
}

/**
 * Where the rows of a segment that a checkpoint wrote came from, to carry the delete values set
 * while it ran (marks above all) to the rows' new places.
 */
interface SegmentOrigin {
  readonly segment: SegmentState;
  /** The input row of each segment row (`null`: the same). */
  readonly order: Uint32Array | null;
  readonly inputRows: number;
  readonly from:
    | { readonly kind: "mem"; readonly mem: MemTable }
    /** Per merged segment, the input row of each of its rows (-1: dropped). */
    | { readonly kind: "merge"; readonly parts: readonly (readonly [SegmentState, Int32Array])[] };
}

function lsnNumber(lsn: bigint | undefined): number {
  return lsn === undefined ? 0 : Number(lsn);
}

function fileError(path: string, what: string, cause: unknown): DbError {
  return new DbError(SqlState.ioError, `${path}: cannot ${what}: ${(cause as Error).message}`, {
    cause,
  });
}

const seriesIndexes = new WeakMap<SegmentMeta, Map<string, number>>();
const seriesParts = new WeakMap<SegmentMeta, string[][]>();

/** A segment's series key -> its index in `meta.series` (built once per segment). */
function seriesIndexOf(meta: SegmentMeta): Map<string, number> {
  let index = seriesIndexes.get(meta);
  if (index === undefined) {
    index = new Map((meta.series ?? []).map(([key], s) => [key, s]));
    seriesIndexes.set(meta, index);
  }
  return index;
}

/** Each series key of a segment split into its parts (built once per segment). */
function seriesPartsOf(meta: SegmentMeta): string[][] {
  let parts = seriesParts.get(meta);
  if (parts === undefined) {
    parts = (meta.series ?? []).map(([key]) => key.split(seriesKeySeparator));
    seriesParts.set(meta, parts);
  }
  return parts;
}

/**
 * True when `range` holds every value between a segment column's statistics min and max, so
 * that narrowing rows by it would keep them all.
 */
function covers(range: ValueRange, stats: ColumnStatsJson | undefined): boolean {
  if (stats === undefined) return false;
  const min = statFromJson(stats.min), max = statFromJson(stats.max);
  if (typeof min !== "number" || typeof max !== "number") return false;
  const loOk = range.lo < min || (range.lo === min && range.loInclusive);
  const hiOk = range.hi > max || (range.hi === max && range.hiInclusive);
  return loOk && hiOk;
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
  /** Scans running or paused between batches: retired files are kept while any is open. */
  #scansOpen = 0;
  /** The running background checkpoint, if any. */
  #flushing: Promise<CheckpointStats> | null = null;
  /** The checkpoint Worker (started on first use) and its pending tasks. */
  #worker: Worker | null = null;
  /** Stops the idle Worker (see {@link checkpointWorkerIdleMs}). */
  #workerIdleTimer: ReturnType<typeof setTimeout> | null = null;
  #workerTask = 0;
  readonly #workerWaiters = new Map<
    number,
    { resolve: (b: BuiltSegment) => void; reject: (e: unknown) => void }
  >();
  /** The highest commit LSN applied (appends and deletes with an LSN), over every table. */
  #appliedLsn = 0;
  /** Learned indexes of segments, loaded on first use. */
  readonly #segmentIndexes = new Map<number, SegmentIndex>();
  /**
   * Latest row per series, by table id: built by the first query that asks (after open, or after
   * a change that could remove a latest row), then kept up to date by appends.
   */
  readonly #latest = new Map<number, LatestRows>();
  /** Deletes committed at or below it may be dropped by compaction (0: keep every one). */
  #horizon = 0;
  /** Counts changes of delete values (deletes, marks), so a checkpoint sees if any ran meanwhile. */
  #deleteEpoch = 0;

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
   * await env.fs.mkdirp("/db/tables/1-t");
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
        sorted: null,
        marks: 0,
      };
      for (const p of t.partitions) {
        state.sorted = null;
        state.partitions.set(p.key, {
          range: { key: p.key, start: p.start ?? -Infinity, end: p.end ?? Infinity },
          segments: p.segments.map((meta) => ({
            meta,
            deleted: new Map(meta.deletedRows.map((r, i) => [r, meta.deleteLsns[i]!])),
          })),
          frozen: [],
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
    // a manifest write cut short leaves its temp file beside the manifest
    for (const name of await this.#env.fs.readDir(this.#dir)) {
      if (!name.startsWith(`${manifestFileName}.tmp-`)) continue;
      await this.#env.fs.remove(`${this.#dir}/${name}`);
      this.#log({ event: "storage_unlisted_file_removed", file: name });
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
    return tableById(this.#tables, id);
  }

  createTable(table: TableSchema): Promise<void> {
    if (this.#tables.has(table.id)) {
      return Promise.reject(duplicateTableId(table.id));
    }
    this.#tables.set(table.id, {
      id: table.id,
      folder: `tables/${table.id}-${sanitizeName(table.name)}`,
      columns: [...table.columns],
      options: table.options ?? null,
      fills: new Map(),
      partitions: new Map(),
      sorted: null,
      marks: 0,
    });
    return Promise.resolve();
  }

  dropTable(tableId: number): Promise<void> {
    this.#latest.delete(tableId);
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
      this.#segmentIndexes.delete(s.meta.id);
    }
  }

  async addColumn(tableId: number, column: ColumnSchema, fill: ColumnFill): Promise<void> {
    const t = this.#table(tableId);
    this.#latest.delete(tableId);
    if (t.columns.some((c) => c.id === column.id)) {
      throw new DbError(SqlState.internalError, `column id ${column.id} already exists`);
    }
    if (fill.kind === "constant") {
      for (const p of t.partitions.values()) {
        for (const m of [...p.frozen, p.mem]) {
          m.addColumn((_, count) => repeatColumn(fill.value, count));
        }
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
      const masks = await this.#masks(t, p, latestRowView);
      const segments: SegmentState[] = [];
      for (let k = 0; k < p.segments.length; k++) {
        const seg = p.segments[k]!;
        const old = await this.#decode(t, seg, t.columns.map((_, i) => i), true);
        const added = take(masks[k]!, seg.meta.rows);
        const rewritten = await this.#writeSegment(t, p, [...old.columns, added], old.lsns, {
          sort: seg.meta.sort,
          series: seg.meta.series,
          seriesColumnIds: seg.meta.seriesColumnIds,
          columns: [...t.columns, column],
          deleted: seg.deleted,
        });
        segments.push(rewritten.segment);
      }
      this.#retire(p.segments);
      p.segments = segments;
      let b = 0;
      for (const m of [...p.frozen, p.mem]) {
        m.addColumn((_, count) => take(masks[p.segments.length + b++]!, count));
      }
    }
    t.columns = [...t.columns, column];
  }

  dropColumn(tableId: number, columnId: number): Promise<void> {
    const t = this.#table(tableId);
    this.#latest.delete(tableId);
    const i = t.columns.findIndex((c) => c.id === columnId);
    if (i < 0) {
      return Promise.reject(
        new DbError(SqlState.internalError, `column id ${columnId} does not exist`),
      );
    }
    t.columns = t.columns.filter((_, k) => k !== i);
    t.fills.delete(columnId);
    for (const p of t.partitions.values()) for (const m of [...p.frozen, p.mem]) m.dropColumn(i);
    return Promise.resolve();
  }

  #partition(t: TableState, range: PartitionRange): PartitionState {
    let p = t.partitions.get(range.key);
    if (p === undefined) {
      p = { range, segments: [], frozen: [], mem: new MemTable(this.#limits.batchRowsMax) };
      t.partitions.set(range.key, p);
      t.sorted = null;
    }
    return p;
  }

  #sortedPartitions(t: TableState): PartitionState[] {
    return t.sorted ??= [...t.partitions.values()].sort((a, b) =>
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
    if (at > this.#appliedLsn) this.#appliedLsn = at;
    const latest = this.#latest.get(t.id);
    if (latest !== undefined) {
      this.#noteLatest(t, latest, batch.columns, batch.length, at, null);
      if (at > latest.asOfLsn) latest.asOfLsn = at;
    }
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
    for (const mem of [...p.frozen, p.mem]) {
      for (let b = 0; b < mem.batches.length; b++) out.push({ kind: "mem", mem, batch: b });
    }
    return out;
  }

  /**
   * Per source, which rows a reader with `view` sees: 1 = visible, `null` = all. Deleted rows,
   * rows committed after the snapshot, in `dedup_keys` tables rows that a later write to the
   * same (keys, time) replaced, and then rows carrying one of the view's own marks are hidden.
   * A marked row is not deleted yet: it still replaces older writes to its (keys, time), as it
   * does in the segment a checkpoint writes, so the owner sees the same before and after one.
   */
  async #masks(
    t: TableState,
    p: PartitionState,
    view: ResolvedRowView,
    sources: Source[] = this.#sources(p),
  ): Promise<(Uint8Array | null)[]> {
    const { snapshot, own } = view;
    if (allVisible(sources, view)) return [null];
    const masks: (Uint8Array | null)[] = [];
    const lsnsOf: (Float64Array | null)[] = [];
    /** Per source, the rows carrying an own mark (hidden after the dedup). */
    let owned: (number[] | null)[] | null = null;
    const ownRow = (k: number, i: number) => {
      owned ??= sources.map(() => null);
      (owned[k] ??= []).push(i);
    };
    for (const s of sources) {
      let mask: Uint8Array | null = null;
      const hide = (i: number, n: number) => {
        mask ??= new Uint8Array(n).fill(1);
        mask[i] = 0;
      };
      if (s.kind === "segment") {
        const m = s.segment.meta;
        for (const [row, at] of s.segment.deleted) {
          if (at > 0) {
            if (snapshot === null || at <= snapshot) hide(row, m.rows);
          } else if (own !== null && own.has(-at)) ownRow(masks.length, row);
        }
        let lsns: Float64Array | null = null;
        if (snapshot !== null && m.maxLsn > snapshot) {
          lsns = (await this.#decode(t, s.segment, [], true)).lsns;
          for (let i = 0; i < m.rows; i++) if (lsns[i]! > snapshot) hide(i, m.rows);
        }
        lsnsOf.push(lsns);
      } else {
        const b = s.mem.batches[s.batch]!;
        const deleted = b.deleted;
        if (snapshot !== null || deleted !== null) {
          for (let i = 0; i < b.length; i++) {
            const del = deleted === null ? 0 : deleted[i]!;
            if (
              (snapshot !== null && b.lsns[i]! > snapshot) ||
              (del > 0 && (snapshot === null || del <= snapshot))
            ) hide(i, b.length);
            else if (del < 0 && own !== null && own.has(-del)) ownRow(masks.length, i);
          }
        }
        lsnsOf.push(b.lsns);
      }
      masks.push(mask);
    }
    const o = t.options;
    if (
      o !== null && o.dedupKeyColumnIds.length > 0 && o.timestampColumnId !== null &&
      p.range.key !== nullPartitionKey && (sources.length > 1 || sources[0]?.kind === "mem")
    ) {
      // a segment is deduplicated when written; a memtable batch is not (appends top it up);
      // sources whose time spans are disjoint cannot replace each other's rows
      const overlap = overlappingSpans(sources.map((s) => this.#timeSpan(t, s)));
      const only = sources.map((s, k) => s.kind === "mem" || overlap[k]!);
      if (only.some((x) => x)) await this.#dedupMasks(t, sources, masks, lsnsOf, only);
    }
    const hidden = owned as (number[] | null)[] | null;
    for (let k = 0; hidden !== null && k < sources.length; k++) {
      const rows = hidden[k];
      if (rows == null) continue;
      const mask = masks[k] ??= new Uint8Array(sourceRows(sources[k]!)).fill(1);
      for (const i of rows) mask[i] = 0;
    }
    return masks;
  }

  /** A source's smallest and largest designated timestamp, or `null` when unknown. */
  #timeSpan(t: TableState, s: Source): TimeSpan {
    const id = t.options?.timestampColumnId;
    if (id == null) return null;
    if (s.kind === "segment") {
      const st = s.segment.meta.stats[String(id)];
      if (st === undefined) return null;
      const min = statFromJson(st.min), max = statFromJson(st.max);
      return typeof min === "number" && typeof max === "number" ? [min, max] : null;
    }
    const pos = t.columns.findIndex((c) => c.id === id);
    const b = s.mem.batches[s.batch]!;
    const ts = b.columns[pos];
    return ts === undefined || ts.validity !== null
      ? null
      : spanOf(ts.data as Float64Array, b.length);
  }

  /**
   * Hides every row that a later write to the same (dedup keys, time) replaced, among the sources
   * `only` names.
   */
  async #dedupMasks(
    t: TableState,
    sources: Source[],
    masks: (Uint8Array | null)[],
    lsnsOf: (Float64Array | null)[],
    only: readonly boolean[],
  ): Promise<void> {
    const o = t.options!;
    const keyPos = [...o.dedupKeyColumnIds, o.timestampColumnId!].map((id) =>
      t.columns.findIndex((c) => c.id === id)
    );
    const winners = new Map<string, { source: number; row: number; lsn: number }>();
    const losers: { source: number; row: number }[] = [];
    for (let k = 0; k < sources.length; k++) {
      if (!only[k]) continue;
      const s = sources[k]!;
      let cols: Column[];
      let lsns: Float64Array;
      if (s.kind === "segment") {
        const d = await this.#decode(t, s.segment, keyPos, true);
        cols = d.columns;
        lsns = d.lsns;
      } else {
        const b = s.mem.batches[s.batch]!;
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
      const n = sourceRows(sources[l.source]!);
      masks[l.source] ??= new Uint8Array(n).fill(1);
      masks[l.source]![l.row] = 0;
    }
  }

  /**
   * Table columns (by position) of a segment when every one is cached or not stored in it (a
   * column added later reads as its fill), without the async decode; `null` when one must be
   * decoded.
   */
  #cachedColumns(t: TableState, seg: SegmentState, positions: readonly number[]): Column[] | null {
    const m = seg.meta;
    const out: Column[] = [];
    for (const i of positions) {
      const c = t.columns[i]!;
      if (!m.columnIds.includes(c.id)) {
        out.push(absentColumn(t, c, m.rows));
        continue;
      }
      const hit = this.#cache.get(m.id, c.id);
      if (hit === null) return null;
      out.push(hit);
    }
    return out;
  }

  /** Decodes table columns (by position) of a segment, through the cache; optionally its LSNs. */
  async #decode(
    t: TableState,
    seg: SegmentState,
    positions: readonly number[],
    withLsns: boolean,
  ): Promise<Decoded> {
    const m = seg.meta;
    const specs = positions.map((i) => t.columns[i]!);
    const wanted: SegmentColumnSpec[] = [];
    const out: (Column | null)[] = specs.map((c) => {
      if (!m.columnIds.includes(c.id)) return absentColumn(t, c, m.rows);
      const hit = this.#cache.get(m.id, c.id);
      if (hit === null) wanted.push({ id: c.id, name: c.name, type: c.type });
      return hit;
    });
    let lsnCol = withLsns ? this.#cache.get(m.id, 0) : null;
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
        this.#cache.put(m.id, w.id, col);
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
    // a scan may pause between batches (a streamed result) while a checkpoint retires the
    // segments it still reads: their files stay until no scan is open
    this.#scansOpen++;
    const steps = this.#scanSteps(tableId, request);
    try {
      let r = steps.next();
      while (!r.done) {
        const v = r.value;
        if ("wait" in v) r = steps.next(await v.wait());
        else {
          yield v;
          r = steps.next();
        }
      }
    } finally {
      steps.return();
      this.#scansOpen--;
    }
  }

  /** {@link scan} without promises: throws {@link ScanWouldWait} where it would wait. */
  *scanSync(tableId: number, request: ScanRequest): Generator<Batch> {
    this.#scansOpen++;
    const steps = this.#scanSteps(tableId, request);
    try {
      for (let r = steps.next(); !r.done; r = steps.next()) {
        if ("wait" in r.value) throw new ScanWouldWait();
        yield r.value;
      }
    } finally {
      steps.return();
      this.#scansOpen--;
    }
  }

  /**
   * The scan's steps: its batches, and where it needs I/O (columns to decode, an index to load,
   * visibility to work out), a {@link Wait} whose result the driver passes back in.
   */
  *#scanSteps(tableId: number, request: ScanRequest): Generator<Batch | Wait, void, unknown> {
    const t = this.#table(tableId);
    const view = resolveRowView(request);
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
    const textById = new Map<number, string>();
    for (const [i, v] of textEqualities(request.filters)) {
      const pos = request.projection[i];
      if (pos !== undefined) textById.set(t.columns[pos]!.id, v);
    }
    // the latest-row table holds the latest committed state: for the latest state, or a
    // snapshot no commit to the table has passed since (a streamed query's); no own marks
    if (request.latestBy !== undefined && view.own === null) {
      const latest = (yield wait(() => this.#latestRows(t, request.latestBy!))) as
        | LatestRows
        | null;
      if (latest !== null && (view.snapshot === null || latest.asOfLsn <= view.snapshot)) {
        const rows = [...latest.bySeries.values()];
        if (rows.length > 0) {
          yield {
            columns: request.projection.map((pos) =>
              columnFromValues(t.columns[pos]!.type, rows.map((r) => r.values[pos]!))
            ),
            length: rows.length,
          };
        }
        return;
      }
    }
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
      // a background checkpoint may swap frozen memtables for segments while this scan waits:
      // it reads the sources as they are now
      const sources = this.#sources(p);
      const masks = allVisible(sources, view)
        ? [null]
        : (yield wait(() => this.#masks(t, p, view, sources))) as (Uint8Array | null)[];
      for (let k = 0; k < sources.length && left > 0; k++) {
        const src = sources[k]!;
        if (src.kind === "mem") {
          const mb = src.mem.batches[src.batch]!;
          yield* emit(request.projection.map((i) => mb.columns[i]!), mb.length, masks[k] ?? null);
          continue;
        }
        const seg = src.segment;
        if (this.#pruned(t, seg, byId)) continue;
        request.signal?.throwIfAborted();
        const covered = tsRange !== null && t.options?.timestampColumnId != null &&
          covers(tsRange, seg.meta.stats[String(t.options.timestampColumnId)]);
        const rangeTs = covered ? null : tsRange;
        // the learned index, loaded once per segment (the ranges themselves need no I/O)
        const index = rangeTs !== null && seg.meta.indexKey !== null
          ? this.#segmentIndexes.get(seg.meta.id) ??
            (yield wait(() => this.#loadIndex(seg))) as SegmentIndex | null
          : null;
        const ranges = this.#rowRanges(seg, rangeTs, textById, index);
        if (ranges !== null && ranges.length === 0) continue;
        const columns = this.#cachedColumns(t, seg, request.projection) ??
          ((yield wait(() => this.#decode(t, seg, request.projection, false))) as Decoded)
            .columns;
        if (ranges === null) yield* emit(columns, seg.meta.rows, masks[k]!);
        else if (
          ranges.length === 1 && (masks[k] ?? null) === null &&
          ranges[0]![1] - ranges[0]![0] <= max
        ) {
          // one short run of rows, all seen (a point or range lookup in one series): one batch
          // of views, yielded here (a yield* of the emit generator costs a promise per step)
          const [a, b] = ranges[0]!;
          const count = Math.min(b - a, left);
          left -= count;
          yield { columns: columns.map((c) => sliceColumn(c, a, count)), length: count };
        } else {
          const mask = masks[k] ?? null;
          // many short ranges (one per series: high cardinality) are gathered into full
          // batches; a long one is sliced
          let short = 0; // rows in ranges gathered, not sliced: the gather buffer's size
          for (const [a, b] of ranges) if (b - a < max >>> 1) short += b - a;
          const gather = new Uint32Array(Math.min(max, short));
          let n = 0;
          const flush = function* (): Generator<Batch> {
            if (n === 0) return;
            const count = Math.min(n, left);
            left -= count;
            yield { columns: columns.map((c) => takeColumn(c, gather, count)), length: count };
            n = 0;
          };
          for (const [a, b] of ranges) {
            if (left <= 0) break;
            if (b - a >= max >>> 1) {
              yield* flush();
              yield* emit(
                columns.map((c) => sliceColumn(c, a, b - a)),
                b - a,
                mask === null ? null : mask.subarray(a, b),
              );
              continue;
            }
            for (let i = a; i < b; i++) {
              if (mask !== null && mask[i] !== 1) continue;
              gather[n++] = i;
              if (n === max) yield* flush();
            }
          }
          if (left > 0) yield* flush();
        }
      }
    }
  }

  /**
   * The row ranges of a segment that can hold rows the filters allow: the series whose key
   * matches the text equalities, narrowed to the time range through the learned index. `null` =
   * the whole segment.
   */
  #rowRanges(
    seg: SegmentState,
    tsRange: ValueRange | null,
    textById: Map<number, string>,
    index: SegmentIndex | null,
  ): [number, number][] | null {
    const m = seg.meta;
    const parts = (m.seriesColumnIds ?? []).map((id) => textById.get(id) ?? null);
    const bySeries = m.series !== null && parts.some((p) => p !== null);
    if (!bySeries && index === null) return null;
    const out: [number, number][] = [];
    const narrow = (a: number, b: number, s: number) => {
      if (index === null || tsRange === null || m.indexKey === null) {
        out.push([a, b]);
        return;
      }
      const { min, span } = m.indexKey;
      const base = span === 0 ? 0 : s * span - min;
      const lo = Math.max(tsRange.lo, min) + base;
      const hi = span === 0 ? tsRange.hi : Math.min(tsRange.hi, min + span - 1) + base;
      if (!(lo <= hi)) return;
      const r = index.lookupRange(lo, hi);
      const start = Math.max(a, r.start), end = Math.min(b, r.end);
      if (start < end) out.push([start, end]);
    };
    if (m.sort === "series_time" && m.series !== null) {
      const series = m.series;
      if (bySeries && parts.every((p) => p !== null)) {
        // every series column is given: one lookup, not a pass over every series
        const s = seriesIndexOf(m).get(parts.join(seriesKeySeparator));
        if (s !== undefined) narrow(series[s]![1], series[s]![2], s);
      } else {
        const split = bySeries ? seriesPartsOf(m) : null;
        series.forEach(([, a, b], s) => {
          if (split !== null) {
            const values = split[s]!;
            if (parts.some((p, j) => p !== null && values[j] !== p)) return;
          }
          narrow(a, b, s);
        });
      }
    } else narrow(0, m.rows, 0);
    return out;
  }

  async #loadIndex(seg: SegmentState): Promise<SegmentIndex | null> {
    const m = seg.meta;
    if (m.indexPath === null || this.#index === null) return null;
    let index = this.#segmentIndexes.get(m.id);
    if (index === undefined) {
      const bytes = await this.#env.fs.readFile(`${this.#dir}/${m.indexPath}`);
      if (bytes === null) {
        throw new DbError(SqlState.dataCorrupted, `index file ${m.indexPath} is missing`, {
          hint: "the data directory is damaged; run omendb verify",
        });
      }
      index = this.#index.deserialize(bytes);
      this.#segmentIndexes.set(m.id, index);
    }
    return index;
  }

  /**
   * The latest-row table of a table for a DISTINCT ON over `keyIds`, built now if needed; `null`
   * when the table has no timestamp or its series key does not cover `keyIds`.
   */
  async #latestRows(t: TableState, keyIds: readonly number[]): Promise<LatestRows | null> {
    if (t.options?.timestampColumnId == null) return null;
    const seriesIds = seriesKeyIds(t);
    if (seriesIds.length === 0 || keyIds.some((id) => !seriesIds.includes(id))) return null;
    let latest = this.#latest.get(t.id);
    if (latest !== undefined) return latest;
    latest = { bySeries: new Map(), asOfLsn: this.#appliedLsn };
    const all = t.columns.map((_, i) => i);
    for (const p of this.#sortedPartitions(t)) {
      if (p.range.key === nullPartitionKey) continue;
      const sources = this.#sources(p);
      const masks = await this.#masks(t, p, latestRowView, sources);
      for (let k = 0; k < sources.length; k++) {
        const s = sources[k]!;
        if (s.kind === "segment") {
          const { columns, lsns } = await this.#decode(t, s.segment, all, true);
          this.#noteLatest(t, latest, columns, s.segment.meta.rows, 0, masks[k] ?? null, lsns);
        } else {
          const b = s.mem.batches[s.batch]!;
          this.#noteLatest(t, latest, b.columns, b.length, 0, masks[k] ?? null, b.lsns);
        }
      }
    }
    this.#latest.set(t.id, latest);
    return latest;
  }

  /** Updates the latest-row table with rows (`mask`: visible ones; LSNs per row or `lsn`). */
  #noteLatest(
    t: TableState,
    latest: LatestRows,
    columns: readonly Column[],
    n: number,
    lsn: number,
    mask: Uint8Array | null,
    lsns: Float64Array | null = null,
  ): void {
    const tsPos = t.columns.findIndex((c) => c.id === t.options?.timestampColumnId);
    if (tsPos < 0 || n === 0) return;
    const keyCols = seriesKeyIds(t).map((id) => columns[t.columns.findIndex((c) => c.id === id)]!);
    const tsCol = columns[tsPos]!;
    const ts = tsCol.data as Float64Array;
    const s = seriesIds(keyCols, n);
    // the best row of each series in these rows, then one comparison per series
    const best = new Int32Array(s.count).fill(-1);
    for (let i = 0; i < n; i++) {
      if ((mask !== null && mask[i] === 0) || !isValid(tsCol.validity, i)) continue;
      const id = s.ids[i]!;
      const b = best[id]!;
      if (
        b < 0 || ts[i]! > ts[b]! || (ts[i] === ts[b] && (lsns?.[i] ?? lsn) >= (lsns?.[b] ?? lsn))
      ) {
        best[id] = i;
      }
    }
    for (let id = 0; id < s.count; id++) {
      const i = best[id]!;
      if (i < 0) continue;
      const key = s.keyText[id]!;
      const rowLsn = lsns?.[i] ?? lsn;
      const cur = latest.bySeries.get(key);
      if (cur !== undefined && (cur.ts > ts[i]! || (cur.ts === ts[i] && cur.lsn > rowLsn))) {
        continue;
      }
      latest.bySeries.set(key, {
        ts: ts[i]!,
        lsn: rowLsn,
        values: columns.map((c) => valueAt(c, i)),
      });
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

  /**
   * The rows that `positions` (ascending) name in `view`, by source; XX000 when one is out of
   * range or they are not ascending.
   */
  async #locate(
    t: TableState,
    positions: readonly number[],
    view: ResolvedRowView,
    what: string,
  ): Promise<Located[]> {
    const out: Located[] = [];
    let p = 0;
    let base = 0;
    for (const part of this.#sortedPartitions(t)) {
      if (p === positions.length) break;
      const sources = this.#sources(part);
      const masks = await this.#masks(t, part, view, sources);
      for (let k = 0; k < sources.length && p < positions.length; k++) {
        const s = sources[k]!;
        const mask = masks[k] ?? null;
        const n = sourceRows(s);
        if (mask === null && positions[p]! >= base + n) {
          base += n;
          continue;
        }
        let rows: number[] | null = null;
        for (let i = 0; i < n && p < positions.length; i++) {
          if (mask !== null && mask[i] === 0) continue;
          if (positions[p] === base) {
            (rows ??= []).push(i);
            p++;
          }
          base++;
        }
        if (rows !== null) out.push({ source: s, rows });
      }
    }
    if (p !== positions.length) {
      throw new DbError(SqlState.internalError, `${what}: position out of range`);
    }
    return out;
  }

  async deleteRows(tableId: number, positions: readonly number[], lsn?: bigint): Promise<void> {
    if (positions.length === 0) return;
    const t = this.#table(tableId);
    this.#latest.delete(tableId);
    const at = Math.max(1, lsnNumber(lsn));
    if (at > this.#appliedLsn) this.#appliedLsn = at;
    const located = await this.#locate(t, positions, latestRowView, "deleteRows");
    // a mark on the row is replaced: the transaction that set it commits
    for (const g of located) for (const i of g.rows) setDeleteValue(g.source, i, at);
    this.#latest.delete(tableId);
    this.#deleteEpoch++;
  }

  async markRows(
    tableId: number,
    positions: readonly number[],
    view: RowView,
    mark: number,
  ): Promise<MarkResult> {
    const t = this.#table(tableId);
    checkMark(mark);
    const located = await this.#locate(t, positions, resolveRowView(view), "markRows");
    // every row is checked before any is marked (no await from here on)
    for (const g of located) {
      for (const i of g.rows) {
        const conflict = markConflict(deleteValue(g.source, i), mark);
        if (conflict !== null) return conflict;
      }
    }
    for (const g of located) {
      for (const i of g.rows) {
        if (deleteValue(g.source, i) !== 0) continue;
        setDeleteValue(g.source, i, -mark);
        t.marks++;
      }
    }
    // the latest-row table stays: marks do not change the latest committed state
    this.#deleteEpoch++;
    return { kind: "marked" };
  }

  unmarkRows(marks: ReadonlySet<number>): Promise<void> {
    if (marks.size === 0) return Promise.resolve();
    for (const t of this.#tables.values()) {
      if (t.marks === 0) continue;
      let left = 0;
      for (const p of t.partitions.values()) {
        for (const seg of p.segments) {
          for (const [row, v] of seg.deleted) {
            if (v >= 0) continue;
            if (marks.has(-v)) seg.deleted.delete(row);
            else left++;
          }
        }
        for (const mem of [...p.frozen, p.mem]) {
          for (const b of mem.batches) {
            const del = b.deleted;
            if (del === null) continue;
            for (let i = 0; i < b.length; i++) {
              const d = del[i]!;
              if (d >= 0) continue;
              if (marks.has(-d)) del[i] = 0;
              else left++;
            }
          }
        }
      }
      t.marks = left;
    }
    this.#deleteEpoch++;
    return Promise.resolve();
  }

  async markedPositions(marks: ReadonlySet<number>): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    if (marks.size === 0) return out;
    for (const t of [...this.#tables.values()]) {
      if (t.marks === 0) continue;
      const found: number[] = [];
      let base = 0;
      for (const p of this.#sortedPartitions(t)) {
        const sources = this.#sources(p);
        const masks = await this.#masks(t, p, latestRowView, sources);
        for (let k = 0; k < sources.length; k++) {
          const s = sources[k]!;
          const mask = masks[k] ?? null;
          const n = sourceRows(s);
          // the rows carrying one of the marks, ascending (none: count the visible rows)
          let hit: Uint8Array | null = null;
          if (s.kind === "segment") {
            for (const [row, v] of s.segment.deleted) {
              if (v < 0 && marks.has(-v)) (hit ??= new Uint8Array(n))[row] = 1;
            }
          } else {
            const del = s.mem.batches[s.batch]!.deleted;
            for (let i = 0; del !== null && i < n; i++) {
              if (del[i]! < 0 && marks.has(-del[i]!)) (hit ??= new Uint8Array(n))[i] = 1;
            }
          }
          if (hit === null && mask === null) {
            base += n;
            continue;
          }
          for (let i = 0; i < n; i++) {
            if (mask !== null && mask[i] === 0) continue;
            if (hit !== null && hit[i] === 1) found.push(base);
            base++;
          }
        }
      }
      if (found.length > 0) out.set(t.id, found);
    }
    return out;
  }

  setHorizon(lsn: bigint): void {
    const h = Number(lsn);
    if (h <= this.#horizon) return;
    this.#horizon = h;
    // old row versions in the live memtables go once no snapshot needs them (frozen ones are
    // the running checkpoint's: it drops them when it compacts)
    for (const t of this.#tables.values()) {
      for (const p of t.partitions.values()) p.mem.dropDead(h);
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
      for (const m of p.frozen) n += m.rows;
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
   * them unless `keep` says they already are (a rewrite). With `inWorker`, sorting and encoding
   * run in the checkpoint Worker.
   */
  async #writeSegment(
    t: TableState,
    p: PartitionState,
    columns: Column[],
    lsns: Float64Array,
    keep: (KeptLayout & { deleted: Map<number, number> }) | null,
    deletes: Float64Array | null = null,
    inWorker = false,
    prebuilt: Promise<BuiltSegment> | null = null,
  ): Promise<{ segment: SegmentState; order: Uint32Array | null }> {
    const tableColumns = keep?.columns ?? t.columns;
    const o = t.options;
    const tsPos = o?.timestampColumnId == null
      ? -1
      : tableColumns.findIndex((c) => c.id === o.timestampColumnId);
    const keyIds = keep !== null ? [...(keep.seriesColumnIds ?? [])] : seriesKeyIds(t);
    const built = await (prebuilt ?? this.#build(t, p, columns, lsns, keep, deletes, inWorker));
    const { rows, sort, series } = built;
    // delete values (marks too) at the rows' places after the sort
    const deleted = keep?.deleted ?? new Map<number, number>();
    if (built.deletes !== null) {
      for (let i = 0; i < rows; i++) if (built.deletes[i] !== 0) deleted.set(i, built.deletes[i]!);
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
    const fs = this.#env.fs;
    this.#log({ event: "segment_writing", level: "debug", file: path, rows });
    try {
      await fs.mkdirp(`${this.#dir}/${folder}`);
      await fs.writeFileAtomic(`${this.#dir}/${path}`, built.bytes);
    } catch (e) {
      throw fileError(path, "write segment", e);
    }
    let indexPath: string | null = null;
    let indexKey: SegmentMeta["indexKey"] = null;
    if (this.#index !== null && built.ts !== null && rows > 0) {
      const keys = indexKeys(built.ts, sort, series);
      if (keys !== null) {
        indexPath = path.replace(/\.parquet$/, ".rmi");
        indexKey = keys.key;
        const index = this.#index.build(keys.keys);
        try {
          await fs.writeFileAtomic(`${this.#dir}/${indexPath}`, index.serialize());
        } catch (e) {
          throw fileError(indexPath, "write index", e);
        }
        this.#segmentIndexes.set(id, index);
      }
    }
    const stats: Record<string, { min: StatJson; max: StatJson; nullCount: number }> = {};
    for (const c of built.stats) {
      stats[String(c.id)] = {
        min: statToJson(c.min),
        max: statToJson(c.max),
        nullCount: c.nullCount,
      };
    }
    // the columns are not cached here: a bulk load would fill the cache with data nobody read
    this.#log({ event: "segment_written", file: path, rows, bytes: built.bytes.length });
    const segment: SegmentState = {
      meta: {
        id,
        path,
        indexPath,
        rows,
        bytes: built.bytes.length,
        minLsn: built.minLsn,
        maxLsn: built.maxLsn,
        columnIds: tableColumns.map((c) => c.id),
        stats,
        sort,
        series,
        seriesColumnIds: sort === "series_time" ? keyIds : null,
        indexKey,
        deletedRows: [],
        deleteLsns: [],
      },
      deleted,
    };
    return { segment, order: built.order };
  }

  /** Sorts and encodes a segment (see {@link ParquetStorage.#writeSegment}), in the Worker or here. */
  #build(
    t: TableState,
    p: PartitionState,
    columns: Column[],
    lsns: Float64Array,
    keep: KeptLayout | null,
    deletes: Float64Array | null,
    inWorker: boolean,
  ): Promise<BuiltSegment> {
    const tableColumns = keep?.columns ?? t.columns;
    const o = t.options;
    const tsPos = o?.timestampColumnId == null
      ? -1
      : tableColumns.findIndex((c) => c.id === o.timestampColumnId);
    const keyIds = keep !== null ? [...(keep.seriesColumnIds ?? [])] : seriesKeyIds(t);
    const task: BuildTask = {
      specs: tableColumns.map((c) => ({ id: c.id, name: c.name, type: c.type })),
      columns,
      lsns,
      deletes,
      tsPos,
      keyPositions: keyIds.map((id) => tableColumns.findIndex((c) => c.id === id)),
      dedup: (o?.dedupKeyColumnIds.length ?? 0) > 0 && p.range.key !== nullPartitionKey,
      presorted: keep === null ? null : { sort: keep.sort, series: keep.series },
      keyValue: { "omendb.table_id": String(t.id), "omendb.partition": p.range.key },
    };
    return inWorker ? this.#buildInWorker(task) : buildSegment(task);
  }

  /** Builds a segment in the checkpoint Worker (started on first use, stopped by close). */
  #buildInWorker(plain: BuildTask): Promise<BuiltSegment> {
    const task = packTask(plain);
    if (this.#worker === null) {
      this.#worker = new Worker(new URL("./encode_worker.ts", import.meta.url), { type: "module" });
      this.#worker.onmessage = (e: MessageEvent) => {
        const { id, built, error } = e.data as {
          id: number;
          built?: BuiltSegment;
          error?: { message: string; code?: string };
        };
        const waiter = this.#workerWaiters.get(id);
        this.#workerWaiters.delete(id);
        if (this.#workerWaiters.size === 0) this.#armWorkerIdle();
        if (waiter === undefined) return;
        if (built !== undefined) waiter.resolve(built);
        else {
          waiter.reject(
            new DbError(
              error?.code ?? SqlState.internalError,
              `checkpoint worker: ${error?.message}`,
            ),
          );
        }
      };
      this.#worker.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const err = new DbError(SqlState.internalError, `checkpoint worker failed: ${e.message}`);
        for (const w of this.#workerWaiters.values()) w.reject(err);
        this.#workerWaiters.clear();
        this.#worker?.terminate();
        this.#worker = null;
      };
    }
    if (this.#workerIdleTimer !== null) clearTimeout(this.#workerIdleTimer);
    this.#workerIdleTimer = null;
    const id = this.#workerTask++;
    const { promise, resolve, reject } = Promise.withResolvers<BuiltSegment>();
    this.#workerWaiters.set(id, { resolve, reject });
    // only buffers an array owns whole move to the worker; a view on a shared buffer (a
    // slice, a small array carved from a slab) is copied, or its neighbours would go with it
    const transfer = new Set<ArrayBuffer>();
    const move = (a: ArrayBufferView | null | undefined) => {
      const b = a === null || a === undefined ? null : ownedBuffer(a);
      if (b !== null) transfer.add(b);
    };
    move(task.lsns);
    for (const c of task.columns) {
      const d = c.data as unknown as (ArrayBufferView & { codes?: Int32Array }) | null;
      if (d?.codes !== undefined) move(d.codes);
      else if (d !== null && ArrayBuffer.isView(d)) move(d);
      move(c.validity);
    }
    move(task.deletes);
    this.#worker.postMessage({ id, task }, [...transfer]);
    return promise;
  }

  /**
   * Stops the checkpoint Worker once it has had nothing to do for the `checkpointWorkerIdleMs`
   * limit: its heap (which the segments it built grew) goes back to the OS with it, and the next
   * checkpoint starts a new one. Steady ingest checkpoints more often and keeps it.
   */
  #armWorkerIdle(): void {
    if (this.#workerIdleTimer !== null) clearTimeout(this.#workerIdleTimer);
    this.#workerIdleTimer = setTimeout(() => {
      this.#workerIdleTimer = null;
      if (this.#workerWaiters.size > 0) return;
      this.#worker?.terminate();
      this.#worker = null;
    }, this.#limits.checkpointWorkerIdleMs);
    Deno.unrefTimer(this.#workerIdleTimer as unknown as number);
  }

  /**
   * A memtable's rows concatenated, with their LSNs and delete values (0 = live, marks
   * negative): deleted rows stay, as the segment's delete vector, so older snapshots still see
   * them until compaction; marked rows keep their marks.
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

  /**
   * Rows of segments (for compaction), in order, without the rows deleted at or below the
   * horizon; the rows kept carry their delete values (later deletes, marks). `inputs`: per
   * segment, the output row of each of its rows (-1: dropped).
   */
  async #segmentRows(
    t: TableState,
    segs: readonly SegmentState[],
  ): Promise<
    { columns: Column[]; lsns: Float64Array; deletes: Float64Array | null; inputs: Int32Array[] }
  > {
    const h = this.#horizon;
    const all = t.columns.map((_, i) => i);
    const parts: Column[][] = t.columns.map(() => []);
    const lsnParts: Float64Array[] = [];
    const deleteParts: (Float64Array | null)[] = [];
    const inputs: Int32Array[] = [];
    let off = 0;
    for (const s of segs) {
      const n = s.meta.rows;
      const d = await this.#decode(t, s, all, true);
      let values: Float64Array | null = null;
      if (s.deleted.size > 0) {
        values = new Float64Array(n);
        for (const [row, v] of s.deleted) values[row] = v;
      }
      const idx = new Uint32Array(n);
      const input = new Int32Array(n).fill(-1);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const v = values === null ? 0 : values[i]!;
        if (v > 0 && v <= h) continue;
        input[i] = off + k;
        idx[k++] = i;
      }
      d.columns.forEach((c, i) => parts[i]!.push(takeColumn(c, idx, k)));
      const l = new Float64Array(k);
      for (let i = 0; i < k; i++) l[i] = d.lsns[idx[i]!]!;
      lsnParts.push(l);
      let kept: Float64Array | null = null;
      if (values !== null) {
        kept = new Float64Array(k);
        for (let i = 0; i < k; i++) kept[i] = values[idx[i]!]!;
      }
      deleteParts.push(kept);
      inputs.push(input);
      off += k;
    }
    const lsns = new Float64Array(off);
    const deletes = deleteParts.some((p) => p !== null) ? new Float64Array(off) : null;
    off = 0;
    lsnParts.forEach((l, k) => {
      lsns.set(l, off);
      const dp = deleteParts[k];
      if (deletes !== null && dp != null) deletes.set(dp, off);
      off += l.length;
    });
    const columns = t.columns.map((c, i) => concatColumns(c.type, parts[i]!));
    return { columns, lsns, deletes, inputs };
  }

  /**
   * Sets a segment that a checkpoint wrote to the current delete values of the rows it came
   * from: deletes, marks and unmarks that ran while the checkpoint did are not lost.
   */
  #carryDeletes(o: SegmentOrigin): void {
    const rows = o.segment.meta.rows;
    const outOf = new Int32Array(o.inputRows).fill(-1);
    for (let j = 0; j < rows; j++) outOf[o.order === null ? j : o.order[j]!] = j;
    const deleted = o.segment.deleted;
    deleted.clear();
    if (o.from.kind === "mem") {
      let off = 0;
      for (const b of o.from.mem.batches) {
        const del = b.deleted;
        for (let i = 0; del !== null && i < b.length; i++) {
          const j = del[i] === 0 ? -1 : outOf[off + i]!;
          if (j >= 0) deleted.set(j, del[i]!);
        }
        off += b.length;
      }
      return;
    }
    for (const [seg, input] of o.from.parts) {
      for (const [row, v] of seg.deleted) {
        const k = input[row]!;
        const j = k < 0 ? -1 : outOf[k]!;
        if (j >= 0) deleted.set(j, v);
      }
    }
  }

  async checkpoint(lsn: bigint, catalog: unknown): Promise<CheckpointStats> {
    await this.quiesce();
    this.#freeze();
    return await this.#flushFrozen(lsn, catalog, false);
  }

  /**
   * Starts a checkpoint through `lsn` in the background: the memtables are frozen now (new rows
   * go to fresh ones), then the checkpoint Worker sorts and encodes them while appends and scans
   * go on; scans read frozen memtables until their segments are in. Resolves when the manifest
   * is durable. Deletes, ALTER and other checkpoints must wait for it ({@link quiesce}).
   */
  checkpointInBackground(lsn: bigint, catalog: unknown): Promise<CheckpointStats> {
    if (this.#flushing !== null) {
      return Promise.reject(
        new DbError(SqlState.internalError, "a background checkpoint is already running"),
      );
    }
    this.#freeze();
    const run = this.#flushFrozen(lsn, catalog, true);
    this.#flushing = run;
    run.then(
      () => (this.#flushing = null),
      () => (this.#flushing = null),
    );
    return run;
  }

  /** Waits for a background checkpoint (its failure is the caller of that checkpoint's). */
  async quiesce(): Promise<void> {
    await this.#flushing?.catch(() => {});
  }

  /** Moves every non-empty memtable to its partition's frozen list. */
  #freeze(): void {
    for (const t of this.#tables.values()) {
      for (const p of t.partitions.values()) {
        if (p.mem.rows === 0) continue;
        p.frozen.push(p.mem);
        p.mem = new MemTable(this.#limits.batchRowsMax);
      }
    }
  }

  /** Writes the frozen memtables as segments, compacts, expires, and writes the manifest. */
  /**
   * Writes the frozen memtables as segments, compacts and expires partitions, and writes the
   * manifest. Nothing in memory changes until the manifest is durable: until then scans and row
   * positions see exactly the layout that recovery from the old manifest plus the WAL rebuilds
   * (positions in logged deletes depend on it). On failure the new files are removed and the
   * frozen memtables stay for the next checkpoint.
   */
  async #flushFrozen(lsn: bigint, catalog: unknown, inWorker: boolean): Promise<CheckpointStats> {
    let segmentsWritten = 0, rowsWritten = 0, bytesWritten = 0, segmentsCompacted = 0;
    let partitionsExpired = 0;
    // phase events (checkpoint_started, compaction_started, manifest_writing, manifest_written,
    // at debug level) let crash tests attribute a kill to the step it interrupted
    this.#log({ event: "checkpoint_started", level: "debug", lsn: String(lsn) });
    const now = this.#env.clock.nowMicros();
    const staged = new Map<PartitionState, StagedPartition>();
    const written: SegmentState[] = [];
    const origins: SegmentOrigin[] = [];
    const epoch = this.#deleteEpoch;
    // The frozen memtables to write, in the order the loop below takes them; the next one's
    // build starts before the current one is awaited, so the Worker and this thread (a
    // foreground checkpoint) or the Worker's queue (a background one) are never idle.
    const pending: PendingBuild[] = [];
    const pendingOf = new Map<MemTable, PendingBuild>();
    for (const t of this.#tables.values()) {
      const ttl = t.options?.ttlMicros ?? null;
      for (const p of this.#sortedPartitions(t)) {
        if (ttl !== null && p.range.key !== nullPartitionKey && p.range.end + ttl <= now) continue;
        for (const mem of p.frozen) {
          const b: PendingBuild = { t, p, mem, rows: null, built: null };
          pending.push(b);
          pendingOf.set(mem, b);
        }
      }
    }
    const useWorker = this.#limits.checkpointWorkers > 0;
    const start = (k: number) => {
      const b = pending[k];
      if (b === undefined || b.rows !== null) return;
      const rows = this.#memRows(b.t, b.mem);
      b.rows = { ...rows, inputRows: rows.lsns.length }; // the Worker takes the buffers
      if (rows.lsns.length === 0) return;
      // a foreground checkpoint shares the work: every other memtable goes to the Worker
      const worker = inWorker || (useWorker && k % 2 === 0);
      b.built = this.#build(b.t, b.p, rows.columns, rows.lsns, null, rows.deletes, worker);
      b.built.catch(() => {}); // awaited (or abandoned by an earlier failure) below
    };
    try {
      for (const t of [...this.#tables.values()]) {
        const ttl = t.options?.ttlMicros ?? null;
        for (const p of this.#sortedPartitions(t)) {
          const stage: StagedPartition = {
            t,
            segments: [...p.segments],
            frozenDone: 0,
            expired: false,
            retired: [],
          };
          staged.set(p, stage);
          if (ttl !== null && p.range.key !== nullPartitionKey && p.range.end + ttl <= now) {
            stage.expired = true;
            stage.retired = [...p.segments];
            stage.segments = [];
            partitionsExpired++;
            continue;
          }
          for (const mem of [...p.frozen]) {
            const b = pendingOf.get(mem)!;
            const k = pending.indexOf(b);
            start(k);
            start(k + 1);
            const { columns, lsns, deletes, inputRows } = b.rows!;
            if (inputRows > 0) {
              const { segment: seg, order } = await this.#writeSegment(
                t,
                p,
                columns,
                lsns,
                null,
                deletes,
                inWorker,
                b.built,
              );
              written.push(seg);
              origins.push({ segment: seg, order, inputRows, from: { kind: "mem", mem } });
              stage.segments.push(seg);
              segmentsWritten++;
              rowsWritten += seg.meta.rows;
              bytesWritten += seg.meta.bytes;
            }
            stage.frozenDone++;
          }
          const segs = stage.segments;
          const small = segs.filter((x) => x.meta.rows < compactionSegmentRowsMin);
          const dedupTable = (t.options?.dedupKeyColumnIds.length ?? 0) > 0;
          // in a dedup table, segments sharing a time are merged (a later write replaces an
          // earlier one); in-order ingest writes disjoint ones and never rewrites old data
          const overlap = dedupTable
            ? overlappingSpans(
              segs.map((segment) => this.#timeSpan(t, { kind: "segment", segment })),
            )
            : [];
          const overlapping = segs.filter((_, k) => overlap[k]);
          const merge = overlapping.length > 1
            ? overlapping
            : segs.length > this.#limits.partitionSegmentsMax && small.length > 1
            ? small
            : segs.length > this.#limits.partitionSegmentsMax
            ? segs
            : [];
          if (merge.length > 0) {
            this.#log({
              event: "compaction_started",
              level: "debug",
              partition: p.range.key,
              segments: merge.length,
            });
            // rows deleted after the horizon and marked rows stay, with their delete values
            const { columns, lsns, deletes, inputs } = await this.#segmentRows(t, merge);
            const merged: SegmentState[] = [];
            const inputRows = lsns.length; // the Worker takes the buffer
            if (inputRows > 0) {
              const { segment, order } = await this.#writeSegment(
                t,
                p,
                columns,
                lsns,
                null,
                deletes,
                inWorker,
              );
              merged.push(segment);
              origins.push({
                segment,
                order,
                inputRows,
                from: { kind: "merge", parts: merge.map((seg, k) => [seg, inputs[k]!] as const) },
              });
            }
            written.push(...merged);
            const first = segs.indexOf(merge[0]!);
            const rest = segs.filter((x) => !merge.includes(x));
            rest.splice(Math.min(first, rest.length), 0, ...merged);
            stage.segments = rest;
            // a segment written by this checkpoint and merged away again is just removed
            stage.retired.push(...merge);
            segmentsCompacted += merge.length;
            bytesWritten += merged[0]?.meta.bytes ?? 0;
          }
        }
      }
      await this.#writeManifest(Number(lsn), catalog, staged);
    } catch (e) {
      for (const seg of written) {
        this.#segmentIndexes.delete(seg.meta.id);
        for (const f of [seg.meta.path, seg.meta.indexPath]) {
          if (f !== null) await this.#env.fs.remove(`${this.#dir}/${f}`).catch(() => {});
        }
      }
      throw e;
    }
    // the manifest is durable: install the new layout, with the delete values (marks above all)
    // that changed while the segments were built (in write order: a merge reads its inputs')
    if (this.#deleteEpoch !== epoch) { for (const o of origins) this.#carryDeletes(o); }
    for (const [p, stage] of staged) {
      const t = stage.t;
      this.#retire(stage.retired);
      if (stage.expired) {
        this.#latest.delete(t.id);
        if (t.partitions.get(p.range.key) === p) t.partitions.delete(p.range.key);
        t.sorted = null;
        continue;
      }
      p.segments = stage.segments;
      p.frozen.splice(0, stage.frozenDone);
      if (p.segments.length === 0 && p.frozen.length === 0 && p.mem.rows === 0) {
        t.partitions.delete(p.range.key);
        t.sorted = null;
      }
    }
    await this.#removeObsolete();
    this.#recovery = { checkpointLsn: lsn, catalog };
    return { segmentsWritten, rowsWritten, bytesWritten, segmentsCompacted, partitionsExpired };
  }

  /**
   * Writes the manifest: the tables as they are, with `staged` partitions' segments as a
   * checkpoint is about to install them (expired ones left out).
   */
  async #writeManifest(
    checkpointLsn: number,
    catalog: unknown,
    staged: ReadonlyMap<PartitionState, StagedPartition> = new Map(),
  ): Promise<void> {
    const tables: TableMeta[] = [...this.#tables.values()].map((t) => ({
      id: t.id,
      folder: t.folder,
      columns: t.columns,
      options: t.options,
      fills: Object.fromEntries(
        [...t.fills].map(([id, c]) => [String(id), statToJson(valueAt(c, 0))]),
      ),
      partitions: this.#sortedPartitions(t).filter((p) => !(staged.get(p)?.expired ?? false))
        .map((p): PartitionMeta => ({
          key: p.range.key,
          start: Number.isFinite(p.range.start) ? p.range.start : null,
          end: Number.isFinite(p.range.end) ? p.range.end : null,
          segments: (staged.get(p)?.segments ?? p.segments).map((s) => {
            // committed deletes only: a pending mark is never written
            const rows: number[] = [];
            for (const [row, v] of s.deleted) if (v > 0) rows.push(row);
            rows.sort((a, b) => a - b);
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
    this.#log({ event: "manifest_writing", level: "debug", checkpointLsn });
    try {
      await this.#env.fs.writeFileAtomic(path, encodeManifest(manifest));
    } catch (e) {
      throw fileError(manifestFileName, "write the manifest", e);
    }
    this.#log({ event: "manifest_written", level: "debug", checkpointLsn });
  }

  /** Removes the files the manifest no longer names (best effort: open removes leftovers). */
  async #removeObsolete(): Promise<void> {
    // a dropped table's folder stays while a table of the same id uses it (TRUNCATE recreates)
    const live = new Set([...this.#tables.values()].map((t) => t.folder));
    if (this.#scansOpen > 0) return; // the next checkpoint (or open) removes them
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

  setTableOptions(tableId: number, options: TableOptions): Promise<void> {
    const t = this.#table(tableId);
    t.options = options;
    this.#latest.delete(tableId); // keyed by the old series key
    return Promise.resolve();
  }

  async dropPartitions(tableId: number, keys: readonly string[]): Promise<number> {
    const t = this.#table(tableId);
    this.#latest.delete(tableId);
    let rows = 0;
    for (const key of keys) {
      const p = t.partitions.get(key);
      if (p === undefined) continue;
      const masks = await this.#masks(t, p, latestRowView);
      const sources = this.#sources(p);
      sources.forEach((s, k) => {
        const n = sourceRows(s);
        const m = masks[k];
        for (let i = 0; i < n; i++) if (m === null || m === undefined || m[i] === 1) rows++;
      });
      this.#retire(p.segments);
      t.partitions.delete(key);
      t.sorted = null;
    }
    return rows;
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

  async close(): Promise<void> {
    await this.quiesce();
    if (this.#workerIdleTimer !== null) clearTimeout(this.#workerIdleTimer);
    this.#workerIdleTimer = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#tables.clear();
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
): { keys: Float64Array; key: { min: number; span: number } } | null {
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < ts.length; i++) {
    if (ts[i]! < min) min = ts[i]!;
    if (ts[i]! > max) max = ts[i]!;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) return null;
  if (sort === "time") return { keys: ts, key: { min, span: 0 } };
  if (sort !== "series_time" || series === null) return null;
  const span = max - min + 1;
  if (series.length * span > Number.MAX_SAFE_INTEGER) return null;
  const keys = new Float64Array(ts.length);
  series.forEach(([, start, end], s) => {
    for (let i = start; i < end; i++) keys[i] = s * span + (ts[i]! - min);
  });
  return { keys, key: { min, span } };
}

/** The storage plugin part (`parquet`). */
export const parquetStoragePlugin = {
  name: "parquet",
  open(context: StorageContext): Promise<StorageEngine> {
    return ParquetStorage.open(context);
  },
};
