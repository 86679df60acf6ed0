/**
 * Assigns group ids to rows by their key columns. Each key column's values are first coded as
 * small integers (one Map lookup per row on the raw value, no string building); one key's code
 * is the group id, two keys combine their codes into one number, more keys into a short string.
 *
 * @module
 */
import { assert, DbError, SqlState } from "../errors.ts";
import { type Column, isValid, type Value, valueAt } from "../types/column.ts";
import { decKey } from "../types/numeric.ts";
import { intervalSpan, parseInterval } from "../types/interval.ts";

/** The Map key that stands for NULL in a key column (NULLs group together). */
const nullKey = Symbol("null");
/** Distinct values per key column when two keys combine into one number. */
const combinedCodeBase = 2 ** 26;

/**
 * A function giving row i's value as a Map key: equal SQL values give equal keys (Map keys
 * compare by SameValueZero: NaN = NaN, -0 = 0, bigints by value; NUMERIC and INTERVAL are
 * normalised), NULL gives {@link nullKey}.
 */
function rawKeys(c: Column): (i: number) => unknown {
  const v = c.validity;
  const data = c.data as ArrayLike<unknown> | null;
  if (c.kind === "unknown") return () => nullKey;
  const normalise = c.kind === "numeric"
    ? (x: unknown) => decKey(x as string)
    : c.kind === "interval"
    ? (x: unknown) => intervalSpan(parseInterval(x as string))
    : null;
  if (normalise === null) return (i) => (isValid(v, i) ? data![i] : nullKey);
  return (i) => (isValid(v, i) ? normalise(data![i]) : nullKey);
}

/** Codes the rows of one key column: equal SQL values get equal codes. */
function codeColumn(c: Column, length: number, dict: Map<unknown, number>, out: Uint32Array): void {
  const keyOf = rawKeys(c);
  // runs of one value (data sorted by series, then time) cost a compare, not a Map lookup
  let lastKey: unknown = undefined;
  let lastCode = 0;
  for (let i = 0; i < length; i++) {
    const key = keyOf(i);
    if (key === lastKey && i > 0) {
      out[i] = lastCode;
      continue;
    }
    let code = dict.get(key);
    if (code === undefined) {
      code = dict.size;
      dict.set(key, code);
    }
    out[i] = code;
    lastKey = key;
    lastCode = code;
  }
}

/** Maps key tuples to dense group ids and remembers each group's key values. */
export class GroupKeys {
  readonly #dicts: Map<unknown, number>[];
  readonly #combined = new Map<number | string, number>();
  #groups = 0;
  /** Key values per key column, indexed by group id. */
  readonly values: Value[][];

  constructor(readonly keyCount: number) {
    this.values = Array.from({ length: keyCount }, () => []);
    this.#dicts = Array.from({ length: keyCount }, () => new Map());
  }

  get size(): number {
    return this.keyCount === 0 ? Math.max(1, this.#groups) : this.#groups;
  }

  /** Group ids of `length` rows with key columns `keys`. */
  assign(keys: readonly Column[], length: number): Uint32Array {
    const out = new Uint32Array(length);
    if (this.keyCount === 0) {
      this.#groups = 1;
      return out;
    }
    assert(keys.length === this.keyCount, "key column count");
    const codes = keys.map((c, k) => {
      const col = new Uint32Array(length);
      codeColumn(c, length, this.#dicts[k]!, col);
      return col;
    });
    const single = this.keyCount === 1;
    const pair = this.keyCount === 2;
    if (
      pair && (this.#dicts[0]!.size >= combinedCodeBase || this.#dicts[1]!.size >= combinedCodeBase)
    ) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `more than ${combinedCodeBase} distinct values in one GROUP BY key`,
      );
    }
    let lastPair = -1;
    let lastPairId = 0;
    for (let i = 0; i < length; i++) {
      let id: number | undefined;
      let key: number | string;
      if (single) {
        // one key: the code is the group id (both are dense, in first-seen order)
        id = codes[0]![i]!;
        if (id === this.#groups) this.#addGroup(keys, i);
        out[i] = id;
        continue;
      }
      if (pair) {
        key = codes[0]![i]! * combinedCodeBase + codes[1]![i]!;
        if (key === lastPair && i > 0) {
          out[i] = lastPairId;
          continue;
        }
      } else {
        key = "";
        for (const c of codes) key += `${c[i]},`;
      }
      id = this.#combined.get(key);
      if (id === undefined) {
        id = this.#groups;
        this.#combined.set(key, id);
        this.#addGroup(keys, i);
      }
      out[i] = id;
      if (pair) {
        lastPair = key as number;
        lastPairId = id;
      }
    }
    return out;
  }

  #addGroup(keys: readonly Column[], i: number): void {
    for (let k = 0; k < keys.length; k++) this.values[k]!.push(valueAt(keys[k]!, i));
    this.#groups++;
  }
}

/**
 * Keys of a hash join: the build side's values are coded as small integers per key column;
 * the probe side only looks codes up, so a value the build side never had cannot match.
 */
export class JoinKeyCoder {
  readonly #dicts: Map<unknown, number>[];

  constructor(readonly keyCount: number) {
    this.#dicts = Array.from({ length: keyCount }, () => new Map());
  }

  /**
   * One combined key per row (a number for one or two key columns), or `null` when a key is
   * NULL or, probing, unknown to the build side: such a row matches nothing.
   */
  keys(cols: readonly Column[], length: number, build: boolean): (number | string | null)[] {
    const keyOfs = cols.map(rawKeys);
    const out = new Array<number | string | null>(length);
    const codes = new Array<number>(cols.length);
    for (let i = 0; i < length; i++) {
      let miss = false;
      for (let k = 0; k < cols.length; k++) {
        const raw = keyOfs[k]!(i);
        if (raw === nullKey) {
          miss = true;
          break;
        }
        const dict = this.#dicts[k]!;
        let code = dict.get(raw);
        if (code === undefined) {
          if (!build) {
            miss = true;
            break;
          }
          code = dict.size;
          dict.set(raw, code);
        }
        codes[k] = code;
      }
      if (miss) out[i] = null;
      else if (cols.length === 1) out[i] = codes[0]!;
      else if (
        cols.length === 2 && this.#dicts[0]!.size < combinedCodeBase &&
        this.#dicts[1]!.size < combinedCodeBase
      ) {
        out[i] = codes[0]! * combinedCodeBase + codes[1]!;
      } else out[i] = codes.join(",");
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
