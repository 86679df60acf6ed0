/**
 * The `pg_catalog` plugin: PostgreSQL's system catalogs (`pg_class`, `pg_attribute`,
 * `pg_type`, `pg_stat_activity`, ...), the `information_schema` views and the session and
 * catalog functions PostgreSQL tools call, all computed from OmenDB's catalog and sessions when
 * a statement reads them. It registers through the same registry API a third-party plugin uses
 * (`addSystemRelation`, `addScalarFunction`). See docs/pg_catalog.md.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE TABLE cpu (time TIMESTAMPTZ, usage DOUBLE PRECISION)");
 * const r = await db.query(
 *   "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute " +
 *     "WHERE attrelid = 'cpu'::regclass AND attnum > 0 ORDER BY attnum",
 * );
 * console.assert(r.rows[1]![1] === "double precision");
 * await db.close();
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { pgCatalogRelations } from "./pg_catalog.ts";
import { informationSchemaRelations } from "./information_schema.ts";
import { pgCatalogFunctions } from "./functions.ts";

export { formatType, hashedOid, pgTypes, tableOid } from "./oids.ts";
export { pgCatalogRelations } from "./pg_catalog.ts";
export { informationSchemaRelations } from "./information_schema.ts";
export { omendbVersion, pgCatalogFunctions } from "./functions.ts";

/** Registers the `pg_catalog` and `information_schema` relations and the catalog functions. */
export const pgCatalog: Plugin = {
  name: "pg_catalog",
  apiVersion: 1,
  register(registry) {
    for (const r of pgCatalogRelations) registry.addSystemRelation(r);
    for (const r of informationSchemaRelations) registry.addSystemRelation(r);
    for (const f of pgCatalogFunctions) registry.addScalarFunction(f);
  },
};
