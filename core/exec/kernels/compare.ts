/**
 * Comparisons over two columns of a common type, producing booleans. Strings compare by code
 * unit (equal to code point order outside surrogate pairs); NaN equals NaN and sorts above every
 * other number, as in PostgreSQL.
 *
 * @module
 */
import { DbError, SqlState } from "../../errors.ts";
import { type DataType, Types } from "../../types/data_type.ts";
import {
  type Column,
  columnFromValues,
  isValid,
  makeColumn,
  takeColumn,
  valueAt,
} from "../../types/column.ts";
import { parseArrayText } from "../../types/array.ts";
import { castColumn } from "./cast.ts";
import { asFloat64 } from "./numeric.ts";
import { compareDec, parseDec } from "../../types/numeric.ts";
import { intervalSpan, parseInterval } from "../../types/interval.ts";
import { andValidity } from "./validity.ts";
import { smallU8 } from "../../types/small_arrays.ts";

/** The comparison operators. */
export type CompareOp = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

/**
 * Three-way comparison of strings by Unicode code point (PostgreSQL's C collation on UTF-8).
 * JS `<` compares UTF-16 code units, which differs when a surrogate pair meets a character
 * above U+DFFF.
 */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Three-way comparison of two float64s with PostgreSQL's NaN rules. */
export function compareFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

function decide(op: CompareOp, c: number): boolean {
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
  }
}

/**
 * Compares two columns of the same kind.
 *
 * @example
 * ```ts
 * import { compare } from "./compare.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const r = compare("lt", columnFromValues(Types.text, ["a"]), columnFromValues(Types.text, ["b"]));
 * console.assert(valueAt(r, 0) === true);
 * ```
 */
export function compare(op: CompareOp, a: Column, b: Column): Column {
  const n = a.length;
  const validity = andValidity(a.validity, b.validity, n);
  const out = smallU8(n);
  if ((a.kind === "text" || a.kind === "varchar") && (b.kind === "text" || b.kind === "varchar")) {
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      out[i] = decide(op, compareText(x[i]!, y[i]!)) ? 1 : 0;
    }
  } else if (a.kind === "interval" && b.kind === "interval") {
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      const l = intervalSpan(parseInterval(x[i]!));
      const r = intervalSpan(parseInterval(y[i]!));
      out[i] = decide(op, l < r ? -1 : l > r ? 1 : 0) ? 1 : 0;
    }
  } else if (a.kind === "array" && b.kind === "array") {
    const x = a.data;
    const y = b.data;
    const element = a.type.kind === "array" ? a.type.element : a.type;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      out[i] = decide(op, compareArrays(x[i]!, y[i]!, element)) ? 1 : 0;
    }
  } else if (a.kind === "numeric" && b.kind === "numeric") {
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      out[i] = decide(op, compareDec(parseDec(x[i]!), parseDec(y[i]!))) ? 1 : 0;
    }
  } else if (a.kind === "int8" && b.kind === "int8") {
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < n; i++) {
      const l = x[i]!;
      const r = y[i]!;
      out[i] = decide(op, l < r ? -1 : l > r ? 1 : 0) ? 1 : 0;
    }
  } else if (
    a.kind === "text" || a.kind === "varchar" || b.kind === "text" || b.kind === "varchar"
  ) {
    throw new DbError(
      SqlState.undefinedFunction,
      `operator does not exist: ${a.kind} vs ${b.kind}`,
    );
  } else {
    const x = asFloat64(a);
    const y = asFloat64(b);
    for (let i = 0; i < n; i++) out[i] = decide(op, compareFloat(x[i]!, y[i]!)) ? 1 : 0;
  }
  return makeColumn(Types.bool, n, out, validity);
}

/**
 * Three-way comparison of two arrays as PostgreSQL orders them: element by element (a NULL
 * element is larger than any value), then the shorter array first.
 */
export function compareArrays(x: string, y: string, element: DataType): number {
  if (x === y) return 0;
  const xs = castColumn(columnFromValues(Types.text, parseArrayText(x)), element);
  const ys = castColumn(columnFromValues(Types.text, parseArrayText(y)), element);
  const common = Math.min(xs.length, ys.length);
  for (let i = 0; i < common; i++) {
    const xn = !isValid(xs.validity, i);
    const yn = !isValid(ys.validity, i);
    if (xn || yn) {
      if (xn && yn) continue;
      return xn ? 1 : -1;
    }
    const one = (c: Column) => takeColumn(c, Uint32Array.of(i));
    if (valueAt(compare("lt", one(xs), one(ys)), 0) === true) return -1;
    if (valueAt(compare("gt", one(xs), one(ys)), 0) === true) return 1;
  }
  return xs.length - ys.length;
}

/** The comparison `v op x` rewritten as `x op' v`. */
export function flipCompare(op: CompareOp): CompareOp {
  switch (op) {
    case "lt":
      return "gt";
    case "le":
      return "ge";
    case "gt":
      return "lt";
    case "ge":
      return "le";
    default:
      return op;
  }
}

/**
 * Compares a column with one non-NULL value of the same kind, without materialising a constant
 * column: the hot path of `WHERE x > 99.9`. Returns `null` when no fast path applies.
 */
export function compareScalar(
  op: CompareOp,
  a: Column,
  value: number | bigint | string | boolean,
): Column | null {
  const n = a.length;
  if (a.kind === "numeric" || a.kind === "interval" || a.kind === "array") return null;
  if (
    typeof value === "number" && a.kind !== "int8" && a.kind !== "text" && a.kind !== "varchar" &&
    a.kind !== "bool" && a.kind !== "unknown"
  ) {
    const d = a.data;
    if (Number.isNaN(value)) return null;
    const out = smallU8(n);
    switch (op) {
      case "eq":
        for (let i = 0; i < n; i++) out[i] = d[i] === value ? 1 : 0;
        break;
      case "ne":
        for (let i = 0; i < n; i++) out[i] = d[i] !== value ? 1 : 0;
        break;
      case "lt":
        for (let i = 0; i < n; i++) out[i] = d[i]! < value ? 1 : 0;
        break;
      case "le":
        for (let i = 0; i < n; i++) out[i] = d[i]! <= value ? 1 : 0;
        break;
      case "gt": // NaN sorts above every number in PostgreSQL
        for (let i = 0; i < n; i++) out[i] = d[i]! > value || Number.isNaN(d[i]!) ? 1 : 0;
        break;
      case "ge":
        for (let i = 0; i < n; i++) out[i] = d[i]! >= value || Number.isNaN(d[i]!) ? 1 : 0;
        break;
    }
    return makeColumn(Types.bool, n, out, a.validity);
  }
  if (typeof value === "string" && (a.kind === "text" || a.kind === "varchar")) {
    const d = a.data;
    const out = smallU8(n);
    if (op === "eq") { for (let i = 0; i < n; i++) out[i] = d[i] === value ? 1 : 0; }
    else if (op === "ne") { for (let i = 0; i < n; i++) out[i] = d[i] !== value ? 1 : 0; }
    else for (let i = 0; i < n; i++) out[i] = decide(op, compareText(d[i]!, value)) ? 1 : 0;
    return makeColumn(Types.bool, n, out, a.validity);
  }
  return null;
}
