// /health, /ready and /ping through the real handler and the real engine, without a socket.
import assert from "node:assert/strict";
import { realEnv } from "../../core/env/mod.ts";
import { MemoryFileSystem } from "../../core/env/memory_fs.ts";
import { Database } from "../../mod.ts";
import { omendbVersion } from "../version.ts";
import { createHttpHandler } from "./handler.ts";
import { influxCompatibleVersion } from "./health_route.ts";

function sql(text: string): Request {
  return new Request("http://localhost/sql", { method: "POST", body: text });
}

Deno.test("GET /ready: 200 while the WAL takes writes, 503 with the reason after a failed write", async () => {
  const fs = new MemoryFileSystem();
  const db = await Database.open({ path: "/ready", env: { ...realEnv(), fs } });
  try {
    const handler = createHttpHandler({ db });
    const ok = await handler(new Request("http://localhost/ready"));
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { status: "ready" });

    assert.equal((await handler(sql("CREATE TABLE t (a INTEGER)"))).status, 200);
    fs.failNextWrites = 1;
    const failed = await handler(sql("INSERT INTO t VALUES (1)"));
    assert.equal(failed.status, 500);
    assert.equal((await failed.json()).error.code, "58030");

    const notReady = await handler(new Request("http://localhost/ready"));
    assert.equal(notReady.status, 503);
    const body = await notReady.json();
    assert.equal(body.status, "not_ready");
    assert.equal(body.code, "58030");
    assert.match(body.reason, /the database stopped: a commit record could not be made durable/);
    // liveness is unaffected: the process still serves (reads work, writes are refused)
    assert.equal((await handler(new Request("http://localhost/health"))).status, 200);
    const head = await handler(new Request("http://localhost/ready", { method: "HEAD" }));
    assert.equal(head.status, 503);
    assert.equal(head.body, null);
  } finally {
    await db.close();
  }
});

Deno.test("GET /ready: 503 while the server shuts down", async () => {
  const db = await Database.open({ memory: true });
  try {
    let stopping = false;
    const handler = createHttpHandler({ db, stopping: () => stopping });
    assert.equal((await handler(new Request("http://localhost/ready"))).status, 200);
    stopping = true;
    const res = await handler(new Request("http://localhost/ready"));
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), {
      status: "not_ready",
      reason: "the server is shutting down",
    });
  } finally {
    await db.close();
  }
});

Deno.test("GET /ping: 204 with InfluxDB 1.x's version headers; ?verbose=true gives JSON", async () => {
  const db = await Database.open({ memory: true });
  try {
    const handler = createHttpHandler({ db });
    for (const method of ["GET", "HEAD"]) {
      const res = await handler(new Request("http://localhost/ping", { method }));
      assert.equal(res.status, 204, method);
      assert.equal(res.body, null);
      assert.equal(res.headers.get("x-influxdb-version"), influxCompatibleVersion);
      assert.match(res.headers.get("x-influxdb-version") ?? "", /^1\.\d+\.\d+$/);
      assert.equal(res.headers.get("x-influxdb-build"), "OSS");
      assert.equal(res.headers.get("x-omendb-version"), omendbVersion);
    }
    const verbose = await handler(new Request("http://localhost/ping?verbose=true"));
    assert.equal(verbose.status, 200);
    assert.deepEqual(await verbose.json(), { version: influxCompatibleVersion });
    assert.equal(verbose.headers.get("x-influxdb-build"), "OSS");
    const quiet = await handler(new Request("http://localhost/ping?verbose=false"));
    assert.equal(quiet.status, 204);
    const post = await handler(new Request("http://localhost/ping", { method: "POST" }));
    assert.equal(post.status, 405);
    await post.body?.cancel();
  } finally {
    await db.close();
  }
});
