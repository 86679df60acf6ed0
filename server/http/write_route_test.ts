// POST /write and /api/v2/write on a durable database: through the handler, and through a real
// socket with the npm @influxdata/influxdb-client.
import assert from "node:assert/strict";
import { InfluxDB, Point } from "@influxdata/influxdb-client";
import { Database } from "../../mod.ts";
import { createHttpHandler, type HttpHandler } from "./handler.ts";
import { mergedPointsHeader } from "./write_route.ts";

async function withDurable(fn: (handler: HttpHandler, db: Database) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const db = await Database.open({ path: dir });
  try {
    await fn(createHttpHandler({ db }), db);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function write(
  handler: HttpHandler,
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> | null }> {
  const res = await handler(new Request(`http://x${path}`, { method: "POST", body, headers }));
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

const rows = async (db: Database, sql: string) => (await db.query(sql)).rows;

Deno.test("write: a measurement becomes a table in the db's schema; types by suffix", async () => {
  await withDurable(async (h, db) => {
    const r = await write(
      h,
      "/write?db=iot&precision=s",
      'cpu,host=a,region=eu usage=0.5,n=3i,u=7u,ok=t,s="x y" 1700000000\n' +
        "# a comment\n\ncpu,host=b usage=0.25 1700000001\n",
    );
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.deepEqual(
      (await db.query("SELECT * FROM iot.cpu ORDER BY host")).columns.map((c) =>
        `${c.name}:${c.type.kind}`
      ),
      [
        "time:timestamptz",
        "host:text",
        "region:text",
        "usage:float8",
        "n:int8",
        "u:int8",
        "ok:bool",
        "s:text",
      ],
    );
    assert.deepEqual(
      await rows(db, "SELECT host, region, usage, n, u, ok, s FROM iot.cpu ORDER BY host"),
      [
        ["a", "eu", 0.5, 3n, 7n, true, "x y"],
        ["b", null, 0.25, null, null, null, null],
      ],
    );
    assert.deepEqual(
      await rows(db, "SELECT extract(epoch FROM time)::int8 FROM iot.cpu ORDER BY time"),
      [[1700000000n], [1700000001n]],
    );
  });
});

Deno.test("write: the same series and time again wins; a new tag is a new series", async () => {
  await withDurable(async (h, db) => {
    await write(h, "/write?db=d&precision=ms", "m,host=a v=1 1000\nm,host=a v=2 1000\n");
    await write(h, "/write?db=d&precision=ms", "m,host=a v=3 1000\nm,host=a,dc=x v=4 1000\n");
    assert.deepEqual(await rows(db, "SELECT host, dc, v FROM d.m ORDER BY v"), [
      ["a", null, 3],
      ["a", "x", 4],
    ]);
    await db.query("CHECKPOINT");
    assert.deepEqual(await rows(db, "SELECT count(*) FROM d.m"), [[2n]]);
  });
});

Deno.test("write: points merged by flooring nanoseconds are counted in a header, the body and /metrics", async () => {
  await withDurable(async (h, db) => {
    const handler = h;
    // 1000 ns and 1001 ns of one series floor to one microsecond: one row, one merged point
    let res = await handler(
      new Request("http://x/write?db=d", {
        method: "POST",
        body: "m,host=a v=1 1000\nm,host=a v=2 1001\nm,host=b v=3 1002\n",
      }),
    );
    assert.equal(res.status, 204);
    assert.equal(res.headers.get(mergedPointsHeader), "1");
    await res.body?.cancel();
    assert.deepEqual(await rows(db, "SELECT host, v FROM d.m ORDER BY host"), [["a", 2], ["b", 3]]);
    // no merge: no header
    res = await handler(new Request("http://x/write?db=d", { method: "POST", body: "m v=1 5\n" }));
    assert.equal(res.headers.get(mergedPointsHeader), null);
    await res.body?.cancel();
    // a partial write reports it in its body too
    const r = await write(h, "/write?db=d", "m,host=c v=1 7001\nm,host=c v=2 7002\nbroken\n");
    assert.equal(r.status, 400);
    assert.equal(r.body!.mergedPoints, 1);
    const metrics = await (await handler(new Request("http://x/metrics"))).text();
    assert.match(metrics, /^omendb_ingest_merged_points_total 2$/m);
  });
});

Deno.test("write: bad lines are refused one by one with InfluxDB's bodies; good ones stay", async () => {
  await withDurable(async (h, db) => {
    let r = await write(h, "/write?db=d&precision=s", 'm v=1 1\nbroken\nm v="s" 2\nm v=2 3\n');
    assert.equal(r.status, 400);
    assert.match(String(r.body!.error), /^partial write: .* dropped=2$/);
    assert.deepEqual((r.body!.lines as { line: number }[]).map((l) => l.line), [2, 3]);
    assert.deepEqual(await rows(db, "SELECT v FROM d.m ORDER BY v"), [[1], [2]]);
    r = await write(h, "/api/v2/write?bucket=d&org=o", "m v=true 4\n");
    assert.equal(r.status, 400);
    assert.equal(r.body!.code, "invalid");
    assert.match(String(r.body!.message), /field type conflict/);
    assert.equal((await write(h, "/write", "m v=1")).status, 400);
    r = await write(h, "/write?db=d", `${"x".repeat(64)} v=1 1\n`);
    assert.equal(r.status, 400);
    assert.match(String(r.body!.error), /longer than 63 bytes/);
    assert.equal((await write(h, "/write?db=d&precision=xs", "m v=1")).status, 400);
    assert.equal((await write(h, "/api/v2/write?bucket=d&precision=h", "m v=1")).status, 400);
  });
});

Deno.test("write: a gzip body is read; a damaged one is 400", async () => {
  await withDurable(async (h, db) => {
    const gz = new Blob([new TextEncoder().encode("g,k=v x=1 1\ng,k=w x=2 1\n")])
      .stream().pipeThrough(new CompressionStream("gzip"));
    const bytes = new Uint8Array(await new Response(gz).arrayBuffer());
    let r = await write(h, "/write?db=z", bytes, { "content-encoding": "gzip" });
    assert.equal(r.status, 204);
    assert.deepEqual(await rows(db, "SELECT count(*) FROM z.g"), [[2n]]);
    r = await write(h, "/write?db=z", bytes.subarray(0, 10), { "content-encoding": "gzip" });
    assert.equal(r.status, 400);
  });
});

Deno.test("write: @influxdata/influxdb-client writes every field type through a socket", async () => {
  const dir = await Deno.makeTempDir();
  const db = await Database.open({ path: dir });
  const handler = createHttpHandler({ db });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const api = new InfluxDB({ url, token: "unused" }).getWriteApi("org", "sensors", "us");
    const t = new Date("2024-05-01T10:00:00Z");
    api.writePoint(
      new Point("air").tag("room", "a b,c").floatField("temp", 21.5).intField("co2", 415)
        .uintField("count", 9).stringField("note", 'he said "hi"').booleanField("open", false)
        .timestamp(t),
    );
    api.writePoint(new Point("air").tag("room", "d").floatField("temp", 19).timestamp(t));
    await api.close(); // flushes and resolves once the server answered 204
    assert.deepEqual(
      await rows(db, "SELECT room, temp, co2, count, note, open FROM sensors.air ORDER BY room"),
      [["a b,c", 21.5, 415n, 9n, 'he said "hi"', false], ["d", 19, null, null, null, null]],
    );
    // the client reads our error body
    const bad = new InfluxDB({ url, token: "unused" }).getWriteApi("org", "sensors", "ns", {
      maxRetries: 0,
    });
    bad.writeRecord('air,room=a temp="text" 1');
    await assert.rejects(bad.close(), (e: Error & { statusCode?: number }) => {
      assert.equal(e.statusCode, 400);
      assert.match(e.message, /field type conflict/);
      return true;
    });
  } finally {
    await server.shutdown();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
