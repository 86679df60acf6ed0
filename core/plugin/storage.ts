import type { Batch } from "../types/batch.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Env } from "../env/mod.ts";
import type { Limits } from "../limits.ts";

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
}

/** An open storage engine. */
export interface StorageEngine {
  createTable(table: TableSchema): Promise<void>;
  dropTable(tableId: number): Promise<void>;
  /** Appends rows; columns in table column order. */
  append(tableId: number, batch: Batch): Promise<void>;
  /**
   * Removes rows by position in scan order (0-based, ascending). Scans return rows in a stable
   * order between changes, so positions found by a scan identify rows.
   */
  deleteRows(tableId: number, positions: readonly number[]): Promise<void>;
  /** Streams the table's rows in batches of the projected columns. */
  scan(tableId: number, request: ScanRequest): AsyncIterable<Batch>;
  /** How this engine answers a filter; engines that prune nothing answer "unsupported". */
  filterSupport(tableId: number, filter: BoundExpr): FilterSupport;
  /** Estimated row count, for planning. */
  estimateRows(tableId: number): number;
  close(): Promise<void>;
}

/** What a storage plugin gets when it opens. */
export interface StorageContext {
  readonly env: Env;
  /** The data directory, or `null` for a purely in-memory database. */
  readonly dir: string | null;
  readonly limits: Limits;
}

/** Creates storage engines. */
export interface StoragePlugin {
  readonly name: string;
  open(context: StorageContext): Promise<StorageEngine>;
}
