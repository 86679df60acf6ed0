/**
 * The built-in aggregate functions, as accumulators (update per batch over group ids, merge
 * partial states, evaluate one row per group).
 *
 * @example
 * ```ts
 * import { builtinAggregateFunctions } from "./mod.ts";
 * import { columnFromValues, Types, valueAt } from "../../../core/types/mod.ts";
 * const sum = builtinAggregateFunctions.find((f) => f.name === "sum")!;
 * const res = sum.resolve([Types.int4])!;
 * const acc = sum.createAccumulator(res);
 * acc.update([columnFromValues(Types.int4, [1, 2, null])], Uint32Array.of(0, 1, 1), 3, 2);
 * const out = acc.evaluate(2);
 * console.assert(valueAt(out, 0) === 1n && valueAt(out, 1) === 2n);
 * ```
 *
 * @module
 */
import type { AggregateFunctionDef } from "../../../core/plugin/functions.ts";
import { countAggregate } from "./count.ts";
import { sumAggregate } from "./sum.ts";
import { avgAggregate } from "./avg.ts";
import { minMaxAggregates } from "./min_max.ts";
import { boolAggregates } from "./bool_and_or.ts";
import { bitAggregates } from "./bit_and_or.ts";
import { varianceAggregates } from "./variance.ts";
import { stringAggAggregate } from "./string_agg.ts";
import { bookendAggregates } from "./first_last.ts";
import { percentileAggregates } from "./percentile.ts";
import { regressionAggregates } from "./regression.ts";
import { arrayAggAggregate } from "./array_agg.ts";
import { intervalAggregates } from "./interval_sum.ts";

/** Every built-in aggregate function. */
export const builtinAggregateFunctions: readonly AggregateFunctionDef[] = [
  countAggregate,
  sumAggregate,
  avgAggregate,
  ...minMaxAggregates,
  ...boolAggregates,
  ...bitAggregates,
  ...varianceAggregates,
  stringAggAggregate,
  ...bookendAggregates,
  ...percentileAggregates,
  ...regressionAggregates,
  arrayAggAggregate,
  ...intervalAggregates,
];
