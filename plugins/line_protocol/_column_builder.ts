/**
 * Growable columns that the line-protocol parser appends committed rows to: one typed array per
 * column (doubling), a validity bitmap allocated at the first NULL, and `finish` turning them into
 * OmenDB {@link Column}s without copying (the arrays are `subarray`s of the builders' storage).
 *
 * Rows are written in increasing order; a row a column skips is NULL. Only committed rows ever
 * reach a builder (the parser stages a line's values first), so a rejected line leaves no trace.
 *
 * @module
 */
import { assert } from "../../core/errors.ts";
import { type Column, makeColumn, validityBytes, withDictCodes } from "../../core/types/column.ts";
import { Types } from "../../core/types/data_type.ts";

/** The kinds a column can take: the five field types and tags. Numbered for the hot loops. */
export const kindFloat = 0;
/** `1i`: int64. */
export const kindInteger = 1;
/** `1u`: uint64 within int64's range. */
export const kindUnsigned = 2;
/** `"text"`. */
export const kindString = 3;
/** `t`, `false`, ... */
export const kindBoolean = 4;
/** A tag (always a string). */
export const kindTag = 5;

/** The names of the kinds, as InfluxDB spells them in errors. */
export const kindNames: readonly string[] = [
  "float",
  "integer",
  "unsigned",
  "string",
  "boolean",
  "tag",
];

const emptyF64 = new Float64Array(0);
const emptyI64 = new BigInt64Array(0);
const emptyI32 = new Int32Array(0);
const emptyU8 = new Uint8Array(0);

/** Whether int64 values can be written as two little-endian int32 words. */
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const twoTo32 = 4294967296;

/** One column being built. Every instance has the same shape whatever its kind. */
export class ColumnBuilder {
  /** The column's name (tag or field key). */
  readonly name: string;
  /** One of the `kind*` constants. */
  readonly kind: number;
  /** Rows `[0, filled)` hold a value or are NULL; the next write is at `filled` or later. */
  filled = 0;
  /** Rows the arrays hold. */
  capacity: number;
  /** Float data. */
  f64: Float64Array = emptyF64;
  /** Integer and unsigned data. */
  i64: BigInt64Array = emptyI64;
  /** `i64` as int32 words (little-endian), for writes without a BigInt per value. */
  i32: Int32Array = emptyI32;
  /** Boolean data, 0 or 1 per row. */
  u8: Uint8Array = emptyU8;
  /** String and tag data ("" for NULL rows). */
  strs: string[] = [];
  /** Tags: per row, the value's code in {@link dict} (0 for NULL rows). */
  codes: Int32Array = emptyI32;
  /** Tags: the distinct values, in first-seen order. */
  readonly dict: string[] = [];
  readonly #dictIndex = new Map<string, number>();
  /** Bit set = row not NULL; `null` while no row is NULL. */
  validity: Uint8Array | null = null;
  /** Parser scratch: the line in which this column last got a value, and that value's slot. */
  lineStamp = -1;
  /** Parser scratch: the slot of this column's value in the line being parsed. */
  slot = -1;

  constructor(name: string, kind: number, capacity: number) {
    assert(capacity >= 1 && kind >= kindFloat && kind <= kindTag, "column builder arguments");
    this.name = name;
    this.kind = kind;
    this.capacity = capacity;
    this.#allocate(capacity);
  }

  #allocate(capacity: number): void {
    switch (this.kind) {
      case kindFloat:
        this.f64 = new Float64Array(capacity);
        break;
      case kindInteger:
      case kindUnsigned:
        this.i64 = new BigInt64Array(capacity);
        this.i32 = new Int32Array(this.i64.buffer);
        break;
      case kindBoolean:
        this.u8 = new Uint8Array(capacity);
        break;
      case kindTag:
        this.codes = new Int32Array(capacity);
        break;
      default:
        break; // strings grow by push
    }
  }

  /** Makes room for row `row`: at least doubles. */
  grow(row: number): void {
    const capacity = Math.max(this.capacity * 2, row + 1);
    const f64 = this.f64;
    const i64 = this.i64;
    const u8 = this.u8;
    const codes = this.codes;
    this.#allocate(capacity);
    if (codes.length > 0) this.codes.set(codes);
    if (f64.length > 0) this.f64.set(f64);
    if (i64.length > 0) this.i64.set(i64);
    if (u8.length > 0) this.u8.set(u8);
    if (this.validity !== null) {
      const v = new Uint8Array(validityBytes(capacity)).fill(0xff);
      v.set(this.validity);
      this.validity = v;
    }
    this.capacity = capacity;
  }

  /** Marks rows `[filled, to)` NULL. */
  nullsUpTo(to: number): void {
    let v = this.validity;
    if (v === null) v = this.validity = new Uint8Array(validityBytes(this.capacity)).fill(0xff);
    for (let i = this.filled; i < to; i++) v[i >>> 3]! &= ~(1 << (i & 7));
    if (this.kind === kindString || this.kind === kindTag) {
      for (let i = this.filled; i < to; i++) this.strs.push("");
    }
    this.filled = to;
  }

  /** Writes a float at row `row`. */
  setFloat(row: number, value: number): void {
    if (row >= this.capacity) this.grow(row);
    if (row !== this.filled) this.nullsUpTo(row);
    this.f64[row] = value;
    this.filled = row + 1;
  }

  /** Writes an integer at row `row`: `big` when not null, else `value` (a safe integer). */
  setInteger(row: number, value: number, big: bigint | null): void {
    if (row >= this.capacity) this.grow(row);
    if (row !== this.filled) this.nullsUpTo(row);
    if (big !== null) {
      this.i64[row] = big;
    } else if (littleEndian) {
      const hi = Math.floor(value / twoTo32);
      this.i32[2 * row] = (value - hi * twoTo32) | 0;
      this.i32[2 * row + 1] = hi | 0;
    } else {
      this.i64[row] = BigInt(value);
    }
    this.filled = row + 1;
  }

  /** Writes a boolean (0 or 1) at row `row`. */
  setBoolean(row: number, value: number): void {
    if (row >= this.capacity) this.grow(row);
    if (row !== this.filled) this.nullsUpTo(row);
    this.u8[row] = value;
    this.filled = row + 1;
  }

  /** Writes a string or tag value at row `row`. */
  setString(row: number, value: string): void {
    if (row >= this.capacity) this.grow(row);
    if (row !== this.filled) this.nullsUpTo(row);
    this.strs.push(value);
    this.filled = row + 1;
  }

  /** A tag value's code in this column's dictionary (added when new). */
  codeOf(value: string): number {
    let code = this.#dictIndex.get(value);
    if (code === undefined) {
      code = this.dict.length;
      this.#dictIndex.set(value, code);
      this.dict.push(value);
    }
    return code;
  }

  /** Writes a tag at row `row`: its value and its code (from {@link codeOf}). */
  setTag(row: number, value: string, code: number): void {
    if (row >= this.capacity) this.grow(row);
    if (row !== this.filled) this.nullsUpTo(row);
    this.strs.push(value);
    this.codes[row] = code;
    this.filled = row + 1;
  }

  /** Undoes a write at row `row` (the last one): the column holds rows `[0, row)` again. */
  rewind(row: number): void {
    if (this.filled !== row + 1) return;
    this.filled = row;
    if (this.kind === kindString || this.kind === kindTag) this.strs.pop();
  }

  /** The finished column of `rows` rows (rows never written are NULL). */
  finish(rows: number): Column {
    if (rows > this.capacity) this.grow(rows - 1);
    if (this.filled < rows) this.nullsUpTo(rows);
    assert(this.filled === rows, `column ${this.name} has ${this.filled} rows, expected ${rows}`);
    const validity = this.validity === null ? null : this.validity.subarray(0, validityBytes(rows));
    switch (this.kind) {
      case kindFloat:
        return makeColumn(Types.float8, rows, this.f64.subarray(0, rows), validity);
      case kindInteger:
      case kindUnsigned:
        return makeColumn(Types.int8, rows, this.i64.subarray(0, rows), validity);
      case kindBoolean:
        return makeColumn(Types.bool, rows, this.u8.subarray(0, rows), validity);
      case kindTag: {
        assert(this.strs.length === rows, `tag column ${this.name} length`);
        const column = makeColumn(Types.text, rows, this.strs, validity);
        return withDictCodes(column, this.dict, this.codes.subarray(0, rows));
      }
      default:
        assert(this.strs.length === rows, `string column ${this.name} length`);
        return makeColumn(Types.text, rows, this.strs, validity);
    }
  }
}
