/**
 * Workloads `concurrency-1`, `-10`, `-100` and `-1000`: throughput and latency with that many
 * concurrent clients over the PostgreSQL wire protocol (node-postgres, one connection per
 * client, all in this process), OmenDB's server against PostgreSQL 15, in the same run on the
 * same data: the TSBS cpu rows, at most {@link concurrencyRowsMax} of them, loaded with
 * `psql \copy`. OmenDB holds them in a durable time-series table (checkpointed); PostgreSQL has an
 * index on (hostname, time), VACUUM ANALYZE, and its durable defaults (`fsync`,
 * `synchronous_commit` on).
 *
 * Every client runs, for a fixed time, a mix of 9 prepared point reads
 * (`SELECT usage_user, usage_system FROM cpu WHERE hostname = $1 AND time = $2`, checked to find
 * exactly one row) to 1 prepared single-row `INSERT` (a durable commit on both engines). Records
 * per level and engine: `throughput` (queries/s, completed operations over the wall time of the
 * level) and `latency` (ms: median, p50, p99 over every operation).
 *
 * ```sh
 * deno run -A bench/tsbs/concurrency.ts [--rows 1000000] [--levels 1,10,100,1000] [--quick]
 * ```
 *
 * @example
 * ```ts
 * import { concurrencyLevels, LatencyRecorder } from "./concurrency.ts";
 * console.assert(concurrencyLevels.join() === "1,10,100,1000");
 * const rec = new LatencyRecorder(8);
 * for (const ms of [4, 1, 3, 2, 100]) rec.add(ms);
 * console.assert(rec.count === 5 && rec.quantile(0.5) === 3);
 * ```
 *
 * @module
 */
import pg from "pg";
import { nearestRank } from "../stats.ts";
import {
  cpuCreateTableSql,
  cpuIntervalSecondsDefault,
  cpuMetricNames,
  cpuStartDefault,
  cpuTagNames,
  generateCpuBatches,
} from "../../tests/data/tsbs.ts";
import { PostgresServer } from "../../tests/support/postgres.ts";
import type { BenchRecord, EngineName, Workload, WorkloadContext } from "./record.ts";
import { startOmenDbServer } from "./servers.ts";

/** The client counts measured. */
export const concurrencyLevels = [1, 10, 100, 1000] as const;
/** Most rows loaded for these workloads (a smaller data set than the suite's is enough). */
export const concurrencyRowsMax = 1_000_000;
/** Seconds each level runs with `--quick`. */
export const concurrencySecondsQuick = 3;
/** Seconds each level runs otherwise. */
export const concurrencySecondsFull = 10;
/** One operation in this many is a write (10% writes, 90% reads). */
export const writeEveryOps = 10;
/**
 * Untimed operations per client before a level's timer starts: one full read/write cycle, so
 * both statements are prepared on every connection.
 */
export const warmupOpsPerClient = writeEveryOps;
/** Sequence numbers of the warm-up operations start here (their rows do not meet timed ones). */
const warmupSeqBase = 1_000_000_000;
/** Connections opened at once while ramping up (the listen backlog is finite). */
export const connectBatch = 100;
/** Connections allowed beyond the largest level (loaders, probes). */
const connectionsSpare = 20;
/** Latency samples kept per level and engine; later operations are counted but not sampled. */
export const latencySamplesMax = 4_000_000;
/** A psql statement timeout for the load, in ms (the server's default is 30 s). */
const loadStatementTimeoutMs = 3_600_000;
/** First timestamp of the rows the writers insert, far after the TSBS data. */
const writerStartMs = Date.parse("2030-01-01T00:00:00Z");

/**
 * Latencies (ms) in a preallocated Float64Array of a fixed capacity; beyond it operations are
 * counted but not kept.
 */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  #count = 0;

  /** `capacity`: most samples kept. */
  constructor(capacity: number = latencySamplesMax) {
    this.#samples = new Float64Array(capacity);
  }

  /** Records one operation's latency in ms. */
  add(ms: number): void {
    if (this.#count < this.#samples.length) this.#samples[this.#count] = ms;
    this.#count++;
  }

  /** Operations recorded (kept or not). */
  get count(): number {
    return this.#count;
  }

  /** The q-quantile (nearest rank) of the kept samples; NaN when there are none. */
  quantile(q: number): number {
    const kept = Math.min(this.#count, this.#samples.length);
    if (kept === 0) return NaN;
    const sorted = this.#samples.slice(0, kept).sort();
    return nearestRank(sorted as unknown as number[], q);
  }
}

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
  on(event: "error", fn: (e: unknown) => void): void;
}
const Client = (pg as unknown as { Client: new (c: Record<string, unknown>) => PgClient }).Client;

const readSql = "SELECT usage_user, usage_system FROM cpu WHERE hostname = $1 AND time = $2";
const columns = ["time", ...cpuTagNames, ...cpuMetricNames];
const writeSql = `INSERT INTO cpu (${columns.join(", ")}) VALUES (${
  columns.map((_, i) => `$${i + 1}`).join(", ")
})`;

/** The data the readers look up: hosts x readings per host, all present. */
interface DataShape {
  readonly hosts: number;
  readonly readingsPerHost: number;
  readonly startMs: number;
  readonly intervalMs: number;
}

/** True when operation `seq` of client `client` is a write. */
function isWrite(client: number, seq: number): boolean {
  return (client + seq) % writeEveryOps === 0;
}

/** One operation of client `client`, its `seq`-th. */
async function runOp(c: PgClient, shape: DataShape, client: number, seq: number): Promise<void> {
  if (isWrite(client, seq)) {
    const v = seq % 100;
    await c.query({
      name: "w",
      text: writeSql,
      values: [
        new Date(writerStartMs + seq * 1000).toISOString(),
        `writer_${client}`,
        "bench",
        "bench",
        v,
        v,
        v,
        v,
        v,
        v,
        v,
        v,
        v,
        v,
      ],
    });
    return;
  }
  const k = client * 7919 + seq * 104_729;
  const host = k % shape.hosts;
  const reading = Math.floor(k / shape.hosts) % shape.readingsPerHost;
  const r = await c.query({
    name: "r",
    text: readSql,
    values: [
      `host_${host}`,
      new Date(shape.startMs + reading * shape.intervalMs).toISOString(),
    ],
  });
  if (r.rows.length !== 1) {
    throw new Error(
      `point read of host_${host} reading ${reading} found ${r.rows.length} rows, expected 1`,
    );
  }
}

/** Opens `n` connections, {@link connectBatch} at a time. */
async function connectAll(port: number, user: string, n: number): Promise<PgClient[]> {
  const clients: PgClient[] = [];
  try {
    for (let i = 0; i < n; i += connectBatch) {
      const batch = Array.from({ length: Math.min(connectBatch, n - i) }, () => {
        const c = new Client({
          host: "127.0.0.1",
          port,
          user,
          database: user,
          connectionTimeoutMillis: 30_000,
        });
        c.on("error", () => {});
        return c;
      });
      const opened = await Promise.allSettled(batch.map((c) => c.connect()));
      clients.push(...batch);
      const failed = opened.find((o) => o.status === "rejected");
      if (failed !== undefined) {
        throw new Error(
          `connection ${i + 1}..${i + batch.length} of ${n} on port ${port} failed: ${
            (failed as PromiseRejectedResult).reason
          }`,
        );
      }
    }
    return clients;
  } catch (e) {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    throw e;
  }
}

/** One level's figures. */
interface LevelResult {
  readonly ops: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  /** Reads only: p50, p99 (ms). */
  readonly read: readonly [number, number];
  /** Writes only: p50, p99 (ms). */
  readonly write: readonly [number, number];
}

async function runLevel(
  port: number,
  user: string,
  clientsN: number,
  seconds: number,
  shape: DataShape,
): Promise<LevelResult> {
  const clients = await connectAll(port, user, clientsN);
  try {
    await Promise.all(clients.map(async (c, i) => {
      for (let s = 0; s < warmupOpsPerClient; s++) await runOp(c, shape, i, warmupSeqBase + s);
    }));
    const all = new LatencyRecorder();
    const reads = new LatencyRecorder(latencySamplesMax - latencySamplesMax / writeEveryOps);
    const writes = new LatencyRecorder(latencySamplesMax / writeEveryOps);
    const t0 = performance.now();
    const endAt = t0 + seconds * 1000;
    await Promise.all(clients.map(async (c, i) => {
      for (let seq = 0; performance.now() < endAt; seq++) {
        const s = performance.now();
        await runOp(c, shape, i, seq);
        const ms = performance.now() - s;
        all.add(ms);
        (isWrite(i, seq) ? writes : reads).add(ms);
      }
    }));
    const wall = (performance.now() - t0) / 1000;
    return {
      ops: all.count,
      seconds: wall,
      p50: all.quantile(0.5),
      p99: all.quantile(0.99),
      read: [reads.quantile(0.5), reads.quantile(0.99)],
      write: [writes.quantile(0.5), writes.quantile(0.99)],
    };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

/** Writes the rows as CSV (time as ISO 8601) for `\copy`. */
async function writeCsv(path: string, rows: number, hosts: number): Promise<void> {
  const f = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  try {
    for (const b of generateCpuBatches({ rows, hosts })) {
      const c = b.columns;
      const metrics = cpuMetricNames.map((m) => c[m]);
      const lines: string[] = new Array(b.length);
      for (let i = 0; i < b.length; i++) {
        let line = `${new Date(c.time[i]! / 1000).toISOString()},${c.hostname[i]},${c.region[i]},${
          c.datacenter[i]
        }`;
        for (const m of metrics) line += `,${m[i]}`;
        lines[i] = line;
      }
      await f.write(enc.encode(lines.join("\n") + "\n"));
    }
  } finally {
    f.close();
  }
}

async function psql(port: number, user: string, command: string): Promise<void> {
  const out = await new Deno.Command("psql", {
    args: [
      `host=127.0.0.1 port=${port} user=${user} dbname=${user}`,
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      command,
    ],
    env: { PGOPTIONS: `-c statement_timeout=${loadStatementTimeoutMs}` },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `psql port ${port} "${command.slice(0, 80)}": ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/** A loaded server of one engine. */
interface LoadedServer {
  readonly engine: EngineName;
  readonly port: number;
  readonly user: string;
  readonly note: string;
  stop(): Promise<void>;
}

async function startOmenDb(
  ctx: WorkloadContext,
  csv: string,
  maxClients: number,
): Promise<LoadedServer> {
  const dataDir = `${ctx.workDir}/concurrency-omendb`;
  const server = await startOmenDbServer({
    dataDir,
    extraArgs: [
      "--pg-max-connections",
      String(maxClients + connectionsSpare),
      "--transaction-open-max",
      String(Math.max(1024, 2 * (maxClients + connectionsSpare))),
    ],
  });
  try {
    await psql(
      server.pgPort,
      "omendb",
      `${cpuCreateTableSql} WITH (timestamp = 'time', partition_by = 'day', dedup_keys = 'hostname')`,
    );
    await psql(server.pgPort, "omendb", `\\copy cpu FROM '${csv}' (FORMAT csv)`);
    await psql(server.pgPort, "omendb", "CHECKPOINT");
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    engine: "omendb-pg",
    port: server.pgPort,
    user: "omendb",
    note: "OmenDB serve, durable table (timestamp time, partition_by day, dedup_keys hostname), " +
      "checkpointed; each INSERT commits through the WAL (fsync, group commit)",
    stop: () => server.stop(),
  };
}

async function startPostgres(csv: string, maxClients: number): Promise<LoadedServer> {
  const server = await PostgresServer.start({
    maxConnections: maxClients + connectionsSpare,
    durable: true,
  });
  try {
    await psql(server.port, "postgres", cpuCreateTableSql);
    await psql(server.port, "postgres", `\\copy cpu FROM '${csv}' (FORMAT csv)`);
    await psql(server.port, "postgres", "CREATE INDEX ON cpu (hostname, time)");
    await psql(server.port, "postgres", "VACUUM ANALYZE cpu");
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    engine: "postgres",
    port: server.port,
    user: "postgres",
    note: "PostgreSQL 15, index on (hostname, time), fsync and synchronous_commit on, " +
      "shared_buffers 16MB",
    stop: () => server.stop(),
  };
}

/**
 * The concurrency workload for the given client counts: one data load per engine, then every
 * level on both engines (alternating), records named `concurrency-<clients>`.
 */
export function concurrencyWorkload(levels: readonly number[]): Workload {
  return async (ctx) => {
    const wanted = (["omendb-pg", "postgres"] as const).filter((e) => ctx.engines.includes(e));
    if (wanted.length === 0 || levels.length === 0) return [];
    const rows = Math.min(ctx.rows, concurrencyRowsMax);
    const hosts = ctx.hosts;
    const seconds = ctx.quick ? concurrencySecondsQuick : concurrencySecondsFull;
    const maxClients = Math.max(...levels);
    const shape: DataShape = {
      hosts,
      readingsPerHost: Math.floor(rows / hosts),
      startMs: Date.parse(cpuStartDefault),
      intervalMs: cpuIntervalSecondsDefault * 1000,
    };
    if (shape.readingsPerHost < 1) {
      throw new Error(`concurrency: ${rows} rows give no full reading for ${hosts} hosts`);
    }
    const csv = `${ctx.workDir}/concurrency-cpu.csv`;
    ctx.log(`concurrency: writing ${rows} rows as CSV`);
    await writeCsv(csv, rows, hosts);
    await Deno.chmod(ctx.workDir, 0o755);
    await Deno.chmod(csv, 0o644);
    const servers: LoadedServer[] = [];
    const records: BenchRecord[] = [];
    try {
      for (const e of wanted) {
        const t0 = performance.now();
        servers.push(
          e === "omendb-pg"
            ? await startOmenDb(ctx, csv, maxClients)
            : await startPostgres(csv, maxClients),
        );
        ctx.log(`concurrency: ${e} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      await Deno.remove(csv);
      for (const clients of levels) {
        for (const s of servers) {
          const r = await runLevel(s.port, s.user, clients, seconds, shape);
          const qps = r.ops / r.seconds;
          const split = `reads p50 ${r.read[0].toFixed(2)} / p99 ${
            r.read[1].toFixed(2)
          } ms, writes p50 ${r.write[0].toFixed(2)} / p99 ${r.write[1].toFixed(2)} ms`;
          ctx.log(
            `concurrency-${clients} ${s.engine}: ${Math.round(qps)} queries/s, p50 ${
              r.p50.toFixed(2)
            } ms, p99 ${r.p99.toFixed(2)} ms (${r.ops} ops in ${r.seconds.toFixed(1)} s; ${split})`,
          );
          const base = { workload: `concurrency-${clients}`, engine: s.engine, rows, hosts };
          const mix = `${clients} client(s) x (${writeEveryOps - 1} prepared point reads : 1 ` +
            `prepared INSERT) for ${seconds} s; ${s.note}; ${rows} rows (data set capped at ` +
            `${concurrencyRowsMax})`;
          records.push(
            {
              ...base,
              metric: "throughput",
              value: qps,
              unit: "queries/s",
              p50: null,
              p99: null,
              n: r.ops,
              note: mix,
            },
            {
              ...base,
              metric: "latency",
              value: r.p50,
              unit: "ms",
              p50: r.p50,
              p99: r.p99,
              n: r.ops,
              note: `per operation, reads and writes together (${split}), measured in the ` +
                "client process (node-postgres; all clients share one Deno process)",
            },
          );
        }
      }
    } finally {
      for (const s of servers) await s.stop();
    }
    return records;
  };
}

/** All four levels with one data load per engine (what the suite should run). */
export const concurrencyAllWorkload: Workload = concurrencyWorkload(concurrencyLevels);

/** One workload per level, by name (`concurrency-1` ...), each with its own data load. */
export const concurrencyLevelWorkloads: Readonly<Record<string, Workload>> = Object.fromEntries(
  concurrencyLevels.map((n) => [`concurrency-${n}`, concurrencyWorkload([n])]),
);

if (import.meta.main) {
  const { runStandalone } = await import("./_standalone.ts");
  const levelsArg = Deno.args.indexOf("--levels");
  const levels = levelsArg >= 0
    ? Deno.args[levelsArg + 1]!.split(",").map(Number)
    : [...concurrencyLevels];
  await runStandalone(
    concurrencyWorkload(levels),
    { rows: 200_000, engines: ["omendb-pg", "postgres"] },
    { levels: { type: "string" } },
  );
}
