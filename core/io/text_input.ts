/**
 * Text input for COPY: a column of field strings becomes a column of the target type through
 * the type's input function, the same one `'text'::type` uses (core/exec/kernels/cast.ts), with
 * the input function's own rule for `varchar(n)`: a longer value is an error (22001) unless the
 * excess is spaces, which are dropped.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { DataType } from "../types/data_type.ts";
import { type Column, columnFromValues } from "../types/column.ts";
import { castColumn } from "../exec/kernels/cast.ts";
import type { TimeZone } from "../types/time_zone.ts";
import { typeToSql } from "../types/data_type.ts";

/**
 * Converts the first `count` strings (`null` = NULL) to a column of `type`.
 *
 * @example
 * ```ts
 * import { inputColumn } from "./text_input.ts";
 * import { Types, valueAt } from "../types/mod.ts";
 * const c = inputColumn(["1", null, " 3"], 3, Types.int4);
 * console.assert(valueAt(c, 0) === 1 && valueAt(c, 1) === null && valueAt(c, 2) === 3);
 * ```
 */
export function inputColumn(
  values: readonly (string | null)[],
  count: number,
  type: DataType,
  zone?: TimeZone,
): Column {
  const slice = values.length === count ? values : values.slice(0, count);
  if (type.kind === "varchar" && type.maxLength !== null) {
    const max = type.maxLength;
    const fitted = slice.map((v) => v === null ? null : fitVarchar(v, max));
    return columnFromValues(type, fitted);
  }
  const text = columnFromValues({ kind: "text" }, slice);
  return type.kind === "text" ? text : castColumn(text, type, zone);
}

function fitVarchar(v: string, max: number): string {
  if (v.length <= max) return v;
  const chars = [...v];
  if (chars.length <= max) return v;
  for (let k = max; k < chars.length; k++) {
    if (chars[k] !== " ") {
      throw new DbError(
        SqlState.stringDataRightTruncation,
        `value too long for type ${typeToSql({ kind: "varchar", maxLength: max })}`,
      );
    }
  }
  return chars.slice(0, max).join("");
}
