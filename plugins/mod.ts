/**
 * The default plugins: what `Database.open()` registers when no plugin list is given. They use
 * exactly the registry API that third-party plugins use.
 *
 * @example
 * ```ts
 * import { defaultPlugins } from "./mod.ts";
 * console.assert(defaultPlugins.some((p) => p.name === "sql_parser"));
 * console.assert(defaultPlugins.some((p) => p.name === "index_rmi"));
 * ```
 *
 * @module
 */
import type { Plugin } from "../core/plugin/registry.ts";
import { sqlParser } from "./sql_parser/mod.ts";
import { storageMemory } from "./storage_memory/mod.ts";
import { functions } from "./functions/mod.ts";
import { wal } from "./wal/mod.ts";
import { storageParquet } from "./storage_parquet/mod.ts";
import { indexRmi } from "./index_rmi/mod.ts";
import { authScram } from "./auth/mod.ts";
import { pgCatalog } from "./pg_catalog/mod.ts";

/**
 * Parser, in-memory and Parquet storage, WAL, built-in functions, the RMI segment index and
 * SCRAM/token authentication, and PostgreSQL's `pg_catalog` / `information_schema`.
 */
export const defaultPlugins: readonly Plugin[] = Object.freeze([
  sqlParser,
  storageMemory,
  storageParquet,
  wal,
  functions,
  indexRmi,
  authScram,
  pgCatalog,
]);
