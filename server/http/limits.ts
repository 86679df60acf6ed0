/**
 * The HTTP server's limits, each named with its unit. Config keys override them
 * (`http.body_bytes_max`, `http.query_timeout_ms`, `http.inflight_requests_max`,
 * `http.shutdown_timeout_ms`; see docs/operations.md).
 *
 * @module
 */
import { defaultLimits } from "../../core/limits.ts";

/** Limits that the HTTP handler enforces on every request. */
export interface HttpLimits {
  /** Bytes of request body accepted; a larger body gets 413. */
  readonly bodyBytesMax: number;
  /** Default wall-clock time one query may run, in milliseconds (0 = no limit). */
  readonly queryTimeoutMs: number;
  /**
   * Requests handled at once; one more is refused at once with 503 (53300, `Retry-After: 1`)
   * instead of waiting in an unbounded queue. `/health`, `/ready`, `/ping` and `/metrics` are
   * always answered and do not count.
   */
  readonly inflightRequestsMax: number;
}

/** Largest `?timeout_ms=` a request may ask for: the largest delay a JS timer can hold. */
export const queryTimeoutMsMax = 2_147_483_647;

/** The defaults: 64 MiB bodies, the engine's default query timeout (30 s), 256 requests at once. */
export const defaultHttpLimits: HttpLimits = Object.freeze({
  bodyBytesMax: 64 * 1024 * 1024,
  queryTimeoutMs: defaultLimits.queryTimeoutMs,
  inflightRequestsMax: 256,
});

/**
 * How long a graceful shutdown waits for requests in flight, in milliseconds, before it cancels
 * their queries and closes the database (`http.shutdown_timeout_ms`).
 */
export const shutdownTimeoutMsDefault = 10_000;
