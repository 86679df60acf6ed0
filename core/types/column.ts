/**
 * Columns: one typed array per column plus a validity bitmap (bit set = not NULL; `null` means
 * no NULLs). Hot loops work on `data` directly; {@link valueAt} and {@link columnFromValues} are
 * for edges (results, literals, tests), not for per-row work inside operators.
 *
 * @module
 */
import { assert, unreachable } from "../errors.ts";
import type { DataType, TypeKind } from "./data_type.ts";

/** The storage of each type kind. Timestamps are microseconds since the epoch; dates are days. */
export interface ColumnDataByKind {
  unknown: null;
  bool: Uint8Array;
  int2: Int16Array;
  int4: Int32Array;
  int8: BigInt64Array;
  float4: Float32Array;
  float8: Float64Array;
  /** Canonical decimal text, e.g. "12.50" (see numeric.ts). */
  numeric: string[];
  text: string[];
  varchar: string[];
  date: Int32Array;
  timestamp: Float64Array;
  timestamptz: Float64Array;
  /** Microseconds since midnight, 0 ..= 86,400,000,000 (24:00:00 is valid, as in PostgreSQL). */
  time: Float64Array;
  /** PostgreSQL interval text, e.g. "1 mon 2 days 03:00:00" (see interval.ts). */
  interval: string[];
  /** PostgreSQL array text, e.g. "{1,2,NULL}" (see array.ts). */
  array: string[];
}

/** A column of one kind. */
export type ColumnOf<K extends TypeKind> = {
  readonly kind: K;
  readonly type: Extract<DataType, { kind: K }>;
  readonly length: number;
  readonly data: ColumnDataByKind[K];
  /** Bit i set = row i is not NULL. `null` = no NULLs at all. */
  readonly validity: Uint8Array | null;
};

/** A column of any kind, discriminated by `kind`. */
export type Column = { [K in TypeKind]: ColumnOf<K> }[TypeKind];

/**
 * Dictionary codes a text column may carry beside its strings: `data[i] === dict[codes[i]]` for
 * every non-NULL row (a NULL row's code means nothing; unused entries may exist). Line-protocol
 * tags arrive this way, so the WAL, the series sort and the Parquet writer use small integers
 * instead of looking strings up per row. {@link takeColumn} and {@link concatColumns} keep them.
 */
export interface DictCodes {
  readonly dict: readonly string[];
  readonly codes: Int32Array;
}

/** A column that may carry {@link DictCodes} (only text-like columns do). */
export type CodedColumn = Column & { readonly dictCodes?: DictCodes };

/** The dictionary codes a column carries, if any. */
export function dictCodesOf(col: Column): DictCodes | undefined {
  return (col as CodedColumn).dictCodes;
}

/**
 * A column with dictionary codes attached.
 *
 * @example
 * ```ts
 * import { columnFromValues, dictCodesOf, takeColumn, withDictCodes } from "./column.ts";
 * import { Types } from "./mod.ts";
 * const c = withDictCodes(columnFromValues(Types.text, ["a", "b", "a"]), ["a", "b"], Int32Array.of(0, 1, 0));
 * console.assert(dictCodesOf(takeColumn(c, Uint32Array.of(2, 1)))!.codes.join() === "0,1");
 * ```
 */
export function withDictCodes(col: Column, dict: readonly string[], codes: Int32Array): Column {
  return { ...col, dictCodes: { dict, codes } } as CodedColumn;
}

/**
 * A text column's first `length` rows as a dictionary and a code per row, every code valid:
 * the codes the column carries (a NULL row, whose code means nothing, points at a "" entry
 * added for it), else built with one lookup per row (a NULL row reads its data slot, ""
 * when missing). `null` once more than `distinctMax` distinct values are met.
 *
 * @example
 * ```ts
 * import { columnFromValues, textDictionary } from "./column.ts";
 * import { Types } from "./mod.ts";
 * const d = textDictionary(columnFromValues(Types.text, ["a", "b", "a"]))!;
 * console.assert(d.dict.join() === "a,b" && d.codes.join() === "0,1,0");
 * console.assert(textDictionary(columnFromValues(Types.text, ["a", "b", "c"]), 3, 2) === null);
 * ```
 */
export function textDictionary(
  col: Column,
  length: number = col.length,
  distinctMax: number = Infinity,
): { dict: string[]; codes: Int32Array } | null {
  const codes = new Int32Array(length);
  const coded = dictCodesOf(col);
  if (coded !== undefined) {
    if (coded.dict.length > distinctMax) return null;
    const dict = [...coded.dict];
    const size = dict.length;
    for (let i = 0; i < length; i++) {
      const code = coded.codes[i]!;
      if (code < 0 || code >= size || (col.validity !== null && !isValid(col.validity, i))) {
        if (dict.length === size) dict.push("");
        codes[i] = size;
      } else codes[i] = code;
    }
    return dict.length > distinctMax ? null : { dict, codes };
  }
  const values = col.data as readonly string[];
  const ids = new Map<string, number>();
  const dict: string[] = [];
  for (let i = 0; i < length; i++) {
    const v = values[i] ?? "";
    let id = ids.get(v);
    if (id === undefined) {
      id = dict.length;
      if (id >= distinctMax) return null;
      ids.set(v, id);
      dict.push(v);
    }
    codes[i] = id;
  }
  return { dict, codes };
}

/** A single value at the edges of the engine: literals, results, tests. */
export type Value = null | boolean | number | bigint | string;

/** Bytes needed for a validity bitmap of `length` rows. */
export function validityBytes(length: number): number {
  return (length + 7) >>> 3;
}

/** A validity bitmap with every row valid. */
export function allValid(length: number): Uint8Array {
  return new Uint8Array(validityBytes(length)).fill(0xff);
}

/** Whether row `i` of a column is not NULL. */
export function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || (validity[i >>> 3]! & (1 << (i & 7))) !== 0;
}

/** Marks row `i` NULL in a bitmap. */
export function setNull(validity: Uint8Array, i: number): void {
  validity[i >>> 3]! &= ~(1 << (i & 7));
}

/** Allocates the data array of a kind. */
export function allocData<K extends TypeKind>(kind: K, length: number): ColumnDataByKind[K] {
  const k: TypeKind = kind;
  let out: ColumnDataByKind[TypeKind];
  switch (k) {
    case "unknown":
      out = null;
      break;
    case "bool":
      out = new Uint8Array(length);
      break;
    case "int2":
      out = new Int16Array(length);
      break;
    case "int4":
    case "date":
      out = new Int32Array(length);
      break;
    case "int8":
      out = new BigInt64Array(length);
      break;
    case "float4":
      out = new Float32Array(length);
      break;
    case "float8":
    case "timestamp":
    case "timestamptz":
    case "time":
      out = new Float64Array(length);
      break;
    case "text":
    case "varchar":
      out = new Array<string>(length).fill("");
      break;
    case "numeric":
      out = new Array<string>(length).fill("0");
      break;
    case "interval":
      out = new Array<string>(length).fill("00:00:00");
      break;
    case "array":
      out = new Array<string>(length).fill("{}");
      break;
    default:
      unreachable(k, "type kind");
  }
  return out as ColumnDataByKind[K];
}

/** Builds a column from its parts. */
export function makeColumn(
  type: DataType,
  length: number,
  data: ColumnDataByKind[TypeKind],
  validity: Uint8Array | null,
): Column {
  return { kind: type.kind, type, length, data, validity } as Column;
}

/** A column of `length` NULLs. */
export function nullColumn(type: DataType, length: number): Column {
  return makeColumn(
    type,
    length,
    allocData(type.kind, length),
    new Uint8Array(validityBytes(length)),
  );
}

/** The value at row `i`, as a JS value: int8 is a bigint, timestamps are microseconds. */
export function valueAt(col: Column, i: number): Value {
  if (!(i >= 0 && i < col.length)) assert(false, `row ${i} out of range ${col.length}`); // no message built on the hot path
  if (!isValid(col.validity, i)) return null;
  switch (col.kind) {
    case "unknown":
      return null;
    case "bool":
      return col.data[i] !== 0;
    case "int2":
    case "int4":
    case "float4":
    case "float8":
    case "date":
    case "timestamp":
    case "timestamptz":
    case "time":
      return col.data[i]!;
    case "int8":
      return col.data[i]!;
    case "text":
    case "varchar":
    case "numeric":
    case "interval":
    case "array":
      return col.data[i]!;
    default:
      return unreachable(col, "column");
  }
}

/**
 * Builds a column from JS values already of the right JS type (see {@link valueAt}); `null` is
 * NULL.
 *
 * @example
 * ```ts
 * import { columnFromValues, valueAt } from "./column.ts";
 * import { Types } from "./data_type.ts";
 * const c = columnFromValues(Types.int4, [1, null, 3]);
 * console.assert(valueAt(c, 1) === null && valueAt(c, 2) === 3);
 * ```
 */
export function columnFromValues(type: DataType, values: readonly Value[]): Column {
  const n = values.length;
  const data = allocData(type.kind, n);
  let validity: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      validity ??= allValid(n);
      setNull(validity, i);
      continue;
    }
    if (data === null) continue;
    if (data instanceof BigInt64Array) data[i] = typeof v === "bigint" ? v : BigInt(v as number);
    else if (Array.isArray(data)) data[i] = String(v);
    else if (data instanceof Uint8Array) data[i] = v ? 1 : 0;
    else data[i] = Number(v);
  }
  return makeColumn(type, n, data, validity);
}

/**
 * Rows `[start, start + count)` of a column: typed data and dictionary codes are zero-copy views;
 * the validity bitmap is a view when `start` is a multiple of 8 (byte aligned), else a copy with
 * the bits shifted. Text data (an array) is copied.
 *
 * @example
 * ```ts
 * import { columnFromValues, sliceColumn, valueAt } from "./column.ts";
 * import { Types } from "./mod.ts";
 * const c = sliceColumn(columnFromValues(Types.int4, [1, null, 3, 4]), 1, 2);
 * console.assert(c.length === 2 && valueAt(c, 0) === null && valueAt(c, 1) === 3);
 * ```
 */
export function sliceColumn(col: Column, start: number, count: number): Column {
  if (start === 0 && count === col.length) return col;
  // typed data is always a view; only the validity bitmap needs `start` byte aligned
  const aligned = start % 8 === 0;
  const src = col.data;
  const data = src === null
    ? null
    : !Array.isArray(src)
    ? (src as Float64Array).subarray(start, start + count)
    : src.slice(start, start + count);
  let validity: Uint8Array | null = null;
  if (col.validity !== null) {
    if (aligned) validity = col.validity.subarray(start >>> 3, (start + count + 7) >>> 3);
    else {
      validity = allValid(count);
      for (let i = 0; i < count; i++) {
        if (!isValid(col.validity, start + i)) setNull(validity, i);
      }
    }
  } else if (col.kind === "unknown") {
    validity = new Uint8Array(validityBytes(count));
  }
  const out = makeColumn(col.type, count, data as Column["data"], validity);
  const coded = dictCodesOf(col);
  if (coded === undefined) return out;
  return withDictCodes(out, coded.dict, coded.codes.subarray(start, start + count));
}

/** Copies the rows at `indices` into a new column (a gather). */
export function takeColumn(col: Column, indices: Uint32Array, count = indices.length): Column {
  const data = allocData(col.kind, count);
  const src = col.data;
  if (src !== null && data !== null) {
    if (Array.isArray(src)) {
      const dst = data as string[];
      for (let i = 0; i < count; i++) dst[i] = src[indices[i]!]!;
    } else {
      const dst = data as typeof src;
      for (let i = 0; i < count; i++) dst[i] = src[indices[i]!]!;
    }
  }
  let validity: Uint8Array | null = null;
  if (col.validity !== null) {
    validity = allValid(count);
    for (let i = 0; i < count; i++) if (!isValid(col.validity, indices[i]!)) setNull(validity, i);
  } else if (col.kind === "unknown") {
    validity = new Uint8Array(validityBytes(count));
  }
  const out = makeColumn(col.type, count, data, validity);
  const coded = dictCodesOf(col);
  if (coded === undefined) return out;
  const codes = new Int32Array(count);
  for (let i = 0; i < count; i++) codes[i] = coded.codes[indices[i]!]!;
  return withDictCodes(out, coded.dict, codes);
}

/** Concatenates columns of the same type. */
export function concatColumns(type: DataType, cols: readonly Column[]): Column {
  let n = 0;
  for (const c of cols) n += c.length;
  const data = allocData(type.kind, n);
  let validity: Uint8Array | null = null;
  let off = 0;
  for (const c of cols) {
    if (data !== null && c.data !== null) {
      if (Array.isArray(data)) {
        const src = c.data as string[];
        for (let i = 0; i < c.length; i++) data[off + i] = src[i]!;
      } else {
        (data as Float64Array).set(c.data as unknown as Float64Array, off);
      }
    }
    if (c.validity !== null || c.kind === "unknown") {
      validity ??= allValid(n);
      for (let i = 0; i < c.length; i++) {
        if (!isValid(c.validity, i) || c.kind === "unknown") setNull(validity, off + i);
      }
    }
    off += c.length;
  }
  const out = makeColumn(type, n, data, validity);
  return cols.length > 0 && cols.every((c) => dictCodesOf(c) !== undefined)
    ? concatDictCodes(out, cols)
    : out;
}

/**
 * Attaches the codes of columns that all carry {@link DictCodes} to their concatenation: one
 * dictionary for all (a Map lookup per dictionary entry, a table lookup per row).
 */
function concatDictCodes(out: Column, cols: readonly Column[]): Column {
  const first = dictCodesOf(cols[0]!)!.dict;
  const codes = new Int32Array(out.length);
  if (cols.every((c) => dictCodesOf(c)!.dict === first)) {
    let off = 0;
    for (const c of cols) {
      codes.set(dictCodesOf(c)!.codes.subarray(0, c.length), off);
      off += c.length;
    }
    return withDictCodes(out, first, codes);
  }
  const index = new Map<string, number>();
  const dict: string[] = [];
  let off = 0;
  for (const c of cols) {
    const coded = dictCodesOf(c)!;
    const remap = new Int32Array(coded.dict.length);
    for (let k = 0; k < coded.dict.length; k++) {
      const v = coded.dict[k]!;
      let id = index.get(v);
      if (id === undefined) {
        id = dict.length;
        index.set(v, id);
        dict.push(v);
      }
      remap[k] = id;
    }
    const src = coded.codes;
    for (let i = 0; i < c.length; i++) {
      const code = src[i]!;
      // a NULL row's code may be anything: keep it in range
      codes[off + i] = code >= 0 && code < remap.length ? remap[code]! : 0;
    }
    off += c.length;
  }
  return withDictCodes(out, dict, codes);
}
