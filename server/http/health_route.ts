/**
 * `GET /health`: answers 200 `{"status":"ok"}` while the process serves requests.
 *
 * @module
 */
import { jsonResponse } from "./_responses.ts";

/** Liveness: the process is up and its HTTP handler runs. */
export function healthRoute(): Promise<Response> {
  return Promise.resolve(jsonResponse({ status: "ok" }));
}
