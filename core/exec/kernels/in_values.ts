/**
 * `x IN (v1, v2, ...)` over the list items that read no column, evaluated as one operation the
 * way PostgreSQL evaluates its `x = ANY(ARRAY[...])`: x and every item are computed for every
 * row, and a NULL item makes a non-matching row NULL but never disappears into a planner rule.
 * The binder uses it when an IN list has more than one such item (PostgreSQL's rule).
 *
 * @example
 * ```ts
 * import { inValuesFunction } from "./in_values.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const fn = inValuesFunction(false);
 * const out = fn.evaluate([
 *   columnFromValues(Types.int4, [1, 5]),
 *   columnFromValues(Types.int4, [1, 1]),
 *   columnFromValues(Types.int4, [null, null]),
 * ], 2);
 * console.assert(valueAt(out, 0) === true && valueAt(out, 1) === null);
 * ```
 *
 * @module
 */
import type { ScalarFunctionDef } from "../../plugin/functions.ts";
import { type Column, isValid, makeColumn } from "../../types/column.ts";
import { Types } from "../../types/data_type.ts";
import { compare } from "./compare.ts";

/**
 * The function behind `x IN (items)` (`negated`: `x NOT IN (items)`), called with x first and
 * the items (already of x's type) after it. Not registered: only the binder builds it.
 */
export function inValuesFunction(negated: boolean): ScalarFunctionDef {
  return {
    name: negated ? "<> ALL" : "= ANY",
    volatility: "immutable",
    resolve: () => null,
    evaluate(args: readonly Column[], n: number): Column {
      const x = args[0]!;
      const matched = new Uint8Array(n);
      const unknown = new Uint8Array(n);
      for (let k = 1; k < args.length; k++) {
        const eq = compare("eq", x, args[k]!);
        const data = eq.data as Uint8Array;
        for (let i = 0; i < n; i++) {
          if (!isValid(eq.validity, i)) unknown[i] = 1;
          else if (data[i] === 1) matched[i] = 1;
        }
      }
      const out = new Uint8Array(n);
      const validity = new Uint8Array((n + 7) >>> 3);
      for (let i = 0; i < n; i++) {
        if (matched[i] === 1) out[i] = negated ? 0 : 1;
        else if (unknown[i] === 1) continue;
        else out[i] = negated ? 1 : 0;
        validity[i >>> 3]! |= 1 << (i & 7);
      }
      return makeColumn(Types.bool, n, out, validity);
    },
  };
}
