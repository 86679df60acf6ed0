/**
 * Name lookup through a `search_path`: which schema an unqualified relation name means, where an
 * unqualified CREATE puts its object, and how PostgreSQL names a relation in messages.
 *
 * @example
 * ```ts
 * import { Catalog } from "./catalog.ts";
 * import { SearchPath } from "./search_path.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * const c = new Catalog(defaultLimits);
 * c.createSchema("telegraf");
 * c.createTable("telegraf", "cpu", [{ name: "v", type: Types.float8, notNull: false }]);
 * const path = new SearchPath(c, ["$user", "telegraf", "public"]);
 * console.assert(path.relationSchema("cpu") === "telegraf" && path.creationSchema() === "telegraf");
 * console.assert(new SearchPath(c, ["public"]).displayName("telegraf", "cpu") === "telegraf.cpu");
 * ```
 *
 * @module
 */
import type { Catalog } from "./catalog.ts";
import { quoteIdentifier, quoteQualifiedIdentifier } from "../sql/identifiers.ts";

/**
 * The `search_path` entry that stands for the session user's own schema. OmenDB has no users
 * that own schemas, so it is skipped, as PostgreSQL skips it when no such schema exists.
 */
export const userSchemaEntry = "$user";

/** A session's `search_path` over a catalog. */
export class SearchPath {
  /** `names`: the path's entries in order (`$user` included as written). */
  constructor(readonly catalog: Catalog, readonly names: readonly string[]) {}

  /** The path's schemas that exist, in order, without `$user` and repeats. */
  schemas(): string[] {
    const out: string[] = [];
    for (const n of this.names) {
      if (n !== userSchemaEntry && this.catalog.hasSchema(n) && !out.includes(n)) out.push(n);
    }
    return out;
  }

  /**
   * The first schema of the path that holds a relation (table, view, index or sequence: they
   * share one namespace) named `name`; `null` when none does.
   */
  relationSchema(name: string): string | null {
    return this.schemas().find((s) => this.catalog.hasRelation(s, name)) ?? null;
  }

  /** Where an unqualified CREATE puts its object: the path's first schema; `null` when none. */
  creationSchema(): string | null {
    return this.schemas()[0] ?? null;
  }

  /**
   * A relation's name as PostgreSQL writes it in messages (`table t`, `table s.t`): bare when
   * the path finds it by its bare name, else qualified; each part quoted as needed.
   */
  displayName(schema: string, name: string): string {
    return this.relationSchema(name) === schema
      ? quoteIdentifier(name)
      : quoteQualifiedIdentifier(schema, name);
  }
}
