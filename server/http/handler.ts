/**
 * The HTTP core: a `fetch(Request) -> Promise<Response>` handler with a small route table.
 * `Deno.serve` runs it in the server; tests call it directly, without a socket.
 *
 * @module
 */
import { DbError, toDbError } from "../../core/errors.ts";
import type { Clock } from "../../core/env/clock.ts";
import { systemClock } from "../../core/env/clock.ts";
import type { DatabaseStats, TableDescription } from "../../core/engine/database.ts";
import type { QueryOptions, QueryResult } from "../../core/engine/result.ts";
import type { QueryStream } from "../../core/engine/query_stream.ts";
import type { WalStats } from "../../core/plugin/wal.ts";
import type { AuthDirectory, Principal } from "../../core/plugin/auth.ts";
import type { Column, Value } from "../../core/types/column.ts";
import { type Logger, silentLogger } from "../log.ts";
import type { CounterChild, HistogramChild } from "../metrics.ts";
import { createServerMetrics, type ServerMetrics } from "../server_metrics.ts";
import { errorOf, errorResponse, HttpSqlState } from "./_responses.ts";
import { authenticateHttp, type HttpAuth, httpDirectory, openRoutes } from "./auth.ts";
import { healthRoute, pingRoute, readyRoute } from "./health_route.ts";
import { defaultHttpLimits, type HttpLimits } from "./limits.ts";
import { metricsRoute } from "./metrics_route.ts";
import { BodyTooLargeError } from "./read_body.ts";
import { sqlRoute } from "./sql_route.ts";
import { writeRoute } from "./write_route.ts";
import {
  createParsePool,
  type LineProtocolParser,
} from "../../plugins/line_protocol/parse_pool.ts";

/** What the HTTP layer needs from a database: `Database` from mod.ts satisfies it. */
export interface HttpDatabase {
  /** Runs every statement in `sql` and returns the last result. */
  query(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult>;
  /** A session of its own (settings, transaction block) for one request. */
  session(): HttpSession;
  /** A table's columns and options (see `Database.describeTable`); `null` when missing. */
  describeTable(schema: string, table: string): TableDescription | null;
  /** Appends columns by name as one durable transaction (see `Database.insertBatch`). */
  insertBatch(
    schema: string,
    table: string,
    columns: ReadonlyMap<string, Column>,
    length: number,
  ): Promise<void>;
  /** The error that stopped writes (`Database.writeFailure`); `/ready` is 503 while set. */
  readonly writeFailure?: DbError | null;
  /** Counts for `/metrics` (`Database.stats`). */
  stats?(): DatabaseStats;
  /** WAL counters for `/metrics` (`Database.walStats`); `null` in memory. */
  walStats?(): WalStats | null;
  /** Users and API tokens for authentication (`Database.authDirectory`). */
  authDirectory?(): AuthDirectory;
}

/** One request's session (see {@link HttpDatabase.session}). */
export interface HttpSession {
  query(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult>;
  /** Runs `sql`, streaming the last statement's result (see `Session.stream`). */
  stream(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryStream>;
  /** Ends it, rolling back a transaction block left open. */
  close(): Promise<void>;
}

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** The database every request runs against. */
  readonly db: HttpDatabase;
  /** Source of time for timings; the system clock by default. */
  readonly clock?: Clock;
  /** Overrides of {@link defaultHttpLimits}. */
  readonly limits?: Partial<HttpLimits>;
  /** Where request and internal-error events go; nowhere by default. */
  readonly log?: Logger;
  /** Where requests and queries are counted; a fresh set by default. */
  readonly metrics?: ServerMetrics;
  /**
   * True once the server shuts down: `/ready` answers 503 and every other request but the
   * probes gets 503 (57P03) with `Connection: close`, while those already running finish.
   * Never, by default.
   */
  readonly stopping?: () => boolean;
  /** Aborting it cancels every running query (57014): the end of a shutdown's grace period. */
  readonly signal?: AbortSignal;
  /**
   * When given, every route but the probes ({@link openRoutes}) needs credentials (see
   * auth.ts). Without it every request is trusted (`auth.enabled = false`).
   */
  readonly auth?: HttpAuth;
  /**
   * Parses line-protocol bodies for `/write` (e.g. a Worker pool from `createParsePool`); the
   * request's own thread parses them by default. The caller closes it.
   */
  readonly lineProtocol?: LineProtocolParser;
}

/** A `fetch`-style request handler, as `Deno.serve` takes it. */
export type HttpHandler = (req: Request) => Promise<Response>;

/** What a route gets besides the request. */
export interface RouteContext {
  /** The database to run queries against. */
  readonly db: HttpDatabase;
  /** Source of time for timings. */
  readonly clock: Clock;
  /** The effective limits. */
  readonly limits: HttpLimits;
  /** Where events go. */
  readonly log: Logger;
  /** The parsed request URL. */
  readonly url: URL;
  /** Where to count things (e.g. `metrics.ingest.lines.inc(n)`). */
  readonly metrics: ServerMetrics;
  /** True while the server shuts down. */
  readonly stopping: boolean;
  /** Aborted when running queries must stop (shutdown deadline); combine it with `req.signal`. */
  readonly signal: AbortSignal | undefined;
  /** Who sent the request; `null` when auth is off (or on an open route). For grants, later. */
  readonly principal: Principal | null;
  /** Parses line-protocol bodies. */
  readonly lineProtocol: LineProtocolParser;
  /**
   * Keeps the request counted in flight after the route returned its response, while its body
   * streams; call the function it returns when the body ends.
   */
  readonly holdInFlight: () => () => void;
}

/** Serves one method of one path. Throwing a DbError produces the matching error response. */
export type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;

/** Path -> method -> handler. HEAD is answered for every GET route. */
export type RouteTable = Readonly<Record<string, Readonly<Partial<Record<string, RouteHandler>>>>>;

/** The routes of the HTTP API. docs/http.md describes each one. */
export const routes: RouteTable = {
  "/health": { GET: healthRoute },
  "/ready": { GET: readyRoute },
  "/ping": { GET: pingRoute },
  "/metrics": { GET: metricsRoute },
  "/sql": { POST: sqlRoute },
  "/write": { POST: (req, ctx) => writeRoute(req, ctx, "v1") },
  "/api/v2/write": { POST: (req, ctx) => writeRoute(req, ctx, "v2") },
};

/**
 * Routes for operators and probes: cheap, never touching the database's queue, so they are
 * answered past `inflightRequestsMax` and do not count toward it.
 */
export const probeRoutes: ReadonlySet<string> = new Set(["/health", "/ready", "/ping", "/metrics"]);

/** The `route` label of requests to a path that is not in {@link routes}. */
export const unmatchedRoute = "unmatched";

/** The metric children of one route, looked up once. */
interface RouteMetrics {
  readonly duration: HistogramChild;
  /** By status class: index 1 = 1xx ... 5 = 5xx. */
  readonly byClass: (CounterChild | undefined)[];
}

/**
 * Builds the handler serving {@link routes}. Every error becomes a JSON
 * `{"error": {"code", "message", "position"?}}` response; nothing a client sends can make it throw.
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const limits: HttpLimits = { ...defaultHttpLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const lineProtocol = options.lineProtocol ?? createParsePool(0);
  const log = options.log ?? silentLogger;
  const metrics = options.metrics ?? createServerMetrics();
  const stopping = options.stopping ?? (() => false);
  const byRoute = new Map<string, RouteMetrics>();
  const routeMetrics = (route: string): RouteMetrics => {
    let m = byRoute.get(route);
    if (m === undefined) {
      m = { duration: metrics.http.duration.labels(route), byClass: [] };
      byRoute.set(route, m);
    }
    return m;
  };
  let inFlight = 0;
  const auth = options.auth;
  const authDirectory = auth === undefined ? null : httpDirectory({
    ...auth,
    ...(auth.directory === undefined && options.db.authDirectory !== undefined
      ? { directory: options.db.authDirectory() }
      : {}),
  });
  return async (req: Request): Promise<Response> => {
    const started = clock.monotonicMs();
    const url = new URL(req.url);
    const route = routes[url.pathname] === undefined ? unmatchedRoute : url.pathname;
    const isProbe = probeRoutes.has(route);
    const isStopping = stopping();
    let response: Response;
    if (isStopping && !isProbe) {
      await req.body?.cancel().catch(() => {});
      response = errorOf(
        HttpSqlState.cannotConnectNow,
        "the server is shutting down; retry on another server or after it restarts",
        503,
        { connection: "close" },
      );
    } else if (!isProbe && inFlight >= limits.inflightRequestsMax) {
      metrics.http.rejected.inc();
      await req.body?.cancel().catch(() => {});
      response = errorOf(
        HttpSqlState.tooManyConnections,
        `too many requests in flight (http.inflight_requests_max = ${limits.inflightRequestsMax})` +
          `; retry later`,
        503,
        { "retry-after": "1" },
      );
    } else {
      if (!isProbe) inFlight++;
      metrics.http.inFlight.inc();
      try {
        let principal: Principal | null = null;
        let refused: Response | null = null;
        if (auth !== undefined && authDirectory !== null && !openRoutes.has(url.pathname)) {
          const r = await authenticateHttp(req, url, auth, authDirectory, clock.monotonicMs());
          if (r.ok) principal = r.principal;
          else {
            await req.body?.cancel().catch(() => {});
            log.debug("auth_failed", { method: req.method, path: url.pathname });
            refused = r.response;
          }
        }
        response = refused ?? await dispatch(req, {
          db: options.db,
          clock,
          limits,
          log,
          url,
          metrics,
          stopping: isStopping,
          signal: options.signal,
          principal,
          lineProtocol,
          holdInFlight: () => {
            if (!isProbe) inFlight++;
            metrics.http.inFlight.inc();
            let held = true;
            return () => {
              if (!held) return;
              held = false;
              if (!isProbe) inFlight--;
              metrics.http.inFlight.dec();
            };
          },
        });
      } catch (e) {
        response = errorToResponse(e, log, req, url);
      } finally {
        if (!isProbe) inFlight--;
        metrics.http.inFlight.dec();
      }
    }
    const ms = clock.monotonicMs() - started;
    const m = routeMetrics(route);
    m.duration.observe(ms / 1000);
    const cls = Math.min(Math.max(Math.floor(response.status / 100), 1), 5);
    (m.byClass[cls] ??= metrics.http.requests.labels(route, `${cls}xx`)).inc();
    log.debug("request", {
      method: req.method,
      path: url.pathname,
      status: response.status,
      ms: Math.round(ms * 1000) / 1000,
    });
    return response;
  };
}

async function dispatch(req: Request, ctx: RouteContext): Promise<Response> {
  const methods = routes[ctx.url.pathname];
  if (methods === undefined) {
    const known = Object.entries(routes)
      .flatMap(([path, m]) => Object.keys(m).map((method) => `${method} ${path}`))
      .join(", ");
    return errorOf(
      HttpSqlState.protocolViolation,
      `no such endpoint: ${req.method} ${ctx.url.pathname}; endpoints: ${known}`,
      404,
    );
  }
  const route = methods[req.method];
  if (route !== undefined) return await route(req, ctx);
  const get = methods.GET;
  if (req.method === "HEAD" && get !== undefined) {
    const full = await get(req, ctx);
    return new Response(null, { status: full.status, headers: full.headers });
  }
  const allowed = Object.keys(methods);
  if (allowed.includes("GET")) allowed.push("HEAD");
  return errorOf(
    HttpSqlState.protocolViolation,
    `method ${req.method} is not allowed on ${ctx.url.pathname}; use ${allowed.join(" or ")}`,
    405,
    { allow: allowed.join(", ") },
  );
}

function errorToResponse(e: unknown, log: Logger, req: Request, url: URL): Response {
  if (e instanceof BodyTooLargeError) return errorResponse(e, 413);
  const err = e instanceof DbError ? e : toDbError(e);
  const response = errorResponse(err);
  if (response.status === 503) {
    log.warn("resources_exhausted", { method: req.method, path: url.pathname, code: err.code });
  } else if (response.status === 500) {
    log.error("internal_error", {
      method: req.method,
      path: url.pathname,
      code: err.code,
      error: err.cause instanceof Error ? err.cause : err,
    });
  }
  return response;
}
