/**
 * The default auth plugin, `scram`: users log in with a password checked against their
 * PostgreSQL-format SCRAM-SHA-256 verifier, or with an API token checked against its stored
 * SHA-256. Every authenticated user may do everything (roles and grants come later).
 *
 * Password checks recompute PBKDF2 (4096 rounds by default, a few ms): successes and failures
 * are cached for {@link passwordCacheTtlMs}, keyed by an HMAC (with a per-process random key) of
 * user, password and verifier, so the cache never holds a password and a changed password takes
 * effect at once. At most {@link passwordCacheEntriesMax} entries.
 *
 * @example
 * ```ts
 * import { PluginRegistry } from "../../core/plugin/registry.ts";
 * import { createVerifier } from "../../core/catalog/scram.ts";
 * import { authScram } from "./mod.ts";
 * const registry = new PluginRegistry();
 * registry.use(authScram);
 * const verifier = await createVerifier("pw");
 * const directory = { user: (n: string) => n === "ann" ? { name: n, verifier } : null, token: () => null };
 * const who = await registry.auth()!.authenticate(
 *   { protocol: "http", user: "ann", secret: "pw", method: "password", remoteAddress: "" },
 *   { directory, nowMs: 0 },
 * );
 * console.assert(who?.user === "ann");
 * ```
 *
 * @module
 */
import type { Plugin } from "../../core/plugin/registry.ts";
import type { AuthContext, AuthPlugin, AuthRequest, Principal } from "../../core/plugin/auth.ts";
import { checkPassword, sha256Hex, timingSafeEqual } from "../../core/catalog/scram.ts";
import { tokenIdOf } from "../../core/engine/user_ddl.ts";

/** How long a password check's result is reused, in milliseconds. */
export const passwordCacheTtlMs = 60_000;
/** Cached password checks at most; the oldest go first. */
export const passwordCacheEntriesMax = 1024;

/** A verifier that matches no password: unknown users are checked against it (same time). */
const decoyVerifier =
  "SCRAM-SHA-256$4096:AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

const encoder = new TextEncoder();

/** Creates the plugin's authenticator; each instance has its own cache and cache key. */
export function createScramAuth(name = "scram"): AuthPlugin {
  const cache = new Map<string, { ok: boolean; atMs: number }>();
  const cacheKey = crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);

  async function keyOf(user: string, password: string, verifier: string): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      await cacheKey,
      encoder.encode(`${user}\u0000${verifier}\u0000${password}`),
    );
    return btoa(String.fromCharCode(...new Uint8Array(mac)));
  }

  async function passwordMatches(
    user: string,
    verifier: string | null,
    password: string,
    nowMs: number,
  ): Promise<boolean> {
    const v = verifier ?? decoyVerifier;
    const key = await keyOf(user, password, v);
    const hit = cache.get(key);
    if (hit !== undefined && nowMs - hit.atMs < passwordCacheTtlMs) return hit.ok;
    const ok = (await checkPassword(v, password)) && verifier !== null;
    cache.delete(key);
    cache.set(key, { ok, atMs: nowMs });
    while (cache.size > passwordCacheEntriesMax) cache.delete(cache.keys().next().value!);
    return ok;
  }

  async function tokenUser(token: string, ctx: AuthContext): Promise<string | null> {
    const digest = await sha256Hex(token);
    const id = tokenIdOf(token);
    const stored = id === null ? null : ctx.directory.token(id);
    const expected = stored?.sha256 ?? "0".repeat(64);
    const same = timingSafeEqual(encoder.encode(digest), encoder.encode(expected));
    if (!same || stored === null) return null;
    // the token's user must still exist (DROP USER drops its tokens, config users have none)
    return ctx.directory.user(stored.user) === null ? null : stored.user;
  }

  return {
    name,
    async authenticate(req: AuthRequest, ctx: AuthContext): Promise<Principal | null> {
      if (req.secret === null) return null;
      if (req.method === "token") {
        const user = await tokenUser(req.secret, ctx);
        // a token sent with a user name (InfluxDB 1.x u/p) must belong to that user
        if (user === null || (req.user !== null && req.user !== user)) return null;
        return { user, roles: [] };
      }
      if (req.method !== "password" || req.user === null) return null;
      const stored = ctx.directory.user(req.user);
      const ok = await passwordMatches(req.user, stored?.verifier ?? null, req.secret, ctx.nowMs);
      return ok && stored !== null ? { user: stored.name, roles: [] } : null;
    },
    authorize: () => true,
  };
}

/** The default auth plugin: SCRAM-SHA-256 passwords and API tokens. */
export const authScram: Plugin = {
  name: "auth_scram",
  apiVersion: 1,
  register(registry) {
    registry.addAuth(createScramAuth());
  },
};
