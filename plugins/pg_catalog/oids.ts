/**
 * Object identifiers: how OmenDB's catalog objects get PostgreSQL OIDs, and the `pg_type` table
 * of the built-in types with PostgreSQL's own OIDs (int8 20, int4 23, text 25, float8 701,
 * timestamptz 1184, ...).
 *
 * - A table's OID is {@link firstUserOid} + its immutable catalog id: stable across restarts,
 *   renames and ALTER TABLE, never reused.
 * - A column's `attnum` is its immutable column id (1, 2, ...; a dropped column leaves a gap, as
 *   in PostgreSQL).
 * - Views, indexes, sequences, constraints, schemas other than `public` and users have no id in
 *   the catalog: their OIDs are a hash of their kind and qualified name, in
 *   [{@link hashedOidMin}, {@link hashedOidMax}). They are stable while the name is, and change
 *   when the object is renamed.
 *
 * @module
 */
import type { TableSchema } from "../../core/catalog/table.ts";
import { type DataType, typeOid } from "../../core/types/data_type.ts";

/** PostgreSQL's first OID for user-defined objects (FirstNormalObjectId). */
export const firstUserOid = 16_384;
/** The lowest OID a hashed name gets (above any table's {@link firstUserOid} + id). */
export const hashedOidMin = 1 << 24;
/** One above the highest OID a hashed name gets (OIDs stay within int4). */
export const hashedOidMax = 1 << 30;

/** `pg_catalog`'s OID in PostgreSQL. */
export const pgCatalogOid = 11;
/** `pg_toast`'s OID in PostgreSQL. */
export const pgToastOid = 99;
/** `public`'s OID in PostgreSQL. */
export const publicOid = 2200;
/** `information_schema`'s OID here (PostgreSQL assigns it at initdb, above 13000). */
export const informationSchemaOid = 13_000;
/** The bootstrap superuser's OID: OmenDB's default user `omendb`. */
export const bootstrapRoleOid = 10;
/** The default user's name. */
export const defaultUserName = "omendb";
/** The one database's OID. */
export const databaseOid = firstUserOid;
/** Access methods, with PostgreSQL's OIDs. */
export const heapAmOid = 2;
/** The btree access method's OID. */
export const btreeAmOid = 403;
/** The default collation's OID (`pg_collation`). */
export const defaultCollationOid = 100;
/** The `pg_default` tablespace's OID. */
export const defaultTablespaceOid = 1663;

/**
 * A stable OID for a name: FNV-1a of `key`, folded into [hashedOidMin, hashedOidMax).
 *
 * @example
 * ```ts
 * import { hashedOid, hashedOidMin } from "./oids.ts";
 * console.assert(hashedOid("view:public.v") === hashedOid("view:public.v"));
 * console.assert(hashedOid("view:public.v") >= hashedOidMin);
 * ```
 */
export function hashedOid(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return hashedOidMin + (h % (hashedOidMax - hashedOidMin));
}

/** A table's OID: {@link firstUserOid} + its catalog id. */
export function tableOid(table: TableSchema): number {
  return firstUserOid + table.id;
}

/** A schema's OID: PostgreSQL's for `pg_catalog` and `public`, a hash for the others. */
export function namespaceOid(name: string): number {
  switch (name) {
    case "pg_catalog":
      return pgCatalogOid;
    case "pg_toast":
      return pgToastOid;
    case "public":
      return publicOid;
    case "information_schema":
      return informationSchemaOid;
    default:
      return hashedOid(`namespace:${name}`);
  }
}

/** A user's OID: 10 for the default user, a hash of the name for the others. */
export function roleOid(name: string): number {
  return name === defaultUserName ? bootstrapRoleOid : hashedOid(`role:${name}`);
}

/** One row of `pg_type`: a type PostgreSQL clients may ask about. */
export interface PgTypeEntry {
  readonly oid: number;
  readonly name: string;
  /** `format_type`'s spelling (`double precision`). */
  readonly sqlName: string;
  /** typlen: bytes, -1 for variable length, -2 for C strings. */
  readonly len: number;
  readonly category: string;
  /** The element type of an array type (0 otherwise). */
  readonly elem: number;
  /** The array type of this type (0 when none). */
  readonly array: number;
  /** `b` base, `p` pseudo-type. */
  readonly kind: "b" | "p";
  readonly preferred: boolean;
}

const base: readonly [number, string, string, number, string, number, boolean?][] = [
  [16, "bool", "boolean", 1, "B", 1000, true],
  [17, "bytea", "bytea", -1, "U", 1001],
  [18, "char", '"char"', 1, "Z", 1002],
  [19, "name", "name", 64, "S", 1003],
  [20, "int8", "bigint", 8, "N", 1016],
  [21, "int2", "smallint", 2, "N", 1005],
  [23, "int4", "integer", 4, "N", 1007],
  [24, "regproc", "regproc", 4, "N", 1008],
  [25, "text", "text", -1, "S", 1009, true],
  [26, "oid", "oid", 4, "N", 1028, true],
  [114, "json", "json", -1, "U", 199],
  [194, "pg_node_tree", "pg_node_tree", -1, "Z", 0],
  [700, "float4", "real", 4, "N", 1021],
  [701, "float8", "double precision", 8, "N", 1022, true],
  [705, "unknown", "unknown", -2, "X", 0],
  [1033, "aclitem", "aclitem", 12, "U", 1034],
  [1042, "bpchar", "character", -1, "S", 1014],
  [1043, "varchar", "character varying", -1, "S", 1015],
  [1082, "date", "date", 4, "D", 1182],
  [1083, "time", "time without time zone", 8, "D", 1183],
  [1114, "timestamp", "timestamp without time zone", 8, "D", 1115],
  [1184, "timestamptz", "timestamp with time zone", 8, "D", 1185, true],
  [1186, "interval", "interval", 16, "T", 1187, true],
  [1266, "timetz", "time with time zone", 12, "D", 1270],
  [1700, "numeric", "numeric", -1, "N", 1231],
  [2205, "regclass", "regclass", 4, "N", 2210],
  [2206, "regtype", "regtype", 4, "N", 2211],
  [2950, "uuid", "uuid", 16, "U", 2951],
  [3802, "jsonb", "jsonb", -1, "U", 3807],
  [4089, "regnamespace", "regnamespace", 4, "N", 4090],
  [4096, "regrole", "regrole", 4, "N", 4097],
];

const pseudo: readonly [number, string][] = [
  [2249, "record"],
  [2275, "cstring"],
  [2276, "any"],
  [2277, "anyarray"],
  [2278, "void"],
  [2283, "anyelement"],
];

/** The rows of `pg_type`: base types, their array types, a few pseudo-types; by OID. */
export const pgTypes: readonly PgTypeEntry[] = [
  ...base.map(([oid, name, sqlName, len, category, array, preferred]) => ({
    oid,
    name,
    sqlName,
    len,
    category,
    elem: 0,
    array,
    kind: "b" as const,
    preferred: preferred === true,
  })),
  ...base.filter(([, , , , , array]) => array !== 0).map(([oid, name, sqlName, , , array]) => ({
    oid: array,
    name: `_${name}`,
    sqlName: `${sqlName}[]`,
    len: -1,
    category: "A",
    elem: oid,
    array: 0,
    kind: "b" as const,
    preferred: false,
  })),
  ...pseudo.map(([oid, name]) => ({
    oid,
    name,
    sqlName: name,
    len: -1,
    category: "P",
    elem: 0,
    array: 0,
    kind: "p" as const,
    preferred: false,
  })),
].sort((a, b) => a.oid - b.oid);

const typesByOid = new Map(pgTypes.map((t) => [t.oid, t]));
const typesByName = new Map(pgTypes.map((t) => [t.name, t]));

/** The `pg_type` row of an OID, or `undefined`. */
export function pgTypeByOid(oid: number): PgTypeEntry | undefined {
  return typesByOid.get(oid);
}

/** The `pg_type` row of a type name (`int4`, `_text`), or `undefined`. */
export function pgTypeByName(name: string): PgTypeEntry | undefined {
  return typesByName.get(name);
}

/** A column type's `atttypmod`: the declared length + 4, or (p << 16 | s) + 4; else -1. */
export function typeModifier(t: DataType): number {
  if (t.kind === "varchar" && t.maxLength !== null) return t.maxLength + 4;
  if (t.kind === "numeric" && t.precision !== null) {
    return ((t.precision << 16) | (t.scale ?? 0)) + 4;
  }
  return -1;
}

/** The OID of a column type, as `pg_attribute.atttypid` holds it. */
export function columnTypeOid(t: DataType): number {
  return typeOid(t);
}

/**
 * PostgreSQL's `format_type(oid, typmod)`: the SQL spelling of a type with its modifier
 * (`character varying(20)`, `numeric(10,2)`); `???` for an unknown OID, as PostgreSQL prints.
 *
 * @example
 * ```ts
 * import { formatType } from "./oids.ts";
 * console.assert(formatType(1043, 24) === "character varying(20)");
 * console.assert(formatType(1700, ((10 << 16) | 2) + 4) === "numeric(10,2)");
 * console.assert(formatType(1007, -1) === "integer[]");
 * ```
 */
export function formatType(oid: number, typmod: number | null): string {
  const t = typesByOid.get(oid);
  if (t === undefined) return "???";
  if (t.category === "A" && t.elem !== 0) return `${formatType(t.elem, typmod)}[]`;
  if (typmod === null || typmod < 4) return t.sqlName;
  switch (t.name) {
    case "varchar":
    case "bpchar":
      return `${t.sqlName}(${typmod - 4})`;
    case "numeric": {
      const m = typmod - 4;
      return `numeric(${(m >> 16) & 0xffff},${m & 0xffff})`;
    }
    default:
      return t.sqlName;
  }
}
