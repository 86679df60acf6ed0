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

/** Authenticates connections and requests, and authorizes actions. */
export interface AuthPlugin {
  readonly name: string;
  /** The principal, or `null` to refuse the login. Secrets are compared in constant time. */
  authenticate(request: AuthRequest): Promise<Principal | null>;
  authorize(principal: Principal, request: AccessRequest): boolean;
}
