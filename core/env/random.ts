/**
 * Randomness, injected: seeded in tests so any failure replays from its seed.
 *
 * @module
 */

/** A source of random numbers. */
export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniformly distributed number in [0, 1). */
  nextFloat(): number;
}

/**
 * A deterministic generator (SplitMix32-style mixing over a 32-bit state; fast, not
 * cryptographic).
 *
 * @example
 * ```ts
 * import { SeededRandom } from "./random.ts";
 * const a = new SeededRandom(42), b = new SeededRandom(42);
 * console.assert(a.nextUint32() === b.nextUint32());
 * ```
 */
export class SeededRandom implements Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  nextUint32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  nextFloat(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}

/** Randomness from the operating system's cryptographic source. */
export const cryptoRandom: Random = {
  nextUint32(): number {
    return crypto.getRandomValues(new Uint32Array(1))[0]!;
  },
  nextFloat(): number {
    return crypto.getRandomValues(new Uint32Array(1))[0]! / 0x1_0000_0000;
  },
};
