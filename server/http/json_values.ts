/**
 * SQL values as JSON: numbers stay numbers, int8 stays exact (a string when it does not fit a
 * JSON number safely, or always when asked), timestamps are RFC 3339 with microseconds, dates
 * are `YYYY-MM-DD`, and NaN / infinities are the strings PostgreSQL prints.
 *
 * @example
 * ```ts
 * import { jsonValueEncoder } from "./json_values.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const ts = jsonValueEncoder(Types.timestamptz, { int8AsString: false });
 * console.assert(ts(Date.UTC(2016, 0, 1) * 1000) === "2016-01-01T00:00:00.000000Z");
 * ```
 *
 * @module
 */
import { unreachable } from "../../core/errors.ts";
import type { DataType } from "../../core/types/data_type.ts";
import type { Value } from "../../core/types/column.ts";
import { formatTime } from "../../core/types/format.ts";
import { parseArrayText } from "../../core/types/array.ts";
import { castColumn } from "../../core/exec/kernels/cast.ts";
import { columnFromValues, valueAt } from "../../core/types/column.ts";
import { Types } from "../../core/types/data_type.ts";

/** A value as it appears in a JSON response. */
export type JsonValue = null | boolean | number | string | JsonValue[];

/** Turns one SQL value of a fixed type into its JSON form. */
export type JsonValueEncoder = (value: Value) => JsonValue;

/** Options for {@link jsonValueEncoder}. */
export interface JsonValueOptions {
  /** Send every int8 and numeric as a string (exact), not only int8s outside ±(2^53 - 1). */
  readonly int8AsString: boolean;
}

const microsPerDay = 86_400_000_000;
const daysFrom0000To1970 = 719_528;

/** The encoder for values of `type`: pick it once per column, call it per row. */
export function jsonValueEncoder(type: DataType, options: JsonValueOptions): JsonValueEncoder {
  switch (type.kind) {
    case "bool":
      return (v) => (v === null ? null : Boolean(v));
    case "int2":
    case "int4":
      return encodeNumber;
    case "int8":
      return options.int8AsString ? encodeInt8AsString : encodeInt8;
    case "float4":
      return encodeFloat4;
    case "float8":
      return encodeNumber;
    case "numeric":
      // A JSON number by default; with the exact-integers option, the exact decimal text.
      return options.int8AsString ? encodeText : (v) => (v === null ? null : Number(v));
    case "unknown":
    case "text":
    case "varchar":
    case "interval":
      return encodeText;
    case "time":
      return (v) => (v === null ? null : formatTime(Number(v)));
    case "array": {
      // a JSON array of the elements, each encoded as its type is
      const element = type.element;
      const inner = jsonValueEncoder(element, options);
      return (v) => {
        if (v === null) return null;
        const parts = parseArrayText(String(v));
        const typed = castColumn(columnFromValues(Types.text, parts), element);
        return parts.map((_, i) => inner(valueAt(typed, i)));
      };
    }
    case "date":
      return (v) => (v === null ? null : formatIsoDate(Number(v)));
    case "timestamp":
    case "timestamptz":
      return (v) => (v === null ? null : formatRfc3339Micros(Number(v)));
    default:
      return unreachable(type, "type");
  }
}

function encodeText(v: Value): JsonValue {
  if (v === null || typeof v === "string") return v;
  return typeof v === "bigint" ? v.toString() : v;
}

/** Finite numbers as numbers; NaN and infinities as PostgreSQL spells them. */
function encodeNumber(v: Value): JsonValue {
  if (v === null) return null;
  if (typeof v === "bigint") return encodeInt8(v);
  const n = Number(v);
  if (Number.isFinite(n)) return n;
  if (Number.isNaN(n)) return "NaN";
  return n > 0 ? "Infinity" : "-Infinity";
}

/** A float4 with the fewest digits that read back as the same float32 (what PostgreSQL prints). */
function encodeFloat4(v: Value): JsonValue {
  const n = encodeNumber(v);
  if (typeof n !== "number" || n === 0) return n;
  const f = Math.fround(n);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

function encodeInt8(v: Value): JsonValue {
  if (v === null) return null;
  if (typeof v === "bigint") {
    const n = Number(v);
    return Number.isSafeInteger(n) && BigInt(n) === v ? n : v.toString();
  }
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : encodeNumber(v);
  return String(v);
}

function encodeInt8AsString(v: Value): JsonValue {
  if (v === null) return null;
  if (typeof v === "number" && !Number.isInteger(v)) return encodeNumber(v);
  return typeof v === "number" ? BigInt(v).toString() : String(v);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Years 0000-9999 as four digits; others in the ISO 8601 expanded form `+012345` / `-000001`. */
function formatYear(y: number): string {
  if (y >= 0 && y <= 9999) return pad(y, 4);
  return `${y < 0 ? "-" : "+"}${pad(Math.abs(y), 6)}`;
}

/** Civil date (proleptic Gregorian) from days since 1970-01-01; exact for any integer day. */
function civilFromDays(days: number): { y: number; m: number; d: number } {
  // Howard Hinnant's days_from_civil inverse, with era arithmetic so it is exact far out.
  const z = days + daysFrom0000To1970 - 60; // days since 0000-03-01
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) -
      Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return { y, m, d };
}

/**
 * Days since 1970-01-01 as an ISO 8601 date, `YYYY-MM-DD` (astronomical years: 1 BC is 0000).
 * Infinite dates are `infinity` / `-infinity`, as PostgreSQL prints them.
 */
export function formatIsoDate(days: number): string {
  if (!Number.isFinite(days)) return days > 0 ? "infinity" : "-infinity";
  // the engine's infinite dates (PostgreSQL's DATEVAL_NOEND / DATEVAL_NOBEGIN)
  if (days === 2_147_483_647) return "infinity";
  if (days === -2_147_483_648) return "-infinity";
  const { y, m, d } = civilFromDays(Math.floor(days));
  return `${formatYear(y)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/**
 * Microseconds since the Unix epoch as RFC 3339 in UTC with exactly six fractional digits:
 * `2016-01-01T00:00:00.000000Z`. Infinite timestamps are `infinity` / `-infinity`.
 *
 * @example
 * ```ts
 * import { formatRfc3339Micros } from "./json_values.ts";
 * console.assert(formatRfc3339Micros(-1) === "1969-12-31T23:59:59.999999Z");
 * ```
 */
export function formatRfc3339Micros(micros: number): string {
  if (!Number.isFinite(micros)) return micros > 0 ? "infinity" : "-infinity";
  const whole = Math.round(micros);
  const days = Math.floor(whole / microsPerDay);
  let rest = whole - days * microsPerDay; // 0 <= rest < microsPerDay, exact below 2^53
  const frac = rest % 1_000_000;
  rest = (rest - frac) / 1_000_000;
  const s = rest % 60;
  rest = (rest - s) / 60;
  const min = rest % 60;
  const h = (rest - min) / 60;
  return `${formatIsoDate(days)}T${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}.${pad(frac, 6)}Z`;
}
