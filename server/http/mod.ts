/**
 * OmenDB's HTTP API as a `fetch(Request) -> Promise<Response>` handler. `server/main.ts` serves
 * it with `Deno.serve`; tests and embedders call it directly. docs/http.md lists the endpoints.
 *
 * @example
 * ```ts
 * import { createHttpHandler } from "./mod.ts";
 * import { Database } from "../../mod.ts";
 *
 * const db = await Database.open({ memory: true });
 * const handler = createHttpHandler({ db, limits: { queryTimeoutMs: 5_000 } });
 * const res = await handler(
 *   new Request("http://localhost/sql", {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ sql: "SELECT $1::int4 + 1 AS x", params: [41] }),
 *   }),
 * );
 * const body = await res.json();
 * console.assert(res.status === 200 && body.rows[0][0] === 42);
 * await db.close();
 * ```
 *
 * @module
 */
export * from "./handler.ts";
export * from "./limits.ts";
export * from "./auth.ts";
export { formatIsoDate, formatRfc3339Micros, jsonValueEncoder } from "./json_values.ts";
export type { JsonValue, JsonValueEncoder, JsonValueOptions } from "./json_values.ts";
export { encodeSqlResult } from "./sql_route.ts";
export type { SqlRequest, SqlResponseBody } from "./sql_route.ts";
export { BodyTooLargeError, readBodyText } from "./read_body.ts";
