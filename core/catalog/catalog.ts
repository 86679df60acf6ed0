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

/** The schema every catalog starts with (and the default `search_path`'s only existing one). */
export const defaultSchemaName = "public";

/**
 * What a schema holds, as DROP SCHEMA lists it: tables (in id order), then views, then sequences
 * of their own (a SERIAL column's sequence and the indexes go with their table).
 */
export interface SchemaMember {
  readonly kind: "table" | "view" | "sequence";
  readonly name: string;
}

/** A view: a named query, kept as SQL text and bound where it is used. */
export interface ViewSchema {
  readonly schema: string;
  readonly name: string;
  readonly sql: string;
  /** Column names given in CREATE VIEW v (a, b); empty = the query's own names. */
  readonly columns: readonly string[];
  /**
   * The schemas its unqualified names are looked up in: the creating session's `search_path`
   * (the schemas of it that existed). Absent in views written before schemas: `public`.
   */
  readonly searchPath?: readonly string[];
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
  /** Schema names in creation order; absent in catalogs written before schemas existed. */
  readonly schemas?: readonly string[];
  readonly nextTableId: number;
  readonly tables: readonly TableSchema[];
  readonly views: readonly ViewSchema[];
  readonly indexes: readonly IndexSchema[];
  readonly sequences: readonly { readonly def: SequenceJson; readonly last: string | null }[];
  /** Login users (absent in catalogs written before users existed). */
  readonly users?: readonly UserSchema[];
  /** API tokens (absent in catalogs written before tokens existed). */
  readonly tokens?: readonly TokenSchema[];
}

/**
 * A login user. Only a SCRAM-SHA-256 verifier is kept (see scram.ts), never the password.
 * Roles and grants come later: they will be fields here.
 */
export interface UserSchema {
  readonly name: string;
  /**
   * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, PostgreSQL's format; `null`
   * when the user has no password (it can log in with a token only).
   */
  readonly verifier: string | null;
}

/** An API token: only the SHA-256 of its secret is kept. */
export interface TokenSchema {
  /** Public id (the token's prefix), how DROP TOKEN names it. */
  readonly id: string;
  /** The user it acts as. */
  readonly user: string;
  /** SHA-256 of the whole token, lowercase hex. */
  readonly sha256: string;
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
  /** Schema names in creation order. */
  readonly #schemas = new Set<string>([defaultSchemaName]);
  readonly #tables = new Map<string, TableSchema>();
  readonly #views = new Map<string, ViewSchema>();
  readonly #indexes = new Map<string, IndexSchema>();
  readonly #sequences = new Map<string, Sequence>();
  readonly #users = new Map<string, UserSchema>();
  readonly #tokens = new Map<string, TokenSchema>();
  #nextTableId = 1;
  /** Calls of the mutating methods so far (see {@link changeCount}). */
  #changes = 0;

  constructor(readonly limits: Limits) {}

  /**
   * How many times the catalog has changed: any schema, table, view, index, sequence, user or
   * token created, altered or dropped moves it. A plan bound at one count is stale at another.
   */
  get changeCount(): number {
    return this.#changes;
  }

  static #key(schema: string, name: string): string {
    return `${schema}\u0000${name}`;
  }

  /** Whether the schema exists. */
  hasSchema(name: string): boolean {
    return this.#schemas.has(name);
  }

  /** Every schema, in creation order. */
  schemas(): string[] {
    return [...this.#schemas];
  }

  /** Creates an empty schema (42P06 when it exists). */
  createSchema(name: string): void {
    this.#changes++;
    if (this.#schemas.has(name)) {
      throw new DbError(SqlState.duplicateSchema, `schema "${name}" already exists`);
    }
    this.#schemas.add(name);
  }

  /** What a schema holds (see {@link SchemaMember}); 3F000 when it does not exist. */
  schemaMembers(name: string): SchemaMember[] {
    this.#requireSchema(name);
    return [
      ...this.tables().filter((t) => t.schema === name).map((t) => ({
        kind: "table" as const,
        name: t.name,
      })),
      ...this.views().filter((v) => v.schema === name).map((v) => ({
        kind: "view" as const,
        name: v.name,
      })),
      ...this.sequences()
        .filter((s) => s.schema.schema === name && s.schema.ownedBy === null)
        .map((s) => ({ kind: "sequence" as const, name: s.schema.name })),
    ];
  }

  /**
   * Drops a schema and everything in it (DROP SCHEMA ... CASCADE; the caller checks RESTRICT).
   * Returns the dropped tables, whose storage the caller drops.
   */
  dropSchema(name: string): TableSchema[] {
    this.#changes++;
    this.#requireSchema(name);
    const dropped = this.tables().filter((t) => t.schema === name);
    for (const t of dropped) this.dropTable(t.schema, t.name);
    for (const map of [this.#views, this.#indexes]) {
      for (const [key, x] of map) if (x.schema === name) map.delete(key);
    }
    for (const [key, s] of this.#sequences) {
      if (s.schema.schema === name) this.#sequences.delete(key);
    }
    this.#schemas.delete(name);
    return dropped;
  }

  /**
   * ALTER SCHEMA from RENAME TO to: moves everything in it (tables keep their ids) and renames it
   * in the lookup paths views keep. 3F000 when `from` is missing, 42P06 when `to` exists.
   */
  renameSchema(from: string, to: string): void {
    this.#changes++;
    this.#requireSchema(from);
    if (this.#schemas.has(to)) {
      throw new DbError(SqlState.duplicateSchema, `schema "${to}" already exists`);
    }
    const order = this.schemas().map((s) => (s === from ? to : s));
    this.#schemas.clear();
    for (const s of order) this.#schemas.add(s);
    const moved = <T extends { readonly schema: string; readonly name: string }>(
      map: Map<string, T>,
      move: (x: T) => T,
    ) => {
      const all = [...map.values()];
      map.clear();
      for (const x of all) {
        const y = move(x);
        map.set(Catalog.#key(y.schema, y.name), y);
      }
    };
    moved(this.#tables, (t) => (t.schema === from ? { ...t, schema: to } : t));
    moved(this.#indexes, (i) => (i.schema === from ? { ...i, schema: to } : i));
    moved(this.#views, (v) => ({
      ...v,
      schema: v.schema === from ? to : v.schema,
      ...(v.searchPath === undefined
        ? {}
        : { searchPath: v.searchPath.map((s) => (s === from ? to : s)) }),
    }));
    const sequences = [...this.#sequences.values()];
    this.#sequences.clear();
    for (const s of sequences) {
      const moved = s.schema.schema === from
        ? new Sequence({ ...s.schema, schema: to }, s.last)
        : s;
      this.#sequences.set(Catalog.#key(moved.schema.schema, moved.schema.name), moved);
    }
  }

  /** 3F000 unless the schema exists. */
  #requireSchema(name: string): void {
    if (!this.#schemas.has(name)) {
      throw new DbError(SqlState.invalidSchemaName, `schema "${name}" does not exist`);
    }
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
    this.#changes++;
    this.#requireSchema(schema);
    if (this.hasRelation(schema, name)) {
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
    this.#changes++;
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
    this.#changes++;
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
    this.#changes++;
    const key = Catalog.#key(view.schema, view.name);
    this.#requireSchema(view.schema);
    if (
      this.getTable(view.schema, view.name) || this.getIndex(view.schema, view.name) ||
      this.getSequence(view.schema, view.name) || (!replace && this.#views.has(key))
    ) {
      throw new DbError(SqlState.duplicateTable, `relation "${view.name}" already exists`);
    }
    this.#views.set(key, view);
  }

  dropView(schema: string, name: string): void {
    this.#changes++;
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
    this.#changes++;
    this.#requireSchema(index.schema);
    if (this.hasRelation(index.schema, index.name)) {
      throw new DbError(SqlState.duplicateTable, `relation "${index.name}" already exists`);
    }
    this.#indexes.set(Catalog.#key(index.schema, index.name), index);
  }

  dropIndex(schema: string, name: string): void {
    this.#changes++;
    if (!this.#indexes.delete(Catalog.#key(schema, name))) {
      throw new DbError(SqlState.undefinedObject, `index "${name}" does not exist`);
    }
  }

  /** Whether a table, view, index or sequence has this name (they share one namespace). */
  hasRelation(schema: string, name: string): boolean {
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
    this.#changes++;
    this.#requireSchema(def.schema);
    if (this.hasRelation(def.schema, def.name)) {
      throw new DbError(SqlState.duplicateTable, `relation "${def.name}" already exists`);
    }
    const s = new Sequence(def, last);
    this.#sequences.set(Catalog.#key(def.schema, def.name), s);
    return s;
  }

  dropSequence(schema: string, name: string): void {
    this.#changes++;
    if (!this.#sequences.delete(Catalog.#key(schema, name))) {
      throw new DbError(SqlState.undefinedTable, `sequence "${name}" does not exist`);
    }
  }

  /** A login user by name, or `null`. */
  getUser(name: string): UserSchema | null {
    return this.#users.get(name) ?? null;
  }

  /** Every login user, in creation order. */
  users(): UserSchema[] {
    return [...this.#users.values()];
  }

  /** Adds a user; 42710 when the name is taken. */
  createUser(user: UserSchema): void {
    this.#changes++;
    if (this.#users.has(user.name)) {
      throw new DbError(SqlState.duplicateObject, `role "${user.name}" already exists`);
    }
    this.#users.set(user.name, user);
  }

  /** Replaces a user's verifier; 42704 when there is no such user. */
  alterUser(user: UserSchema): void {
    this.#changes++;
    if (!this.#users.has(user.name)) throw noSuchRole(user.name);
    this.#users.set(user.name, user);
  }

  /** Removes a user and its tokens; 42704 when there is no such user. */
  dropUser(name: string): void {
    this.#changes++;
    if (!this.#users.delete(name)) throw noSuchRole(name);
    for (const [id, t] of this.#tokens) if (t.user === name) this.#tokens.delete(id);
  }

  /** An API token by id, or `null`. */
  getToken(id: string): TokenSchema | null {
    return this.#tokens.get(id) ?? null;
  }

  /** Every API token (hashes only). */
  tokens(): TokenSchema[] {
    return [...this.#tokens.values()];
  }

  /** Adds a token of an existing user (42704 otherwise). */
  createToken(token: TokenSchema): void {
    this.#changes++;
    if (!this.#users.has(token.user)) throw noSuchRole(token.user);
    if (this.#tokens.has(token.id)) {
      throw new DbError(SqlState.duplicateObject, `token "${token.id}" already exists`);
    }
    this.#tokens.set(token.id, token);
  }

  /** Removes a token; 42704 when there is none with that id. */
  dropToken(id: string): void {
    this.#changes++;
    if (!this.#tokens.delete(id)) {
      throw new DbError(SqlState.undefinedObject, `token "${id}" does not exist`);
    }
  }

  /** The whole catalog as JSON (see {@link CatalogJson}). */
  toJson(): CatalogJson {
    return {
      version: catalogFormatVersion,
      schemas: this.schemas(),
      nextTableId: this.#nextTableId,
      tables: this.tables(),
      views: this.views(),
      indexes: [...this.#indexes.values()],
      sequences: this.sequences().map((s) => ({
        def: sequenceToJson(s.schema),
        last: s.last === null ? null : String(s.last),
      })),
      users: this.users(),
      tokens: this.tokens(),
    };
  }

  /** Replaces this (empty) catalog's contents by a {@link Catalog.toJson} snapshot. */
  restore(json: CatalogJson): void {
    this.#changes++;
    if (json.version !== catalogFormatVersion) {
      throw new DbError(
        SqlState.dataCorrupted,
        `catalog format version ${json.version} is not supported (expected ${catalogFormatVersion})`,
      );
    }
    this.#schemas.clear();
    // catalogs written before schemas existed: `public` and the schemas of what they hold
    for (const name of json.schemas ?? [defaultSchemaName]) this.#schemas.add(name);
    for (const x of [...json.tables, ...json.views, ...json.indexes]) this.#schemas.add(x.schema);
    for (const x of json.sequences) this.#schemas.add(x.def.schema);
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
    this.#users.clear();
    for (const u of json.users ?? []) this.#users.set(u.name, u);
    this.#tokens.clear();
    for (const t of json.tokens ?? []) this.#tokens.set(t.id, t);
    this.#nextTableId = json.nextTableId;
  }
}

function noSuchRole(name: string): DbError {
  return new DbError(SqlState.undefinedObject, `role "${name}" does not exist`);
}
