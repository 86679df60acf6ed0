/**
 * TRY_CAST (DataFusion, DuckDB): a cast that yields NULL for each value that does not convert
 * (a data exception, SQLSTATE class 22) instead of failing the statement. The whole column is
 * cast at once; only when that fails are the rows cast one at a time.
 *
 * @example
 * ```ts
 * import { tryCastFunction } from "./try_cast.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const f = tryCastFunction(Types.int4);
 * const out = f.evaluate([columnFromValues(Types.text, ["1", "x"])], 2);
 * console.assert(valueAt(out, 0) === 1 && valueAt(out, 1) === null);
 * ```
 *
 * @module
 */
import type { ScalarFunctionDef } from "../../plugin/functions.ts";
import {
  type Column,
  columnFromValues,
  takeColumn,
  type Value,
  valueAt,
} from "../../types/column.ts";
import type { DataType } from "../../types/data_type.ts";
import { DbError } from "../../errors.ts";
import { castColumn } from "./cast.ts";

/** Whether `e` is a data exception (class 22): a value that does not convert. */
function isDataException(e: unknown): e is DbError {
  return e instanceof DbError && e.code.startsWith("22");
}

/** Casts `col` to `to`, with NULL for the values whose cast is a data exception. */
export function tryCastColumn(col: Column, to: DataType): Column {
  try {
    return castColumn(col, to);
  } catch (e) {
    if (!isDataException(e)) throw e;
  }
  // slow path, only when some value failed: one row at a time
  const values: Value[] = new Array(col.length).fill(null);
  const one = new Uint32Array(1);
  for (let i = 0; i < col.length; i++) {
    one[0] = i;
    try {
      values[i] = valueAt(castColumn(takeColumn(col, one), to), 0);
    } catch (e) {
      if (!isDataException(e)) throw e;
    }
  }
  return columnFromValues(to, values);
}

/** The bound form of `TRY_CAST(x AS to)`: a call of this one-argument function. */
export function tryCastFunction(to: DataType): ScalarFunctionDef {
  return {
    name: "try_cast",
    volatility: "immutable",
    resolve: () => null, // bound from the TRY_CAST syntax, never by name
    evaluate: ([x]) => tryCastColumn(x!, to),
  };
}
