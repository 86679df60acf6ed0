/**
 * The built-in functions plugin.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/mod.ts";
 * import { functions } from "./mod.ts";
 * const r = new PluginRegistry();
 * r.use(functions);
 * console.assert(r.scalarFunctions("lower").length === 1);
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import { builtinScalarFunctions } from "./scalar.ts";

export { builtinScalarFunctions } from "./scalar.ts";

/** Registers the built-in scalar functions. */
export const functions: Plugin = {
  name: "functions",
  apiVersion: 1,
  register(registry) {
    for (const fn of builtinScalarFunctions) registry.addScalarFunction(fn);
  },
};
