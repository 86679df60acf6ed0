/**
 * OmenDB columns to Arrow data and back, the form parquet-wasm writes and reads. Hot loops run
 * over typed arrays; strings are dictionary-encoded on the way in (TSBS tags repeat a lot), and a
 * dictionary is decoded once per chunk on the way out.
 *
 * 64-bit microsecond values (timestamps, times) are kept as float64 in OmenDB and as int64 in
 * Parquet. `±Infinity` (PostgreSQL's `'infinity'`) is stored as the sentinels DuckDB uses for
 * its own infinite timestamps: {@link int64InfinityWords} = 2^63 - 1 and its negation
 * -(2^63 - 1). On the way back, 2^63 - 1 and above read as `Infinity`, -(2^63 - 1) and below
 * (so INT64 min too) as `-Infinity`.
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { DbError, SqlState, unreachable } from "../../core/errors.ts";
import {
  allocData,
  allValid,
  type Column,
  makeColumn,
  setNull,
  validityBytes,
} from "../../core/types/column.ts";
import { type DataType, typeToSql } from "../../core/types/data_type.ts";

/** The two 32-bit words (low, high) of the int64 sentinels for `Infinity` and `-Infinity`. */
export const int64InfinityWords = {
  positive: { low: 0xffff_ffff, high: 0x7fff_ffff },
  negative: { low: 1, high: -0x8000_0000 },
} as const;

/** 2^32, to split a float64 integer into two 32-bit words. */
const twoTo32 = 4_294_967_296;
/** The smallest float64 at or above 2^63 - 1 (it is 2^63). */
const int64Bound = 2 ** 63;

/** The Arrow type a column of an OmenDB type is written as. */
export function arrowTypeOf(type: DataType): arrow.DataType {
  switch (type.kind) {
    case "bool":
      return new arrow.Bool();
    case "int2":
      return new arrow.Int16();
    case "int4":
      return new arrow.Int32();
    case "int8":
      return new arrow.Int64();
    case "float4":
      return new arrow.Float32();
    case "float8":
      return new arrow.Float64();
    case "date":
      return new arrow.DateDay();
    case "timestamp":
      return new arrow.TimestampMicrosecond();
    case "timestamptz":
      return new arrow.TimestampMicrosecond("UTC");
    case "time":
      return new arrow.TimeMicrosecond();
    case "numeric":
    case "text":
    case "varchar":
    case "interval":
    case "array":
      return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    case "unknown":
      throw new DbError(
        SqlState.featureNotSupported,
        "Cannot store a column of type unknown in a Parquet segment",
      );
    default:
      return unreachable(type, "data type");
  }
}

/** Float64 microseconds to int64, with `±Infinity` as the sentinels (see the module doc). */
export function microsToInt64(src: Float64Array): BigInt64Array {
  const out = new BigInt64Array(src.length);
  const low = new Uint32Array(out.buffer);
  const high = new Int32Array(out.buffer);
  const pos = int64InfinityWords.positive, neg = int64InfinityWords.negative;
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    const j = i << 1;
    if (v >= int64Bound) {
      low[j] = pos.low;
      high[j + 1] = pos.high;
    } else if (v <= -int64Bound) {
      low[j] = neg.low;
      high[j + 1] = neg.high;
    } else {
      const h = Math.floor(v / twoTo32);
      low[j] = v - h * twoTo32;
      high[j + 1] = h;
    }
  }
  return out;
}

/** Int64 (as its 32-bit words, little-endian) to float64 microseconds, sentinels to `±Infinity`. */
function int64ToMicros(words: Int32Array, first: number, length: number): Float64Array {
  const out = new Float64Array(length);
  const pos = int64InfinityWords.positive;
  for (let i = 0; i < length; i++) {
    const j = (first + i) << 1;
    const lo = words[j]! >>> 0;
    const hi = words[j + 1]!;
    if (hi === pos.high && lo === pos.low) out[i] = Infinity;
    else if (hi === -0x8000_0000 && lo <= 1) out[i] = -Infinity;
    else out[i] = hi * twoTo32 + lo;
  }
  return out;
}

/** Count of NULLs in a validity bitmap over `length` rows. */
export function nullCountOf(validity: Uint8Array | null, length: number): number {
  if (validity === null) return 0;
  let valid = 0;
  const full = length >>> 3;
  for (let b = 0; b < full; b++) {
    let x = validity[b]!;
    x = x - ((x >>> 1) & 0x55);
    x = (x & 0x33) + ((x >>> 2) & 0x33);
    valid += (x + (x >>> 4)) & 0x0f;
  }
  for (let i = full << 3; i < length; i++) if (validity[i >>> 3]! & (1 << (i & 7))) valid++;
  return length - valid;
}

/** Per-row 0/1 bytes to an LSB-first bitmap. */
function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(validityBytes(length));
  for (let i = 0; i < length; i++) if (bytes[i] !== 0) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

/** An LSB-first bitmap from bit `offset` on to per-row 0/1 bytes. */
function unpackBits(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const k = offset + i;
    out[i] = (bits[k >>> 3]! >>> (k & 7)) & 1;
  }
  return out;
}

/** Strings to Arrow UTF-8 data (offsets and bytes). */
function utf8Data(values: readonly string[]): arrow.Data<arrow.Utf8> {
  const encoder = new TextEncoder();
  const offsets = new Int32Array(values.length + 1);
  let bytes = new Uint8Array(64);
  let used = 0;
  for (let i = 0; i < values.length; i++) {
    const s = values[i]!;
    if (bytes.length - used < s.length * 3) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, used + s.length * 3));
      grown.set(bytes.subarray(0, used));
      bytes = grown;
    }
    used += encoder.encodeInto(s, bytes.subarray(used)).written;
    offsets[i + 1] = used;
  }
  return arrow.makeData({
    type: new arrow.Utf8(),
    length: values.length,
    valueOffsets: offsets,
    data: bytes.subarray(0, used),
  });
}

/** A string column dictionary-encoded: codes per row (NULL rows get 0) and distinct values. */
function dictionaryData(
  values: readonly string[],
  length: number,
  validity: Uint8Array | null,
  nullCount: number,
): arrow.Data {
  const codes = new Int32Array(length);
  const index = new Map<string, number>();
  const distinct: string[] = [];
  for (let i = 0; i < length; i++) {
    if (validity !== null && (validity[i >>> 3]! & (1 << (i & 7))) === 0) continue;
    const v = values[i]!;
    let code = index.get(v);
    if (code === undefined) {
      code = distinct.length;
      distinct.push(v);
      index.set(v, code);
    }
    codes[i] = code;
  }
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return arrow.makeData({
    type,
    length,
    data: codes,
    nullCount,
    nullBitmap: validity,
    dictionary: new arrow.Vector([utf8Data(distinct)]),
  });
}

/** One OmenDB column as Arrow data of {@link arrowTypeOf} its type; `nullCount` as counted. */
export function columnToArrowData(col: Column, nullCount: number): arrow.Data {
  const length = col.length;
  const nullBitmap = nullCount === 0 ? null : col.validity;
  const common = { length, nullCount, nullBitmap };
  switch (col.kind) {
    case "bool":
      return arrow.makeData({
        type: new arrow.Bool(),
        data: packBits(col.data, length),
        ...common,
      });
    case "int2":
      return arrow.makeData({ type: new arrow.Int16(), data: col.data, ...common });
    case "int4":
      return arrow.makeData({ type: new arrow.Int32(), data: col.data, ...common });
    case "int8":
      return arrow.makeData({ type: new arrow.Int64(), data: col.data, ...common });
    case "float4":
      return arrow.makeData({ type: new arrow.Float32(), data: col.data, ...common });
    case "float8":
      return arrow.makeData({ type: new arrow.Float64(), data: col.data, ...common });
    case "date":
      return arrow.makeData({ type: new arrow.DateDay(), data: col.data, ...common });
    case "timestamp":
    case "timestamptz":
      return arrow.makeData({
        type: arrowTypeOf(col.type) as arrow.TimestampMicrosecond,
        data: microsToInt64(col.data),
        ...common,
      });
    case "time":
      return arrow.makeData({
        type: new arrow.TimeMicrosecond(),
        data: microsToInt64(col.data),
        ...common,
      });
    case "numeric":
    case "text":
    case "varchar":
    case "interval":
    case "array":
      return dictionaryData(col.data, length, nullBitmap, nullCount);
    case "unknown":
      arrowTypeOf(col.type); // throws 0A000
      return unreachable(col.kind as never, "kind");
    default:
      return unreachable(col, "column");
  }
}

/** How an Arrow type is stored, coarsely: what a wanted OmenDB type must match on read. */
function storageOf(t: arrow.DataType): string {
  if (arrow.DataType.isDictionary(t)) return storageOf(t.dictionary);
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return "string";
  if (arrow.DataType.isBool(t)) return "bool";
  if (arrow.DataType.isInt(t)) return `int${t.bitWidth}`;
  if (arrow.DataType.isFloat(t)) return `float${t.precision === arrow.Precision.SINGLE ? 32 : 64}`;
  if (arrow.DataType.isDate(t)) return t.unit === arrow.DateUnit.DAY ? "date" : "date_ms";
  if (arrow.DataType.isTimestamp(t)) {
    return t.unit === arrow.TimeUnit.MICROSECOND ? "timestamp_us" : "timestamp_other";
  }
  if (arrow.DataType.isTime(t)) return t.unit === arrow.TimeUnit.MICROSECOND ? "time_us" : "time";
  return String(t);
}

/** What {@link storageOf} must say for each OmenDB kind. */
const storageByKind: Readonly<Record<Exclude<DataType["kind"], "unknown">, string>> = {
  bool: "bool",
  int2: "int16",
  int4: "int32",
  int8: "int64",
  float4: "float32",
  float8: "float64",
  date: "date",
  timestamp: "timestamp_us",
  timestamptz: "timestamp_us",
  time: "time_us",
  numeric: "string",
  text: "string",
  varchar: "string",
  interval: "string",
  array: "string",
};

/** The validity of `length` rows from `offset` of an Arrow chunk into `out` at `at`. */
function copyValidity(
  chunk: arrow.Data,
  out: Uint8Array,
  at: number,
): void {
  const bits = chunk.nullBitmap;
  if (chunk.nullCount === 0 || bits === undefined || bits.length === 0) return;
  for (let i = 0; i < chunk.length; i++) {
    const k = chunk.offset + i;
    if (((bits[k >>> 3]! >>> (k & 7)) & 1) === 0) setNull(out, at + i);
  }
}

/** UTF-8 values of an Arrow string chunk as JS strings. */
function decodeUtf8(chunk: arrow.Data, decoder: TextDecoder): string[] {
  const offsets = chunk.valueOffsets as Int32Array;
  const bytes = chunk.values as Uint8Array;
  const out = new Array<string>(chunk.length);
  for (let i = 0; i < chunk.length; i++) {
    const k = chunk.offset + i;
    out[i] = decoder.decode(bytes.subarray(offsets[k]!, offsets[k + 1]!));
  }
  return out;
}

/** Arrow string chunk (plain or dictionary) into `out` at `at`. */
function copyStrings(
  chunk: arrow.Data,
  out: string[],
  at: number,
  decoder: TextDecoder,
): void {
  if (arrow.DataType.isDictionary(chunk.type)) {
    const dictionary: string[] = [];
    for (const d of chunk.dictionary?.data ?? []) dictionary.push(...decodeUtf8(d, decoder));
    const codes = chunk.values as Int32Array;
    for (let i = 0; i < chunk.length; i++) {
      const s = dictionary[codes[chunk.offset + i]!];
      if (s !== undefined) out[at + i] = s;
    }
    return;
  }
  const values = decodeUtf8(chunk, decoder);
  for (let i = 0; i < values.length; i++) out[at + i] = values[i]!;
}

/** Copies a primitive chunk's values (any typed array) into `out` at `at`. */
function copyPrimitive<T extends { set(src: ArrayLike<never>, at: number): void }>(
  chunk: arrow.Data,
  out: T,
  at: number,
): void {
  const values = chunk.values as unknown as { subarray(a: number, b: number): ArrayLike<never> };
  out.set(values.subarray(chunk.offset, chunk.offset + chunk.length), at);
}

/**
 * Arrow chunks of one column (as read from a segment) as an OmenDB column of `type`. Throws a
 * 42804 DbError when the stored type does not match (e.g. a column whose type was changed).
 */
export function arrowToColumn(
  type: DataType,
  chunks: readonly arrow.Data[],
  length: number,
  what: string,
): Column {
  if (type.kind === "unknown") arrowTypeOf(type); // throws 0A000
  const want = storageByKind[type.kind as keyof typeof storageByKind];
  for (const c of chunks) {
    const got = storageOf(c.type);
    if (got !== want) {
      throw new DbError(
        SqlState.datatypeMismatch,
        `Cannot read ${what} as ${typeToSql(type)}: the segment stores it as ${c.type}`,
      );
    }
  }
  let nulls = 0;
  for (const c of chunks) nulls += c.nullCount;
  const validity = nulls === 0 ? null : allValid(length);
  let at = 0;
  const decoder = new TextDecoder();
  let data: Column["data"];
  switch (type.kind) {
    case "bool": {
      const out = new Uint8Array(length);
      for (const c of chunks) {
        out.set(unpackBits(c.values as Uint8Array, c.offset, c.length), at);
        at += c.length;
      }
      data = out;
      break;
    }
    case "int2":
    case "int4":
    case "int8":
    case "float4":
    case "float8":
    case "date": {
      const out = allocData(type.kind, length);
      for (const c of chunks) {
        copyPrimitive(c, out as Float64Array, at);
        at += c.length;
      }
      data = out;
      break;
    }
    case "timestamp":
    case "timestamptz":
    case "time": {
      const out = new Float64Array(length);
      for (const c of chunks) {
        const v = c.values as BigInt64Array;
        const words = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
        out.set(int64ToMicros(words, c.offset, c.length), at);
        at += c.length;
      }
      data = out;
      break;
    }
    case "numeric":
    case "text":
    case "varchar":
    case "interval":
    case "array": {
      const out = allocData(type.kind, length);
      for (const c of chunks) {
        copyStrings(c, out, at, decoder);
        at += c.length;
      }
      data = out;
      break;
    }
    case "unknown":
      return unreachable(type.kind as never, "kind");
    default:
      return unreachable(type, "data type");
  }
  if (validity !== null) {
    at = 0;
    for (const c of chunks) {
      copyValidity(c, validity, at);
      at += c.length;
    }
  }
  return makeColumn(type, length, data, validity);
}
