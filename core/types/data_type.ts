/**
 * SQL data types. A type is a small immutable object discriminated by `kind`; every switch over
 * kinds is exhaustive, so adding a kind makes the compiler list every place that must handle it.
 *
 * @module
 */

/** Every SQL type OmenDB knows. `unknown` is the type of an untyped NULL or string literal. */
export type DataType =
  | { readonly kind: "unknown" }
  | { readonly kind: "bool" }
  | { readonly kind: "int2" }
  | { readonly kind: "int4" }
  | { readonly kind: "int8" }
  | { readonly kind: "float4" }
  | { readonly kind: "float8" }
  | {
    readonly kind: "numeric";
    /** Total significant digits, or `null` for an unconstrained NUMERIC. */
    readonly precision: number | null;
    /** Fractional digits, or `null` for an unconstrained NUMERIC. */
    readonly scale: number | null;
  }
  | { readonly kind: "text" }
  | { readonly kind: "varchar"; readonly maxLength: number | null }
  | { readonly kind: "date" }
  | { readonly kind: "timestamp" }
  | { readonly kind: "timestamptz" }
  | { readonly kind: "time" }
  | { readonly kind: "interval" }
  | {
    /** A one-dimensional array; values are kept in PostgreSQL's text form (`{1,2,NULL}`). */
    readonly kind: "array";
    readonly element: DataType;
  };

/** The discriminant of {@link DataType}. */
export type TypeKind = DataType["kind"];

/** Ready-made instances of the parameterless types. */
export const Types = {
  unknown: { kind: "unknown" },
  bool: { kind: "bool" },
  int2: { kind: "int2" },
  int4: { kind: "int4" },
  int8: { kind: "int8" },
  float4: { kind: "float4" },
  float8: { kind: "float8" },
  numeric: { kind: "numeric", precision: null, scale: null },
  text: { kind: "text" },
  varchar: { kind: "varchar", maxLength: null },
  date: { kind: "date" },
  timestamp: { kind: "timestamp" },
  timestamptz: { kind: "timestamptz" },
  time: { kind: "time" },
  interval: { kind: "interval" },
} as const satisfies Record<string, DataType>;

/** Facts about each type kind: PostgreSQL name and OID, the category used for coercion. */
export interface TypeInfo {
  /** PostgreSQL's name for the type, as `pg_type.typname` spells it. */
  readonly pgName: string;
  /** PostgreSQL's type OID, sent on the wire. */
  readonly oid: number;
  /** Coercion category (PostgreSQL's typcategory letter). */
  readonly category: "A" | "B" | "N" | "S" | "D" | "T" | "X";
}

/** Type facts per kind. */
export const typeInfo: Readonly<Record<TypeKind, TypeInfo>> = {
  unknown: { pgName: "unknown", oid: 705, category: "X" },
  bool: { pgName: "bool", oid: 16, category: "B" },
  int2: { pgName: "int2", oid: 21, category: "N" },
  int4: { pgName: "int4", oid: 23, category: "N" },
  int8: { pgName: "int8", oid: 20, category: "N" },
  float4: { pgName: "float4", oid: 700, category: "N" },
  float8: { pgName: "float8", oid: 701, category: "N" },
  numeric: { pgName: "numeric", oid: 1700, category: "N" },
  text: { pgName: "text", oid: 25, category: "S" },
  varchar: { pgName: "varchar", oid: 1043, category: "S" },
  date: { pgName: "date", oid: 1082, category: "D" },
  timestamp: { pgName: "timestamp", oid: 1114, category: "D" },
  timestamptz: { pgName: "timestamptz", oid: 1184, category: "D" },
  time: { pgName: "time", oid: 1083, category: "D" },
  interval: { pgName: "interval", oid: 1186, category: "T" },
  // per element type, see arrayTypeOid
  array: { pgName: "anyarray", oid: 2277, category: "A" },
};

/** PostgreSQL's OIDs of the array types, by element kind (`_int4` is 1007). */
const ARRAY_OIDS: Partial<Record<TypeKind, number>> = {
  bool: 1000,
  int2: 1005,
  int4: 1007,
  int8: 1016,
  float4: 1021,
  float8: 1022,
  numeric: 1231,
  text: 1009,
  varchar: 1015,
  date: 1182,
  timestamp: 1115,
  timestamptz: 1185,
  time: 1183,
  interval: 1187,
};

/** PostgreSQL's `pg_type.typname` of a type: `_int4` for `integer[]`. */
export function typeName(t: DataType): string {
  if (t.kind === "array") return `_${typeName(t.element)}`;
  return typeInfo[t.kind].pgName;
}

/** The OID a type has on the wire: the array type's own OID for arrays. */
export function typeOid(t: DataType): number {
  if (t.kind === "array") return ARRAY_OIDS[t.element.kind] ?? typeInfo.array.oid;
  return typeInfo[t.kind].oid;
}

/** `elementType[]`. */
export function arrayOf(element: DataType): DataType {
  return { kind: "array", element };
}

/** True for the numeric kinds. */
export function isNumeric(t: DataType): boolean {
  return typeInfo[t.kind].category === "N";
}

/** True for the binary floating-point kinds. */
export function isFloat(t: DataType): boolean {
  return t.kind === "float4" || t.kind === "float8";
}

/** True for the integer kinds. */
export function isInteger(t: DataType): boolean {
  return t.kind === "int2" || t.kind === "int4" || t.kind === "int8";
}

/** True for text and varchar. */
export function isString(t: DataType): boolean {
  return t.kind === "text" || t.kind === "varchar";
}

/** The SQL spelling of a type, for messages: `integer`, `character varying(10)`. */
export function typeToSql(t: DataType): string {
  switch (t.kind) {
    case "unknown":
      return "unknown";
    case "bool":
      return "boolean";
    case "int2":
      return "smallint";
    case "int4":
      return "integer";
    case "int8":
      return "bigint";
    case "float4":
      return "real";
    case "float8":
      return "double precision";
    case "numeric":
      return t.precision === null ? "numeric" : `numeric(${t.precision},${t.scale ?? 0})`;
    case "text":
      return "text";
    case "varchar":
      return t.maxLength === null ? "character varying" : `character varying(${t.maxLength})`;
    case "date":
      return "date";
    case "timestamp":
      return "timestamp without time zone";
    case "timestamptz":
      return "timestamp with time zone";
    case "time":
      return "time without time zone";
    case "array":
      return `${typeToSql(t.element).replace(/\(.*\)$/, "")}[]`;
    case "interval":
      return "interval";
  }
}

/** Whether two types are the same type (parameters included). */
export function sameType(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "varchar" && b.kind === "varchar") return a.maxLength === b.maxLength;
  if (a.kind === "numeric" && b.kind === "numeric") {
    return a.precision === b.precision && a.scale === b.scale;
  }
  if (a.kind === "array" && b.kind === "array") return sameType(a.element, b.element);
  return true;
}
