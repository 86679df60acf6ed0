/**
 * Tables, columns and their ids.
 *
 * @example
 * ```ts
 * import { Catalog, defaultSchemaName } from "./mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * console.assert(new Catalog(defaultLimits).getTable(defaultSchemaName, "x") === null);
 * ```
 *
 * @module
 */
export * from "./catalog.ts";
export * from "./alter_table.ts";
export * from "./search_path.ts";
export type * from "./table.ts";
