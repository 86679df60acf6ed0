/**
 * OmenDB: a time-series and analytics SQL database, embedded.
 *
 * @example
 * ```ts
 * import { Database } from "./mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE TABLE cpu (host TEXT, usage DOUBLE PRECISION)");
 * await db.insertColumns("cpu", { host: ["a", "b"], usage: new Float64Array([0.5, 0.75]) });
 * const r = await db.query("SELECT host FROM cpu WHERE usage > $1", [0.6]);
 * console.assert(r.rows.length === 1 && r.rows[0]![0] === "b");
 * await db.close();
 * ```
 *
 * @module
 */
import { Database as EngineDatabase, type DatabaseOptions } from "./core/engine/database.ts";
import { defaultPlugins } from "./plugins/mod.ts";

export type { DatabaseOptions, DatabaseStats, InsertColumns } from "./core/engine/database.ts";
export type { QueryOptions, QueryResult, ResultColumn } from "./core/engine/result.ts";
export { SessionSettings } from "./core/engine/settings.ts";
export { Session, type TransactionStatus } from "./core/engine/session.ts";
export { DbError, SqlState, SqlSyntaxError } from "./core/errors.ts";
export { defaultLimits, type Limits } from "./core/limits.ts";
export * from "./core/plugin/mod.ts";
export * from "./core/types/mod.ts";
export type * from "./core/sql/mod.ts";
export { defaultPlugins } from "./plugins/mod.ts";

/**
 * An OmenDB database. `Database.open()` registers {@link defaultPlugins} unless `plugins` is
 * given, in which case exactly those plugins are registered.
 *
 * @example
 * ```ts
 * import { Database, defaultPlugins } from "./mod.ts";
 * const db = await Database.open({ memory: true, plugins: [...defaultPlugins] });
 * console.assert((await db.query("SELECT 1 + 1 AS two")).rows[0]![0] === 2);
 * await db.close();
 * ```
 */
export class Database extends EngineDatabase {
  /** Opens a database with the default plugins unless `options.plugins` says otherwise. */
  static override open(options: DatabaseOptions = {}): Promise<Database> {
    return super.open({ ...options, plugins: options.plugins ?? defaultPlugins }) as Promise<
      Database
    >;
  }
}
