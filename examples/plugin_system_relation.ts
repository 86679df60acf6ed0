/**
 * A third-party plugin that adds a system relation: `omendb_stats.tables`, one row per table with
 * its schema, name, column count and storage's row estimate, computed when a query reads it.
 * It registers through the same `registry.addSystemRelation` call the built-in `pg_catalog`
 * plugin uses, so the relation can be joined, filtered and listed in `pg_class` like theirs.
 *
 * @example
 * ```ts
 * import { Database, defaultPlugins } from "../mod.ts";
 * import { statsPlugin } from "./plugin_system_relation.ts";
 *
 * const db = await Database.open({ memory: true, plugins: [...defaultPlugins, statsPlugin] });
 * await db.query("CREATE TABLE cpu (ts TIMESTAMPTZ, usage DOUBLE PRECISION)");
 * await db.query("INSERT INTO cpu VALUES (now(), 0.5), (now(), 0.7)");
 * const r = await db.query("SELECT name, columns, estimated_rows FROM omendb_stats.tables");
 * console.assert(r.rows[0]![0] === "cpu" && r.rows[0]![1] === 2 && r.rows[0]![2] === 2n);
 * await db.close();
 * ```
 *
 * @module
 */
import { type Plugin, type SystemRelationDef, Types } from "../mod.ts";

/** `omendb_stats.tables`: the catalog's tables with their sizes. */
export const tablesRelation: SystemRelationDef = {
  schema: "omendb_stats",
  name: "tables",
  columns: [
    { name: "schema", type: Types.text },
    { name: "name", type: Types.text },
    { name: "columns", type: Types.int4 },
    { name: "estimated_rows", type: Types.int8 },
  ],
  // Called each time a statement scans the relation; one value per column, in column order.
  rows: (ctx) =>
    ctx.catalog.tables().map((t) => [
      t.schema,
      t.name,
      t.columns.length,
      BigInt(Math.round(ctx.estimateRows(t.id))),
    ]),
};

/** The plugin: registers {@link tablesRelation}. */
export const statsPlugin: Plugin = {
  name: "omendb_stats",
  apiVersion: 1,
  register(registry) {
    registry.addSystemRelation(tablesRelation);
  },
};
