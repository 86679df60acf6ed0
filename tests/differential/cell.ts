/**
 * Engine-neutral result values. Each engine's answer is converted to {@link Cell}s so that an
 * `int4` from OmenDB, a `BIGINT` from DuckDB and a `numeric` from PostgreSQL compare as numbers,
 * a boolean compares with PostgreSQL's `t`, and NaN equals NaN (as it does in SQL ordering).
 *
 * @module
 */

/** One result value in engine-neutral form. */
export type Cell =
  | null
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "text"; readonly value: string };

/** Relative tolerance for comparing floating-point values (and floats with integers). */
export const floatRelativeTolerance = 1e-9;

/** Builds an integer cell. */
export function intCell(value: bigint | number): Cell {
  return { kind: "int", value: typeof value === "bigint" ? value : BigInt(value) };
}

/** Builds a floating-point cell. */
export function floatCell(value: number): Cell {
  return { kind: "float", value };
}

/** Builds a text cell. */
export function textCell(value: string): Cell {
  return { kind: "text", value };
}

/** Builds a boolean cell. */
export function boolCell(value: boolean): Cell {
  return { kind: "bool", value };
}

/** Parses a decimal string (PostgreSQL numeric, DuckDB DECIMAL): integral values stay exact. */
export function numericTextCell(text: string): Cell {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return intCell(BigInt(t));
  if (/^[+-]?\d+\.0*$/.test(t)) return intCell(BigInt(t.slice(0, t.indexOf("."))));
  return floatCell(parseFloatText(t));
}

/** Parses PostgreSQL/DuckDB float text, including `NaN`, `Infinity`, `inf`, `-inf`. */
export function parseFloatText(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "-nan") return NaN;
  if (t === "infinity" || t === "inf" || t === "+infinity" || t === "+inf") return Infinity;
  if (t === "-infinity" || t === "-inf") return -Infinity;
  return Number(t);
}

/** Builds a cell from a plain JS value, without type information. */
export function cellFromJs(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
      return boolCell(value);
    case "bigint":
      return intCell(value);
    case "number":
      return Number.isInteger(value) && Number.isSafeInteger(value)
        ? intCell(value)
        : floatCell(value);
    case "string":
      return textCell(value);
    default:
      return textCell(String(value));
  }
}

function boolText(text: string): boolean | null {
  switch (text) {
    case "t":
    case "true":
      return true;
    case "f":
    case "false":
      return false;
    default:
      return null;
  }
}

function floatsEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true; // also +0 === -0 and equal infinities
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= floatRelativeTolerance * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * True when two cells hold the same value: integers exactly, floats (and a float against an
 * integer) within {@link floatRelativeTolerance}, NaN equal to NaN, NULL equal only to NULL, a
 * boolean equal to PostgreSQL's `t`/`f` text. Text never equals a number.
 */
export function cellsEqual(a: Cell, b: Cell): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind === "int" && b.kind === "int") return a.value === b.value;
  if (a.kind === "int" && b.kind === "float") return floatsEqual(Number(a.value), b.value);
  if (a.kind === "float" && b.kind === "int") return floatsEqual(a.value, Number(b.value));
  if (a.kind === "float" && b.kind === "float") return floatsEqual(a.value, b.value);
  if (a.kind === "bool" && b.kind === "bool") return a.value === b.value;
  if (a.kind === "bool" && b.kind === "text") return boolText(b.value) === a.value;
  if (a.kind === "text" && b.kind === "bool") return boolText(a.value) === b.value;
  if (a.kind === "text" && b.kind === "text") return a.value === b.value;
  return false;
}

/** A short SQL-like rendering for messages: `NULL`, `42`, `1.5`, `'abc'`, `true`. */
export function showCell(c: Cell): string {
  if (c === null) return "NULL";
  switch (c.kind) {
    case "bool":
      return c.value ? "true" : "false";
    case "int":
      return c.value.toString();
    case "float":
      return Number.isNaN(c.value)
        ? "NaN"
        : Object.is(c.value, -0)
        ? "-0"
        : Number.isInteger(c.value) && Math.abs(c.value) < 1e21
        ? `${c.value}.0`
        : String(c.value);
    case "text":
      return `'${c.value.replaceAll("'", "''")}'`;
  }
}
