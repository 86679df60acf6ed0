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
}
