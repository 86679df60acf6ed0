import type { Batch } from "../types/batch.ts";
import { DbError, SqlState } from "../errors.ts";
import type { ColumnSchema, TableOptions, TableSchema } from "../catalog/table.ts";
import type { Column } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Env } from "../env/mod.ts";
import type { Limits } from "../limits.ts";
import type { IndexPlugin } from "./index_plugin.ts";

/** How well a storage engine answers a pushed filter (DataFusion's contract). */
export type FilterSupport = "exact" | "inexact" | "unsupported";

/** What a scan reads. */
export interface ScanRequest {
  /** Table column positions to return, in this order. */
  readonly projection: readonly number[];
  /** Filters over the projected columns. Inexact answers are re-checked above the scan. */
  readonly filters: readonly BoundExpr[];
  /** Rows wanted at most, when the plan above needs no more; `null` = all. */
  readonly limit: number | null;
  /** Aborts the scan (timeouts, cancellation). */
  readonly signal: AbortSignal | null;
  /**
   * Read the table as of this commit LSN: rows committed later and deletes committed later are
   * ignored. Absent = everything committed so far.
   */
  readonly snapshotLsn?: bigint;
  /**
   * The reading transaction's pending-delete marks (see {@link StorageEngine.markRows}): rows
   * carrying one of them are hidden. Rows carrying another transaction's mark stay visible.
   */
  readonly ownMarks?: ReadonlySet<number>;
  /**
   * A hint: the rows are read by a `DISTINCT ON (these column ids) ... ORDER BY ..., timestamp
   * DESC`, so an engine that keeps each series' latest row may return only those (a superset of
   * the answer). Engines may ignore it and return every row.
   */
  readonly latestBy?: readonly number[];
}

/**
 * Which rows a list of positions counts (MVCC): the rows a scan with the same `snapshotLsn` and
 * `ownMarks` returns, in scan order.
 */
export interface RowView {
  readonly snapshotLsn?: bigint;
  readonly ownMarks?: ReadonlySet<number>;
}

/** A {@link RowView} resolved for an engine's hot loops: `snapshot` null = latest, `own` null = none. */
export interface ResolvedRowView {
  readonly snapshot: number | null;
  readonly own: ReadonlySet<number> | null;
}

/** The latest view: no snapshot, no own marks. */
export const latestRowView: ResolvedRowView = Object.freeze({ snapshot: null, own: null });

/**
 * Resolves a view once per request (LSNs as numbers, an empty mark set as none).
 *
 * @example
 * ```ts
 * import { resolveRowView } from "./storage.ts";
 * const v = resolveRowView({ snapshotLsn: 7n, ownMarks: new Set() });
 * console.assert(v.snapshot === 7 && v.own === null);
 * ```
 */
export function resolveRowView(v: RowView): ResolvedRowView {
  return {
    snapshot: v.snapshotLsn === undefined ? null : Number(v.snapshotLsn),
    own: v.ownMarks !== undefined && v.ownMarks.size > 0 ? v.ownMarks : null,
  };
}

/** What {@link StorageEngine.markRows} found. */
export type MarkResult =
  /** Every row now carries the mark. */
  | { readonly kind: "marked" }
  /**
   * A row was deleted by a commit after the view's snapshot (a concurrent update or delete the
   * transaction cannot see): nothing was marked. Repeatable read answers 40001.
   */
  | { readonly kind: "deleted_after_snapshot" }
  /** A row carries another transaction's pending mark `mark`: nothing was marked. */
  | { readonly kind: "marked_by_other"; readonly mark: number };

/**
 * For engines that keep one delete value per row (0 live, a positive committed delete LSN, or
 * `-mark` for a pending mark): why a row with delete value `value` visible in the marking view
 * cannot take `mark`, or `null` when it can.
 *
 * @example
 * ```ts
 * import { markConflict } from "./storage.ts";
 * console.assert(markConflict(0, 7) === null && markConflict(-7, 7) === null);
 * console.assert(markConflict(12, 7)!.kind === "deleted_after_snapshot");
 * console.assert(markConflict(-3, 7)!.kind === "marked_by_other");
 * ```
 */
export function markConflict(value: number, mark: number): MarkResult | null {
  if (value > 0) return { kind: "deleted_after_snapshot" };
  if (value < 0 && -value !== mark) return { kind: "marked_by_other", mark: -value };
  return null;
}

/** Checks a mark given to `markRows` is a positive safe integer (XX000 otherwise: an engine bug). */
export function checkMark(mark: number): void {
  if (!(Number.isSafeInteger(mark) && mark > 0)) {
    throw new DbError(SqlState.internalError, `markRows: mark ${mark} is not a positive integer`);
  }
}

/** What a durable engine found on disk when it opened. */
export interface StorageRecovery {
  /** Every WAL record at or below this LSN is already in the engine's files. */
  readonly checkpointLsn: bigint;
  /** The catalog the engine was given at that checkpoint (see {@link StorageEngine.checkpoint}). */
  readonly catalog: unknown;
}

/** What a checkpoint did. */
export interface CheckpointStats {
  readonly segmentsWritten: number;
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  readonly segmentsCompacted: number;
  readonly partitionsExpired: number;
}

/**
 * What the rows already in a table hold in a column that ALTER TABLE ADD COLUMN adds: one value
 * for every row (a constant default, or NULL), or one value per row in scan order (a volatile
 * default such as `random()`). Columns are of the new column's type.
 */
export type ColumnFill =
  /** `value` has length 1. A columnar engine may record it as the column's "missing value". */
  | { readonly kind: "constant"; readonly value: Column }
  /** `values` has one entry per existing row, in scan order. */
  | { readonly kind: "rows"; readonly values: Column };

/** An open storage engine. */
export interface StorageEngine {
  createTable(table: TableSchema): Promise<void>;
  dropTable(tableId: number): Promise<void>;
  /**
   * Adds a column after the last one (ALTER TABLE ADD COLUMN); existing rows read `fill`.
   * `column.id` is new to the table: an engine that stores data by column id (Parquet field ids)
   * must not find it in files written earlier. Renames need no call: columns are addressed by
   * position in requests and by id in storage.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { realEnv } from "../env/mod.ts";
   * import { defaultLimits } from "../limits.ts";
   * import { columnFromValues, valueAt } from "../types/column.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true }); // registers the memory storage plugin
   * const s = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
   * const a = { id: 1, name: "a", type: Types.int4, notNull: false, default: null };
   * await s.createTable({ id: 1, schema: "public", name: "t", columns: [a], nextColumnId: 2 });
   * await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 });
   * const b = { id: 2, name: "b", type: Types.text, notNull: false, default: "'x'" };
   * await s.addColumn(1, b, { kind: "constant", value: columnFromValues(Types.text, ["x"]) });
   * const req = { projection: [1], filters: [], limit: null, signal: null };
   * for await (const batch of s.scan(1, req)) console.assert(valueAt(batch.columns[0]!, 1) === "x");
   * ```
   */
  addColumn(tableId: number, column: ColumnSchema, fill: ColumnFill): Promise<void>;
  /**
   * Removes a column by id (ALTER TABLE DROP COLUMN): later requests no longer count it, so
   * positions of the columns after it shift down by one. The data may be dropped lazily, but a
   * later column never reads it (ids are not reused).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { realEnv } from "../env/mod.ts";
   * import { defaultLimits } from "../limits.ts";
   * import { columnFromValues, valueAt } from "../types/column.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true }); // registers the memory storage plugin
   * const s = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
   * const col = (id: number, name: string) => ({ id, name, type: Types.int4, notNull: false, default: null });
   * await s.createTable({ id: 1, schema: "public", name: "t", columns: [col(1, "a"), col(2, "b")], nextColumnId: 3 });
   * await s.append(1, { columns: [columnFromValues(Types.int4, [1]), columnFromValues(Types.int4, [2])], length: 1 });
   * await s.dropColumn(1, 1);
   * const req = { projection: [0], filters: [], limit: null, signal: null };
   * for await (const batch of s.scan(1, req)) console.assert(valueAt(batch.columns[0]!, 0) === 2);
   * ```
   */
  dropColumn(tableId: number, columnId: number): Promise<void>;
  /**
   * Appends rows committed at `lsn` (a positive, increasing commit LSN; 0 when not logged, and
   * then snapshots cannot tell the rows apart); columns in table column order.
   */
  append(tableId: number, batch: Batch, lsn?: bigint): Promise<void>;
  /**
   * Removes rows by position in the latest view's scan order (0-based, ascending), as of a
   * delete committed at `lsn`; a pending mark on such a row is replaced. Scans return rows in a
   * stable order between changes, so positions found by a scan identify rows. Rows deleted
   * stay readable by snapshots older than `lsn` until the horizon passes it.
   */
  deleteRows(tableId: number, positions: readonly number[], lsn?: bigint): Promise<void>;
  /**
   * Marks rows (positions in the scan order of `view`) as about to be deleted by an uncommitted
   * transaction: `mark` is a positive integer naming the (sub)transaction. Checks every row
   * first and marks none when one conflicts (see {@link MarkResult}). A marked row stays
   * visible to every scan whose `ownMarks` lacks the mark and keeps its position in the latest
   * view; a durable engine never writes a pending mark to its files (a checkpoint keeps it in
   * memory only). Marks end with {@link StorageEngine.unmarkRows} (rollback) or
   * {@link StorageEngine.deleteRows} (commit).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { realEnv } from "../env/mod.ts";
   * import { defaultLimits } from "../limits.ts";
   * import { columnFromValues } from "../types/column.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
   * const a = { id: 1, name: "a", type: Types.int4, notNull: false, default: null };
   * await s.createTable({ id: 1, schema: "public", name: "t", columns: [a], nextColumnId: 2 });
   * await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2, 3])], length: 3 }, 1n);
   * console.assert((await s.markRows(1, [1], {}, 7)).kind === "marked");
   * console.assert((await s.markedPositions(new Set([7]))).get(1)![0] === 1);
   * const count = async (own: Set<number>) => {
   *   let n = 0;
   *   for await (const b of s.scan(1, { projection: [0], filters: [], limit: null, signal: null, ownMarks: own })) n += b.length;
   *   return n;
   * };
   * console.assert(await count(new Set([7])) === 2 && await count(new Set()) === 3);
   * ```
   */
  markRows(
    tableId: number,
    positions: readonly number[],
    view: RowView,
    mark: number,
  ): Promise<MarkResult>;
  /** Removes every pending mark in `marks`, in every table (a rollback). */
  unmarkRows(marks: ReadonlySet<number>): Promise<void>;
  /**
   * The positions, in the latest view (no snapshot, no own marks), of the rows carrying one of
   * `marks`, ascending, by table id (tables without any are left out). A commit logs these and
   * then hands them to {@link StorageEngine.deleteRows}.
   */
  markedPositions(marks: ReadonlySet<number>): Promise<Map<number, number[]>>;
  /**
   * The oldest snapshot LSN a reader may still scan at: rows deleted by commits at or below it
   * may be dropped for good (compaction, garbage collection). Before the first call, engines
   * keep every deleted row (the safe side); callers move it forward only.
   */
  setHorizon(lsn: bigint): void;
  /** Streams the table's rows in batches of the projected columns. */
  scan(tableId: number, request: ScanRequest): AsyncIterable<Batch>;
  /**
   * Optional: the rows {@link StorageEngine.scan} gives, produced synchronously, for short
   * queries that should not pay for promises (the executor's synchronous path). Iterating
   * throws {@link ScanWouldWait} where the scan would have to wait (a file to read, an index
   * to load); the caller then runs the whole query again the asynchronous way, so the engine
   * must not have changed anything by then.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { realEnv } from "../env/mod.ts";
   * import { defaultLimits } from "../limits.ts";
   * import { columnFromValues } from "../types/column.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
   * const a = { id: 1, name: "a", type: Types.int4, notNull: false, default: null };
   * await s.createTable({ id: 1, schema: "public", name: "t", columns: [a], nextColumnId: 2 });
   * await s.append(1, { columns: [columnFromValues(Types.int4, [1, 2])], length: 2 }, 1n);
   * let n = 0;
   * for (const b of s.scanSync!(1, { projection: [0], filters: [], limit: null, signal: null })) n += b.length;
   * console.assert(n === 2);
   * await db.close();
   * ```
   */
  scanSync?(tableId: number, request: ScanRequest): Iterable<Batch>;
  /** How this engine answers a filter; engines that prune nothing answer "unsupported". */
  filterSupport(tableId: number, filter: BoundExpr): FilterSupport;
  /** Estimated row count, for planning. */
  estimateRows(tableId: number): number;
  close(): Promise<void>;
  /**
   * Durable engines: makes everything appended so far (all of it committed at or below `lsn`)
   * durable in the engine's own files together with `catalog` (opaque JSON the engine hands
   * back from {@link StorageEngine.recovered}), so the WAL through `lsn` can be dropped. May also
   * compact segments and drop expired partitions. Resolves when that is durable.
   */
  checkpoint?(lsn: bigint, catalog: unknown): Promise<CheckpointStats>;
  /**
   * Like {@link StorageEngine.checkpoint}, but appends and scans may go on while it runs (the
   * memtables are frozen when it starts). Other changes wait for {@link StorageEngine.quiesce}.
   */
  checkpointInBackground?(lsn: bigint, catalog: unknown): Promise<CheckpointStats>;
  /** Resolves when no background checkpoint is running. */
  quiesce?(): Promise<void>;
  /** Durable engines: what the last checkpoint left on disk; `null` when there was none. */
  recovered?(): StorageRecovery | null;
  /** Bytes held in memory that a checkpoint would write out. */
  unflushedBytes?(): number;
  /**
   * The table's time-series options changed (`ALTER TABLE ... SET (dedup_keys = ...)`: the
   * series key grew). Engines that deduplicate or keep a latest-row table by series use the new
   * key from now on; rows already stored keep theirs.
   */
  setTableOptions?(tableId: number, options: TableOptions): Promise<void>;
  /** Drops whole time partitions by key (`ALTER TABLE ... DROP PARTITION`); rows dropped. */
  dropPartitions?(tableId: number, keys: readonly string[]): Promise<number>;
  /** Checks the engine's files without changing anything; one line per problem found. */
  verify?(): Promise<string[]>;
}

/** What the executor needs of storage: scans (a transaction's view adds its own rows). */
export type TableReader = Pick<StorageEngine, "scan" | "scanSync">;

/**
 * Thrown while iterating {@link StorageEngine.scanSync} where the scan would have to wait for
 * I/O: the caller runs the query asynchronously instead. Never reaches a user.
 */
export class ScanWouldWait extends Error {
  constructor() {
    super("the scan would wait for I/O");
    this.name = "ScanWouldWait";
  }
}

/** What a storage plugin gets when it opens. */
export interface StorageContext {
  readonly env: Env;
  /** The data directory, or `null` for a purely in-memory database. */
  readonly dir: string | null;
  readonly limits: Limits;
  /** The index plugin for sorted segment keys (the learned index), if one is registered. */
  readonly index?: IndexPlugin | null;
  /** Receives notable events (segments written, files removed, ...). */
  readonly log?: (event: Record<string, unknown>) => void;
}

/** Creates storage engines. */
export interface StoragePlugin {
  readonly name: string;
  open(context: StorageContext): Promise<StorageEngine>;
}

/**
 * A storage engine's table state by id; 42P01 when storage has no such table. For engines that
 * keep their tables in a Map (both built-in ones do).
 *
 * @example
 * ```ts
 * import { tableById } from "./storage.ts";
 * console.assert(tableById(new Map([[1, "t"]]), 1) === "t");
 * ```
 */
export function tableById<T>(tables: ReadonlyMap<number, T>, id: number): T {
  const t = tables.get(id);
  if (t === undefined) {
    throw new DbError(SqlState.undefinedTable, `table with id ${id} does not exist in storage`);
  }
  return t;
}

/** The error of creating a table whose id storage already has (an engine bug, not user input). */
export function duplicateTableId(id: number): DbError {
  return new DbError(SqlState.duplicateTable, `table id ${id} already exists`);
}
