/**
 * InfluxDB line protocol -> columns, in one pass over the bytes.
 *
 * Per line:
 * - the key (measurement and tag set as written) is hashed while looking for its end, 4 bytes at
 *   a time, and looked up in a per-body series cache: a hit gives the measurement, its tag
 *   columns and the tag strings without decoding anything;
 * - each field key is compared, 4 bytes at a time, with the key at the same position in the
 *   measurement's previous lines (TSBS-like bodies always hit); a miss decodes it;
 * - numbers are parsed from the bytes (Clinger's fast path, exact); only unusual numbers build a
 *   string;
 * - values of known columns are written in place at the measurement's next row; if the line is
 *   then rejected they are rolled back (`rewind`), and values of columns new to the measurement
 *   are staged until the line is known to be good, so a rejected line leaves nothing behind;
 * - every scan stops at `\n`, so the line's end is found by parsing it; only blank, comment and
 *   rejected lines are looked at again with the exact end from `indexOf`, and that second look
 *   decides (and words) the error.
 *
 * Grammar, types, limits and errors: docs/line_protocol.md.
 *
 * @module
 */
import { assert, DbError, SqlState } from "../../core/errors.ts";
import { type Column, isValid } from "../../core/types/column.ts";
import type { TypeKind } from "../../core/types/data_type.ts";
import {
  ColumnBuilder,
  kindBoolean,
  kindFloat,
  kindInteger,
  kindNames,
  kindString,
  kindTag,
  kindUnsigned,
} from "./_column_builder.ts";
import {
  type LineError,
  type LineProtocolFieldType,
  lpColumnsPerMeasurementMaxDefault,
  lpErrorLineBytesMax,
  lpErrorsMaxDefault,
  lpFieldsPerLineMax,
  lpInitialRowsMax,
  lpKeyBytesMaxDefault,
  lpLineBytesMaxDefault,
  lpLinesMaxDefault,
  lpMeasurementsMaxDefault,
  lpPreallocatedBytesMax,
  lpSeriesCacheEntriesMax,
  lpTagsPerLineMax,
  type ParsedField,
  type ParsedMeasurement,
  type ParseLineProtocolOptions,
  type ParseResult,
  type Precision,
} from "./types.ts";

const charTab = 0x09;
const charNewline = 0x0a;
const charReturn = 0x0d;
const charSpace = 0x20;
const charQuote = 0x22;
const charHash = 0x23;
const charPlus = 0x2b;
const charComma = 0x2c;
const charMinus = 0x2d;
const charDot = 0x2e;
const charZero = 0x30;
const charEquals = 0x3d;
const charBackslash = 0x5c;
const charLowerE = 0x65;
const charLowerI = 0x69;
const charLowerU = 0x75;

/** Which characters a backslash escapes in each kind of text. */
const escapesMeasurement = 1;
const escapesKey = 2;
const escapesString = 3;

const fnvOffset = 0x811c9dc5 | 0;
const fnvPrime = 0x01000193;
/** Exact powers of ten (10^22 is the largest a double holds exactly). */
const pow10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const safeMax = Number.MAX_SAFE_INTEGER;
const int64Max = 9223372036854775807n;
const int64Min = -9223372036854775808n;
const uint64Max = 18446744073709551615n;
/** InfluxDB's time range in nanoseconds: ±(2^63 - 2). */
const nanosMax = 9223372036854775806n;

/** Microseconds per unit, and nanoseconds per unit, for each precision. */
const precisionMicros: Readonly<Record<Precision, number>> = {
  ns: 0,
  n: 0,
  us: 1,
  u: 1,
  ms: 1e3,
  s: 1e6,
  m: 6e7,
  h: 3.6e9,
};
/** Nanoseconds per unit of each precision. */
export const precisionNanos: Readonly<Record<Precision, bigint>> = {
  ns: 1n,
  n: 1n,
  us: 1_000n,
  u: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Lossy = new TextDecoder("utf-8", { ignoreBOM: true });

/** Strings of at most this many ASCII bytes are built with `String.fromCharCode`. */
const asciiFastBytesMax = 16;

/** The SQL type kinds each column kind fits into, for `tableColumns`. */
const fitsTable: readonly (readonly TypeKind[])[] = [
  ["float8"],
  ["int8"],
  ["int8"],
  ["text", "varchar"],
  ["bool"],
  ["text", "varchar"],
];

/** How a table's column type reads in a conflict message. */
function tableTypeName(kind: TypeKind): string {
  switch (kind) {
    case "float8":
      return "float";
    case "int8":
      return "integer";
    case "text":
    case "varchar":
      return "string";
    case "bool":
      return "boolean";
    default:
      return kind;
  }
}

/** Field positions a measurement remembers before its first wider line. */
const measurementSlotsInitial = 16;
/** Rows a measurement allocates when it is not the body's first (the first gets the guess). */
const measurementRowsInitial = 16;

/** Rows a new column allocates when it does not take its measurement's guess (then doubles). */
const columnRowsInitial = 64;

/** A measurement being built. */
class MeasurementBuilder {
  readonly name: string;
  rows = 0;
  /** Rows `time` holds; allocated by the first accepted line. */
  capacity = 0;
  time: Float64Array = new Float64Array(0);
  subMicrosecondRows = 0;
  /** Per row, the nanoseconds below the microsecond (0-999); allocated by the first such row. */
  nanos: Uint16Array | null = null;
  /** Tags and fields by name, in first-seen order. */
  readonly columns = new Map<string, ColumnBuilder>();
  /** The table's existing columns, from `tableColumns`. */
  readonly table: ReadonlyMap<string, TypeKind> | undefined;
  /**
   * Field keys of the last committed lines by position: raw bytes in the body, and column.
   * Positions `[0, slotCount)` are set; the arrays grow with the widest line.
   */
  slotCount = 0;
  slotStart = new Int32Array(measurementSlotsInitial);
  slotLength = new Int32Array(measurementSlotsInitial);
  slotColumn: ColumnBuilder[] = [];

  constructor(name: string, table: ReadonlyMap<string, TypeKind> | undefined) {
    this.name = name;
    this.table = table;
  }

  /** Remembers the key of field position `f` of a committed line. */
  setSlot(f: number, start: number, length: number, column: ColumnBuilder): void {
    if (f >= this.slotStart.length) {
      const size = Math.min(Math.max(this.slotStart.length * 2, f + 1), lpFieldsPerLineMax);
      const s = new Int32Array(size);
      s.set(this.slotStart);
      this.slotStart = s;
      const l = new Int32Array(size);
      l.set(this.slotLength);
      this.slotLength = l;
    }
    this.slotStart[f] = start;
    this.slotLength[f] = length;
    this.slotColumn[f] = column;
  }
}

/** A cached series key: the bytes (in the body), and what they resolved to. */
interface SeriesEntry {
  readonly keyStart: number;
  readonly keyLength: number;
  readonly measurement: MeasurementBuilder;
  readonly tagColumns: readonly ColumnBuilder[];
  readonly tagValues: readonly string[];
  /** Each tag value's code in its column's dictionary. */
  readonly tagCodes: Int32Array;
}

function checkInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new DbError(
      SqlState.invalidParameterValue,
      `line protocol: ${name} must be an integer >= ${min}, got ${v}`,
    );
  }
  return v;
}

/** The parser of one body. */
class Parser {
  readonly buf: Uint8Array;
  /** The body as a DataView, to compare 4 bytes at a time. */
  readonly view: DataView;
  readonly defaultTime: number;
  readonly precision: Precision;
  readonly micros: number;
  readonly linesMax: number;
  readonly lineBytesMax: number;
  readonly keyBytesMax: number;
  readonly errorsMax: number;
  readonly columnsMax: number;
  readonly measurementsMax: number;
  readonly tableColumns: ParseLineProtocolOptions["tableColumns"];
  readonly initialRows: number;
  /** Bytes allocated for rows guessed, not yet written (bounded by lpPreallocatedBytesMax). */
  preallocatedBytes = 0;

  readonly measurements = new Map<string, MeasurementBuilder>();
  readonly errors: LineError[] = [];
  rejected = 0;
  points = 0;

  /** Why the current line fails, and whether it is a conflict (not wrapped in "unable to parse"). */
  reason = "";
  conflict = false;

  // Series cache: open addressing over hashes; `seriesSlot` holds index + 1 into `series`.
  seriesMask = 1023;
  seriesHash = new Int32Array(1024);
  seriesSlot = new Int32Array(1024);
  readonly series: SeriesEntry[] = [];

  // The line being parsed.
  lineStamp = 0;
  /** Set by number and string parsing. */
  numValue = 0;
  numBig: bigint | null = null;
  strValue = "";
  /** The row the line being parsed writes (in its measurement). */
  lineMeasurementRow = 0;
  /** Known columns the line has written so far (undone if it is rejected). */
  touchedCount = 0;
  readonly touched: ColumnBuilder[] = [];
  /** Field positions whose key was not the predicted one: position, key bytes, column. */
  missCount = 0;
  readonly missField = new Int32Array(lpFieldsPerLineMax);
  readonly missStart = new Int32Array(lpFieldsPerLineMax);
  readonly missLength = new Int32Array(lpFieldsPerLineMax);
  readonly missColumn: (ColumnBuilder | null)[] = new Array(lpFieldsPerLineMax).fill(null);
  readonly missNew = new Int32Array(lpFieldsPerLineMax);
  /** Staged values of new columns, one slot per column: its index, kind, value. */
  slotCount = 0;
  readonly slotNew = new Int32Array(lpFieldsPerLineMax);
  readonly slotKind = new Uint8Array(lpFieldsPerLineMax);
  readonly slotNum = new Float64Array(lpFieldsPerLineMax);
  readonly slotBig: (bigint | null)[] = new Array(lpFieldsPerLineMax).fill(null);
  readonly slotStr: string[] = new Array(lpFieldsPerLineMax).fill("");
  /** Columns this line adds: name -> index; their names and kinds, and value slots (-1: tag). */
  newCount = 0;
  readonly newIndex = new Map<string, number>();
  readonly newName: string[] = [];
  readonly newKind: number[] = [];
  readonly newSlot: number[] = [];
  /** The columns `commitNew` created, by new index. */
  readonly newColumns: ColumnBuilder[] = [];
  /** A series key that missed the cache, parsed: its tags (column, or -1 - new index) and values. */
  keyMeasurement: MeasurementBuilder | null = null;
  readonly keyTagColumn: (ColumnBuilder | number)[] = [];
  readonly keyTagValue: string[] = [];
  /** Unescaping buffer. */
  scratch = new Uint8Array(256);

  constructor(buf: Uint8Array, options: ParseLineProtocolOptions) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const t = options.defaultTimeMicros;
    if (typeof t !== "number" || !Number.isFinite(t)) {
      throw new DbError(
        SqlState.invalidParameterValue,
        `line protocol: defaultTimeMicros must be a finite number, got ${t}`,
      );
    }
    this.defaultTime = Math.floor(t);
    const precision = options.precision ?? "ns";
    if (!Object.hasOwn(precisionMicros, precision)) {
      throw new DbError(
        SqlState.invalidParameterValue,
        `line protocol: unknown precision "${precision}" (use ns, us, ms, s, m or h)`,
      );
    }
    this.precision = precision;
    this.micros = precisionMicros[precision];
    this.linesMax = checkInt("linesMax", options.linesMax, lpLinesMaxDefault);
    this.lineBytesMax = checkInt("lineBytesMax", options.lineBytesMax, lpLineBytesMaxDefault);
    this.keyBytesMax = checkInt("keyBytesMax", options.keyBytesMax, lpKeyBytesMaxDefault);
    this.errorsMax = checkInt("errorsMax", options.errorsMax, lpErrorsMaxDefault, 0);
    this.columnsMax = checkInt(
      "columnsPerMeasurementMax",
      options.columnsPerMeasurementMax,
      lpColumnsPerMeasurementMaxDefault,
    );
    this.measurementsMax = checkInt(
      "measurementsMax",
      options.measurementsMax,
      lpMeasurementsMaxDefault,
    );
    this.tableColumns = options.tableColumns;
    // Rows per new measurement: guess the body's lines from its first line's length.
    let firstLine = buf.indexOf(charNewline);
    if (firstLine < 0) firstLine = buf.length;
    const guess = Math.ceil((buf.length / Math.max(firstLine + 1, 16)) * 1.1) + 16;
    this.initialRows = Math.min(guess, lpInitialRowsMax, this.linesMax);
  }

  /** Parses the whole body. */
  run(): ParseResult {
    const buf = this.buf;
    const n = buf.length;
    let pos = 0;
    let line = 0;
    while (pos < n) {
      line++;
      if (line > this.linesMax) {
        throw new DbError(
          SqlState.programLimitExceeded,
          `Cannot parse line protocol: more than ${this.linesMax} lines in one body`,
        );
      }
      // Optimistic: parse up to whatever ends the line; on success that is the line's `\n`.
      const first = buf[pos]!;
      if (first > charSpace && first !== charHash) {
        const nl = this.parseLine(pos, n);
        if (nl >= 0) {
          pos = nl + 1;
          continue;
        }
        this.rollback();
      }
      // Exact: find the line's end first (blank and comment lines, rejected lines).
      let nl = buf.indexOf(charNewline, pos);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > pos && buf[end - 1] === charReturn) end--;
      let start = pos;
      pos = nl + 1;
      // Leading whitespace, blank lines, comments.
      let b = buf[start];
      if (b === charSpace || b === charTab) {
        while (start < end && (buf[start] === charSpace || buf[start] === charTab)) start++;
        b = buf[start];
      }
      if (start >= end || b === charHash) continue;
      if (end - start > this.lineBytesMax) {
        this.reason = `line too long: ${end - start} bytes > ${this.lineBytesMax}`;
        this.conflict = false;
        this.reject(line, start, end);
        continue;
      }
      if (this.parseLine(start, end) < 0) {
        this.rollback();
        this.reject(line, start, end);
      }
    }
    return this.finish(line);
  }

  /** Undoes the writes of a rejected line. */
  rollback(): void {
    const row = this.lineMeasurementRow;
    for (let i = 0; i < this.touchedCount; i++) this.touched[i]!.rewind(row);
    this.touchedCount = 0;
  }

  /** Creates the columns the line adds and writes their staged values at `row`. */
  commitNew(m: MeasurementBuilder, row: number): void {
    const columns = this.newColumns;
    columns.length = 0;
    for (let i = 0; i < this.newCount; i++) {
      // With the measurement's first line, a column takes the measurement's guess of rows while
      // the body's preallocation budget lasts; otherwise it starts small and doubles.
      let capacity = Math.max(columnRowsInitial, 2 * row);
      if (row === 0 && this.preallocatedBytes + m.capacity * 8 <= lpPreallocatedBytesMax) {
        capacity = m.capacity;
        this.preallocatedBytes += capacity * 8;
      }
      const c = new ColumnBuilder(this.newName[i]!, this.newKind[i]!, capacity);
      m.columns.set(c.name, c);
      columns.push(c);
    }
    for (let s = 0; s < this.slotCount; s++) {
      const c = columns[this.slotNew[s]!]!;
      switch (this.slotKind[s]) {
        case kindFloat:
          c.setFloat(row, this.slotNum[s]!);
          break;
        case kindInteger:
        case kindUnsigned:
          c.setInteger(row, this.slotNum[s]!, this.slotBig[s]!);
          break;
        case kindBoolean:
          c.setBoolean(row, this.slotNum[s]!);
          break;
        default:
          c.setString(row, this.slotStr[s]!);
      }
    }
  }

  reject(line: number, start: number, end: number): void {
    this.rejected++;
    if (this.errors.length >= this.errorsMax) return;
    let reason = this.reason;
    if (!this.conflict) {
      const cut = end - start > lpErrorLineBytesMax;
      const text = utf8Lossy.decode(
        this.buf.subarray(start, cut ? start + lpErrorLineBytesMax : end),
      );
      reason = `unable to parse '${text}${cut ? "..." : ""}': ${reason}`;
    }
    this.errors.push({ line, reason });
  }

  fail(reason: string): false {
    this.reason = reason;
    this.conflict = false;
    return false;
  }

  /** {@link fail} for the scanners that return a position: -1. */
  failAt(reason: string): number {
    this.fail(reason);
    return -1;
  }

  /** {@link conflictWith} for {@link parseLine}: -1. */
  conflictAt(
    what: "field" | "tag",
    name: string,
    m: string,
    kind: number,
    existing: string,
  ): number {
    this.conflictWith(what, name, m, kind, existing);
    return -1;
  }

  conflictWith(
    what: "field" | "tag",
    name: string,
    m: string,
    kind: number,
    existing: string,
  ): false {
    this.reason = `field type conflict: input ${what} "${name}" on measurement "${m}" is type ${
      kindNames[kind]
    }, already exists as type ${existing}`;
    this.conflict = true;
    return false;
  }

  /**
   * Parses the line at `start` (no leading whitespace) and commits it. The line ends at the first
   * `\n` (a `\r` before it is dropped) or at `end`: called with `end` = the body's end it finds
   * the line's end itself, as every scan stops at `\n`. Returns the position of the `\n` (or
   * `end`), or -1 with the reason set; a failure is decided again with the exact end (`indexOf`).
   */
  parseLine(start: number, end: number): number {
    const buf = this.buf;
    this.lineStamp++;
    assert(this.touchedCount === 0, "a rejected line was not rolled back");
    this.missCount = 0;
    this.slotCount = 0;
    if (this.newCount !== 0) {
      this.newCount = 0;
      this.newIndex.clear();
    }
    // The key: up to the first unescaped space, hashed on the way: 4 bytes at a time while no
    // byte of the word is a backslash or at most a space (SWAR: "has a byte less than 0x21",
    // "has a zero byte" after xor with backslashes), then byte by byte.
    let p = start;
    let h = fnvOffset;
    const view = this.view;
    while (p + 4 <= end) {
      const w = view.getInt32(p, true);
      const x = w ^ 0x5c5c5c5c;
      if ((((w - 0x21212121) & ~w) | ((x - 0x01010101) & ~x)) & 0x80808080) break;
      h = Math.imul(h ^ w, fnvPrime);
      h ^= h >>> 15;
      p += 4;
    }
    for (;;) {
      if (p >= end) return this.parseKeyFails(start, end);
      const b = buf[p]!;
      if (b <= charSpace) {
        if (b === charSpace) break;
        if (b === charNewline) return this.parseKeyFails(start, p);
      }
      h = Math.imul(h ^ b, fnvPrime);
      p++;
      if (b === charBackslash && p < end && buf[p] !== charNewline) {
        h = Math.imul(h ^ buf[p]!, fnvPrime);
        p++;
      }
    }
    const keyEnd = p;
    const keyLength = keyEnd - start;
    if (keyLength > this.keyBytesMax) {
      return this.failAt(`max key length exceeded: ${keyLength} > ${this.keyBytesMax}`);
    }
    const series = this.findSeries(h, start, keyLength);
    let m: MeasurementBuilder;
    if (series !== null) {
      m = series.measurement;
    } else {
      if (!this.parseKey(start, keyEnd, true)) return -1;
      m = this.keyMeasurement!;
    }

    // The fields. Values of known columns go straight into them at row `row` (undone by
    // `rollback` if the line is rejected); values of columns new to the measurement are staged.
    const row = m.rows;
    this.lineMeasurementRow = row;
    while (p < end && (buf[p] === charSpace || buf[p] === charTab)) p++;
    if (this.isEnd(p, end)) return this.failAt("missing fields");
    const stamp = this.lineStamp;
    const slotStart = m.slotStart;
    const slotLength = m.slotLength;
    let j = 0;
    for (;; j++) {
      if (j >= lpFieldsPerLineMax) {
        return this.failAt(`too many fields: more than ${lpFieldsPerLineMax} in one line`);
      }
      const keyStart = p;
      let column: ColumnBuilder | null = null;
      let isNew = -1;
      let kl = -1;
      if (j < m.slotCount) {
        const len = slotLength[j]!;
        if (p + len < end && buf[p + len] === charEquals) {
          if (bytesEqual(this.view, buf, p, slotStart[j]!, len)) {
            kl = len;
            column = m.slotColumn[j]!;
          }
        }
      }
      if (kl < 0) {
        // Not the key at this position last time: scan, unescape, look it up.
        kl = this.scanFieldKey(p, end);
        if (kl < 0) return -1;
        const name = this.decode(p, p + kl, escapesKey);
        if (name === null) return -1;
        if (name === "time") {
          return this.failAt(
            `invalid field name: input field "time" on measurement "${m.name}" is invalid`,
          );
        }
        column = m.columns.get(name) ?? null;
        if (column === null) {
          isNew = this.newCount === 0 ? -1 : this.newIndex.get(name) ?? -1;
          if (isNew < 0) isNew = this.addNew(name, -1); // the kind is set once the value is read
        }
        const miss = this.missCount++;
        this.missField[miss] = j;
        this.missStart[miss] = keyStart;
        this.missLength[miss] = kl;
        this.missColumn[miss] = column;
        this.missNew[miss] = isNew;
      }
      p = keyStart + kl + 1;

      // The value.
      if (p >= end) return this.failAt("missing field value");
      const b = buf[p]!;
      let kind: number;
      if (b >= charZero && b <= charZero + 9) {
        // The common shape, `digits[.digits]` then `,` or space: inline; anything else (an
        // exponent, a suffix, many digits, the end of the line) goes to parseNumber.
        let q = p;
        let mant = 0;
        let d = 0;
        while (q < end && (d = buf[q]! - charZero) >= 0 && d <= 9) {
          mant = mant * 10 + d;
          q++;
        }
        let frac = 0;
        if (q < end && buf[q] === charDot) {
          const fracStart = ++q;
          while (q < end && (d = buf[q]! - charZero) >= 0 && d <= 9) {
            mant = mant * 10 + d;
            q++;
          }
          frac = q - fracStart;
        }
        const c = q < end ? buf[q] : 0;
        if ((c === charComma || c === charSpace) && mant <= safeMax && frac <= 22) {
          this.numValue = frac === 0 ? mant : mant / pow10[frac]!;
          this.numBig = null;
          kind = kindFloat;
          p = q;
        } else {
          p = this.parseNumber(p, end);
          if (p < 0) return -1;
          kind = this.numKind;
        }
      } else if (b === charMinus || b === charDot) {
        p = this.parseNumber(p, end);
        if (p < 0) return -1;
        kind = this.numKind;
      } else if (b === charQuote) {
        p = this.parseString(p, end);
        if (p < 0) return -1;
        kind = kindString;
      } else if (b === charComma || b === charSpace) {
        return this.failAt("missing field value");
      } else {
        p = this.parseBoolean(p, end);
        if (p < 0) return -1;
        kind = kindBoolean;
      }

      if (column !== null) {
        if (column.kind !== kind) {
          return this.conflictAt("field", column.name, m.name, kind, kindNames[column.kind]!);
        }
        if (column.lineStamp === stamp) {
          column.rewind(row); // a repeated key: the last value wins
        } else {
          column.lineStamp = stamp;
          this.touched[this.touchedCount++] = column;
        }
        switch (kind) {
          case kindFloat:
            column.setFloat(row, this.numValue);
            break;
          case kindInteger:
          case kindUnsigned:
            column.setInteger(row, this.numValue, this.numBig);
            break;
          case kindBoolean:
            column.setBoolean(row, this.numValue);
            break;
          default:
            column.setString(row, this.strValue);
        }
      } else {
        const known = this.newKind[isNew]!;
        const name = this.newName[isNew]!;
        let slot: number;
        if (known === -1) {
          if (!this.checkNewColumn(m, name, kind)) return -1;
          this.newKind[isNew] = kind;
          slot = this.slotCount++;
          this.newSlot[isNew] = slot;
          this.slotNew[slot] = isNew;
        } else if (known !== kind) {
          return this.conflictAt("field", name, m.name, kind, kindNames[known]!);
        } else {
          slot = this.newSlot[isNew]!;
        }
        this.slotKind[slot] = kind;
        this.slotNum[slot] = this.numValue;
        this.slotBig[slot] = this.numBig;
        this.slotStr[slot] = this.strValue;
      }

      if (p < end) {
        const c = buf[p];
        if (c === charComma) {
          p++;
          continue;
        }
        if (c === charSpace) break;
      }
      if (this.isEnd(p, end)) break;
      return this.failAt("invalid field format");
    }
    const fieldCount = j + 1;

    // The timestamp.
    while (p < end && (buf[p] === charSpace || buf[p] === charTab)) p++;
    let time = this.defaultTime;
    let subMicro = false;
    let subNanos = 0;
    if (!this.isEnd(p, end)) {
      const neg = buf[p] === charMinus;
      const digitsStart = neg ? p + 1 : p;
      let q = digitsStart;
      while (q < end) {
        const d = buf[q]! - charZero;
        if (d < 0 || d > 9) break;
        q++;
      }
      const digitsEnd = q;
      if (q === digitsStart || !(buf[q] === charSpace || this.isEnd(q, end))) {
        return this.failAt("bad timestamp");
      }
      while (q < end && buf[q] === charSpace) q++;
      if (!this.isEnd(q, end)) return this.failAt("point is invalid");
      p = q;
      if (this.micros === 0) {
        // Nanoseconds: floor(ns / 1000) from the digits before the last three.
        const split = digitsEnd - 3 > digitsStart ? digitsEnd - 3 : digitsStart;
        let hi = 0;
        for (let i = digitsStart; i < split; i++) hi = hi * 10 + (buf[i]! - charZero);
        let lo = 0;
        for (let i = split; i < digitsEnd; i++) lo = lo * 10 + (buf[i]! - charZero);
        subMicro = lo !== 0;
        subNanos = lo;
        if (hi <= safeMax) {
          time = (neg ? -hi - (subMicro ? 1 : 0) : hi) + 0;
        } else {
          time = this.bigTime(digitsStart - (neg ? 1 : 0), digitsEnd);
          if (Number.isNaN(time)) return -1;
        }
      } else {
        let v = 0;
        for (let i = digitsStart; i < digitsEnd; i++) v = v * 10 + (buf[i]! - charZero);
        const us = v * this.micros;
        if (us <= safeMax) {
          time = (neg ? -us : us) + 0;
        } else {
          time = this.bigTime(digitsStart - (neg ? 1 : 0), digitsEnd);
          if (Number.isNaN(time)) return -1;
        }
      }
    }

    // Where the line ends: its `\n` (after an optional `\r`), or `end`.
    if (p - start > this.lineBytesMax) {
      return this.failAt(`line too long: ${p - start} bytes > ${this.lineBytesMax}`);
    }
    const lineEnd = p < end && buf[p] === charReturn ? p + 1 : p;

    // Columns this line adds: within the measurement's limit.
    const added = this.newCount;
    if (added > 0 && m.columns.size + added > this.columnsMax) {
      return this.failAt(
        `too many columns: measurement "${m.name}" would have ${
          m.columns.size + added
        } > ${this.columnsMax}`,
      );
    }

    // Valid: commit.
    this.touchedCount = 0;
    if (row === 0) {
      // The first accepted line registers the measurement and sizes it: the body's first
      // measurement gets the guess of the body's lines, the others start small.
      const capacity = this.measurements.size === 0 ? this.initialRows : measurementRowsInitial;
      this.preallocatedBytes += capacity * 8;
      m.time = new Float64Array(capacity);
      m.capacity = capacity;
      this.measurements.set(m.name, m);
    } else if (row >= m.capacity) {
      const capacity = m.capacity * 2;
      const t = new Float64Array(capacity);
      t.set(m.time);
      m.time = t;
      if (m.nanos !== null) {
        const n = new Uint16Array(capacity);
        n.set(m.nanos);
        m.nanos = n;
      }
      m.capacity = capacity;
    }
    if (added > 0) this.commitNew(m, row);
    m.time[row] = time;
    if (subMicro) {
      m.subMicrosecondRows++;
      (m.nanos ??= new Uint16Array(m.capacity))[row] = subNanos;
    }
    let entry = series;
    if (entry === null) {
      const tagColumns: ColumnBuilder[] = [];
      for (const c of this.keyTagColumn) {
        tagColumns.push(typeof c === "number" ? this.newColumns[-1 - c]! : c);
      }
      const tagValues = this.keyTagValue.slice();
      entry = {
        keyStart: start,
        keyLength,
        measurement: m,
        tagColumns,
        tagValues,
        tagCodes: Int32Array.from(tagColumns, (c, i) => c.codeOf(tagValues[i]!)),
      };
      this.addSeries(h, entry);
    }
    const tagColumns = entry.tagColumns;
    const tagValues = entry.tagValues;
    const tagCodes = entry.tagCodes;
    for (let i = 0; i < tagColumns.length; i++) {
      tagColumns[i]!.setTag(row, tagValues[i]!, tagCodes[i]!);
    }
    if (this.missCount !== 0) {
      // Remember where this line's keys were, by position, for the next line.
      for (let i = 0; i < this.missCount; i++) {
        m.setSlot(
          this.missField[i]!,
          this.missStart[i]!,
          this.missLength[i]!,
          this.missColumn[i] ?? this.newColumns[this.missNew[i]!]!,
        );
      }
      this.missCount = 0;
    }
    if (fieldCount > m.slotCount) m.slotCount = fieldCount;
    m.rows = row + 1;
    this.points++;
    return lineEnd;
  }

  /** Whether the line ends at `p`: `end`, `\n`, or `\r` before `\n` or `end`. */
  isEnd(p: number, end: number): boolean {
    if (p >= end) return true;
    const b = this.buf[p];
    if (b === charNewline) return true;
    return b === charReturn && (p + 1 >= end || this.buf[p + 1] === charNewline);
  }

  /** Parses a key that has no space before `keyEnd` (to get the reason): -1. */
  parseKeyFails(start: number, keyEnd: number): number {
    const ok = this.parseKey(start, keyEnd, false);
    assert(!ok, "a key without a space parsed");
    return -1;
  }

  /** The cached series with these key bytes, or null. */
  findSeries(h: number, start: number, length: number): SeriesEntry | null {
    const buf = this.buf;
    const mask = this.seriesMask;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const s = this.seriesSlot[i]!;
      if (s === 0) return null;
      if (this.seriesHash[i] !== h) continue;
      const e = this.series[s - 1]!;
      if (e.keyLength !== length) continue;
      if (bytesEqual(this.view, buf, start, e.keyStart, length)) return e;
    }
  }

  addSeries(h: number, e: SeriesEntry): void {
    if (this.series.length >= lpSeriesCacheEntriesMax) return;
    if ((this.series.length + 1) * 2 > this.seriesMask + 1) {
      // Double the table and re-insert.
      const size = (this.seriesMask + 1) * 2;
      const hashes = new Int32Array(size);
      const slots = new Int32Array(size);
      const mask = size - 1;
      for (let i = 0; i <= this.seriesMask; i++) {
        const s = this.seriesSlot[i]!;
        if (s === 0) continue;
        let j = this.seriesHash[i]! & mask;
        while (slots[j] !== 0) j = (j + 1) & mask;
        hashes[j] = this.seriesHash[i]!;
        slots[j] = s;
      }
      this.seriesHash = hashes;
      this.seriesSlot = slots;
      this.seriesMask = mask;
    }
    this.series.push(e);
    let i = h & this.seriesMask;
    while (this.seriesSlot[i] !== 0) i = (i + 1) & this.seriesMask;
    this.seriesHash[i] = h;
    this.seriesSlot[i] = this.series.length;
  }

  /**
   * Parses a series key `[start, keyEnd)` that missed the cache: the measurement and tags,
   * unescaped and checked, into `keyMeasurement`, `keyTagColumn` and `keyTagValue`. `keyEnd` is
   * the key's unescaped space, or the line's end (`hasSpace` false): then it fails with the
   * reason InfluxDB gives.
   */
  parseKey(start: number, keyEnd: number, hasSpace: boolean): boolean {
    const buf = this.buf;
    if (buf[start] === charComma) return this.fail("missing measurement");
    let p = start;
    while (p < keyEnd) {
      const b = buf[p]!;
      if (b === charBackslash) p += 2;
      else if (b === charComma || b === charSpace) break;
      else p++;
    }
    if (p >= keyEnd && !hasSpace) return this.fail("missing fields");
    const name = this.decode(start, p, escapesMeasurement);
    if (name === null) return false;
    let m = this.measurements.get(name);
    if (m === undefined) {
      // Registered by its first accepted line (a rejected line leaves no measurement behind).
      if (this.measurements.size >= this.measurementsMax) {
        return this.fail(`too many measurements: more than ${this.measurementsMax} in one body`);
      }
      m = new MeasurementBuilder(name, this.tableColumns?.(name));
    }
    this.keyMeasurement = m;
    this.keyTagColumn.length = 0;
    this.keyTagValue.length = 0;
    while (buf[p] === charComma) {
      p++;
      // Tag key.
      const ks = p;
      if (p >= keyEnd) return this.fail("missing tag key");
      let b = buf[p]!;
      if (b === charSpace || b === charComma || b === charEquals) {
        return this.fail("missing tag key");
      }
      for (;;) {
        if (p >= keyEnd) return this.fail("missing tag value");
        b = buf[p]!;
        if (b === charBackslash) p += 2;
        else if (b === charEquals) break;
        else if (b === charSpace || b === charComma) return this.fail("missing tag value");
        else p++;
      }
      const ke = p;
      p++;
      // Tag value.
      const vs = p;
      if (p >= keyEnd || buf[p] === charComma || buf[p] === charSpace) {
        return this.fail("missing tag value");
      }
      for (;;) {
        if (p >= keyEnd) break;
        b = buf[p]!;
        if (b === charBackslash) p += 2;
        else if (b === charComma || b === charSpace) break;
        else if (b === charEquals) return this.fail("invalid tag format");
        else p++;
      }
      if (p >= keyEnd && !hasSpace) return this.fail("missing fields");
      if (this.keyTagValue.length >= lpTagsPerLineMax) {
        return this.fail(`too many tags: more than ${lpTagsPerLineMax} in one line`);
      }
      const key = this.decode(ks, ke, escapesKey);
      if (key === null) return false;
      const value = this.decode(vs, p, escapesKey);
      if (value === null) return false;
      if (key === "time") {
        return this.fail(`invalid tag key: input tag "time" on measurement "${m.name}" is invalid`);
      }
      let column: ColumnBuilder | number | undefined = m.columns.get(key);
      if (column !== undefined) {
        if (column.kind !== kindTag) {
          return this.conflictWith("tag", key, m.name, kindTag, kindNames[column.kind]!);
        }
        if (column.lineStamp === this.lineStamp) return this.fail("duplicate tags");
        column.lineStamp = this.lineStamp;
      } else {
        if (this.newCount !== 0 && this.newIndex.has(key)) return this.fail("duplicate tags");
        if (!this.checkNewColumn(m, key, kindTag)) return false;
        column = -1 - this.addNew(key, kindTag);
      }
      this.keyTagColumn.push(column);
      this.keyTagValue.push(value);
    }
    // Both scans step over the same escape pairs, so the tags end exactly at the key's space.
    assert(p === keyEnd && hasSpace, "series key scan out of step");
    return true;
  }

  /** Notes a column new to the measurement in this line; returns its index. */
  addNew(name: string, kind: number): number {
    const i = this.newCount++;
    this.newIndex.set(name, i);
    this.newName[i] = name;
    this.newKind[i] = kind;
    this.newSlot[i] = -1;
    return i;
  }

  /** Checks a column new to measurement `m` against the table's existing column types. */
  checkNewColumn(m: MeasurementBuilder, name: string, kind: number): boolean {
    const existing = m.table?.get(name);
    if (existing === undefined || fitsTable[kind]!.includes(existing)) return true;
    return this.conflictWith(
      kind === kindTag ? "tag" : "field",
      name,
      m.name,
      kind,
      tableTypeName(existing),
    );
  }

  /** Length of the field key at `p` (up to its unescaped `=`), or -1 with the reason set. */
  scanFieldKey(p: number, end: number): number {
    const buf = this.buf;
    if (buf[p] === charEquals) return this.failAt("missing field key");
    const start = p;
    while (p < end) {
      const b = buf[p]!;
      if (b === charBackslash && p + 1 < end && buf[p + 1] !== charNewline) p += 2;
      else if (b === charEquals) return p - start;
      else if (b === charSpace || b === charComma || b === charNewline) break;
      else p++;
    }
    return this.failAt("invalid field format");
  }

  numKind = kindFloat;

  /**
   * Parses the number at `p` (its first byte is a digit, `-` or `.`) up to `,`, space or the end.
   * Sets `numKind`, `numValue` and `numBig` (a bigint only for integers beyond 2^53). Returns
   * the position after it, or -1 with the reason set.
   */
  parseNumber(p: number, end: number): number {
    const buf = this.buf;
    const start = p;
    const neg = buf[p] === charMinus;
    if (neg) p++;
    let mant = 0;
    const intStart = p;
    while (p < end) {
      const d = buf[p]! - charZero;
      if (d < 0 || d > 9) break;
      mant = mant * 10 + d;
      p++;
    }
    const intDigits = p - intStart;
    let fracDigits = 0;
    let dot = false;
    if (p < end && buf[p] === charDot) {
      dot = true;
      p++;
      const fracStart = p;
      while (p < end) {
        const d = buf[p]! - charZero;
        if (d < 0 || d > 9) break;
        mant = mant * 10 + d;
        p++;
      }
      fracDigits = p - fracStart;
    }
    if (intDigits + fracDigits === 0) return this.failAt("invalid number");
    let exp = 0;
    let hasExp = false;
    if (p < end && (buf[p]! | 0x20) === charLowerE) {
      hasExp = true;
      p++;
      let expNeg = false;
      if (p < end && (buf[p] === charPlus || buf[p] === charMinus)) {
        expNeg = buf[p] === charMinus;
        p++;
      }
      const expStart = p;
      while (p < end) {
        const d = buf[p]! - charZero;
        if (d < 0 || d > 9) break;
        if (exp < 100_000) exp = exp * 10 + d;
        p++;
      }
      if (p === expStart) return this.failAt("invalid number");
      if (expNeg) exp = -exp;
    }
    let kind = kindFloat;
    const numEnd = p;
    if (p < end) {
      const c = buf[p];
      if (c === charLowerI || c === charLowerU) {
        if (dot || hasExp || (c === charLowerU && neg)) return this.failAt("invalid number");
        kind = c === charLowerI ? kindInteger : kindUnsigned;
        p++;
      }
      if (p < end && buf[p] !== charComma && buf[p] !== charSpace && !this.isEnd(p, end)) {
        return this.failAt("invalid number");
      }
    }
    this.numKind = kind;
    this.numBig = null;
    if (kind === kindFloat) {
      const e10 = exp - fracDigits;
      if (mant <= safeMax && e10 >= -22 && e10 <= 22) {
        // Clinger's fast path: both operands exact, so one rounding: the correct result.
        const v = e10 >= 0 ? mant * pow10[e10]! : mant / pow10[-e10]!;
        this.numValue = neg ? -v : v;
      } else {
        const v = parseFloat(latin1(buf, start, numEnd));
        if (!Number.isFinite(v)) return this.failAt("invalid float");
        this.numValue = v;
      }
      return p;
    }
    if (mant <= safeMax) {
      this.numValue = neg ? -mant : mant;
      return p;
    }
    const text = latin1(buf, start, numEnd);
    const big = BigInt(text);
    if (kind === kindInteger) {
      if (big < int64Min || big > int64Max) {
        return this.failAt(`unable to parse integer ${text}: value out of range`);
      }
    } else if (big > uint64Max) {
      return this.failAt(`unable to parse unsigned ${text}: value out of range`);
    } else if (big > int64Max) {
      return this.failAt(
        `unsigned value ${text}u is out of range for BIGINT (at most 9223372036854775807)`,
      );
    }
    this.numBig = big;
    this.numValue = 0;
    return p;
  }

  /** Parses the quoted string at `p` into `strValue`; returns the position after it, or -1. */
  parseString(p: number, end: number): number {
    const buf = this.buf;
    const start = p + 1;
    let q = start;
    let escaped = false;
    for (;;) {
      if (q >= end) return this.failAt("unbalanced quotes");
      const b = buf[q]!;
      if (b === charQuote) break;
      if (b === charNewline) return this.failAt("unbalanced quotes");
      if (b === charBackslash && q + 1 < end && buf[q + 1] !== charNewline) {
        escaped = true;
        q += 2;
      } else {
        q++;
      }
    }
    const value = this.decode(start, q, escaped ? escapesString : 0);
    if (value === null) return -1;
    this.strValue = value;
    q++;
    if (q < end && buf[q] !== charComma && buf[q] !== charSpace && !this.isEnd(q, end)) {
      return this.failAt("invalid field format");
    }
    return q;
  }

  /** Parses a boolean at `p` into `numValue` (0 or 1); returns the position after it, or -1. */
  parseBoolean(p: number, end: number): number {
    const buf = this.buf;
    let q = p;
    while (q < end && buf[q]! > charSpace && buf[q] !== charComma) q++;
    const v = booleanValue(buf, p, q);
    if (v < 0) {
      const b = buf[p];
      return this.failAt(b === 0x4e || b === 0x6e ? "invalid number" : "invalid boolean");
    }
    this.numValue = v;
    this.numBig = null;
    return q;
  }

  /**
   * The text `[s, e)` with its escapes removed (`which`: 0 none, or one of the `escapes*`), as
   * a string; null with the reason set if it is not valid UTF-8.
   */
  decode(s: number, e: number, which: number): string | null {
    const buf = this.buf;
    let src = buf;
    let from = s;
    let to = e;
    if (which !== 0) {
      let hasEscape = false;
      for (let i = s; i < e; i++) {
        if (buf[i] === charBackslash) {
          hasEscape = true;
          break;
        }
      }
      if (hasEscape) {
        if (this.scratch.length < e - s) this.scratch = new Uint8Array(Math.max(e - s, 256) * 2);
        const out = this.scratch;
        let o = 0;
        for (let i = s; i < e; i++) {
          const b = buf[i]!;
          if (b === charBackslash && i + 1 < e) {
            const c = buf[i + 1]!;
            if (
              which === escapesString
                ? c === charQuote || c === charBackslash
                : c === charComma || c === charSpace || (which === escapesKey && c === charEquals)
            ) {
              out[o++] = c;
              i++;
              continue;
            }
          }
          out[o++] = b;
        }
        src = out;
        from = 0;
        to = o;
      }
    }
    if (to - from <= asciiFastBytesMax) {
      let ascii = true;
      for (let i = from; i < to; i++) {
        if (src[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) return latin1(src, from, to);
    }
    try {
      return utf8.decode(src.subarray(from, to));
    } catch {
      this.fail("invalid UTF-8");
      return null;
    }
  }

  /** A timestamp too large for the fast path, exactly: NaN with the reason set if out of range. */
  bigTime(start: number, end: number): number {
    const ns = BigInt(latin1(this.buf, start, end)) * precisionNanos[this.precision];
    if (ns > nanosMax || ns < -nanosMax) {
      this.fail(`time outside range -${nanosMax} - ${nanosMax}`);
      return NaN;
    }
    // floor(ns / 1000): BigInt division truncates toward zero.
    let us = ns / 1000n;
    if (ns < 0n && us * 1000n !== ns) us -= 1n;
    return Number(us);
  }

  finish(lines: number): ParseResult {
    const measurements = new Map<string, ParsedMeasurement>();
    for (const m of this.measurements.values()) {
      if (m.rows === 0) continue;
      const tags = new Map<string, Column>();
      const fields = new Map<string, ParsedField>();
      for (const c of m.columns.values()) {
        const column = c.finish(m.rows);
        if (c.kind === kindTag) tags.set(c.name, column);
        else fields.set(c.name, { type: kindNames[c.kind] as LineProtocolFieldType, column });
      }
      measurements.set(m.name, {
        name: m.name,
        rows: m.rows,
        time: m.time.subarray(0, m.rows),
        tags,
        fields,
        subMicrosecondRows: m.subMicrosecondRows,
        mergedPoints: m.nanos === null ? 0 : mergedByTruncation(m.rows, m.time, m.nanos, tags),
      });
    }
    return {
      measurements,
      errors: this.errors,
      rejected: this.rejected,
      lines,
      points: this.points,
    };
  }
}

/**
 * Whether every tag and field of a parsed measurement fits the table's existing column of that
 * name (the rule `tableColumns` applies while parsing): false means a parse with the table's
 * columns would reject some lines with a field type conflict.
 *
 * @example
 * ```ts
 * import { fitsTableColumns, parseLineProtocol } from "./parser.ts";
 * const m = parseLineProtocol(new TextEncoder().encode("m v=1i 1"), { defaultTimeMicros: 0 })
 *   .measurements.get("m")!;
 * console.assert(fitsTableColumns(m, new Map([["v", "int8"]])));
 * console.assert(!fitsTableColumns(m, new Map([["v", "float8"]])));
 * ```
 */
export function fitsTableColumns(
  m: ParsedMeasurement,
  table: ReadonlyMap<string, TypeKind>,
): boolean {
  for (const name of m.tags.keys()) {
    const existing = table.get(name);
    if (existing !== undefined && !fitsTable[kindTag]!.includes(existing)) return false;
  }
  for (const [name, f] of m.fields) {
    const existing = table.get(name);
    if (existing !== undefined && !fitsTable[kindNames.indexOf(f.type)]!.includes(existing)) {
      return false;
    }
  }
  return true;
}

/**
 * Points of one body that only share a series and time because their nanoseconds were floored
 * to the microsecond: per (tag values, microsecond), the distinct nanosecond parts beyond the
 * first. (Points equal to the nanosecond replace each other anyway: they are not counted.)
 * Runs only for bodies that hold sub-microsecond timestamps, so it may build a string per row.
 */
function mergedByTruncation(
  rows: number,
  time: Float64Array,
  nanos: Uint16Array,
  tags: ReadonlyMap<string, Column>,
): number {
  const columns = [...tags.values()];
  const seen = new Map<string, number | Set<number>>();
  let merged = 0;
  for (let i = 0; i < rows; i++) {
    let key = String(time[i]);
    for (const c of columns) {
      key += isValid(c.validity, i) ? `\u001f${(c.data as string[])[i]}` : "\u001e";
    }
    const n = nanos[i]!;
    const had = seen.get(key);
    if (had === undefined) seen.set(key, n);
    else if (typeof had === "number") {
      if (had !== n) {
        seen.set(key, new Set([had, n]));
        merged++;
      }
    } else if (!had.has(n)) {
      had.add(n);
      merged++;
    }
  }
  return merged;
}

/** Whether `length` bytes at `a` and at `b` are equal (both in range). */
function bytesEqual(
  view: DataView,
  buf: Uint8Array,
  a: number,
  b: number,
  length: number,
): boolean {
  let k = 0;
  for (; k + 4 <= length; k += 4) {
    if (view.getInt32(a + k) !== view.getInt32(b + k)) return false;
  }
  for (; k < length; k++) if (buf[a + k] !== buf[b + k]) return false;
  return true;
}

/** 1 for true, 0 for false, -1 if `[s, e)` is not one of InfluxDB's ten spellings. */
function booleanValue(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  const b = buf[s];
  if (len === 1) {
    if (b === 0x74 || b === 0x54) return 1; // t T
    if (b === 0x66 || b === 0x46) return 0; // f F
    return -1;
  }
  if (len === 4 || len === 5) {
    const text = latin1(buf, s, e);
    if (text === "true" || text === "True" || text === "TRUE") return 1;
    if (text === "false" || text === "False" || text === "FALSE") return 0;
  }
  return -1;
}

/** Bytes `[s, e)` as a string of the same char codes (for ASCII text). */
function latin1(buf: Uint8Array, s: number, e: number): string {
  let out = "";
  for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

/**
 * Parses an InfluxDB line-protocol body into columns grouped by measurement. Bad lines are
 * rejected one by one (`errors`, with 1-based line numbers); good lines are kept. Throws a
 * DbError only for bad options (22023) or a body over `linesMax` lines (54000).
 *
 * @example
 * ```ts
 * import { parseLineProtocol } from "./parser.ts";
 * import { valueAt } from "../../core/types/column.ts";
 * const body = new TextEncoder().encode(
 *   "cpu,host=a usage=0.5,cores=4i 1700000000000000000\n" +
 *     "cpu,host=b usage=1.5,up=true 1700000000001000000\n" +
 *     "cpu usage=oops\n",
 * );
 * const result = parseLineProtocol(body, { defaultTimeMicros: 0 });
 * const cpu = result.measurements.get("cpu")!;
 * console.assert(cpu.rows === 2 && cpu.time[1] === 1700000000001000);
 * console.assert(valueAt(cpu.tags.get("host")!, 1) === "b");
 * console.assert(cpu.fields.get("cores")!.type === "integer");
 * console.assert(valueAt(cpu.fields.get("cores")!.column, 1) === null);
 * console.assert(result.errors[0]!.line === 3);
 * console.assert(result.errors[0]!.reason === "unable to parse 'cpu usage=oops': invalid boolean");
 * ```
 */
export function parseLineProtocol(
  body: Uint8Array,
  options: ParseLineProtocolOptions,
): ParseResult {
  assert(body instanceof Uint8Array, "line protocol body must be a Uint8Array");
  return new Parser(body, options).run();
}
