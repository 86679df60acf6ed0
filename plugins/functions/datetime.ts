/**
 * Date and time functions: `date_trunc(unit, ts [, zone])`, `date_part(field, ts)` (and the
 * EXTRACT syntax, which the parser maps to it), `to_timestamp(seconds)`, `timezone(zone, ts)`
 * (the AT TIME ZONE syntax). Timestamps are microseconds since the epoch. The binder makes the
 * timestamptz forms read local time in the session time zone (see `Binder.inSessionZone`).
 *
 * @module
 */
import { civilFromDays } from "../../core/types/format.ts";
import { type DataType, isString, Types } from "../../core/types/data_type.ts";
import { allocData, type Column, isValid, makeColumn, setNull } from "../../core/types/column.ts";
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { andValidities, dbError } from "./_common.ts";
import {
  dateInfinity,
  dateMinusInfinity,
  daysFromCivil,
  daysInMonth,
} from "../../core/types/parse.ts";
import { parseTimeZone, type TimeZone, utcTimeZone } from "../../core/types/time_zone.ts";
import {
  addIntervalToMicros,
  checkTimestampRange,
  type Interval,
  negateInterval,
  parseInterval,
} from "../../core/types/interval.ts";

const microsPerSecond = 1_000_000;
const microsPerDay = 86_400 * microsPerSecond;

function unitArg(t: DataType | undefined): boolean {
  return t !== undefined && (t.kind === "unknown" || isString(t));
}

function timeArg(t: DataType | undefined): DataType | null {
  if (t === undefined) return null;
  switch (t.kind) {
    case "timestamp":
    case "timestamptz":
      return t;
    case "date":
      return Types.timestamptz; // PostgreSQL casts date to timestamptz here
    case "unknown":
      return Types.timestamptz;
    default:
      return null;
  }
}

function resolveTimeFn(
  types: readonly DataType[],
  returns: (t: DataType) => DataType,
): FunctionResolution | null {
  if (types.length !== 2 || !unitArg(types[0])) return null;
  const t = timeArg(types[1]);
  return t === null ? null : { returns: returns(t), argTypes: [Types.text, t] };
}

/** Civil date parts of a day number (proleptic Gregorian). */
function civil(days: number): { y: number; m: number; d: number } {
  const [y, m, d] = civilFromDays(days); // also past JS Date's year 275760
  return { y, m, d };
}

/** Truncates microseconds `us` to `unit`; `null` for an unknown unit. */
export function truncateMicros(unit: string, us: number): number | null {
  if (!Number.isFinite(us)) return us;
  const floorTo = (step: number) => Math.floor(us / step) * step;
  switch (unit) {
    case "microsecond":
    case "microseconds":
      return us;
    case "millisecond":
    case "milliseconds":
      return floorTo(1000);
    case "second":
    case "seconds":
      return floorTo(microsPerSecond);
    case "minute":
    case "minutes":
      return floorTo(60 * microsPerSecond);
    case "hour":
    case "hours":
      return floorTo(3600 * microsPerSecond);
    case "day":
    case "days":
      return floorTo(microsPerDay);
    default:
      break;
  }
  const days = Math.floor(us / microsPerDay);
  const { y, m } = civil(days);
  switch (unit) {
    case "week":
    case "weeks": {
      const dow = ((days % 7) + 7 + 3) % 7; // 1970-01-01 was a Thursday; Monday = 0
      return (days - dow) * microsPerDay;
    }
    case "month":
    case "months":
      return daysFromCivil(y, m, 1) * microsPerDay;
    case "quarter":
      return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1) * microsPerDay;
    case "year":
    case "years":
      return daysFromCivil(y, 1, 1) * microsPerDay;
    case "decade":
      return daysFromCivil(Math.floor(y / 10) * 10, 1, 1) * microsPerDay;
    case "century":
      return daysFromCivil(Math.floor((y - 1) / 100) * 100 + 1, 1, 1) * microsPerDay;
    case "millennium":
      return daysFromCivil(Math.floor((y - 1) / 1000) * 1000 + 1, 1, 1) * microsPerDay;
    default:
      return null;
  }
}

/** Fields that grow with time: of an infinite date or timestamp, PostgreSQL gives ±Infinity. */
const MONOTONIC_FIELDS = new Set([
  "year",
  "years",
  "decade",
  "decades",
  "century",
  "centuries",
  "millennium",
  "millennia",
  "julian",
  "isoyear",
  "epoch",
]);

/**
 * date_part of an infinite value, as PostgreSQL 14+: ±Infinity for the fields that grow with
 * time, NULL (here `null`, so the caller clears the row) for the others.
 */
function infinitePart(field: string, sign: number): number | null {
  return MONOTONIC_FIELDS.has(field) ? sign * Infinity : null;
}

/** A copy of `validity` (all valid when null) that rows can be cleared in. */
function ownValidity(validity: Uint8Array | null, n: number): Uint8Array {
  return validity === null ? new Uint8Array((n + 7) >>> 3).fill(0xff) : validity.slice();
}

/** A date/time field of `us` as date_part returns it; `null` for an unknown field. */
export function partOfMicros(field: string, us: number): number | null {
  const days = Math.floor(us / microsPerDay);
  const inDay = us - days * microsPerDay;
  const { y, m, d } = civil(days);
  switch (field) {
    case "microsecond":
    case "microseconds":
      return (inDay % (60 * microsPerSecond));
    case "millisecond":
    case "milliseconds":
      return (inDay % (60 * microsPerSecond)) / 1000;
    case "second":
    case "seconds":
      return (inDay % (60 * microsPerSecond)) / microsPerSecond;
    case "minute":
    case "minutes":
      return Math.floor(inDay / (60 * microsPerSecond)) % 60;
    case "hour":
    case "hours":
      return Math.floor(inDay / (3600 * microsPerSecond));
    case "day":
    case "days":
      return d;
    case "month":
    case "months":
      return m;
    case "quarter":
      return Math.floor((m - 1) / 3) + 1;
    case "year":
    case "years":
      return y > 0 ? y : y - 1;
    case "decade":
      return Math.floor(y / 10);
    case "century":
      return y > 0 ? Math.floor((y - 1) / 100) + 1 : -Math.floor(-y / 100) - 1;
    case "millennium":
      return y > 0 ? Math.floor((y - 1) / 1000) + 1 : -Math.floor(-y / 1000) - 1;
    case "dow":
      return ((days % 7) + 7 + 4) % 7; // Sunday = 0
    case "isodow": {
      const dow = ((days % 7) + 7 + 4) % 7;
      return dow === 0 ? 7 : dow;
    }
    case "doy":
      return days - daysFromCivil(y, 1, 1) + 1;
    case "week": {
      // ISO 8601 week number: the week (Monday first) holding the year's first Thursday is 1
      const thursday = days - (((days % 7) + 7 + 3) % 7) + 3;
      const isoYear = civil(thursday).y;
      return Math.floor((thursday - daysFromCivil(isoYear, 1, 1)) / 7) + 1;
    }
    case "isoyear": {
      const thursday = days - (((days % 7) + 7 + 3) % 7) + 3;
      const isoYear = civil(thursday).y;
      return isoYear > 0 ? isoYear : isoYear - 1;
    }
    case "epoch":
      return us / microsPerSecond;
    case "julian":
      return days + 2440588 + inDay / microsPerDay;
    default:
      return null;
  }
}

/** Microseconds of a unit of fixed length (microsecond to day), else 0. */
function fixedUnitMicros(unit: string): number {
  switch (unit) {
    case "microsecond":
    case "microseconds":
      return 1;
    case "millisecond":
    case "milliseconds":
      return 1000;
    case "second":
    case "seconds":
      return microsPerSecond;
    case "minute":
    case "minutes":
      return 60 * microsPerSecond;
    case "hour":
    case "hours":
      return 3600 * microsPerSecond;
    case "day":
    case "days":
      return microsPerDay;
    default:
      return 0;
  }
}

function unitValue(unit: Column, i: number): string {
  return (unit.data as string[])[i]!.toLowerCase().trim();
}

const dateTrunc: ScalarFunctionDef = {
  name: "date_trunc",
  volatility: "immutable",
  strict: true,
  resolve: (types) => resolveTimeFn(types, (t) => t),
  evaluate([unit, ts], n) {
    const validity = andValidities([unit!, ts!], n);
    const out = allocData(ts!.kind, n) as Float64Array;
    const src = ts!.data as Float64Array;
    const units = unit!.data as string[];
    // the unit is nearly always one constant: it is read again only when it changes, and a
    // fixed-length unit truncates with one floor per row
    let raw: string | undefined;
    let name = "";
    let step = 0;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      if (units[i] !== raw) {
        raw = units[i];
        name = unitValue(unit!, i);
        step = fixedUnitMicros(name);
      }
      const x = src[i]!;
      if (step > 0 && Number.isFinite(x)) {
        out[i] = Math.floor(x / step) * step;
        continue;
      }
      const v = truncateMicros(name, x);
      if (v === null) {
        throw dbError(
          "22023",
          `unit "${name}" not recognized for type ${
            ts!.type.kind === "timestamp"
              ? "timestamp without time zone"
              : "timestamp with time zone"
          }`,
        );
      }
      out[i] = v;
    }
    return makeColumn(ts!.type, n, out, validity);
  },
};

const datePart: ScalarFunctionDef = {
  name: "date_part",
  volatility: "immutable",
  strict: true,
  resolve: (types) => resolveTimeFn(types, () => Types.float8),
  evaluate([field, ts], n) {
    const validity = andValidities([field!, ts!], n);
    const out = new Float64Array(n);
    const src = ts!.data as Float64Array;
    let valid: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const name = unitValue(field!, i);
      if (!Number.isFinite(src[i]!)) {
        const p = infinitePart(name, Math.sign(src[i]!));
        if (p === null) {
          valid ??= ownValidity(validity, n);
          setNull(valid, i);
        } else out[i] = p;
        continue;
      }
      const v = partOfMicros(name, src[i]!);
      if (v === null) throw dbError("22023", `unit "${name}" not recognized for type timestamp`);
      out[i] = v;
    }
    return makeColumn(Types.float8, n, out, valid ?? validity);
  },
};

/** Fields of a time of day, which a `date` does not have (PostgreSQL: 0A000 for these). */
const TIME_FIELDS = new Set([
  "hour",
  "hours",
  "minute",
  "minutes",
  "second",
  "seconds",
  "millisecond",
  "milliseconds",
  "microsecond",
  "microseconds",
  "timezone",
  "timezone_hour",
  "timezone_minute",
]);

/**
 * `date_part(field, date)` (and EXTRACT from a date) straight from the day number, as
 * PostgreSQL 14+ does, so dates past timestamp's range work; time-of-day fields are 0A000.
 */
const datePartDate: ScalarFunctionDef = {
  name: "date_part",
  volatility: "immutable",
  strict: true,
  resolve: (types) =>
    types.length === 2 && unitArg(types[0]) && types[1]!.kind === "date"
      ? { returns: Types.float8, argTypes: [Types.text, Types.date] }
      : null,
  evaluate([field, d], n) {
    const validity = andValidities([field!, d!], n);
    const out = new Float64Array(n);
    const days = d!.data as Int32Array;
    let valid: Uint8Array | null = null;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const name = unitValue(field!, i);
      if (TIME_FIELDS.has(name)) {
        throw dbError("0A000", `unit "${name}" not supported for type date`);
      }
      if (days[i] === dateInfinity || days[i] === dateMinusInfinity) {
        const p = infinitePart(name, days[i] === dateInfinity ? 1 : -1);
        if (p === null) {
          valid ??= ownValidity(validity, n);
          setNull(valid, i);
        } else out[i] = p;
        continue;
      }
      const v = partOfMicros(name, days[i]! * microsPerDay);
      if (v === null) throw dbError("22023", `unit "${name}" not recognized for type date`);
      out[i] = v;
    }
    return makeColumn(Types.float8, n, out, valid ?? validity);
  },
};

/** Fields of a date that a `time` does not have (PostgreSQL: 0A000 for these). */
const DATE_FIELDS = new Set([
  "day",
  "days",
  "month",
  "months",
  "quarter",
  "year",
  "years",
  "decade",
  "century",
  "millennium",
  "dow",
  "isodow",
  "doy",
  "week",
  "isoyear",
  "julian",
]);

/** `date_part(field, time)`: hour, minute, second, millisecond(s), microsecond(s), epoch. */
const datePartTime: ScalarFunctionDef = {
  name: "date_part",
  volatility: "immutable",
  strict: true,
  resolve: (types) =>
    types.length === 2 && unitArg(types[0]) && types[1]!.kind === "time"
      ? { returns: Types.float8, argTypes: [Types.text, Types.time] }
      : null,
  evaluate([field, t], n) {
    const validity = andValidities([field!, t!], n);
    const out = new Float64Array(n);
    const src = t!.data as Float64Array;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const name = unitValue(field!, i);
      if (DATE_FIELDS.has(name)) {
        throw dbError("0A000", `unit "${name}" not supported for type time without time zone`);
      }
      const v = partOfMicros(name, src[i]!);
      if (v === null) {
        throw dbError("22023", `unit "${name}" not recognized for type time without time zone`);
      }
      out[i] = v;
    }
    return makeColumn(Types.float8, n, out, validity);
  },
};

const toTimestamp: ScalarFunctionDef = {
  name: "to_timestamp",
  volatility: "immutable",
  resolve(types) {
    if (types.length !== 1) return null;
    const t = types[0]!;
    if (
      t.kind !== "unknown" && t.kind !== "int2" && t.kind !== "int4" && t.kind !== "int8" &&
      t.kind !== "float4" && t.kind !== "float8" && t.kind !== "numeric"
    ) {
      return null;
    }
    return { returns: Types.timestamptz, argTypes: [Types.float8] };
  },
  evaluate([secs], n) {
    const src = secs!.data as Float64Array;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (!isValid(secs!.validity, i)) continue;
      const s = src[i]!;
      if (Number.isNaN(s)) throw dbError("22008", "timestamp cannot be NaN");
      out[i] = Number.isFinite(s) ? Math.round(s * microsPerSecond) : s;
    }
    return makeColumn(Types.timestamptz, n, out, secs!.validity);
  },
};

function bucketResolve(
  name: "time_bucket" | "date_bin",
  types: readonly DataType[],
): FunctionResolution | null {
  const n = types.length;
  if (n < 2 || n > 3) return null;
  const width = types[0]!;
  if (width.kind !== "interval" && width.kind !== "unknown") return null;
  // DataFusion's two-argument date_bin (PostgreSQL has none) reads an untyped literal as a
  // timestamp without time zone, as DataFusion does
  const t = name === "date_bin" && n === 2 && types[1]!.kind === "unknown"
    ? Types.timestamp
    : timeArg(types[1]);
  if (t === null) return null;
  if (n === 2) return { returns: t, argTypes: [Types.interval, t] };
  // time_bucket(width, ts, offset interval), as TimescaleDB and DuckDB have it
  if (name === "time_bucket" && types[2]!.kind === "interval") {
    return { returns: t, argTypes: [Types.interval, t, Types.interval] };
  }
  if (timeArg(types[2]) === null) return null;
  return { returns: t, argTypes: [Types.interval, t, t] };
}

/** Monday 2000-01-03, TimescaleDB's default origin for buckets without months. */
const defaultOriginMicros = Date.UTC(2000, 0, 3) * 1000;
/** 2000-01-01, the default origin for month buckets. */
const defaultMonthOriginMicros = Date.UTC(2000, 0, 1) * 1000;

/** The bucket of `us` for an interval width from `origin` (floor, also before the origin). */
export function bucketMicros(us: number, width: Interval, origin: number | null): number {
  if (!Number.isFinite(us)) return us;
  if (width.months !== 0) {
    if (width.months < 0) throw dbError("22023", "interval must be greater than zero");
    if (width.days !== 0 || width.micros !== 0) {
      throw dbError("22023", "month intervals cannot have day or time component");
    }
    const o = origin ?? defaultMonthOriginMicros;
    const oc = civil(Math.floor(o / microsPerDay));
    const dc = civil(Math.floor(us / microsPerDay));
    const months = (dc.y - oc.y) * 12 + dc.m - oc.m;
    // buckets start at origin + k * width (day clamped to the month's end); take the last
    // start at or before us
    const w = width.months;
    let k = Math.floor(months / w) * w;
    const start = (m: number) => addIntervalToMicros(o, { months: m, days: 0, micros: 0 });
    while (start(k) > us) k -= w;
    while (start(k + w) <= us) k += w;
    return start(k);
  }
  const step = width.days * microsPerDay + width.micros;
  if (step <= 0) throw dbError("22023", "interval must be greater than zero");
  const o = origin ?? defaultOriginMicros;
  return o + Math.floor((us - o) / step) * step;
}

function bucketFunction(name: "time_bucket" | "date_bin"): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (types) => bucketResolve(name, types),
    evaluate(args, n) {
      const [width, ts, origin] = args;
      const validity = andValidities(args, n);
      const out = new Float64Array(n);
      const src = ts!.data as Float64Array;
      const widths = width!.data as string[];
      const offsets = origin?.type.kind === "interval" ? origin.data as string[] : null;
      const origins = origin === undefined || offsets !== null ? null : origin.data as Float64Array;
      let lastOffsetText: string | null = null;
      let offset: Interval = { months: 0, days: 0, micros: 0 };
      let negOffset = offset;
      // date_bin without an origin (DataFusion's form) bins from the Unix epoch
      const fixedOrigin = name === "date_bin" ? 0 : null;
      let lastText: string | null = null;
      let w: Interval = { months: 0, days: 0, micros: 0 };
      for (let i = 0; i < n; i++) {
        if (!isValid(validity, i)) continue;
        // the width is almost always one constant: parse it once per distinct text
        if (widths[i] !== lastText) {
          lastText = widths[i]!;
          w = parseInterval(lastText);
        }
        if (offsets !== null) {
          // shift by the offset, bucket, shift back
          if (offsets[i] !== lastOffsetText) {
            lastOffsetText = offsets[i]!;
            offset = parseInterval(lastOffsetText);
            negOffset = negateInterval(offset);
          }
          const shifted = checkTimestampRange(addIntervalToMicros(src[i]!, negOffset));
          out[i] = checkTimestampRange(
            addIntervalToMicros(bucketMicros(shifted, w, null), offset),
          );
          continue;
        }
        out[i] = checkTimestampRange(
          bucketMicros(src[i]!, w, origins === null ? fixedOrigin : origins[i]!),
        );
      }
      return makeColumn(ts!.type, n, out, validity);
    },
  };
}

/**
 * Argument types make_date takes: PostgreSQL's integers, and (as DataFusion does) bigint, which
 * PostgreSQL has no overload for; it is cast to integer (22003 when out of range).
 */
function makeDateArg(t: DataType): boolean {
  return t.kind === "unknown" || t.kind === "int2" || t.kind === "int4" || t.kind === "int8";
}

const makeDate: ScalarFunctionDef = {
  name: "make_date",
  volatility: "immutable",
  resolve: (types) =>
    types.length === 3 && types.every(makeDateArg)
      ? { returns: Types.date, argTypes: [Types.int4, Types.int4, Types.int4] }
      : null,
  evaluate(args, n) {
    const [y, m, d] = args.map((a) => a.data as Int32Array);
    const validity = andValidities(args, n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const year = y![i]!;
      const month = m![i]!;
      const day = d![i]!;
      const astronomical = year < 0 ? year + 1 : year; // 1 BC is year 0, a leap year
      if (
        year === 0 || month < 1 || month > 12 || day < 1 ||
        day > daysInMonth(astronomical, month)
      ) {
        throw dbError(
          "22008",
          `date field value out of range: ${year}-${String(month).padStart(2, "0")}-${
            String(day).padStart(2, "0")
          }`,
        );
      }
      out[i] = daysFromCivil(astronomical, month, day);
    }
    return makeColumn(Types.date, n, out, validity);
  },
};

/** The date/time functions. */
/** The zone named by row i of a text column, parsed once per distinct name. */
function zoneReader(col: Column): (i: number) => TimeZone {
  const names = col.data as string[];
  let lastName: string | null = null;
  let last: TimeZone = utcTimeZone;
  return (i) => {
    const name = names[i]!;
    if (name !== lastName) {
      const zone = parseTimeZone(name);
      if (zone === null) throw dbError("22023", `time zone "${name}" not recognized`);
      lastName = name;
      last = zone;
    }
    return last;
  };
}

/**
 * `timezone(zone, ts)`, also written `ts AT TIME ZONE zone`: a timestamptz becomes the local
 * timestamp in `zone`; a timestamp is read as local time in `zone` and becomes a timestamptz.
 */
const timezoneFn: ScalarFunctionDef = {
  name: "timezone",
  volatility: "immutable",
  resolve(types) {
    if (types.length !== 2 || !unitArg(types[0])) return null;
    const t = timeArg(types[1]);
    if (t === null) return null;
    return {
      returns: t.kind === "timestamp" ? Types.timestamptz : Types.timestamp,
      argTypes: [Types.text, t],
    };
  },
  evaluate([zones, ts], n) {
    const validity = andValidities([zones!, ts!], n);
    const out = new Float64Array(n);
    const src = ts!.data as Float64Array;
    const zoneAt = zoneReader(zones!);
    const toUtc = ts!.kind === "timestamp";
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const zone = zoneAt(i);
      out[i] = checkTimestampRange(toUtc ? zone.toUtc(src[i]!) : zone.toLocal(src[i]!));
    }
    return makeColumn(toUtc ? Types.timestamptz : Types.timestamp, n, out, validity);
  },
};

/** `date_trunc(unit, timestamptz, zone)`: truncates the local time in `zone` (PostgreSQL 12+). */
const dateTruncInZone: ScalarFunctionDef = {
  name: "date_trunc",
  volatility: "immutable",
  strict: true,
  resolve(types) {
    if (types.length !== 3 || !unitArg(types[0]) || !unitArg(types[2])) return null;
    const t = timeArg(types[1]);
    if (t === null || t.kind !== "timestamptz") return null;
    return { returns: Types.timestamptz, argTypes: [Types.text, t, Types.text] };
  },
  evaluate([unit, ts, zones], n) {
    const validity = andValidities([unit!, ts!, zones!], n);
    const out = new Float64Array(n);
    const src = ts!.data as Float64Array;
    const zoneAt = zoneReader(zones!);
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const zone = zoneAt(i);
      const name = unitValue(unit!, i);
      const v = truncateMicros(name, zone.toLocal(src[i]!));
      if (v === null) {
        throw dbError("22023", `unit "${name}" not recognized for type timestamp with time zone`);
      }
      out[i] = checkTimestampRange(zone.toUtc(v));
    }
    return makeColumn(Types.timestamptz, n, out, validity);
  },
};

export const datetimeFunctions: readonly ScalarFunctionDef[] = [
  timezoneFn,
  dateTruncInZone,
  makeDate,
  dateTrunc,
  datePartDate,
  datePart,
  datePartTime,
  toTimestamp,
  bucketFunction("time_bucket"),
  bucketFunction("date_bin"),
];
