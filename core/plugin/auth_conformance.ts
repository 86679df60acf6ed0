/**
 * The conformance suite of the auth interface: every auth plugin runs it (the built-in one from
 * `plugins/auth/mod_test.ts`). It registers `Deno.test` cases that check password logins against
 * SCRAM-SHA-256 verifiers (PostgreSQL's), API tokens against their SHA-256, and that every
 * refusal looks the same (`null`), whatever was wrong.
 *
 * Call it at the top level of a test file (it registers tests, so it cannot run inside one:
 * this example is not run).
 *
 * @example
 * ```ts ignore
 * import { authConformance } from "omendb/core/plugin/auth_conformance.ts";
 * import { createMyAuth } from "./my_auth.ts";
 * authConformance("mine", () => createMyAuth());
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { sha256Hex } from "../catalog/scram.ts";
import type { AuthDirectory, AuthPlugin, AuthRequest, AuthToken, AuthUser } from "./auth.ts";

// "pencil", made by PostgreSQL 15.18
const pencil =
  "SCRAM-SHA-256$4096:2+P2Q9FEFknOmykkGcjzVg==$kW30/DRUhdcXjphjDK1HZ6YCPAQT6wtu339G3Dp6Svc=:gSIukXwuwss+OnzVLgA8tK1PxcmFrsidmUqf9Hj1qvs=";
const annToken = `omendb_0123456789ab_${"A".repeat(43)}`;
const bobToken = `omendb_ba9876543210_${"B".repeat(43)}`;

async function fixture(): Promise<AuthDirectory> {
  const users = new Map<string, AuthUser>([
    ["ann", { name: "ann", verifier: pencil }],
    ["bob", { name: "bob", verifier: null }],
  ]);
  const tokens = new Map<string, AuthToken>([
    ["0123456789ab", { id: "0123456789ab", user: "ann", sha256: await sha256Hex(annToken) }],
    // a token whose user is gone
    ["ba9876543210", { id: "ba9876543210", user: "gone", sha256: await sha256Hex(bobToken) }],
  ]);
  return {
    user: (name) => users.get(name) ?? null,
    token: (id) => tokens.get(id) ?? null,
  };
}

function request(
  user: string | null,
  secret: string | null,
  method: AuthRequest["method"],
): AuthRequest {
  return { protocol: "http", user, secret, method, remoteAddress: "127.0.0.1" };
}

/** Registers the suite for the plugins `make` returns (a fresh one per case). */
export function authConformance(label: string, make: () => AuthPlugin): void {
  Deno.test(`auth conformance (${label}): passwords against SCRAM verifiers`, async () => {
    const plugin = make();
    const directory = await fixture();
    const ctx = { directory, nowMs: 0 };
    assert.equal(
      (await plugin.authenticate(request("ann", "pencil", "password"), ctx))?.user,
      "ann",
    );
    for (
      const r of [
        request("ann", "Pencil", "password"), // wrong password
        request("zed", "pencil", "password"), // unknown user
        request("bob", "", "password"), // no password set
        request("ann", null, "password"),
        request(null, "pencil", "password"),
        request("ann", "pencil", "none"),
      ]
    ) {
      assert.equal(await plugin.authenticate(r, ctx), null, JSON.stringify(r));
    }
    // asked again (a cache, if any, must give the same answers)
    assert.equal(
      (await plugin.authenticate(request("ann", "pencil", "password"), ctx))?.user,
      "ann",
    );
    assert.equal(await plugin.authenticate(request("ann", "Pencil", "password"), ctx), null);
  });

  Deno.test(`auth conformance (${label}): API tokens against their SHA-256`, async () => {
    const plugin = make();
    const ctx = { directory: await fixture(), nowMs: 0 };
    assert.equal((await plugin.authenticate(request(null, annToken, "token"), ctx))?.user, "ann");
    assert.equal((await plugin.authenticate(request("ann", annToken, "token"), ctx))?.user, "ann");
    for (
      const r of [
        request("bob", annToken, "token"), // someone else's token
        request(null, annToken.replace(/A$/, "B"), "token"), // forged
        request(null, bobToken, "token"), // its user is gone
        request(null, "not a token", "token"),
        request(null, "", "token"),
      ]
    ) {
      assert.equal(await plugin.authenticate(r, ctx), null, JSON.stringify(r));
    }
  });
}
