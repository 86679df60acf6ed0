/**
 * Array functions, PostgreSQL's one-dimensional subset: `array_length(a, 1)`, `cardinality(a)`,
 * `array_lower(a, 1)`, `array_upper(a, 1)`, `array_to_string(a, sep [, null_text])`,
 * `array_append(a, x)`, `array_prepend(x, a)`, `array_cat(a, b)`, `array_position(a, x)`.
 * Lengths and bounds of an empty array are NULL, as in PostgreSQL.
 *
 * @example
 * ```ts
 * import { arrayFunctions } from "./array.ts";
 * import { arrayOf, columnFromValues, Types, valueAt } from "../../core/types/mod.ts";
 * const card = arrayFunctions.find((f) => f.name === "cardinality")!;
 * const out = card.evaluate([columnFromValues(arrayOf(Types.int4), ["{1,2,3}"])], 1);
 * console.assert(valueAt(out, 0) === 3);
 * ```
 *
 * @module
 */
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import {
  arrayOf,
  type DataType,
  isInteger,
  isString,
  sameType,
  Types,
} from "../../core/types/data_type.ts";
import {
  type Column,
  columnFromValues,
  makeColumn,
  takeColumn,
  valueAt,
} from "../../core/types/column.ts";
import { formatValue } from "../../core/types/format.ts";
import { formatArrayText, parseArrayText } from "../../core/types/array.ts";
import { compare } from "../../core/exec/kernels/compare.ts";
import { arrayElements } from "../../core/exec/kernels/array_ops.ts";

function isArray(t: DataType | undefined): t is DataType & { kind: "array" } {
  return t !== undefined && t.kind === "array";
}

function intLike(t: DataType | undefined): boolean {
  return t !== undefined && (isInteger(t) || t.kind === "unknown");
}

function textLike(t: DataType | undefined): boolean {
  return t !== undefined && (isString(t) || t.kind === "unknown");
}

/** Builds an int4 result per row from a function of the array text (and the other args). */
function intResult(
  n: number,
  f: (i: number) => number | null,
): Column {
  const out = new Int32Array(n);
  const validity = new Uint8Array((n + 7) >>> 3);
  for (let i = 0; i < n; i++) {
    const v = f(i);
    if (v === null) continue;
    out[i] = v;
    validity[i >>> 3]! |= 1 << (i & 7);
  }
  return makeColumn(Types.int4, n, out, validity);
}

/** `name(a, dim)`: a bound of the first dimension; NULL for an empty array or another dim. */
function dimensionFunction(name: string, of: (length: number) => number): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (types) =>
      types.length === 2 && isArray(types[0]) && intLike(types[1])
        ? { returns: Types.int4, argTypes: [types[0]!, Types.int4] }
        : null,
    evaluate([a, dim], n) {
      return intResult(n, (i) => {
        const text = valueAt(a!, i);
        if (text === null || valueAt(dim!, i) !== 1) return null;
        const length = parseArrayText(String(text)).length;
        return length === 0 ? null : of(length);
      });
    },
  };
}

const cardinality: ScalarFunctionDef = {
  name: "cardinality",
  volatility: "immutable",
  resolve: (types) =>
    types.length === 1 && isArray(types[0]) ? { returns: Types.int4, argTypes: [types[0]!] } : null,
  evaluate([a], n) {
    return intResult(n, (i) => {
      const text = valueAt(a!, i);
      return text === null ? null : parseArrayText(String(text)).length;
    });
  },
};

const arrayToString: ScalarFunctionDef = {
  name: "array_to_string",
  volatility: "stable",
  resolve(types): FunctionResolution | null {
    if (types.length < 2 || types.length > 3 || !isArray(types[0])) return null;
    if (!textLike(types[1]) || (types.length === 3 && !textLike(types[2]))) return null;
    return { returns: Types.text, argTypes: [types[0]!, ...types.slice(1).map(() => Types.text)] };
  },
  evaluate([a, sep, nullText], n) {
    const out = new Array<string>(n).fill("");
    const validity = new Uint8Array((n + 7) >>> 3);
    for (let i = 0; i < n; i++) {
      const text = valueAt(a!, i);
      const s = valueAt(sep!, i);
      if (text === null || s === null) continue;
      const nt = nullText === undefined ? null : valueAt(nullText, i);
      const parts = parseArrayText(String(text))
        .map((p) => (p === null ? (nt === null ? null : String(nt)) : p))
        .filter((p): p is string => p !== null);
      out[i] = parts.join(String(s));
      validity[i >>> 3]! |= 1 << (i & 7);
    }
    return makeColumn(Types.text, n, out, validity);
  },
};

/**
 * string_to_array(s, sep [, null_text]): `s` split at each `sep` (into characters when `sep` is
 * NULL; `{}` for an empty `s`); elements equal to `null_text` become NULL.
 */
const stringToArray: ScalarFunctionDef = {
  name: "string_to_array",
  volatility: "immutable",
  resolve(types): FunctionResolution | null {
    if (types.length < 2 || types.length > 3 || !types.every(textLike)) return null;
    return { returns: arrayOf(Types.text), argTypes: types.map(() => Types.text) };
  },
  evaluate([str, sep, nullText], n) {
    const out: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const s = valueAt(str!, i);
      if (s === null) {
        out.push(null);
        continue;
      }
      const d = valueAt(sep!, i);
      const nt = nullText === undefined ? null : valueAt(nullText, i);
      const text = String(s);
      const parts = text === ""
        ? []
        : d === null
        ? [...text]
        : String(d) === ""
        ? [text]
        : text.split(String(d));
      out.push(formatArrayText(parts.map((p) => (nt !== null && p === String(nt) ? null : p))));
    }
    return columnFromValues(arrayOf(Types.text), out);
  },
};

/** array_append(a, x), array_prepend(x, a) and array_cat(a, b): never NULL unless both are. */
function concatFunction(name: "array_append" | "array_prepend" | "array_cat"): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve(types): FunctionResolution | null {
      if (types.length !== 2) return null;
      const [x, y] = types as [DataType, DataType];
      if (name === "array_cat") {
        if (!isArray(x) || !isArray(y) || !sameType(x.element, y.element)) return null;
        return { returns: x, argTypes: [x, y] };
      }
      const arr = name === "array_append" ? x : y;
      if (!isArray(arr)) return null;
      const el = arr.element;
      return {
        returns: arr,
        argTypes: name === "array_append" ? [arr, el] : [el, arr],
      };
    },
    evaluate([p, q], n) {
      const type = name === "array_prepend" ? q!.type : p!.type;
      const element = type.kind === "array" ? type.element : Types.text;
      const out = new Array<string>(n).fill("{}");
      const validity = new Uint8Array((n + 7) >>> 3);
      for (let i = 0; i < n; i++) {
        const a = valueAt(p!, i);
        const b = valueAt(q!, i);
        let items: (string | null)[];
        if (name === "array_cat") {
          if (a === null && b === null) continue;
          items = [
            ...(a === null ? [] : parseArrayText(String(a))),
            ...(b === null ? [] : parseArrayText(String(b))),
          ];
        } else if (name === "array_append") {
          items = [...(a === null ? [] : parseArrayText(String(a))), formatValue(element, b)];
        } else {
          items = [formatValue(element, a), ...(b === null ? [] : parseArrayText(String(b)))];
        }
        out[i] = formatArrayText(items);
        validity[i >>> 3]! |= 1 << (i & 7);
      }
      return makeColumn(type, n, out, validity);
    },
  };
}

/** array_position(a, x): the first 1-based position of x (IS NOT DISTINCT FROM), or NULL. */
const arrayPosition: ScalarFunctionDef = {
  name: "array_position",
  volatility: "immutable",
  resolve: (types) =>
    types.length === 2 && isArray(types[0])
      ? { returns: Types.int4, argTypes: [types[0]!, types[0]!.element] }
      : null,
  evaluate([a, x], n) {
    const element = a!.type.kind === "array" ? a!.type.element : Types.text;
    return intResult(n, (i) => {
      const text = valueAt(a!, i);
      if (text === null) return null;
      const items = arrayElements(String(text), element);
      const target = valueAt(x!, i);
      const probe = takeColumn(x!, new Uint32Array(items.length).fill(i));
      const eq = items.length === 0 ? null : compare("eq", probe, items);
      for (let k = 0; k < items.length; k++) {
        const item = valueAt(items, k);
        if (target === null ? item === null : item !== null && valueAt(eq!, k) === true) {
          return k + 1;
        }
      }
      return null;
    });
  },
};

/** The array functions. */
export const arrayFunctions: readonly ScalarFunctionDef[] = [
  dimensionFunction("array_length", (length) => length),
  dimensionFunction("array_upper", (length) => length),
  dimensionFunction("array_lower", () => 1),
  cardinality,
  arrayToString,
  stringToArray,
  concatFunction("array_append"),
  concatFunction("array_prepend"),
  concatFunction("array_cat"),
  arrayPosition,
];
