/**
 * The vectorized executor: operators over column batches and the kernels they use.
 *
 * @example
 * ```ts
 * import { ExecContext, evaluate } from "./mod.ts";
 * import { systemClock } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types, valueAt } from "../types/mod.ts";
 * const ctx = new ExecContext(systemClock, defaultLimits, [], null, 0);
 * const c = evaluate({ kind: "const", value: 1, type: Types.int4 }, { columns: [], length: 1 }, ctx);
 * console.assert(valueAt(c, 0) === 1);
 * ```
 *
 * @module
 */
export * from "./context.ts";
export * from "./eval.ts";
export * from "./physical.ts";
export * from "./materialize.ts";
export { canCast, castColumn } from "./kernels/cast.ts";
