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
}

/** A table. */
export interface TableSchema {
  /** Immutable id, unique in the database. */
  readonly id: number;
  /** Schema (namespace) name; `public` unless given. */
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
}
