/**
 * Busy polling after a response: for a short window after the server answered a client, the
 * event loop keeps polling for I/O instead of sleeping in the kernel, so that the client's next
 * request (which, on a sequential connection, follows the response within tens of
 * microseconds) is read without the wake-up of an idle thread. On virtual machines an idle CPU
 * is halted and waking it costs tens of microseconds per request; polling trades CPU time
 * (at most the window per response) for that latency, as Linux's `net.core.busy_poll` and
 * poll-mode servers do. Nothing spins while no response went out within the window, so an idle
 * server uses no CPU. `pg.busy_poll_us = 0` turns it off.
 *
 * The polling is a chain of `setImmediate` callbacks: each turn of the event loop that has one
 * pending polls the sockets without blocking, and every other task (other connections, timers,
 * background work's completions) runs as usual in between.
 *
 * @example
 * ```ts
 * import { BusyPoll } from "./busy_poll.ts";
 * const poll = new BusyPoll(100);
 * poll.poke(); // a response went out: poll for the next 100 µs
 * console.assert(poll.polling);
 * poll.stop();
 * console.assert(!poll.polling);
 * ```
 *
 * @module
 */
import { clearImmediate, setImmediate } from "node:timers";

/** Keeps the event loop polling for a window after each {@link BusyPoll.poke}. */
export class BusyPoll {
  readonly #windowMs: number;
  #until = 0;
  #handle: ReturnType<typeof setImmediate> | null = null;
  /** Turns of the event loop spent polling so far (for metrics). */
  turns = 0;

  /** `windowMicros`: how long after a poke it polls, in µs (0 = never). */
  constructor(windowMicros: number) {
    this.#windowMs = Math.max(0, windowMicros) / 1000;
  }

  /** Whether it is polling now. */
  get polling(): boolean {
    return this.#handle !== null;
  }

  /** A response went out: poll until the window after now has passed. */
  poke(): void {
    if (this.#windowMs === 0) return;
    this.#until = performance.now() + this.#windowMs;
    if (this.#handle === null) this.#handle = setImmediate(this.#tick);
  }

  readonly #tick = (): void => {
    this.turns++;
    this.#handle = performance.now() < this.#until ? setImmediate(this.#tick) : null;
  };

  /** Stops polling now (the server is closing). */
  stop(): void {
    if (this.#handle !== null) clearImmediate(this.#handle);
    this.#handle = null;
    this.#until = 0;
  }
}
