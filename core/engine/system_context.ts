/**
 * The {@link SystemContext} a statement's system relations and context-reading functions see:
 * the catalog, the registry, the session and every open session, storage's row estimates, and
 * the columns of views (their query bound on demand).
 *
 * @module
 */
import type { Catalog } from "../catalog/catalog.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { StorageEngine } from "../plugin/storage.ts";
import type { SessionActivity, SystemColumn, SystemContext } from "../plugin/system_relation.ts";
import type { Query } from "../sql/ast.ts";
import { quoteQualifiedIdentifier } from "../sql/identifiers.ts";
import { bindStatement } from "../plan/binder.ts";
import { databaseName, type Session } from "./session.ts";

/** What {@link systemContext} reads. */
export interface SystemContextSources {
  readonly catalog: Catalog;
  readonly registry: PluginRegistry;
  readonly storage: Pick<StorageEngine, "estimateRows"> | null;
  /** Every open session's activity. */
  readonly sessions: () => readonly SessionActivity[];
  /** Parses one stored query (a view's SQL); `null` without a parser. */
  readonly parseQuery: ((sql: string) => Query) | null;
}

/**
 * The context of a statement of `session`.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE VIEW v AS SELECT 1 AS one");
 * const r = await db.query("SELECT attname FROM pg_attribute WHERE attrelid = 'v'::regclass");
 * console.assert(r.rows[0]![0] === "one"); // a view's columns come from its query
 * await db.close();
 * ```
 */
export function systemContext(session: Session, sources: SystemContextSources): SystemContext {
  const context: SystemContext = {
    catalog: sources.catalog,
    registry: sources.registry,
    databaseName,
    serverVersion: session.settings.get("server_version"),
    settings: session.settings,
    activity: session.activity,
    sessions: sources.sessions,
    viewColumns: (schema, name) => viewColumns(context, sources, schema, name),
    estimateRows: (id) => sources.storage?.estimateRows(id) ?? 0,
  };
  return context;
}

/** The names and types of a view's columns, from its query bound now (`[]` if it fails). */
function viewColumns(
  context: SystemContext,
  sources: SystemContextSources,
  schema: string,
  name: string,
): SystemColumn[] {
  const parseQuery = sources.parseQuery;
  if (parseQuery === null) return [];
  try {
    const query = parseQuery(`SELECT * FROM ${quoteQualifiedIdentifier(schema, name)}`);
    const bound = bindStatement({ kind: "query", query, pos: 0 }, {
      catalog: sources.catalog,
      registry: sources.registry,
      parseQuery,
      params: [],
      searchPath: [schema],
      system: context,
    });
    return bound.kind === "query"
      ? bound.plan.fields.map((f) => ({ name: f.name, type: f.type }))
      : [];
  } catch {
    return [];
  }
}
