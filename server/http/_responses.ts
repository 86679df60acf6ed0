/**
 * JSON responses and the mapping from SQLSTATE codes to HTTP statuses. Private to server/http.
 *
 * @module
 */
import { DbError } from "../../core/errors.ts";

/** SQLSTATE codes used only by the HTTP layer (PostgreSQL condition names). */
export const HttpSqlState = {
  /** The request does not follow the HTTP API: unknown route, wrong method, bad body shape. */
  protocolViolation: "08P01",
  /** The request body could not be read to its end (the connection broke). */
  connectionFailure: "08006",
  /** The body is not valid UTF-8. */
  characterNotInRepertoire: "22021",
  /** Too many requests in flight (`http.inflight_requests_max`): retry later. */
  tooManyConnections: "53300",
  /** The server is shutting down and takes no new requests. */
  cannotConnectNow: "57P03",
} as const;

const jsonHeaders = { "content-type": "application/json; charset=utf-8" };

/** A JSON response with the given status and extra headers. */
export function jsonResponse(
  body: unknown,
  status = 200,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

/** A JSON body that is already serialized. */
export function jsonTextResponse(text: string, status = 200): Response {
  return new Response(text, { status, headers: jsonHeaders });
}

/**
 * The HTTP status for a SQLSTATE: 504 for a timeout (57014), 500 for internal and system errors
 * (classes XX, 58, F0), 503 for lack of resources (53, other 57), 401/403 for authentication and
 * privileges, 409 for serialization failures (40), 400 for everything else the user can fix.
 */
export function statusForSqlState(code: string): number {
  if (code === "57014") return 504;
  const cls = code.slice(0, 2);
  switch (cls) {
    case "XX":
    case "58":
    case "F0":
      return 500;
    case "53":
    case "57":
      return 503;
    case "28":
      return 401;
    case "40":
      return 409;
  }
  if (code === "42501") return 403;
  return 400;
}

/** `{"error": {"code", "message", "position"?, ...}}` with the status that fits the code. */
export function errorResponse(
  error: DbError,
  status = statusForSqlState(error.code),
  headers: Readonly<Record<string, string>> = {},
): Response {
  return jsonResponse({ error: error.toJSON() }, status, headers);
}

/** Shorthand for an error response built from a code and a message. */
export function errorOf(
  code: string,
  message: string,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): Response {
  return errorResponse(new DbError(code, message), status, headers);
}
