import type { LogicalPlan } from "./logical_plan.ts";
import type { NewColumn } from "../catalog/catalog.ts";
import type { TableSchema } from "../catalog/table.ts";

/** A statement after binding: names resolved against the catalog, types checked. */
export type BoundStatement =
  | { readonly kind: "query"; readonly plan: LogicalPlan }
  | {
    readonly kind: "create_table";
    readonly schema: string;
    readonly name: string;
    readonly ifNotExists: boolean;
    readonly columns: readonly NewColumn[];
    /** For CREATE TABLE ... AS: the query whose rows fill the table. */
    readonly source: LogicalPlan | null;
  }
  | {
    readonly kind: "drop_table";
    readonly tables: readonly { readonly schema: string; readonly name: string }[];
    readonly ifExists: boolean;
  }
  | {
    readonly kind: "insert";
    readonly table: TableSchema;
    /** For each table column, the source column that fills it, or -1 for NULL. */
    readonly sourceIndexOfColumn: readonly number[];
    readonly source: LogicalPlan;
  };
