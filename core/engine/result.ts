import type { DataType } from "../types/data_type.ts";
import type { Value } from "../types/column.ts";

/** One result column. */
export interface ResultColumn {
  readonly name: string;
  readonly type: DataType;
}

/**
 * The result of one statement. `rows` hold JS values: booleans, numbers (int2/int4/float),
 * bigints (int8), strings (text), and numbers of microseconds (timestamps) or days (dates):
 * use `formatValue(type, value)` for PostgreSQL's text form.
 */
export interface QueryResult {
  /** The command tag, as PostgreSQL sends it: `SELECT 3`, `INSERT 0 2`, `CREATE TABLE`. */
  readonly command: string;
  readonly columns: readonly ResultColumn[];
  readonly rows: readonly (readonly Value[])[];
  /** Rows returned (SELECT) or affected (INSERT/UPDATE/DELETE). */
  readonly rowCount: number;
  /**
   * For a call that wrote to a durable database: how its changes were made durable before it
   * returned (see {@link Durability}). Absent when nothing was logged.
   */
  readonly durability?: Durability;
}

/**
 * `fsync`: the commit record was fdatasync'ed (survives a power cut); `interval`: written to the
 * OS only (`wal.sync = "interval"`: survives a crash of the process, not of the machine, until the
 * next sync).
 */
export type Durability = "fsync" | "interval";

/** Per-call options for `Database.query`. */
export interface QueryOptions {
  /** Cancels the query (SQLSTATE 57014). */
  readonly signal?: AbortSignal;
  /** Overrides the query timeout in milliseconds (0 = none). */
  readonly timeoutMs?: number;
}
