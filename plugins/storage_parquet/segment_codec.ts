/**
 * Segment codec: OmenDB column batches as Parquet files in memory buffers, the unit the storage
 * engine writes to disk. Encoding and decoding use parquet-wasm (arrow-rs compiled to
 * WebAssembly); the footer is read with hyparquet's pure-JS metadata parser. docs/storage.md
 * ("Parquet library") says why, with measurements.
 *
 * A segment is a normal Parquet file (DuckDB reads it with `read_parquet`):
 * - every column is OPTIONAL and carries `field_id` = the column's id, so columns are matched by
 *   id, never by name (a renamed column keeps its id);
 * - ZSTD compression, dictionary encoding (floats included), column-chunk statistics;
 * - key-value metadata `omendb.format_version` = "1" plus the caller's keys; a file with
 *   another version is rejected with `XX001`;
 * - a 16-byte checksum trailer between the data and the footer (see `_segment_layout.ts`), so a
 *   torn or flipped file is a DbError `XX001` and never reaches the decoder.
 *
 * Type mapping (Parquet physical type, logical type):
 *
 * | OmenDB                        | Parquet                                   | DuckDB reads     |
 * | ----------------------------- | ----------------------------------------- | ---------------- |
 * | bool                          | BOOLEAN                                   | BOOLEAN          |
 * | int2 / int4 / int8            | INT32 INT(16) / INT32 / INT64             | SMALLINT ...     |
 * | float4 / float8               | FLOAT / DOUBLE                            | FLOAT / DOUBLE   |
 * | date                          | INT32 DATE                                | DATE             |
 * | timestamp                     | INT64 TIMESTAMP(MICROS, UTC=false)        | TIMESTAMP        |
 * | timestamptz                   | INT64 TIMESTAMP(MICROS, UTC=true)         | TIMESTAMPTZ      |
 * | time                          | INT64 TIME(MICROS)                        | TIME             |
 * | text, varchar, numeric,       | BYTE_ARRAY STRING (PostgreSQL's text)     | VARCHAR          |
 * | interval, array               |                                           |                  |
 *
 * - Timestamps `±infinity` are stored as int64 2^63 - 1 and -(2^63 - 1), which DuckDB also
 *   reads as `infinity` / `-infinity`. OmenDB dates have no infinity; any int32 day count
 *   round-trips.
 * - numeric is always stored as its canonical text, even with a precision and scale: Parquet
 *   DECIMAL stops at 38 digits and PostgreSQL's numeric does not, and the text round-trips
 *   exactly. So its statistics are in text order, not numeric order (the same holds for
 *   interval and array).
 * - Statistics ignore NULLs; an all-NULL column has `min = max = null`. Strings compare as
 *   UTF-8 bytes; Parquet writers leave NaN out of float min/max, so a float column that holds
 *   a NaN reports `max = NaN` (PostgreSQL orders NaN above every number), and `min = NaN` too
 *   if every non-NULL value is NaN. Strings longer than the writer's statistics truncation
 *   length (64 bytes in arrow-rs) get truncated bounds that still bracket every value.
 *
 * @example
 * ```ts
 * import { decodeSegment, encodeSegment, readSegmentFooter } from "./segment_codec.ts";
 * import { columnFromValues, valueAt } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const specs = [
 *   { id: 1, name: "time", type: Types.timestamptz },
 *   { id: 2, name: "host", type: Types.text },
 * ];
 * const bytes = await encodeSegment(specs, [
 *   columnFromValues(Types.timestamptz, [0, 10_000_000]),
 *   columnFromValues(Types.text, ["a", null]),
 * ], 2, { keyValue: { "omendb.table_id": "7" } });
 * const footer = readSegmentFooter(bytes);
 * console.assert(footer.rows === 2 && footer.columns[1]!.stats.nullCount === 1);
 * // "host" was renamed to "hostname": same id, so it is found.
 * const [host, missing] = await decodeSegment(bytes, [
 *   { id: 2, name: "hostname", type: Types.text },
 *   { id: 9, name: "added_later", type: Types.int4 },
 * ]);
 * console.assert(valueAt(host!, 0) === "a" && valueAt(host!, 1) === null && missing === null);
 * ```
 *
 * @module
 */
import * as arrow from "apache-arrow";
import { assert, DbError, SqlState } from "../../core/errors.ts";
import { allocData, type Column, isValid, makeColumn } from "../../core/types/column.ts";
import type { DataType } from "../../core/types/data_type.ts";
import { arrowToColumn, columnToArrowData, nullCountOf } from "./_arrow_columns.ts";
import { formatVersion, formatVersionKey, nanFieldIdsKey, readFooterInfo } from "./_footer.ts";
import { writeParquetFast } from "./parquet_writer.ts";
import { addSegmentTrailer, checkSegmentData } from "./_segment_layout.ts";

/** One column of a segment: its stable id (Parquet `field_id`), current name and type. */
export interface SegmentColumnSpec {
  /** The column's id; stays the same when the column is renamed. */
  readonly id: number;
  /** The column's name when written (informational: reads match by id). */
  readonly name: string;
  /** The column's SQL type. */
  readonly type: DataType;
}

/** A statistics value: int8 is a bigint, timestamps and times are microseconds (may be ±Infinity). */
export type StatValue = number | bigint | string | boolean | null;

/** Per-column statistics of a segment, over all its row groups. */
export interface ColumnStats {
  /** Smallest non-NULL value, or null if there is none. */
  readonly min: StatValue;
  /** Largest non-NULL value, or null if there is none. */
  readonly max: StatValue;
  /** Rows that are NULL. */
  readonly nullCount: number;
}

/** What a segment's footer says, without decoding any column. */
export interface SegmentFooter {
  /** Rows in the segment. */
  readonly rows: number;
  /** Every column of the file, in file order, with its field id, name and statistics. */
  readonly columns: readonly {
    readonly id: number;
    readonly name: string;
    readonly stats: ColumnStats;
  }[];
  /** Key-value metadata (`omendb.format_version` and the writer's keys). */
  readonly keyValue: Readonly<Record<string, string>>;
}

/** Options of {@link encodeSegment}. */
export interface EncodeSegmentOptions {
  /** Extra key-value metadata, e.g. `omendb.table_id`, `omendb.lsn_min`, `omendb.lsn_max`. */
  readonly keyValue?: Readonly<Record<string, string>>;
  /** Most rows in one Parquet row group. Default {@link segmentRowGroupRowsDefault}. */
  readonly rowGroupRowsMax?: number;
}

/** Default most rows per row group: 1 Mi rows (one row group for a typical segment). */
export const segmentRowGroupRowsDefault = 1 << 20;
/** Most rows one segment may hold: 2^31 - 1 (Arrow's 32-bit offsets and counts). */
export const segmentRowsMax = 0x7fff_ffff;

type ParquetWasm = typeof import("parquet-wasm");
let parquetWasm: Promise<ParquetWasm> | null = null;

/**
 * parquet-wasm, imported on first use: its Node build reads its `.wasm` file from the npm cache
 * when imported, which needs read permission there (and memory) only once a segment is coded.
 */
function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= import("parquet-wasm");
  return parquetWasm;
}

function corrupted(why: string, cause?: unknown): DbError {
  return new DbError(SqlState.dataCorrupted, `Cannot read Parquet segment: ${why}`, { cause });
}

/** Field ids (comma-separated) of the float columns that hold a NaN in a non-NULL row. */
function nanFieldIds(specs: readonly SegmentColumnSpec[], columns: readonly Column[]): string {
  const ids: number[] = [];
  columns.forEach((col, k) => {
    if (col.kind !== "float4" && col.kind !== "float8") return;
    const data = col.data;
    for (let i = 0; i < col.length; i++) {
      if (Number.isNaN(data[i]!) && isValid(col.validity, i)) {
        ids.push(specs[k]!.id);
        return;
      }
    }
  });
  return ids.join(",");
}

/**
 * Encodes columns (in the order of `specs`, each `length` rows) into the bytes of one Parquet
 * segment: ZSTD, dictionary encoding, `field_id` = `spec.id` on every column, column-chunk
 * min/max/null_count statistics, and key-value metadata (`omendb.format_version` = "1" plus
 * `options.keyValue`).
 *
 * @example
 * ```ts
 * import { encodeSegment } from "./segment_codec.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const bytes = await encodeSegment(
 *   [{ id: 1, name: "v", type: Types.float8 }],
 *   [columnFromValues(Types.float8, [1.5, NaN, null])],
 *   3,
 * );
 * console.assert(new TextDecoder().decode(bytes.subarray(0, 4)) === "PAR1");
 * ```
 */
export async function encodeSegment(
  specs: readonly SegmentColumnSpec[],
  columns: readonly Column[],
  length: number,
  options: EncodeSegmentOptions = {},
): Promise<Uint8Array> {
  assert(specs.length === columns.length, `${specs.length} specs for ${columns.length} columns`);
  assert(Number.isSafeInteger(length) && length >= 0 && length <= segmentRowsMax, "bad length");
  const rowGroupRows = options.rowGroupRowsMax ?? segmentRowGroupRowsDefault;
  assert(Number.isSafeInteger(rowGroupRows) && rowGroupRows > 0, "bad rowGroupRowsMax");
  const keyValue = new Map(Object.entries(options.keyValue ?? {}));
  assert(!keyValue.has(formatVersionKey) && !keyValue.has(nanFieldIdsKey), "reserved key");
  keyValue.set(formatVersionKey, formatVersion);
  const nanIds = nanFieldIds(specs, columns);
  if (nanIds !== "") keyValue.set(nanFieldIdsKey, nanIds);
  // one row group of integers, floats, times and text: the direct writer, no Arrow copy
  if (length <= rowGroupRows && new Set(specs.map((s) => s.id)).size === specs.length) {
    const fast = writeParquetFast(specs, columns, length, keyValue);
    if (fast !== null) return addSegmentTrailer(fast);
  }
  const ids = new Set<number>();
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  specs.forEach((spec, k) => {
    const col = columns[k]!;
    assert(Number.isSafeInteger(spec.id) && spec.id >= 0 && spec.id <= 0x7fff_ffff, "bad id");
    assert(!ids.has(spec.id), `duplicate column id ${spec.id}`);
    ids.add(spec.id);
    assert(col.length === length, `column ${spec.name} has ${col.length} rows, not ${length}`);
    assert(
      col.kind === spec.type.kind,
      `column ${spec.name} is ${col.kind}, not ${spec.type.kind}`,
    );
    const data = columnToArrowData(col, nullCountOf(col.validity, length));
    const fieldId = new Map([["PARQUET:field_id", String(spec.id)]]);
    fields.push(new arrow.Field(spec.name, data.type, true, fieldId));
    children.push(data);
  });

  const schema = new arrow.Schema(fields);
  const struct = arrow.makeData({
    type: new arrow.Struct(fields),
    length,
    nullCount: 0,
    children,
  });
  const ipc = arrow.tableToIPC(new arrow.Table(schema, [new arrow.RecordBatch(schema, struct)]));
  const pw = await loadParquetWasm();
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.ZSTD)
    .setDictionaryEnabled(true)
    .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
    .setMaxRowGroupSize(rowGroupRows)
    .setKeyValueMetadata(keyValue)
    .setCreatedBy("OmenDB (parquet-wasm 0.8.0)")
    .build();
  return addSegmentTrailer(pw.writeParquet(pw.Table.fromIPCStream(ipc), props));
}

/**
 * Reads only the footer of a segment: row count, each column's field id, name and statistics,
 * and the key-value metadata. Checks the footer checksum and the format version; a damaged or
 * foreign file is a DbError `XX001` (data corrupted).
 *
 * @example
 * ```ts
 * import { encodeSegment, readSegmentFooter } from "./segment_codec.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const bytes = await encodeSegment(
 *   [{ id: 4, name: "n", type: Types.int8 }],
 *   [columnFromValues(Types.int8, [5n, null, -2n])],
 *   3,
 *   { keyValue: { "omendb.lsn_max": "42" } },
 * );
 * const f = readSegmentFooter(bytes);
 * console.assert(f.columns[0]!.id === 4 && f.columns[0]!.stats.min === -2n);
 * console.assert(f.keyValue["omendb.lsn_max"] === "42");
 * ```
 */
export function readSegmentFooter(bytes: Uint8Array): SegmentFooter {
  return readFooterInfo(bytes).footer;
}

/** A zero-row column of `type`. */
function emptyColumn(type: DataType): Column {
  return makeColumn(type, 0, allocData(type.kind, 0), null);
}

/**
 * Decodes the wanted columns of a segment, matched by field id (not by name: columns get
 * renamed). A wanted id that the file does not have yields `null` (the caller fills defaults).
 * `rows` = [start, end) decodes only those rows. Checks every checksum first: a damaged file is a
 * DbError `XX001`; a column stored as another type than wanted is a DbError `42804`.
 *
 * @example
 * ```ts
 * import { decodeSegment, encodeSegment } from "./segment_codec.ts";
 * import { columnFromValues, valueAt } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/data_type.ts";
 * const spec = { id: 1, name: "x", type: Types.int4 };
 * const bytes = await encodeSegment([spec], [columnFromValues(Types.int4, [10, 20, 30, 40])], 4);
 * const [x] = await decodeSegment(bytes, [spec], { start: 1, end: 3 });
 * console.assert(x!.length === 2 && valueAt(x!, 0) === 20 && valueAt(x!, 1) === 30);
 * ```
 */
export async function decodeSegment(
  bytes: Uint8Array,
  wanted: readonly SegmentColumnSpec[],
  rows?: { readonly start: number; readonly end: number },
): Promise<(Column | null)[]> {
  const info = readFooterInfo(bytes);
  const total = info.footer.rows;
  const start = rows?.start ?? 0;
  const end = rows?.end ?? total;
  assert(
    Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end &&
      end <= total,
    `row range [${start}, ${end}) outside the segment's ${total} rows`,
  );
  const count = end - start;
  const names = [...new Set(wanted.map((w) => info.nameById.get(w.id)))].filter(
    (n): n is string => n !== undefined,
  );
  if (names.length === 0 || count === 0) {
    return wanted.map((w) => info.nameById.has(w.id) ? emptyColumn(w.type) : null);
  }
  checkSegmentData(bytes, info.layout);
  const pw = await loadParquetWasm();
  let table: arrow.Table;
  try {
    const read = pw.readParquet(bytes, {
      columns: names,
      offset: start,
      limit: count,
      batchSize: count,
    });
    table = arrow.tableFromIPC(read.intoIPCStream());
  } catch (e) {
    throw corrupted(`cannot decode: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  return wanted.map((w) => {
    const name = info.nameById.get(w.id);
    if (name === undefined) return null;
    const vector = table.getChild(name);
    if (vector === null || vector.length !== count) {
      throw corrupted(`column "${name}" decoded to ${vector?.length ?? 0} rows, not ${count}`);
    }
    return arrowToColumn(w.type, vector.data, count, `column "${name}" (field id ${w.id})`);
  });
}
