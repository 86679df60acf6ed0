import type { LogicalPlan } from "./logical_plan.ts";
import type { IndexSchema, NewColumn, ViewSchema } from "../catalog/catalog.ts";
import type { BoundExpr } from "./expr.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { CopyFormat } from "../io/copy_options.ts";

/** A statement after binding: names resolved against the catalog, types checked. */
export type BoundStatement =
  | { readonly kind: "query"; readonly plan: LogicalPlan }
  | { readonly kind: "explain"; readonly analyze: boolean; readonly plan: LogicalPlan }
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
    readonly kind: "delete";
    readonly table: TableSchema;
    /** Over the table's columns; `null` deletes every row. */
    readonly predicate: BoundExpr | null;
  }
  | {
    readonly kind: "update";
    readonly table: TableSchema;
    /** New values by table column position, over the table's columns. */
    readonly assignments: ReadonlyMap<number, BoundExpr>;
    readonly predicate: BoundExpr | null;
  }
  | {
    readonly kind: "insert";
    readonly table: TableSchema;
    /** For each table column, the source column that fills it, or -1 for NULL. */
    readonly sourceIndexOfColumn: readonly number[];
    readonly source: LogicalPlan;
  }
  | {
    readonly kind: "copy_from";
    readonly table: TableSchema;
    /** For each field of a record, the table column it fills. */
    readonly targets: readonly number[];
    /** The server-side file to read. */
    readonly path: string;
    readonly format: CopyFormat;
    /** COPY FROM ... WHERE, over the table's columns; `null` keeps every row. */
    readonly predicate: BoundExpr | null;
  }
  | {
    readonly kind: "copy_to";
    /** The rows to write: the table's columns or the query's. */
    readonly plan: LogicalPlan;
    readonly path: string;
    readonly format: CopyFormat;
  };
