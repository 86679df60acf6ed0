/**
 * The PostgreSQL server's limits and defaults, each with its unit.
 *
 * @example
 * ```ts
 * import { pgMessageBytesMax } from "./limits.ts";
 * console.assert(pgMessageBytesMax === 1 << 30);
 * ```
 *
 * @module
 */

/** Longest protocol message accepted after startup, in bytes (PostgreSQL's PQ_LARGE_MESSAGE_LIMIT: 1 GiB). */
export const pgMessageBytesMax = 1 << 30;
/** Longest startup packet, in bytes (PostgreSQL's MAX_STARTUP_PACKET_LENGTH). */
export const pgStartupBytesMax = 10_000;
/** Longest authentication message (SASL, password), in bytes. */
export const pgAuthMessageBytesMax = 8192;
/** Unread input above which the socket is paused until the connection catches up, in bytes. */
export const pgInputPauseBytes = 1 << 20;
/** Output collected before it is written even without a ReadyForQuery, in bytes. */
export const pgOutputFlushBytes = 1 << 16;
/** Connections open at once by default (PostgreSQL's max_connections). */
export const pgConnectionsMaxDefault = 100;
/** Time a client has to finish startup and authentication, in ms (authentication_timeout). */
export const pgStartupTimeoutMsDefault = 60_000;
/** Idle time outside a transaction after which a session is closed, in ms (0 = never). */
export const pgIdleSessionTimeoutMsDefault = 0;
/**
 * How long the event loop keeps polling for the next request after a response, in µs (0 =
 * never): see busy_poll.ts.
 */
export const pgBusyPollMicrosDefault = 200;
/** Prepared statements one connection may hold (protocol-level, named). */
export const pgPreparedStatementsMax = 10_000;
/** Portals one connection may hold. */
export const pgPortalsMax = 10_000;
/** The one database name served. */
export const pgDatabaseName = "omendb";
/** The user of a trusted connection whose startup names none. */
export const pgDefaultUser = "omendb";
/** Default port of the PostgreSQL protocol (one above PostgreSQL's own 5432). */
export const pgPortDefault = 5433;
