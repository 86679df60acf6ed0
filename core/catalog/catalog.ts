/**
 * The catalog: tables and their columns, by schema and name. Ids are assigned here and never
 * reused.
 *
 * @module
 */
import {
  Sequence,
  sequenceFromJson,
  type SequenceJson,
  type SequenceSchema,
  sequenceToJson,
} from "./sequence.ts";
import { DbError, SqlState } from "../errors.ts";
import type { Limits } from "../limits.ts";
import type {
  CheckConstraintSchema,
  ColumnSchema,
  PartitionUnit,
  TableOptions,
  TableSchema,
} from "./table.ts";
import type { DataType } from "../types/data_type.ts";

/** The schema used when a name has no schema part. */
export const defaultSchemaName = "public";

/** A view: a named query, kept as SQL text and bound where it is used. */
export interface ViewSchema {
  readonly schema: string;
  readonly name: string;
  readonly sql: string;
  /** Column names given in CREATE VIEW v (a, b); empty = the query's own names. */
  readonly columns: readonly string[];
}

/** An index. Recorded in the catalog; the planner does not use indexes yet. */
export interface IndexSchema {
  readonly schema: string;
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Backs the table's PRIMARY KEY (its columns cannot DROP NOT NULL). */
  readonly primary?: boolean;
  /**
   * Backs a PRIMARY KEY or UNIQUE constraint of CREATE TABLE, so `ON CONFLICT ON CONSTRAINT`
   * can name it; absent for CREATE [UNIQUE] INDEX (and in catalogs written before the flag).
   */
  readonly constraint?: boolean;
}

/** Time-series options of a table to create, naming columns (ids are assigned on creation). */
export interface NewTableOptions {
  readonly timestamp: string | null;
  readonly partitionBy: PartitionUnit;
  readonly ttlMicros: number | null;
  readonly dedupKeys: readonly string[];
}

/**
 * The whole catalog as JSON: what a checkpoint stores beside its segments, so that recovery
 * needs only the WAL records written after it. Format version {@link catalogFormatVersion}.
 */
export interface CatalogJson {
  readonly version: number;
  readonly nextTableId: number;
  readonly tables: readonly TableSchema[];
  readonly views: readonly ViewSchema[];
  readonly indexes: readonly IndexSchema[];
  readonly sequences: readonly { readonly def: SequenceJson; readonly last: string | null }[];
}

/** The version of {@link CatalogJson}. */
export const catalogFormatVersion = 1;

/** A column to create. */
export interface NewColumn {
  readonly name: string;
  readonly type: DataType;
  readonly notNull: boolean;
  /** The DEFAULT expression as SQL text; absent or `null` = none. */
  readonly default?: string | null;
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
  readonly #views = new Map<string, ViewSchema>();
  readonly #indexes = new Map<string, IndexSchema>();
  readonly #sequences = new Map<string, Sequence>();
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

  /** Creates a table; `checks` are its CHECK constraints (named, over its columns). */
  createTable(
    schema: string,
    name: string,
    columns: readonly NewColumn[],
    options: NewTableOptions | null = null,
    checks: readonly CheckConstraintSchema[] = [],
  ): TableSchema {
    if (this.#relationExists(schema, name)) {
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
      cols.push({
        id: cols.length + 1,
        name: c.name,
        type: c.type,
        notNull: c.notNull,
        default: c.default ?? null,
      });
    }
    const idOf = (c: string) => {
      const col = cols.find((x) => x.name === c);
      if (!col) {
        throw new DbError(SqlState.undefinedColumn, `column "${c}" named in WITH does not exist`);
      }
      return col.id;
    };
    const tableOptions: TableOptions | null = options === null ? null : {
      timestampColumnId: options.timestamp === null ? null : idOf(options.timestamp),
      partitionBy: options.partitionBy,
      ttlMicros: options.ttlMicros,
      dedupKeyColumnIds: options.dedupKeys.map(idOf),
    };
    const table: TableSchema = {
      id: this.#nextTableId++,
      schema,
      name,
      columns: cols,
      nextColumnId: cols.length + 1,
      ...(tableOptions === null ? {} : { options: tableOptions }),
      ...(checks.length === 0 ? {} : { checks }),
    };
    this.#tables.set(Catalog.#key(schema, name), table);
    return table;
  }

  dropTable(schema: string, name: string): TableSchema {
    const t = this.getTable(schema, name);
    if (!t) throw new DbError(SqlState.undefinedTable, `table "${name}" does not exist`);
    this.#tables.delete(Catalog.#key(schema, name));
    // a SERIAL column's sequence goes with its table
    for (const [key, s] of this.#sequences) {
      if (s.schema.schema === schema && s.schema.ownedBy?.table === name) {
        this.#sequences.delete(key);
      }
    }
    for (const [key, index] of this.#indexes) {
      if (index.schema === schema && index.table === name) this.#indexes.delete(key);
    }
    return t;
  }

  /**
   * Replaces a table's description by its altered version (same id; see `alter_table.ts`),
   * moving it and its indexes when it was renamed and renaming index columns. `renamedColumns`
   * maps old column names to new ones; indexes over `droppedColumns` are dropped, as PostgreSQL
   * drops them with the column.
   */
  replaceTable(
    table: TableSchema,
    changes: {
      readonly renamedColumns?: ReadonlyMap<string, string>;
      readonly droppedColumns?: ReadonlySet<string>;
    } = {},
  ): void {
    const old = this.tables().find((t) => t.id === table.id);
    if (!old) throw new DbError(SqlState.undefinedTable, `table "${table.name}" does not exist`);
    if (old.schema !== table.schema) throw new DbError(SqlState.internalError, "schema changed");
    if (
      old.name !== table.name &&
      (this.getTable(table.schema, table.name) || this.getView(table.schema, table.name) ||
        this.getIndex(table.schema, table.name))
    ) {
      throw new DbError(SqlState.duplicateTable, `relation "${table.name}" already exists`);
    }
    this.#tables.delete(Catalog.#key(old.schema, old.name));
    this.#tables.set(Catalog.#key(table.schema, table.name), table);
    for (const [key, index] of this.#indexes) {
      if (index.schema !== old.schema || index.table !== old.name) continue;
      if (index.columns.some((c) => changes.droppedColumns?.has(c))) {
        this.#indexes.delete(key);
        continue;
      }
      this.#indexes.set(key, {
        ...index,
        table: table.name,
        columns: index.columns.map((c) => changes.renamedColumns?.get(c) ?? c),
      });
    }
  }

  getView(schema: string, name: string): ViewSchema | null {
    return this.#views.get(Catalog.#key(schema, name)) ?? null;
  }

  /** Every view. */
  views(): ViewSchema[] {
    return [...this.#views.values()];
  }

  /** Creates (or with `replace`, replaces) a view. */
  createView(view: ViewSchema, replace: boolean): void {
    const key = Catalog.#key(view.schema, view.name);
    if (
      this.getTable(view.schema, view.name) || this.getIndex(view.schema, view.name) ||
      this.getSequence(view.schema, view.name) || (!replace && this.#views.has(key))
    ) {
      throw new DbError(SqlState.duplicateTable, `relation "${view.name}" already exists`);
    }
    this.#views.set(key, view);
  }

  dropView(schema: string, name: string): void {
    if (!this.#views.delete(Catalog.#key(schema, name))) {
      throw new DbError(SqlState.undefinedTable, `view "${name}" does not exist`);
    }
  }

  getIndex(schema: string, name: string): IndexSchema | null {
    return this.#indexes.get(Catalog.#key(schema, name)) ?? null;
  }

  /** Indexes of a table. */
  indexesOf(schema: string, table: string): IndexSchema[] {
    return [...this.#indexes.values()].filter((i) => i.schema === schema && i.table === table);
  }

  createIndex(index: IndexSchema): void {
    if (this.#relationExists(index.schema, index.name)) {
      throw new DbError(SqlState.duplicateTable, `relation "${index.name}" already exists`);
    }
    this.#indexes.set(Catalog.#key(index.schema, index.name), index);
  }

  dropIndex(schema: string, name: string): void {
    if (!this.#indexes.delete(Catalog.#key(schema, name))) {
      throw new DbError(SqlState.undefinedObject, `index "${name}" does not exist`);
    }
  }

  /** Whether a table, view, index or sequence has this name (they share one namespace). */
  #relationExists(schema: string, name: string): boolean {
    return this.getTable(schema, name) !== null || this.getView(schema, name) !== null ||
      this.getIndex(schema, name) !== null || this.getSequence(schema, name) !== null;
  }

  getSequence(schema: string, name: string): Sequence | null {
    return this.#sequences.get(Catalog.#key(schema, name)) ?? null;
  }

  /** Every sequence. */
  sequences(): Sequence[] {
    return [...this.#sequences.values()];
  }

  /** Creates a sequence (42P07 when the name is taken). */
  createSequence(def: SequenceSchema, last: bigint | null = null): Sequence {
    if (this.#relationExists(def.schema, def.name)) {
      throw new DbError(SqlState.duplicateTable, `relation "${def.name}" already exists`);
    }
    const s = new Sequence(def, last);
    this.#sequences.set(Catalog.#key(def.schema, def.name), s);
    return s;
  }

  dropSequence(schema: string, name: string): void {
    if (!this.#sequences.delete(Catalog.#key(schema, name))) {
      throw new DbError(SqlState.undefinedTable, `sequence "${name}" does not exist`);
    }
  }

  /** The whole catalog as JSON (see {@link CatalogJson}). */
  toJson(): CatalogJson {
    return {
      version: catalogFormatVersion,
      nextTableId: this.#nextTableId,
      tables: this.tables(),
      views: this.views(),
      indexes: [...this.#indexes.values()],
      sequences: this.sequences().map((s) => ({
        def: sequenceToJson(s.schema),
        last: s.last === null ? null : String(s.last),
      })),
    };
  }

  /** Replaces this (empty) catalog's contents by a {@link Catalog.toJson} snapshot. */
  restore(json: CatalogJson): void {
    if (json.version !== catalogFormatVersion) {
      throw new DbError(
        SqlState.dataCorrupted,
        `catalog format version ${json.version} is not supported (expected ${catalogFormatVersion})`,
      );
    }
    this.#tables.clear();
    this.#views.clear();
    this.#indexes.clear();
    this.#sequences.clear();
    for (const t of json.tables) this.#tables.set(Catalog.#key(t.schema, t.name), t);
    for (const v of json.views) this.#views.set(Catalog.#key(v.schema, v.name), v);
    for (const i of json.indexes) this.#indexes.set(Catalog.#key(i.schema, i.name), i);
    for (const s of json.sequences) {
      const def = sequenceFromJson(s.def);
      this.#sequences.set(
        Catalog.#key(def.schema, def.name),
        new Sequence(def, s.last === null ? null : BigInt(s.last)),
      );
    }
    this.#nextTableId = json.nextTableId;
  }
}
