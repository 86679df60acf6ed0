/**
 * CAST between types, over whole columns, with PostgreSQL's errors: 22P02 for bad text, 22003
 * for out-of-range numbers.
 *
 * @module
 */
import { AssertionError, DbError, SqlState } from "../../errors.ts";
import { type DataType, sameType, Types, typeToSql } from "../../types/data_type.ts";
import {
  allocData,
  allValid,
  type Column,
  columnFromValues,
  isValid,
  makeColumn,
  setNull,
  type Value,
  valueAt,
} from "../../types/column.ts";
import { formatArrayText, parseArrayText } from "../../types/array.ts";
import { formatTimestamptz, formatValue } from "../../types/format.ts";
import type { TimeZone } from "../../types/time_zone.ts";
import {
  dateInfinity,
  dateMinusInfinity,
  parseBool,
  parseDate,
  parseFloat8,
  parseInt8,
  parseInteger,
  parseTime,
  parseTimestamp,
} from "../../types/parse.ts";
import { asBigInt64, asFloat64 } from "./numeric.ts";
import type { ScalarFunctionDef } from "../../plugin/functions.ts";
import {
  formatInterval,
  parseInterval,
  timestampMicrosMax,
  timestampMicrosMin,
} from "../../types/interval.ts";
import {
  type Dec,
  decFromInteger,
  decFromNumber,
  fitDec,
  formatDec,
  parseDec,
  rescale,
} from "../../types/numeric.ts";

const INT2_MAX = 32767;
const INT4_MAX = 2147483647;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Whether an explicit cast from one type to another exists. */
export function canCast(from: DataType, to: DataType): boolean {
  if (from.kind === "unknown" || sameType(from, to)) return true;
  const cat = (t: DataType): string => {
    switch (t.kind) {
      case "int2":
      case "int4":
      case "int8":
      case "float4":
      case "float8":
      case "numeric":
        return "num";
      case "text":
      case "varchar":
        return "str";
      case "bool":
        return "bool";
      case "date":
      case "timestamp":
      case "timestamptz":
        return "time";
      case "interval":
        return "interval";
      case "time":
        return "clock";
      case "array":
        return "array";
      case "unknown":
        return "unknown";
    }
  };
  if (from.kind === "array" && to.kind === "array") return canCast(from.element, to.element);
  const f = cat(from);
  const t = cat(to);
  if (f === "str" || t === "str") return true;
  if (f === t) return true;
  // time: from timestamps (the time of day), to and from interval
  if (t === "clock") {
    return from.kind === "timestamp" || from.kind === "timestamptz" || f === "interval";
  }
  if (f === "clock") return to.kind === "interval";
  if ((f === "bool" && to.kind === "int4") || (t === "bool" && from.kind === "int4")) return true;
  return false;
}

function outOfRange(typeName: string): DbError {
  return new DbError(SqlState.numericValueOutOfRange, `${typeName} out of range`);
}

/** PostgreSQL rounds half away from zero when casting float to integer... to even, in fact. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * One text value read by the input function of a type that is not zone-dependent, numeric,
 * interval or array (those need {@link castColumn}): 22P02 for bad text, 22003 out of range.
 * Dates and timestamps are days and microseconds, int8 a bigint.
 *
 * @example
 * ```ts
 * import { castTextValue } from "./cast.ts";
 * import { Types } from "../../types/mod.ts";
 * console.assert(castTextValue(" 42 ", Types.int4) === 42);
 * console.assert(castTextValue("1970-01-01 00:00:01", Types.timestamp) === 1_000_000);
 * ```
 */
export function castTextValue(s: string, to: DataType): Value {
  switch (to.kind) {
    case "bool":
      return parseBool(s);
    case "int2":
      return parseInteger(s, -INT2_MAX - 1, INT2_MAX, "smallint");
    case "int4":
      return parseInteger(s, -INT4_MAX - 1, INT4_MAX, "integer");
    case "int8":
      return parseInt8(s);
    case "float4":
      return parseFloat8(s, "real");
    case "float8":
      return parseFloat8(s);
    case "text":
      return s;
    case "varchar":
      return truncateVarchar(s, to.maxLength);
    case "date":
      return parseDate(s);
    case "timestamp":
      return parseTimestamp(s, false);
    case "timestamptz":
      return parseTimestamp(s, true);
    case "time":
      return parseTime(s);
    case "unknown":
      return null;
    case "numeric":
    case "interval":
    case "array":
      throw new AssertionError(`castTextValue cannot read ${to.kind}`);
  }
}

/**
 * Casts one value of type `from` to type `to` (through {@link castColumn}, so with the same
 * errors).
 *
 * @example
 * ```ts
 * import { castValue } from "./cast.ts";
 * import { Types } from "../../types/mod.ts";
 * console.assert(castValue(" 42 ", Types.text, Types.int4) === 42);
 * ```
 */
export function castValue(value: Value, from: DataType, to: DataType, zone?: TimeZone): Value {
  return valueAt(castColumn(columnFromValues(from, [value]), to, zone), 0);
}

/**
 * Casts a column to a type.
 *
 * @example
 * ```ts
 * import { castColumn } from "./cast.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const c = castColumn(columnFromValues(Types.text, [" 42 "]), Types.int4);
 * console.assert(valueAt(c, 0) === 42);
 * ```
 */
export function castColumn(col: Column, to: DataType, zone?: TimeZone): Column {
  if (sameType(col.type, to)) return col;
  if (zone !== undefined && !zone.isUtc) {
    const zoned = castInZone(col, to, zone);
    if (zoned !== null) return zoned;
  }
  if (
    col.kind === to.kind && to.kind !== "varchar" && to.kind !== "numeric" && to.kind !== "array"
  ) {
    return makeColumn(to, col.length, col.data, col.validity);
  }
  const n = col.length;
  const v = col.validity;
  const out = allocData(to.kind, n);
  if (col.kind === "unknown") {
    return makeColumn(to, n, out, v ?? new Uint8Array((n + 7) >>> 3));
  }
  if (!canCast(col.type, to)) {
    throw new DbError(
      SqlState.datatypeMismatch,
      `cannot cast type ${typeToSql(col.type)} to ${typeToSql(to)}`,
    );
  }
  if (col.kind === "array" || to.kind === "array") return castArray(col, to);
  if (col.kind === "numeric" || to.kind === "numeric") return castNumeric(col, to);
  if (to.kind === "time" && col.kind !== "text" && col.kind !== "varchar") {
    return castToTime(col, to);
  }
  if (col.kind === "time" && to.kind === "interval") {
    const src = col.data;
    const dst = new Array<string>(n).fill("00:00:00");
    for (let i = 0; i < n; i++) {
      if (isValid(v, i)) dst[i] = formatInterval({ months: 0, days: 0, micros: src[i]! });
    }
    return makeColumn(to, n, dst, v);
  }
  if (to.kind === "interval") {
    // only text gets here (canCast): normalise to PostgreSQL's output form
    const src = col.data as string[];
    const out = new Array<string>(n).fill("00:00:00");
    for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = formatInterval(parseInterval(src[i]!));
    return makeColumn(to, n, out, v);
  }
  if (col.kind === "interval") {
    const src = col.data;
    const out = new Array<string>(n).fill("");
    for (let i = 0; i < n; i++) {
      if (isValid(v, i)) {
        out[i] = to.kind === "varchar" ? truncateVarchar(src[i]!, to.maxLength) : src[i]!;
      }
    }
    return makeColumn(to, n, out, v);
  }
  // from text
  if (col.kind === "text" || col.kind === "varchar") {
    if (to.kind === "unknown") return makeColumn(to, n, out, v); // no values to hold
    const src = col.data;
    const bools = to.kind === "bool" ? out as Uint8Array : null;
    const dst = out as unknown as Value[];
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      const x = castTextValue(src[i]!, to);
      if (bools !== null) bools[i] = x ? 1 : 0;
      else dst[i] = x;
    }
    return makeColumn(to, n, out, v);
  }
  // to text
  if (to.kind === "text" || to.kind === "varchar") {
    const dst = out as string[];
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      let s: string;
      if (col.kind === "bool") s = col.data[i] ? "true" : "false";
      else {s = formatValue(
          col.type,
          col.kind === "int8" ? col.data[i]! : (col.data as ArrayLike<number>)[i]!,
        )!;}
      dst[i] = to.kind === "varchar" ? truncateVarchar(s, to.maxLength) : s;
    }
    return makeColumn(to, n, out, v);
  }
  switch (to.kind) {
    case "bool": {
      const src = asFloat64(col);
      const dst = out as Uint8Array;
      for (let i = 0; i < n; i++) dst[i] = src[i] !== 0 ? 1 : 0;
      return makeColumn(to, n, out, v);
    }
    case "int2":
    case "int4": {
      const max = to.kind === "int2" ? INT2_MAX : INT4_MAX;
      const name = to.kind === "int2" ? "smallint" : "integer";
      const src = asFloat64(col);
      const dst = out as Int32Array | Int16Array;
      const isFloat = col.kind === "float4" || col.kind === "float8";
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        const x = isFloat ? roundHalfEven(src[i]!) : src[i]!;
        if (!(x >= -max - 1 && x <= max)) throw outOfRange(name);
        dst[i] = x;
      }
      return makeColumn(to, n, out, v);
    }
    case "int8": {
      const dst = out as BigInt64Array;
      if (col.kind === "float4" || col.kind === "float8") {
        const src = col.data;
        for (let i = 0; i < n; i++) {
          if (!isValid(v, i)) continue;
          const x = roundHalfEven(src[i]!);
          if (!(x >= -9223372036854775808 && x < 9223372036854775808)) throw outOfRange("bigint");
          dst[i] = BigInt(x);
        }
        return makeColumn(to, n, out, v);
      }
      const src = asBigInt64(col);
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        if (x < INT8_MIN || x > INT8_MAX) throw outOfRange("bigint");
        dst[i] = x;
      }
      return makeColumn(to, n, out, v);
    }
    case "float4":
    case "float8": {
      const src = asFloat64(col);
      (out as Float64Array | Float32Array).set(src);
      if (to.kind === "float4") {
        for (let i = 0; i < n; i++) {
          if (
            isValid(v, i) && Number.isFinite(src[i]!) && !Number.isFinite((out as Float32Array)[i]!)
          ) {
            throw outOfRange("real");
          }
        }
      }
      return makeColumn(to, n, out, v);
    }
    case "date":
    case "timestamp":
    case "timestamptz": {
      const src = asFloat64(col);
      const dst = out as Float64Array | Int32Array;
      const fromDays = col.kind === "date";
      const toDays = to.kind === "date";
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        if (fromDays === toDays) dst[i] = x;
        else if (fromDays && (x === dateInfinity || x === dateMinusInfinity)) {
          dst[i] = x === dateInfinity ? Infinity : -Infinity;
        } else if (!fromDays && !Number.isFinite(x)) {
          // the infinite timestamps are the infinite dates
          dst[i] = x > 0 ? dateInfinity : x < 0 ? dateMinusInfinity : 0;
        } else if (fromDays) {
          const us = x * 86_400_000_000;
          if (isValid(v, i) && (us < timestampMicrosMin || us > timestampMicrosMax)) {
            throw new DbError("22008", "date out of range for timestamp");
          }
          dst[i] = us;
        } else dst[i] = Math.floor(x / 86_400_000_000);
      }
      return makeColumn(to, n, out, v);
    }
    case "time":
    case "unknown":
      break;
  }
  throw new DbError(
    SqlState.datatypeMismatch,
    `cannot cast type ${typeToSql(col.type)} to ${typeToSql(to)}`,
  );
}

const microsPerDay = 86_400_000_000;

/**
 * Whether a cast from `from` to `to` reads the session time zone (timestamptz to or from
 * timestamp, date, time or text).
 */
export function castDependsOnZone(from: DataType, to: DataType): boolean {
  if (from.kind === to.kind) return false;
  if (from.kind === "timestamptz") {
    return ["timestamp", "date", "time", "text", "varchar"].includes(to.kind);
  }
  if (to.kind === "timestamptz") {
    return ["timestamp", "date", "text", "varchar", "unknown"].includes(from.kind);
  }
  return false;
}

/** The zone-dependent casts in a zone other than UTC; `null` for every other cast. */
function castInZone(col: Column, to: DataType, zone: TimeZone): Column | null {
  if (!castDependsOnZone(col.type, to)) return null;
  const n = col.length;
  const v = col.validity;
  if (col.kind === "timestamptz") {
    const src = col.data;
    if (to.kind === "text" || to.kind === "varchar") {
      const dst = new Array<string>(n).fill("");
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        const s = formatTimestamptz(src[i]!, zone);
        dst[i] = to.kind === "varchar" ? truncateVarchar(s, to.maxLength) : s;
      }
      return makeColumn(to, n, dst, v);
    }
    const local = new Float64Array(n);
    for (let i = 0; i < n; i++) if (isValid(v, i)) local[i] = zone.toLocal(src[i]!);
    return castColumn(makeColumn(Types.timestamp, n, local, v), to);
  }
  if (col.kind === "text" || col.kind === "varchar") {
    const src = col.data;
    const dst = new Float64Array(n);
    for (let i = 0; i < n; i++) if (isValid(v, i)) dst[i] = parseTimestamp(src[i]!, true, zone);
    return makeColumn(to, n, dst, v);
  }
  if (col.kind === "unknown") return null;
  const local = castColumn(col, Types.timestamp);
  const src = local.data as Float64Array;
  const dst = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!isValid(v, i)) continue;
    const us = zone.toUtc(src[i]!); // the infinite values stay infinite
    if (Number.isFinite(us) && (us < timestampMicrosMin || us > timestampMicrosMax)) {
      throw new DbError("22008", "timestamp out of range");
    }
    dst[i] = us;
  }
  return makeColumn(to, n, dst, local.validity);
}

/**
 * The elements of one array value (of `from` elements; text for array input) cast to `element`
 * and formatted back into array text.
 */
function recastArrayText(text: string, from: DataType, element: DataType): string {
  const parts = parseArrayText(text);
  const cast = castColumn(castColumn(columnFromValues(Types.text, parts), from), element);
  const out: (string | null)[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) out[i] = formatValue(element, valueAt(cast, i));
  return formatArrayText(out);
}

/** Casts text to an array type, an array to text, or an array to another array type. */
function castArray(col: Column, to: DataType): Column {
  const n = col.length;
  const v = col.validity;
  const src = col.data as string[];
  const out = new Array<string>(n).fill(to.kind === "array" ? "{}" : "");
  for (let i = 0; i < n; i++) {
    if (!isValid(v, i)) continue;
    if (to.kind === "array") {
      const from = col.type.kind === "array" ? col.type.element : Types.text;
      out[i] = recastArrayText(src[i]!, from, to.element);
    } else if (to.kind === "text") out[i] = src[i]!;
    else if (to.kind === "varchar") out[i] = truncateVarchar(src[i]!, to.maxLength);
    else {
      throw new DbError(
        "42846",
        `cannot cast type ${typeToSql(col.type)} to ${typeToSql(to)}`,
      );
    }
  }
  return makeColumn(to, n, out, v);
}

/** timestamp -> time (the time of day) and interval -> time (its time part, modulo a day). */
function castToTime(col: Column, to: DataType): Column {
  const n = col.length;
  const v = col.validity;
  const out = new Float64Array(n);
  if (col.kind === "interval") {
    const src = col.data;
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      const us = parseInterval(src[i]!).micros;
      out[i] = us - Math.floor(us / microsPerDay) * microsPerDay;
    }
    return makeColumn(to, n, out, v);
  }
  if (col.kind === "timestamp" || col.kind === "timestamptz") {
    const src = col.data;
    let validity = v;
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      const us = src[i]!;
      if (Number.isFinite(us)) {
        out[i] = us - Math.floor(us / microsPerDay) * microsPerDay;
        continue;
      }
      // PostgreSQL gives NULL for the time of an infinite timestamp
      if (validity === v) validity = v === null ? allValid(n) : v.slice();
      setNull(validity!, i);
    }
    return makeColumn(to, n, out, validity);
  }
  throw new DbError(
    SqlState.datatypeMismatch,
    `cannot cast type ${typeToSql(col.type)} to ${typeToSql(to)}`,
  );
}

function truncateVarchar(s: string, maxLength: number | null): string {
  if (maxLength === null || s.length <= maxLength) return s;
  const chars = [...s];
  return chars.length <= maxLength ? s : chars.slice(0, maxLength).join("");
}

/** Casts to or from NUMERIC (exact; rounding half away from zero, as PostgreSQL does). */
function castNumeric(col: Column, to: DataType): Column {
  const n = col.length;
  const v = col.validity;
  if (to.kind === "numeric") {
    const out = new Array<string>(n).fill("0");
    const fit = (d: Dec) => formatDec(fitDec(d, to.precision, to.scale));
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      switch (col.kind) {
        case "numeric":
        case "text":
        case "varchar":
          out[i] = fit(parseDec(col.data[i]!));
          break;
        case "int2":
        case "int4":
          out[i] = fit(decFromInteger(col.data[i]!));
          break;
        case "int8":
          out[i] = fit(decFromInteger(col.data[i]!));
          break;
        case "float4":
        case "float8":
          out[i] = fit(decFromNumber(col.data[i]!));
          break;
        default:
          throw new DbError(
            SqlState.datatypeMismatch,
            `cannot cast type ${typeToSql(col.type)} to numeric`,
          );
      }
    }
    return makeColumn(to, n, out, v);
  }
  // from numeric
  const src = col.data as string[];
  const out = allocData(to.kind, n);
  for (let i = 0; i < n; i++) {
    if (!isValid(v, i)) continue;
    const text = src[i]!;
    switch (to.kind) {
      case "text":
      case "varchar":
        (out as string[])[i] = to.kind === "varchar" ? truncateVarchar(text, to.maxLength) : text;
        break;
      case "float4":
      case "float8":
        (out as Float64Array)[i] = Number(text);
        break;
      case "int2":
      case "int4":
      case "int8": {
        const r = rescale(parseDec(text), 0).v;
        const [min, max, name] = to.kind === "int2"
          ? [-32768n, 32767n, "smallint"]
          : to.kind === "int4"
          ? [-2147483648n, 2147483647n, "integer"]
          : [INT8_MIN, INT8_MAX, "bigint"];
        if (r < min || r > max) throw outOfRange(name);
        if (to.kind === "int8") (out as BigInt64Array)[i] = r;
        else (out as Int32Array)[i] = Number(r);
        break;
      }
      default:
        throw new DbError(
          SqlState.datatypeMismatch,
          `cannot cast type numeric to ${typeToSql(to)}`,
        );
    }
  }
  return makeColumn(to, n, out, v);
}

/**
 * A date as a timestamp for comparing the two, as PostgreSQL's cross-type date/timestamp
 * operators do: a date past timestamp's range compares as ±infinity instead of raising 22008.
 *
 * @example
 * ```ts
 * import { dateForTimestampComparison } from "./cast.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const f = dateForTimestampComparison(Types.timestamp);
 * console.assert(valueAt(f.evaluate([columnFromValues(Types.date, [106762941])], 1), 0) === Infinity);
 * ```
 */
export function dateForTimestampComparison(to: DataType, zone?: TimeZone): ScalarFunctionDef {
  const local = to.kind === "timestamptz" && zone !== undefined && !zone.isUtc ? zone : null;
  return {
    name: "date_for_comparison",
    volatility: "immutable",
    // NULL in, NULL out (as PostgreSQL's date-timestamp comparison operators): a WHERE over it
    // rejects an outer join's NULL-extended rows
    strict: true,
    resolve: () => null,
    evaluate([d], n) {
      const days = d!.data as Int32Array;
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const us = days[i]! * microsPerDay; // the infinite dates fall outside: ±Infinity
        out[i] = us > timestampMicrosMax
          ? Infinity
          : us < timestampMicrosMin
          ? -Infinity
          : local === null
          ? us
          : local.toUtc(us); // midnight in the session time zone
      }
      return makeColumn(to, n, out, d!.validity);
    },
  };
}
