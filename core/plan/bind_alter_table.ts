/**
 * Binds ALTER TABLE: resolves the table, turns each action into a {@link TableAlteration} and
 * checks the actions in order against the table as the earlier ones leave it (so errors come
 * before anything is logged). IF EXISTS / IF NOT EXISTS skips are decided here.
 *
 * @module
 */
import { DbError, notSupported, SqlState } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import { type Catalog, defaultSchemaName } from "../catalog/catalog.ts";
import { alterTableSchema, type TableAlteration } from "../catalog/alter_table.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { DataType } from "../types/data_type.ts";
import type { BoundExpr } from "./expr.ts";
import type { BoundStatement } from "./bound_statement.ts";

/** What binding ALTER TABLE needs from the binder. */
export interface AlterTableBinder {
  readonly catalog: Catalog;
  resolveName(name: ast.QualifiedName): { schema: string; name: string };
  bindTypeName(type: ast.TypeName): DataType;
  /** Binds a DEFAULT expression for a column of `type` (checks and coerces it). */
  bindDefault(e: ast.Expr, column: { name: string; type: DataType }): BoundExpr;
}

/**
 * Binds `ALTER TABLE`.
 *
 * @example
 * ```ts
 * import { bindAlterTable } from "./bind_alter_table.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * const catalog = new Catalog(defaultLimits);
 * catalog.createTable("public", "t", [{ name: "a", type: Types.int4, notNull: false }]);
 * const b = bindAlterTable({
 *   kind: "alter_table",
 *   name: { parts: ["t"], pos: 12 },
 *   ifExists: false,
 *   actions: [{ kind: "rename_column", column: "a", to: "b", pos: 14 }],
 *   pos: 0,
 * }, {
 *   catalog,
 *   resolveName: (n) => ({ schema: "public", name: n.parts.at(-1)! }),
 *   bindTypeName: () => Types.int4,
 *   bindDefault: () => { throw new Error("no defaults here"); },
 * });
 * console.assert(b.kind === "alter_table" && b.alterations[0]!.op === "rename_column");
 * ```
 */
export function bindAlterTable(
  stmt: ast.Statement & { kind: "alter_table" },
  binder: AlterTableBinder,
): BoundStatement {
  const { schema, name } = binder.resolveName(stmt.name);
  const catalog = binder.catalog;
  const position = { position: stmt.name.pos + 1 };
  if (schema !== defaultSchemaName) throw notSupported(`schema "${schema}"`, stmt.name.pos + 1);
  const table = catalog.getTable(schema, name);
  if (!table) {
    if (catalog.getView(schema, name) || catalog.getIndex(schema, name)) {
      throw new DbError(
        SqlState.wrongObjectType,
        `ALTER action ${actionName(stmt.actions[0]!)} cannot be performed on relation "${name}"`,
        position,
      );
    }
    if (stmt.ifExists) return { kind: "alter_table", table: null, alterations: [], defaults: [] };
    throw new DbError(SqlState.undefinedTable, `relation "${name}" does not exist`, position);
  }
  const alterations: TableAlteration[] = [];
  const defaults: (BoundExpr | null)[] = [];
  let current: TableSchema = table;
  for (const action of stmt.actions) {
    const bound = bindAction(action, current, binder);
    if (bound === null) continue;
    try {
      current = alterTableSchema(current, bound.alteration, catalog.limits.tableColumnsMax);
    } catch (e) {
      if (e instanceof DbError && e.position === undefined) {
        throw new DbError(e.code, e.message, { position: action.pos + 1 });
      }
      throw e;
    }
    alterations.push(bound.alteration);
    defaults.push(bound.default);
  }
  return { kind: "alter_table", table, alterations, defaults };
}

/** One action, or `null` when IF [NOT] EXISTS makes it a no-op. */
function bindAction(
  action: ast.AlterTableAction,
  table: TableSchema,
  binder: AlterTableBinder,
): { alteration: TableAlteration; default: BoundExpr | null } | null {
  const has = (c: string) => table.columns.some((col) => col.name === c);
  const pos = { position: action.pos + 1 };
  switch (action.kind) {
    case "add_column": {
      const c = action.column;
      if (action.ifNotExists && has(c.name)) return null; // PostgreSQL: a NOTICE
      if (c.primaryKey || c.unique) {
        throw notSupported("ADD COLUMN with PRIMARY KEY or UNIQUE", action.pos + 1);
      }
      const type = binder.bindTypeName(c.type);
      const dflt = c.default === null
        ? null
        : binder.bindDefault(c.default, { name: c.name, type });
      return {
        alteration: {
          op: "add_column",
          column: {
            id: table.nextColumnId,
            name: c.name,
            type,
            notNull: c.notNull,
            default: c.defaultSql,
          },
        },
        default: dflt,
      };
    }
    case "drop_column":
      if (action.ifExists && !has(action.column)) return null; // PostgreSQL: a NOTICE
      return { alteration: { op: "drop_column", column: action.column }, default: null };
    case "rename_column":
      return {
        alteration: { op: "rename_column", column: action.column, to: action.to },
        default: null,
      };
    case "rename_table": {
      const taken = binder.catalog.getTable(table.schema, action.to) ||
        binder.catalog.getView(table.schema, action.to) ||
        binder.catalog.getIndex(table.schema, action.to);
      if (taken) {
        throw new DbError(SqlState.duplicateTable, `relation "${action.to}" already exists`, pos);
      }
      return { alteration: { op: "rename_table", to: action.to }, default: null };
    }
    case "set_default": {
      const col = table.columns.find((c) => c.name === action.column);
      if (col !== undefined && action.default !== null) {
        binder.bindDefault(action.default, col); // checked now, bound again by each INSERT
      }
      return {
        alteration: { op: "set_default", column: action.column, default: action.defaultSql },
        default: null,
      };
    }
    case "set_not_null": {
      const primary = binder.catalog.indexesOf(table.schema, table.name)
        .some((i) => i.primary === true && i.columns.includes(action.column));
      if (!action.notNull && primary) {
        throw new DbError(
          SqlState.invalidTableDefinition,
          `column "${action.column}" is in a primary key`,
          pos,
        );
      }
      return {
        alteration: { op: "set_not_null", column: action.column, notNull: action.notNull },
        default: null,
      };
    }
    default: {
      const never: never = action;
      throw new DbError(SqlState.internalError, `unknown action ${JSON.stringify(never)}`);
    }
  }
}

/** An action as PostgreSQL's messages name it. */
function actionName(action: ast.AlterTableAction): string {
  switch (action.kind) {
    case "add_column":
      return "ADD COLUMN";
    case "drop_column":
      return "DROP COLUMN";
    case "rename_column":
    case "rename_table":
      return "RENAME";
    case "set_default":
      return action.default === null ? "ALTER COLUMN DROP DEFAULT" : "ALTER COLUMN SET DEFAULT";
    case "set_not_null":
      return action.notNull ? "ALTER COLUMN SET NOT NULL" : "ALTER COLUMN DROP NOT NULL";
  }
}
