/**
 * Runs ALTER TABLE in two steps: {@link planAlterTable} checks the data (NOT NULL, dependent
 * views) and computes the values an added column gives the rows already there, changing nothing;
 * the resulting WAL change is logged, then {@link applyAlterTable} changes catalog and storage.
 * Replay calls `applyAlterTable` with the logged change, so volatile defaults (`random()`) and
 * `now()` fill existing rows with the values first computed.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Catalog, ViewSchema } from "../catalog/catalog.ts";
import { alterTableSchema } from "../catalog/alter_table.ts";
import type { ColumnSchema, TableSchema } from "../catalog/table.ts";
import type { StorageEngine } from "../plugin/storage.ts";
import type { BoundStatement } from "../plan/bound_statement.ts";
import type { BoundExpr } from "../plan/expr.ts";
import { isVolatile } from "../plan/expr_utils.ts";
import type { ExecContext } from "../exec/context.ts";
import { evaluate } from "../exec/eval.ts";
import { castColumn } from "../exec/kernels/cast.ts";
import { type Column, concatColumns, isValid, nullColumn, takeColumn } from "../types/column.ts";
import type { BoundCheck } from "../plan/bind_check.ts";
import { firstFailure } from "./check_constraints.ts";
import { sameType } from "../types/data_type.ts";
import { type DdlChange, decodeRows, encodeRows } from "./wal_codec.ts";

/** What planning an ALTER TABLE reads. */
export interface AlterTableDeps {
  readonly catalog: Catalog;
  readonly storage: StorageEngine;
  readonly ctx: ExecContext;
  /** A view's output column names, bound against the catalog as it is now (throws if broken). */
  readonly viewColumns: (view: ViewSchema) => readonly string[];
}

type AlterChange = DdlChange & { op: "alter_table" };

/**
 * Checks a bound ALTER TABLE against the stored rows and returns the WAL change that performs
 * it. 23502 when NOT NULL meets a NULL, 23514 when a row makes an added CHECK false, 2BP01 when
 * DROP COLUMN would break a view.
 */
export async function planAlterTable(
  bound: BoundStatement & { kind: "alter_table" },
  deps: AlterTableDeps,
): Promise<AlterChange> {
  const table = bound.table!;
  const { storage, ctx } = deps;
  const rows = await countRows(storage, table.id, ctx);
  const fills: ({ constant: boolean; rows: ReturnType<typeof encodeRows> } | null)[] = [];
  /** Values of columns this statement adds, by column id. */
  const added = new Map<number, Column>();
  /** The same, with whether they are one value for every row. */
  const addedFills = new Map<number, { constant: boolean; values: Column }>();
  const droppedIds = new Set<number>();
  let current = table;
  for (const [i, a] of bound.alterations.entries()) {
    const before = current;
    current = alterTableSchema(current, a);
    fills.push(null);
    if (a.op === "add_column") {
      const fill = computeFill(a.column, bound.defaults[i] ?? null, rows, ctx);
      added.set(a.column.id, fill.values);
      addedFills.set(a.column.id, fill);
      if (a.column.notNull && rows > 0) checkNoNulls(fill.values, table, a.column.name);
      fills[i] = {
        constant: fill.constant,
        rows: encodeRows(table.schema, table.name, {
          columns: [fill.values],
          length: fill.values.length,
        }),
      };
    } else if (a.op === "drop_column") {
      droppedIds.add(before.columns.find((c) => c.name === a.column)!.id);
    } else if (a.op === "set_not_null" && a.notNull && rows > 0) {
      const id = current.columns.find((c) => c.name === a.column)!.id;
      const values = added.get(id) ?? await readColumn(storage, table, id, ctx);
      checkNoNulls(values, table, a.column);
    } else if (a.op === "add_check" && rows > 0) {
      const expr = bound.checks?.[i] ?? null;
      if (expr !== null) {
        const check = { name: a.check.name, expr };
        await checkExistingRows({ stored: table, current, check, fills: addedFills }, storage, ctx);
      }
    }
  }
  if (droppedIds.size > 0) checkViews(table, droppedIds, deps);
  return {
    op: "alter_table",
    schema: table.schema,
    name: table.name,
    alterations: bound.alterations,
    fills,
  };
}

/**
 * Applies a logged ALTER TABLE change to catalog and storage; returns the altered table.
 *
 * @example
 * ```ts
 * import { applyAlterTable } from "./alter_table.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { Database } from "../../mod.ts";
 * import { realEnv } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * const db = await Database.open({ memory: true });
 * const storage = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
 * const catalog = new Catalog(defaultLimits);
 * await storage.createTable(catalog.createTable("public", "t", [{ name: "a", type: Types.int4, notNull: false }]));
 * const t = await applyAlterTable({
 *   op: "alter_table", schema: "public", name: "t",
 *   alterations: [{ op: "rename_table", to: "u" }], fills: [null],
 * }, catalog, storage);
 * console.assert(t.name === "u" && catalog.getTable("public", "u") !== null);
 * ```
 */
export async function applyAlterTable(
  change: AlterChange,
  catalog: Catalog,
  storage: StorageEngine,
): Promise<TableSchema> {
  let t = catalog.getTable(change.schema, change.name);
  if (!t) {
    throw new DbError(SqlState.dataCorrupted, `ALTER TABLE of unknown table ${change.name}`);
  }
  for (const [i, a] of change.alterations.entries()) {
    const next = alterTableSchema(t, a);
    if (a.op === "rename_column") {
      catalog.replaceTable(next, { renamedColumns: new Map([[a.column, a.to]]) });
    } else if (a.op === "drop_column") {
      catalog.replaceTable(next, { droppedColumns: new Set([a.column]) });
      await storage.dropColumn(t.id, t.columns.find((c) => c.name === a.column)!.id);
    } else catalog.replaceTable(next);
    if (a.op === "set_dedup_keys" && next.options) {
      await storage.setTableOptions?.(t.id, next.options);
    }
    if (a.op === "add_column") {
      const fill = change.fills[i];
      if (!fill) throw new DbError(SqlState.dataCorrupted, `ADD COLUMN ${a.column.name}: no fill`);
      const [values] = decodeRows(fill.rows, [a.column.type]).columns;
      await storage.addColumn(
        t.id,
        a.column,
        fill.constant ? { kind: "constant", value: values! } : { kind: "rows", values: values! },
      );
    }
    t = next;
  }
  return t;
}

/** What an added column holds in existing rows: its default, once or per row when volatile. */
function computeFill(
  column: ColumnSchema,
  dflt: BoundExpr | null,
  rows: number,
  ctx: ExecContext,
): { constant: boolean; values: Column } {
  if (dflt === null) return { constant: true, values: nullColumn(column.type, 1) };
  const adopt = (
    c: Column,
  ): Column => (sameType(c.type, column.type) ? c : castColumn(c, column.type));
  if (!isVolatile(dflt)) {
    return { constant: true, values: adopt(evaluate(dflt, { columns: [], length: 1 }, ctx)) };
  }
  const parts: Column[] = [];
  const step = ctx.limits.batchRowsMax;
  for (let start = 0; start < rows; start += step) {
    ctx.check();
    const length = Math.min(step, rows - start);
    parts.push(adopt(evaluate(dflt, { columns: [], length }, ctx)));
  }
  return { constant: false, values: concatColumns(column.type, parts) };
}

/**
 * ADD CHECK over the rows already stored: 23514 when one makes the check false. The check reads
 * `current` (the table as the statement's earlier alterations leave it): stored columns from
 * storage, columns the statement adds from their fill.
 */
async function checkExistingRows(
  what: {
    readonly stored: TableSchema;
    readonly current: TableSchema;
    readonly check: BoundCheck;
    readonly fills: ReadonlyMap<number, { readonly constant: boolean; readonly values: Column }>;
  },
  storage: StorageEngine,
  ctx: ExecContext,
): Promise<void> {
  const { stored, current, check, fills } = what;
  const source = current.columns.map((c) => stored.columns.findIndex((s) => s.id === c.id));
  const scan = storage.scan(stored.id, {
    projection: source.filter((k) => k >= 0),
    filters: [],
    limit: null,
    signal: ctx.signal,
  });
  let base = 0;
  for await (const b of scan) {
    ctx.check();
    let next = 0;
    const columns = current.columns.map((c, k) => {
      if (source[k]! >= 0) return b.columns[next++]!;
      const fill = fills.get(c.id);
      if (fill === undefined) {
        throw new DbError(SqlState.internalError, `no values for column "${c.name}"`);
      }
      const rows = fill.constant
        ? new Uint32Array(b.length)
        : Uint32Array.from({ length: b.length }, (_, i) => base + i);
      return takeColumn(fill.values, rows);
    });
    if (firstFailure([check], { columns, length: b.length }, ctx) !== null) {
      throw new DbError(
        SqlState.checkViolation,
        `check constraint "${check.name}" of relation "${stored.name}" is violated by some row`,
      );
    }
    base += b.length;
  }
}

function checkNoNulls(values: Column, table: TableSchema, column: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values.kind === "unknown" || !isValid(values.validity, i)) {
      throw new DbError(
        SqlState.notNullViolation,
        `column "${column}" of relation "${table.name}" contains null values`,
      );
    }
  }
}

async function countRows(storage: StorageEngine, tableId: number, ctx: ExecContext) {
  let n = 0;
  const scan = storage.scan(tableId, { projection: [], filters: [], limit: null, signal: null });
  for await (const b of scan) {
    ctx.check();
    n += b.length;
  }
  return n;
}

async function readColumn(
  storage: StorageEngine,
  table: TableSchema,
  columnId: number,
  ctx: ExecContext,
): Promise<Column> {
  const i = table.columns.findIndex((c) => c.id === columnId);
  const column = table.columns[i]!;
  const parts: Column[] = [];
  const scan = storage.scan(table.id, {
    projection: [i],
    filters: [],
    limit: null,
    signal: ctx.signal,
  });
  for await (const b of scan) {
    ctx.check();
    parts.push(b.columns[0]!);
  }
  return concatColumns(column.type, parts);
}

/**
 * 2BP01 when a view reads a column being dropped: it no longer binds, or its columns change (a
 * `*` that covered the column). PostgreSQL records such dependencies when the view is created;
 * views here are SQL text, so they are bound again without the columns to find out.
 */
function checkViews(table: TableSchema, droppedIds: ReadonlySet<number>, deps: AlterTableDeps) {
  const { catalog } = deps;
  const probe: TableSchema = {
    ...table,
    columns: table.columns.filter((c) => !droppedIds.has(c.id)),
  };
  const dropped = table.columns.filter((c) => droppedIds.has(c.id)).map((c) => c.name);
  for (const view of catalog.views()) {
    let before: readonly string[];
    try {
      before = deps.viewColumns(view);
    } catch {
      continue; // already broken: nothing of ours depends on it
    }
    let depends = false;
    catalog.replaceTable(probe);
    try {
      const after = deps.viewColumns(view);
      depends = after.length !== before.length || after.some((n, k) => n !== before[k]);
    } catch {
      depends = true;
    } finally {
      catalog.replaceTable(table);
    }
    if (depends) {
      throw new DbError(
        SqlState.dependentObjectsStillExist,
        `cannot drop column ${
          dropped[0]
        } of table ${table.name} because other objects depend on it`,
        {
          detail: `view ${view.name} depends on column ${dropped[0]} of table ${table.name}`,
          hint: "Use DROP ... CASCADE to drop the dependent objects too.",
        },
      );
    }
  }
}
