/**
 * Renders engine values to the text a sqllogictest expected block uses, per dialect
 * (FORMAT.md §5). The base text comes from {@link formatValue} (PostgreSQL's text output);
 * dialect rules are applied on top.
 *
 * @example
 * ```ts
 * import { renderValue } from "./render.ts";
 * import { Types } from "../../core/types/mod.ts";
 * console.assert(renderValue("classic", Types.float8, 25.5, "R") === "25.500");
 * console.assert(renderValue("duckdb", Types.bool, true, "T") === "true");
 * ```
 *
 * @module
 */
import { type TimeZone, utcTimeZone } from "../../core/types/time_zone.ts";
import { type DataType, formatValue, type Value, valueAt } from "../../core/types/mod.ts";
import { arrayElements } from "../../core/exec/kernels/array_ops.ts";
import { type Interval, parseInterval } from "../../core/types/interval.ts";
import type { Dialect } from "./record.ts";

const encoder = new TextEncoder();

/** Classic `T` rendering: `(empty)` for "", `@` for every byte outside 0x20..0x7E. */
export function classicText(text: string): string {
  if (text === "") return "(empty)";
  if (!/[^\x20-\x7e]/.test(text)) return text;
  let out = "";
  for (const byte of encoder.encode(text)) {
    out += byte < 0x20 || byte > 0x7e ? "@" : String.fromCharCode(byte);
  }
  return out;
}

/** `printf("%.3f", x)`: exact-value rounding, ties to even (glibc). */
export function formatFixed3(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Math.abs(x) >= 1e21) return `${BigInt(Math.trunc(x))}.000`;
  const sixteenths = x * 16; // a decimal tie at the 4th place is exactly an odd multiple of 1/16
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const toward = Math.trunc(x * 1000); // exact for such x
    const chosen = toward % 2 === 0 ? toward : toward + Math.sign(x);
    const text = (Math.abs(chosen) / 1000).toFixed(3);
    return x < 0 ? `-${text}` : text;
  }
  return x.toFixed(3);
}

/** SQLite's text-to-number prefix parse (`sqlite3_column_double` on text). */
function leadingNumber(text: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m === null ? 0 : Number(m[0]);
}

function classicInteger(type: DataType, value: Exclude<Value, null>): string {
  switch (typeof value) {
    case "boolean":
      return value ? "1" : "0";
    case "bigint":
      return String(value);
    case "number":
      if (!Number.isFinite(value)) {
        return value > 0 ? "9223372036854775807" : "-9223372036854775808";
      }
      return Math.abs(value) < 1e15
        ? String(Math.trunc(value) + 0)
        : String(BigInt(Math.trunc(value)));
    case "string": {
      if (type.kind === "text" || type.kind === "varchar" || type.kind === "unknown") {
        const n = Math.trunc(leadingNumber(value));
        return String(n + 0);
      }
      return classicInteger(type, Number(value));
    }
  }
}

function classicReal(value: Exclude<Value, null>): string {
  switch (typeof value) {
    case "boolean":
      return value ? "1.000" : "0.000";
    case "bigint":
      return `${value}.000`;
    case "number":
      return formatFixed3(value);
    case "string":
      return formatFixed3(leadingNumber(value));
  }
}

/** DataFusion float text: rounded to 12 decimals, trailing zeros (and dot) trimmed. */
export function formatRounded12(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Math.abs(x) >= 1e21) return String(x);
  let s = x.toFixed(12);
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  return s === "-0" ? "0" : s;
}

/**
 * A float4 value as DataFusion prints it: the shortest decimal that reads back as the same
 * 32-bit float (Rust's `f32` display), then rounded like {@link formatRounded12}.
 */
export function formatFloat4Rounded12(x: number): string {
  if (!Number.isFinite(x)) return formatRounded12(x);
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(x.toPrecision(digits));
    if (Math.fround(shortest) === x) return formatRounded12(shortest);
  }
  return formatRounded12(x);
}

/**
 * Fractional seconds as Arrow (chrono) prints them: 3 digits when the value is whole
 * milliseconds, else 6 (`.19` becomes `.190`, `.190855` stays).
 */
function arrowFraction(text: string): string {
  return text.replace(
    /\.(\d{1,6})(?=\D|$)/,
    (_m, digits: string) => `.${digits.padEnd(digits.length <= 3 ? 3 : 6, "0")}`,
  );
}

const microsPerSecond = 1_000_000;
const microsPerMinute = 60 * microsPerSecond;
const microsPerHour = 60 * microsPerMinute;

/** `HH:MM:SS[.ffffff]` of a non-negative microsecond count, fraction trimmed of zeros. */
function clockText(micros: number): string {
  const h = Math.floor(micros / microsPerHour);
  const m = Math.floor((micros % microsPerHour) / microsPerMinute);
  const s = Math.floor((micros % microsPerMinute) / microsPerSecond);
  const frac = micros % microsPerSecond;
  const pad = (x: number) => String(x).padStart(2, "0");
  const fracText = frac === 0 ? "" : `.${String(frac).padStart(6, "0").replace(/0+$/, "")}`;
  return `${pad(h)}:${pad(m)}:${pad(s)}${fracText}`;
}

/** DuckDB's interval text: `1 year 2 months 3 days 04:05:06`, `00:00:00` when zero. */
export function formatDuckdbInterval(iv: Interval): string {
  const parts: string[] = [];
  const word = (n: number, unit: string) => `${n} ${unit}${n === 1 || n === -1 ? "" : "s"}`;
  const years = Math.trunc(iv.months / 12);
  const months = iv.months - years * 12;
  if (years !== 0) parts.push(word(years, "year"));
  if (months !== 0) parts.push(word(months, "month"));
  if (iv.days !== 0) parts.push(word(iv.days, "day"));
  if (iv.micros !== 0) {
    parts.push(`${iv.micros < 0 ? "-" : ""}${clockText(Math.abs(iv.micros))}`);
  } else if (parts.length === 0) {
    parts.push("00:00:00");
  }
  return parts.join(" ");
}

/**
 * Arrow's (2024) month-day-nano interval text as DataFusion prints it:
 * `0 years 14 mons 3 days 4 hours 5 mins 6.000000000 secs`. The years field is always 0; the
 * time part is split into hours, minutes and seconds that each carry the sign.
 */
export function formatArrowInterval(iv: Interval): string {
  const sign = iv.micros < 0 ? -1 : 1;
  const abs = Math.abs(iv.micros);
  const hours = Math.floor(abs / microsPerHour) * sign + 0;
  const mins = Math.floor((abs % microsPerHour) / microsPerMinute) * sign + 0;
  const secs = Math.floor((abs % microsPerMinute) / microsPerSecond);
  const nanos = String((abs % microsPerSecond) * 1000).padStart(9, "0");
  const secsText = `${sign < 0 && abs % microsPerMinute !== 0 ? "-" : ""}${secs}.${nanos}`;
  return `0 years ${iv.months} mons ${iv.days} days ${hours} hours ${mins} mins ${secsText} secs`;
}

/**
 * Renders one value. `letter` is the column's type letter from the query header (classic only
 * uses it). NULL renders as `NULL` in every dialect.
 */
export function renderValue(
  dialect: Dialect,
  type: DataType,
  value: Value,
  letter: string,
  zone: TimeZone = utcTimeZone,
): string {
  if (value === null) return "NULL";
  if (dialect === "classic") {
    if (letter === "I") return classicInteger(type, value);
    if (letter === "R") return classicReal(value);
    if (typeof value === "boolean") return value ? "1" : "0";
    return classicText(formatValue(type, value, zone) ?? "NULL");
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (type.kind === "array" && typeof value === "string") {
    // DuckDB and DataFusion print lists as [1, 2, NULL]
    const items = arrayElements(value, type.element);
    const parts: string[] = [];
    for (let i = 0; i < items.length; i++) {
      parts.push(renderValue(dialect, type.element, valueAt(items, i), letter, zone));
    }
    return `[${parts.join(", ")}]`;
  }
  if (
    typeof value === "string" && value === "" && (type.kind === "text" ||
      type.kind === "varchar" || type.kind === "unknown")
  ) {
    return "(empty)";
  }
  const isFloat = type.kind === "float4" || type.kind === "float8";
  if (dialect === "datafusion") {
    if (type.kind === "float4" && typeof value === "number") return formatFloat4Rounded12(value);
    if (isFloat && typeof value === "number") return formatRounded12(value);
    if (type.kind === "timestamp") {
      return arrowFraction(formatValue(type, value) ?? "").replace(" ", "T");
    }
    if (type.kind === "timestamptz") {
      // Arrow prints the zone's offset as +HH:MM, and Z for UTC
      return arrowFraction(formatValue(type, value, zone) ?? "").replace(" ", "T")
        .replace(/\+00$/, "Z").replace(/([+-]\d\d)$/, "$1:00");
    }
    if (type.kind === "interval" && typeof value === "string") {
      return formatArrowInterval(parseInterval(value));
    }
    if (typeof value === "string") return value.replace(/\n+$/, "");
  }
  if (dialect === "risinglight" && isFloat && typeof value === "number") {
    return formatRounded12(value);
  }
  if (dialect === "duckdb" && type.kind === "interval" && typeof value === "string") {
    return formatDuckdbInterval(parseInterval(value));
  }
  const text = formatValue(type, value, zone) ?? "NULL";
  if (
    dialect === "duckdb" && (type.kind === "date" || type.kind === "timestamp" ||
      type.kind === "timestamptz")
  ) {
    return text.replace(/ BC(\+00)?$/, (_m, tz: string | undefined) => `${tz ?? ""} (BC)`);
  }
  return text;
}
