/**
 * The catalog: tables and their columns, by schema and name. Ids are assigned here and never
 * reused.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Limits } from "../limits.ts";
import type { ColumnSchema, TableSchema } from "./table.ts";
import type { DataType } from "../types/data_type.ts";

/** The schema used when a name has no schema part. */
export const defaultSchemaName = "public";

/** A column to create. */
export interface NewColumn {
  readonly name: string;
  readonly type: DataType;
  readonly notNull: boolean;
}

/**
 * Tables by schema and name.
 *
 * @example
 * ```ts
 * import { Catalog } from "./catalog.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * const c = new Catalog(defaultLimits);
 * const t = c.createTable("public", "cpu", [{ name: "v", type: Types.float8, notNull: false }]);
 * console.assert(c.getTable("public", "cpu")?.id === t.id);
 * ```
 */
export class Catalog {
  readonly #tables = new Map<string, TableSchema>();
  #nextTableId = 1;

  constructor(readonly limits: Limits) {}

  static #key(schema: string, name: string): string {
    return `${schema}\u0000${name}`;
  }

  getTable(schema: string, name: string): TableSchema | null {
    return this.#tables.get(Catalog.#key(schema, name)) ?? null;
  }

  /** Every table, in id order. */
  tables(): TableSchema[] {
    return [...this.#tables.values()].sort((a, b) => a.id - b.id);
  }

  createTable(schema: string, name: string, columns: readonly NewColumn[]): TableSchema {
    if (this.getTable(schema, name)) {
      throw new DbError(SqlState.duplicateTable, `relation "${name}" already exists`);
    }
    if (this.#tables.size >= this.limits.tablesMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `cannot create more than ${this.limits.tablesMax} tables`,
      );
    }
    if (columns.length > this.limits.tableColumnsMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `tables can have at most ${this.limits.tableColumnsMax} columns`,
      );
    }
    const seen = new Set<string>();
    const cols: ColumnSchema[] = [];
    for (const c of columns) {
      if (seen.has(c.name)) {
        throw new DbError(SqlState.duplicateColumn, `column "${c.name}" specified more than once`);
      }
      seen.add(c.name);
      cols.push({ id: cols.length + 1, name: c.name, type: c.type, notNull: c.notNull });
    }
    const table: TableSchema = { id: this.#nextTableId++, schema, name, columns: cols };
    this.#tables.set(Catalog.#key(schema, name), table);
    return table;
  }

  dropTable(schema: string, name: string): TableSchema {
    const t = this.getTable(schema, name);
    if (!t) throw new DbError(SqlState.undefinedTable, `table "${name}" does not exist`);
    this.#tables.delete(Catalog.#key(schema, name));
    return t;
  }
}
