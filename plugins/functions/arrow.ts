/**
 * Apache Arrow / DataFusion compatibility functions, for queries written against DataFusion:
 *
 * - `arrow_typeof(x)` -> text: the Arrow type that holds x's SQL type (`Int32`, `Utf8`,
 *   `Decimal128(10, 2)`, `Timestamp(Microsecond, None)`, ...). OmenDB keeps timestamps in
 *   microseconds, so timestamps report `Microsecond` where DataFusion says `Nanosecond`.
 * - `arrow_cast(x, 'Type')`: a cast whose target is an Arrow type name (a constant). Integers
 *   cast to `Timestamp(unit, ...)` count `unit`s since the epoch (to `Time32`/`Time64(unit)`,
 *   since midnight); a timestamp cast to
 *   `Timestamp(Second|Millisecond, ...)` is truncated to that unit. Sub-microsecond precision
 *   is truncated.
 * - `to_timestamp_seconds|millis|micros|nanos(x)` -> timestamp: integers count that unit since
 *   the epoch; text and timestamps are converted and truncated to the unit.
 * - `to_unixtime(x)` -> bigint: seconds since the epoch of a timestamp, timestamptz, date or text
 *   (read as timestamptz input), truncated toward zero; integers are returned as they are and
 *   floating-point and numeric values are truncated toward zero.
 * - `from_unixtime(seconds)` -> timestamp: the timestamp `seconds` after the epoch.
 * - `to_timestamp(timestamp)` -> the same timestamp (PostgreSQL has only the other overloads).
 *
 * @example
 * ```ts
 * import { arrowFunctions } from "./arrow.ts";
 * import { columnFromValues, Types, valueAt } from "../../core/types/mod.ts";
 * const typeOf = arrowFunctions.find((f) => f.name === "arrow_typeof")!;
 * console.assert(typeOf.resolve([Types.int8]) !== null);
 * const out = typeOf.evaluate([columnFromValues(Types.int8, [1n])], 1);
 * console.assert(valueAt(out, 0) === "Int64");
 * ```
 *
 * @module
 */
import { parseTimeZone } from "../../core/types/time_zone.ts";
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { type DataType, isInteger, isString, Types } from "../../core/types/data_type.ts";
import { type Column, isValid, makeColumn, type Value, valueAt } from "../../core/types/column.ts";
import { castColumn } from "../../core/exec/kernels/cast.ts";
import { checkTimestampRange } from "../../core/types/interval.ts";
import { DbError, notSupported, SqlState } from "../../core/errors.ts";

const microsPerDay = 86_400_000_000;

/** Arrow time units and how many microseconds one is. */
const UNIT_MICROS = {
  Second: 1_000_000,
  Millisecond: 1_000,
  Microsecond: 1,
  Nanosecond: 0.001,
} as const;

type TimeUnit = keyof typeof UNIT_MICROS;

/** An Arrow type name mapped to an OmenDB type (and the time unit of a timestamp). */
interface ArrowTarget {
  readonly type: DataType;
  readonly unit: TimeUnit | null;
}

/** The Arrow name of a SQL type (what DataFusion's `arrow_typeof` prints). */
export function arrowTypeName(t: DataType): string {
  switch (t.kind) {
    case "unknown":
      return "Null";
    case "bool":
      return "Boolean";
    case "int2":
      return "Int16";
    case "int4":
      return "Int32";
    case "int8":
      return "Int64";
    case "float4":
      return "Float32";
    case "float8":
      return "Float64";
    case "numeric":
      if (t.precision === null) return "Decimal128(38, 10)"; // DataFusion's bare DECIMAL
      return `${t.precision <= 38 ? "Decimal128" : "Decimal256"}(${t.precision}, ${t.scale})`;
    case "text":
    case "varchar":
      return "Utf8";
    case "date":
      return "Date32";
    case "timestamp":
      return "Timestamp(Microsecond, None)";
    case "timestamptz":
      return 'Timestamp(Microsecond, Some("UTC"))';
    case "interval":
      return "Interval(MonthDayNano)";
    case "time":
      return "Time64(Microsecond)";
    case "array":
      return `List(Field { name: "item", data_type: ${
        arrowTypeName(t.element)
      }, nullable: true, dict_id: 0, dict_is_ordered: false, metadata: {} })`;
  }
}

function badType(text: string): DbError {
  return new DbError(SqlState.invalidParameterValue, `unknown Arrow type "${text}"`);
}

/** Parses an Arrow type name as DataFusion writes it (`Decimal128(5, 2)`, `Dictionary(...)`). */
export function parseArrowType(text: string): ArrowTarget {
  const s = text.trim();
  const m = /^(\w+)\s*(?:\((.*)\))?$/s.exec(s);
  if (m === null) throw badType(text);
  const name = m[1]!;
  const args = m[2] === undefined ? [] : splitTopLevel(m[2]);
  const plain = (type: DataType): ArrowTarget => {
    if (args.length > 0) throw badType(text);
    return { type, unit: null };
  };
  switch (name) {
    case "Boolean":
      return plain(Types.bool);
    case "Int8":
    case "Int16":
    case "UInt8":
      return plain(Types.int2);
    case "Int32":
    case "UInt16":
      return plain(Types.int4);
    case "Int64":
    case "UInt32":
      return plain(Types.int8);
    case "UInt64":
      return plain({ kind: "numeric", precision: 20, scale: 0 });
    case "Float16":
    case "Float32":
      return plain(Types.float4);
    case "Float64":
      return plain(Types.float8);
    case "Utf8":
    case "LargeUtf8":
    case "Utf8View":
      return plain(Types.text);
    case "Date32":
    case "Date64":
      return plain(Types.date);
    case "Decimal128":
    case "Decimal256": {
      const [p, sc] = args.map(Number);
      if (args.length !== 2 || !Number.isInteger(p) || !Number.isInteger(sc)) throw badType(text);
      if (p! < 1 || p! > 1000 || sc! < 0 || sc! > p!) throw badType(text);
      return { type: { kind: "numeric", precision: p!, scale: sc! }, unit: null };
    }
    case "Timestamp": {
      const unit = args[0] as TimeUnit | undefined;
      if (args.length !== 2 || unit === undefined || !(unit in UNIT_MICROS)) throw badType(text);
      const zone = args[1]!;
      if (zone === "None") return { type: Types.timestamp, unit };
      const z = /^Some\("(.*)"\)$/.exec(zone);
      if (z === null) throw badType(text);
      // An Arrow zone is display metadata over the same instant: OmenDB's timestamptz keeps the
      // instant and prints it in the session time zone.
      if (!/^[+-]\d{2}(:?\d{2})?$/.test(z[1]!) && parseTimeZone(z[1]!) === null) {
        throw new DbError("22023", `time zone "${z[1]}" not recognized`);
      }
      return { type: Types.timestamptz, unit };
    }
    case "Interval":
      if (args.length !== 1 || !/^(MonthDayNano|YearMonth|DayTime)$/.test(args[0]!)) {
        throw badType(text);
      }
      return { type: Types.interval, unit: null };
    case "Dictionary":
      if (args.length !== 2) throw badType(text);
      return parseArrowType(args[1]!);
    case "Time32":
    case "Time64": {
      const unit = args[0] as TimeUnit | undefined;
      if (args.length !== 1 || unit === undefined || !(unit in UNIT_MICROS)) throw badType(text);
      return { type: Types.time, unit };
    }
    case "Binary":
    case "LargeBinary":
    case "List":
    case "LargeList":
    case "Struct":
    case "Map":
    case "Null":
      throw notSupported(`Arrow type ${name}`);
    default:
      throw badType(text);
  }
}

/** Splits `a, B(c, d), e` on the commas outside parentheses and quotes. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === "(") depth++;
    else if (!quoted && c === ")") depth--;
    else if (!quoted && depth === 0 && c === ",") {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

/** The first non-NULL value of a column, or null. */
function firstValue(col: Column, length: number): Value {
  for (let i = 0; i < length; i++) if (isValid(col.validity, i)) return valueAt(col, i);
  return null;
}

/**
 * `x` converted to a timestamp type counted in `unit`: integers are `unit`s since the epoch,
 * anything else is cast and then truncated to the unit (toward zero, as Arrow divides).
 */
export function toTimestampInUnit(x: Column, type: DataType, unit: TimeUnit, length: number) {
  const per = UNIT_MICROS[unit];
  const out = new Float64Array(length);
  if (isInteger(x.type)) {
    for (let i = 0; i < length; i++) {
      if (!isValid(x.validity, i)) continue;
      const v = x.data![i] as number | bigint;
      const us = unit === "Nanosecond"
        ? Number(BigInt(v) / 1000n)
        : Number(BigInt(v) * BigInt(per));
      if (type.kind === "time" && !(us >= 0 && us <= microsPerDay)) {
        throw new DbError("22008", `time out of range: ${v} ${unit.toLowerCase()}s`);
      }
      out[i] = type.kind === "time" ? us : checkTimestampRange(us);
    }
    return makeColumn(type, length, out, x.validity);
  }
  const cast = castColumn(x, type);
  if (per <= 1) return cast;
  const src = cast.data as Float64Array;
  for (let i = 0; i < length; i++) {
    const us = src[i]!;
    out[i] = Number.isFinite(us) ? Math.trunc(us / per) * per + 0 : us;
  }
  return makeColumn(type, length, out, cast.validity);
}

function targetOf(constants: readonly (Value | undefined)[] | undefined): ArrowTarget {
  const t = constants?.[1];
  if (typeof t !== "string") {
    throw new DbError(
      SqlState.invalidParameterValue,
      "arrow_cast needs the target type as a constant string, e.g. arrow_cast(x, 'Int64')",
    );
  }
  return parseArrowType(t);
}

const arrowTypeof: ScalarFunctionDef = {
  name: "arrow_typeof",
  volatility: "immutable",
  resolve(types, constants): FunctionResolution | null {
    if (types.length !== 1) return null;
    // an untyped string literal is Utf8; an untyped NULL stays Null
    const t = types[0]!.kind === "unknown" && constants?.[0] != null ? Types.text : types[0]!;
    return { returns: Types.text, argTypes: [t] };
  },
  evaluate([x], length) {
    const out = new Array<string>(length).fill(arrowTypeName(x!.type));
    return makeColumn(Types.text, length, out, null);
  },
};

const arrowCast: ScalarFunctionDef = {
  name: "arrow_cast",
  volatility: "immutable",
  resolve(types, constants): FunctionResolution | null {
    if (types.length !== 2 || !(types[1]!.kind === "unknown" || isString(types[1]!))) return null;
    const target = targetOf(constants);
    const from = types[0]!.kind === "unknown" && constants?.[0] != null ? Types.text : types[0]!;
    return { returns: target.type, argTypes: [from, Types.text] };
  },
  evaluate([x, typeText], length) {
    const text = firstValue(typeText!, length);
    if (text === null) return castColumn(x!, Types.text);
    const target = parseArrowType(String(text));
    if (target.unit !== null) return toTimestampInUnit(x!, target.type, target.unit, length);
    return castColumn(x!, target.type);
  },
};

function toTimestampUnit(name: string, unit: TimeUnit): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve(types, constants): FunctionResolution | null {
      if (types.length !== 1) return null;
      const t = types[0]!;
      if (t.kind === "unknown") {
        return {
          returns: Types.timestamp,
          argTypes: [constants?.[0] == null ? Types.int8 : Types.text],
        };
      }
      if (isInteger(t) || isString(t) || t.kind === "timestamp" || t.kind === "timestamptz") {
        return { returns: Types.timestamp, argTypes: [t] };
      }
      return null;
    },
    evaluate([x], length) {
      return toTimestampInUnit(x!, Types.timestamp, unit, length);
    },
  };
}

const microsPerSecond = 1_000_000;
/** The int8 range, as doubles: a value outside it is 22003. */
const int8Min = -9223372036854775808;
const int8Max = 9223372036854775807;

function unixtimeOutOfRange(): DbError {
  return new DbError(SqlState.numericValueOutOfRange, "bigint out of range");
}

/** Whole seconds (toward zero) of a double, as int8; 22003 when it is not finite or too big. */
function secondsToInt8(v: number): bigint {
  const s = Math.trunc(v);
  if (!Number.isFinite(s) || s < int8Min || s >= int8Max) throw unixtimeOutOfRange();
  return BigInt(s);
}

/**
 * DataFusion's `to_unixtime(x)`: seconds since 1970-01-01 00:00:00 UTC as bigint. Text (and an
 * untyped literal) is read as timestamptz input; date, timestamp and timestamptz values are
 * truncated toward zero to whole seconds; integers are returned unchanged; floating-point and
 * numeric values are truncated toward zero.
 */
const toUnixtime: ScalarFunctionDef = {
  name: "to_unixtime",
  volatility: "stable", // text input depends on the session time zone
  resolve(types): FunctionResolution | null {
    if (types.length !== 1) return null;
    const t = types[0]!;
    switch (t.kind) {
      case "unknown":
      case "text":
      case "varchar":
        return { returns: Types.int8, argTypes: [Types.timestamptz] };
      case "date":
      case "timestamp":
      case "timestamptz":
        return { returns: Types.int8, argTypes: [t] };
      case "int2":
      case "int4":
      case "int8":
        return { returns: Types.int8, argTypes: [Types.int8] };
      case "float4":
      case "float8":
      case "numeric":
        return { returns: Types.int8, argTypes: [Types.float8] };
      default:
        return null;
    }
  },
  evaluate([x], length) {
    const col = x!;
    if (col.type.kind === "int8") return col;
    const out = new BigInt64Array(length);
    if (col.type.kind === "date") {
      const days = col.data as Int32Array;
      for (let i = 0; i < length; i++) {
        if (isValid(col.validity, i)) out[i] = BigInt(days[i]!) * 86_400n;
      }
    } else {
      // timestamps are microseconds; a float8 argument is already seconds
      const src = col.data as Float64Array;
      const per = col.type.kind === "float8" ? 1 : microsPerSecond;
      for (let i = 0; i < length; i++) {
        if (isValid(col.validity, i)) out[i] = secondsToInt8(src[i]! / per);
      }
    }
    return makeColumn(Types.int8, length, out, col.validity);
  },
};

/** DataFusion's `from_unixtime(seconds)`: the timestamp `seconds` after the Unix epoch. */
const fromUnixtime: ScalarFunctionDef = {
  name: "from_unixtime",
  volatility: "immutable",
  resolve(types): FunctionResolution | null {
    if (types.length !== 1) return null;
    const k = types[0]!.kind;
    if (k !== "unknown" && k !== "int2" && k !== "int4" && k !== "int8") return null;
    return { returns: Types.timestamp, argTypes: [Types.int8] };
  },
  evaluate([x], length) {
    const src = x!.data as BigInt64Array;
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      if (!isValid(x!.validity, i)) continue;
      const us = Number(src[i]!) * microsPerSecond;
      out[i] = checkTimestampRange(us);
    }
    return makeColumn(Types.timestamp, length, out, x!.validity);
  },
};

/**
 * DataFusion's `to_timestamp(timestamp)`: the timestamp itself. PostgreSQL's to_timestamp has no
 * such overload (42883), so this adds one without changing `to_timestamp(double precision)`.
 */
const toTimestampOfTimestamp: ScalarFunctionDef = {
  name: "to_timestamp",
  volatility: "immutable",
  resolve: (types): FunctionResolution | null =>
    types.length === 1 && types[0]!.kind === "timestamp"
      ? { returns: Types.timestamp, argTypes: [Types.timestamp] }
      : null,
  evaluate: ([x]) => x!,
};

/** arrow_typeof, arrow_cast and DataFusion's to_timestamp_<unit> and unixtime functions. */
export const arrowFunctions: readonly ScalarFunctionDef[] = [
  arrowTypeof,
  arrowCast,
  toTimestampUnit("to_timestamp_seconds", "Second"),
  toTimestampUnit("to_timestamp_millis", "Millisecond"),
  toTimestampUnit("to_timestamp_micros", "Microsecond"),
  toTimestampUnit("to_timestamp_nanos", "Nanosecond"),
  toUnixtime,
  fromUnixtime,
  toTimestampOfTimestamp,
];
