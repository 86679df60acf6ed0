// HTTP authentication through createHttpHandler: each scheme, refusals, probes, disabled mode.
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { createVerifier } from "../../core/catalog/scram.ts";
import type { AuthPlugin } from "../../core/plugin/auth.ts";
import { createScramAuth } from "../../plugins/auth/mod.ts";
import { credentialsOf, queryParamAuthRoutes } from "./auth.ts";
import { createHttpHandler, type HttpHandler, routes } from "./handler.ts";

interface Fixture {
  readonly db: Database;
  readonly handler: HttpHandler;
  readonly token: string;
  readonly tokenId: string;
}

async function withAuth(
  fn: (f: Fixture) => Promise<void>,
  users: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const db = await Database.open({ memory: true });
  try {
    await db.query("CREATE USER ann PASSWORD 'ann-pw'");
    await db.query("CREATE USER bob PASSWORD 'bob-pw'");
    const [tokenId, , token] = (await db.query("CREATE TOKEN FOR USER ann")).rows[0] as string[];
    const plugin = db.registry.auth()!;
    const handler = createHttpHandler({ db, auth: { plugin, users } });
    await fn({ db, handler, token: token!, tokenId: tokenId! });
  } finally {
    await db.close();
  }
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${
    btoa(String.fromCharCode(...new TextEncoder().encode(`${user}:${password}`)))
  }`,
});

async function sql(
  h: HttpHandler,
  headers: Record<string, string>,
  query = "SELECT 1 AS x",
): Promise<{ status: number; body: Record<string, unknown>; res: Response }> {
  const res = await h(
    new Request("http://x/sql", {
      method: "POST",
      body: JSON.stringify({ sql: query }),
      headers: { "content-type": "application/json", ...headers },
    }),
  );
  return { status: res.status, body: await res.json(), res };
}

function assertRefused(
  r: { status: number; body: Record<string, unknown>; res: Response },
  code: string,
) {
  assert.equal(r.status, 401);
  assert.deepEqual(r.body, { error: { code, message: "authentication failed" } });
  assert.match(r.res.headers.get("www-authenticate") ?? "", /^Basic realm="omendb"/);
}

Deno.test("http auth: the default plugin is registered through the registry", async () => {
  const db = await Database.open({ memory: true });
  assert(db.registry.pluginNames().includes("auth_scram"));
  assert.equal(db.registry.auth()?.name, "scram");
  await db.close();
});

Deno.test("http auth: disabled (no auth option) trusts every request", async () => {
  const db = await Database.open({ memory: true });
  const r = await sql(createHttpHandler({ db }), {});
  assert.equal(r.status, 200);
  await db.close();
});

Deno.test("http auth: probes stay open, everything else needs credentials (28000)", async () => {
  await withAuth(async ({ handler }) => {
    for (const path of ["/health", "/ready", "/ping"]) {
      const res = await handler(new Request(`http://x${path}`));
      await res.body?.cancel();
      assert(res.status < 300, `${path}: ${res.status}`);
    }
    assertRefused(await sql(handler, {}), "28000");
    for (const path of ["/metrics", "/nope"]) {
      const res = await handler(new Request(`http://x${path}`));
      assert.equal(res.status, 401, path);
      assert.equal((await res.json()).error.code, "28000");
    }
    assertRefused(await sql(handler, { authorization: "Digest abc" }), "28000");
    assertRefused(await sql(handler, { authorization: "Basic !!!" }), "28000");
    assertRefused(await sql(handler, { authorization: `Basic ${btoa("no-colon")}` }), "28000");
  });
});

Deno.test("http auth: Basic checks the SCRAM verifier; unknown user and wrong password look alike", async () => {
  await withAuth(async ({ handler, db }) => {
    const ok = await sql(handler, basic("ann", "ann-pw"));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.rows, [[1]]);
    const wrong = await sql(handler, basic("ann", "bob-pw"));
    const unknown = await sql(handler, basic("zed", "ann-pw"));
    assertRefused(wrong, "28P01");
    assertRefused(unknown, "28P01");
    assert.deepEqual(wrong.body, unknown.body);
    // a password change takes effect at once, cache or not
    assert.equal((await sql(handler, basic("bob", "bob-pw"))).status, 200);
    await db.query("ALTER USER bob PASSWORD 'new-pw'");
    assertRefused(await sql(handler, basic("bob", "bob-pw")), "28P01");
    assert.equal((await sql(handler, basic("bob", "new-pw"))).status, 200);
    await db.query("DROP USER bob");
    assertRefused(await sql(handler, basic("bob", "new-pw")), "28P01");
    // non-ASCII passwords go through UTF-8 and SASLprep
    await db.query("CREATE USER cé PASSWORD 'pä ss'");
    assert.equal((await sql(handler, basic("cé", "pä ss"))).status, 200);
  });
});

Deno.test("http auth: Token and Bearer take API tokens; dropped tokens stop working", async () => {
  await withAuth(async ({ handler, db, token, tokenId }) => {
    assert.equal((await sql(handler, { authorization: `Token ${token}` })).status, 200);
    assert.equal((await sql(handler, { authorization: `Bearer ${token}` })).status, 200);
    assert.equal((await sql(handler, { authorization: `bearer ${token}` })).status, 200);
    // a token as the Basic password of its own user (Grafana, Telegraf), not of another
    assert.equal((await sql(handler, basic("ann", token))).status, 200);
    assertRefused(await sql(handler, basic("bob", token)), "28P01");
    const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    assertRefused(await sql(handler, { authorization: `Token ${forged}` }), "28P01");
    assertRefused(await sql(handler, { authorization: "Token nonsense" }), "28P01");
    await db.query(`DROP TOKEN '${tokenId}'`);
    assertRefused(await sql(handler, { authorization: `Token ${token}` }), "28P01");
  });
});

Deno.test("http auth: InfluxDB 1.x u/p query parameters on the write routes only", async () => {
  await withAuth(async ({ handler, token }) => {
    const write = async (path: string) => {
      const res = await handler(
        new Request(`http://x${path}`, { method: "POST", body: "cpu v=1 1\n" }),
      );
      await res.body?.cancel();
      return res.status;
    };
    assert.deepEqual([...queryParamAuthRoutes].sort(), ["/api/v2/write", "/write"]);
    assert.equal(await write("/write?db=iot&u=ann&p=ann-pw"), 204);
    assert.equal(await write("/write?db=iot&u=ann&p=wrong"), 401);
    assert.equal(await write("/write?db=iot"), 401);
    assert.equal(await write(`/write?db=iot&u=ann&p=${encodeURIComponent(token)}`), 204);
    assert.equal(await write(`/write?db=iot&p=${encodeURIComponent(token)}`), 204);
    assert.equal(await write("/api/v2/write?bucket=iot&u=ann&p=ann-pw"), 204);
    const r = await handler(
      new Request("http://x/sql?u=ann&p=ann-pw", { method: "POST", body: '{"sql":"SELECT 1"}' }),
    );
    assert.equal(r.status, 401); // no secrets in URLs of /sql
    await r.body?.cancel();
  });
});

Deno.test("http auth: users from the config (verifiers) shadow catalog users", async () => {
  const users = new Map([["cfg", await createVerifier("cfg-pw")], [
    "ann",
    await createVerifier("config-ann"),
  ]]);
  await withAuth(async ({ handler }) => {
    assert.equal((await sql(handler, basic("cfg", "cfg-pw"))).status, 200);
    assert.equal((await sql(handler, basic("ann", "config-ann"))).status, 200);
    assertRefused(await sql(handler, basic("ann", "ann-pw")), "28P01");
  }, users);
});

Deno.test("http auth: password checks are cached (bounded, keyed by a hash), in time only", async () => {
  const plugin: AuthPlugin = createScramAuth();
  const verifier = await createVerifier("pw", { iterations: 200_000 });
  const directory = {
    user: (n: string) => (n === "u" ? { name: n, verifier } : null),
    token: () => null,
  };
  const attempt = (secret: string, nowMs: number) =>
    plugin.authenticate(
      { protocol: "http", user: "u", secret, method: "password", remoteAddress: "" },
      { directory, nowMs },
    );
  let t = performance.now();
  assert.equal((await attempt("pw", 0))?.user, "u");
  const cold = performance.now() - t;
  t = performance.now();
  assert.equal((await attempt("pw", 1000))?.user, "u");
  const warm = performance.now() - t;
  assert(warm < cold / 4, `cached check took ${warm} ms, the first ${cold} ms`);
  assert.equal(await attempt("wrong", 1000), null);
  assert.equal(await attempt("wrong", 1001), null);
});

Deno.test("http auth: credentialsOf reads each scheme", () => {
  const at = (headers: Record<string, string>, path = "/sql") =>
    credentialsOf(new Request(`http://x${path}`, { headers }), new URL(`http://x${path}`));
  assert.deepEqual(at({ authorization: "Token abc" }), {
    user: null,
    secret: "abc",
    method: "token",
  });
  assert.deepEqual(at(basic("a", "b:c")), { user: "a", secret: "b:c", method: "password" });
  assert.equal(at({}), null);
  assert.equal(at({}, "/write?u=a&p=b")?.user, "a");
  assert.equal(at({ authorization: `Token ${"x".repeat(5000)}` }), null);
  assert(Object.keys(routes).includes("/sql"));
});
