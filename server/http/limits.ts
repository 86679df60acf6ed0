/**
 * The HTTP server's limits, each named with its unit. Config keys override them
 * (`http.body_bytes_max`, `http.query_timeout_ms`; see docs/http.md).
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
}

/** Largest `?timeout_ms=` a request may ask for: the largest delay a JS timer can hold. */
export const queryTimeoutMsMax = 2_147_483_647;

/** The defaults: 64 MiB bodies, the engine's default query timeout (30 s). */
export const defaultHttpLimits: HttpLimits = Object.freeze({
  bodyBytesMax: 64 * 1024 * 1024,
  queryTimeoutMs: defaultLimits.queryTimeoutMs,
});
