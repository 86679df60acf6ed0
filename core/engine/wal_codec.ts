/**
 * What the engine writes into the WAL: DDL and inserted rows, as JSON payloads. Row payloads
 * are column-wise; int8 travels as decimal text and non-finite floats as names, so nothing is
 * lost in JSON.
 *
 * @module
 */
import type { SequenceJson } from "../catalog/sequence.ts";
import { DbError, SqlState } from "../errors.ts";
import type { DataType } from "../types/data_type.ts";
import { type Column, columnFromValues, isValid, type Value } from "../types/column.ts";
import type { Batch } from "../types/batch.ts";
import type {
  IndexSchema,
  NewTableOptions,
  TokenSchema,
  UserSchema,
  ViewSchema,
} from "../catalog/catalog.ts";
import type { TableAlteration } from "../catalog/alter_table.ts";
import type { CheckConstraintSchema } from "../catalog/table.ts";

/** WAL record types used by the engine. */
export const WalRecordType = {
  ddl: 1,
  /** Rows as JSON (older records; replay still reads them). */
  rows: 2,
  delete: 3,
  /** Closes the records of one call: recovery applies records up to their commit. */
  commit: 4,
  /** Rows as `u32 table id` + a binary batch (batch_codec.ts). */
  rowBatch: 5,
  /**
   * Cancels the records since the last commit: recovery writes one after it dropped the
   * records of a call that a crash cut short, so that the next call's commit does not apply them.
   */
  abort: 6,
} as const;

/** A DDL change. */
export type DdlChange =
  | {
    readonly op: "create_table";
    readonly schema: string;
    readonly name: string;
    readonly columns: readonly {
      name: string;
      type: DataType;
      notNull: boolean;
      /** DEFAULT as SQL text (absent in records written before defaults existed). */
      default?: string | null;
    }[];
    /** Unique indexes of its PRIMARY KEY / UNIQUE constraints, created with it. */
    readonly indexes?: readonly IndexSchema[];
    /** Sequences of its SERIAL columns, created with it. */
    readonly sequences?: readonly SequenceJson[];
    /** Its `WITH (...)` time-series options. */
    readonly options?: NewTableOptions;
    /** Its CHECK constraints (absent in records written before they existed, or when none). */
    readonly checks?: readonly CheckConstraintSchema[];
  }
  | { readonly op: "drop_table"; readonly schema: string; readonly name: string }
  | { readonly op: "create_schema"; readonly name: string }
  | {
    /** A schema and everything in it (DROP SCHEMA ... CASCADE; RESTRICT finds it empty). */
    readonly op: "drop_schema";
    readonly name: string;
  }
  | { readonly op: "rename_schema"; readonly name: string; readonly newName: string }
  | { readonly op: "create_sequence"; readonly sequence: SequenceJson }
  /** Users hold a SCRAM verifier, never a password (see user_ddl.ts). */
  | { readonly op: "create_user" | "alter_user"; readonly user: UserSchema }
  | { readonly op: "drop_user"; readonly name: string }
  /** Tokens hold the SHA-256 of the token, never the token. */
  | { readonly op: "create_token"; readonly token: TokenSchema }
  | { readonly op: "drop_token"; readonly id: string }
  | { readonly op: "drop_sequence"; readonly schema: string; readonly name: string }
  | { readonly op: "truncate"; readonly schema: string; readonly name: string }
  | {
    /** Whole time partitions dropped (by key, e.g. `2016-01-01`). */
    readonly op: "drop_partitions";
    readonly schema: string;
    readonly name: string;
    readonly keys: readonly string[];
  }
  | {
    /** The last value a sequence handed out, logged after each statement that moved it. */
    readonly op: "sequence_value";
    readonly schema: string;
    readonly name: string;
    readonly last: string | null;
  }
  | { readonly op: "create_view"; readonly view: ViewSchema; readonly orReplace: boolean }
  | { readonly op: "drop_view"; readonly schema: string; readonly name: string }
  | { readonly op: "create_index"; readonly index: IndexSchema }
  | { readonly op: "drop_index"; readonly schema: string; readonly name: string }
  | {
    /** ALTER TABLE: the alterations in order, applied as one change. */
    readonly op: "alter_table";
    readonly schema: string;
    readonly name: string;
    readonly alterations: readonly TableAlteration[];
    /**
     * Per alteration, for ADD COLUMN: the new column's values for the rows already there — one
     * row when `constant`, else one per row in scan order (a volatile default). `null` otherwise.
     */
    readonly fills: readonly ({ readonly constant: boolean; readonly rows: RowsChange } | null)[];
  };

/**
 * Rows removed from a table (by position in scan order at the time), and for an UPDATE the new
 * versions appended in the same record, so the change is atomic in the log.
 */
export interface DeleteChange {
  readonly schema: string;
  readonly name: string;
  readonly positions: readonly number[];
  readonly inserted: RowsChange | null;
}

/** Rows appended to a table. */
export interface RowsChange {
  readonly schema: string;
  readonly name: string;
  readonly length: number;
  readonly columns: readonly (readonly (string | number | boolean | null)[])[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Encodes a JSON payload. */
export function encodeJson(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

/** Decodes a JSON payload; a bad one is data corruption. */
export function decodeJson<T>(bytes: Uint8Array, what: string): T {
  try {
    return JSON.parse(dec.decode(bytes)) as T;
  } catch (e) {
    throw new DbError(
      SqlState.dataCorrupted,
      `cannot decode WAL ${what} record: ${(e as Error).message}`,
    );
  }
}

function encodeValue(col: Column, i: number): string | number | boolean | null {
  if (!isValid(col.validity, i) || col.kind === "unknown") return null;
  const v = (col.data as ArrayLike<unknown>)[i];
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (col.kind === "bool") return v !== 0;
    if (!Number.isFinite(v)) return String(v);
    return v;
  }
  return v as string;
}

/** Encodes a batch's columns. */
export function encodeRows(schema: string, name: string, batch: Batch): RowsChange {
  return {
    schema,
    name,
    length: batch.length,
    columns: batch.columns.map((c) => {
      const out = new Array<string | number | boolean | null>(batch.length);
      for (let i = 0; i < batch.length; i++) out[i] = encodeValue(c, i);
      return out;
    }),
  };
}

/** Decodes columns of the given types. */
export function decodeRows(change: RowsChange, types: readonly DataType[]): Batch {
  const columns = types.map((t, c) => {
    const raw = change.columns[c] ?? [];
    const values: Value[] = raw.map((v) => {
      if (v === null) return null;
      if (t.kind === "int8") return BigInt(v as string);
      if (
        typeof v === "string" &&
        (t.kind === "float4" || t.kind === "float8" || t.kind === "timestamp" ||
          t.kind === "timestamptz")
      ) {
        return Number(v);
      }
      return v;
    });
    return columnFromValues(t, values);
  });
  return { columns, length: change.length };
}
