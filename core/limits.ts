/**
 * Every limit in OmenDB, named with its unit, with its default. Config keys override the
 * ones that have a key (see docs/operations.md); the rest are fixed by the engine's design.
 *
 * @module
 */

/** The engine's limits. Read-only defaults; a database may be opened with overrides. */
export interface Limits {
  /** Rows in one column batch: a power of two. */
  readonly batchRowsMax: number;
  /** Bytes of SQL text accepted in one query. */
  readonly sqlTextBytesMax: number;
  /** Nesting depth of expressions and subqueries the parser accepts. */
  readonly sqlNestingDepthMax: number;
  /** Bytes in an identifier (PostgreSQL's NAMEDATALEN - 1). Longer names are truncated. */
  readonly identifierBytesMax: number;
  /** Columns in one table. */
  readonly tableColumnsMax: number;
  /** Tables in one database. */
  readonly tablesMax: number;
  /** Rows in one INSERT ... VALUES statement. */
  readonly insertValuesRowsMax: number;
  /** Parameters ($1...$n) in one statement. */
  readonly queryParamsMax: number;
  /** Wall-clock time one query may run, in milliseconds (0 = no limit). */
  readonly queryTimeoutMs: number;
  /** Rows one query may return (0 = no limit). */
  readonly queryResultRowsMax: number;
  /** Bytes one query may hold in hash tables, sorts and results. */
  readonly queryMemoryBytesMax: number;
  /** Bytes of one text value. */
  readonly textValueBytesMax: number;
  /** Bytes of one line (record) of a COPY file, quoted newlines included. */
  readonly copyLineBytesMax: number;
  /** Bytes of rows held in memtables before a checkpoint writes them to segments. */
  readonly memtableBytesMax: number;
  /** Bytes of decoded segment columns kept in memory for scans. */
  readonly columnCacheBytesMax: number;
  /** Segments one partition may have before a checkpoint compacts them into one. */
  readonly partitionSegmentsMax: number;
  /**
   * Workers that sort and encode segments at checkpoints (0: on the main thread, and automatic
   * checkpoints then block the call that triggers them; 1: in the background).
   */
  readonly checkpointWorkers: number;
  /**
   * Milliseconds a checkpoint Worker may sit idle before it is stopped (its heap, grown by the
   * segments it built, goes back to the OS); the next checkpoint starts a new one.
   */
  readonly checkpointWorkerIdleMs: number;
  /**
   * Milliseconds a transaction block may stay open before it is rolled back and its session
   * ended (SQLSTATE 25P04; 0 = no limit). Sessions may lower it (`SET transaction_timeout`).
   */
  readonly transactionTimeoutMs: number;
  /**
   * Milliseconds a session may sit idle inside an open transaction block before the block is
   * rolled back and the session ended (25P03; 0 = no limit). `SET
   * idle_in_transaction_session_timeout` changes it per session.
   */
  readonly idleInTransactionTimeoutMs: number;
  /** Transactions open at once (blocks and running statements); more are refused (54000). */
  readonly transactionsOpenMax: number;
  /**
   * Parsed SQL texts kept for reuse (least recently used dropped first): a prepared statement
   * or a repeated query is not parsed again. 0 turns the cache off.
   */
  readonly parseCacheEntriesMax: number;
  /** Longest SQL text, in UTF-16 code units, that the parse cache keeps. */
  readonly parseCacheTextCharsMax: number;
  /**
   * Generic query plans kept for reuse (least recently used dropped first): a query parsed once
   * (a prepared statement, or the same text again) is bound and optimized once, its parameters
   * read when it runs. 0 turns the cache off.
   */
  readonly planCacheEntriesMax: number;
}

/** Column cache bytes when the machine's memory is not known (no `--allow-sys`). */
export const columnCacheBytesFallback = 512 * 1024 * 1024;
/** Most column cache bytes the default gives, however large the machine. */
export const columnCacheBytesDefaultMax = 4 * 1024 * 1024 * 1024;

/**
 * The default column cache: a quarter of the machine's memory, between
 * {@link columnCacheBytesFallback} and {@link columnCacheBytesDefaultMax}; the fallback when
 * the process may not read the memory size (it never asks for the permission).
 */
function columnCacheBytesDefault(): number {
  try {
    const granted = Deno.permissions.querySync({ name: "sys", kind: "systemMemoryInfo" });
    if (granted.state !== "granted") return columnCacheBytesFallback;
    const quarter = Math.floor(Deno.systemMemoryInfo().total / 4);
    return Math.min(columnCacheBytesDefaultMax, Math.max(columnCacheBytesFallback, quarter));
  } catch {
    return columnCacheBytesFallback;
  }
}

/** The defaults. */
export const defaultLimits: Limits = Object.freeze({
  batchRowsMax: 2048,
  parseCacheEntriesMax: 512,
  parseCacheTextCharsMax: 16 * 1024,
  planCacheEntriesMax: 512,
  sqlTextBytesMax: 16 * 1024 * 1024,
  sqlNestingDepthMax: 1000,
  identifierBytesMax: 63,
  tableColumnsMax: 1600,
  tablesMax: 100_000,
  insertValuesRowsMax: 1_000_000,
  queryParamsMax: 65_535,
  queryTimeoutMs: 30_000,
  queryResultRowsMax: 0,
  queryMemoryBytesMax: 1024 * 1024 * 1024,
  textValueBytesMax: 64 * 1024 * 1024,
  copyLineBytesMax: 64 * 1024 * 1024,
  memtableBytesMax: 128 * 1024 * 1024,
  columnCacheBytesMax: columnCacheBytesDefault(),
  partitionSegmentsMax: 8,
  checkpointWorkers: 1,
  checkpointWorkerIdleMs: 5_000,
  transactionTimeoutMs: 60 * 60 * 1000,
  idleInTransactionTimeoutMs: 10 * 60 * 1000,
  transactionsOpenMax: 1024,
});

/** Merges overrides into the defaults, checking each value. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const merged = { ...defaultLimits, ...overrides };
  for (const [key, value] of Object.entries(merged)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`limit ${key} must be a non-negative integer, got ${value}`);
    }
  }
  if ((merged.batchRowsMax & (merged.batchRowsMax - 1)) !== 0 || merged.batchRowsMax === 0) {
    throw new RangeError(`limit batchRowsMax must be a power of two, got ${merged.batchRowsMax}`);
  }
  return Object.freeze(merged);
}
