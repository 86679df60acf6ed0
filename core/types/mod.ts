/**
 * Data types, columns, batches and value formatting.
 *
 * @example
 * ```ts
 * import { columnFromValues, formatValue, Types, valueAt } from "./mod.ts";
 * const c = columnFromValues(Types.float8, [0.5]);
 * console.assert(formatValue(c.type, valueAt(c, 0)) === "0.5");
 * ```
 *
 * @module
 */
export * from "./data_type.ts";
export * from "./column.ts";
export * from "./batch.ts";
export * from "./format.ts";
