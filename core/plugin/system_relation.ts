/**
 * System relations: virtual tables computed from the engine's state when a query reads them
 * (PostgreSQL's `pg_catalog` and `information_schema` are plugins of this kind). The binder
 * resolves them like tables; the scan asks the relation for its rows, with the
 * {@link SystemContext} of the statement that reads it.
 *
 * @module
 */
import type { Catalog } from "../catalog/catalog.ts";
import type { DataType } from "../types/data_type.ts";
import type { Value } from "../types/column.ts";
import type { PluginRegistry } from "./registry.ts";

/** A session's state as PostgreSQL's `pg_stat_activity.state` spells it. */
export type SessionState =
  | "idle"
  | "active"
  | "idle in transaction"
  | "idle in transaction (aborted)";

/**
 * What a session is doing (one row of `pg_stat_activity`). The engine keeps `state`, `query`,
 * `queryStart` and `xactStart` current as statements run; a server fills the client fields.
 * Times are microseconds since the Unix epoch.
 */
export interface SessionActivity {
  /** Unique among the database's sessions (PostgreSQL's backend pid). */
  readonly pid: number;
  /** The user the session authenticated as; `null` for embedded sessions. */
  user: string | null;
  /** The session's `application_name` setting (assigning it SETs it). */
  applicationName: string;
  clientAddress: string | null;
  clientPort: number | null;
  readonly backendStart: number;
  state: SessionState;
  /** The running statement's text, or the last one's when idle ("" before the first). */
  query: string;
  queryStart: number | null;
  xactStart: number | null;
  /** When `state` last changed. */
  stateChange: number;
}

/** The settings of the session a statement runs in, as functions and relations see them. */
export interface SessionSettingsView {
  /** A setting's value; 42704 for an unknown name. */
  get(name: string): string;
  /** SET (or RESET with `null`), validated as the SET statement validates it. */
  set(name: string, value: string | null): void;
  /** The value RESET gives a setting. */
  defaultValue(name: string): string;
  /** Every setting, sorted by name. */
  all(): readonly [string, string][];
  /** `search_path` split into schema names, as written (`$user` included). */
  searchPath(): readonly string[];
}

/**
 * What a system relation or a context-reading function sees of the statement that runs it.
 *
 * @example
 * ```ts
 * import type { SystemContext } from "./system_relation.ts";
 * const schemas = (ctx: SystemContext) => ctx.catalog.schemas();
 * console.assert(typeof schemas === "function");
 * ```
 */
export interface SystemContext {
  readonly catalog: Catalog;
  readonly registry: PluginRegistry;
  /** The database's name (PostgreSQL's `current_database()`). */
  readonly databaseName: string;
  /** The server version string (`version()`). */
  readonly serverVersion: string;
  readonly settings: SessionSettingsView;
  /** The reading session's activity (its pid, user). */
  readonly activity: SessionActivity;
  /** Every open session of the database, this one included. */
  sessions(): readonly SessionActivity[];
  /** Storage's estimate of a table's live rows (by catalog id); 0 when it has none. */
  estimateRows(tableId: number): number;
  /** The columns a view returns (its query bound now); empty when it no longer binds. */
  viewColumns(schema: string, name: string): readonly SystemColumn[];
}

/** A column of a system relation. */
export interface SystemColumn {
  readonly name: string;
  readonly type: DataType;
}

/**
 * A system relation: a name in a schema, its columns, and the rows it holds now.
 *
 * @example
 * ```ts
 * import type { SystemRelationDef } from "./system_relation.ts";
 * import { Types } from "../types/mod.ts";
 * const schemas: SystemRelationDef = {
 *   schema: "pg_catalog",
 *   name: "my_schemas",
 *   columns: [{ name: "name", type: Types.text }],
 *   rows: (ctx) => ctx.catalog.schemas().map((s) => [s]),
 * };
 * console.assert(schemas.columns.length === 1);
 * ```
 */
export interface SystemRelationDef {
  /** The schema it lives in (`pg_catalog`, `information_schema`, or a plugin's own). */
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly SystemColumn[];
  /** `"view"` for relations PostgreSQL defines as views (pg_class.relkind `v`). */
  readonly kind?: "table" | "view";
  /** Its OID in `pg_class`; a stable one is derived from its name when absent. */
  readonly oid?: number;
  /** Its rows, each with one value per column in column order, for this statement. */
  rows(ctx: SystemContext): Iterable<readonly Value[]>;
}

/** A scan of a system relation, as a logical plan's scan node carries it. */
export interface SystemScan {
  readonly relation: SystemRelationDef;
  readonly context: SystemContext;
}
