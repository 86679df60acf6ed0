/**
 * The SQL text PostgreSQL's `pg_get_*def` functions print for OmenDB's objects.
 *
 * @module
 */
import type { IndexSchema } from "../../core/catalog/catalog.ts";
import { quoteIdentifier, quoteQualifiedIdentifier } from "../../core/sql/identifiers.ts";

/**
 * `CREATE [UNIQUE] INDEX name ON schema.table USING btree (columns)`, as `pg_get_indexdef`
 * prints it (the table bare when not `qualified`).
 *
 * @example
 * ```ts
 * import { indexDefinition } from "./definitions.ts";
 * const def = indexDefinition({
 *   schema: "public", name: "i", table: "t", columns: ["a", "b"], unique: true,
 * });
 * console.assert(def === "CREATE UNIQUE INDEX i ON public.t USING btree (a, b)");
 * ```
 */
export function indexDefinition(index: IndexSchema, qualified = true): string {
  const unique = index.unique ? "UNIQUE " : "";
  const table = qualified
    ? quoteQualifiedIdentifier(index.schema, index.table)
    : quoteIdentifier(index.table);
  const cols = index.columns.map(quoteIdentifier).join(", ");
  return `CREATE ${unique}INDEX ${quoteIdentifier(index.name)} ON ${table} USING btree (${cols})`;
}
