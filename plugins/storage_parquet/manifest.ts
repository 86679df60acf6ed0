/**
 * The manifest: the one file that says what the data directory holds — the catalog as of the
 * checkpoint, every table's live segments with their statistics and delete vectors, and the
 * checkpoint LSN (the WAL records at or below it are in segments). It is replaced atomically
 * (temp file, fsync, rename, folder fsync), so a crash leaves either the old or the new one.
 *
 * Format: JSON `{ "format": "omendb-manifest", "version": 1, "crc32c": n, "body": {...} }`, the
 * checksum over the body's JSON text. A bad checksum or an unknown version stops the open.
 *
 * @example
 * ```ts
 * import { decodeManifest, encodeManifest, emptyManifest } from "./manifest.ts";
 * const bytes = encodeManifest({ ...emptyManifest(), checkpointLsn: 42 });
 * console.assert(decodeManifest(bytes, "manifest.json").checkpointLsn === 42);
 * ```
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { ColumnSchema, TableOptions } from "../../core/catalog/table.ts";
import { crc32c } from "../wal/crc32c.ts";

/** The manifest's format version. */
export const manifestFormatVersion = 1;
/** The manifest's file name in the data directory. */
export const manifestFileName = "manifest.json";

/** A statistic value in JSON: int8 values are `{ "int8": "<decimal>" }`. */
export type StatJson = number | string | boolean | null | { readonly int8: string };

/** Per-column statistics of a segment. */
export interface ColumnStatsJson {
  readonly min: StatJson;
  readonly max: StatJson;
  readonly nullCount: number;
}

/** A live segment. */
export interface SegmentMeta {
  readonly id: number;
  /** Path relative to the data directory. */
  readonly path: string;
  /** The RMI index file beside it, relative to the data directory, or `null`. */
  readonly indexPath: string | null;
  readonly rows: number;
  readonly bytes: number;
  readonly minLsn: number;
  readonly maxLsn: number;
  /** Column ids stored in the file (columns added later read their fill). */
  readonly columnIds: readonly number[];
  /** Statistics by column id. */
  readonly stats: Readonly<Record<string, ColumnStatsJson>>;
  /** `series_time`: sorted by (series key, time); `time`; or `none` (no timestamp column). */
  readonly sort: "series_time" | "time" | "none";
  /** Per series (in sort order): its key text and row range `[start, end)`. */
  readonly series: readonly (readonly [string, number, number])[] | null;
  /** The column ids whose values (joined by U+001F) make a series key text. */
  readonly seriesColumnIds: readonly number[] | null;
  /**
   * What the learned index's keys are: time (`span` 0), or `series number × span + (time −
   * min)`; `null` when there is no index.
   */
  readonly indexKey: { readonly min: number; readonly span: number } | null;
  /** Deleted rows (ascending) and the LSN of each delete. */
  readonly deletedRows: readonly number[];
  readonly deleteLsns: readonly number[];
}

/** A partition's segments, oldest first. */
export interface PartitionMeta {
  readonly key: string;
  readonly start: number | null;
  readonly end: number | null;
  readonly segments: readonly SegmentMeta[];
}

/** A table as storage knows it. */
export interface TableMeta {
  readonly id: number;
  /** Folder relative to the data directory (`tables/<id>-<name>`). */
  readonly folder: string;
  readonly columns: readonly ColumnSchema[];
  readonly options: TableOptions | null;
  /** The value older segments read for a column added after them (by column id). */
  readonly fills: Readonly<Record<string, StatJson>>;
  readonly partitions: readonly PartitionMeta[];
}

/** The manifest's contents. */
export interface Manifest {
  /** WAL records at or below this LSN are reflected here. */
  readonly checkpointLsn: number;
  /** The catalog as of the checkpoint (opaque to storage), or `null` before the first. */
  readonly catalog: unknown;
  readonly nextSegmentId: number;
  readonly tables: readonly TableMeta[];
}

/** A manifest with nothing in it. */
export function emptyManifest(): Manifest {
  return { checkpointLsn: 0, catalog: null, nextSegmentId: 1, tables: [] };
}

/** The manifest file's bytes. */
export function encodeManifest(m: Manifest): Uint8Array {
  const body = JSON.stringify(m);
  const crc = crc32c(new TextEncoder().encode(body));
  return new TextEncoder().encode(
    `{"format":"omendb-manifest","version":${manifestFormatVersion},"crc32c":${crc},"body":${body}}`,
  );
}

/** Parses a manifest file; a damaged one is `XX001` naming the file. */
export function decodeManifest(bytes: Uint8Array, path: string): Manifest {
  const bad = (why: string) =>
    new DbError(SqlState.dataCorrupted, `${path}: ${why}`, {
      hint: "the manifest is damaged; restore the data directory from a backup",
    });
  let parsed: { format?: unknown; version?: unknown; crc32c?: unknown; body?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || parsed.format !== "omendb-manifest") {
    throw bad("not an OmenDB manifest");
  }
  if (parsed.version !== manifestFormatVersion) {
    throw bad(`manifest format version ${String(parsed.version)} is not supported`);
  }
  const body = parsed.body as Manifest | undefined;
  if (body === undefined || body === null || typeof body !== "object") throw bad("no body");
  const crc = crc32c(new TextEncoder().encode(JSON.stringify(body)));
  if (crc !== parsed.crc32c) throw bad("checksum mismatch");
  if (!Number.isSafeInteger(body.checkpointLsn) || !Array.isArray(body.tables)) {
    throw bad("malformed body");
  }
  return body;
}

/** A statistic to its JSON form. */
export function statToJson(v: number | bigint | string | boolean | null): StatJson {
  if (typeof v === "bigint") return { int8: v.toString() };
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

/** A statistic from its JSON form, as a number or bigint for numeric kinds. */
export function statFromJson(v: StatJson): number | bigint | string | boolean | null {
  if (v !== null && typeof v === "object") return BigInt(v.int8);
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  if (v === "NaN") return NaN;
  return v;
}
