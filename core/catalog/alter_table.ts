/**
 * ALTER TABLE on table descriptions: one pure function per change, so the binder can check a
 * statement's actions in order before anything is logged, and WAL replay applies the very same
 * code. Column ids never change and are never reused: a renamed column keeps its id, an added one
 * takes `nextColumnId`, so storage that addresses data by column id reads old data correctly.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { CheckConstraintSchema, ColumnSchema, TableSchema } from "./table.ts";

/** One resolved change to a table's description (what the WAL records). */
export type TableAlteration =
  /** The column carries its new id (the table's `nextColumnId` when bound). */
  | { readonly op: "add_column"; readonly column: ColumnSchema }
  | { readonly op: "drop_column"; readonly column: string }
  | { readonly op: "rename_column"; readonly column: string; readonly to: string }
  /** The new name; the caller checks that no other relation has it (42P07). */
  | { readonly op: "rename_table"; readonly to: string }
  | { readonly op: "set_default"; readonly column: string; readonly default: string | null }
  | { readonly op: "set_not_null"; readonly column: string; readonly notNull: boolean }
  /** `ADD CHECK`: the constraint, named and over unqualified column names (42710 if taken). */
  | { readonly op: "add_check"; readonly check: CheckConstraintSchema }
  /** `DROP CONSTRAINT` of a CHECK constraint (42704 when there is none of that name). */
  | { readonly op: "drop_check"; readonly name: string }
  /**
   * The table's CHECK constraints as a column rename or drop leaves them (the binder rewrites
   * their SQL text or drops those that read a dropped column, as PostgreSQL does).
   */
  | { readonly op: "set_checks"; readonly checks: readonly CheckConstraintSchema[] }
  /**
   * `SET (dedup_keys = ...)`: the table's series key columns (a superset of the old ones, so
   * rows already stored keep their series).
   */
  | { readonly op: "set_dedup_keys"; readonly columnIds: readonly number[] };

/**
 * Returns `table` with one alteration applied. Errors are PostgreSQL's: 42701 for a duplicate
 * column, 42703 for a missing one, 54011 past `columnsMax`.
 *
 * @example
 * ```ts
 * import { alterTableSchema } from "./alter_table.ts";
 * import { Types } from "../types/mod.ts";
 * const t = {
 *   id: 1,
 *   schema: "public",
 *   name: "t",
 *   columns: [{ id: 1, name: "a", type: Types.int4, notNull: false, default: null }],
 *   nextColumnId: 2,
 * };
 * const u = alterTableSchema(t, { op: "rename_column", column: "a", to: "b" });
 * console.assert(u.columns[0]!.name === "b" && u.columns[0]!.id === 1);
 * ```
 */
export function alterTableSchema(
  table: TableSchema,
  alteration: TableAlteration,
  columnsMax = Infinity,
): TableSchema {
  const a = alteration;
  switch (a.op) {
    case "add_column": {
      if (table.columns.some((c) => c.name === a.column.name)) {
        throw duplicateColumn(table, a.column.name);
      }
      if (table.columns.length + 1 > columnsMax) {
        throw new DbError(SqlState.tooManyColumns, `tables can have at most ${columnsMax} columns`);
      }
      if (a.column.id < table.nextColumnId) {
        throw new DbError(SqlState.internalError, `column id ${a.column.id} was already used`);
      }
      return {
        ...table,
        columns: [...table.columns, a.column],
        nextColumnId: a.column.id + 1,
      };
    }
    case "drop_column": {
      const id = table.columns[columnIndex(table, a.column, true)]!.id;
      const o = table.options;
      if (o !== undefined && (o.timestampColumnId === id || o.dedupKeyColumnIds.includes(id))) {
        throw new DbError(
          SqlState.dependentObjectsStillExist,
          `cannot drop column "${a.column}" of table "${table.name}": it is the table's ${
            o.timestampColumnId === id ? "timestamp column" : "dedup key"
          }`,
        );
      }
      return { ...table, columns: table.columns.filter((c) => c.name !== a.column) };
    }
    case "rename_column": {
      const i = columnIndex(table, a.column, false);
      if (table.columns.some((c) => c.name === a.to)) throw duplicateColumn(table, a.to);
      return replaceColumn(table, i, { name: a.to });
    }
    case "rename_table":
      return { ...table, name: a.to };
    case "set_default":
      return replaceColumn(table, columnIndex(table, a.column, true), { default: a.default });
    case "set_not_null":
      return replaceColumn(table, columnIndex(table, a.column, true), { notNull: a.notNull });
    case "add_check": {
      const checks = table.checks ?? [];
      if (checks.some((c) => c.name === a.check.name)) {
        throw new DbError(
          SqlState.duplicateObject,
          `constraint "${a.check.name}" for relation "${table.name}" already exists`,
        );
      }
      return withChecks(table, [...checks, a.check]);
    }
    case "drop_check": {
      const checks = table.checks ?? [];
      if (!checks.some((c) => c.name === a.name)) {
        throw new DbError(
          SqlState.undefinedObject,
          `constraint "${a.name}" of relation "${table.name}" does not exist`,
        );
      }
      return withChecks(table, checks.filter((c) => c.name !== a.name));
    }
    case "set_checks":
      return withChecks(table, a.checks);
    case "set_dedup_keys": {
      const o = table.options;
      if (o === undefined || o === null) {
        throw new DbError(SqlState.invalidParameterValue, `table "${table.name}" has no options`);
      }
      return { ...table, options: { ...o, dedupKeyColumnIds: [...a.columnIds] } };
    }
    default: {
      const never: never = a;
      throw new DbError(SqlState.internalError, `unknown alteration ${JSON.stringify(never)}`);
    }
  }
}

/** Position of a column; 42703 when missing (`ofRelation`: PostgreSQL's longer message). */
function columnIndex(table: TableSchema, name: string, ofRelation: boolean): number {
  const i = table.columns.findIndex((c) => c.name === name);
  if (i < 0) {
    throw new DbError(
      SqlState.undefinedColumn,
      ofRelation
        ? `column "${name}" of relation "${table.name}" does not exist`
        : `column "${name}" does not exist`,
    );
  }
  return i;
}

function duplicateColumn(table: TableSchema, name: string): DbError {
  return new DbError(
    SqlState.duplicateColumn,
    `column "${name}" of relation "${table.name}" already exists`,
  );
}

/** `table` with these CHECK constraints (the field left out when there are none). */
function withChecks(table: TableSchema, checks: readonly CheckConstraintSchema[]): TableSchema {
  const { checks: _, ...rest } = table;
  return checks.length === 0 ? rest : { ...rest, checks };
}

function replaceColumn(
  table: TableSchema,
  i: number,
  patch: Partial<Omit<ColumnSchema, "id">>,
): TableSchema {
  const columns = table.columns.map((c, k) => (k === i ? { ...c, ...patch } : c));
  return { ...table, columns };
}
