/**
 * Comparisons over two columns of a common type, producing booleans. Strings compare by code
 * unit (equal to code point order outside surrogate pairs); NaN equals NaN and sorts above every
 * other number, as in PostgreSQL.
 *
 * @module
 */
import { DbError, SqlState } from "../../errors.ts";
import { Types } from "../../types/data_type.ts";
import { type Column, isValid, makeColumn } from "../../types/column.ts";
import { asFloat64 } from "./numeric.ts";
import { andValidity } from "./validity.ts";

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
  const out = new Uint8Array(n);
  if ((a.kind === "text" || a.kind === "varchar") && (b.kind === "text" || b.kind === "varchar")) {
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < n; i++) {
      if (!isValid(validity, i)) continue;
      out[i] = decide(op, compareText(x[i]!, y[i]!)) ? 1 : 0;
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
