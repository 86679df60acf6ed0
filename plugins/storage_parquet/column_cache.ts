/**
 * The decoded-column cache: columns of segments decoded from Parquet, kept as typed arrays up to
 * a byte budget and evicted least recently used first, so hot data is served without decoding.
 *
 * A hit is two map lookups by number and one counter write: no key string is built and no
 * entry moves (a point query looks up every column it reads, so hits are the hot path);
 * eviction, which only a `put` over the budget does, looks for the oldest entries instead.
 *
 * @example
 * ```ts
 * import { ColumnCache } from "./column_cache.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const cache = new ColumnCache(1024);
 * cache.put(1, 2, columnFromValues(Types.float8, [1, 2]));
 * console.assert(cache.get(1, 2)?.length === 2 && cache.bytes === 16);
 * ```
 *
 * @module
 */
import type { Column } from "../../core/types/column.ts";
import { columnBytes } from "./memtable.ts";

interface Entry {
  readonly column: Column;
  readonly bytes: number;
  /** The cache's use counter when it was last read or stored. */
  used: number;
}

/** A byte-bounded LRU map of decoded columns, by segment id and column id. */
export class ColumnCache {
  readonly #segments = new Map<number, Map<number, Entry>>();
  #tick = 0;
  /** Bytes held now. */
  bytes = 0;
  hits = 0;
  misses = 0;

  /** @param bytesMax the budget in bytes; 0 disables caching. */
  constructor(readonly bytesMax: number) {}

  /** The cached column `columnId` of segment `segmentId`, or `null`. */
  get(segmentId: number, columnId: number): Column | null {
    const e = this.#segments.get(segmentId)?.get(columnId);
    if (e === undefined) {
      this.misses++;
      return null;
    }
    this.hits++;
    e.used = ++this.#tick;
    return e.column;
  }

  /** Stores a column, evicting the least recently used ones past the budget. */
  put(segmentId: number, columnId: number, column: Column): void {
    const bytes = columnBytes(column);
    if (bytes > this.bytesMax) return;
    this.delete(segmentId, columnId);
    let columns = this.#segments.get(segmentId);
    if (columns === undefined) this.#segments.set(segmentId, columns = new Map());
    columns.set(columnId, { column, bytes, used: ++this.#tick });
    this.bytes += bytes;
    if (this.bytes > this.bytesMax) this.#evict();
  }

  /** Drops one column. */
  delete(segmentId: number, columnId: number): void {
    const columns = this.#segments.get(segmentId);
    const e = columns?.get(columnId);
    if (columns === undefined || e === undefined) return;
    columns.delete(columnId);
    if (columns.size === 0) this.#segments.delete(segmentId);
    this.bytes -= e.bytes;
  }

  /** Drops every column of a segment. */
  dropSegment(segmentId: number): void {
    const columns = this.#segments.get(segmentId);
    if (columns === undefined) return;
    for (const e of columns.values()) this.bytes -= e.bytes;
    this.#segments.delete(segmentId);
  }

  /** Evicts the least recently used entries until the cache is within its budget. */
  #evict(): void {
    const all: { segmentId: number; columnId: number; e: Entry }[] = [];
    for (const [segmentId, columns] of this.#segments) {
      for (const [columnId, e] of columns) all.push({ segmentId, columnId, e });
    }
    all.sort((a, b) => a.e.used - b.e.used);
    for (const { segmentId, columnId } of all) {
      if (this.bytes <= this.bytesMax) break;
      this.delete(segmentId, columnId);
    }
  }
}
