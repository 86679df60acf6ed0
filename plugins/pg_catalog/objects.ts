/**
 * The catalog's objects as PostgreSQL's catalogs list them: every relation (tables, views,
 * indexes, sequences and the system relations themselves) and every constraint, each with its
 * OID (see oids.ts). Computed from the catalog when a statement reads them.
 *
 * @module
 */
import type { IndexSchema, ViewSchema } from "../../core/catalog/catalog.ts";
import type { ColumnSchema, TableSchema } from "../../core/catalog/table.ts";
import type { SystemContext, SystemRelationDef } from "../../core/plugin/system_relation.ts";
import { quoteIdentifier } from "../../core/sql/identifiers.ts";
import type { DataType } from "../../core/types/data_type.ts";
import { hashedOid, namespaceOid, tableOid } from "./oids.ts";

/** A column of a relation, with its `attnum`. */
export interface AttributeEntry {
  readonly attnum: number;
  readonly name: string;
  readonly type: DataType;
  readonly notNull: boolean;
  /** The DEFAULT as SQL text, or `null`. */
  readonly default: string | null;
}

/** A relation as `pg_class` lists it. */
export interface RelationEntry {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
  /** `pg_class.relkind`: table, view, index, sequence. */
  readonly kind: "r" | "v" | "i" | "S";
  readonly columns: readonly AttributeEntry[];
  readonly table?: TableSchema;
  readonly view?: ViewSchema;
  readonly index?: IndexSchema;
  /** For an index: its table's OID. */
  readonly indexedOid?: number;
  readonly system?: SystemRelationDef;
}

/** A constraint as `pg_constraint` lists it. */
export interface ConstraintEntry {
  readonly oid: number;
  readonly name: string;
  readonly schema: string;
  readonly tableOid: number;
  /** `p` primary key, `u` unique, `c` check. */
  readonly type: "p" | "u" | "c";
  /** The backing index's OID (0 for a check). */
  readonly indexOid: number;
  /** The constrained columns' attnums. */
  readonly attnums: readonly number[];
  /** `pg_get_constraintdef`'s text: `PRIMARY KEY (a)`, `CHECK (x > 0)`. */
  readonly definition: string;
}

function attributes(columns: readonly ColumnSchema[]): AttributeEntry[] {
  return columns.map((c) => ({
    attnum: c.id,
    name: c.name,
    type: c.type,
    notNull: c.notNull,
    default: c.default,
  }));
}

/** The OID of a system relation: its own, or a hash of its qualified name. */
export function systemRelationOid(r: SystemRelationDef): number {
  return r.oid ?? hashedOid(`system:${r.schema}.${r.name}`);
}

/** The OID of an index. */
export function indexOid(index: IndexSchema): number {
  return hashedOid(`index:${index.schema}.${index.name}`);
}

/**
 * Every relation: user tables, views, indexes and sequences by schema, then the system
 * relations.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE TABLE t (a int PRIMARY KEY)");
 * const r = await db.query("SELECT relkind FROM pg_class WHERE relname IN ('t', 't_pkey') ORDER BY 1");
 * console.assert(r.rows.map((x) => x[0]).join() === "i,r");
 * await db.close();
 * ```
 */
export function relationEntries(ctx: SystemContext): RelationEntry[] {
  const catalog = ctx.catalog;
  const out: RelationEntry[] = [];
  for (const table of catalog.tables()) {
    const oid = tableOid(table);
    out.push({
      oid,
      schema: table.schema,
      name: table.name,
      kind: "r",
      columns: attributes(table.columns),
      table,
    });
    for (const index of catalog.indexesOf(table.schema, table.name)) {
      const columns = index.columns.map((name, i) => {
        const c = table.columns.find((x) => x.name === name);
        return { attnum: i + 1, name, type: c!.type, notNull: false, default: null };
      });
      out.push({
        oid: indexOid(index),
        schema: index.schema,
        name: index.name,
        kind: "i",
        columns,
        index,
        indexedOid: oid,
      });
    }
  }
  for (const view of catalog.views()) {
    out.push({
      oid: hashedOid(`view:${view.schema}.${view.name}`),
      schema: view.schema,
      name: view.name,
      kind: "v",
      columns: ctx.viewColumns(view.schema, view.name).map((c, i) => ({
        attnum: i + 1,
        name: c.name,
        type: c.type,
        notNull: false,
        default: null,
      })),
      view,
    });
  }
  for (const s of catalog.sequences()) {
    out.push({
      oid: hashedOid(`sequence:${s.schema.schema}.${s.schema.name}`),
      schema: s.schema.schema,
      name: s.schema.name,
      kind: "S",
      columns: [],
    });
  }
  for (const r of ctx.registry.systemRelations()) {
    out.push({
      oid: systemRelationOid(r),
      schema: r.schema,
      name: r.name,
      kind: r.kind === "view" ? "v" : "r",
      columns: r.columns.map((c, i) => ({
        attnum: i + 1,
        name: c.name,
        type: c.type,
        notNull: false,
        default: null,
      })),
      system: r,
    });
  }
  return out;
}

/** PRIMARY KEY and UNIQUE constraints (from their indexes) and CHECK constraints. */
export function constraintEntries(ctx: SystemContext): ConstraintEntry[] {
  const out: ConstraintEntry[] = [];
  for (const table of ctx.catalog.tables()) {
    const oid = tableOid(table);
    const attnum = (name: string) => table.columns.find((c) => c.name === name)?.id ?? 0;
    for (const index of ctx.catalog.indexesOf(table.schema, table.name)) {
      if (index.constraint !== true && index.primary !== true) continue;
      const type = index.primary === true ? "p" : "u";
      const cols = index.columns.map(quoteIdentifier).join(", ");
      out.push({
        oid: hashedOid(`constraint:${table.schema}.${index.name}`),
        name: index.name,
        schema: table.schema,
        tableOid: oid,
        type,
        indexOid: indexOid(index),
        attnums: index.columns.map(attnum),
        definition: `${type === "p" ? "PRIMARY KEY" : "UNIQUE"} (${cols})`,
      });
    }
    for (const check of table.checks ?? []) {
      out.push({
        oid: hashedOid(`constraint:${table.schema}.${table.name}.${check.name}`),
        name: check.name,
        schema: table.schema,
        tableOid: oid,
        type: "c",
        indexOid: 0,
        attnums: table.columns.filter((c) => check.sql.includes(c.name)).map((c) => c.id),
        definition: `CHECK (${check.sql})`,
      });
    }
  }
  return out;
}

/** The schemas a bare name is looked up in: `pg_catalog` first unless the path names it. */
export function effectiveSearchPath(ctx: SystemContext): string[] {
  const path = ctx.settings.searchPath().filter((s) => s !== "$user");
  return path.includes("pg_catalog") ? path : ["pg_catalog", ...path];
}

/**
 * PostgreSQL's `pg_table_is_visible`: the relation's schema is on the search path and no
 * schema before it holds a relation of the same name.
 */
export function isVisible(
  entry: RelationEntry,
  byName: ReadonlyMap<string, readonly RelationEntry[]>,
  path: readonly string[],
): boolean {
  const i = path.indexOf(entry.schema);
  if (i < 0) return false;
  const same = byName.get(entry.name) ?? [];
  return !same.some((o) =>
    o !== entry && path.indexOf(o.schema) >= 0 && path.indexOf(o.schema) < i
  );
}

/**
 * Every schema: `pg_catalog`, `pg_toast` (empty: OmenDB has no TOAST tables; PostgreSQL lists it
 * and tools filter it out), the catalog's, then the system schemas, each once.
 */
export function schemaNames(ctx: SystemContext): string[] {
  const out = ["pg_catalog", "pg_toast", ...ctx.catalog.schemas()];
  for (const r of ctx.registry.systemRelations()) if (!out.includes(r.schema)) out.push(r.schema);
  return out;
}

/** A schema's OID (re-exported for the relations). */
export { namespaceOid };
