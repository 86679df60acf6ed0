/**
 * Table and column descriptions. Tables and columns carry immutable numeric ids, so renames and
 * dropped columns work over data written earlier.
 *
 * @module
 */
import type { DataType } from "../types/data_type.ts";

/** A column of a table. */
export interface ColumnSchema {
  /** Immutable id, unique within the table. */
  readonly id: number;
  readonly name: string;
  readonly type: DataType;
  readonly notNull: boolean;
  /**
   * The DEFAULT expression as SQL text (bound again by each INSERT, so volatile defaults such as
   * `now()` or `random()` are evaluated per statement or row), or `null` for none (NULL).
   */
  readonly default: string | null;
}

/** A table. */
export interface TableSchema {
  /** Immutable id, unique in the database. */
  readonly id: number;
  /** Schema (namespace) name; `public` unless given. */
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
  /** The id the next added column gets: column ids are never reused, even after a DROP. */
  readonly nextColumnId: number;
  /** Time-series options from `CREATE TABLE ... WITH (...)`; absent = a plain table. */
  readonly options?: TableOptions;
  /**
   * CHECK constraints, which every stored row must not make false; absent (as in catalogs
   * written before they existed) = none.
   */
  readonly checks?: readonly CheckConstraintSchema[];
}

/** A CHECK constraint of a table. */
export interface CheckConstraintSchema {
  /** Unique among the table's CHECK constraints (`t_a_check` when not given). */
  readonly name: string;
  /**
   * The boolean expression as SQL text over the table's columns, by their unqualified names;
   * bound again where rows are stored, and rewritten when a column it reads is renamed.
   */
  readonly sql: string;
}

/** How a time-series table is cut into partitions by its timestamp column. */
export type PartitionUnit = "none" | "hour" | "day" | "week" | "month" | "year";

/**
 * The time-series options of a table (`WITH (timestamp = 'ts', partition_by = 'day',
 * ttl = '30 days', dedup_keys = 'host')`), by column id so renames keep them.
 */
export interface TableOptions {
  /** The designated timestamp column's id, or `null` for none. */
  readonly timestampColumnId: number | null;
  /** Partition unit of the timestamp; `none` keeps one partition. */
  readonly partitionBy: PartitionUnit;
  /** Partitions whose newest possible row is older than this many microseconds are dropped. */
  readonly ttlMicros: number | null;
  /** Last write wins on (these columns, timestamp); empty = keep every row. */
  readonly dedupKeyColumnIds: readonly number[];
}
