/**
 * The plugin interfaces and the registry. Built-in plugins (`plugins/`) use exactly this API.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "./mod.ts";
 * const registry = new PluginRegistry();
 * console.assert(registry.parser() === null);
 * ```
 *
 * @module
 */
export * from "./registry.ts";
export type * from "./parser.ts";
export type * from "./storage.ts";
export type * from "./wal.ts";
export type * from "./index_plugin.ts";
export type * from "./functions.ts";
export type * from "./optimizer_rule.ts";
export type * from "./auth.ts";
export type * from "./replication.ts";
export type * from "./system_relation.ts";
