/**
 * The engine: the database object and its results.
 *
 * @example
 * ```ts
 * import { Database } from "./mod.ts";
 * const db = await Database.open({ memory: true, plugins: [] });
 * await db.query("SELECT 1").catch((e) => console.assert(e.code === "0A000"));
 * await db.close();
 * ```
 *
 * @module
 */
export * from "./database.ts";
export type * from "./result.ts";
