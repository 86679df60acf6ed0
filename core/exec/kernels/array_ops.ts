/**
 * Array operators the binder builds as calls: the `ARRAY[...]` constructor, subscripts `a[i]`
 * and `x op ANY|ALL (array)`. Arrays are kept as PostgreSQL text (see `types/array.ts`); these
 * parse and cast the elements of each value.
 *
 * @example
 * ```ts
 * import { arrayConstructorFunction, arraySubscriptFunction } from "./array_ops.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const make = arrayConstructorFunction(Types.int4);
 * const arr = make.evaluate([columnFromValues(Types.int4, [1]), columnFromValues(Types.int4, [null])], 1);
 * console.assert(valueAt(arr, 0) === "{1,NULL}");
 * const second = arraySubscriptFunction(Types.int4).evaluate([arr, columnFromValues(Types.int4, [1])], 1);
 * console.assert(valueAt(second, 0) === 1);
 * ```
 *
 * @module
 */
import type { ScalarFunctionDef } from "../../plugin/functions.ts";
import { arrayOf, type DataType, Types } from "../../types/data_type.ts";
import {
  type Column,
  columnFromValues,
  isValid,
  makeColumn,
  takeColumn,
  valueAt,
} from "../../types/column.ts";
import { formatValue } from "../../types/format.ts";
import { formatArrayText, parseArrayText } from "../../types/array.ts";
import { castColumn } from "./cast.ts";
import { compare, type CompareOp } from "./compare.ts";

/** The elements of one array value as a column of `element`. */
export function arrayElements(text: string, element: DataType): Column {
  return castColumn(columnFromValues(Types.text, parseArrayText(text)), element);
}

/** `ARRAY[a, b, ...]` over arguments already of the element type. Never NULL. */
export function arrayConstructorFunction(element: DataType): ScalarFunctionDef {
  const type = arrayOf(element);
  return {
    name: "ARRAY",
    volatility: "immutable",
    resolve: () => null,
    evaluate(args, n) {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        out[i] = formatArrayText(args.map((a) => formatValue(element, valueAt(a, i))));
      }
      return makeColumn(type, n, out, null);
    },
  };
}

/** `a[i]` (1-based): NULL when a or i is NULL or i is out of range, as in PostgreSQL. */
export function arraySubscriptFunction(element: DataType): ScalarFunctionDef {
  return {
    name: "subscript",
    volatility: "immutable",
    resolve: () => null,
    evaluate([arr, idx], n) {
      const texts: (string | null)[] = new Array(n).fill(null);
      for (let i = 0; i < n; i++) {
        const a = valueAt(arr!, i);
        const k = valueAt(idx!, i);
        if (a === null || k === null) continue;
        const parts = parseArrayText(String(a));
        const at = Number(k);
        if (at >= 1 && at <= parts.length) texts[i] = parts[at - 1]!;
      }
      return castColumn(columnFromValues(Types.text, texts), element);
    },
  };
}

/**
 * `x op ANY (array)` (`all`: `op ALL`): true if some (every) comparison is true, false if none
 * (some comparison is false), else NULL; an empty array gives false for ANY and true for ALL.
 */
export function arrayQuantifiedFunction(
  op: CompareOp,
  all: boolean,
  element: DataType,
): ScalarFunctionDef {
  return {
    name: all ? `${op} ALL` : `${op} ANY`,
    volatility: "immutable",
    resolve: () => null,
    evaluate([x, arr], n) {
      const out = new Uint8Array(n);
      const validity = new Uint8Array((n + 7) >>> 3);
      for (let i = 0; i < n; i++) {
        const a = valueAt(arr!, i);
        if (a === null) continue;
        const elements = arrayElements(String(a), element);
        let result: boolean | null = all;
        if (elements.length > 0) {
          const left = takeColumn(x!, new Uint32Array(elements.length).fill(i));
          const cmp = compare(op, left, elements);
          let sawNull = false;
          let decided = false;
          for (let k = 0; k < elements.length; k++) {
            if (!isValid(cmp.validity, k)) {
              sawNull = true;
              continue;
            }
            const t = (cmp.data as Uint8Array)[k] === 1;
            if (t !== all) {
              result = !all;
              decided = true;
              break;
            }
          }
          if (!decided) result = sawNull ? null : all;
        }
        if (result === null) continue;
        out[i] = result ? 1 : 0;
        validity[i >>> 3]! |= 1 << (i & 7);
      }
      return makeColumn(Types.bool, n, out, validity);
    },
  };
}
