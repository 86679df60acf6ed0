/**
 * Time partitions: which partition a timestamp falls in, the partition's time range, and the
 * Hive-style folder that holds its segments (`ts_day=2016-01-01`), so that DuckDB, Spark and
 * Trino read the files as they are. Tables without a timestamp have one partition, `all`, whose
 * segments sit in the table's folder.
 *
 * @example
 * ```ts
 * import { partitionOf, partitionFolder } from "./partition.ts";
 * const p = partitionOf(Date.UTC(2016, 0, 1, 13) * 1000, "day");
 * console.assert(p.key === "2016-01-01" && p.end - p.start === 86_400_000_000);
 * console.assert(partitionFolder("ts", "day", p.key) === "ts_day=2016-01-01");
 * ```
 *
 * @module
 */
import type { PartitionUnit } from "../../core/catalog/table.ts";

/** A partition: its key (the folder's value) and the time range `[start, end)` in microseconds. */
export interface PartitionRange {
  readonly key: string;
  readonly start: number;
  readonly end: number;
}

/** The key of the partition of rows whose timestamp is NULL (Hive's convention). */
export const nullPartitionKey = "__HIVE_DEFAULT_PARTITION__";
/** The key of a table's only partition when it has no time partitioning. */
export const wholeTableKey = "all";

const microsPerHour = 3_600_000_000;
const microsPerDay = 24 * microsPerHour;

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** The partition of a timestamp (microseconds since the epoch; ±Infinity allowed). */
export function partitionOf(micros: number, unit: PartitionUnit): PartitionRange {
  if (unit === "none") return { key: wholeTableKey, start: -Infinity, end: Infinity };
  if (micros === Infinity) return { key: "infinity", start: Infinity, end: Infinity };
  if (micros === -Infinity) return { key: "-infinity", start: -Infinity, end: -Infinity };
  const ms = Math.floor(micros / 1000);
  const d = new Date(ms);
  const y = d.getUTCFullYear(), m = d.getUTCMonth(), day = d.getUTCDate();
  const yearText = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  switch (unit) {
    case "hour": {
      const start = Math.floor(micros / microsPerHour) * microsPerHour;
      return {
        key: `${yearText}-${pad(m + 1, 2)}-${pad(day, 2)}T${pad(d.getUTCHours(), 2)}`,
        start,
        end: start + microsPerHour,
      };
    }
    case "day": {
      const start = Math.floor(micros / microsPerDay) * microsPerDay;
      return {
        key: `${yearText}-${pad(m + 1, 2)}-${pad(day, 2)}`,
        start,
        end: start + microsPerDay,
      };
    }
    case "week": {
      // ISO weeks start on Monday; the key is the Monday's date
      const days = Math.floor(micros / microsPerDay);
      const monday = days - ((days + 3) % 7 + 7) % 7;
      const start = monday * microsPerDay;
      const md = new Date(monday * 86_400_000);
      const my = md.getUTCFullYear();
      return {
        key: `${my < 0 ? `-${pad(-my, 4)}` : pad(my, 4)}-${pad(md.getUTCMonth() + 1, 2)}-${
          pad(md.getUTCDate(), 2)
        }`,
        start,
        end: start + 7 * microsPerDay,
      };
    }
    case "month":
      return {
        key: `${yearText}-${pad(m + 1, 2)}`,
        start: Date.UTC(y, m, 1) * 1000,
        end: Date.UTC(y, m + 1, 1) * 1000,
      };
    case "year":
      return { key: yearText, start: Date.UTC(y, 0, 1) * 1000, end: Date.UTC(y + 1, 0, 1) * 1000 };
  }
}

/** The Hive folder name of a partition (`<column>_<unit>=<key>`), or `""` for unpartitioned. */
export function partitionFolder(column: string, unit: PartitionUnit, key: string): string {
  if (unit === "none") return "";
  return `${sanitizeName(column)}_${unit}=${key}`;
}

/** Bytes of a user-given name kept in a folder name. */
export const folderNameBytesMax = 64;

/**
 * A user-supplied name made safe for a path: letters, digits and `_` kept, anything else `_`,
 * at most {@link folderNameBytesMax} characters. Ids keep folders unique; names only help humans.
 */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, folderNameBytesMax);
  return s === "" ? "_" : s;
}
