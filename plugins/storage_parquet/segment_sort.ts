/**
 * The order of rows inside a segment: by series (the tag columns, or the dedup keys) and then by
 * time, so one series' rows are one contiguous range and a time range inside it is a binary or
 * learned-index search. Series ids are built column by column over numbers (no string per row).
 *
 * @example
 * ```ts
 * import { seriesTimeOrder } from "./segment_sort.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const host = columnFromValues(Types.text, ["b", "a", "b", "a"]);
 * const ts = new Float64Array([4, 3, 2, 1]);
 * const o = seriesTimeOrder([host], ts, new Float64Array([1, 1, 1, 1]), false);
 * console.assert([...o.order].join() === "3,1,2,0");
 * console.assert(o.series.map((s) => s.join("/")).join() === "a/0/2,b/2/4");
 * ```
 *
 * @module
 */
import { type CodedColumn, type Column, isValid } from "../../core/types/column.ts";

/**
 * A text column that also carries dictionary codes (`data[i] === dict[codes[i]]` for valid rows),
 * as columns arrive in the checkpoint Worker: sorting and encoding use the codes, not strings.
 */
export type { CodedColumn } from "../../core/types/column.ts";

/** A sort of a segment's rows. */
export interface SegmentOrder {
  /** Row numbers in output order (dropped duplicates left out). */
  readonly order: Uint32Array;
  /** Per series in output order: key text and output row range `[start, end)`. */
  readonly series: [string, number, number][];
}

const nullMark = "\u0000NULL";
/** Joins the parts of a series key (the `series` list of a segment). */
export const seriesKeySeparator = "\u001f";
const keySeparator = seriesKeySeparator;

/**
 * Orders rows by (series key columns, time). With `dedup`, rows with equal series and time keep
 * only the one with the highest LSN (the last write wins).
 */
export function seriesTimeOrder(
  keys: readonly Column[],
  ts: Float64Array,
  lsns: Float64Array,
  dedup: boolean,
): SegmentOrder {
  const n = ts.length;
  const { ids, count, keyText } = seriesIds(keys, n);
  const bySeries = Array.from({ length: count }, (_, s) => s)
    .sort((a, b) => (keyText[a]! < keyText[b]! ? -1 : keyText[a]! > keyText[b]! ? 1 : 0));
  return orderBySeries(ids, count, keyText, bySeries, ts, lsns, dedup);
}

/** Series ids of rows. */
export interface SeriesIds {
  /** Per row, its series (0 .. count - 1, in order of first appearance). */
  readonly ids: Uint32Array;
  readonly count: number;
  /** Per series, its key text: the key values joined by U+001F (NULL is a marker). */
  readonly keyText: string[];
}

/**
 * The series of each row by its key columns, built one column at a time over numbers (a Map
 * lookup per row and column, no string per row).
 *
 * @example
 * ```ts
 * import { seriesIds } from "./segment_sort.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const s = seriesIds([columnFromValues(Types.text, ["a", "b", "a"])], 3);
 * console.assert(s.count === 2 && s.ids[2] === 0 && s.keyText[1] === "b");
 * ```
 */
export function seriesIds(keys: readonly Column[], n: number): SeriesIds {
  // series id per row, refined one key column at a time: id' = pairs(id, value id)
  let ids = new Uint32Array(n);
  let count = 1;
  const valueTexts: string[][] = [];
  const parents: Uint32Array[] = [];
  const childValue: Uint32Array[] = [];
  for (const col of keys) {
    const dict = new Map<string, number>();
    let texts: string[] = [];
    let valueIds = new Uint32Array(n);
    const data = col.data as readonly unknown[] | ArrayLike<number | bigint>;
    const coded = (col as CodedColumn).dictCodes;
    if (coded !== undefined) {
      // dictionary codes came with the column: no string lookups (NULL is one more code)
      texts = [...coded.dict, nullMark];
      valueIds = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        valueIds[i] = isValid(col.validity, i) ? coded.codes[i]! : coded.dict.length;
      }
    }
    for (let i = 0; i < n && coded === undefined; i++) {
      const text = isValid(col.validity, i) ? String((data as ArrayLike<unknown>)[i]) : nullMark;
      let id = dict.get(text);
      if (id === undefined) {
        id = texts.length;
        dict.set(text, id);
        texts.push(text);
      }
      valueIds[i] = id;
    }
    const pairs = new Map<number, number>();
    const next = new Uint32Array(n);
    const parent: number[] = [];
    const child: number[] = [];
    for (let i = 0; i < n; i++) {
      const pair = ids[i]! * texts.length + valueIds[i]!;
      let id = pairs.get(pair);
      if (id === undefined) {
        id = parent.length;
        pairs.set(pair, id);
        parent.push(ids[i]!);
        child.push(valueIds[i]!);
      }
      next[i] = id;
    }
    ids = next;
    count = parent.length;
    valueTexts.push(texts);
    parents.push(Uint32Array.from(parent));
    childValue.push(Uint32Array.from(child));
  }
  // the key text of each series
  const keyText = new Array<string>(count);
  for (let s = 0; s < count; s++) {
    const parts: string[] = [];
    let id = s;
    for (let level = keys.length - 1; level >= 0; level--) {
      parts.push(valueTexts[level]![childValue[level]![id]!]!);
      id = parents[level]![id]!;
    }
    keyText[s] = parts.reverse().join(keySeparator);
  }
  return { ids, count, keyText };
}

function orderBySeries(
  ids: Uint32Array,
  count: number,
  keyText: string[],
  bySeries: number[],
  ts: Float64Array,
  lsns: Float64Array,
  dedup: boolean,
): SegmentOrder {
  const n = ids.length;
  const rank = new Uint32Array(count);
  bySeries.forEach((s, r) => (rank[s] = r));
  // counting sort by series rank, keeping arrival order within a series
  const starts = new Uint32Array(count + 1);
  for (let i = 0; i < n; i++) starts[rank[ids[i]!]! + 1]!++;
  for (let r = 0; r < count; r++) starts[r + 1]! += starts[r]!;
  const order = new Uint32Array(n);
  const fill = starts.slice(0, count);
  for (let i = 0; i < n; i++) order[fill[rank[ids[i]!]!]!++] = i;
  // then by time within each series (a stable sort: equal times stay in arrival order)
  const series: [string, number, number][] = [];
  let out = 0;
  for (let r = 0; r < count; r++) {
    const a = starts[r]!, b = starts[r + 1]!;
    let sorted = true;
    for (let i = a + 1; i < b && sorted; i++) {
      if (ts[order[i]!]! < ts[order[i - 1]!]!) sorted = false;
    }
    if (!sorted) {
      const part = Array.from(order.subarray(a, b));
      part.sort((x, y) => ts[x]! - ts[y]! || x - y);
      order.set(part, a);
    }
    const first = out;
    for (let i = a; i < b; i++) {
      const row = order[i]!;
      if (dedup && i + 1 < b && ts[order[i + 1]!] === ts[row]) {
        // equal (series, time): the later of the two survives unless this one's LSN is higher
        const nextRow = order[i + 1]!;
        if (lsns[row]! > lsns[nextRow]!) order[i + 1] = row;
        continue;
      }
      order[out++] = row;
    }
    if (out > first) series.push([keyText[bySeries[r]!]!, first, out]);
  }
  return { order: order.subarray(0, out), series };
}

/** Orders rows by time only (a stable sort). */
export function timeOrder(ts: Float64Array): Uint32Array {
  const n = ts.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (ts[i]! < ts[i - 1]!) sorted = false;
  if (sorted) return order;
  const part = Array.from(order);
  part.sort((x, y) => ts[x]! - ts[y]! || x - y);
  return Uint32Array.from(part);
}
