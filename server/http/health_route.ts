/**
 * `GET /health` (liveness), `GET /ready` (readiness) and `GET /ping` (the InfluxDB 1.x probe).
 *
 * @module
 */
import type { DbError } from "../../core/errors.ts";
import { omendbVersion } from "../version.ts";
import { jsonResponse } from "./_responses.ts";
import type { RouteContext } from "./handler.ts";

/** The InfluxDB version `/ping` reports: clients that check it take OmenDB for InfluxDB 1.8. */
export const influxCompatibleVersion = "1.8.10";

/** Liveness: the process is up and its HTTP handler runs. */
export function healthRoute(): Promise<Response> {
  return Promise.resolve(jsonResponse({ status: "ok" }));
}

/** Why the server is not ready, or `null` when it is. */
export function notReadyReason(
  db: { readonly writeFailure?: DbError | null },
  stopping: boolean,
): { readonly reason: string; readonly code?: string } | null {
  if (stopping) return { reason: "the server is shutting down" };
  const failure = db.writeFailure ?? null;
  if (failure !== null) return { reason: failure.message, code: failure.code };
  return null;
}

/**
 * Readiness: 200 `{"status":"ready"}` while the database is open and its WAL takes writes;
 * 503 `{"status":"not_ready","reason":...}` after a failed WAL write (the engine refuses writes
 * with 58030 until a restart) and while the server shuts down. The server listens only once the
 * database is open and recovered, so there is no "recovering" answer.
 */
export function readyRoute(_req: Request, ctx: RouteContext): Promise<Response> {
  const why = notReadyReason(ctx.db, ctx.stopping);
  if (why === null) return Promise.resolve(jsonResponse({ status: "ready" }));
  return Promise.resolve(jsonResponse({ status: "not_ready", ...why }, 503));
}

/**
 * `GET /ping`, as InfluxDB 1.x answers it: 204 with `X-Influxdb-Version` and
 * `X-Influxdb-Build`; `?verbose=true` gives 200 `{"version": ...}` instead. Client libraries
 * call it to check that the server is up and which API it speaks.
 */
export function pingRoute(_req: Request, ctx: RouteContext): Promise<Response> {
  const headers = {
    "x-influxdb-version": influxCompatibleVersion,
    "x-influxdb-build": "OSS",
    "x-omendb-version": omendbVersion,
  };
  const verbose = ctx.url.searchParams.get("verbose");
  if (verbose !== null && verbose !== "" && verbose !== "0" && verbose !== "false") {
    return Promise.resolve(jsonResponse({ version: influxCompatibleVersion }, 200, headers));
  }
  return Promise.resolve(new Response(null, { status: 204, headers }));
}
