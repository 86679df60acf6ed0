/**
 * The decoded-column cache: columns of segments decoded from Parquet, kept as typed arrays up to
 * a byte budget and evicted least recently used first, so hot data is served without decoding.
 *
 * @example
 * ```ts
 * import { ColumnCache } from "./column_cache.ts";
 * import { columnFromValues } from "../../core/types/column.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const cache = new ColumnCache(1024);
 * cache.put("1:2", columnFromValues(Types.float8, [1, 2]));
 * console.assert(cache.get("1:2")?.length === 2 && cache.bytes === 16);
 * ```
 *
 * @module
 */
import type { Column } from "../../core/types/column.ts";
import { columnBytes } from "./memtable.ts";

/** A byte-bounded LRU map of decoded columns. */
export class ColumnCache {
  readonly #entries = new Map<string, { column: Column; bytes: number }>();
  /** Bytes held now. */
  bytes = 0;
  hits = 0;
  misses = 0;

  /** @param bytesMax the budget in bytes; 0 disables caching. */
  constructor(readonly bytesMax: number) {}

  get(key: string): Column | null {
    const e = this.#entries.get(key);
    if (e === undefined) {
      this.misses++;
      return null;
    }
    this.hits++;
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e.column;
  }

  put(key: string, column: Column): void {
    const bytes = columnBytes(column);
    if (bytes > this.bytesMax) return;
    this.delete(key);
    this.#entries.set(key, { column, bytes });
    this.bytes += bytes;
    for (const [k, e] of this.#entries) {
      if (this.bytes <= this.bytesMax) break;
      this.#entries.delete(k);
      this.bytes -= e.bytes;
    }
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.bytes -= e.bytes;
  }

  /** Drops every column of a segment (`<segment id>:`-prefixed keys). */
  dropSegment(segmentId: number): void {
    const prefix = `${segmentId}:`;
    for (const k of [...this.#entries.keys()]) if (k.startsWith(prefix)) this.delete(k);
  }
}
