import type { SequenceSchema } from "../catalog/sequence.ts";
import type { LogicalPlan } from "./logical_plan.ts";
import type { IndexSchema, NewColumn, NewTableOptions, ViewSchema } from "../catalog/catalog.ts";
import type { BoundExpr } from "./expr.ts";
import type { CheckConstraintSchema, TableSchema } from "../catalog/table.ts";
import type { TableAlteration } from "../catalog/alter_table.ts";
import type { DataType } from "../types/data_type.ts";
import type { CopyFormat } from "../io/copy_options.ts";

/** A statement after binding: names resolved against the catalog, types checked. */
export type BoundStatement =
  | { readonly kind: "query"; readonly plan: LogicalPlan }
  | {
    readonly kind: "explain";
    readonly analyze: boolean;
    /** The query's plan, or for INSERT / UPDATE / DELETE the plan of the rows they change. */
    readonly plan: LogicalPlan;
    /** The INSERT, UPDATE or DELETE explained (whose `source` is `plan`); `null` for a query. */
    readonly dml: BoundDml | null;
  }
  | { readonly kind: "set"; readonly name: string; readonly value: string | null }
  | { readonly kind: "show"; readonly name: string }
  | {
    readonly kind: "create_table";
    readonly schema: string;
    readonly name: string;
    readonly ifNotExists: boolean;
    readonly columns: readonly NewColumn[];
    /** Unique indexes backing PRIMARY KEY and UNIQUE constraints. */
    readonly indexes: readonly IndexSchema[];
    /** For CREATE TABLE ... AS: the query whose rows fill the table. */
    readonly source: LogicalPlan | null;
    /** Sequences of its SERIAL / IDENTITY columns, created with it. */
    readonly sequences: readonly SequenceSchema[];
    /** `WITH (...)` time-series options, or `null`. */
    readonly options: NewTableOptions | null;
    /** CHECK constraints, named, in source order. */
    readonly checks: readonly CheckConstraintSchema[];
  }
  | { readonly kind: "checkpoint" }
  | { readonly kind: "verify" }
  | {
    readonly kind: "drop_partitions";
    /** `null` when the table is missing and IF EXISTS was given. */
    readonly table: TableSchema | null;
    readonly keys: readonly string[];
  }
  | {
    readonly kind: "truncate";
    readonly tables: readonly { readonly schema: string; readonly name: string }[];
    readonly restartIdentity: boolean;
  }
  | { readonly kind: "create_schema"; readonly name: string; readonly ifNotExists: boolean }
  | {
    readonly kind: "drop_schema";
    /** The schemas to drop, each once; those IF EXISTS did not find are left out. */
    readonly names: readonly string[];
    readonly cascade: boolean;
  }
  | { readonly kind: "rename_schema"; readonly name: string; readonly newName: string }
  | {
    /** The password in clear until the engine hashes it; it is never logged (see database.ts). */
    readonly kind: "create_user" | "alter_user";
    readonly name: string;
    readonly password: string | null | undefined;
  }
  | { readonly kind: "drop_user"; readonly names: readonly string[]; readonly ifExists: boolean }
  | { readonly kind: "create_token"; readonly user: string }
  | { readonly kind: "drop_token"; readonly id: string; readonly ifExists: boolean }
  | {
    readonly kind: "create_sequence";
    readonly sequence: SequenceSchema;
    readonly ifNotExists: boolean;
  }
  | {
    readonly kind: "drop_sequence";
    readonly sequences: readonly { readonly schema: string; readonly name: string }[];
    readonly ifExists: boolean;
  }
  | {
    readonly kind: "drop_table";
    readonly tables: readonly { readonly schema: string; readonly name: string }[];
    readonly ifExists: boolean;
  }
  | { readonly kind: "create_view"; readonly view: ViewSchema; readonly orReplace: boolean }
  | {
    readonly kind: "drop_view";
    readonly views: readonly { readonly schema: string; readonly name: string }[];
    readonly ifExists: boolean;
  }
  | { readonly kind: "create_index"; readonly index: IndexSchema; readonly ifNotExists: boolean }
  | {
    readonly kind: "drop_index";
    readonly indexes: readonly { readonly schema: string; readonly name: string }[];
    readonly ifExists: boolean;
  }
  | {
    readonly kind: "alter_table";
    /** The table as it is now; `null` when IF EXISTS found none (nothing to do). */
    readonly table: TableSchema | null;
    /** Checked in order against the catalog (IF [NOT] EXISTS skips already left out). */
    readonly alterations: readonly TableAlteration[];
    /** Per alteration: an ADD COLUMN's bound DEFAULT, which fills existing rows; else `null`. */
    readonly defaults: readonly (BoundExpr | null)[];
    /**
     * Per alteration: for an ADD CHECK whose existing rows must be checked (not NOT VALID), its
     * expression bound over the table's columns as they are after the alteration; else `null`.
     */
    readonly checks?: readonly (BoundExpr | null)[];
  }
  | {
    readonly kind: "delete";
    readonly table: TableSchema;
    /** The rows to delete, shaped as `bindDmlSource` (bind_dml.ts) describes. */
    readonly source: LogicalPlan;
    /** Over `source`'s fields. */
    readonly returning: BoundReturning | null;
  }
  | {
    readonly kind: "update";
    readonly table: TableSchema;
    /** The rows to change, shaped as `bindDmlSource` (bind_dml.ts) describes. */
    readonly source: LogicalPlan;
    /** New values by table column position, over `source`'s fields. */
    readonly assignments: ReadonlyMap<number, BoundExpr>;
    /** Over `source`'s fields, where the table's columns hold the new values. */
    readonly returning: BoundReturning | null;
  }
  | {
    readonly kind: "insert";
    readonly table: TableSchema;
    /** For each table column, the source column that fills it, or -1 for NULL. */
    readonly sourceIndexOfColumn: readonly number[];
    readonly source: LogicalPlan;
    /** `ON CONFLICT ...`, or `null` when the INSERT has none. */
    readonly onConflict: BoundOnConflict | null;
    /** Over the table's columns, as the rows are stored. */
    readonly returning: BoundReturning | null;
  }
  | {
    readonly kind: "copy_from";
    readonly table: TableSchema;
    /** For each field of a record, the table column it fills. */
    readonly targets: readonly number[];
    /** The server-side file to read; `null` for STDIN (the client sends the data). */
    readonly path: string | null;
    readonly format: CopyFormat;
    /** COPY FROM ... WHERE, over the table's columns; `null` keeps every row. */
    readonly predicate: BoundExpr | null;
    /** Per table column: the DEFAULT of a column COPY does not fill, else `null`. */
    readonly defaults: readonly (BoundExpr | null)[];
  }
  | {
    readonly kind: "copy_to";
    /** The rows to write: the table's columns or the query's. */
    readonly plan: LogicalPlan;
    /** The server-side file to write; `null` for STDOUT (the rows go to the client). */
    readonly path: string | null;
    readonly format: CopyFormat;
  };

/** The statements that change rows. */
export type BoundDml = Extract<BoundStatement, { kind: "insert" | "update" | "delete" }>;

/** A RETURNING list: one expression per result column. */
export interface BoundReturning {
  readonly exprs: readonly BoundExpr[];
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
}

/** A bound `ON CONFLICT` clause of an INSERT. */
export interface BoundOnConflict {
  /**
   * Table column positions of the unique index or primary key the target names, in the index's
   * column order; `null` = no target (DO NOTHING on a conflict in any unique index).
   */
  readonly keyColumns: readonly number[] | null;
  /** The index's name (for messages); `null` when there is no target. */
  readonly indexName: string | null;
  readonly action:
    | { readonly kind: "nothing" }
    | {
      readonly kind: "update";
      /**
       * Table column position → new value, evaluated over a row laid out as [existing row's
       * table columns..., EXCLUDED row's table columns...] (2 × column count).
       */
      readonly assignments: ReadonlyMap<number, BoundExpr>;
      /** `DO UPDATE ... WHERE` over the same layout; `null` = always. */
      readonly where: BoundExpr | null;
    };
}
