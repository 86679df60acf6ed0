/**
 * Values on the wire: result columns in PostgreSQL's text or binary format, and parameters
 * from either format into the engine's values. Text output is the type's output function
 * (`formatValue`); binary follows PostgreSQL's send/recv functions (big-endian integers and
 * floats, numeric as base-10000 digits, dates as days and timestamps as microseconds since
 * 2000-01-01, intervals as microseconds, days and months).
 *
 * @example
 * ```ts
 * import { decodeParam, typeOids } from "./values.ts";
 * console.assert(decodeParam(typeOids.int4, 0, new TextEncoder().encode("42")) === 42);
 * console.assert(decodeParam(typeOids.int8, 1, new Uint8Array([0, 0, 0, 0, 0, 0, 0, 7])) === 7n);
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { DataType } from "../../core/types/data_type.ts";
import { typeOid, Types } from "../../core/types/data_type.ts";
import type { Value } from "../../core/types/column.ts";
import {
  formatDate,
  formatTime,
  formatTimestamp,
  formatTimestamptz,
  formatValue,
} from "../../core/types/format.ts";
import { parseBool, parseInt8, parseInteger } from "../../core/types/parse.ts";
import { formatInterval, parseInterval } from "../../core/types/interval.ts";
import type { TimeZone } from "../../core/types/time_zone.ts";
import type { MessageWriter } from "./protocol.ts";
import { utf8 } from "./protocol.ts";

/** The type OIDs parameters may be declared with (PostgreSQL's). */
export const typeOids = {
  unspecified: 0,
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
} as const;

/** The engine type of a declared parameter type; `null` = infer it (0, unknown or others). */
export function dataTypeOfOid(oid: number): DataType | null {
  switch (oid) {
    case typeOids.bool:
      return Types.bool;
    case typeOids.int2:
      return Types.int2;
    case typeOids.int4:
    case typeOids.oid:
      return Types.int4;
    case typeOids.int8:
      return Types.int8;
    case typeOids.float4:
      return Types.float4;
    case typeOids.float8:
      return Types.float8;
    case typeOids.numeric:
      return Types.numeric;
    case typeOids.text:
    case typeOids.name:
    case typeOids.bpchar:
      return Types.text;
    case typeOids.varchar:
      return Types.varchar;
    case typeOids.date:
      return Types.date;
    case typeOids.time:
      return Types.time;
    case typeOids.timestamp:
      return Types.timestamp;
    case typeOids.timestamptz:
      return Types.timestamptz;
    case typeOids.interval:
      return Types.interval;
    default:
      return null;
  }
}

/** The OID a result column is described with (the text OID for types PostgreSQL lacks). */
export function wireOid(t: DataType): number {
  return t.kind === "unknown" ? typeOids.text : typeOid(t);
}

/** The size `RowDescription` reports (`pg_type.typlen`; -1 = variable). */
export function typeSize(t: DataType): number {
  switch (t.kind) {
    case "bool":
      return 1;
    case "int2":
      return 2;
    case "int4":
    case "float4":
    case "date":
      return 4;
    case "int8":
    case "float8":
    case "timestamp":
    case "timestamptz":
    case "time":
      return 8;
    case "interval":
      return 16;
    default:
      return -1;
  }
}

/** Microseconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
export const pgEpochMicros = 946_684_800_000_000;
/** Days from 1970-01-01 to 2000-01-01. */
export const pgEpochDays = 10_957;
const dateInfinity = 2_147_483_647;
const dateMinusInfinity = -2_147_483_648;
const int64Max = 0x7fff_ffff_ffff_ffffn;
const int64Min = -0x8000_0000_0000_0000n;

const encoder = new TextEncoder();

/** Writes one non-NULL value in text format, preceded by its length. */
export function writeText(w: MessageWriter, type: DataType, value: Value, zone: TimeZone): void {
  switch (typeof value) {
    case "string":
      if (type.kind === "text" || type.kind === "varchar") {
        w.lengthPrefixedText(value);
        return;
      }
      break;
    case "number":
      if (type.kind === "int4" || type.kind === "int2") {
        w.lengthPrefixedText(String(value));
        return;
      }
      break;
    case "bigint":
      w.lengthPrefixedText(String(value));
      return;
  }
  w.lengthPrefixedText(formatValue(type, value, zone) ?? "");
}

/**
 * Writes one non-NULL value in binary format, preceded by its length. Arrays have no binary
 * form here (0A000).
 */
export function writeBinary(w: MessageWriter, type: DataType, value: Value): void {
  switch (type.kind) {
    case "bool":
      w.int32(1).int8(value ? 1 : 0);
      return;
    case "int2":
      w.int32(2).int16(Number(value));
      return;
    case "int4":
      w.int32(4).int32(Number(value));
      return;
    case "int8":
      w.int32(8).int64(BigInt(value as bigint | number));
      return;
    case "float4":
      w.int32(4).float32(Number(value));
      return;
    case "float8":
      w.int32(8).float64(Number(value));
      return;
    case "date": {
      const d = Number(value);
      w.int32(4).int32(d === dateInfinity || d === dateMinusInfinity ? d : d - pgEpochDays);
      return;
    }
    case "timestamp":
    case "timestamptz": {
      const us = Number(value);
      w.int32(8).int64(
        us === Infinity ? int64Max : us === -Infinity ? int64Min : BigInt(us - pgEpochMicros),
      );
      return;
    }
    case "time":
      w.int32(8).int64(BigInt(Number(value)));
      return;
    case "interval": {
      const iv = parseInterval(String(value));
      w.int32(16).int64(BigInt(iv.micros)).int32(iv.days).int32(iv.months);
      return;
    }
    case "numeric":
      writeNumericBinary(w, String(value));
      return;
    case "text":
    case "varchar":
    case "unknown":
      w.lengthPrefixedText(String(value));
      return;
    case "array":
      throw new DbError(
        SqlState.featureNotSupported,
        "binary format of arrays is not supported; ask for text format",
      );
  }
}

const numericPos = 0x0000;
const numericNeg = 0x4000;
const numericNaN = 0xc000;
const numericPInf = 0xd000;
const numericNInf = 0xf000;

/** PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits. */
function writeNumericBinary(w: MessageWriter, text: string): void {
  const lengthAt = w.reserveInt32();
  const start = w.offset;
  if (text === "NaN" || text === "Infinity" || text === "-Infinity") {
    const sign = text === "NaN" ? numericNaN : text === "Infinity" ? numericPInf : numericNInf;
    w.int16(0).int16(0).int16(sign).int16(0);
    w.patchInt32(lengthAt, w.offset - start);
    return;
  }
  const negative = text.startsWith("-");
  const body = negative || text.startsWith("+") ? text.slice(1) : text;
  const dot = body.indexOf(".");
  const intPart = (dot < 0 ? body : body.slice(0, dot)).replace(/^0+/, "");
  const fracPart = dot < 0 ? "" : body.slice(dot + 1);
  const dscale = fracPart.length;
  const intPadded = "0".repeat((4 - intPart.length % 4) % 4) + intPart;
  const fracPadded = fracPart + "0".repeat((4 - fracPart.length % 4) % 4);
  const all = intPadded + fracPadded;
  const digits: number[] = [];
  for (let i = 0; i < all.length; i += 4) digits.push(Number(all.slice(i, i + 4)));
  let weight = intPadded.length / 4 - 1;
  let first = 0;
  while (first < digits.length && digits[first] === 0) {
    first++;
    weight--;
  }
  let last = digits.length;
  while (last > first && digits[last - 1] === 0) last--;
  const kept = digits.slice(first, last);
  if (kept.length === 0) weight = 0;
  w.int16(kept.length).int16(weight).int16(kept.length === 0 || !negative ? numericPos : numericNeg)
    .int16(dscale);
  for (const d of kept) w.int16(d);
  w.patchInt32(lengthAt, w.offset - start);
}

/** Decodes PostgreSQL's binary numeric into its text form. */
export function numericFromBinary(b: Uint8Array): string {
  if (b.length < 8) throw badBinary("numeric");
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  const ndigits = v.getInt16(0), weight = v.getInt16(2), sign = v.getUint16(4);
  const dscale = v.getInt16(6);
  if (sign === numericNaN) return "NaN";
  if (sign === numericPInf) return "Infinity";
  if (sign === numericNInf) return "-Infinity";
  if (ndigits < 0 || b.length !== 8 + 2 * ndigits || dscale < 0) throw badBinary("numeric");
  if (sign !== numericPos && sign !== numericNeg) throw badBinary("numeric");
  let intText = "";
  let fracText = "";
  for (let i = 0; i < ndigits; i++) {
    const d = v.getInt16(8 + 2 * i);
    if (d < 0 || d > 9999) throw badBinary("numeric");
    const group = String(d).padStart(4, "0");
    const pos = weight - i; // power of 10000 of this digit
    if (pos >= 0) intText += group;
    else fracText += group;
  }
  // whole groups between the digits and the point
  const lastPos = weight - ndigits + 1;
  if (ndigits > 0 && lastPos > 0) intText += "0000".repeat(lastPos);
  if (ndigits > 0 && weight < -1) fracText = "0000".repeat(-weight - 1) + fracText;
  intText = intText.replace(/^0+/, "") || "0";
  fracText = fracText.padEnd(dscale, "0").slice(0, dscale);
  const out = dscale > 0 ? `${intText}.${fracText}` : intText;
  return sign === numericNeg && /[1-9]/.test(out) ? `-${out}` : out;
}

function badBinary(type: string): DbError {
  return new DbError("22P03", `incorrect binary data format in bind parameter of type ${type}`);
}

/**
 * A parameter's engine value from its wire bytes. Declared integer and boolean types become
 * numbers, bigints and booleans; everything else becomes text, which the engine types from
 * where the parameter is used (like an untyped literal).
 */
export function decodeParam(oid: number, format: number, bytes: Uint8Array): Value {
  if (format === 0) return decodeTextParam(oid, utf8(bytes));
  if (format !== 1) {
    throw new DbError(protocolViolationCode, `unsupported format code: ${format}`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const need = (n: number, type: string) => {
    if (bytes.length !== n) throw badBinary(type);
  };
  switch (oid) {
    case typeOids.bool:
      need(1, "boolean");
      return bytes[0] !== 0;
    case typeOids.int2:
      need(2, "smallint");
      return v.getInt16(0);
    case typeOids.int4:
    case typeOids.oid:
      need(4, "integer");
      return v.getInt32(0);
    case typeOids.int8:
      need(8, "bigint");
      return v.getBigInt64(0);
    case typeOids.float4:
      need(4, "real");
      return floatText(v.getFloat32(0));
    case typeOids.float8:
      need(8, "double precision");
      return floatText(v.getFloat64(0));
    case typeOids.numeric:
      return numericFromBinary(bytes);
    case typeOids.date: {
      need(4, "date");
      const d = v.getInt32(0);
      return formatDate(d === dateInfinity || d === dateMinusInfinity ? d : d + pgEpochDays);
    }
    case typeOids.timestamp:
    case typeOids.timestamptz: {
      need(8, "timestamp");
      const raw = v.getBigInt64(0);
      const us = raw === int64Max
        ? Infinity
        : raw === int64Min
        ? -Infinity
        : Number(raw) + pgEpochMicros;
      return oid === typeOids.timestamp ? formatTimestamp(us) : formatTimestamptz(us);
    }
    case typeOids.time:
      need(8, "time");
      return formatTime(Number(v.getBigInt64(0)));
    case typeOids.interval:
      need(16, "interval");
      return formatInterval({
        micros: Number(v.getBigInt64(0)),
        days: v.getInt32(8),
        months: v.getInt32(12),
      });
    case typeOids.bytea:
      return "\\x" + bytes.toHex();
    default:
      // text, varchar, name, unknown and undeclared: the bytes are the text
      return utf8(bytes);
  }
}

const protocolViolationCode = "08P01";

/** A float sent in binary: text when it is integral, so it does not bind as an integer. */
function floatText(x: number): Value {
  return Number.isSafeInteger(x) ? String(x) : x;
}

function decodeTextParam(oid: number, text: string): Value {
  switch (oid) {
    case typeOids.bool:
      return parseBool(text.trim());
    case typeOids.int2:
      return parseInteger(text.trim(), -32768, 32767, "smallint");
    case typeOids.int4:
      return parseInteger(text.trim(), -2147483648, 2147483647, "integer");
    case typeOids.int8:
      return parseInt8(text.trim());
    default:
      return text;
  }
}

/** UTF-8 bytes of a string (for tests and COPY). */
export function utf8Bytes(s: string): Uint8Array {
  return encoder.encode(s);
}
