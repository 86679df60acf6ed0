/**
 * The default SQL parser plugin (`postgres`): PostgreSQL-flavoured SQL.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { sqlParser } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(sqlParser);
 * console.assert(r.parser()!.parse("SELECT 1", { limits: (await import("../../core/limits.ts")).defaultLimits }).length === 1);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { parseSql } from "./parser.ts";

export { parseSql } from "./parser.ts";
export { type Token, tokenize } from "./tokenizer.ts";

/** The plugin that registers the PostgreSQL-dialect parser. */
export const sqlParser: Plugin = {
  name: "sql_parser",
  apiVersion: 1,
  register(registry) {
    registry.addParser({
      name: "postgres",
      parse: (sql, options) => parseSql(sql, options.limits),
    });
  },
};
