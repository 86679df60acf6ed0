import type { DataType } from "../types/data_type.ts";
import type { Value } from "../types/column.ts";
import type { AppendFile, ReadFile } from "../env/fs.ts";

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
  /**
   * Called with each statement's result as soon as it is done, before the next statement of
   * the same call runs (a wire protocol sends it even when a later statement fails).
   */
  readonly onResult?: (result: QueryResult) => void;
  /** The client side of `COPY ... FROM STDIN` / `TO STDOUT`; without it they fail (0A000). */
  readonly copy?: CopyClient;
}

/** What a COPY with the client transfers: its format and number of columns. */
export interface CopyTransfer {
  readonly format: "text" | "csv";
  readonly columns: number;
}

/**
 * The client end of `COPY FROM STDIN` and `COPY TO STDOUT` (the PostgreSQL wire protocol's
 * CopyIn / CopyOut sub-protocols). The engine asks for the stream when the statement starts.
 */
export interface CopyClient {
  /** The data the client sends (ends when the client says CopyDone; CopyFail rejects a read). */
  copyIn(transfer: CopyTransfer): Promise<ReadFile>;
  /** Where the rows go; `close()` is called once all are written. */
  copyOut(transfer: CopyTransfer): Promise<AppendFile>;
}
