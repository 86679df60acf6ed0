// Many connections at once against the real server process: each connection is its own HTTP
// client (its own socket, kept alive), sends line-protocol batches to /write and /sql queries that
// must see its own acknowledged rows; the server's RSS from /metrics stays under a bound.
// The default run uses 1,000 connections (about 6 s here); OMENDB_LOAD_CONNECTIONS=N changes it
// (`deno task load:http` runs 3,000).
import assert from "node:assert/strict";
import { startServerProcess } from "./_test_server.ts";

const connections = Number(Deno.env.get("OMENDB_LOAD_CONNECTIONS") ?? "1000");
/** Requests per connection: writes and queries alternate. */
const requestsPerConnection = 6;
const linesPerWrite = 50;
/**
 * Connections share this many measurements (tables): one shared table would make every query of
 * the full run scan all 150,000 rows (about 150 ms each, measured here for rows written in 3,000
 * batches of 50; the run then took 196 s), which measures the engine's scan speed rather than
 * connection handling.
 */
const tableCount = 50;
/**
 * The bound the server's resident memory must stay under during the load: 256 MiB plus 0.5 MiB
 * per connection (measured here: 80 MiB idle, peaks of 232 MiB at 200 connections, 459 MiB at
 * 1,000 and 862 MiB at 3,000, most of it the rows and request bodies in flight).
 */
const residentBytesMax = (256 + 0.5 * connections) * 1024 * 1024;

function residentBytes(metrics: string): number {
  const m = /^omendb_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(metrics);
  assert.ok(m !== null, "the resident memory metric is there");
  return Number(m[1]);
}

Deno.test(`connections: ${connections} concurrent keep-alive connections mixing /write and /sql`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb_conns_" });
  const server = await startServerProcess([
    "--data-dir",
    dir,
    "--http-inflight-requests-max",
    String(connections * 2),
  ]);
  const probe = Deno.createHttpClient({});
  const clients = Array.from({ length: connections }, () => Deno.createHttpClient({}));
  try {
    const metricsNow = async () =>
      residentBytes(await (await fetch(`${server.url}/metrics`, { client: probe })).text());
    const rssBefore = await metricsNow();
    let rssPeak = rssBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        rssPeak = Math.max(rssPeak, await metricsNow());
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const started = performance.now();
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const gate = Promise.withResolvers<void>();
    const connection = async (c: number) => {
      const client = clients[c]!;
      await gate.promise; // every connection starts at once
      let acked = 0;
      for (let r = 0; r < requestsPerConnection; r++) {
        let res: Response;
        if (r % 2 === 0) {
          let body = "";
          for (let i = 0; i < linesPerWrite; i++) {
            const seq = (r / 2) * linesPerWrite + i;
            body += `load${c % tableCount},conn=c${c} seq=${seq}i,v=${c + seq / 1000} ${
              1_700_000_000_000 + seq
            }\n`;
          }
          res = await fetch(`${server.url}/write?db=lt&precision=ms`, {
            method: "POST",
            body,
            client,
          });
          const text = await res.text();
          if (res.status === 204) acked += linesPerWrite;
          else problems.push(`conn ${c} write ${r}: ${res.status} ${text}`);
        } else {
          res = await fetch(`${server.url}/sql`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              sql: `SELECT count(*), sum(seq) FROM lt.load${c % tableCount} WHERE conn = $1`,
              params: [`c${c}`],
            }),
            client,
          });
          const body = await res.json() as { rows?: unknown[][] };
          const n = acked;
          const sum = (n * (n - 1)) / 2;
          const row = body.rows?.[0];
          if (res.status !== 200 || row === undefined) {
            problems.push(`conn ${c} query ${r}: ${res.status} ${JSON.stringify(body)}`);
          } else if (Number(row[0]) !== n || Number(row[1]) !== sum) {
            problems.push(`conn ${c} query ${r}: saw ${row} after ${n} acknowledged rows`);
          }
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    };
    const all = Promise.all(Array.from({ length: connections }, (_, c) => connection(c)));
    gate.resolve();
    await all;
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    rssPeak = Math.max(rssPeak, await metricsNow());

    const totals = [0, 0];
    for (let t = 0; t < Math.min(tableCount, connections); t++) {
      const res = await fetch(`${server.url}/sql`, {
        method: "POST",
        body: `SELECT count(*), count(DISTINCT conn) FROM lt.load${t}`,
        client: probe,
      });
      const [rows, conns] = (await res.json()).rows[0] as unknown[];
      totals[0]! += Number(rows);
      totals[1]! += Number(conns);
    }
    console.log(JSON.stringify({
      connections,
      requests: connections * requestsPerConnection,
      seconds: Math.round(seconds * 100) / 100,
      statuses: Object.fromEntries(statuses),
      rssBeforeMiB: Math.round(rssBefore / 2 ** 20),
      rssPeakMiB: Math.round(rssPeak / 2 ** 20),
      rows: totals,
    }));
    assert.deepEqual(problems.slice(0, 10), []);
    assert.deepEqual(Object.fromEntries(statuses), {
      204: (connections * requestsPerConnection) / 2,
      200: (connections * requestsPerConnection) / 2,
    });
    assert.deepEqual(totals, [
      connections * (requestsPerConnection / 2) * linesPerWrite,
      connections,
    ]);
    assert.ok(
      rssPeak < residentBytesMax,
      `peak RSS ${Math.round(rssPeak / 2 ** 20)} MiB < ${residentBytesMax / 2 ** 20} MiB`,
    );
  } finally {
    for (const c of clients) c.close();
    probe.close();
    const { code } = await server.stop("SIGTERM");
    assert.equal(code, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
