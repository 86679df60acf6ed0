/**
 * A generated test case: tables, their rows and one query, plus the features the query uses.
 * {@link renderScript} turns it into the SQL script that every engine runs and that a failure
 * message shows.
 *
 * @module
 */

import type { OrderSpec } from "./compare.ts";

/** Column types the generators use. */
export type SqlType =
  | "int4"
  | "int8"
  | "float8"
  | "numeric"
  | "text"
  | "bool"
  | "date"
  | "timestamp"
  | "interval";

/** Every {@link SqlType}. */
export const sqlTypes: readonly SqlType[] = [
  "int4",
  "int8",
  "float8",
  "numeric",
  "text",
  "bool",
  "date",
  "timestamp",
  "interval",
];

/**
 * The spelling of each type in CREATE TABLE and CAST; all three engines accept these. NUMERIC
 * has a fixed precision and scale that DuckDB's DECIMAL can hold (at most 38 digits), and values
 * stay far enough below it that a few products of them fit too.
 */
export const sqlTypeName: Readonly<Record<SqlType, string>> = {
  int4: "INTEGER",
  int8: "BIGINT",
  float8: "DOUBLE PRECISION",
  numeric: "NUMERIC(12,3)",
  text: "TEXT",
  bool: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  interval: "INTERVAL",
};

/**
 * A literal value of a column; its type comes from the column. NUMERIC, DATE, TIMESTAMP and
 * INTERVAL values are their literal text (`'12.5'`, `'2024-02-29'`, `'2024-02-29 12:00:00'`,
 * `'1 day 02:00:00'`).
 */
export type SqlValue = null | boolean | number | bigint | string;

/** One column of a generated table. */
export interface ColumnDef {
  readonly name: string;
  readonly type: SqlType;
}

/** One generated table and its rows. */
export interface TableDef {
  readonly name: string;
  readonly columns: readonly ColumnDef[];
  readonly rows: readonly (readonly SqlValue[])[];
}

/** A generated query: its SQL, the features it uses, and how its rows are ordered. */
export interface GeneratedQuery {
  readonly sql: string;
  /** Feature tags, e.g. `where`, `arith.div`, `func.lower`; used for the report and divergences. */
  readonly features: readonly string[];
  /** Present when the query has ORDER BY. */
  readonly order: OrderSpec | null;
}

/** One differential test case. */
export interface SqlCase {
  readonly tables: readonly TableDef[];
  readonly query: GeneratedQuery;
}

/** Significant digits up to which a float is written as a plain literal. */
export const plainFloatDigitsMax = 15;

/** Renders a float as SQL: a plain literal when short, else a cast from its exact text. */
export function renderFloat(x: number): string {
  if (Number.isNaN(x)) return "CAST('NaN' AS DOUBLE PRECISION)";
  if (x === Infinity) return "CAST('Infinity' AS DOUBLE PRECISION)";
  if (x === -Infinity) return "CAST('-Infinity' AS DOUBLE PRECISION)";
  const s = String(x);
  const digits = s.replace(/^-/, "").replace(/e.*$/, "").replace(".", "").replace(/^0+/, "");
  if (digits.length <= plainFloatDigitsMax) {
    // A dot or exponent keeps it from being read as an integer literal.
    return /[.e]/.test(s) ? s : `${s}.0`;
  }
  return `CAST('${s}' AS DOUBLE PRECISION)`;
}

/** Renders a string literal, doubling quotes. */
export function renderText(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Renders a value of the given type as a SQL literal with an unambiguous type on every engine
 * (e.g. int4's minimum is cast, because `-2147483648` is a bigint literal in DuckDB).
 */
export function renderValue(type: SqlType, v: SqlValue): string {
  if (v === null) return "NULL";
  switch (type) {
    case "int4": {
      const n = Number(v);
      return n < 0 ? `CAST(${n} AS INTEGER)` : String(n);
    }
    case "int8":
      return `CAST(${BigInt(v as number | bigint)} AS BIGINT)`;
    case "float8":
      return renderFloat(Number(v));
    case "text":
      return renderText(String(v));
    case "bool":
      return v ? "TRUE" : "FALSE";
    case "numeric":
      return `CAST(${renderText(String(v))} AS ${sqlTypeName.numeric})`;
    case "date":
      return `DATE ${renderText(String(v))}`;
    case "timestamp":
      return `TIMESTAMP ${renderText(String(v))}`;
    case "interval":
      return `INTERVAL ${renderText(String(v))}`;
  }
}

/** The CREATE TABLE and INSERT statements that set a case up. */
export function renderSetup(tables: readonly TableDef[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    const cols = t.columns.map((c) => `${c.name} ${sqlTypeName[c.type]}`).join(", ");
    out.push(`CREATE TABLE ${t.name} (${cols})`);
    if (t.rows.length > 0) {
      const rows = t.rows.map((r) =>
        `(${t.columns.map((c, i) => renderValue(c.type, r[i] ?? null)).join(", ")})`
      );
      out.push(`INSERT INTO ${t.name} VALUES ${rows.join(", ")}`);
    }
  }
  return out;
}

/** The whole case as a runnable SQL script: setup statements, then the query. */
export function renderScript(c: SqlCase): string {
  return [...renderSetup(c.tables), c.query.sql].map((s) => `${s};`).join("\n");
}
