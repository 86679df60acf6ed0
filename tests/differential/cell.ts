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
  | { readonly kind: "text"; readonly value: string }
  /** Days since 1970-01-01. */
  | { readonly kind: "date"; readonly value: number }
  /** Microseconds since 1970-01-01 00:00:00 (no time zone). */
  | { readonly kind: "timestamp"; readonly value: bigint }
  /** PostgreSQL's three interval fields, compared one by one (as shown, not justified). */
  | {
    readonly kind: "interval";
    readonly months: number;
    readonly days: number;
    readonly micros: bigint;
  };

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

/** Builds a date cell from days since 1970-01-01. */
export function dateCell(days: number): Cell {
  return { kind: "date", value: days };
}

/** Builds a timestamp cell from microseconds since 1970-01-01 00:00:00. */
export function timestampCell(micros: bigint | number): Cell {
  // infinite timestamps: OmenDB's ±Infinity, DuckDB's extreme microsecond counts and
  // PostgreSQL's text all become PostgreSQL's text
  if (micros === Infinity || micros === duckTimestampInfinity) return textCell("infinity");
  if (micros === -Infinity || micros === -duckTimestampInfinity) return textCell("-infinity");
  return { kind: "timestamp", value: BigInt(micros) };
}

/** DuckDB's `infinity` timestamp, in microseconds (its `-infinity` is the negation). */
const duckTimestampInfinity = 9_223_372_036_854_775_807n;

/** Builds an interval cell. */
export function intervalCell(months: number, days: number, micros: bigint | number): Cell {
  return { kind: "interval", months, days, micros: BigInt(micros) };
}

const microsPerDay = 86_400_000_000n;

/** Parses `YYYY-MM-DD` (ISO; PostgreSQL's `YYYY-MM-DD BC` too) to days since 1970-01-01. */
export function parseDateText(text: string): number {
  const m = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/.exec(text.trim());
  if (m === null) throw new Error(`not a date: ${text}`);
  // year 1 BC is year 0 of the proleptic Gregorian calendar
  const year = m[4] === undefined ? Number(m[1]) : 1 - Number(m[1]);
  return daysFromCivil(year, Number(m[2]), Number(m[3]));
}

/** Days since 1970-01-01 of a proleptic Gregorian date (any year, unlike JS Date). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff][ BC]` to microseconds since 1970-01-01. */
export function parseTimestampText(text: string): bigint {
  const m = /^(\S+)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?( BC)?$/.exec(text.trim());
  if (m === null) throw new Error(`not a timestamp: ${text}`);
  const days = BigInt(parseDateText((m[1] ?? "") + (m[6] ?? "")));
  const secs = BigInt(Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]));
  const frac = BigInt((m[5] ?? "").padEnd(6, "0"));
  return days * microsPerDay + secs * 1_000_000n + frac;
}

/**
 * Parses PostgreSQL's interval output (IntervalStyle `postgres`): `1 year 2 mons -3 days
 * +04:05:06.5`, `00:00:00`.
 */
export function parseIntervalText(text: string): { months: number; days: number; micros: bigint } {
  let months = 0;
  let days = 0;
  let micros = 0n;
  const re = /([+-]?\d+) (years?|mons?|days?)|([+-])?(\d+):(\d\d):(\d\d)(?:\.(\d{1,6}))?/g;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) {
      const n = Number(m[1]);
      if (m[2].startsWith("year")) months += 12 * n;
      else if (m[2].startsWith("mon")) months += n;
      else days += n;
    } else {
      const t = BigInt(Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6])) * 1_000_000n +
        BigInt((m[7] ?? "").padEnd(6, "0"));
      micros += m[3] === "-" ? -t : t;
    }
  }
  return { months, days, micros };
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
  if (a.kind === "date" && b.kind === "date") return a.value === b.value;
  if (a.kind === "timestamp" && b.kind === "timestamp") return a.value === b.value;
  if (a.kind === "interval" && b.kind === "interval") {
    return a.months === b.months && a.days === b.days && a.micros === b.micros;
  }
  return false;
}

/**
 * A cell's identity when it is equal exactly (same kind, same value; NaN, infinities and -0
 * kept apart from NULL and 0), for pairing cells before any tolerance.
 */
export function cellKey(c: Cell): string {
  return JSON.stringify(
    c,
    (_k, v) =>
      typeof v === "bigint"
        ? `${v}n`
        : typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))
        ? `${Object.is(v, -0) ? "-0" : v}f`
        : v,
  );
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
    case "date": {
      const d = new Date(c.value * 86_400_000);
      return Number.isNaN(d.getTime())
        ? `DATE(${c.value} days)`
        : `DATE '${d.toISOString().slice(0, 10)}'`;
    }
    case "timestamp": {
      const d = new Date(Number(c.value / 1000n));
      if (Number.isNaN(d.getTime())) return `TIMESTAMP(${c.value} us)`;
      const us = String(((c.value % 1_000_000n) + 1_000_000n) % 1_000_000n).padStart(6, "0");
      const iso = d.toISOString();
      return `TIMESTAMP '${iso.slice(0, 10)} ${iso.slice(11, 19)}.${us}'`;
    }
    case "interval":
      return `INTERVAL '${c.months} mons ${c.days} days ${c.micros} us'`;
  }
}
