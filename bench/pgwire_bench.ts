/**
 * `deno task bench:pg`: OmenDB's PostgreSQL protocol server against PostgreSQL 15 in the same
 * run, both holding the same TSBS cpu rows (default 1,000,000; `--rows N`), loaded through
 * `psql \copy` (so OmenDB's COPY FROM STDIN is on the path). PostgreSQL gets an index on
 * (hostname, time) and VACUUM ANALYZE; OmenDB a durable time-series table
 * (`WITH (timestamp = 'time', partition_by = 'day', dedup_keys = 'hostname')`, checkpointed
 * into Parquet segments sorted by host then time). Measured through node-postgres, one
 * connection, sequentially:
 *
 * - simple queries/s: `SELECT 1` (protocol and session overhead only) and a per-host
 *   aggregate over one hour (simple query protocol);
 * - prepared point queries/s: `SELECT ... WHERE hostname = $1 AND time = $2` (named statement).
 *
 * Both servers stay up while the figures are taken in interleaved rounds (`--rounds`, default 5:
 * OmenDB then PostgreSQL for each query, `--seconds` each), so that the drift of a shared
 * machine hits both alike; `--warmup-rounds` (default 1) run the same way first and are not
 * counted (JIT warm-up, and the collection of what the bulk load left on the heap). Prints each
 * round and, per query, the median rate of each server and the median of the rounds' ratios
 * OmenDB / PostgreSQL. `--cpu-prof` writes a V8 CPU profile of the OmenDB server process to
 * bench/results/ (`--omendb-only` skips PostgreSQL). `--without-busy-poll` also measures, in the
 * same rounds, a second OmenDB server on a copy of the data with `pg.busy_poll_us = 0` (no
 * polling for the next request after a response: server/pgwire/busy_poll.ts).
 *
 * @module
 */
import pg from "pg";
import { parseArgs } from "node:util";
import { PostgresServer } from "../tests/support/postgres.ts";
import { cpuCreateTableSql, generateCpuBatches } from "../tests/data/tsbs.ts";
import { pgBusyPollMicrosDefault } from "../server/pgwire/limits.ts";

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(q: string | Record<string, unknown>, v?: unknown[]): Promise<{ rows: unknown[] }>;
}
const Client = (pg as unknown as { Client: new (c: Record<string, unknown>) => PgClient }).Client;

const { values: args } = parseArgs({
  args: Deno.args,
  options: {
    rows: { type: "string", default: "1000000" },
    seconds: { type: "string", default: "2" },
    rounds: { type: "string", default: "5" },
    "warmup-rounds": { type: "string", default: "1" },
    "omendb-only": { type: "boolean", default: false },
    "cpu-prof": { type: "boolean", default: false },
    "without-busy-poll": { type: "boolean", default: false },
  },
});
const rows = Number(args.rows);
const seconds = Number(args.seconds);
const rounds = Number(args.rounds);
const warmupRounds = Number(args["warmup-rounds"]);
const hosts = 100;
const intervalSeconds = 10;
const startMs = Date.parse("2016-01-01T00:00:00Z");

/** Writes the rows as CSV for `\copy`. */
async function writeCsv(path: string): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  for (const b of generateCpuBatches({ rows, hosts, intervalSeconds })) {
    const c = b.columns as unknown as Record<string, ArrayLike<number> | string[]>;
    const names = Object.keys(c);
    let text = "";
    for (let i = 0; i < b.length; i++) {
      let line = "";
      for (const n of names) {
        const v = c[n]![i]!;
        if (line !== "") line += ",";
        line += n === "time" ? new Date(Number(v) / 1000).toISOString() : String(v);
      }
      text += line + "\n";
    }
    await f.write(enc.encode(text));
  }
  f.close();
}

async function psql(
  port: number,
  user: string,
  db: string,
  command: string,
  env: Record<string, string> = {},
): Promise<void> {
  const out = await new Deno.Command("psql", {
    args: [
      `host=127.0.0.1 port=${port} user=${user} dbname=${db}`,
      "-X",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      command,
    ],
    env,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.code !== 0) throw new Error(`psql: ${new TextDecoder().decode(out.stderr)}`);
}

/** `omendb serve` on `dataDir` with free ports; `profileDir`: write a V8 CPU profile there. */
async function startOmenDb(
  dataDir: string,
  profileDir: string | null,
  extraArgs: readonly string[] = [],
): Promise<{ port: number; stop(): Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(profileDir === null ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`]),
      new URL("../server/main.ts", import.meta.url).pathname,
      "serve",
      "--data-dir",
      dataDir,
      "--http-port",
      "0",
      "--pg-port",
      "0",
      ...extraArgs,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let port = 0;
  while (port === 0) {
    const { value, done } = await reader.read();
    if (done) throw new Error("omendb serve exited before listening");
    buffer += value;
    for (const line of buffer.split("\n").slice(0, -1)) {
      const event = JSON.parse(line) as { event?: string; pg?: number };
      if (event.event === "listening" && typeof event.pg === "number") port = event.pg;
    }
    buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
  }
  const drain = (async () => {
    while (!(await reader.read()).done) { /* keep the pipe flowing */ }
  })();
  return {
    port,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain;
    },
  };
}

/** Queries per second of `fn` over `seconds`, after a short warm-up. */
async function rate(fn: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(i);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < 50; k++) await fn(n++);
  }
  return n / ((performance.now() - t0) / 1000);
}

/** The benchmark's queries, each a function of the iteration number. */
function queries(c: PgClient): Record<string, (i: number) => Promise<void>> {
  const times = rows / hosts; // rows per host
  const hostOf = (i: number) => `host_${i % hosts}`;
  const timeOf = (i: number) =>
    new Date(startMs + ((i * 7919) % times) * intervalSeconds * 1000).toISOString();
  return {
    "simple SELECT 1": async () => {
      await c.query("SELECT 1");
    },
    "simple host-hour aggregate": async (i) => {
      const from = timeOf(i);
      await c.query(
        `SELECT max(usage_user) FROM cpu WHERE hostname = '${
          hostOf(i)
        }' AND time >= '${from}' AND time < '${from}'::timestamptz + interval '1 hour'`,
      );
    },
    "prepared point query": async (i) => {
      const r = await c.query({
        name: "point",
        text: "SELECT usage_user, usage_system FROM cpu WHERE hostname = $1 AND time = $2",
        values: [hostOf(i), timeOf(i)],
      });
      if (r.rows.length !== 1) throw new Error(`point query found ${r.rows.length} rows`);
    },
  };
}

/** One connected client per server, its queries ready to run. */
async function connect(
  port: number,
  user: string,
  dbName: string,
): Promise<{ client: PgClient; queries: Record<string, (i: number) => Promise<void>> }> {
  const client = new Client({ host: "127.0.0.1", port, user, database: dbName });
  await client.connect();
  return { client, queries: queries(client) };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const dir = await Deno.makeTempDir({ prefix: "omendb-pgbench-" });
const csv = `${dir}/cpu.csv`;
console.log(`generating ${rows} TSBS cpu rows as CSV...`);
await writeCsv(csv);
await Deno.chmod(dir, 0o755);
await Deno.chmod(csv, 0o644);

// OmenDB as a time-series table is meant to run: durable (Parquet segments sorted by series
// then time, with a learned index), partitioned by day, the host as the series key. The server
// is the real `omendb serve` in its own process, as PostgreSQL is (the client would otherwise
// share its thread). The COPY of all rows gets a statement_timeout above the 30 s default.
const dataDir = `${dir}/omendb`;
const profileDir = args["cpu-prof"] ? `${Deno.cwd()}/bench/results` : null;
let server = await startOmenDb(dataDir, profileDir);
let t = performance.now();
await psql(
  server.port,
  "omendb",
  "omendb",
  `${cpuCreateTableSql} WITH (timestamp = 'time', partition_by = 'day', dedup_keys = 'hostname')`,
);
await psql(server.port, "omendb", "omendb", `\\copy cpu FROM '${csv}' (FORMAT csv)`, {
  PGOPTIONS: "-c statement_timeout=3600000",
});
await psql(server.port, "omendb", "omendb", "CHECKPOINT");
console.log(
  `OmenDB: loaded through \\copy and checkpointed in ${
    ((performance.now() - t) / 1000).toFixed(1)
  } s`,
);
// the same data for a second server without busy polling: copied while no server holds it
let noPoll: { port: number; stop(): Promise<void> } | null = null;
if (args["without-busy-poll"]) {
  await server.stop();
  const copy = await new Deno.Command("cp", { args: ["-a", dataDir, `${dataDir}-nopoll`] })
    .output();
  if (!copy.success) throw new Error("cannot copy the OmenDB data directory");
  server = await startOmenDb(dataDir, profileDir);
  noPoll = await startOmenDb(`${dataDir}-nopoll`, null, ["--pg-busy-poll-us", "0"]);
}
console.log(
  `OmenDB serves with pg.busy_poll_us = ${pgBusyPollMicrosDefault} (the default)` +
    (noPoll === null ? "" : "; the second server with 0"),
);
let pgServer: PostgresServer | null = null;
try {
  if (!args["omendb-only"]) {
    pgServer = await PostgresServer.start();
    t = performance.now();
    await psql(pgServer.port, "postgres", "postgres", cpuCreateTableSql);
    await psql(pgServer.port, "postgres", "postgres", `\\copy cpu FROM '${csv}' (FORMAT csv)`);
    await psql(pgServer.port, "postgres", "postgres", "CREATE INDEX ON cpu (hostname, time)");
    await psql(pgServer.port, "postgres", "postgres", "VACUUM ANALYZE cpu");
    console.log(
      `PostgreSQL: loaded and indexed in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  const omen = await connect(server.port, "omendb", "omendb");
  const post = pgServer === null ? null : await connect(pgServer.port, "postgres", "postgres");
  const still = noPoll === null ? null : await connect(noPoll.port, "omendb", "omendb");
  const names = Object.keys(omen.queries);
  const figures = new Map<
    string,
    { omen: number[]; pg: number[]; ratio: number[]; still: number[]; stillRatio: number[] }
  >(names.map((n) => [n, { omen: [], pg: [], ratio: [], still: [], stillRatio: [] }]));
  console.log(
    `\n${rows} rows, ${rounds} rounds of ${seconds} s per query and server ` +
      `(after ${warmupRounds} warm-up round(s), not counted)`,
  );
  for (let round = 1 - warmupRounds; round <= rounds; round++) {
    for (const name of names) {
      if (round <= 0) {
        await rate(omen.queries[name]!);
        if (still !== null) await rate(still.queries[name]!);
        if (post !== null) await rate(post.queries[name]!);
        continue;
      }
      const f = figures.get(name)!;
      const q = await rate(omen.queries[name]!);
      f.omen.push(q);
      let line = `round ${round} ${name.padEnd(28)} OmenDB ${q.toFixed(0).padStart(7)} q/s`;
      if (post !== null) {
        const p = await rate(post.queries[name]!);
        f.pg.push(p);
        f.ratio.push(q / p);
        line += `   PostgreSQL ${p.toFixed(0).padStart(7)} q/s   ${(q / p).toFixed(2)}x`;
        if (still !== null) {
          const s = await rate(still.queries[name]!);
          f.still.push(s);
          f.stillRatio.push(s / p);
          line += `   no busy poll ${s.toFixed(0).padStart(7)} q/s   ${(s / p).toFixed(2)}x`;
        }
      }
      console.log(line);
    }
  }
  await omen.client.end();
  await post?.client.end();
  await still?.client.end();

  console.log(`\nmedians over ${rounds} rounds, one connection, node-postgres`);
  console.log(
    "query                          OmenDB q/s   PostgreSQL q/s   median ratio" +
      (noPoll === null ? "" : "   no busy poll q/s   its median ratio"),
  );
  for (const [name, f] of figures) {
    const p = f.pg.length > 0 ? median(f.pg).toFixed(0) : "-";
    const r = f.ratio.length > 0 ? `${median(f.ratio).toFixed(2)}x` : "-";
    const extra = f.still.length === 0
      ? ""
      : `   ${median(f.still).toFixed(0).padStart(16)}   ${
        `${median(f.stillRatio).toFixed(2)}x`.padStart(16)
      }`;
    console.log(
      `${name.padEnd(30)} ${median(f.omen).toFixed(0).padStart(10)}   ${p.padStart(14)}   ${
        r.padStart(12)
      }${extra}`,
    );
  }
} finally {
  await server.stop();
  await noPoll?.stop();
  await pgServer?.stop();
  await Deno.remove(dir, { recursive: true });
}
