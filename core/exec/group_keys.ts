/**
 * Assigns group ids to rows by their key columns. Keys are hashed as strings for now (one string
 * per row); a typed-array hash for numeric and dictionary keys is the planned fast path.
 *
 * @module
 */
import { type Column, isValid, type Value, valueAt } from "../types/column.ts";
import { decKey } from "../types/numeric.ts";
import { intervalSpan, parseInterval } from "../types/interval.ts";

/** Maps key tuples to dense group ids and remembers each group's key values. */
export class GroupKeys {
  readonly #ids = new Map<string, number>();
  /** Key values per key column, indexed by group id. */
  readonly values: Value[][];

  constructor(readonly keyCount: number) {
    this.values = Array.from({ length: keyCount }, () => []);
  }

  get size(): number {
    return this.keyCount === 0 ? Math.max(1, this.#ids.size) : this.#ids.size;
  }

  /** Group ids of `length` rows with key columns `keys`. */
  assign(keys: readonly Column[], length: number): Uint32Array {
    const out = new Uint32Array(length);
    if (this.keyCount === 0) {
      if (this.#ids.size === 0) this.#ids.set("", 0);
      return out;
    }
    for (let i = 0; i < length; i++) {
      let key = "";
      for (const c of keys) key += rowKey(c, i);
      let id = this.#ids.get(key);
      if (id === undefined) {
        id = this.#ids.size;
        this.#ids.set(key, id);
        for (let k = 0; k < keys.length; k++) this.values[k]!.push(valueAt(keys[k]!, i));
      }
      out[i] = id;
    }
    return out;
  }
}

/** A string that is equal for equal SQL values of one column (NULLs equal each other). */
export function rowKey(c: Column, i: number): string {
  if (c.kind === "unknown" || !isValid(c.validity, i)) return "\u0001";
  const v = (c.data as ArrayLike<unknown>)[i];
  if (c.kind === "numeric") return `\u0004${decKey(v as string)}`; // 1.5 = 1.50
  if (c.kind === "interval") return `\u0005${intervalSpan(parseInterval(v as string))}`; // 1 mon = 30 days
  if (typeof v === "string") return `\u0002${v.length}:${v}`;
  if (typeof v === "number") return Number.isNaN(v) ? "\u0003NaN" : `\u0003${v === 0 ? 0 : v}`;
  return `\u0003${String(v)}`;
}
