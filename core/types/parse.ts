/**
 * Text input for values: what `CAST('...' AS type)` and typed literals accept, following
 * PostgreSQL's input functions. Bad input is a 22P02 (or 22003 / 22007 / 22008) DbError.
 *
 * @module
 */
import { parseTimeZone, type TimeZone, utcTimeZone } from "./time_zone.ts";
import { DbError, SqlState } from "../errors.ts";
import { decodeDateTime, type DecodedDateTime, julianFromCivil } from "./decode_date_time.ts";

const INT_RE = /^\s*([+-]?)(\d+)\s*$/;

/** Bad text for a date/time type: 22007 invalid_datetime_format, as PostgreSQL reports it. */
function invalidDatetime(typeName: string, text: string): DbError {
  return new DbError("22007", `invalid input syntax for type ${typeName}: "${text}"`);
}

function invalid(typeName: string, text: string): DbError {
  return new DbError(
    SqlState.invalidTextRepresentation,
    `invalid input syntax for type ${typeName}: "${text}"`,
  );
}

/** Parses an integer of the given range; `typeName` names the type in errors. */
export function parseInteger(text: string, min: number, max: number, typeName: string): number {
  const m = INT_RE.exec(text);
  if (!m) throw invalid(typeName, text);
  const v = Number(m[1]! + m[2]!);
  if (v < min || v > max || !Number.isFinite(v)) {
    throw new DbError(
      SqlState.numericValueOutOfRange,
      `value "${text}" is out of range for type ${typeName}`,
    );
  }
  return v;
}

/** Parses a bigint (int8). */
export function parseInt8(text: string): bigint {
  const m = INT_RE.exec(text);
  if (!m) throw invalid("bigint", text);
  const v = BigInt(m[1]! + m[2]!);
  if (v < -(2n ** 63n) || v >= 2n ** 63n) {
    throw new DbError(
      SqlState.numericValueOutOfRange,
      `value "${text}" is out of range for type bigint`,
    );
  }
  return v;
}

/** Parses a float8: decimal, exponent, NaN, Infinity (case-insensitive). */
export function parseFloat8(text: string, typeName = "double precision"): number {
  const t = text.trim().toLowerCase();
  if (t === "nan") return NaN;
  if (t === "infinity" || t === "+infinity" || t === "inf" || t === "+inf") return Infinity;
  if (t === "-infinity" || t === "-inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw invalid(typeName, text);
  const v = Number(t);
  if (!Number.isFinite(v)) {
    throw new DbError(
      SqlState.numericValueOutOfRange,
      `"${text}" is out of range for type ${typeName}`,
    );
  }
  return v;
}

/** Parses a boolean the way PostgreSQL does (unique prefixes of true/false/yes/no/on/off, 1/0). */
export function parseBool(text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t.length > 0) {
    if ("true".startsWith(t) || "yes".startsWith(t) || t === "on" || t === "1") return true;
    if ("false".startsWith(t) || "no".startsWith(t) || t === "off" || t === "of" || t === "0") {
      return false;
    }
  }
  throw invalid("boolean", text);
}

// a year of one or two digits is read in MDY order by the general decoder ('8-2-1' is 2001-08-02)
const DATE_RE = /^\s*(\d{3,6})-(\d{1,2})-(\d{1,2})(\s+BC)?/i;
const TIME_RE = /^[T\s]\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?/i;
const ZONE_RE = /^\s*(?:(Z|UTC|GMT)|([+-])(\d{1,2})(?::?(\d{2}))?)\s*$/i;

/** Days since 1970-01-01 of a proleptic Gregorian date (year 0 is 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // pure arithmetic (JS Date stops at year 275760; PostgreSQL's dates go to 5874897)
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** The number of days in month `m` (1-12) of year `y`, Gregorian leap years included. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

function checkDate(y: number, m: number, d: number, typeName: string, text: string): void {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new DbError("22008", `date/time field value out of range: "${text}"`, { hint: typeName });
  }
}

/** The Julian day number of 1970-01-01. */
const UNIX_EPOCH_JDATE = 2_440_588;
/** The Julian day after the last date PostgreSQL takes (5874898-01-01, DATE_END_JULIAN). */
const DATE_END_JDATE = 2_147_483_494;
/** The Julian day of the first day after PostgreSQL's last timestamp (294277-01-01). */
const TIMESTAMP_END_JDATE = 109_203_528;
const US_PER_DAY = 86_400_000_000;

/** PostgreSQL's `infinity` and `-infinity` dates (DATEVAL_NOEND, DATEVAL_NOBEGIN) in days. */
export const dateInfinity = 2_147_483_647;
export const dateMinusInfinity = -2_147_483_648;

/** Whether the text failed as bad syntax (22007), so PostgreSQL's general decoder may read it. */
function isSyntaxError(e: unknown): boolean {
  return e instanceof DbError && e.code === "22007";
}

/** The Julian day of a decoded date, or a 22008 error outside PostgreSQL's Julian range. */
function decodedJulianDay(d: DecodedDateTime, what: string, text: string): number {
  // IS_VALID_JULIAN: from November 4714 BC up to June 5874898
  const valid = (d.year > -4713 || (d.year === -4713 && d.month >= 11)) &&
    (d.year < 5_874_898 || (d.year === 5_874_898 && d.month < 6));
  const jd = julianFromCivil(d.year, d.month, d.day);
  if (!valid || jd < 0) throw new DbError("22008", `${what} out of range: "${text}"`);
  return jd;
}

/** A date from PostgreSQL's general date/time decoder (Julian days, punctuation, ...). */
function decodeDate(text: string): number {
  const d = decodeDateTime(text, "date");
  if (d.special === "epoch") return 0;
  if (d.special === "infinity") return dateInfinity;
  if (d.special === "-infinity") return dateMinusInfinity;
  const jd = decodedJulianDay(d, "date", text);
  if (jd >= DATE_END_JDATE) throw new DbError("22008", `date out of range: "${text}"`);
  return jd - UNIX_EPOCH_JDATE;
}

/** Parses a date (`YYYY-MM-DD`, or any form PostgreSQL's input takes) into days since 1970-01-01. */
export function parseDate(text: string): number {
  try {
    return parseIsoDate(text);
  } catch (e) {
    if (!isSyntaxError(e)) throw e;
    return decodeDate(text);
  }
}

/** Parses `YYYY-MM-DD` into days since 1970-01-01. */
function parseIsoDate(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === "epoch") return 0;
  const m = DATE_RE.exec(text);
  if (!m) throw invalidDatetime("date", text);
  const rest = text.slice(m[0].length);
  if (rest.trim() !== "") {
    // PostgreSQL reads and drops a time of day: '2024-03-01 12:00:00' is a date.
    const tm = TIME_RE.exec(rest);
    if (!tm || rest.slice(tm[0].length).trim() !== "") throw invalidDatetime("date", text);
    if (Number(tm[1]) > 24 || Number(tm[2]) > 59 || Number(tm[3] ?? 0) > 60) {
      throw new DbError("22008", `date/time field value out of range: "${text}"`);
    }
  }
  let y = Number(m[1]);
  if (m[4]) y = 1 - y;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  checkDate(y, mo, d, "date", text);
  return daysFromCivil(y, mo, d);
}

const CLOCK_RE =
  /^\s*(?:\d{1,6}-\d{1,2}-\d{1,2}(?:\s+|T))?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(am|pm)?\s*(?:z|utc|gmt|[+-]\d{1,2}(?::?\d{2})?)?\s*$/i;

/**
 * Parses a `time` into microseconds since midnight, as PostgreSQL reads it: `HH:MM[:SS[.f]]`,
 * optional AM/PM, an optional leading date and a trailing zone (both ignored), `allballs`;
 * up to `24:00:00`; digits past microseconds round.
 */
export function parseTime(text: string): number {
  if (text.trim().toLowerCase() === "allballs") return 0;
  const m = CLOCK_RE.exec(text);
  if (!m) throw invalidDatetime("time", text);
  let h = Number(m[1]);
  const mi = Number(m[2]);
  const s = m[3] ? Number(m[3]) : 0;
  const micros = m[4] ? Math.round(Number(`0.${m[4]}`) * 1e6) : 0;
  const meridiem = m[5]?.toLowerCase();
  if (meridiem !== undefined) {
    if (h < 1 || h > 12) {
      throw new DbError("22008", `date/time field value out of range: "${text}"`);
    }
    h = (h % 12) + (meridiem === "pm" ? 12 : 0);
  }
  const us = ((h * 60 + mi) * 60 + s) * 1_000_000 + micros;
  if (mi > 59 || s > 60 || us > 86_400_000_000) {
    throw new DbError("22008", `date/time field value out of range: "${text}"`);
  }
  return us;
}

/**
 * Parses a timestamp into microseconds since the epoch. With `withZone`, an offset or zone name
 * in the text is applied, and a time without one is local time in `zone` (the session's);
 * without `withZone`, any offset is ignored as PostgreSQL does.
 */
export function parseTimestamp(
  text: string,
  withZone: boolean,
  zone: TimeZone = utcTimeZone,
): number {
  try {
    return parseIsoTimestamp(text, withZone, zone);
  } catch (e) {
    if (!isSyntaxError(e)) throw e;
    return decodeTimestamp(text, withZone, zone);
  }
}

/** A timestamp from PostgreSQL's general date/time decoder (Julian days, punctuation, ...). */
function decodeTimestamp(text: string, withZone: boolean, zone: TimeZone): number {
  const typeName = withZone ? "timestamp with time zone" : "timestamp";
  const d = decodeDateTime(text, typeName);
  if (d.special === "epoch") return 0;
  if (d.special === "infinity") return Infinity;
  if (d.special === "-infinity") return -Infinity;
  const jd = decodedJulianDay(d, "timestamp", text);
  const us = (jd - UNIX_EPOCH_JDATE) * US_PER_DAY + d.timeMicros;
  const outOfRange = (t: number): boolean =>
    t < -UNIX_EPOCH_JDATE * US_PER_DAY ||
    t >= (TIMESTAMP_END_JDATE - UNIX_EPOCH_JDATE) * US_PER_DAY;
  if (outOfRange(us)) throw new DbError("22008", `timestamp out of range: "${text}"`);
  if (!withZone) return us;
  let utc: number;
  if (d.offsetSeconds !== null) utc = us - d.offsetSeconds * 1_000_000;
  else if (d.zoneName !== null) {
    const named = parseTimeZone(d.zoneName);
    if (named === null) throw invalidDatetime(typeName, text);
    utc = named.toUtc(us);
  } else utc = zone.toUtc(us);
  if (outOfRange(utc)) throw new DbError("22008", `timestamp out of range: "${text}"`);
  return utc;
}

/** The digit at `i` of `text` (0-9), or -1. */
function digitAt(text: string, i: number): number {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** The two-digit number at `i`, or -1. */
function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i), b = digitAt(text, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * The canonical ISO 8601 forms that drivers and line protocol tools send, read without regular
 * expressions: `YYYY-MM-DD[T| ]HH:MM:SS[.ffffff][Z|±HH[[:]MM]]`. `undefined` for anything else
 * (other forms, out-of-range fields), which the general parser then reads (and rejects).
 */
function fastIsoTimestamp(
  text: string,
  withZone: boolean,
  zone: TimeZone,
  typeName: string,
): number | undefined {
  const n = text.length;
  if (n < 19 || text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":") {
    return undefined;
  }
  if (text[10] !== "T" && text[10] !== " ") return undefined;
  const y1 = twoDigits(text, 0), y2 = twoDigits(text, 2);
  const mo = twoDigits(text, 5), d = twoDigits(text, 8);
  const h = twoDigits(text, 11), mi = twoDigits(text, 14), sec = twoDigits(text, 17);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return undefined;
  }
  if (sec < 0 || sec > 59) return undefined;
  let i = 19;
  let micros = 0;
  if (text[i] === ".") {
    let digits = 0;
    for (i++; i < n && digitAt(text, i) >= 0; i++, digits++) {
      if (digits === 6) return undefined; // more than microseconds: the general parser rounds
      micros = micros * 10 + digitAt(text, i);
    }
    if (digits === 0) return undefined;
    for (let k = digits; k < 6; k++) micros *= 10;
  }
  let offsetMinutes: number | null = null;
  if (i < n) {
    const c = text[i];
    if (c === "Z" && i + 1 === n) offsetMinutes = 0;
    else if (c === "+" || c === "-") {
      const oh = twoDigits(text, i + 1);
      let om = 0;
      let j = i + 3;
      if (text[j] === ":") j++;
      if (j < n) {
        om = twoDigits(text, j);
        j += 2;
      }
      if (oh < 0 || oh > 15 || om < 0 || om > 59 || j !== n) return undefined;
      offsetMinutes = (oh * 60 + om) * (c === "-" ? -1 : 1);
    } else return undefined;
  }
  const y = y1 * 100 + y2;
  if (y === 0) return undefined; // year 0 does not exist: the general parser says so
  checkDate(y, mo, d, typeName, text);
  const us = ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi) * 60_000_000 + sec * 1_000_000 +
    micros;
  if (!withZone) return us;
  return offsetMinutes !== null ? us - offsetMinutes * 60_000_000 : zone.toUtc(us);
}

function parseIsoTimestamp(
  text: string,
  withZone: boolean,
  zone: TimeZone,
): number {
  const typeName = withZone ? "timestamp with time zone" : "timestamp";
  const fast = fastIsoTimestamp(text, withZone, zone, typeName);
  if (fast !== undefined) return fast;
  const lower = text.trim().toLowerCase();
  if (lower === "infinity") return Infinity;
  if (lower === "-infinity") return -Infinity;
  if (lower === "epoch") return 0;
  const m = DATE_RE.exec(text);
  if (!m) throw invalidDatetime(typeName, text);
  let rest = text.slice(m[0].length);
  let y = Number(m[1]);
  const bc = m[4] !== undefined;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  let h = 0, mi = 0, s = 0, micros = 0;
  const tm = TIME_RE.exec(rest);
  if (tm) {
    h = Number(tm[1]);
    mi = Number(tm[2]);
    s = tm[3] ? Number(tm[3]) : 0;
    if (tm[4]) micros = Math.round(Number(`0.${tm[4]}`) * 1e6);
    rest = rest.slice(tm[0].length);
    if (h > 24 || mi > 59 || s > 60 || (h === 24 && (mi > 0 || s > 0 || micros > 0))) {
      throw new DbError("22008", `date/time field value out of range: "${text}"`);
    }
  }
  let offsetMinutes: number | null = null;
  let named: TimeZone | null = null;
  let rest2 = rest;
  const bcm = /\s+BC\s*$/i.exec(rest2);
  if (bcm && !bc) {
    y = 1 - y;
    rest2 = rest2.slice(0, bcm.index);
  } else if (bc) y = 1 - y;
  if (rest2.trim() !== "") {
    const z = ZONE_RE.exec(rest2);
    if (!z) {
      // a zone name: '2022-01-01 01:10:00 Australia/Sydney'
      named = /^\s+[a-z]/i.test(rest2) ? parseTimeZone(rest2.trim()) : null;
      if (named === null) throw invalidDatetime(typeName, text);
    } else if (z[1]) offsetMinutes = 0;
    else {
      // PostgreSQL accepts displacements up to 15:59
      if (Number(z[3]) > 15 || Number(z[4] ?? 0) > 59) {
        throw new DbError("22009", `time zone displacement out of range: "${text}"`);
      }
      offsetMinutes = (Number(z[3]) * 60 + Number(z[4] ?? 0)) * (z[2] === "-" ? -1 : 1);
    }
  }
  checkDate(y, mo, d, typeName, text);
  const days = daysFromCivil(y, mo, d);
  const us = ((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + micros;
  if (!withZone) return us;
  if (offsetMinutes !== null) return us - offsetMinutes * 60_000_000;
  return (named ?? zone).toUtc(us);
}
