/**
 * A small Parquet writer for the column kinds a time-series segment is made of — integers,
 * floats, dates, times, timestamps and text — straight from OmenDB's typed arrays: one row group,
 * one dictionary page (when values repeat) and one data page per column, ZSTD through
 * `node:zlib`. It writes the same file parquet-wasm would (field ids, logical types, statistics,
 * OPTIONAL columns, key-value metadata), about three times faster and without copying the data
 * into Arrow and WebAssembly memory; `encodeSegment` falls back to parquet-wasm for other kinds.
 *
 * Format reference: the Apache Parquet `parquet.thrift` (FileMetaData, PageHeader) and its
 * encodings (PLAIN, RLE_DICTIONARY with the RLE/bit-packing hybrid), written with the Thrift
 * compact protocol.
 *
 * @example
 * ```ts
 * import { writeParquetFast } from "./parquet_writer.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const bytes = writeParquetFast(
 *   [{ id: 1, name: "v", type: Types.float8 }],
 *   [columnFromValues(Types.float8, [1.5, null, 1.5])],
 *   3,
 *   new Map([["k", "v"]]),
 * );
 * console.assert(bytes !== null && new TextDecoder().decode(bytes.subarray(0, 4)) === "PAR1");
 * ```
 *
 * @module
 */
import zlib from "node:zlib";
import { ByteWriter } from "../../core/io/byte_writer.ts";
import { type Column, isValid } from "../../core/types/column.ts";
import type { CodedColumn } from "./segment_sort.ts";
import { microsToInt64 } from "./_arrow_columns.ts";
import type { TypeKind } from "../../core/types/data_type.ts";

/** What a column is written as. */
interface ColumnSpec {
  readonly id: number;
  readonly name: string;
  readonly type: { readonly kind: TypeKind };
}

/** Most distinct values a dictionary may hold before a column is written PLAIN. */
export const dictionaryEntriesMax = 1 << 16;
/** ZSTD level of pages (1: fastest; the data is already dictionary- or series-ordered). */
export const pageZstdLevel = 1;

const enum PhysicalType {
  BOOLEAN = 0,
  INT32 = 1,
  INT64 = 2,
  FLOAT = 4,
  DOUBLE = 5,
  BYTE_ARRAY = 6,
}

const enum Encoding {
  PLAIN = 0,
  RLE = 3,
  RLE_DICTIONARY = 8,
}

const ZSTD = 6;
const supported: ReadonlySet<TypeKind> = new Set<TypeKind>([
  "int2",
  "int4",
  "int8",
  "float4",
  "float8",
  "date",
  "timestamp",
  "timestamptz",
  "time",
  "text",
  "varchar",
]);

/** Thrift compact protocol: the few shapes the Parquet footer and page headers need. */
class Thrift {
  readonly out = new ByteWriter();
  #last: number[] = [0];
  #field(id: number, type: number): void {
    const delta = id - this.#last[this.#last.length - 1]!;
    if (delta > 0 && delta <= 15) this.out.u8((delta << 4) | type);
    else {
      this.out.u8(type);
      this.out.varint(id >= 0 ? id * 2 : -id * 2 - 1);
    }
    this.#last[this.#last.length - 1] = id;
  }
  i32(id: number, v: number): void {
    this.#field(id, 5);
    this.out.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  i64(id: number, v: number | bigint): void {
    this.#field(id, 6);
    const b = BigInt(v);
    this.out.varbig(b >= 0n ? b << 1n : ((-b) << 1n) - 1n);
  }
  i8(id: number, v: number): void {
    this.#field(id, 3);
    this.out.u8(v & 0xff);
  }
  bool(id: number, v: boolean): void {
    this.#field(id, v ? 1 : 2);
  }
  binary(id: number, v: Uint8Array | string): void {
    this.#field(id, 8);
    const b = typeof v === "string" ? new TextEncoder().encode(v) : v;
    this.out.varint(b.length);
    this.out.bytes(b);
  }
  begin(id: number): void {
    this.#field(id, 12);
    this.#last.push(0);
  }
  end(): void {
    this.out.u8(0);
    this.#last.pop();
  }
  /** A list of structs: `each` writes one element's fields. */
  structs<T>(id: number, items: readonly T[], each: (item: T) => void): void {
    this.#field(id, 9);
    this.#listHeader(items.length, 12);
    for (const item of items) {
      this.#last.push(0);
      each(item);
      this.out.u8(0);
      this.#last.pop();
    }
  }
  i32s(id: number, items: readonly number[]): void {
    this.#field(id, 9);
    this.#listHeader(items.length, 5);
    for (const v of items) this.out.varint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  strings(id: number, items: readonly string[]): void {
    this.#field(id, 9);
    this.#listHeader(items.length, 8);
    for (const s of items) {
      const b = new TextEncoder().encode(s);
      this.out.varint(b.length);
      this.out.bytes(b);
    }
  }
  #listHeader(size: number, elem: number): void {
    if (size < 15) this.out.u8((size << 4) | elem);
    else {
      this.out.u8(0xf0 | elem);
      this.out.varint(size);
    }
  }
}

/** Appends the RLE/bit-packing hybrid of `values` (each < 2^width) as bit-packed runs. */
function bitPacked(out: ByteWriter, values: Uint32Array, count: number, width: number): void {
  const groups = Math.ceil(count / 8);
  out.varint(groups * 2 + 1);
  out.ensure(groups * width);
  const buf = out.buf;
  let o = out.len;
  // width <= 24 and fewer than 8 bits wait in acc, so acc stays within 32 bits
  let acc = 0, bits = 0;
  const n = groups * 8;
  for (let i = 0; i < n; i++) {
    acc |= (i < count ? values[i]! : 0) << bits;
    bits += width;
    while (bits >= 8) {
      buf[o++] = acc & 0xff;
      acc >>>= 8;
      bits -= 8;
    }
  }
  out.len = o;
}

/** Appends one RLE run of `count` copies of `value` (bit width `width`). */
function rleRun(out: ByteWriter, value: number, count: number, width: number): void {
  out.varint(count * 2);
  for (let b = 0; b < Math.ceil(width / 8); b++) out.u8((value >>> (8 * b)) & 0xff);
}

function bitWidth(maxValue: number): number {
  let w = 0;
  while (2 ** w <= maxValue) w++;
  return w;
}

interface Encoded {
  readonly physical: PhysicalType;
  /** PLAIN bytes of the dictionary, or `null`. */
  readonly dictionary: Uint8Array | null;
  readonly dictionaryCount: number;
  /** The value bytes of the data page (after the definition levels). */
  readonly values: Uint8Array;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
}

/**
 * Dictionary-encodes the non-NULL values given as 32-bit words (1 or 2 per value) with an
 * open-addressing table that starts small and doubles (a cache-sized table for the usual few
 * thousand distinct readings); `null` when there are too many distinct values.
 */
function dictionaryOf(
  words: Uint32Array,
  wordsPerValue: 1 | 2,
  rows: Uint32Array,
  count: number,
): { ids: Uint32Array; entries: Uint32Array; size: number } | null {
  const limit = Math.min(dictionaryEntriesMax, Math.max(16, count >>> 1));
  let cap = 1024;
  let table = new Int32Array(cap).fill(-1);
  let entries = new Uint32Array(512 * wordsPerValue);
  const ids = new Uint32Array(count);
  let size = 0;
  const hash = (a: number, b: number) =>
    (Math.imul(a ^ (b >>> 7), 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 12;
  for (let k = 0; k < count; k++) {
    const r = rows[k]!;
    const a = words[r * wordsPerValue]!;
    const b = wordsPerValue === 2 ? words[r * 2 + 1]! : 0;
    let h = hash(a, b) & (cap - 1);
    for (;;) {
      const e = table[h]!;
      if (e < 0) {
        if (size >= limit) return null;
        if (size * wordsPerValue >= entries.length) {
          const next = new Uint32Array(entries.length * 2);
          next.set(entries);
          entries = next;
        }
        entries[size * wordsPerValue] = a;
        if (wordsPerValue === 2) entries[size * 2 + 1] = b;
        table[h] = size;
        ids[k] = size++;
        if (size * 2 > cap) {
          // grow and re-insert every entry
          cap *= 2;
          table = new Int32Array(cap).fill(-1);
          for (let j = 0; j < size; j++) {
            const x = entries[j * wordsPerValue]!;
            const y = wordsPerValue === 2 ? entries[j * 2 + 1]! : 0;
            let g = hash(x, y) & (cap - 1);
            while (table[g]! >= 0) g = (g + 1) & (cap - 1);
            table[g] = j;
          }
        }
        break;
      }
      if (entries[e * wordsPerValue] === a && (wordsPerValue === 1 || entries[e * 2 + 1] === b)) {
        ids[k] = e;
        break;
      }
      h = (h + 1) & (cap - 1);
    }
  }
  return { ids, entries: entries.subarray(0, size * wordsPerValue), size };
}

function encodeFixed(col: Column, rows: Uint32Array, count: number): Encoded {
  const kind = col.kind;
  let physical: PhysicalType;
  let words: Uint32Array;
  let wordsPerValue: 1 | 2;
  let lo = Infinity, hi = -Infinity;
  let loBig = 0n, hiBig = 0n;
  const big = kind === "int8" || kind === "timestamp" || kind === "timestamptz" || kind === "time";
  if (big) {
    physical = PhysicalType.INT64;
    wordsPerValue = 2;
    // microseconds become int64 words (±Infinity as the sentinels parquet-wasm's path writes)
    const arr = kind === "int8"
      ? (col.data as BigInt64Array).slice(0, col.length)
      : microsToInt64((col.data as Float64Array).subarray(0, col.length));
    if (kind === "int8" && count > 0) {
      // compare (signed high word, unsigned low word) pairs; one BigInt for each extreme
      const w = new Int32Array(arr.buffer);
      let lo = rows[0]!, hi = lo;
      for (let k = 1; k < count; k++) {
        const r = rows[k]!;
        const h = w[r * 2 + 1]!, l = w[r * 2]! >>> 0;
        const hl = w[lo * 2 + 1]!, ll = w[lo * 2]! >>> 0;
        if (h < hl || (h === hl && l < ll)) lo = r;
        const hh = w[hi * 2 + 1]!, lh = w[hi * 2]! >>> 0;
        if (h > hh || (h === hh && l > lh)) hi = r;
      }
      loBig = arr[lo]!;
      hiBig = arr[hi]!;
    } else if (count > 0) {
      // the int64 order is the microseconds' order: find the extremes as numbers
      const src = col.data as Float64Array;
      let a = Infinity, b = -Infinity;
      for (let k = 0; k < count; k++) {
        const v = src[rows[k]!]!;
        if (v < a) a = v;
        if (v > b) b = v;
      }
      const extremes = microsToInt64(Float64Array.of(a, b));
      loBig = extremes[0]!;
      hiBig = extremes[1]!;
    }
    words = new Uint32Array(arr.buffer);
  } else if (kind === "float8") {
    physical = PhysicalType.DOUBLE;
    wordsPerValue = 2;
    const src = col.data as Float64Array;
    for (let k = 0; k < count; k++) {
      const v = src[rows[k]!]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const copy = new Float64Array(src.subarray(0, col.length));
    words = new Uint32Array(copy.buffer);
  } else if (kind === "float4") {
    physical = PhysicalType.FLOAT;
    wordsPerValue = 1;
    const src = col.data as Float32Array;
    for (let k = 0; k < count; k++) {
      const v = src[rows[k]!]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    words = new Uint32Array(new Float32Array(src.subarray(0, col.length)).buffer);
  } else {
    physical = PhysicalType.INT32;
    wordsPerValue = 1;
    const src = col.data as Int16Array | Int32Array;
    const arr = Int32Array.from(src.subarray(0, col.length));
    for (let k = 0; k < count; k++) {
      const v = arr[rows[k]!]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    words = new Uint32Array(arr.buffer);
  }
  const statBytes = (v: number | bigint): Uint8Array => {
    const b = new Uint8Array(
      physical === PhysicalType.INT32 || physical === PhysicalType.FLOAT ? 4 : 8,
    );
    const dv = new DataView(b.buffer);
    if (physical === PhysicalType.INT64) dv.setBigInt64(0, v as bigint, true);
    else if (physical === PhysicalType.DOUBLE) dv.setFloat64(0, v as number, true);
    else if (physical === PhysicalType.FLOAT) dv.setFloat32(0, v as number, true);
    else dv.setInt32(0, v as number, true);
    return b;
  };
  let min: Uint8Array | null = null, max: Uint8Array | null = null;
  if (count > 0) {
    if (big) {
      min = statBytes(loBig);
      max = statBytes(hiBig);
    } else if (lo <= hi) {
      min = statBytes(lo);
      max = statBytes(hi);
    }
  }
  const valueBytes = wordsPerValue * 4;
  const dict = count === 0 ? null : dictionaryOf(words, wordsPerValue, rows, count);
  if (dict !== null) {
    const out = new ByteWriter(16 + Math.ceil(count * 20 / 8));
    const width = Math.max(1, bitWidth(dict.size - 1));
    out.u8(width);
    bitPacked(out, dict.ids, count, width);
    return {
      physical,
      dictionary: new Uint8Array(
        dict.entries.buffer,
        dict.entries.byteOffset,
        dict.size * valueBytes,
      )
        .slice(),
      dictionaryCount: dict.size,
      values: out.view(),
      min,
      max,
    };
  }
  const values = new Uint8Array(count * valueBytes);
  const src = new Uint8Array(words.buffer, words.byteOffset, col.length * valueBytes);
  if (count === col.length) values.set(src);
  else {
    for (let k = 0; k < count; k++) {
      const r = rows[k]!;
      values.set(src.subarray(r * valueBytes, (r + 1) * valueBytes), k * valueBytes);
    }
  }
  return { physical, dictionary: null, dictionaryCount: 0, values, min, max };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function encodeText(col: Column, rows: Uint32Array, count: number): Encoded {
  const src = col.data as string[];
  const ids = new Map<string, number>();
  let entries: string[] = [];
  let idx = new Uint32Array(count);
  const limit = Math.min(dictionaryEntriesMax, Math.max(16, count >>> 1));
  let useDict = count > 0;
  const coded = (col as CodedColumn).dictCodes;
  if (coded !== undefined && coded.dict.length <= limit && count > 0) {
    // the codes are the dictionary indices already (unused entries only widen the statistics)
    entries = [...coded.dict];
    idx = new Uint32Array(count);
    for (let k = 0; k < count; k++) idx[k] = coded.codes[rows[k]!]!;
  }
  const lookups = coded !== undefined && entries.length > 0 ? 0 : count;
  for (let k = 0; k < lookups && useDict; k++) {
    const v = src[rows[k]!]!;
    let id = ids.get(v);
    if (id === undefined) {
      if (entries.length >= limit) useDict = false;
      id = entries.length;
      ids.set(v, id);
      entries.push(v);
    }
    idx[k] = id;
  }
  const enc = new TextEncoder();
  const plain = (values: readonly string[]) => {
    const out = new ByteWriter(values.length * 16 + 16);
    let min: Uint8Array | null = null, max: Uint8Array | null = null;
    for (const v of values) {
      const b = enc.encode(v);
      out.ensure(4 + b.length);
      new DataView(out.buf.buffer).setUint32(out.len, b.length, true);
      out.len += 4;
      out.bytes(b);
      if (min === null || compareBytes(b, min) < 0) min = b;
      if (max === null || compareBytes(b, max) > 0) max = b;
    }
    return { bytes: out.view(), min, max };
  };
  if (useDict) {
    const d = plain(entries);
    const out = new ByteWriter(16 + Math.ceil(count * 17 / 8));
    const width = Math.max(1, bitWidth(entries.length - 1));
    out.u8(width);
    bitPacked(out, idx, count, width);
    return {
      physical: PhysicalType.BYTE_ARRAY,
      dictionary: d.bytes,
      dictionaryCount: entries.length,
      values: out.view(),
      min: d.min,
      max: d.max,
    };
  }
  const values: string[] = new Array(count);
  for (let k = 0; k < count; k++) values[k] = src[rows[k]!]!;
  const p = plain(values);
  return {
    physical: PhysicalType.BYTE_ARRAY,
    dictionary: null,
    dictionaryCount: 0,
    values: p.bytes,
    min: p.min,
    max: p.max,
  };
}

function zstd(b: Uint8Array): Uint8Array {
  return new Uint8Array(
    zlib.zstdCompressSync(b, {
      params: { [zlib.constants.ZSTD_c_compressionLevel]: pageZstdLevel },
    }),
  );
}

function pageHeader(
  type: 0 | 2,
  uncompressed: number,
  compressed: number,
  values: number,
  encoding: Encoding,
): Uint8Array {
  const t = new Thrift();
  t.i32(1, type);
  t.i32(2, uncompressed);
  t.i32(3, compressed);
  if (type === 0) {
    t.begin(5);
    t.i32(1, values);
    t.i32(2, encoding);
    t.i32(3, Encoding.RLE);
    t.i32(4, Encoding.RLE);
    t.end();
  } else {
    t.begin(7);
    t.i32(1, values);
    t.i32(2, Encoding.PLAIN);
    t.end();
  }
  t.out.u8(0);
  return t.out.view().slice();
}

/** The logical type of a kind, written into its schema element (field 10). */
function logicalType(t: Thrift, kind: TypeKind): void {
  const unitMicros = () => {
    t.begin(2);
    t.begin(2); // MICROS
    t.end();
    t.end();
  };
  switch (kind) {
    case "text":
    case "varchar":
      t.begin(10);
      t.begin(1);
      t.end();
      t.end();
      return;
    case "date":
      t.begin(10);
      t.begin(6);
      t.end();
      t.end();
      return;
    case "int2":
      t.begin(10);
      t.begin(10);
      t.i8(1, 16);
      t.bool(2, true);
      t.end();
      t.end();
      return;
    case "timestamp":
    case "timestamptz":
      t.begin(10);
      t.begin(8);
      t.bool(1, kind === "timestamptz");
      unitMicros();
      t.end();
      t.end();
      return;
    case "time":
      t.begin(10);
      t.begin(7);
      t.bool(1, false);
      unitMicros();
      t.end();
      t.end();
      return;
    default:
      return;
  }
}

/** The legacy converted type of a kind, or -1 (readers that predate logical types use it). */
function convertedType(kind: TypeKind): number {
  switch (kind) {
    case "text":
    case "varchar":
      return 0; // UTF8
    case "date":
      return 6;
    case "int2":
      return 16; // INT_16
    case "timestamp":
    case "timestamptz":
      return 10; // TIMESTAMP_MICROS
    case "time":
      return 8; // TIME_MICROS
    default:
      return -1;
  }
}

/**
 * Writes one Parquet file (one row group) of the columns, or `null` when a column's kind is not
 * one this writer handles (the caller then uses parquet-wasm).
 */
export function writeParquetFast(
  specs: readonly ColumnSpec[],
  columns: readonly Column[],
  length: number,
  keyValue: ReadonlyMap<string, string>,
): Uint8Array | null {
  if (!specs.every((s) => supported.has(s.type.kind))) return null;
  const out = new ByteWriter(1 << 16);
  out.bytes(new TextEncoder().encode("PAR1"));
  const chunks: {
    offset: number;
    dictOffset: number | null;
    physical: PhysicalType;
    encodings: number[];
    total: number;
    uncompressed: number;
    nulls: number;
    min: Uint8Array | null;
    max: Uint8Array | null;
  }[] = [];
  for (let c = 0; c < specs.length; c++) {
    const col = columns[c]!;
    // rows with a value, and the definition levels (1 = value, 0 = NULL)
    const rows = new Uint32Array(length);
    let levels: Uint32Array | null = null;
    let count = 0;
    if (col.validity === null) {
      for (let i = 0; i < length; i++) rows[i] = i;
      count = length;
    } else {
      levels = new Uint32Array(length);
      for (let i = 0; i < length; i++) {
        if (isValid(col.validity, i)) {
          rows[count++] = i;
          levels[i] = 1;
        }
      }
    }
    const isText = col.kind === "text" || col.kind === "varchar";
    const enc = isText ? encodeText(col, rows, count) : encodeFixed(col, rows, count);
    const start = out.len;
    let uncompressedTotal = 0;
    let dictOffset: number | null = null;
    if (enc.dictionary !== null) {
      dictOffset = out.len;
      const body = zstd(enc.dictionary);
      const header = pageHeader(2, enc.dictionary.length, body.length, enc.dictionaryCount, 0);
      out.bytes(header);
      out.bytes(body);
      uncompressedTotal += header.length + enc.dictionary.length;
    }
    const page = new ByteWriter(enc.values.length + 16 + length / 8);
    const lv = new ByteWriter(16 + length / 8);
    if (levels === null) rleRun(lv, 1, length, 1);
    else bitPacked(lv, levels, length, 1);
    const lvBytes = lv.view();
    page.ensure(4);
    new DataView(page.buf.buffer).setUint32(0, lvBytes.length, true);
    page.len = 4;
    page.bytes(lvBytes);
    page.bytes(enc.values);
    const raw = page.view();
    const body = zstd(raw);
    const dataOffset = out.len;
    const header = pageHeader(
      0,
      raw.length,
      body.length,
      length,
      enc.dictionary !== null ? Encoding.RLE_DICTIONARY : Encoding.PLAIN,
    );
    out.bytes(header);
    out.bytes(body);
    uncompressedTotal += header.length + raw.length;
    chunks.push({
      offset: dataOffset,
      dictOffset,
      physical: enc.physical,
      encodings: enc.dictionary !== null
        ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY]
        : [Encoding.PLAIN, Encoding.RLE],
      total: out.len - start,
      uncompressed: uncompressedTotal,
      nulls: length - count,
      min: enc.min,
      max: enc.max,
    });
  }
  const t = new Thrift();
  t.i32(1, 1);
  t.structs(2, [null, ...specs], (s) => {
    if (s === null) {
      t.binary(4, "schema");
      t.i32(5, specs.length);
      return;
    }
    const k = specs.indexOf(s);
    t.i32(1, chunks[k]!.physical);
    t.i32(3, 1); // OPTIONAL
    t.binary(4, s.name);
    const conv = convertedType(s.type.kind);
    if (conv >= 0) t.i32(6, conv);
    t.i32(9, s.id);
    logicalType(t, s.type.kind);
  });
  t.i64(3, length);
  let totalBytes = 0;
  for (const c of chunks) totalBytes += c.uncompressed;
  t.structs(4, [0], () => {
    t.structs(1, chunks, (c) => {
      const k = chunks.indexOf(c);
      t.i64(2, c.offset);
      t.begin(3);
      t.i32(1, c.physical);
      t.i32s(2, c.encodings);
      t.strings(3, [specs[k]!.name]);
      t.i32(4, ZSTD);
      t.i64(5, length);
      t.i64(6, c.uncompressed);
      t.i64(7, c.total);
      t.i64(9, c.offset);
      if (c.dictOffset !== null) t.i64(11, c.dictOffset);
      t.begin(12);
      t.i64(3, c.nulls);
      if (c.max !== null) t.binary(5, c.max);
      if (c.min !== null) t.binary(6, c.min);
      t.end();
      t.end();
    });
    t.i64(2, totalBytes);
    t.i64(3, length);
  });
  t.structs(5, [...keyValue], ([k, v]) => {
    t.binary(1, k);
    t.binary(2, v);
  });
  t.binary(6, "OmenDB parquet_writer");
  t.out.u8(0);
  const footer = t.out.view();
  out.bytes(footer);
  out.ensure(8);
  new DataView(out.buf.buffer).setUint32(out.len, footer.length, true);
  out.len += 4;
  out.bytes(new TextEncoder().encode("PAR1"));
  return out.view().slice();
}
