/**
 * HTTP authentication: reads credentials from a request and asks the auth plugin who sent it.
 *
 * Accepted, in this order:
 * - `Authorization: Token <token>` (InfluxDB 2.x) or `Authorization: Bearer <token>`;
 * - `Authorization: Basic base64(user:password)`: the password is checked against the user's
 *   SCRAM-SHA-256 verifier; a password shaped like an API token is taken as one (of that user);
 * - on the InfluxDB routes ({@link queryParamAuthRoutes}), the 1.x query parameters `u` and `p`
 *   (again, `p` may be a token).
 *
 * A refusal is 401 with `WWW-Authenticate` and `{"error":{"code","message":"authentication
 * failed"}}`: 28000 when no credentials came, 28P01 when they were wrong; the message never says
 * whether the user exists.
 *
 * @example
 * ```ts
 * import { credentialsOf } from "./auth.ts";
 * const req = new Request("http://x/sql", { headers: { authorization: "Basic " + btoa("ann:pw") } });
 * const c = credentialsOf(req, new URL(req.url));
 * console.assert(c?.user === "ann" && c.method === "password");
 * ```
 *
 * @module
 */
import type {
  AuthDirectory,
  AuthPlugin,
  AuthRequest,
  AuthUser,
  Principal,
} from "../../core/plugin/auth.ts";
import { tokenIdOf } from "../../core/engine/user_ddl.ts";
import { SqlState } from "../../core/errors.ts";
import { errorOf } from "./_responses.ts";

/** Routes answered without credentials even when auth is on: liveness and readiness probes. */
export const openRoutes: ReadonlySet<string> = new Set(["/health", "/ready", "/ping"]);

/** Routes that also take InfluxDB 1.x `?u=user&p=password` credentials. */
export const queryParamAuthRoutes: ReadonlySet<string> = new Set(["/write", "/api/v2/write"]);

/** Longest `Authorization` header or `p` parameter looked at, in bytes. */
export const credentialsBytesMax = 4096;

/** Auth settings of the HTTP handler (see `HttpHandlerOptions.auth`). */
export interface HttpAuth {
  /** Who checks the credentials (the registry's auth plugin). */
  readonly plugin: AuthPlugin;
  /** Users and tokens of the database, if it has any. */
  readonly directory?: AuthDirectory;
  /** Users from the server config (`auth.users`), name -> SCRAM verifier; they shadow the database's. */
  readonly users?: ReadonlyMap<string, string>;
}

/** A request's credentials, as an {@link AuthRequest} without the protocol. */
export type HttpCredentials = Pick<AuthRequest, "user" | "secret" | "method">;

/** The credentials a request carries; `null` when it carries none (or a malformed header). */
export function credentialsOf(req: Request, url: URL): HttpCredentials | null {
  const header = req.headers.get("authorization");
  if (header !== null) {
    if (header.length > credentialsBytesMax) return null;
    const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(header);
    if (m === null) return null;
    const scheme = m[1]!.toLowerCase();
    const value = m[2]!;
    if (scheme === "token" || scheme === "bearer") {
      return { user: null, secret: value, method: "token" };
    }
    if (scheme !== "basic") return null;
    let decoded: string;
    try {
      decoded = new TextDecoder("utf-8", { fatal: true }).decode(
        Uint8Array.from(atob(value), (c) => c.charCodeAt(0)),
      );
    } catch {
      return null;
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    return userAndSecret(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  if (queryParamAuthRoutes.has(url.pathname)) {
    const u = url.searchParams.get("u");
    const p = url.searchParams.get("p");
    if (p !== null && p.length <= credentialsBytesMax) return userAndSecret(u ?? "", p);
  }
  return null;
}

function userAndSecret(user: string, secret: string): HttpCredentials {
  const method = tokenIdOf(secret) !== null ? "token" : "password";
  return { user: user === "" ? null : user, secret, method };
}

/** The directory the plugin sees: config users first, then the database's. */
export function httpDirectory(auth: HttpAuth): AuthDirectory {
  const configUsers = new Map<string, AuthUser>();
  for (const [name, verifier] of auth.users ?? []) configUsers.set(name, { name, verifier });
  return {
    user: (name) => configUsers.get(name) ?? auth.directory?.user(name) ?? null,
    token: (id) => auth.directory?.token(id) ?? null,
  };
}

/** The outcome of {@link authenticateHttp}: who sent the request, or the 401 to answer. */
export type HttpAuthResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly response: Response };

/** Authenticates a request. */
export async function authenticateHttp(
  req: Request,
  url: URL,
  auth: HttpAuth,
  directory: AuthDirectory,
  nowMs: number,
): Promise<HttpAuthResult> {
  const creds = credentialsOf(req, url);
  if (creds === null) return { ok: false, response: unauthorized(SqlState.invalidAuthorization) };
  const principal = await auth.plugin.authenticate(
    { protocol: "http", remoteAddress: "", ...creds },
    { directory, nowMs },
  );
  if (principal === null) {
    return { ok: false, response: unauthorized(SqlState.invalidPassword) };
  }
  return { ok: true, principal };
}

/** 401 with a challenge and a message that does not say what was wrong. */
export function unauthorized(code: string): Response {
  return errorOf(code, "authentication failed", 401, {
    "www-authenticate": 'Basic realm="omendb", charset="UTF-8", Bearer realm="omendb"',
  });
}
