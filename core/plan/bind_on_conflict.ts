/**
 * Binding `INSERT ... ON CONFLICT`: the arbiter index its target names (inferred from columns or
 * named by ON CONSTRAINT) and, for DO UPDATE, the SET list and WHERE condition over the existing
 * row followed by the EXCLUDED row (the row the INSERT proposed).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import { walkExpr } from "../sql/walk.ts";
import type { Catalog, IndexSchema } from "../catalog/catalog.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { BoundExpr } from "./expr.ts";
import type { Field } from "./logical_plan.ts";
import type { BoundOnConflict } from "./bound_statement.ts";

/** The name of the proposed row in `ON CONFLICT DO UPDATE`. */
export const excludedName = "excluded";

/** A name scope: the fields visible to expressions. */
export interface OnConflictScope {
  readonly fields: readonly Field[];
}

/** What binding ON CONFLICT needs from the binder. */
export interface OnConflictBinder {
  readonly ctx: { readonly catalog: Catalog };
  /** Binds a WHERE condition (42803 for an aggregate, 42804 when not boolean). */
  dmlPredicate(where: ast.Expr, scope: OnConflictScope): BoundExpr;
  /** Binds a SET list over `scope` (see the binder's `setAssignments`). */
  setAssignments(
    list: readonly ast.SetAssignment[],
    table: TableSchema,
    scope: OnConflictScope,
  ): ReadonlyMap<number, BoundExpr>;
}

/**
 * Binds an `ON CONFLICT` clause of `INSERT INTO table [AS alias]`. Errors as PostgreSQL's:
 * 42703 for an unknown target column, 42P10 when no unique index or primary key has exactly the
 * target's columns, 42704 for an unknown ON CONSTRAINT name (only PRIMARY KEY and UNIQUE
 * constraints have one, not CREATE UNIQUE INDEX), 42601 for DO UPDATE without a target; in DO
 * UPDATE, an unqualified column that both rows have is ambiguous (42702), the table's own name
 * is not visible when it has an alias (42P01) and `excluded.x` is ambiguous (42P09) when the
 * table itself is called `excluded`.
 *
 * @example
 * ```ts
 * import { bindOnConflict } from "./bind_on_conflict.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * const catalog = new Catalog(defaultLimits);
 * const table = catalog.createTable("public", "t", [{ name: "a", type: Types.int4, notNull: true }]);
 * catalog.createIndex({ schema: "public", name: "t_pkey", table: "t", columns: ["a"], unique: true, primary: true });
 * const binder = {
 *   ctx: { catalog },
 *   dmlPredicate: () => { throw new Error("no WHERE here"); },
 *   setAssignments: () => new Map(),
 * };
 * const clause = {
 *   columns: [{ name: "a", pos: 40 }], indexWhere: null, constraint: null,
 *   action: { kind: "nothing" }, pos: 37,
 * } as const;
 * const bound = bindOnConflict(binder, clause, { table, alias: null });
 * console.assert(bound.indexName === "t_pkey" && bound.keyColumns![0] === 0);
 * ```
 */
export function bindOnConflict(
  b: OnConflictBinder,
  clause: ast.OnConflict,
  target: { readonly table: TableSchema; readonly alias: string | null },
): BoundOnConflict {
  const { table, alias } = target;
  const qualifier = alias ?? table.name;
  const tableFields: Field[] = table.columns.map((c) => ({
    name: c.name,
    type: c.type,
    qualifier,
  }));
  const arbiter = arbiterIndex(b, clause, table, tableFields);
  if (clause.action.kind === "nothing") {
    return {
      keyColumns: arbiter === null ? null : keyPositions(table, arbiter),
      indexName: arbiter?.name ?? null,
      action: { kind: "nothing" },
    };
  }
  if (arbiter === null) {
    throw new DbError(
      SqlState.syntaxError,
      "ON CONFLICT DO UPDATE requires inference specification or constraint name",
      { position: clause.pos + 1, hint: "For example, ON CONFLICT (column_name)." },
    );
  }
  const { assignments: list, where } = clause.action;
  const exprs = [...list.map((a) => a.value), ...(where === null ? [] : [where])];
  checkQualifiers(exprs, table, alias);
  const scope: OnConflictScope = {
    fields: [
      ...tableFields,
      ...table.columns.map((c) => ({ name: c.name, type: c.type, qualifier: excludedName })),
    ],
  };
  const assignments = b.setAssignments(list, table, scope);
  return {
    keyColumns: keyPositions(table, arbiter),
    indexName: arbiter.name,
    action: {
      kind: "update",
      assignments,
      where: where === null ? null : b.dmlPredicate(where, scope),
    },
  };
}

/** The unique index the target names, or `null` without a target. */
function arbiterIndex(
  b: OnConflictBinder,
  clause: ast.OnConflict,
  table: TableSchema,
  tableFields: readonly Field[],
): IndexSchema | null {
  const unique = b.ctx.catalog.indexesOf(table.schema, table.name).filter((i) => i.unique);
  if (clause.constraint !== null) {
    const index = unique.find((i) =>
      i.name === clause.constraint && (i.primary === true || i.constraint === true)
    );
    if (index === undefined) {
      throw new DbError(
        SqlState.undefinedObject,
        `constraint "${clause.constraint}" for table "${table.name}" does not exist`,
      );
    }
    return index;
  }
  if (clause.columns === null) return null;
  const names = new Set<string>();
  for (const c of clause.columns) {
    if (!table.columns.some((tc) => tc.name === c.name)) {
      throw new DbError(SqlState.undefinedColumn, `column "${c.name}" does not exist`, {
        position: c.pos + 1,
      });
    }
    names.add(c.name);
  }
  // The inference WHERE names a partial index; every index here is whole, so any predicate is
  // implied. It is still bound, for its errors.
  if (clause.indexWhere !== null) b.dmlPredicate(clause.indexWhere, { fields: tableFields });
  const matching = unique.filter((i) =>
    i.columns.length === names.size && i.columns.every((c) => names.has(c))
  );
  const index = matching.find((i) => i.primary === true) ?? matching[0];
  if (index === undefined) {
    throw new DbError(
      SqlState.invalidColumnReference,
      "there is no unique or exclusion constraint matching the ON CONFLICT specification",
    );
  }
  return index;
}

/** The table positions of an index's columns, in index order. */
function keyPositions(table: TableSchema, index: IndexSchema): number[] {
  return index.columns.map((c) => table.columns.findIndex((tc) => tc.name === c));
}

/**
 * PostgreSQL's errors for qualifiers DO UPDATE cannot use: the table's own name once it has an
 * alias (42P01), and `excluded` when the table is itself called that (42P09).
 */
function checkQualifiers(
  exprs: readonly ast.Expr[],
  table: TableSchema,
  alias: string | null,
): void {
  for (const e of exprs) {
    walkExpr(e, (x) => {
      if (x.kind !== "column_ref" || x.parts.length < 2) return;
      if (x.parts.at(-2) === excludedName && (alias ?? table.name) === excludedName) {
        throw new DbError(
          SqlState.ambiguousAlias,
          `table reference "${excludedName}" is ambiguous`,
          { position: x.pos + 1 },
        );
      }
    });
  }
  if (alias !== null && table.name !== excludedName) rejectTableNameUnderAlias(exprs, table, alias);
}

/**
 * Once `INSERT INTO t AS alias` names the table `alias`, a reference qualified by `t` is
 * PostgreSQL's 42P01 "invalid reference to FROM-clause entry for table" with a hint (rather than
 * the plain "missing FROM-clause entry").
 *
 * @example
 * ```ts
 * import { rejectTableNameUnderAlias } from "./bind_on_conflict.ts";
 * const table = { id: 1, schema: "public", name: "t", columns: [], nextColumnId: 1 };
 * const ref = { kind: "column_ref", parts: ["t", "a"], pos: 40 } as const;
 * try {
 *   rejectTableNameUnderAlias([ref], table, "x");
 *   console.assert(false);
 * } catch (e) {
 *   console.assert((e as { hint: string }).hint === 'Perhaps you meant to reference the table alias "x".');
 * }
 * ```
 */
export function rejectTableNameUnderAlias(
  exprs: readonly ast.Expr[],
  table: TableSchema,
  alias: string,
): void {
  if (alias === table.name) return;
  for (const e of exprs) {
    walkExpr(e, (x) => {
      if (x.kind !== "column_ref" || x.parts.length < 2 || x.parts.at(-2) !== table.name) return;
      throw new DbError(
        SqlState.undefinedTable,
        `invalid reference to FROM-clause entry for table "${table.name}"`,
        { position: x.pos + 1, hint: `Perhaps you meant to reference the table alias "${alias}".` },
      );
    });
  }
}

/**
 * RETURNING of an INSERT with ON CONFLICT DO UPDATE sees the table only: `excluded.x` there is
 * PostgreSQL's 42P01 "invalid reference to FROM-clause entry" (with DO NOTHING there is no
 * EXCLUDED row at all, and the usual "missing FROM-clause entry" applies).
 *
 * @example
 * ```ts
 * import { rejectExcludedInReturning } from "./bind_on_conflict.ts";
 * const items = [{ kind: "star", qualifier: "excluded", pos: 60 }] as const;
 * try {
 *   rejectExcludedInReturning(items, "t");
 *   console.assert(false);
 * } catch (e) {
 *   console.assert((e as { code: string }).code === "42P01");
 * }
 * ```
 */
export function rejectExcludedInReturning(
  items: readonly ast.SelectItem[],
  qualifier: string,
): void {
  if (qualifier === excludedName) return;
  const fail = (pos: number) =>
    new DbError(
      SqlState.undefinedTable,
      `invalid reference to FROM-clause entry for table "${excludedName}"`,
      {
        position: pos + 1,
        hint: `There is an entry for table "${excludedName}", but it cannot be referenced from ` +
          "this part of the query.",
      },
    );
  for (const item of items) {
    if (item.kind === "star") {
      if (item.qualifier === excludedName) throw fail(item.pos);
      continue;
    }
    walkExpr(item.expr, (x) => {
      if (x.kind === "column_ref" && x.parts.length >= 2 && x.parts.at(-2) === excludedName) {
        throw fail(x.pos);
      }
    });
  }
}
