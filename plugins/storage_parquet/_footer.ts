/**
 * Reading a segment's Parquet footer (Thrift) with hyparquet's metadata parser: pure JavaScript,
 * synchronous, and it touches only the footer bytes, so no WebAssembly memory is used to plan a
 * read or to prune a segment by its statistics.
 *
 * @module
 */
import { type FileMetaData, parquetMetadata, type SchemaElement } from "hyparquet";
import { DbError, SqlState } from "../../core/errors.ts";
import type { ColumnStats, SegmentFooter, StatValue } from "./segment_codec.ts";
import { checkSegmentLayout, type SegmentLayout } from "./_segment_layout.ts";

/** The key-value metadata key that holds the segment format version. */
export const formatVersionKey = "omendb.format_version";
/** The only segment format version this code reads and writes. */
export const formatVersion = "1";
/** Key-value key listing the field ids (comma-separated) of float columns holding a NaN. */
export const nanFieldIdsKey = "omendb.nan_field_ids";
/** Key-value keys that writers add for themselves and that are not passed to callers. */
const hiddenKeys: ReadonlySet<string> = new Set(["ARROW:schema"]);

/** A footer read and checked, with what a decoder needs besides the public footer. */
export interface FooterInfo {
  /** The public footer. */
  readonly footer: SegmentFooter;
  /** Column name in the file, by field id. */
  readonly nameById: ReadonlyMap<number, string>;
  /** Where the parts of the file are. */
  readonly layout: SegmentLayout;
}

function corrupted(why: string, cause?: unknown): DbError {
  return new DbError(SqlState.dataCorrupted, `Cannot read Parquet segment: ${why}`, { cause });
}

/** Keeps 64-bit values as bigints: timestamps and times are converted below, with sentinels. */
const rawParsers = {
  timestampFromMilliseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v,
  timestampFromNanoseconds: (v: bigint) => v,
  dateFromDays: (v: number) => v,
};

/** 2^63 - 1, the int64 sentinel of `Infinity`; its negation is `-Infinity`'s. */
const int64Max = 2n ** 63n - 1n;

function isMicros(e: SchemaElement): boolean {
  const t = e.logical_type?.type;
  return t === "TIMESTAMP" || t === "TIME" || e.converted_type === "TIMESTAMP_MICROS" ||
    e.converted_type === "TIME_MICROS";
}

/** A statistics value from hyparquet as the value OmenDB uses for the column's type. */
function statValue(v: unknown, e: SchemaElement): StatValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "bigint") {
    if (!isMicros(e)) return v;
    if (v >= int64Max) return Infinity;
    if (v <= -int64Max) return -Infinity;
    return Number(v);
  }
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  throw corrupted(`unexpected statistics value for column "${e.name}"`);
}

function less(a: StatValue, b: StatValue): boolean {
  return (a as number) < (b as number);
}

/** Reads and checks the footer: layout, checksum, format version, field ids. */
export function readFooterInfo(bytes: Uint8Array): FooterInfo {
  const layout = checkSegmentLayout(bytes);
  let meta: FileMetaData;
  try {
    meta = parquetMetadata(bytes, { parsers: rawParsers, geoparquet: false });
  } catch (e) {
    throw corrupted(`bad footer: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  const keyValue: Record<string, string> = {};
  for (const kv of meta.key_value_metadata ?? []) {
    if (!hiddenKeys.has(kv.key)) keyValue[kv.key] = kv.value ?? "";
  }
  const version = keyValue[formatVersionKey];
  if (version !== formatVersion) {
    throw corrupted(
      version === undefined
        ? `no ${formatVersionKey} in the footer (not an OmenDB segment)`
        : `unknown format version ${JSON.stringify(version)} (this OmenDB reads ${formatVersion})`,
    );
  }
  const nanIds = new Set((keyValue[nanFieldIdsKey] ?? "").split(",").filter((s) => s !== ""));
  const leaves = meta.schema.slice(1);
  if (meta.schema[0]?.num_children !== leaves.length || leaves.some((e) => e.num_children)) {
    throw corrupted("nested schema (segments are flat)");
  }
  const rows = Number(meta.num_rows);
  const nameById = new Map<number, string>();
  const columns = leaves.map((e, k) => {
    const id = e.field_id;
    if (id === undefined || nameById.has(id)) {
      throw corrupted(`column "${e.name}" has a missing or duplicate field_id`);
    }
    nameById.set(id, e.name);
    let min: StatValue = null, max: StatValue = null, nullCount = 0;
    for (const rg of meta.row_groups) {
      const stats = rg.columns[k]?.meta_data?.statistics;
      if (stats?.null_count === undefined) {
        throw corrupted(`column "${e.name}" has no statistics in a row group`);
      }
      nullCount += Number(stats.null_count);
      const lo = statValue(stats.min_value ?? stats.min, e);
      const hi = statValue(stats.max_value ?? stats.max, e);
      if (lo !== null && (min === null || less(lo, min))) min = lo;
      if (hi !== null && (max === null || less(max, hi))) max = hi;
    }
    if (nanIds.has(String(id))) {
      // Parquet leaves NaN out of min/max; PostgreSQL orders NaN above every number.
      max = NaN;
      min ??= NaN;
    }
    const stats: ColumnStats = { min, max, nullCount };
    return { id, name: e.name, stats };
  });
  return { footer: { rows, columns, keyValue }, nameById, layout };
}
