/**
 * The HTTP core: a `fetch(Request) -> Promise<Response>` handler with a small route table.
 * `Deno.serve` runs it in the server; tests call it directly, without a socket.
 *
 * @module
 */
import { DbError, toDbError } from "../../core/errors.ts";
import type { Clock } from "../../core/env/clock.ts";
import { systemClock } from "../../core/env/clock.ts";
import type { QueryOptions, QueryResult } from "../../core/engine/result.ts";
import type { Value } from "../../core/types/column.ts";
import { type Logger, silentLogger } from "../log.ts";
import { errorOf, errorResponse, HttpSqlState } from "./_responses.ts";
import { healthRoute } from "./health_route.ts";
import { defaultHttpLimits, type HttpLimits } from "./limits.ts";
import { BodyTooLargeError } from "./read_body.ts";
import { sqlRoute } from "./sql_route.ts";

/** What the HTTP layer needs from a database: `Database` from mod.ts satisfies it. */
export interface HttpDatabase {
  /** Runs every statement in `sql` and returns the last result. */
  query(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult>;
  /** A session of its own (settings, transaction block) for one request. */
  session(): HttpSession;
}

/** One request's session (see {@link HttpDatabase.session}). */
export interface HttpSession {
  query(sql: string, params?: readonly Value[], options?: QueryOptions): Promise<QueryResult>;
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
}

/** Serves one method of one path. Throwing a DbError produces the matching error response. */
export type RouteHandler = (req: Request, ctx: RouteContext) => Promise<Response>;

/** Path -> method -> handler. HEAD is answered for every GET route. */
export type RouteTable = Readonly<Record<string, Readonly<Partial<Record<string, RouteHandler>>>>>;

/** The routes of the HTTP API. docs/http.md describes each one. */
export const routes: RouteTable = {
  "/health": { GET: healthRoute },
  "/sql": { POST: sqlRoute },
};

/**
 * Builds the handler serving {@link routes}. Every error becomes a JSON
 * `{"error": {"code", "message", "position"?}}` response; nothing a client sends can make it throw.
 */
export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const limits: HttpLimits = { ...defaultHttpLimits, ...options.limits };
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  return async (req: Request): Promise<Response> => {
    const started = clock.monotonicMs();
    const url = new URL(req.url);
    let response: Response;
    try {
      response = await dispatch(req, { db: options.db, clock, limits, log, url });
    } catch (e) {
      response = errorToResponse(e, log, req, url);
    }
    log.debug("request", {
      method: req.method,
      path: url.pathname,
      status: response.status,
      ms: Math.round((clock.monotonicMs() - started) * 1000) / 1000,
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
