/**
 * A third-party plugin that adds two scalar functions to SQL, registered through the same
 * registry the built-in functions use:
 *
 * - `celsius_to_fahrenheit(x)`: `x * 9 / 5 + 32`, as double precision;
 * - `clamp(x, lo, hi)`: `x` limited to [lo, hi], as double precision (`lo > hi` is error 22023).
 *
 * Both are NULL when any argument is NULL, and both evaluate a whole column at a time with plain
 * loops over typed arrays: no object per row.
 *
 * @example
 * ```ts
 * import { Database, defaultPlugins } from "../mod.ts";
 * import { temperaturePlugin } from "./plugin_scalar_function.ts";
 *
 * const db = await Database.open({ memory: true, plugins: [...defaultPlugins, temperaturePlugin] });
 * const r = await db.query("SELECT celsius_to_fahrenheit(100), clamp(7, 0, 5)");
 * console.assert(r.rows[0]![0] === 212 && r.rows[0]![1] === 5);
 * await db.close();
 * ```
 *
 * @module
 */
import {
  type Column,
  type DataType,
  DbError,
  isNumeric,
  makeColumn,
  type Plugin,
  type ScalarFunctionDef,
  SqlState,
  Types,
} from "../mod.ts";

/** Accepts a numeric argument, or an untyped NULL. */
function numericOrNull(t: DataType): boolean {
  return isNumeric(t) || t.kind === "unknown";
}

/** The float8 data of an argument; the resolver cast every argument to float8. */
function float8Data(col: Column, what: string): Float64Array {
  if (col.kind !== "float8") {
    throw new DbError(
      SqlState.internalError,
      `${what}: expected a double precision column, got ${col.kind}`,
    );
  }
  return col.data;
}

/**
 * The validity bitmap of a result that is NULL wherever any argument is NULL: a byte-wise AND
 * of the arguments' bitmaps, or `null` when no argument has NULLs.
 */
function intersectValidity(args: readonly Column[], length: number): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (const a of args) {
    if (a.validity === null) continue;
    if (out === null) {
      out = a.validity.slice(0, (length + 7) >>> 3);
    } else {
      for (let b = 0; b < out.length; b++) out[b]! &= a.validity[b]!;
    }
  }
  return out;
}

/** `celsius_to_fahrenheit(double precision) -> double precision`. */
export const celsiusToFahrenheit: ScalarFunctionDef = {
  name: "celsius_to_fahrenheit",
  volatility: "immutable",
  resolve(argTypes) {
    if (argTypes.length !== 1 || !numericOrNull(argTypes[0]!)) return null;
    return { returns: Types.float8, argTypes: [Types.float8] };
  },
  evaluate(args, length) {
    const x = float8Data(args[0]!, "celsius_to_fahrenheit");
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) out[i] = (x[i]! * 9) / 5 + 32;
    return makeColumn(Types.float8, length, out, intersectValidity(args, length));
  },
};

/** `clamp(double precision, double precision, double precision) -> double precision`. */
export const clamp: ScalarFunctionDef = {
  name: "clamp",
  volatility: "immutable",
  resolve(argTypes) {
    if (argTypes.length !== 3 || !argTypes.every(numericOrNull)) return null;
    return { returns: Types.float8, argTypes: [Types.float8, Types.float8, Types.float8] };
  },
  evaluate(args, length) {
    const x = float8Data(args[0]!, "clamp");
    const lo = float8Data(args[1]!, "clamp");
    const hi = float8Data(args[2]!, "clamp");
    const validity = intersectValidity(args, length);
    const out = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      const l = lo[i]!;
      const h = hi[i]!;
      if (l > h && (validity === null || (validity[i >>> 3]! & (1 << (i & 7))) !== 0)) {
        throw new DbError(
          SqlState.invalidParameterValue,
          `clamp: lower bound ${l} is greater than upper bound ${h}`,
        );
      }
      const v = x[i]!;
      out[i] = v < l ? l : v > h ? h : v;
    }
    return makeColumn(Types.float8, length, out, validity);
  },
};

/** The plugin: pass it to `Database.open({ plugins: [...defaultPlugins, temperaturePlugin] })`. */
export const temperaturePlugin: Plugin = {
  name: "example-temperature",
  apiVersion: 1,
  register(registry) {
    registry.addScalarFunction(celsiusToFahrenheit);
    registry.addScalarFunction(clamp);
  },
};
