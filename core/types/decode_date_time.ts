/**
 * PostgreSQL's free-form date/time input: the field splitter and decoder that `date_in` and
 * `timestamp_in` run (ParseDateTime and DecodeDateTime in datetime.c, as of PostgreSQL 15).
 * `parse.ts` reads the common ISO spellings itself and falls back to this for the rest:
 * Julian days (`J2451545`, `j 0`), labelled fields (`y2024 m2 d29`, `h12`), run-together
 * numbers (`20240101`), `MDY` triples with any punctuation between them (`9#9=9`), month names,
 * AM/PM, AD/BC and zones that are checked and dropped. Punctuation other than `+ - . : /`
 * separates fields and is otherwise ignored, as PostgreSQL ignores it.
 *
 * The session's DateStyle is taken to be `ISO, MDY` (PostgreSQL's default). The words that need
 * a clock (`now`, `today`, `tomorrow`, `yesterday`) are not read here.
 *
 * @module
 */
import { DbError } from "../errors.ts";
import { TimeZone } from "./time_zone.ts";

/** A date, a time of day and maybe a zone, decoded but not yet range-checked. */
export interface DecodedDateTime {
  /** Proleptic Gregorian year; 0 is 1 BC. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  /** Microseconds from midnight; can pass a day (`h30`), as PostgreSQL lets it. */
  readonly timeMicros: number;
  /** Seconds east of UTC when the text gave a numeric offset or a fixed zone, else null. */
  readonly offsetSeconds: number | null;
  /** A zone given by name (`est`, `Japan`, `x4`), else null. */
  readonly zoneName: string | null;
  /** `epoch`, `infinity` and `-infinity` set this instead of the fields. */
  readonly special: "epoch" | "infinity" | "-infinity" | null;
}

type FieldKind = "number" | "string" | "date" | "time" | "tz" | "special";
interface Field {
  readonly kind: FieldKind;
  readonly text: string;
}

/** PostgreSQL's work buffer (MAXDATELEN + 1) and field count (MAXDATEFIELDS) limits. */
const fieldBytesMax = 128;
const fieldsMax = 25;
/** Largest zone displacement in hours (MAX_TZDISP_HOUR). */
const tzDisplacementHoursMax = 15;
const INT_MAX = 2_147_483_647;
const US_PER_DAY = 86_400_000_000;

// Field bits, as DTK_M(...) in datetime.h.
const M = {
  reserv: 1 << 0,
  month: 1 << 1,
  year: 1 << 2,
  day: 1 << 3,
  tz: 1 << 5,
  dtz: 1 << 6,
  ampm: 1 << 9,
  hour: 1 << 10,
  minute: 1 << 11,
  second: 1 << 12,
  millisecond: 1 << 13,
  microsecond: 1 << 14,
  doy: 1 << 15,
  dow: 1 << 16,
  adbc: 1 << 18,
  dtzmod: 1 << 28,
} as const;
const DATE_M = M.year | M.month | M.day;
const TIME_M = M.hour | M.minute | M.second | M.millisecond | M.microsecond;
const ALL_SECS_M = M.second | M.millisecond | M.microsecond;

/** What a unit word labels; `other` (dow, doy, ...) labels nothing date input can use. */
type Unit = "julian" | "year" | "month" | "day" | "hour" | "minute" | "second" | "time" | "other";
type Keyword =
  | { readonly type: "unit"; readonly unit: Unit }
  | { readonly type: "month"; readonly value: number }
  | { readonly type: "dow" }
  | { readonly type: "ampm"; readonly pm: boolean }
  | { readonly type: "adbc"; readonly bc: boolean }
  | { readonly type: "ignore" }
  | { readonly type: "dtzmod" }
  | {
    readonly type: "reserv";
    readonly value: "epoch" | "infinity" | "-infinity" | "zulu" | "clock";
  };

const months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/** PostgreSQL's datetktbl: the words date/time input knows. */
const keywords: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ...months.map((m, i): [string, Keyword] => [m, { type: "month", value: i + 1 }]),
  ...[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
  ].map((m, i): [string, Keyword] => [m, { type: "month", value: i + 1 }]),
  ["sept", { type: "month", value: 9 }],
  ...[
    "sun",
    "sunday",
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "weds",
    "wednesday",
    "thu",
    "thur",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
  ].map((d): [string, Keyword] => [d, { type: "dow" }]),
  ["j", { type: "unit", unit: "julian" }],
  ["jd", { type: "unit", unit: "julian" }],
  ["julian", { type: "unit", unit: "julian" }],
  ["y", { type: "unit", unit: "year" }],
  ["m", { type: "unit", unit: "month" }],
  ["d", { type: "unit", unit: "day" }],
  ["h", { type: "unit", unit: "hour" }],
  ["mm", { type: "unit", unit: "minute" }],
  ["s", { type: "unit", unit: "second" }],
  ["dow", { type: "unit", unit: "other" }],
  ["doy", { type: "unit", unit: "other" }],
  ["isodow", { type: "unit", unit: "other" }],
  ["isoyear", { type: "unit", unit: "other" }],
  ["am", { type: "ampm", pm: false }],
  ["pm", { type: "ampm", pm: true }],
  ["ad", { type: "adbc", bc: false }],
  ["bc", { type: "adbc", bc: true }],
  ["at", { type: "ignore" }],
  ["on", { type: "ignore" }],
  ["dst", { type: "dtzmod" }],
  ["epoch", { type: "reserv", value: "epoch" }],
  ["infinity", { type: "reserv", value: "infinity" }],
  ["-infinity", { type: "reserv", value: "-infinity" }],
  ["allballs", { type: "reserv", value: "zulu" }],
  ["now", { type: "reserv", value: "clock" }],
  ["today", { type: "reserv", value: "clock" }],
  ["tomorrow", { type: "reserv", value: "clock" }],
  ["yesterday", { type: "reserv", value: "clock" }],
]);
const isoTimeWord = "t";

/** The zone abbreviations of PostgreSQL's `Default` set (timezone_abbreviations). */
const zoneAbbreviations: ReadonlySet<string> = new Set(
  ("acdt acsst acst act acwst adt aedt aesst aest aft akdt akst almst almt amst amt anast anat " +
    "arst art ast awsst awst azost azot azst azt bdst bdt bnt bort bot bra brst brt bst btt cadt " +
    "cast cct cdt cest cet cetdst chadt chast chut ckt clst clt cot cst cxt davt ddut easst east " +
    "eat edt eest eet eetdst egst egt est fet fjst fjt fkst fkt fnst fnt galt gamt gest get gft " +
    "gilt gmt gyt hkt hst ict idt iot irkst irkt irt ist jayt jst kdt kgst kgt kost krast krat kst " +
    "lhdt lhst ligt lint lkt magst magt mart mawt mdt mest mesz met metdst mez mht mmt mpt msd msk " +
    "mst must mut mvt myt ndt nft novst novt npt nst nut nzdt nzst nzt omsst omst pdt pet petst " +
    "pett pgt pht pkst pkt pmdt pmst pont pst pwt pyst pyt ret sadt sast sct sgt taht tft tjt tkt " +
    "tmt tot trut tvt uct ulast ulat ut utc uyst uyt uzst uzt vet vlast vlat volt vut wadt wakt " +
    "wast wat wdt wet wetdst wft wgst wgt xjt yakst yakt yapt yekst yekt z zulu").split(" "),
);
/** Abbreviations that mean UTC, so a timestamptz can use them without a zone database. */
const utcAbbreviations: ReadonlySet<string> = new Set(["gmt", "uct", "ut", "utc", "z", "zulu"]);

/** Top-level zone files without a slash (tz database links such as `Japan`), lower case. */
const zoneFileNames: ReadonlySet<string> = new Set(
  ("cet cuba eet egypt eire est factory gb gb-eire gmt gmt+0 gmt-0 gmt0 greenwich hongkong hst " +
    "iceland iran israel jamaica japan kwajalein libya met mst navajo nz nz-chat poland portugal " +
    "prc roc rok singapore turkey uct utc universal w-su wet zulu").split(" "),
);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isAlpha = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const isSpace = (c: string | undefined): boolean =>
  c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
const isPunct = (c: string | undefined): boolean =>
  c !== undefined && c > " " && c < "\x7f" && !isDigit(c) && !isAlpha(c);

/**
 * Splits date/time text into fields as ParseDateTime does: numbers (with embedded date
 * separators), times (`12:30`), words, signed zones (`+02`), and punctuation that only
 * separates. Null when PostgreSQL reports a bad format.
 */
function splitFields(text: string): Field[] | null {
  const fields: Field[] = [];
  let bytes = 0;
  let i = 0;
  const at = (k: number): string | undefined => text[k];
  while (i < text.length) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (fields.length >= fieldsMax) return null;
    let kind: FieldKind;
    let f = "";
    if (isDigit(c)) {
      while (isDigit(at(i))) f += text[i++];
      const next = at(i);
      if (next === ":") {
        kind = "time";
        f += text[i++];
        while (isDigit(at(i)) || at(i) === ":" || at(i) === ".") f += text[i++];
      } else if (next === "-" || next === "/" || next === ".") {
        const delim = next;
        f += text[i++];
        if (isDigit(at(i))) {
          kind = delim === "." ? "number" : "date";
          while (isDigit(at(i))) f += text[i++];
          if (at(i) === delim) {
            kind = "date";
            f += text[i++];
            while (isDigit(at(i)) || at(i) === delim) f += text[i++];
          }
        } else {
          kind = "date";
          while (isDigit(at(i)) || isAlpha(at(i)) || at(i) === delim) {
            f += text[i++]!.toLowerCase();
          }
        }
      } else kind = "number";
    } else if (c === ".") {
      f += text[i++];
      while (isDigit(at(i))) f += text[i++];
      kind = "number";
    } else if (isAlpha(c)) {
      kind = "string";
      while (isAlpha(at(i))) f += text[i++]!.toLowerCase();
      const next = at(i);
      // a word that runs into a digit or '+' is a date or zone name unless it is a keyword
      const joined = next === "-" || next === "/" || next === "." ||
        ((next === "+" || isDigit(next)) && !keywords.has(f) && f !== isoTimeWord);
      if (joined) {
        kind = "date";
        do {
          f += text[i++]!.toLowerCase();
        } while (
          at(i) === "+" || at(i) === "-" || at(i) === "/" || at(i) === "_" || at(i) === "." ||
          at(i) === ":" || isDigit(at(i)) || isAlpha(at(i))
        );
      }
    } else if (c === "+" || c === "-") {
      f += text[i++];
      while (isSpace(at(i))) i++;
      if (isDigit(at(i))) {
        kind = "tz";
        f += text[i++];
        while (isDigit(at(i)) || at(i) === ":" || at(i) === "." || at(i) === "-") f += text[i++];
      } else if (isAlpha(at(i))) {
        kind = "special";
        while (isAlpha(at(i))) f += text[i++]!.toLowerCase();
      } else return null;
    } else if (isPunct(c)) {
      i++;
      continue;
    } else return null;
    bytes += f.length + 1;
    if (bytes > fieldBytesMax) return null;
    fields.push({ kind, text: f });
  }
  return fields;
}

/** The mutable state of one decode (PostgreSQL's struct pg_tm and friends). */
interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fracMicros: number;
  doy: number;
}

/** Why decoding failed, as PostgreSQL's DTERR_* codes. */
type DecodeError = "format" | "field" | "tzdisp";

class Reject extends Error {
  constructor(readonly reason: DecodeError) {
    super(reason);
  }
}

function fail(reason: DecodeError = "format"): never {
  throw new Reject(reason);
}

/** strtol's leading digits: the value (null past INT_MAX, as ERANGE) and where they end. */
function leadingInt(s: string, from = 0): { value: number | null; end: number } {
  let end = from;
  while (isDigit(s[end])) end++;
  if (end === from) return { value: 0, end };
  const value = Number(s.slice(from, end));
  return { value: value > INT_MAX ? null : value, end };
}

/** C's atoi over the leading digits (0 when there are none). */
function atoi(s: string): number {
  const m = /^\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** `.ddd` as a fraction; `.` alone is 0. */
function parseFraction(s: string): number {
  if (s === ".") return 0;
  if (!/^\.\d+$/.test(s)) fail();
  return Number(`0${s}`);
}

function fractionalSecond(s: string): number {
  return Math.round(parseFraction(s) * 1e6);
}

/** Seconds east of UTC from `+hh[:mm[:ss]]` / `-hhmm` (DecodeTimezone). */
function decodeNumericZone(s: string): number {
  if (s[0] !== "+" && s[0] !== "-") fail();
  const h = leadingInt(s, 1);
  if (h.value === null) fail("tzdisp");
  let hr = h.value;
  let end = h.end;
  let min = 0;
  let sec = 0;
  if (s[end] === ":") {
    const m = leadingInt(s, end + 1);
    if (m.value === null) fail("tzdisp");
    min = m.value;
    end = m.end;
    if (s[end] === ":") {
      const x = leadingInt(s, end + 1);
      if (x.value === null) fail("tzdisp");
      sec = x.value;
      end = x.end;
    }
  } else if (end === s.length && s.length > 3) {
    min = hr % 100;
    hr = Math.floor(hr / 100);
  }
  if (hr > tzDisplacementHoursMax || min >= 60 || sec >= 60) fail("tzdisp");
  if (end !== s.length) fail();
  const east = (hr * 60 + min) * 60 + sec;
  return s[0] === "-" ? -east : east;
}

/** Whether a POSIX zone spec (`EST5`, `x4/`, `P9O`) parses, as PostgreSQL's tzparse reads it. */
function isPosixZone(name: string): boolean {
  let i = 0;
  const zoneName = (): void => {
    while (
      i < name.length && !isDigit(name[i]) && name[i] !== "," && name[i] !== "-" &&
      name[i] !== "+"
    ) i++;
  };
  const num = (max: number): boolean => {
    if (!isDigit(name[i])) return false;
    let v = 0;
    while (isDigit(name[i])) {
      v = v * 10 + Number(name[i]);
      if (v > max) return false;
      i++;
    }
    return true;
  };
  const offset = (): boolean => {
    if (name[i] === "-" || name[i] === "+") i++;
    if (!num(24 * 7 - 1)) return false;
    if (name[i] === ":") {
      i++;
      if (!num(59)) return false;
      if (name[i] === ":") {
        i++;
        if (!num(60)) return false;
      }
    }
    return true;
  };
  if (name[0] === "<") return false; // quoted names cannot come out of the field splitter
  zoneName();
  if (i === name.length || !offset()) return false;
  if (i === name.length) return true;
  const dstStart = i;
  zoneName();
  if (i === dstStart) return false;
  if (i < name.length && name[i] !== "," && name[i] !== ";" && !offset()) return false;
  // transition rules start with ',' or ';', which the field splitter never keeps
  return i === name.length;
}

/** Whether PostgreSQL's pg_tzset would load `name` (lower case) as a zone. */
function isZoneName(name: string): boolean {
  if (zoneFileNames.has(name) || isPosixZone(name)) return true;
  return name.includes("/") && TimeZone.named(name) !== null;
}

/** A Julian day number as year, month and day (PostgreSQL's j2date). */
function civilFromJulian(jd: number): { year: number; month: number; day: number } {
  let julian = jd + 32044;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const q = Math.floor((julian * 2141) / 65536);
  return {
    year: y - 4800,
    day: julian - Math.floor((7834 * q) / 256),
    month: ((q + 10) % 12) + 1,
  };
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const monthDays = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Run-together digits: `yyyymmdd`, `hhmmss`, `hhmm`, with a fraction (DecodeNumberField). */
function decodeNumberField(
  s: string,
  fmask: number,
  tm: Tm,
  twoDigitYear: { value: boolean },
): number {
  let str = s;
  const dot = str.indexOf(".");
  if (dot >= 0) {
    // strtod over what follows the point: ".5x" is 0.5, "." is 0
    const digits = /^\.(\d*)/.exec(str.slice(dot))![1]!;
    tm.fracMicros = Math.round(Number(`0.${digits}0`) * 1e6);
    str = str.slice(0, dot);
  } else if ((fmask & DATE_M) !== DATE_M && str.length >= 6) {
    const len = str.length;
    tm.day = atoi(str.slice(len - 2));
    tm.month = atoi(str.slice(len - 4, len - 2));
    tm.year = atoi(str.slice(0, len - 4));
    if (len - 4 === 2) twoDigitYear.value = true;
    return DATE_M;
  }
  if ((fmask & TIME_M) !== TIME_M) {
    if (str.length === 6) {
      tm.second = atoi(str.slice(4));
      tm.minute = atoi(str.slice(2, 4));
      tm.hour = atoi(str.slice(0, 2));
      return TIME_M;
    }
    if (str.length === 4) {
      tm.second = 0;
      tm.minute = atoi(str.slice(2));
      tm.hour = atoi(str.slice(0, 2));
      return TIME_M;
    }
  }
  return fail();
}

/** One number of a date, placed by what is already known (DecodeNumber; DateStyle MDY). */
function decodeNumber(
  s: string,
  haveTextMonth: boolean,
  fmask: number,
  tm: Tm,
  twoDigitYear: { value: boolean },
): number {
  const { value, end } = leadingInt(s);
  if (value === null) fail("field");
  if (end === 0) fail();
  const flen = s.length;
  if (s[end] === ".") {
    if (end > 2) return decodeNumberField(s, fmask | DATE_M, tm, twoDigitYear);
    tm.fracMicros = fractionalSecond(s.slice(end));
  } else if (end !== s.length) fail();
  if (flen === 3 && (fmask & DATE_M) === M.year && value >= 1 && value <= 366) {
    tm.doy = value;
    return M.doy | M.month | M.day;
  }
  const known = fmask & DATE_M;
  if (known === DATE_M) return decodeNumberField(s, fmask, tm, twoDigitYear);
  let field: "year" | "month" | "day";
  if (known === 0) field = flen >= 3 ? "year" : "month"; // MDY, unless it is a long year
  else if (known === M.year || known === M.day) field = "month";
  else if (known === M.month) field = haveTextMonth && flen >= 3 ? "year" : "day";
  else if (known === (M.month | M.day)) field = "year";
  else if (known === (M.year | M.month)) {
    if (haveTextMonth && flen >= 3 && twoDigitYear.value) {
      // 'Mon-02-2024': the two-digit "year" was the day
      tm.day = tm.year;
      tm.year = value;
      twoDigitYear.value = false;
      return M.day;
    }
    field = "day";
  } else return fail();
  tm[field] = value;
  if (field === "year") twoDigitYear.value = flen <= 2;
  return M[field];
}

/** A field with date separators: `2024-02-29`, `1/2/3`, `feb.29.2024` (DecodeDate). */
function decodeDate(
  s: string,
  fmaskIn: number,
  tm: Tm,
  twoDigitYear: { value: boolean },
): number {
  let fmask = fmaskIn;
  let tmask = 0;
  const parts: (string | null)[] = [];
  let i = 0;
  while (i < s.length && parts.length < fieldsMax) {
    while (i < s.length && !isDigit(s[i]) && !isAlpha(s[i])) i++;
    if (i >= s.length) fail();
    const start = i;
    if (isDigit(s[i])) { while (isDigit(s[i])) i++; }
    else while (isAlpha(s[i])) i++;
    parts.push(s.slice(start, i));
    // the character after a part is dropped, whatever it is
    if (i < s.length) i++;
  }
  let haveTextMonth = false;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (!isAlpha(p[0])) continue;
    const kw = keywords.get(p);
    if (kw?.type === "ignore") continue;
    if (kw?.type !== "month") fail();
    if (fmask & M.month) fail();
    tm.month = kw.value;
    haveTextMonth = true;
    fmask |= M.month;
    tmask |= M.month;
    parts[k] = null;
  }
  for (const p of parts) {
    if (p === null) continue; // an ignored word ('at') is left here, and fails as a number
    if (p.length === 0) fail();
    const dmask = decodeNumber(p, haveTextMonth, fmask, tm, twoDigitYear);
    if (fmask & dmask) fail();
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & ~(M.doy | M.tz)) !== DATE_M) fail();
  return tmask;
}

/** `hh:mm[:ss[.f]]`, or `mm:ss.f` (DecodeTime). */
function decodeTime(s: string, tm: Tm): number {
  const h = leadingInt(s);
  if (h.value === null) fail("field");
  if (s[h.end] !== ":") fail();
  const m = leadingInt(s, h.end + 1);
  if (m.value === null) fail("field");
  let end = m.end;
  tm.hour = h.value;
  tm.minute = m.value;
  tm.second = 0;
  tm.fracMicros = 0;
  if (end === s.length) {
    // hh:mm
  } else if (s[end] === ".") {
    tm.fracMicros = fractionalSecond(s.slice(end));
    tm.second = tm.minute;
    tm.minute = tm.hour;
    tm.hour = 0;
  } else if (s[end] === ":") {
    const x = leadingInt(s, end + 1);
    if (x.value === null) fail("field");
    tm.second = x.value;
    end = x.end;
    if (end !== s.length) {
      if (s[end] !== ".") fail();
      tm.fracMicros = fractionalSecond(s.slice(end));
    }
  } else fail();
  if (tm.minute > 59 || tm.second > 60 || tm.fracMicros > 1_000_000) fail("field");
  const us = ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.fracMicros;
  if (tm.hour > 24 || us > US_PER_DAY) fail("field");
  return TIME_M;
}

/** Decodes the fields; throws {@link Reject}. */
function decodeFields(fields: readonly Field[]): DecodedDateTime {
  const tm: Tm = {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    fracMicros: 0,
    doy: 0,
  };
  const twoDigitYear = { value: false };
  let fmask = 0;
  let ptype: Unit | null = null;
  let isJulian = false;
  let haveTextMonth = false;
  let bc = false;
  let meridiem: "am" | "pm" | null = null;
  let offsetSeconds: number | null = null;
  let zoneName: string | null = null;
  let abbreviation: string | null = null;
  let special: DecodedDateTime["special"] = null;
  let dstModifier = false;

  const setJulian = (jd: number): void => {
    const c = civilFromJulian(jd);
    tm.year = c.year;
    tm.month = c.month;
    tm.day = c.day;
    isJulian = true;
  };

  for (let i = 0; i < fields.length; i++) {
    const { kind, text } = fields[i]!;
    let tmask = 0;
    switch (kind) {
      case "date":
        if (ptype === "julian") {
          const { value, end } = leadingInt(text);
          if (value === null) fail("field");
          setJulian(value);
          offsetSeconds = decodeNumericZone(text.slice(end));
          tmask = DATE_M | TIME_M | M.tz;
          ptype = null;
        } else if (ptype !== null || (fmask & (M.month | M.day)) === (M.month | M.day)) {
          if (isDigit(text[0]) || ptype !== null) {
            if (ptype !== null) {
              if (ptype !== "time") fail();
              ptype = null;
            }
            if ((fmask & TIME_M) === TIME_M) fail();
            const dash = text.indexOf("-");
            if (dash < 0) fail();
            offsetSeconds = decodeNumericZone(text.slice(dash));
            tmask = decodeNumberField(text.slice(0, dash), fmask, tm, twoDigitYear) | M.tz;
          } else {
            if (!isZoneName(text)) {
              throw new DbError("22023", `time zone "${text}" not recognized`);
            }
            zoneName = text;
            tmask = M.tz;
          }
        } else tmask = decodeDate(text, fmask, tm, twoDigitYear);
        break;
      case "time":
        if (ptype !== null) {
          if (ptype !== "time") fail();
          ptype = null;
        }
        tmask = decodeTime(text, tm);
        break;
      case "tz":
        offsetSeconds = decodeNumericZone(text);
        tmask = M.tz;
        break;
      case "number":
        if (ptype !== null) {
          const { value, end } = leadingInt(text);
          if (value === null) fail("field");
          const rest = text.slice(end);
          if (rest.startsWith(".")) {
            if (ptype !== "julian" && ptype !== "time" && ptype !== "second") fail();
          } else if (rest !== "") fail();
          if (ptype === "julian") {
            tmask = DATE_M;
            setJulian(value);
            if (rest !== "") {
              // a fraction of a day, truncated to microseconds as PostgreSQL does
              const us = Math.trunc(parseFraction(rest) * US_PER_DAY);
              tm.hour = Math.floor(us / 3_600_000_000);
              tm.minute = Math.floor(us / 60_000_000) % 60;
              tm.second = Math.floor(us / 1_000_000) % 60;
              tm.fracMicros = us % 1_000_000;
              tmask |= TIME_M;
            }
          } else if (ptype === "time") {
            tmask = decodeNumberField(text, fmask | DATE_M, tm, twoDigitYear);
            if (tmask !== TIME_M) fail();
          } else if (ptype === "other") fail();
          else {
            // 'm' after a month and an hour is minutes
            const field = ptype === "month" && (fmask & M.month) && (fmask & M.hour)
              ? "minute"
              : ptype;
            tm[field] = value;
            tmask = M[field];
            if (field === "second" && rest !== "") {
              tm.fracMicros = fractionalSecond(rest);
              tmask = ALL_SECS_M;
            }
          }
          ptype = null;
          special = null; // a labelled field makes it a date again ('epoch j5')
        } else {
          const dot = text.indexOf(".");
          if (dot >= 0 && !(fmask & DATE_M)) tmask = decodeDate(text, fmask, tm, twoDigitYear);
          else if (dot > 2) tmask = decodeNumberField(text, fmask, tm, twoDigitYear);
          else if (text.length >= 6 && (!(fmask & DATE_M) || !(fmask & TIME_M))) {
            tmask = decodeNumberField(text, fmask, tm, twoDigitYear);
          } else tmask = decodeNumber(text, haveTextMonth, fmask, tm, twoDigitYear);
        }
        break;
      case "string":
      case "special": {
        if (zoneAbbreviations.has(text)) {
          if (utcAbbreviations.has(text)) offsetSeconds = 0;
          else abbreviation = text;
          tmask = M.tz;
          break;
        }
        if (text === isoTimeWord) {
          if ((fmask & DATE_M) !== DATE_M) fail();
          const next = fields[i + 1];
          if (!next || (next.kind !== "number" && next.kind !== "time" && next.kind !== "date")) {
            fail();
          }
          ptype = "time";
          break;
        }
        const kw = keywords.get(text);
        if (kw === undefined) {
          if (!zoneFileNames.has(text)) fail();
          zoneName = text;
          tmask = M.tz;
          break;
        }
        switch (kw.type) {
          case "ignore":
            continue;
          case "reserv":
            tmask = M.reserv;
            if (kw.value === "clock") fail();
            if (kw.value === "zulu") {
              tmask = TIME_M | M.tz;
              tm.hour =
                tm.minute =
                tm.second =
                tm.fracMicros =
                  0;
              offsetSeconds = 0;
            } else special = kw.value;
            break;
          case "month":
            tmask = M.month;
            if (
              (fmask & M.month) && !haveTextMonth && !(fmask & M.day) && tm.month >= 1 &&
              tm.month <= 31
            ) {
              tm.day = tm.month;
              tmask = M.day;
            }
            haveTextMonth = true;
            tm.month = kw.value;
            break;
          case "dtzmod":
            tmask = M.dtzmod | M.dtz;
            dstModifier = true;
            break;
          case "ampm":
            tmask = M.ampm;
            meridiem = kw.pm ? "pm" : "am";
            break;
          case "adbc":
            tmask = M.adbc;
            bc = kw.bc;
            break;
          case "dow":
            tmask = M.dow;
            break;
          case "unit":
            ptype = kw.unit;
            break;
        }
        break;
      }
    }
    if (tmask & fmask) fail();
    fmask |= tmask;
  }

  // ValidateDate
  if (fmask & DATE_M) {
    if (isJulian) {
      // the year is right as it is
    } else if (bc) {
      if (tm.year <= 0) fail("field");
      tm.year = 1 - tm.year;
    } else if (twoDigitYear.value) {
      if (tm.year < 70) tm.year += 2000;
      else if (tm.year < 100) tm.year += 1900;
    } else if (tm.year <= 0) fail("field");
    if (fmask & M.doy) {
      const jd = julianFromCivil(tm.year, 1, 1) + tm.doy - 1;
      const c = civilFromJulian(jd);
      tm.year = c.year;
      tm.month = c.month;
      tm.day = c.day;
    }
    if ((fmask & M.month) && (tm.month < 1 || tm.month > 12)) fail("field");
    if ((fmask & M.day) && (tm.day < 1 || tm.day > 31)) fail("field");
    if ((fmask & DATE_M) === DATE_M) {
      const dim = tm.month === 2 && isLeap(tm.year) ? 29 : monthDays[tm.month - 1]!;
      if (tm.day > dim) fail("field");
    }
  }
  if (meridiem !== null && tm.hour > 12) fail("field");
  if (meridiem === "am" && tm.hour === 12) tm.hour = 0;
  else if (meridiem === "pm" && tm.hour !== 12) tm.hour += 12;

  if (special === null) {
    if ((fmask & DATE_M) !== DATE_M) fail();
    if (zoneName !== null && dstModifier) fail();
    if (!(fmask & M.tz) && dstModifier) fail();
  }
  return {
    year: tm.year,
    month: tm.month,
    day: tm.day,
    timeMicros: ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.fracMicros,
    offsetSeconds,
    zoneName: zoneName ?? abbreviation,
    special,
  };
}

/** Julian day number of a proleptic Gregorian date (date2j). */
export function julianFromCivil(y: number, m: number, d: number): number {
  let year = y;
  let month = m;
  if (month > 2) {
    month += 1;
    year += 4800;
  } else {
    month += 13;
    year += 4799;
  }
  const century = Math.floor(year / 100);
  let julian = year * 365 - 32167;
  julian += Math.floor(year / 4) - century + Math.floor(century / 4);
  julian += Math.floor((7834 * month) / 256) + d;
  return julian;
}

/**
 * Decodes date/time text the way PostgreSQL's `date_in`/`timestamp_in` do; `typeName` names the
 * type in errors. Bad text is a 22007 DbError, a field out of range 22008, a zone displacement
 * out of range 22009, an unknown zone name 22023.
 *
 * @example
 * ```ts
 * import { decodeDateTime } from "./decode_date_time.ts";
 * const d = decodeDateTime("=J9$", "date");
 * if (d.year !== -4713 || d.month !== 12 || d.day !== 3) throw new Error("Julian day 9");
 * ```
 */
export function decodeDateTime(text: string, typeName: string): DecodedDateTime {
  const fields = splitFields(text);
  try {
    if (fields === null) throw new Reject("format");
    return decodeFields(fields);
  } catch (e) {
    if (!(e instanceof Reject)) throw e;
    if (e.reason === "field") {
      throw new DbError("22008", `date/time field value out of range: "${text}"`);
    }
    if (e.reason === "tzdisp") {
      throw new DbError("22009", `time zone displacement out of range: "${text}"`);
    }
    throw new DbError("22007", `invalid input syntax for type ${typeName}: "${text}"`);
  }
}
