/**
 * A compact binary encoding of a column batch, for WAL row records: fixed-width columns are their
 * typed arrays' bytes, text columns are UTF-8 with offsets, or a dictionary when values repeat
 * (tags such as `region` in a 5,000-row batch). Decoding copies into fresh typed arrays, so the
 * result never aliases the log's buffer.
 *
 * Layout, little-endian: `u32 rows, u16 columns`, then per column `u8 kind code, u8 flags`
 * (bit 0: validity follows, bit 1: dictionary), the validity bitmap if any, then the data:
 * fixed-width bytes padded to 8; or for text `u32 byte length, u32 offsets[n+1], bytes`; or for a
 * dictionary `u32 entries, u32 byte length, u32 offsets[entries+1], bytes, u8 index width, indexes`.
 *
 * @example
 * ```ts
 * import { decodeBatch, encodeBatch } from "./batch_codec.ts";
 * import { columnFromValues, valueAt } from "../types/column.ts";
 * import { Types } from "../types/mod.ts";
 * const batch = {
 *   columns: [columnFromValues(Types.float8, [1.5, null]), columnFromValues(Types.text, ["a", "b"])],
 *   length: 2,
 * };
 * const back = decodeBatch(encodeBatch(batch), [Types.float8, Types.text]);
 * console.assert(valueAt(back.columns[0]!, 1) === null && valueAt(back.columns[1]!, 1) === "b");
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Batch } from "../types/batch.ts";
import {
  allocData,
  type Column,
  makeColumn,
  textDictionary,
  validityBytes,
  withDictCodes,
} from "../types/column.ts";
import type { DataType, TypeKind } from "../types/data_type.ts";
import { ByteWriter } from "../io/byte_writer.ts";

const kindCodes: Record<TypeKind, number> = {
  unknown: 0,
  bool: 1,
  int2: 2,
  int4: 3,
  int8: 4,
  float4: 5,
  float8: 6,
  numeric: 7,
  text: 8,
  varchar: 9,
  date: 10,
  timestamp: 11,
  timestamptz: 12,
  time: 13,
  interval: 14,
  array: 15,
};

/** A text column becomes a dictionary when it has at most this share of distinct values. */
const dictionaryDistinctShareMax = 0.5;

const enc = new TextEncoder();
const dec = new TextDecoder();

function isTextKind(kind: TypeKind): boolean {
  return kind === "numeric" || kind === "text" || kind === "varchar" || kind === "interval" ||
    kind === "array";
}

/** Writes strings as `u32 byte length, u32 offsets[n+1], bytes`. */
function writeStrings(w: ByteWriter, values: readonly string[], count: number): void {
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += values[i]!.length * 3;
  const data = new Uint8Array(bytes);
  const offsets = new Uint32Array(count + 1);
  let off = 0;
  for (let i = 0; i < count; i++) {
    off += enc.encodeInto(values[i]!, data.subarray(off)).written;
    offsets[i + 1] = off;
  }
  w.u32(off);
  w.bytes(new Uint8Array(offsets.buffer));
  w.bytes(data.subarray(0, off));
}

function encodeText(w: ByteWriter, col: Column, flagsAt: number, length: number): void {
  const distinctMax = Math.floor(length * dictionaryDistinctShareMax);
  // (a column's own codes, line-protocol tags, spare the lookups)
  const d = length >= 8 ? textDictionary(col, length, distinctMax) : null;
  if (d === null) {
    const values = col.data as string[];
    const clean = new Array<string>(length);
    for (let i = 0; i < length; i++) clean[i] = values[i] ?? "";
    writeStrings(w, clean, length);
    return;
  }
  const { dict, codes: idx } = d;
  w.buf[flagsAt] = w.buf[flagsAt]! | 2;
  w.u32(dict.length);
  writeStrings(w, dict, dict.length);
  const width = dict.length <= 0x100 ? 1 : dict.length <= 0x10000 ? 2 : 4;
  w.u8(width);
  if (width === 1) w.bytes(Uint8Array.from(idx));
  else if (width === 2) w.bytes(new Uint8Array(Uint16Array.from(idx).buffer));
  else w.bytes(new Uint8Array(idx.buffer, idx.byteOffset, length * 4));
}

/** Encodes a batch (all columns, `batch.length` rows). */
export function encodeBatch(batch: Batch): Uint8Array {
  const w = new ByteWriter();
  const n = batch.length;
  w.u32(n);
  w.u16(batch.columns.length);
  for (const col of batch.columns) {
    w.u8(kindCodes[col.kind]);
    const flagsAt = w.len;
    w.u8(col.validity !== null ? 1 : 0);
    if (col.validity !== null) w.bytes(col.validity.subarray(0, validityBytes(n)));
    if (col.kind === "unknown") continue;
    if (isTextKind(col.kind)) {
      encodeText(w, col, flagsAt, n);
      continue;
    }
    const data = col.data as Exclude<Column["data"], string[] | null>;
    w.pad(8);
    w.bytes(new Uint8Array(data.buffer, data.byteOffset, n * data.BYTES_PER_ELEMENT));
    w.pad(8);
  }
  return w.buf.slice(0, w.len);
}

function corrupt(what: string): DbError {
  return new DbError(SqlState.dataCorrupted, `cannot decode a WAL row batch: ${what}`);
}

/** Decodes a batch whose columns have the given types (the table's, at the record's LSN). */
export function decodeBatch(bytes: Uint8Array, types: readonly DataType[]): Batch {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  const need = (k: number) => {
    if (off + k > bytes.length) throw corrupt("truncated record");
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(off, true);
    off += 4;
    return v;
  };
  const readStrings = (count: number): string[] => {
    const byteLen = u32();
    need(4 * (count + 1) + byteLen);
    const offsets = new Uint32Array(bytes.slice(off, off + 4 * (count + 1)).buffer);
    off += 4 * (count + 1);
    const data = bytes.subarray(off, off + byteLen);
    off += byteLen;
    const out = new Array<string>(count);
    for (let i = 0; i < count; i++) {
      const a = offsets[i]!, b = offsets[i + 1]!;
      if (a > b || b > byteLen) throw corrupt("bad string offsets");
      out[i] = dec.decode(data.subarray(a, b));
    }
    return out;
  };
  need(6);
  const n = view.getUint32(0, true);
  const ncols = view.getUint16(4, true);
  off = 6;
  if (ncols !== types.length) {
    throw corrupt(`${ncols} columns where the table has ${types.length}`);
  }
  const columns: Column[] = [];
  for (const type of types) {
    need(2);
    const code = bytes[off]!, flags = bytes[off + 1]!;
    off += 2;
    if (code !== kindCodes[type.kind]) throw corrupt(`column kind ${code} is not ${type.kind}`);
    let validity: Uint8Array | null = null;
    if ((flags & 1) !== 0) {
      need(validityBytes(n));
      validity = bytes.slice(off, off + validityBytes(n));
      off += validityBytes(n);
    }
    if (type.kind === "unknown") {
      columns.push(makeColumn(type, n, null, validity));
      continue;
    }
    if (isTextKind(type.kind)) {
      let values: string[];
      if ((flags & 2) !== 0) {
        const entries = u32();
        const dict = readStrings(entries);
        need(1);
        const width = bytes[off++]!;
        if (width !== 1 && width !== 2 && width !== 4) throw corrupt("bad index width");
        need(width * n);
        const raw = bytes.slice(off, off + width * n);
        off += width * n;
        const idx = width === 1
          ? raw
          : width === 2
          ? new Uint16Array(raw.buffer)
          : new Uint32Array(raw.buffer);
        values = new Array<string>(n);
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const v = dict[idx[i]!];
          if (v === undefined) throw corrupt("dictionary index out of range");
          values[i] = v;
          codes[i] = idx[i]!;
        }
        // recovery hands the codes on, as the line-protocol parser does
        columns.push(withDictCodes(makeColumn(type, n, values, validity), dict, codes));
        continue;
      } else values = readStrings(n);
      columns.push(makeColumn(type, n, values, validity));
      continue;
    }
    off += (8 - (off % 8)) % 8;
    const data = allocData(type.kind, n) as Exclude<Column["data"], string[] | null>;
    const size = n * data.BYTES_PER_ELEMENT;
    need(size);
    new Uint8Array(data.buffer, data.byteOffset, size).set(bytes.subarray(off, off + size));
    off += size;
    off += (8 - (off % 8)) % 8;
    columns.push(makeColumn(type, n, data, validity));
  }
  return { columns, length: n };
}
