/**
 * Building one segment from a memtable's rows: drop deleted rows where a dedup table needs it
 * (rows carrying a pending mark, a negative delete value, are live and stay),
 * order by (series, time) or time, keep the last write per (keys, time) in dedup tables, and
 * encode to Parquet with the LSN column. A pure function of its input, so it runs the same on the
 * main thread and in the checkpoint Worker (`encode_worker.ts`); writing files stays with the
 * engine.
 *
 * @example
 * ```ts
 * import { buildSegment } from "./segment_build.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const built = await buildSegment({
 *   specs: [{ id: 1, name: "ts", type: Types.timestamp }, { id: 2, name: "host", type: Types.text }],
 *   columns: [columnFromValues(Types.timestamp, [2, 1]), columnFromValues(Types.text, ["a", "a"])],
 *   lsns: new Float64Array([5, 6]),
 *   deletes: null,
 *   tsPos: 0,
 *   keyPositions: [1],
 *   dedup: false,
 *   presorted: null,
 *   keyValue: {},
 * });
 * console.assert(built.rows === 2 && built.sort === "series_time" && built.ts![0] === 1);
 * ```
 *
 * @module
 */
import {
  type CodedColumn,
  type Column,
  makeColumn,
  takeColumn,
  textDictionary,
} from "../../core/types/column.ts";
import { Types } from "../../core/types/data_type.ts";
import type { SegmentMeta } from "./manifest.ts";
import { seriesTimeOrder, timeOrder } from "./segment_sort.ts";
import { microsToInt64 } from "./_arrow_columns.ts";
import {
  encodeSegment,
  readSegmentFooter,
  type SegmentColumnSpec,
  type StatValue,
} from "./segment_codec.ts";

/** The hidden column of each segment row's commit LSN (field id 0; user columns start at 1). */
export const lsnColumn: SegmentColumnSpec = { id: 0, name: "_omendb_lsn", type: Types.int8 };

/** What to build. Columns are in table order and owned by the build (it may reorder them). */
export interface BuildTask {
  readonly specs: readonly SegmentColumnSpec[];
  readonly columns: readonly Column[];
  /** Commit LSN per row. */
  readonly lsns: Float64Array;
  /**
   * Delete value per row (0 = live, > 0 = committed delete LSN, < 0 = a pending mark, which
   * counts as live), or `null` for none.
   */
  readonly deletes: Float64Array | null;
  /** The timestamp column's position, or -1. */
  readonly tsPos: number;
  /** Positions of the series key columns (empty: sort by time only), when `tsPos >= 0`. */
  readonly keyPositions: readonly number[];
  /** Keep the last write per (series key, time); rows with a committed delete go first. */
  readonly dedup: boolean;
  /** Rows already in segment order (a rewrite): keep their order and series. */
  readonly presorted:
    | { readonly sort: SegmentMeta["sort"]; readonly series: SegmentMeta["series"] }
    | null;
  readonly keyValue: Readonly<Record<string, string>>;
}

/** A built segment: its bytes and what the manifest needs about it. */
export interface BuiltSegment {
  readonly bytes: Uint8Array;
  readonly rows: number;
  readonly sort: SegmentMeta["sort"];
  readonly series: [string, number, number][] | null;
  readonly minLsn: number;
  readonly maxLsn: number;
  /** Delete value per output row (as in the task), or `null` when all are 0. */
  readonly deletes: Float64Array | null;
  /** The task row of each output row, or `null` when output row i is task row i. */
  readonly order: Uint32Array | null;
  /** The timestamp per output row (for the learned index), or `null` without one. */
  readonly ts: Float64Array | null;
  /** Statistics by column id (the LSN column left out). */
  readonly stats: readonly {
    readonly id: number;
    readonly min: StatValue;
    readonly max: StatValue;
    readonly nullCount: number;
  }[];
}

/** Sorts, deduplicates and encodes one segment. */
export async function buildSegment(task: BuildTask): Promise<BuiltSegment> {
  let columns = [...task.columns];
  let lsns = task.lsns;
  let deletes = task.deletes;
  /** The task row of each row of `columns` (null: the same row). */
  let origin: Uint32Array | null = null;
  if (deletes !== null && task.dedup) {
    // a deleted row must not win a (keys, time) over a live one: drop deleted rows first
    // (a pending mark is not a delete: the row is live until its transaction commits)
    const idx = new Uint32Array(lsns.length);
    let k = 0;
    for (let i = 0; i < lsns.length; i++) if (deletes[i]! <= 0) idx[k++] = i;
    if (k < lsns.length) {
      columns = columns.map((c) => takeColumn(c, idx, k));
      const kept = new Float64Array(k);
      const keptDeletes = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        kept[i] = lsns[idx[i]!]!;
        keptDeletes[i] = deletes[idx[i]!]!;
      }
      lsns = kept;
      deletes = keptDeletes;
      origin = idx.subarray(0, k);
    }
  }
  let rows = lsns.length;
  let sort: SegmentMeta["sort"] = "none";
  let series: [string, number, number][] | null = null;
  if (task.presorted !== null) {
    sort = task.presorted.sort;
    series = task.presorted.series?.map(([k, a, b]) => [k, a, b]) ?? null;
  } else if (task.tsPos >= 0) {
    const ts = columns[task.tsPos]!.data as Float64Array;
    let order: Uint32Array;
    if (task.keyPositions.length > 0) {
      const keyCols = task.keyPositions.map((p) => columns[p]!);
      const o = seriesTimeOrder(keyCols, ts, lsns, task.dedup);
      order = o.order;
      series = o.series;
      sort = "series_time";
    } else {
      order = timeOrder(ts);
      sort = "time";
    }
    rows = order.length;
    const o = origin;
    origin = o === null ? order : order.map((i) => o[i]!);
    columns = columns.map((c) => takeColumn(c, order, rows)); // dictionary codes too
    const sortedLsns = new Float64Array(rows);
    for (let i = 0; i < rows; i++) sortedLsns[i] = lsns[order[i]!]!;
    lsns = sortedLsns;
    if (deletes !== null) {
      const d = new Float64Array(rows);
      for (let i = 0; i < rows; i++) d[i] = deletes[order[i]!]!;
      deletes = d;
    }
  }
  // LSNs are integers below 2^53: the same word split as microseconds, no BigInt per row
  const bigLsns = microsToInt64(lsns);
  let minLsn = Infinity, maxLsn = 0;
  for (let i = 0; i < rows; i++) {
    const v = lsns[i]!;
    if (v < minLsn) minLsn = v;
    if (v > maxLsn) maxLsn = v;
  }
  const bytes = await encodeSegment(
    [...task.specs, lsnColumn],
    [...columns, makeColumn(Types.int8, rows, bigLsns, null)],
    rows,
    {
      keyValue: {
        ...task.keyValue,
        "omendb.sort": sort,
        "omendb.min_lsn": String(rows === 0 ? 0 : minLsn),
        "omendb.max_lsn": String(maxLsn),
      },
    },
  );
  const footer = readSegmentFooter(bytes);
  let anyDeleted = false;
  if (deletes !== null) {
    for (let i = 0; i < rows && !anyDeleted; i++) anyDeleted = deletes[i] !== 0;
  }
  return {
    bytes,
    rows,
    sort,
    series,
    minLsn: rows === 0 ? 0 : minLsn,
    maxLsn,
    deletes: anyDeleted ? deletes : null,
    order: origin,
    ts: task.tsPos >= 0 ? columns[task.tsPos]!.data as Float64Array : null,
    stats: footer.columns.filter((c) => c.id !== 0).map((c) => ({ id: c.id, ...c.stats })),
  };
}

/** A text column in transit to the checkpoint Worker: its distinct values and a code per row. */
interface PackedText {
  readonly packed: true;
  readonly dict: string[];
  readonly codes: Int32Array;
}

/**
 * Replaces the string arrays of a task's columns by dictionaries and codes: posting a few
 * thousand distinct strings and an Int32Array is about 7x cheaper than cloning a string per row,
 * and the clone runs on the thread that inserts.
 */
export function packTask(task: BuildTask): BuildTask {
  const columns = task.columns.map((c) => {
    if (!Array.isArray(c.data)) return c;
    // (line-protocol tags carry their codes: no lookups then)
    const { dict, codes } = textDictionary(c)!;
    const { dictCodes: _, ...plain } = c as CodedColumn;
    const packed: PackedText = { packed: true, dict, codes };
    return { ...plain, data: packed } as unknown as Column;
  });
  return { ...task, columns };
}

/** Undoes {@link packTask} (in the Worker). */
export function unpackTask(task: BuildTask): BuildTask {
  const columns = task.columns.map((c) => {
    const p = c.data as unknown as PackedText | null;
    if (p === null || typeof p !== "object" || !("packed" in p)) return c;
    const data = new Array<string>(c.length);
    for (let i = 0; i < c.length; i++) data[i] = p.dict[p.codes[i]!]!;
    return { ...c, data, dictCodes: { dict: p.dict, codes: p.codes } } as CodedColumn;
  });
  return { ...task, columns };
}
