/**
 * Date, timestamp and interval arithmetic, PostgreSQL's operators:
 * date ± integer → date; date − date → integer; date|timestamp[tz] ± interval → timestamp[tz]
 * (a date becomes a timestamp); timestamp − timestamp → interval; interval ± interval;
 * interval × number, number × interval, interval ÷ number → interval.
 *
 * @module
 */
import type { TimeZone } from "../../types/time_zone.ts";
import { DbError, SqlState } from "../../errors.ts";
import type { DataType } from "../../types/data_type.ts";
import { allocData, type Column, isValid, makeColumn } from "../../types/column.ts";
import {
  addIntervals,
  addIntervalToMicros,
  checkTimestampRange,
  diffMicros,
  formatInterval,
  type Interval,
  negateInterval,
  parseInterval,
  scaleInterval,
} from "../../types/interval.ts";
import { asFloat64 } from "./numeric.ts";
import { dateInfinity, dateMinusInfinity } from "../../types/parse.ts";
import { andValidity } from "./validity.ts";

const microsPerDay = 86_400_000_000;
/** PostgreSQL's date range in days since 1970-01-01: 4714-11-24 BC up to 5874897-12-31. */
const dateDaysMin = -2_440_588;
const dateDaysEnd = 2_145_042_906;

/** Whether a kind takes part in date/time arithmetic. */
export function isDatetimeKind(kind: string): boolean {
  return kind === "date" || kind === "timestamp" || kind === "timestamptz" ||
    kind === "interval" || kind === "time";
}

function micros(col: Column, i: number): number {
  const v = (col.data as Float64Array | Int32Array)[i]!;
  return col.kind === "date" ? dateMicros(v) : v;
}

/** A date's midnight in microseconds; the infinite dates are the infinite timestamps. */
function dateMicros(days: number): number {
  return days === dateInfinity
    ? Infinity
    : days === dateMinusInfinity
    ? -Infinity
    : days * microsPerDay;
}

function interval(col: Column, i: number): Interval {
  return parseInterval((col.data as string[])[i]!);
}

/**
 * timestamptz + interval in a zone with DST rules, as PostgreSQL adds it: months and days to
 * the local time (the instant moves with the wall clock), then the time part to the instant.
 */
function addIntervalInZone(us: number, iv: Interval, zone: TimeZone): number {
  if (!Number.isFinite(us) || (iv.months === 0 && iv.days === 0)) {
    return addIntervalToMicros(us, iv);
  }
  const local = addIntervalToMicros(zone.toLocal(us), {
    months: iv.months,
    days: iv.days,
    micros: 0,
  });
  if (!Number.isFinite(local)) return local;
  return zone.toUtc(local) + iv.micros;
}

/**
 * Applies a date/time operator; `type` is the result type the binder chose, `zone` the session
 * time zone for timestamptz ± interval when it has DST rules.
 */
export function datetimeArith(
  op: "add" | "sub" | "mul" | "div",
  a: Column,
  b: Column,
  type: DataType,
  zone?: TimeZone,
): Column {
  const n = a.length;
  const validity = andValidity(a.validity, b.validity, n);
  const out = allocData(type.kind, n);
  const ak = a.kind;
  const bk = b.kind;
  for (let i = 0; i < n; i++) {
    if (!isValid(validity, i)) continue;
    switch (type.kind) {
      case "date": {
        // date ± integer
        const [date, days] = ak === "date" ? [a, b] : [b, a];
        const d = (date.data as Int32Array)[i]!;
        if (d === dateInfinity || d === dateMinusInfinity) {
          (out as Int32Array)[i] = d; // infinity ± n is infinity (PostgreSQL's date_pli)
          break;
        }
        const k = Number((days.data as ArrayLike<number | bigint>)[i]!);
        const r = op === "sub" ? d - k : d + k;
        if (r < dateDaysMin || r >= dateDaysEnd) {
          throw new DbError(SqlState.datetimeFieldOverflow, "date out of range");
        }
        (out as Int32Array)[i] = r;
        break;
      }
      case "int4":
        // date - date
        for (const d of [(a.data as Int32Array)[i]!, (b.data as Int32Array)[i]!]) {
          if (d === dateInfinity || d === dateMinusInfinity) {
            throw new DbError(SqlState.datetimeFieldOverflow, "cannot subtract infinite dates");
          }
        }
        (out as Int32Array)[i] = (a.data as Int32Array)[i]! - (b.data as Int32Array)[i]!;
        break;
      case "time": {
        // time ± interval: the interval's time part, wrapped around midnight (PostgreSQL)
        const [t, iv] = ak === "time" ? [a, b] : [b, a];
        const delta = interval(iv, i).micros;
        const r = (t.data as Float64Array)[i]! + (op === "sub" ? -delta : delta);
        (out as Float64Array)[i] = r - Math.floor(r / microsPerDay) * microsPerDay;
        break;
      }
      case "timestamp":
      case "timestamptz": {
        if (ak === "time" || bk === "time") {
          // date + time, time + date, date - time
          const [date, t] = ak === "date" ? [a, b] : [b, a];
          const clock = (t.data as Float64Array)[i]!;
          const day = dateMicros((date.data as Int32Array)[i]!);
          (out as Float64Array)[i] = checkTimestampRange(op === "sub" ? day - clock : day + clock);
          break;
        }
        const [ts, iv] = bk === "interval" ? [a, b] : [b, a];
        const delta = interval(iv, i);
        const signed = op === "sub" ? negateInterval(delta) : delta;
        const r = zone !== undefined && type.kind === "timestamptz"
          ? addIntervalInZone(micros(ts, i), signed, zone)
          : addIntervalToMicros(micros(ts, i), signed);
        if (!Number.isFinite(r) && Number.isFinite(micros(ts, i))) {
          throw new DbError(SqlState.numericValueOutOfRange, "timestamp out of range");
        }
        (out as Float64Array)[i] = checkTimestampRange(r);
        break;
      }
      case "interval": {
        let r: Interval;
        if (ak === "interval" && bk === "interval") {
          const x = interval(a, i);
          const y = interval(b, i);
          r = op === "sub" ? addIntervals(x, negateInterval(y)) : addIntervals(x, y);
        } else if (ak === "time" && bk === "time") {
          const d = (a.data as Float64Array)[i]! - (b.data as Float64Array)[i]!;
          r = { months: 0, days: 0, micros: d }; // time - time: hours, never days
        } else if (ak !== "interval" && bk !== "interval") {
          // timestamp - timestamp
          if (!Number.isFinite(micros(a, i)) || !Number.isFinite(micros(b, i))) {
            throw new DbError(
              SqlState.datetimeFieldOverflow,
              "cannot subtract infinite timestamps",
            );
          }
          r = diffMicros(micros(a, i), micros(b, i));
        } else {
          const iv = ak === "interval" ? interval(a, i) : interval(b, i);
          const factor = asFloat64(ak === "interval" ? b : a)[i]!;
          if (op === "div" && factor === 0) {
            throw new DbError(SqlState.divisionByZero, "division by zero");
          }
          r = scaleInterval(iv, op === "div" ? 1 / factor : factor);
        }
        (out as string[])[i] = formatInterval(r);
        break;
      }
      default:
        throw new DbError(
          SqlState.undefinedFunction,
          `operator does not exist for ${ak} and ${bk}`,
        );
    }
  }
  return makeColumn(type, n, out, validity);
}
