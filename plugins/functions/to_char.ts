/**
 * `to_char(timestamp | timestamptz | date, format)` -> text with PostgreSQL's template patterns
 * (the session time zone is UTC): `YYYY YYY YY Y IYYY CC`, `MM MON Mon mon MONTH Month month
 * RM rm Q`, `DD DDD D ID IDDD W WW IW J`, `DAY Day day DY Dy dy`, `HH HH12 HH24 MI SS MS US
 * SSSS FF1`–`FF6`, `AM PM am pm A.M. P.M.`, `BC AD`, `TZ tz TZH TZM OF` (timestamptz only);
 * the `FM` prefix (no padding) and `TH`/`th` suffixes; `"quoted text"` and `\"` are copied.
 * Other characters are copied as they are, as in PostgreSQL.
 *
 * @example
 * ```ts
 * import { formatTimestampPattern } from "./to_char.ts";
 * const us = Date.UTC(2024, 0, 5, 14, 3, 9) * 1000;
 * console.assert(formatTimestampPattern(us, "YYYY-MM-DD HH24:MI:SS") === "2024-01-05 14:03:09");
 * console.assert(formatTimestampPattern(us, "FMDay, FMDDth Mon") === "Friday, 5th Jan");
 * ```
 *
 * @module
 */
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { isString, Types } from "../../core/types/data_type.ts";
import { isValid, makeColumn, valueAt } from "../../core/types/column.ts";
import { daysFromCivil } from "../../core/types/parse.ts";
import { civilFromDays } from "../../core/types/format.ts";

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

/** Template patterns, longest first so that `HH24` wins over `HH`. */
const PATTERNS = [
  "Y,YYY",
  "YYYY",
  "IYYY",
  "YYY",
  "IYY",
  "YY",
  "IY",
  "Y",
  "I",
  "CC",
  "MONTH",
  "Month",
  "month",
  "MON",
  "Mon",
  "mon",
  "MM",
  "RM",
  "rm",
  "Q",
  "DDD",
  "IDDD",
  "DD",
  "ID",
  "D",
  "DAY",
  "Day",
  "day",
  "DY",
  "Dy",
  "dy",
  "WW",
  "IW",
  "W",
  "J",
  "HH24",
  "HH12",
  "HH",
  "MI",
  "SSSS",
  "SS",
  "MS",
  "US",
  "FF1",
  "FF2",
  "FF3",
  "FF4",
  "FF5",
  "FF6",
  "A.M.",
  "P.M.",
  "a.m.",
  "p.m.",
  "AM",
  "PM",
  "am",
  "pm",
  "B.C.",
  "A.D.",
  "b.c.",
  "a.d.",
  "BC",
  "AD",
  "bc",
  "ad",
  "TZH",
  "TZM",
  "TZ",
  "tz",
  "OF",
].sort((a, b) => b.length - a.length);

function ordinal(n: number, upper: boolean): string {
  const t = Math.abs(n) % 100;
  const s = t >= 11 && t <= 13 ? "th" : (["th", "st", "nd", "rd"][Math.abs(n) % 10] ?? "th");
  return upper ? s.toUpperCase() : s;
}

/** ISO 8601 week-numbering year and week of a day number. */
function isoWeek(days: number): { year: number; week: number; dayOfYear: number } {
  const dow = ((days % 7) + 7 + 3) % 7; // Monday = 0
  const thursday = days - dow + 3;
  const year = civilFromDays(thursday)[0];
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
  const weekOneMonday = daysFromCivil(year, 1, 4) - (((daysFromCivil(year, 1, 4) % 7) + 7 + 3) % 7);
  return { year, week, dayOfYear: days - weekOneMonday + 1 };
}

/** Formats microseconds since the epoch (UTC) with a PostgreSQL template. */
export function formatTimestampPattern(us: number, format: string, withZone = false): string {
  const days = Math.floor(us / 86_400_000_000);
  const inDay = us - days * 86_400_000_000;
  const [year, month, day] = civilFromDays(days);
  const dow = ((days % 7) + 7 + 4) % 7; // Sunday = 0
  const hour = Math.floor(inDay / 3_600_000_000);
  const minute = Math.floor(inDay / 60_000_000) % 60;
  const second = Math.floor(inDay / 1_000_000) % 60;
  const micros = inDay % 1_000_000;
  const doy = days - daysFromCivil(year, 1, 1) + 1;
  const bc = year <= 0;
  const y = bc ? 1 - year : year; // PostgreSQL prints BC years as positive
  const isoYear = () => {
    const iy = isoWeek(days).year;
    return iy <= 0 ? 1 - iy : iy;
  };
  const pad = (n: number, width: number, fm: boolean) =>
    fm ? String(n) : (n < 0 ? "-" : "") + String(Math.abs(n)).padStart(width, "0");
  const word = (text: string, fm: boolean, width: number) => (fm ? text : text.padEnd(width, " "));
  const field = (p: string, fm: boolean): string | number => {
    switch (p) {
      case "Y,YYY": {
        const s = pad(y, 4, false);
        return `${s.slice(0, -3)},${s.slice(-3)}`;
      }
      case "YYYY":
        return pad(y, 4, fm);
      case "YYY":
        return pad(y % 1000, 3, fm);
      case "YY":
        return pad(y % 100, 2, fm);
      case "Y":
        return String(y % 10);
      case "IYYY":
        return pad(isoYear(), 4, fm);
      case "IYY":
        return pad(isoYear() % 1000, 3, fm);
      case "IY":
        return pad(isoYear() % 100, 2, fm);
      case "I":
        return String(isoYear() % 10);
      case "CC":
        return pad(bc ? -(Math.floor((y - 1) / 100) + 1) : Math.floor((y - 1) / 100) + 1, 2, fm);
      case "MONTH":
        return word(MONTHS[month - 1]!.toUpperCase(), fm, 9);
      case "Month":
        return word(MONTHS[month - 1]!, fm, 9);
      case "month":
        return word(MONTHS[month - 1]!.toLowerCase(), fm, 9);
      case "MON":
        return MONTHS[month - 1]!.slice(0, 3).toUpperCase();
      case "Mon":
        return MONTHS[month - 1]!.slice(0, 3);
      case "mon":
        return MONTHS[month - 1]!.slice(0, 3).toLowerCase();
      case "MM":
        return pad(month, 2, fm);
      case "RM":
        return word(ROMAN[month - 1]!, fm, 4);
      case "rm":
        return word(ROMAN[month - 1]!.toLowerCase(), fm, 4);
      case "Q":
        return String(Math.floor((month - 1) / 3) + 1);
      case "DDD":
        return pad(doy, 3, fm);
      case "IDDD":
        return pad(isoWeek(days).dayOfYear, 3, fm);
      case "DD":
        return pad(day, 2, fm);
      case "ID":
        return String(dow === 0 ? 7 : dow);
      case "D":
        return String(dow + 1);
      case "DAY":
        return word(DAYS[dow]!.toUpperCase(), fm, 9);
      case "Day":
        return word(DAYS[dow]!, fm, 9);
      case "day":
        return word(DAYS[dow]!.toLowerCase(), fm, 9);
      case "DY":
        return DAYS[dow]!.slice(0, 3).toUpperCase();
      case "Dy":
        return DAYS[dow]!.slice(0, 3);
      case "dy":
        return DAYS[dow]!.slice(0, 3).toLowerCase();
      case "WW":
        return pad(Math.floor((doy - 1) / 7) + 1, 2, fm);
      case "IW":
        return pad(isoWeek(days).week, 2, fm);
      case "W":
        return String(Math.floor((day - 1) / 7) + 1);
      case "J":
        return String(days + 2440588);
      case "HH":
      case "HH12":
        return pad(hour % 12 === 0 ? 12 : hour % 12, 2, fm);
      case "HH24":
        return pad(hour, 2, fm);
      case "MI":
        return pad(minute, 2, fm);
      case "SS":
        return pad(second, 2, fm);
      case "SSSS":
        return String(Math.floor(inDay / 1_000_000));
      case "MS":
        return pad(Math.floor(micros / 1000), 3, fm);
      case "US":
        return pad(micros, 6, fm);
      case "FF1":
      case "FF2":
      case "FF3":
      case "FF4":
      case "FF5":
      case "FF6": {
        const digits = Number(p[2]);
        return String(micros).padStart(6, "0").slice(0, digits);
      }
      case "AM":
      case "PM":
        return hour < 12 ? "AM" : "PM";
      case "am":
      case "pm":
        return hour < 12 ? "am" : "pm";
      case "A.M.":
      case "P.M.":
        return hour < 12 ? "A.M." : "P.M.";
      case "a.m.":
      case "p.m.":
        return hour < 12 ? "a.m." : "p.m.";
      case "BC":
      case "AD":
        return bc ? "BC" : "AD";
      case "bc":
      case "ad":
        return bc ? "bc" : "ad";
      case "B.C.":
      case "A.D.":
        return bc ? "B.C." : "A.D.";
      case "b.c.":
      case "a.d.":
        return bc ? "b.c." : "a.d.";
      // zones print only for timestamptz (the session time zone is UTC)
      case "TZ":
        return withZone ? "UTC" : "";
      case "tz":
        return withZone ? "utc" : "";
      case "TZH":
        return withZone ? "+00" : "";
      case "TZM":
        return withZone ? "00" : "";
      case "OF":
        return withZone ? "+00" : "";
      default:
        return p;
    }
  };
  let out = "";
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c === '"') {
      // quoted literal text; \" inside it is a quote
      i++;
      while (i < format.length && format[i] !== '"') {
        if (format[i] === "\\" && i + 1 < format.length) i++;
        out += format[i];
        i++;
      }
      i++;
      continue;
    }
    if (c === "\\" && format[i + 1] === '"') {
      // \" is a literal quote; any other backslash is copied
      out += '"';
      i += 2;
      continue;
    }
    let fm = false;
    let j = i;
    if (format.startsWith("FM", j) || format.startsWith("fm", j)) {
      fm = true;
      j += 2;
    }
    const p = PATTERNS.find((q) => format.startsWith(q, j));
    if (p === undefined) {
      if (fm) {
        i = j; // a lone FM prints nothing
        continue;
      }
      out += c;
      i++;
      continue;
    }
    j += p.length;
    const value = field(p, fm);
    out += value;
    if (format.startsWith("TH", j) || format.startsWith("th", j)) {
      const n = Number(String(value).trim());
      if (Number.isFinite(n)) out += ordinal(n, format[j] === "T");
      j += 2;
    }
    i = j;
  }
  return out;
}

/** to_char(timestamp|timestamptz|date, text). */
export const toCharFunction: ScalarFunctionDef = {
  name: "to_char",
  volatility: "stable",
  resolve(types) {
    if (types.length !== 2) return null;
    const [t, f] = types;
    if (f === undefined || !(f.kind === "unknown" || isString(f))) return null;
    if (t === undefined) return null;
    if (t.kind === "timestamp" || t.kind === "timestamptz") {
      return { returns: Types.text, argTypes: [t, Types.text] };
    }
    // a date prints as its midnight (PostgreSQL casts it to timestamp)
    if (t.kind === "date" || t.kind === "unknown") {
      return { returns: Types.text, argTypes: [Types.timestamp, Types.text] };
    }
    return null;
  },
  evaluate([ts, fmt], n) {
    const out = new Array<string>(n).fill("");
    const validity = new Uint8Array((n + 7) >>> 3);
    for (let i = 0; i < n; i++) {
      if (!isValid(ts!.validity, i) || !isValid(fmt!.validity, i)) continue;
      const us = Number(valueAt(ts!, i));
      if (!Number.isFinite(us)) continue; // PostgreSQL gives NULL for infinite timestamps
      out[i] = formatTimestampPattern(us, String(valueAt(fmt!, i)), ts!.kind === "timestamptz");
      validity[i >>> 3]! |= 1 << (i & 7);
    }
    return makeColumn(Types.text, n, out, validity);
  },
};
