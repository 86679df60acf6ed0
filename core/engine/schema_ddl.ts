/**
 * CREATE SCHEMA, DROP SCHEMA and ALTER SCHEMA ... RENAME TO: the WAL changes a statement makes
 * (checked against the catalog first, so an error changes nothing) and how a logged change is
 * applied, when it runs and again at WAL replay.
 *
 * @example
 * ```ts
 * import { planSchemaChange } from "./schema_ddl.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { SearchPath } from "../catalog/search_path.ts";
 * import { defaultLimits } from "../limits.ts";
 * const catalog = new Catalog(defaultLimits);
 * const path = new SearchPath(catalog, ["public"]);
 * const create = { kind: "create_schema", name: "telegraf", ifNotExists: true } as const;
 * console.assert(planSchemaChange(create, catalog, path)[0]?.op === "create_schema");
 * catalog.createSchema("telegraf");
 * console.assert(planSchemaChange(create, catalog, path).length === 0); // IF NOT EXISTS
 * ```
 *
 * @module
 */
import type { Catalog } from "../catalog/catalog.ts";
import type { SearchPath } from "../catalog/search_path.ts";
import { DbError, SqlState } from "../errors.ts";
import type { StorageEngine } from "../plugin/storage.ts";
import type { BoundStatement } from "../plan/bound_statement.ts";
import { quoteIdentifier, quoteQualifiedIdentifier } from "../sql/identifiers.ts";
import type { DdlChange } from "./wal_codec.ts";

/** A bound schema statement. */
export type BoundSchemaStatement = Extract<
  BoundStatement,
  { kind: "create_schema" | "drop_schema" | "rename_schema" }
>;

/** A logged schema change. */
export type SchemaChange = Extract<
  DdlChange,
  { op: "create_schema" | "drop_schema" | "rename_schema" }
>;

/** Objects DROP SCHEMA ... RESTRICT lists in its DETAIL, at most (PostgreSQL's limit). */
export const dependentsReportedMax = 100;

/**
 * The changes a schema statement logs, in order (none for CREATE SCHEMA IF NOT EXISTS of one
 * that exists). Errors as PostgreSQL's: 42P06 when the new name is taken, 2BP01 for DROP SCHEMA
 * (RESTRICT) of a schema that holds something, listing it as `path` names it.
 */
export function planSchemaChange(
  bound: BoundSchemaStatement,
  catalog: Catalog,
  path: SearchPath,
): SchemaChange[] {
  switch (bound.kind) {
    case "create_schema":
      if (catalog.hasSchema(bound.name)) {
        if (bound.ifNotExists) return [];
        throw duplicateSchema(bound.name);
      }
      return [{ op: "create_schema", name: bound.name }];
    case "drop_schema": {
      if (!bound.cascade) checkEmpty(bound.names, catalog, path);
      return bound.names.map((name) => ({ op: "drop_schema", name }));
    }
    case "rename_schema":
      if (catalog.hasSchema(bound.newName)) throw duplicateSchema(bound.newName);
      checkNotNamedInSql(bound.name, catalog);
      return [{ op: "rename_schema", name: bound.name, newName: bound.newName }];
  }
}

/** Applies a logged schema change to the catalog and, for DROP SCHEMA, to storage. */
export async function applySchemaChange(
  change: SchemaChange,
  catalog: Catalog,
  storage: StorageEngine,
): Promise<void> {
  switch (change.op) {
    case "create_schema":
      catalog.createSchema(change.name);
      return;
    case "drop_schema":
      for (const table of catalog.dropSchema(change.name)) await storage.dropTable(table.id);
      return;
    case "rename_schema":
      catalog.renameSchema(change.name, change.newName);
      return;
  }
}

function duplicateSchema(name: string): DbError {
  return new DbError(SqlState.duplicateSchema, `schema "${name}" already exists`);
}

/** 2BP01 when any of the schemas holds a table, view or sequence (PostgreSQL's wording). */
function checkEmpty(names: readonly string[], catalog: Catalog, path: SearchPath): void {
  const lines = names.flatMap((schema) =>
    catalog.schemaMembers(schema).map((m) =>
      `${m.kind} ${path.displayName(schema, m.name)} depends on schema ${schema}`
    )
  );
  if (lines.length === 0) return;
  const shown = lines.slice(0, dependentsReportedMax);
  if (lines.length > shown.length) {
    shown.push(`and ${lines.length - shown.length} other objects`);
  }
  throw new DbError(
    SqlState.dependentObjectsStillExist,
    names.length === 1
      ? `cannot drop schema ${names[0]} because other objects depend on it`
      : "cannot drop desired object(s) because other objects depend on them",
    { detail: shown.join("\n"), hint: "Use DROP ... CASCADE to drop the dependent objects too." },
  );
}

/**
 * Views and column DEFAULTs are kept as SQL text, so one that names the schema (`s.t`,
 * `nextval('s.seq')`) would stop working after a rename: 0A000 names the first. Bare names need
 * nothing (views keep the schemas they look in, and the catalog renames those).
 */
function checkNotNamedInSql(schema: string, catalog: Catalog): void {
  const uses: { what: string; sql: string }[] = [
    ...catalog.views().map((v) => ({
      what: `view ${quoteQualifiedIdentifier(v.schema, v.name)}`,
      sql: v.sql,
    })),
    ...catalog.tables().flatMap((t) =>
      t.columns.flatMap((c) =>
        c.default === null ? [] : [{
          what: `the default of column ${quoteIdentifier(c.name)} of table ${
            quoteQualifiedIdentifier(t.schema, t.name)
          }`,
          sql: c.default,
        }]
      )
    ),
  ];
  const named = uses.find((u) => namesSchema(u.sql, schema));
  if (named === undefined) return;
  throw new DbError(
    SqlState.featureNotSupported,
    `cannot rename schema ${quoteIdentifier(schema)}: ${named.what} names it`,
    { hint: "Drop it, rename the schema, then create it again with the new name." },
  );
}

/**
 * Whether SQL text may qualify a name by `schema` (`schema.x`, `"schema".x`, also inside a
 * string such as `nextval('schema.seq')`). It may say yes for a table alias of the same name,
 * never no for a real use.
 */
function namesSchema(sql: string, schema: string): boolean {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const quoted = `"${escape(schema.replaceAll('"', '""'))}"\\s*\\.`;
  const bare = quoteIdentifier(schema) === schema
    ? `|(?:^|[^A-Za-z0-9_$"])${escape(schema)}\\s*\\.`
    : "";
  return new RegExp(`${quoted}${bare}`, "i").test(sql);
}
