/**
 * Binds ALTER TABLE: resolves the table, turns each action into a {@link TableAlteration} and
 * checks the actions in order against the table as the earlier ones leave it (so errors come
 * before anything is logged). IF EXISTS / IF NOT EXISTS skips are decided here.
 *
 * @module
 */
import { DbError, notSupported, SqlState } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import type { Catalog } from "../catalog/catalog.ts";
import { alterTableSchema, type TableAlteration } from "../catalog/alter_table.ts";
import type { CheckConstraintSchema, TableSchema } from "../catalog/table.ts";
import type { DataType } from "../types/data_type.ts";
import type { BoundExpr } from "./expr.ts";
import type { BoundStatement } from "./bound_statement.ts";
import {
  checkColumnNames,
  type CheckTable,
  parseCheckSql,
  quoteIdent,
  rewriteColumnRefs,
} from "./bind_check.ts";

/** What binding ALTER TABLE needs from the binder. */
export interface AlterTableBinder {
  readonly catalog: Catalog;
  /**
   * The table's schema and name as the search path finds them (3F000 for a written schema that
   * does not exist); `written` is the name as written, for 42P01.
   */
  resolveTable(name: ast.QualifiedName): { schema: string; name: string; written: string };
  bindTypeName(type: ast.TypeName): DataType;
  /** Binds a DEFAULT expression for a column of `type` (checks and coerces it). */
  bindDefault(e: ast.Expr, column: { name: string; type: DataType }): BoundExpr;
  /**
   * A new CHECK constraint over `table` (checked, named avoiding `taken`, text unqualified) and
   * its expression bound over `table`'s columns.
   */
  bindCheck(
    def: ast.CheckConstraintDef,
    table: CheckTable,
    taken: (name: string) => boolean,
  ): { check: CheckConstraintSchema; expr: BoundExpr };
  /** Parses a query (a stored CHECK constraint's text is read back as `SELECT <expr>`). */
  parseQuery(sql: string): ast.Query;
  /** Constraint names in use in a schema (CHECK constraints, PRIMARY KEY and UNIQUE indexes). */
  constraintNames(schema: string): ReadonlySet<string>;
}

/** One bound alteration with what running it needs. */
interface BoundAlteration {
  readonly alteration: TableAlteration;
  /** An ADD COLUMN's DEFAULT. */
  readonly default: BoundExpr | null;
  /** An ADD CHECK's expression, when existing rows must be checked. */
  readonly check: BoundExpr | null;
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
 *   resolveTable: (n) => ({ schema: "public", name: n.parts.at(-1)!, written: n.parts.join(".") }),
 *   bindTypeName: () => Types.int4,
 *   bindDefault: () => { throw new Error("no defaults here"); },
 *   bindCheck: () => { throw new Error("no checks here"); },
 *   parseQuery: () => { throw new Error("no checks here"); },
 *   constraintNames: () => new Set(),
 * });
 * console.assert(b.kind === "alter_table" && b.alterations[0]!.op === "rename_column");
 * ```
 */
export function bindAlterTable(
  stmt: ast.Statement & { kind: "alter_table" },
  binder: AlterTableBinder,
): BoundStatement {
  const { schema, name, written } = binder.resolveTable(stmt.name);
  const catalog = binder.catalog;
  const position = { position: stmt.name.pos + 1 };
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
    throw new DbError(SqlState.undefinedTable, `relation "${written}" does not exist`, position);
  }
  const alterations: TableAlteration[] = [];
  const defaults: (BoundExpr | null)[] = [];
  const checks: (BoundExpr | null)[] = [];
  let current: TableSchema = table;
  for (const action of stmt.actions) {
    for (const bound of bindAction(action, current, binder)) {
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
      checks.push(bound.check);
    }
  }
  return {
    kind: "alter_table",
    table,
    alterations,
    defaults,
    ...(checks.some((c) => c !== null) ? { checks } : {}),
  };
}

/** One action's alterations, in order; none when IF [NOT] EXISTS makes it a no-op. */
function bindAction(
  action: ast.AlterTableAction,
  table: TableSchema,
  binder: AlterTableBinder,
): BoundAlteration[] {
  const has = (c: string) => table.columns.some((col) => col.name === c);
  const pos = { position: action.pos + 1 };
  const one = (alteration: TableAlteration): BoundAlteration[] => [
    { alteration, default: null, check: null },
  ];
  switch (action.kind) {
    case "add_column": {
      const c = action.column;
      if (action.ifNotExists && has(c.name)) return []; // PostgreSQL: a NOTICE
      if (c.primaryKey || c.unique) {
        throw notSupported("ADD COLUMN with PRIMARY KEY or UNIQUE", action.pos + 1);
      }
      const type = binder.bindTypeName(c.type);
      const dflt = c.default === null
        ? null
        : binder.bindDefault(c.default, { name: c.name, type });
      const added: BoundAlteration = {
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
        check: null,
      };
      // its CHECK constraints read the table with the new column (whose rows they check)
      const after: CheckTable = {
        name: table.name,
        columns: [...table.columns, { name: c.name, type }],
      };
      return [added, ...addChecks(c.checks ?? [], false, table, after, binder)];
    }
    case "drop_column": {
      if (action.ifExists && !has(action.column)) return []; // PostgreSQL: a NOTICE
      // the CHECK constraints that read the column go with it, as in PostgreSQL
      const kept = (table.checks ?? []).filter((c) =>
        !checkColumnNames(parseCheckSql(binder.parseQuery, c.sql)).includes(action.column)
      );
      return [
        ...one({ op: "drop_column", column: action.column }),
        ...(kept.length === (table.checks ?? []).length
          ? []
          : one({ op: "set_checks", checks: kept })),
      ];
    }
    case "rename_column": {
      // CHECK constraints that read the column follow the new name
      let changed = false;
      const renamed = (table.checks ?? []).map((c) => {
        const e = parseCheckSql(binder.parseQuery, c.sql);
        if (!checkColumnNames(e).includes(action.column)) return c;
        changed = true;
        const sql = rewriteColumnRefs(
          c.sql,
          e,
          (column) => (column === action.column ? quoteIdent(action.to) : null),
        );
        return { ...c, sql };
      });
      return [
        ...one({ op: "rename_column", column: action.column, to: action.to }),
        ...(changed ? one({ op: "set_checks", checks: renamed }) : []),
      ];
    }
    case "rename_table": {
      const taken = binder.catalog.getTable(table.schema, action.to) ||
        binder.catalog.getView(table.schema, action.to) ||
        binder.catalog.getIndex(table.schema, action.to);
      if (taken) {
        throw new DbError(SqlState.duplicateTable, `relation "${action.to}" already exists`, pos);
      }
      return one({ op: "rename_table", to: action.to });
    }
    case "set_default": {
      const col = table.columns.find((c) => c.name === action.column);
      if (col !== undefined && action.default !== null) {
        binder.bindDefault(action.default, col); // checked now, bound again by each INSERT
      }
      return one({ op: "set_default", column: action.column, default: action.defaultSql });
    }
    case "set_options": {
      // only dedup_keys may change, and only grow: rows already stored keep their series
      const ids: number[] = [];
      for (const o of action.options) {
        const at = { position: o.pos + 1 };
        if (o.name.toLowerCase() !== "dedup_keys") {
          throw new DbError(
            SqlState.featureNotSupported,
            `ALTER TABLE ... SET (${o.name}) is not supported; only dedup_keys can change`,
            at,
          );
        }
        const opts = table.options;
        if (opts === undefined || opts === null || opts.timestampColumnId === null) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `option "dedup_keys" needs a table with option "timestamp"`,
            at,
          );
        }
        for (const name of o.value.split(",").map((k) => k.trim()).filter((k) => k !== "")) {
          const c = table.columns.find((c) => c.name === name);
          if (c === undefined) {
            throw new DbError(
              SqlState.undefinedColumn,
              `column "${name}" named in option "dedup_keys" does not exist`,
              at,
            );
          }
          if (!ids.includes(c.id)) ids.push(c.id);
        }
        const dropped = opts.dedupKeyColumnIds.filter((id) => !ids.includes(id));
        if (dropped.length > 0) {
          throw new DbError(
            SqlState.featureNotSupported,
            "dedup_keys can only grow: every key column of the table must stay a key",
            at,
          );
        }
      }
      return ids.length === 0 ? [] : one({ op: "set_dedup_keys", columnIds: ids });
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
      return one({ op: "set_not_null", column: action.column, notNull: action.notNull });
    }
    case "add_constraint": {
      const c = action.constraint;
      if (c.kind !== "check") {
        const what = c.kind === "primary_key" ? "PRIMARY KEY" : "UNIQUE";
        throw notSupported(`ALTER TABLE ... ADD ${what}`, action.pos + 1);
      }
      return addChecks([c], action.notValid === true, table, table, binder);
    }
    case "drop_constraint": {
      if ((table.checks ?? []).some((c) => c.name === action.name)) {
        return one({ op: "drop_check", name: action.name });
      }
      if (keyConstraintNames(table, binder).has(action.name)) {
        throw notSupported(
          "ALTER TABLE ... DROP CONSTRAINT of a PRIMARY KEY or UNIQUE constraint",
          action.pos + 1,
        );
      }
      if (action.ifExists) return []; // PostgreSQL: a NOTICE
      throw new DbError(
        SqlState.undefinedObject,
        `constraint "${action.name}" of relation "${table.name}" does not exist`,
      );
    }
    default: {
      const never: never = action;
      throw new DbError(SqlState.internalError, `unknown action ${JSON.stringify(never)}`);
    }
  }
}

/**
 * ADD CHECK alterations of `table`, whose expressions read `columns` (the table as the action
 * leaves it); unless `notValid`, each carries its bound expression to check the existing rows.
 * A name in use by the table's constraints is 42710, as in PostgreSQL; a generated one also
 * avoids the other tables' constraint names.
 */
function addChecks(
  defs: readonly ast.CheckConstraintDef[],
  notValid: boolean,
  table: TableSchema,
  columns: CheckTable,
  binder: AlterTableBinder,
): BoundAlteration[] {
  if (defs.length === 0) return [];
  const own = new Set([
    ...(table.checks ?? []).map((c) => c.name),
    ...keyConstraintNames(table, binder),
  ]);
  const others = new Set(
    [...binder.constraintNames(table.schema)].filter((n) =>
      !(table.checks ?? []).some((c) => c.name === n)
    ),
  );
  const out: BoundAlteration[] = [];
  for (const d of defs) {
    if (d.name !== null && own.has(d.name)) {
      throw new DbError(
        SqlState.duplicateObject,
        `constraint "${d.name}" for relation "${table.name}" already exists`,
      );
    }
    const { check, expr } = binder.bindCheck(d, columns, (n) => own.has(n) || others.has(n));
    own.add(check.name);
    out.push({
      alteration: { op: "add_check", check },
      default: null,
      check: notValid ? null : expr,
    });
  }
  return out;
}

/** Names of the table's PRIMARY KEY and UNIQUE constraints (their indexes). */
function keyConstraintNames(table: TableSchema, binder: AlterTableBinder): Set<string> {
  return new Set(
    binder.catalog.indexesOf(table.schema, table.name)
      .filter((i) => i.primary === true || i.constraint === true)
      .map((i) => i.name),
  );
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
    case "set_options":
      return "SET";
    case "add_constraint":
      return "ADD CONSTRAINT";
    case "drop_constraint":
      return "DROP CONSTRAINT";
  }
}
