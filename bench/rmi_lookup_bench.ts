/**
 * Segment index lookups: the RMI (`plugins/index_rmi`, model then bounded binary search) against
 * a plain binary search over the same sorted timestamps, answering the same queries exactly.
 * `--rows` is the number of keys (timestamps): a jittered 10 s grid with gaps and bursts.
 *
 * @module
 */
import type { Benchmark } from "./harness.ts";
import { SeededRandom } from "../core/env/random.ts";
import { generateTimestamps } from "../tests/data/timestamps.ts";
import { buildRmi, lowerBound, upperBound } from "../plugins/index_rmi/mod.ts";

/** Point lookups (lower bound of one value) per run, in lookups. */
export const rmiBenchPointLookups = 1_000_000;
/** Range lookups (lower bound of `low`, upper bound of `high`) per run, in lookups. */
export const rmiBenchRangeLookups = 10_000;
/** Longest range queried, in µs (1 h). */
export const rmiBenchRangeUsMax = 3600 * 1_000_000;
/** Seed of the keys and the queries. */
const seed = 20_261_126;

/** The benchmark: `rows` keys, then the same point and range lookups for both contenders. */
export const rmiLookupBench: Benchmark = {
  name: "rmi_lookup",
  description: "exact lower/upper bound over sorted µs timestamps: RMI vs binary search",
  prepare(params) {
    const keys = generateTimestamps({ count: params.rows, seed });
    const t0 = performance.now();
    const rmi = buildRmi(keys);
    const buildMs = performance.now() - t0;
    const rng = new SeededRandom(seed + 1);
    const min = keys[0]!;
    const span = keys[keys.length - 1]! - min;
    // half stored keys, half arbitrary values between the smallest and largest key
    const points = new Float64Array(rmiBenchPointLookups);
    for (let i = 0; i < points.length; i++) {
      points[i] = i % 2 === 0
        ? keys[Math.floor(rng.nextFloat() * keys.length)]!
        : Math.floor(min + rng.nextFloat() * span);
    }
    const lows = new Float64Array(rmiBenchRangeLookups);
    const highs = new Float64Array(rmiBenchRangeLookups);
    for (let i = 0; i < lows.length; i++) {
      lows[i] = Math.floor(min + rng.nextFloat() * span);
      highs[i] = lows[i]! + Math.floor(rng.nextFloat() * rmiBenchRangeUsMax);
    }
    // untimed: how wide the model-only answer (what a scan gets before reading keys) is
    // (stored keys, which bursts dominate, and arbitrary values apart)
    const windowSums = [0, 0];
    for (let i = 0; i < points.length; i++) {
      const { start, end } = rmi.lookupRange(points[i]!, points[i]!);
      windowSums[i % 2]! += end - start;
    }
    let rmiSum = -1;
    let binarySum = -1;
    return {
      unitsPerRun: rmiBenchPointLookups + rmiBenchRangeLookups,
      unit: "lookups",
      contenders: [
        {
          name: "omendb_rmi",
          run() {
            let sum = 0;
            for (let i = 0; i < points.length; i++) sum += rmi.lowerBound(keys, points[i]!);
            for (let i = 0; i < lows.length; i++) {
              sum += rmi.upperBound(keys, highs[i]!) - rmi.lowerBound(keys, lows[i]!);
            }
            rmiSum = sum;
          },
        },
        {
          name: "binary_search",
          run() {
            let sum = 0;
            for (let i = 0; i < points.length; i++) sum += lowerBound(keys, points[i]!);
            for (let i = 0; i < lows.length; i++) {
              sum += upperBound(keys, highs[i]!) - lowerBound(keys, lows[i]!);
            }
            binarySum = sum;
          },
        },
      ],
      finish() {
        if (rmiSum !== binarySum) {
          throw new Error(`rmi_lookup: RMI sums to ${rmiSum}, binary search to ${binarySum}`);
        }
        return {
          keys: keys.length,
          pointLookups: rmiBenchPointLookups,
          rangeLookups: rmiBenchRangeLookups,
          checksum: rmiSum,
          leafCount: rmi.leafCount,
          indexBytes: rmi.sizeBytes,
          serializedBytes: rmi.serialize().length,
          keyBytes: keys.byteLength,
          maxErrorPositions: rmi.maxError,
          meanWindowPositionsStoredKeys: windowSums[0]! / (points.length / 2),
          meanWindowPositionsArbitraryValues: windowSums[1]! / (points.length / 2),
          buildMs,
        };
      },
    };
  },
};
