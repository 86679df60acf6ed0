/**
 * The ordering used by min/max and first/last: numbers with PostgreSQL's NaN rule (NaN above
 * every other number), bigints, strings by code point (the engine's text order) and NUMERIC
 * decimal text by value.
 *
 * @module
 */
import type { DataType } from "../../../core/types/data_type.ts";
import { isNumeric } from "../../../core/types/data_type.ts";
import { compareText } from "../../../core/exec/kernels/compare.ts";
import { compareDec, parseDec } from "../../../core/types/numeric.ts";
import { intervalSpan, parseInterval } from "../../../core/types/interval.ts";

/** A value as stored per group. */
export type Scalar = number | bigint | string;

/** Whether `x` sorts strictly after `y`. */
export function after(x: Scalar, y: Scalar): boolean {
  if (typeof x === "string" && typeof y === "string") return compareText(x, y) > 0;
  return x > y || (x !== x && y === y);
}

/** Whether `x` sorts strictly before `y`. */
export function before(x: Scalar, y: Scalar): boolean {
  if (typeof x === "string" && typeof y === "string") return compareText(x, y) < 0;
  return x < y || (y !== y && x === x);
}

/** `after` for NUMERIC values (decimal text). */
export function afterNumeric(x: Scalar, y: Scalar): boolean {
  return compareDec(parseDec(x as string), parseDec(y as string)) > 0;
}

/** `before` for NUMERIC values (decimal text). */
export function beforeNumeric(x: Scalar, y: Scalar): boolean {
  return compareDec(parseDec(x as string), parseDec(y as string)) < 0;
}

/** `after` for INTERVAL values (PostgreSQL text), by span with 30-day months. */
export function afterInterval(x: Scalar, y: Scalar): boolean {
  return intervalSpan(parseInterval(x as string)) > intervalSpan(parseInterval(y as string));
}

/** `before` for INTERVAL values (PostgreSQL text), by span with 30-day months. */
export function beforeInterval(x: Scalar, y: Scalar): boolean {
  return intervalSpan(parseInterval(x as string)) < intervalSpan(parseInterval(y as string));
}

/** Types min/max/first/last can order (bool included, as false < true). */
export function isOrderable(t: DataType): boolean {
  switch (t.kind) {
    case "text":
    case "varchar":
    case "bool":
    case "date":
    case "timestamp":
    case "timestamptz":
    case "time":
      return true;
    default:
      return isNumeric(t);
  }
}
