/**
 * The peer of the Parquet codec benchmark: hyparquet-writer and hyparquet (pure JavaScript)
 * doing what `encodeSegment` / `decodeSegment` do for the TSBS column kinds (timestamptz, text,
 * float8): ZSTD through `node:zlib`, field ids, statistics, dictionary encoding forced on the
 * floats (its automatic choice leaves them PLAIN), and decoding into OmenDB's typed arrays.
 *
 * @module
 */
import zlib from "node:zlib";
import { parquetRead } from "hyparquet";
import { type ColumnSource, parquetWriteBuffer } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet";
import { allValid, type Column, makeColumn, setNull } from "../core/types/column.ts";
import type { SegmentColumnSpec } from "../plugins/storage_parquet/mod.ts";
import { microsToInt64 } from "../plugins/storage_parquet/_arrow_columns.ts";

const compressors = { ZSTD: (b: Uint8Array) => new Uint8Array(zlib.zstdCompressSync(b)) };
const decompressors = {
  ZSTD: (b: Uint8Array, _size: number) => new Uint8Array(zlib.zstdDecompressSync(b)),
};

/** Encodes TSBS-kind columns with hyparquet-writer. */
export function hyparquetEncode(
  specs: readonly SegmentColumnSpec[],
  columns: readonly Column[],
  rows: number,
): Uint8Array {
  const schema: SchemaElement[] = [{ name: "root", num_children: specs.length }];
  const columnData: ColumnSource[] = specs.map((s, k) => {
    const col = columns[k]!;
    if (col.kind === "timestamptz") {
      schema.push({
        name: s.name,
        type: "INT64",
        repetition_type: "OPTIONAL",
        field_id: s.id,
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
      });
      return { name: s.name, data: microsToInt64(col.data) };
    }
    if (col.kind === "float8") {
      schema.push({ name: s.name, type: "DOUBLE", repetition_type: "OPTIONAL", field_id: s.id });
      return { name: s.name, data: col.data, encoding: "RLE_DICTIONARY" };
    }
    if (col.kind !== "text") throw new Error(`bench peer: ${col.kind} not handled`);
    schema.push({
      name: s.name,
      type: "BYTE_ARRAY",
      repetition_type: "OPTIONAL",
      field_id: s.id,
      converted_type: "UTF8",
      logical_type: { type: "STRING" },
    });
    return { name: s.name, data: col.data };
  });
  return new Uint8Array(parquetWriteBuffer({
    columnData,
    schema,
    codec: "ZSTD",
    compressors,
    rowGroupSize: Math.max(rows, 1),
    kvMetadata: [{ key: "omendb.format_version", value: "1" }],
  }));
}

/** Decodes the named TSBS-kind columns with hyparquet into OmenDB columns. */
export async function hyparquetDecode(
  bytes: Uint8Array,
  wanted: readonly SegmentColumnSpec[],
): Promise<Column[]> {
  const chunks = new Map<string, unknown[][]>();
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  await parquetRead({
    file: file as ArrayBuffer,
    columns: wanted.map((w) => w.name),
    compressors: decompressors,
    parsers: { timestampFromMicroseconds: (v: bigint) => Number(v) },
    onChunk: (c) => {
      const list = chunks.get(c.columnName) ?? [];
      list.push(Array.from(c.columnData as ArrayLike<unknown>));
      chunks.set(c.columnName, list);
    },
  });
  return wanted.map((w) => {
    const values = (chunks.get(w.name) ?? []).flat();
    const n = values.length;
    let validity: Uint8Array | null = null;
    const nullAt = (i: number) => {
      validity ??= allValid(n);
      setNull(validity, i);
    };
    if (w.type.kind === "text") {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === null || v === undefined) {
          out[i] = "";
          nullAt(i);
        } else out[i] = v as string;
      }
      return makeColumn(w.type, n, out, validity);
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === null || v === undefined) nullAt(i);
      else out[i] = v as number;
    }
    return makeColumn(w.type, n, out, validity);
  });
}
