/**
 * The auth plugin interface: authenticate a login or request, authorize an action. The default
 * implementation is plugins/auth (SCRAM-SHA-256 verifiers and API tokens from the catalog).
 *
 * @module
 */

/** A login attempt, over HTTP or the PostgreSQL protocol. */
export interface AuthRequest {
  readonly protocol: "http" | "pg";
  readonly user: string | null;
  /** A password, token or other secret, when the method sends one. */
  readonly secret: string | null;
  readonly method: "password" | "token" | "none";
  readonly remoteAddress: string;
}

/** Who is acting. Roles and grants come later; the shape leaves room for them. */
export interface Principal {
  readonly user: string;
  readonly roles: readonly string[];
}

/** An action on an object, for authorization. */
export interface AccessRequest {
  readonly action: "select" | "insert" | "update" | "delete" | "create" | "drop" | "admin";
  readonly object: { readonly kind: "table" | "schema" | "database"; readonly name: string };
}

/** A stored login user, as the directory hands it to a plugin. */
export interface AuthUser {
  readonly name: string;
  /** A PostgreSQL-format SCRAM-SHA-256 verifier; `null` = no password login. */
  readonly verifier: string | null;
}

/** A stored API token: its public id, its user and the SHA-256 (hex) of the whole token. */
export interface AuthToken {
  readonly id: string;
  readonly user: string;
  readonly sha256: string;
}

/** Where a plugin looks users and tokens up: the catalog, and users from the server config. */
export interface AuthDirectory {
  user(name: string): AuthUser | null;
  token(id: string): AuthToken | null;
}

/** What {@link AuthPlugin.authenticate} gets besides the request. */
export interface AuthContext {
  readonly directory: AuthDirectory;
  /** Monotonic milliseconds, for caches (injected so tests control time). */
  readonly nowMs: number;
}

/** Authenticates connections and requests, and authorizes actions. */
export interface AuthPlugin {
  readonly name: string;
  /**
   * The principal, or `null` to refuse the login. Secrets are compared in constant time, and
   * an unknown user takes the same path as a wrong password.
   */
  authenticate(request: AuthRequest, context: AuthContext): Promise<Principal | null>;
  authorize(principal: Principal, request: AccessRequest): boolean;
}
