/**
 * Large `POST /sql` results over a real socket: rows per second and time to first byte of a JSON
 * and a CSV result (`generate_series` with an int8, a float8 and a text column), read by `curl`
 * in its own process, with the server's peak RSS sampled meanwhile. Run it on two commits to
 * compare buffered and streamed responses.
 *
 * ```sh
 * deno task bench:sql-stream [--rows 2000000] [--repeat 3]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database } from "../mod.ts";
import { createHttpHandler } from "../server/http/handler.ts";

const args = parseArgs({
  options: {
    rows: { type: "string", default: "2000000" },
    repeat: { type: "string", default: "3" },
  },
});
const rows = Number(args.values.rows);
const repeat = Number(args.values.repeat);
const db = await Database.open({ memory: true });
const handler = createHttpHandler({ db, limits: { queryTimeoutMs: 0 } });
const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
const port = server.addr.port;
const sql =
  `SELECT x, x * 0.5 AS f, 'host_' || (x % 100) AS h FROM generate_series(1, ${rows}) AS g(x)`;

interface Sample {
  readonly ttfbMs: number;
  readonly totalMs: number;
  readonly bytes: number;
  readonly peakRssMiB: number;
}

async function once(accept: string): Promise<Sample> {
  const rssBefore = Deno.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }, 20);
  const out = await new Deno.Command("curl", {
    args: [
      "-sS",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code} %{time_starttransfer} %{time_total} %{size_download}",
      "-H",
      `accept: ${accept}`,
      "-H",
      "content-type: text/plain",
      "--data-binary",
      sql,
      `http://127.0.0.1:${port}/sql`,
    ],
  }).output();
  clearInterval(sampler);
  const [code, ttfb, total, bytes] = new TextDecoder().decode(out.stdout).trim().split(" ");
  if (code !== "200") throw new Error(`HTTP ${code}: ${new TextDecoder().decode(out.stderr)}`);
  return {
    ttfbMs: Number(ttfb) * 1000,
    totalMs: Number(total) * 1000,
    bytes: Number(bytes),
    peakRssMiB: Math.round((peak - rssBefore) / 1048576),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, accept] of [["json", "application/json"], ["csv", "text/csv"]] as const) {
  await once(accept); // warm-up
  const samples: Sample[] = [];
  for (let i = 0; i < repeat; i++) samples.push(await once(accept));
  const total = median(samples.map((s) => s.totalMs));
  console.log(JSON.stringify({
    format: name,
    rows,
    rowsPerSecond: Math.round(rows / (total / 1000)),
    ttfbMs: Math.round(median(samples.map((s) => s.ttfbMs))),
    totalMs: Math.round(total),
    bytes: samples[0]!.bytes,
    peakRssGrowthMiB: Math.max(...samples.map((s) => s.peakRssMiB)),
  }));
}
await server.shutdown();
await db.close();
