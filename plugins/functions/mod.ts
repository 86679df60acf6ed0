/**
 * The built-in functions plugin: scalar functions (math, strings, LIKE/ILIKE, conditionals) and
 * aggregate functions, registered through the same registry a third-party plugin uses. See
 * docs/functions.md for every function, its signature and its PostgreSQL divergences.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { functions } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(functions);
 * console.assert(r.scalarFunctions("lower").length === 1);
 * console.assert(r.scalarFunctions("round").length > 1); // float8 and numeric overloads
 * console.assert(r.aggregateFunctions("count").length === 1);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { basicScalarFunctions } from "./scalar.ts";
import { mathFunctions } from "./math.ts";
import { stringFunctions } from "./string.ts";
import { patternFunctions } from "./pattern.ts";
import { builtinAggregateFunctions } from "./aggregates/mod.ts";
import { datetimeFunctions } from "./datetime.ts";
import { numericFunctions } from "./numeric_functions.ts";
import { arrowFunctions } from "./arrow.ts";
import { arrayFunctions } from "./array.ts";
import { toCharFunction } from "./to_char.ts";
import { regexFunctions } from "./regex.ts";
import { formatFunctions } from "./format.ts";

export { builtinAggregateFunctions } from "./aggregates/mod.ts";
export { randomFunction } from "./math.ts";
export { compileLike, type LikeMatcher } from "./pattern.ts";

/** Every built-in scalar function, overloads in resolution order. */
export const builtinScalarFunctions: readonly ScalarFunctionDef[] = [
  ...numericFunctions,
  ...basicScalarFunctions,
  ...mathFunctions,
  ...stringFunctions,
  ...patternFunctions,
  ...regexFunctions,
  ...formatFunctions,
  ...datetimeFunctions,
  ...arrowFunctions,
  ...arrayFunctions,
  toCharFunction,
];

/** Registers the built-in scalar and aggregate functions. */
export const functions: Plugin = {
  name: "functions",
  apiVersion: 1,
  register(registry) {
    for (const fn of builtinScalarFunctions) registry.addScalarFunction(fn);
    for (const fn of builtinAggregateFunctions) registry.addAggregateFunction(fn);
  },
};
