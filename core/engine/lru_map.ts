/**
 * A map bounded by entry count that evicts the least recently used entry. A hit only stamps
 * the entry with a counter: entries never move, so a hot cache read on every statement (the
 * parse and plan caches) does not churn a long-lived hash table (re-inserting keys makes V8
 * rebuild its tables, young garbage that a long-lived map then drags into the old generation).
 * Eviction, on an insert past the bound, scans for the oldest stamp.
 *
 * @example
 * ```ts
 * import { LruMap } from "./lru_map.ts";
 * const m = new LruMap<string, number>(2);
 * m.set("a", 1);
 * m.set("b", 2);
 * m.get("a"); // a is now the most recent
 * m.set("c", 3); // evicts b
 * console.assert(m.get("b") === undefined && m.get("a") === 1 && m.size === 2);
 * ```
 */
export class LruMap<K, V> {
  readonly #entries = new Map<K, { value: V; used: number }>();
  #tick = 0;

  /**
   * @param entriesMax the bound (at least 1).
   * @param stampMax the largest use stamp before stamps are renumbered (a small integer).
   */
  constructor(readonly entriesMax: number, readonly stampMax = 0x3fffffff) {}

  /** Entries held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The value of `key` (now the most recently used), or `undefined`. */
  get(key: K): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    e.used = this.#next();
    return e.value;
  }

  /** Stores `value` as the most recently used; evicts the least recently used past the bound. */
  set(key: K, value: V): void {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      e.value = value;
      e.used = this.#next();
      return;
    }
    this.#entries.set(key, { value, used: this.#next() });
    if (this.#entries.size <= this.entriesMax) return;
    let oldest: K | undefined;
    let oldestUsed = Infinity;
    for (const [k, x] of this.#entries) {
      if (x.used < oldestUsed) {
        oldestUsed = x.used;
        oldest = k;
      }
    }
    this.#entries.delete(oldest as K);
  }

  /** Removes `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
  }

  #next(): number {
    // a small integer while it fits (no heap number per stamp); restamps when it would not
    if (this.#tick >= this.stampMax) {
      let t = 0;
      const byAge = [...this.#entries.values()].sort((a, b) => a.used - b.used);
      for (const x of byAge) x.used = ++t;
      this.#tick = t;
    }
    return ++this.#tick;
  }
}
