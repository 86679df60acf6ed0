/**
 * `GET /metrics`: every `omendb_*` metric in the Prometheus text format 0.0.4.
 *
 * @module
 */
import { prometheusContentType } from "../metrics.ts";
import type { RouteContext } from "./handler.ts";
import { notReadyReason } from "./health_route.ts";

/** Samples the database and process values, then answers the exposition text. */
export function metricsRoute(_req: Request, ctx: RouteContext): Promise<Response> {
  ctx.metrics.collect(ctx.db, notReadyReason(ctx.db, ctx.stopping) === null);
  return Promise.resolve(
    new Response(ctx.metrics.registry.expose(), {
      headers: { "content-type": prometheusContentType },
    }),
  );
}
