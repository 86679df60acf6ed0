/**
 * A deterministic generator of realistic sorted timestamps (microseconds since the epoch, as
 * float64): a sensor reporting on a jittered grid, with outages (gaps) and bursts of readings a
 * microsecond apart. Shared by the index tests and benchmarks.
 *
 * @example
 * ```ts
 * import { generateTimestamps } from "./timestamps.ts";
 * const keys = generateTimestamps({ count: 1000, seed: 7 });
 * console.assert(keys.length === 1000 && keys[0]! >= 1.7e15 - 2_000_000);
 * console.assert(keys.every((k, i) => i === 0 || keys[i - 1]! <= k));
 * ```
 *
 * @module
 */
import { SeededRandom } from "../../core/env/random.ts";

/** Default first grid point, in µs since the epoch (2023-11-14T22:13:20Z). */
export const timestampStartUsDefault = 1.7e15;
/** Default grid interval, in µs (10 s). */
export const timestampIntervalUsDefault = 10_000_000;
/** Default jitter, as a fraction of the interval either side of a grid point. */
export const timestampJitterFractionDefault = 0.2;
/** Default chance, per grid point, that an outage starts there. */
export const timestampGapChanceDefault = 1 / 2000;
/** Default longest outage, in µs (6 h). */
export const timestampGapUsMaxDefault = 6 * 3600 * 1_000_000;
/** Default chance, per grid point, that a burst starts there. */
export const timestampBurstChanceDefault = 1 / 5000;
/** Default most keys in one burst, in keys. */
export const timestampBurstKeysMaxDefault = 2000;

/** Options of {@link generateTimestamps}; every number has a default above. */
export interface TimestampOptions {
  /** Keys to generate. */
  readonly count: number;
  /** PRNG seed: the same options give the same keys. */
  readonly seed: number;
  /** First grid point, in µs. */
  readonly startUs?: number;
  /** Grid interval, in µs. */
  readonly intervalUs?: number;
  /** Jitter as a fraction of the interval; keys out of order (above 0.5) are sorted at the end. */
  readonly jitterFraction?: number;
  /** Chance per grid point of an outage. */
  readonly gapChance?: number;
  /** Longest outage, in µs. */
  readonly gapUsMax?: number;
  /** Chance per grid point of a burst. */
  readonly burstChance?: number;
  /** Most keys in a burst; a burst's keys are 0 or 1 µs apart (so it has duplicates). */
  readonly burstKeysMax?: number;
}

/** Sorted timestamps, in µs, as described in the module comment; whole microseconds. */
export function generateTimestamps(options: TimestampOptions): Float64Array {
  const rng = new SeededRandom(options.seed);
  const interval = options.intervalUs ?? timestampIntervalUsDefault;
  const jitter = (options.jitterFraction ?? timestampJitterFractionDefault) * interval;
  const gapChance = options.gapChance ?? timestampGapChanceDefault;
  const gapMax = options.gapUsMax ?? timestampGapUsMaxDefault;
  const burstChance = options.burstChance ?? timestampBurstChanceDefault;
  const burstMax = options.burstKeysMax ?? timestampBurstKeysMaxDefault;
  const keys = new Float64Array(options.count);
  let grid = options.startUs ?? timestampStartUsDefault;
  for (let i = 0; i < keys.length;) {
    if (rng.nextFloat() < gapChance) grid += Math.floor(rng.nextFloat() * gapMax);
    let t = Math.round(grid + (rng.nextFloat() * 2 - 1) * jitter);
    keys[i++] = t;
    if (rng.nextFloat() < burstChance) {
      const burst = 1 + Math.floor(rng.nextFloat() * burstMax);
      for (let b = 0; b < burst && i < keys.length; b++) {
        t += rng.nextUint32() & 1;
        keys[i++] = t;
      }
    }
    grid += interval;
  }
  for (let i = 1; i < keys.length; i++) {
    if (keys[i]! < keys[i - 1]!) return keys.sort(); // jitter above 0.5, or a long burst
  }
  return keys;
}
