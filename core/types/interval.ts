/**
 * INTERVAL: months, days and microseconds kept apart (a month is not a fixed number of days).
 * A value is stored as its PostgreSQL text form ("1 year 2 mons 3 days 04:05:06"), so columns
 * reuse the string paths; arithmetic goes through {@link Interval}.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import { daysFromCivil, daysInMonth } from "./parse.ts";
import { civilFromDays } from "./format.ts";

/** An interval's three parts. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

const microsPerSecond = 1_000_000;
const microsPerHour = 3600 * microsPerSecond;
const microsPerDay = 24 * microsPerHour;

const UNITS: Record<string, { months?: number; days?: number; micros?: number }> = {
  microsecond: { micros: 1 },
  millisecond: { micros: 1000 },
  second: { micros: microsPerSecond },
  minute: { micros: 60 * microsPerSecond },
  hour: { micros: microsPerHour },
  day: { days: 1 },
  week: { days: 7 },
  month: { months: 1 },
  year: { months: 12 },
  decade: { months: 120 },
  century: { months: 1200 },
  millennium: { months: 12000 },
};

const ALIASES: Record<string, string> = {
  us: "microsecond",
  usec: "microsecond",
  usecs: "microsecond",
  microseconds: "microsecond",
  usecond: "microsecond",
  useconds: "microsecond",
  microsecon: "microsecond",
  ms: "millisecond",
  msecond: "millisecond",
  mseconds: "millisecond",
  millisecon: "millisecond",
  msec: "millisecond",
  msecs: "millisecond",
  milliseconds: "millisecond",
  s: "second",
  sec: "second",
  secs: "second",
  seconds: "second",
  m: "minute",
  min: "minute",
  mins: "minute",
  minutes: "minute",
  h: "hour",
  hr: "hour",
  hrs: "hour",
  hours: "hour",
  d: "day",
  days: "day",
  w: "week",
  weeks: "week",
  mon: "month",
  mons: "month",
  months: "month",
  y: "year",
  yr: "year",
  yrs: "year",
  years: "year",
  decades: "decade",
  dec: "decade",
  decs: "decade",
  c: "century",
  cent: "century",
  centuries: "century",
  mil: "millennium",
  mils: "millennium",
  millennia: "millennium",
  millenniums: "millennium",
};

function unitOf(word: string): string | null {
  const w = word.toLowerCase();
  if (UNITS[w] !== undefined) return w;
  return ALIASES[w] ?? null;
}

function invalid(text: string): DbError {
  // 22007 invalid_datetime_format, as PostgreSQL reports bad interval text
  return new DbError("22007", `invalid input syntax for type interval: "${text}"`);
}

const int32Min = -2147483648;
const int32Max = 2147483647;

/**
 * Parses PostgreSQL interval text: number-unit pairs, `hh:mm[:ss[.f]]`, a leading `@`, a
 * trailing `ago`. A bare number takes `defaultUnit` (SQL's `INTERVAL '90' DAY`), else seconds.
 *
 * @example
 * ```ts
 * import { formatInterval, parseInterval } from "./interval.ts";
 * console.assert(formatInterval(parseInterval("1 year 2 months 3 days 04:05:06")) ===
 *   "1 year 2 mons 3 days 04:05:06");
 * ```
 */
export function parseInterval(text: string, defaultUnit: string | null = null): Interval {
  const tokens = text.trim().toLowerCase().replace(/^@\s*/, "").split(/\s+/).filter((t) =>
    t !== ""
  );
  if (tokens.length === 0) throw invalid(text);
  let months = 0;
  let days = 0;
  let micros = 0;
  let ago = false;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok === "ago" && i === tokens.length - 1) {
      ago = true;
      continue;
    }
    const time = /^([+-])?(\d+):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6})\d*)?)?$/.exec(tok);
    if (time) {
      const sign = time[1] === "-" ? -1 : 1;
      const us = Number(time[2]) * microsPerHour + Number(time[3]) * 60 * microsPerSecond +
        Number(time[4] ?? 0) * microsPerSecond + Number((time[5] ?? "").padEnd(6, "0") || 0);
      micros += sign * us;
      continue;
    }
    const num = /^([+-]?(?:\d+\.?\d*|\.\d+))([a-z]*)$/.exec(tok);
    if (!num) throw invalid(text);
    let unitWord = num[2]!;
    if (unitWord === "" && i + 1 < tokens.length && unitOf(tokens[i + 1]!) !== null) {
      unitWord = tokens[++i]!;
    }
    const unit = unitWord === "" ? (defaultUnit ?? "second") : unitOf(unitWord);
    if (unit === null) throw invalid(text);
    const value = Number(num[1]);
    const u = UNITS[unit]!;
    // Fractions spread down as PostgreSQL does: months to days (30), days to time.
    if (u.months !== undefined) {
      const m = value * u.months;
      const whole = Math.trunc(m);
      months += whole;
      const fracDays = (m - whole) * 30;
      const wholeDays = Math.trunc(fracDays);
      days += wholeDays;
      micros += Math.round((fracDays - wholeDays) * microsPerDay);
    } else if (u.days !== undefined) {
      const d = value * u.days;
      const whole = Math.trunc(d);
      days += whole;
      micros += Math.round((d - whole) * microsPerDay);
    } else micros += Math.round(value * u.micros!);
  }
  // PostgreSQL keeps months and days in 32 bits; our microseconds are exact up to 2^53
  if (
    !Number.isSafeInteger(months) || !Number.isSafeInteger(days) ||
    !Number.isSafeInteger(micros) || months < int32Min || months > int32Max || days < int32Min ||
    days > int32Max
  ) {
    throw new DbError("22015", `interval field value out of range: "${text}"`);
  }
  return ago ? { months: -months, days: -days, micros: -micros } : { months, days, micros };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** PostgreSQL's default (`postgres`) interval output. */
export function formatInterval(iv: Interval): string {
  const parts: string[] = [];
  const years = Math.trunc(iv.months / 12);
  const mons = iv.months % 12;
  // PostgreSQL's EncodeInterval: a positive field right after a negative one gets a "+"
  let negativeSeen = false;
  const field = (n: number, text: string) => {
    if (n === 0) return;
    parts.push(negativeSeen && n > 0 ? `+${text}` : text);
    negativeSeen = n < 0;
  };
  field(years, plural(years, "year"));
  field(mons, `${mons} mon${mons === 1 ? "" : "s"}`);
  field(iv.days, plural(iv.days, "day"));
  if (iv.micros !== 0 || parts.length === 0) {
    const neg = iv.micros < 0;
    let us = Math.abs(iv.micros);
    const h = Math.floor(us / microsPerHour);
    us -= h * microsPerHour;
    const m = Math.floor(us / (60 * microsPerSecond));
    us -= m * 60 * microsPerSecond;
    const s = Math.floor(us / microsPerSecond);
    const frac = us - s * microsPerSecond;
    const pad = (x: number) => String(x).padStart(2, "0");
    const sign = neg ? "-" : negativeSeen ? "+" : "";
    const fracText = frac === 0 ? "" : `.${String(frac).padStart(6, "0").replace(/0+$/, "")}`;
    parts.push(`${sign}${pad(h)}:${pad(m)}:${pad(s)}${fracText}`);
  }
  return parts.join(" ");
}

/** The interval's length with PostgreSQL's comparison conventions (30-day months). */
export function intervalSpan(iv: Interval): number {
  return iv.months * 30 * microsPerDay + iv.days * microsPerDay + iv.micros;
}

/** Adds an interval to a timestamp in microseconds (months by the calendar, clamping the day). */
export function addIntervalToMicros(us: number, iv: Interval): number {
  if (!Number.isFinite(us)) return us;
  let t = us;
  if (iv.months !== 0) {
    const days = Math.floor(t / microsPerDay);
    const dayMicros = t - days * microsPerDay;
    // calendar arithmetic without JS Date, which stops at year 275760
    const [y, month, d] = civilFromDays(days);
    const m = month - 1 + iv.months;
    const targetYear = y + Math.floor(m / 12);
    const targetMonth = ((m % 12) + 12) % 12;
    const day = Math.min(d, daysInMonth(targetYear, targetMonth + 1));
    t = daysFromCivil(targetYear, targetMonth + 1, day) * microsPerDay + dayMicros;
  }
  return t + iv.days * microsPerDay + iv.micros;
}

/** Negation. */
export function negateInterval(iv: Interval): Interval {
  return { months: -iv.months, days: -iv.days, micros: -iv.micros };
}

/** Sum. */
export function addIntervals(a: Interval, b: Interval): Interval {
  return { months: a.months + b.months, days: a.days + b.days, micros: a.micros + b.micros };
}

/** Multiplies by a factor, spreading fractions down as PostgreSQL does. */
export function scaleInterval(iv: Interval, f: number): Interval {
  if (!Number.isFinite(f)) {
    throw new DbError(SqlState.numericValueOutOfRange, "interval out of range");
  }
  const m = iv.months * f;
  const months = Math.trunc(m);
  const d = iv.days * f + (m - months) * 30;
  const days = Math.trunc(d);
  const micros = Math.round(iv.micros * f + (d - days) * microsPerDay);
  return { months, days, micros };
}

/** a - b for timestamps: whole days and the rest (PostgreSQL's timestamp_mi + justify_hours). */
export function diffMicros(a: number, b: number): Interval {
  const diff = a - b;
  const days = Math.trunc(diff / microsPerDay);
  return { months: 0, days, micros: diff - days * microsPerDay };
}

/** PostgreSQL's timestamp range: 4713-11-24 BC to 294276-12-31 AD, in microseconds. */
export const timestampMicrosMin = -211813488000000000;
export const timestampMicrosMax = 9224318015999999999;

/** 22008 when a computed timestamp leaves PostgreSQL's range. */
export function checkTimestampRange(us: number): number {
  if (
    Number.isNaN(us) ||
    (Number.isFinite(us) && (us < timestampMicrosMin || us > timestampMicrosMax))
  ) {
    throw new DbError("22008", "timestamp out of range");
  }
  return us;
}
