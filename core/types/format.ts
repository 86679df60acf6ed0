/**
 * PostgreSQL text output for values: what psql prints and what the PostgreSQL wire protocol sends
 * in text format. The HTTP API and the slt runner build on it.
 *
 * @module
 */
import { formatOffset, type TimeZone, utcTimeZone } from "./time_zone.ts";
import { unreachable } from "../errors.ts";
import type { DataType } from "./data_type.ts";
import type { Value } from "./column.ts";

/**
 * Formats a float8 the way PostgreSQL 12+ does: shortest round-trip digits, exponent form when
 * the decimal exponent is below -4 or at least 15.
 *
 * @example
 * ```ts
 * import { formatFloat8 } from "./format.ts";
 * console.assert(formatFloat8(0.1) === "0.1" && formatFloat8(1e20) === "1e+20");
 * ```
 */
export function formatFloat8(x: number, significantDigitsMax = 17): string {
  // between 1e-4 and 1e15 PostgreSQL prints the shortest round-trip digits without an
  // exponent, which is JavaScript's own number-to-string there (and no tie case: below 2^53)
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e15 && significantDigitsMax >= 17) return String(x);
  return formatFloat8Exponent(x, significantDigitsMax);
}

/** {@link formatFloat8} worked out from the exponent form (every value). */
export function formatFloat8Exponent(x: number, significantDigitsMax = 17): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  let s = x.toExponential(); // shortest round-trip digits: "d.ddde+N"
  if (significantDigitsMax < 17) s = Number(x.toPrecision(significantDigitsMax)).toExponential();
  else if (isHalfwayShortest(x, s)) {
    // PostgreSQL's shortest-digits printer does not accept a candidate lying exactly halfway
    // to the next double (JavaScript does, by ties-to-even): use 17 digits as it does.
    s = x.toExponential(16).replace(/\.?0+e/, "e");
  }
  const ePos = s.indexOf("e");
  const exp = Number(s.slice(ePos + 1));
  if (exp < -4 || exp >= 15) {
    const mantissa = s.slice(0, ePos);
    const sign = exp < 0 ? "-" : "+";
    const abs = Math.abs(exp);
    return `${mantissa}e${sign}${abs < 10 ? "0" : ""}${abs}`;
  }
  const digits = s.slice(0, ePos).replace(".", "").replace("-", "");
  const neg = x < 0 ? "-" : "";
  if (exp >= 0) {
    const intLen = exp + 1;
    if (digits.length <= intLen) return neg + digits + "0".repeat(intLen - digits.length);
    return `${neg}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
  }
  return `${neg}0.${"0".repeat(-exp - 1)}${digits}`;
}

const twoTo53 = 2 ** 53;

/**
 * Whether `shortest` (x.toExponential()) denotes a decimal exactly half an ulp away from `x`.
 * Only integer-valued doubles at or above 2^53 can be such ties in practice; others answer false.
 */
function isHalfwayShortest(x: number, shortest: string): boolean {
  const ax = Math.abs(x);
  if (ax < twoTo53 || !Number.isFinite(ax)) return false;
  const ePos = shortest.indexOf("e");
  const mantissa = shortest.slice(0, ePos).replace("-", "");
  const exp = Number(shortest.slice(ePos + 1));
  const fraction = mantissa.includes(".") ? mantissa.split(".")[1]! : "";
  const digits = mantissa.replace(".", "");
  const zeros = exp - fraction.length;
  if (zeros < 0) return false;
  const d = BigInt(digits) * 10n ** BigInt(zeros);
  const v = BigInt(ax);
  const ulp = 2n ** BigInt(Math.floor(Math.log2(ax)) - 52);
  const diff = d > v ? d - v : v - d;
  return diff * 2n === ulp;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/**
 * Days since 1970-01-01 as a proleptic Gregorian year, month and day, for any date PostgreSQL
 * holds (JS Date stops at year 275760, PostgreSQL's dates go to 5874897).
 */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Days since 1970-01-01 as `YYYY-MM-DD` (proleptic Gregorian; BC years get a suffix). */
export function formatDate(days: number): string {
  if (days === 2_147_483_647) return "infinity";
  if (days === -2_147_483_648) return "-infinity";
  return formatYmd(...civilFromDays(days));
}

function formatYmd(y: number, m: number, d: number): string {
  if (y <= 0) return `${pad(1 - y, 4)}-${pad(m, 2)}-${pad(d, 2)} BC`;
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/**
 * Microseconds since the epoch as PostgreSQL prints a timestamp: `2016-01-01 00:00:00[.ffffff]`,
 * fractional digits trimmed of trailing zeros.
 */
export function formatTimestamp(micros: number): string {
  if (micros === Infinity) return "infinity";
  if (micros === -Infinity) return "-infinity";
  const ms = Math.floor(micros / 1000);
  const frac = micros - ms * 1000 + (ms - Math.floor(ms / 1000) * 1000) * 1000;
  const secs = Math.floor(ms / 1000);
  const days = Math.floor(secs / 86_400);
  const sod = secs - days * 86_400;
  const ymd = formatYmd(...civilFromDays(days));
  const hms = `${pad(Math.floor(sod / 3600), 2)}:${pad(Math.floor(sod / 60) % 60, 2)}:${
    pad(sod % 60, 2)
  }`;
  const fracText = frac === 0 ? "" : `.${pad(frac, 6).replace(/0+$/, "")}`;
  if (ymd.endsWith(" BC")) return `${ymd.slice(0, -3)} ${hms}${fracText} BC`;
  return `${ymd} ${hms}${fracText}`;
}

/**
 * An instant as PostgreSQL prints a timestamptz in time zone `zone`: local time and the offset,
 * `2016-01-01 09:00:00+08`.
 */
export function formatTimestamptz(micros: number, zone: TimeZone = utcTimeZone): string {
  if (!Number.isFinite(micros)) return formatTimestamp(micros);
  const offset = zone.offsetAt(micros);
  const text = formatTimestamp(micros + offset * 1_000_000);
  const bc = text.endsWith(" BC");
  return `${bc ? text.slice(0, -3) : text}${formatOffset(offset)}${bc ? " BC" : ""}`;
}

/** Microseconds since midnight as PostgreSQL prints a time: `08:09:10[.ffffff]`. */
export function formatTime(micros: number): string {
  const s = Math.floor(micros / 1_000_000);
  const frac = micros - s * 1_000_000;
  const fracText = frac === 0 ? "" : `.${pad(frac, 6).replace(/0+$/, "")}`;
  return `${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${
    pad(s % 60, 2)
  }${fracText}`;
}

/**
 * A value in PostgreSQL's text format; `null` stays `null` (the caller decides how NULL prints).
 *
 * @example
 * ```ts
 * import { formatValue } from "./format.ts";
 * import { Types } from "./data_type.ts";
 * console.assert(formatValue(Types.bool, true) === "t");
 * console.assert(formatValue(Types.int8, 42n) === "42");
 * ```
 */
export function formatValue(
  type: DataType,
  value: Value,
  zone: TimeZone = utcTimeZone,
): string | null {
  if (value === null) return null;
  switch (type.kind) {
    case "unknown":
    case "text":
    case "varchar":
    case "numeric":
    case "interval":
    case "array":
      return String(value);
    case "bool":
      return value ? "t" : "f";
    case "int2":
    case "int4":
    case "int8":
      return String(value);
    case "float4":
      return formatFloat8(Number(value), 9);
    case "float8":
      return formatFloat8(Number(value));
    case "date":
      return formatDate(Number(value));
    case "timestamp":
      return formatTimestamp(Number(value));
    case "timestamptz":
      return formatTimestamptz(Number(value), zone);
    case "time":
      return formatTime(Number(value));
    default:
      return unreachable(type, "type");
  }
}
