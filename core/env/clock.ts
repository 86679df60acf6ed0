import { setImmediate } from "node:timers";
/**
 * Time, injected. Only this folder and server/main.ts read the real clock, so tests can run a
 * simulated one.
 *
 * @module
 */

/** The source of time for everything in OmenDB. */
export interface Clock {
  /** Wall-clock time in integer microseconds since the Unix epoch. */
  nowMicros(): number;
  /** A monotonic reading in milliseconds, for durations and deadlines. */
  monotonicMs(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/**
 * The real clock.
 *
 * @example
 * ```ts
 * import { systemClock } from "./clock.ts";
 * console.assert(systemClock.nowMicros() > 1_600_000_000_000_000);
 * ```
 */
export const systemClock: Clock = {
  nowMicros: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
  monotonicMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A clock that moves only when told to: for deterministic tests and simulations.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const c = new ManualClock(0);
 * c.advanceMs(5);
 * console.assert(c.monotonicMs() === 5 && c.nowMicros() === 5000);
 * ```
 */
export class ManualClock implements Clock {
  #micros: number;
  #monoMs = 0;
  #sleepers: { untilMs: number; resolve: () => void }[] = [];

  constructor(startMicros = Date.UTC(2016, 0, 1) * 1000) {
    this.#micros = startMicros;
  }

  nowMicros(): number {
    return this.#micros;
  }

  monotonicMs(): number {
    return this.#monoMs;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepers.push({ untilMs: this.#monoMs + ms, resolve });
    });
  }

  /** Moves both readings forward and wakes the sleepers whose time has come. */
  advanceMs(ms: number): void {
    this.#monoMs += ms;
    this.#micros += Math.round(ms * 1000);
    const due = this.#sleepers.filter((s) => s.untilMs <= this.#monoMs);
    this.#sleepers = this.#sleepers.filter((s) => s.untilMs > this.#monoMs);
    for (const s of due) s.resolve();
  }
}

/**
 * Resolves once the event loop has polled I/O (file syncs, sockets) again: `setImmediate`,
 * which runs after the poll phase and costs microseconds (a `setTimeout(0)` is clamped to
 * milliseconds).
 *
 * @example
 * ```ts
 * import { yieldToIo } from "./clock.ts";
 * await yieldToIo();
 * ```
 */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
