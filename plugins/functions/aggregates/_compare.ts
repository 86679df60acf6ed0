/**
 * The ordering used by min/max and first/last: numbers with PostgreSQL's NaN rule (NaN above
 * every other number), bigints, and strings by UTF-16 code unit (the engine's text order).
 *
 * @module
 */
import type { DataType } from "../../../core/types/data_type.ts";
import { isNumeric } from "../../../core/types/data_type.ts";

/** A value as stored per group. */
export type Scalar = number | bigint | string;

/** Whether `x` sorts strictly after `y`. */
export function after(x: Scalar, y: Scalar): boolean {
  return x > y || (x !== x && y === y);
}

/** Whether `x` sorts strictly before `y`. */
export function before(x: Scalar, y: Scalar): boolean {
  return x < y || (y !== y && x === x);
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
      return true;
    default:
      return isNumeric(t);
  }
}
