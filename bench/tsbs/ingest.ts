/**
 * Workload `ingest-http`: durable line-protocol ingest over HTTP. The TSBS cpu rows are
 * generated as line protocol in {@link ingestBatchLines}-line batches before timing; then
 * {@link ingestWriters} concurrent writers post them to `/write?db=bench` of
 *
 * - an OmenDB server (`serve` on a fresh directory in `ctx.workDir`; every `/write` is answered
 *   after its WAL record is fsynced), timed until `CHECKPOINT` (POST /sql) returns, and
 * - InfluxDB 1.6 (`influxd`, Debian package `influxdb`, its own free loopback port and
 *   directory), timed until the last write is acknowledged: its WAL is fsynced on every write
 *   (`[data] wal-fsync-delay = "0s"`, the default, "0s fsyncs every write to the WAL").
 *
 * The engines run one at a time, alternating when `ctx.repeat` > 1. Row counts are checked on
 * both afterwards. Records: `throughput` (rows/s, with a `series` of [seconds since start, rows/s
 * acknowledged in that window] sampled every {@link ingestSampleIntervalMs}), `cpu-seconds` of
 * the server process, and the `resources` records of the same runs ({@link ./resources.ts}).
 *
 * ```sh
 * deno run -A bench/tsbs/ingest.ts [--rows 200000] [--engines omendb-http,influxdb] [--repeat 1] [--svg FILE]
 * ```
 *
 * @example
 * ```ts
 * import { ThroughputSampler } from "./ingest.ts";
 * const s = new ThroughputSampler(0);
 * s.add(500);
 * s.sample(250); // 500 rows in 0.25 s
 * console.assert(s.series[0]![0] === 0.25 && s.series[0]![1] === 2000);
 * ```
 *
 * @module
 */
import { generateCpuLineProtocol } from "../../tests/data/tsbs.ts";
import {
  type BenchRecord,
  type EngineName,
  loadRunsFullMax,
  type Workload,
  type WorkloadContext,
} from "./record.ts";
import { type ServerProcess, startInfluxServer, startOmenDbServer } from "./servers.ts";
import {
  duBytes,
  type ResourceFigures,
  resourceRecords,
  restartTimeoutMs,
  settleAfterLoadMs,
  waitUntil,
} from "./resources.ts";

/** Lines (rows) per `/write` request. */
export const ingestBatchLines = 5_000;
/** Concurrent HTTP writers. */
export const ingestWriters = 2;
/** Interval between two throughput samples of the `series`. */
export const ingestSampleIntervalMs = 250;
/** The database name in `/write?db=`. */
const ingestDb = "bench";

/**
 * Rows acknowledged over time: writers {@link ThroughputSampler.add} rows as their writes are
 * acknowledged; {@link ThroughputSampler.sample} closes a window and appends [seconds since
 * start, rows/s in that window] to the series.
 */
export class ThroughputSampler {
  readonly #startMs: number;
  #lastMs: number;
  #lastRows = 0;
  #rows = 0;
  readonly #series: [number, number][] = [];

  /** `startMs`: the clock reading (ms) at which the load started. */
  constructor(startMs: number) {
    this.#startMs = startMs;
    this.#lastMs = startMs;
  }

  /** Counts `rows` more rows as acknowledged. */
  add(rows: number): void {
    this.#rows += rows;
  }

  /** Rows acknowledged so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Closes the window ending at `nowMs` (ignored unless it is later than the last one). */
  sample(nowMs: number): void {
    const seconds = (nowMs - this.#lastMs) / 1000;
    if (!(seconds > 0)) return;
    const t = Math.round(nowMs - this.#startMs) / 1000;
    this.#series.push([t, (this.#rows - this.#lastRows) / seconds]);
    this.#lastMs = nowMs;
    this.#lastRows = this.#rows;
  }

  /** The windows so far: [seconds since start, rows/s in the window ending then]. */
  get series(): readonly (readonly [number, number])[] {
    return this.#series;
  }
}

/** Rows in batch `i` of `rows` rows cut into batches of `batchRows`. */
export function batchRowCount(i: number, rows: number, batchRows: number): number {
  return Math.max(0, Math.min(batchRows, rows - i * batchRows));
}

/**
 * Posts every batch with `writers` concurrent writers (each takes the next batch when its
 * previous one is acknowledged); throws on any answer but 204.
 */
async function postBatches(
  url: string,
  batches: readonly Uint8Array[],
  rows: number,
  writers: number,
  sampler: ThroughputSampler | null,
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < batches.length) {
      const i = next++;
      const r = await fetch(url, { method: "POST", body: batches[i]! as BodyInit });
      const text = await r.text();
      if (r.status !== 204) throw new Error(`POST ${url}: ${r.status} ${text.slice(0, 300)}`);
      sampler?.add(batchRowCount(i, rows, ingestBatchLines));
    }
  }));
}

async function postSql(port: number, sql: string): Promise<unknown[][]> {
  const r = await fetch(`http://127.0.0.1:${port}/sql`, { method: "POST", body: sql });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`OmenDB ${sql}: ${r.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { rows: unknown[][] }).rows;
}

async function omenCount(port: number): Promise<number> {
  return Number((await postSql(port, "SELECT count(*) FROM bench.cpu"))[0]?.[0]);
}

async function influxCount(port: number): Promise<number> {
  const q = encodeURIComponent("SELECT count(usage_user) FROM cpu");
  const r = await fetch(`http://127.0.0.1:${port}/query?db=${ingestDb}&q=${q}`);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`InfluxDB count: ${r.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as {
    results?: { series?: { values?: unknown[][] }[]; error?: string }[];
  };
  const res = body.results?.[0];
  if (res?.error !== undefined) throw new Error(`InfluxDB count: ${res.error}`);
  return Number(res?.series?.[0]?.values?.[0]?.[1] ?? 0);
}

/** How one engine is started, probed and counted. */
interface IngestTarget {
  readonly engine: EngineName;
  readonly label: string;
  start(dir: string): Promise<ServerProcess>;
  ready(server: ServerProcess): Promise<boolean>;
  count(server: ServerProcess): Promise<number>;
  /** Makes the load durable (OmenDB: CHECKPOINT); nothing for InfluxDB. */
  makeDurable(server: ServerProcess): Promise<void>;
  readonly note: string;
  /** What the on-disk figure holds. */
  readonly diskNote: string;
}

const omenTarget: IngestTarget = {
  engine: "omendb-http",
  label: "OmenDB",
  start: (dir) => startOmenDbServer({ dataDir: dir }),
  async ready(s) {
    const r = await fetch(`http://127.0.0.1:${s.httpPort}/ready`);
    await r.body?.cancel();
    return r.status === 200;
  },
  count: (s) => omenCount(s.httpPort),
  async makeDurable(s) {
    await postSql(s.httpPort, "CHECKPOINT");
  },
  note: "every /write answered after its WAL fsync; timed until CHECKPOINT returns",
  diskNote: "after CHECKPOINT: Parquet segments, WAL truncated",
};

const influxTarget: IngestTarget = {
  engine: "influxdb",
  label: "InfluxDB",
  async start(dir) {
    // a restart replays the WAL before /ping answers
    const s = await startInfluxServer(dir, ingestDb, { startTimeoutMs: restartTimeoutMs });
    if (s === null) throw new Error("influxd is not installed (apt-get install -y influxdb)");
    return s;
  },
  async ready(s) {
    const r = await fetch(`http://127.0.0.1:${s.httpPort}/ping`);
    await r.body?.cancel();
    return r.status === 204;
  },
  count: (s) => influxCount(s.httpPort),
  makeDurable: () => Promise.resolve(),
  note: 'InfluxDB 1.6, WAL fsynced per write (wal-fsync-delay = "0s", the default); ' +
    "timed until the last write is acknowledged",
  diskNote: "6 s after the last write: mostly WAL and cache snapshots (InfluxDB compacts into " +
    "TSM files later, in the background)",
};

/** Starts the engine on `dir` and times until it is ready and `count(*)` equals `rows`. */
async function timeStartToFullCount(
  target: IngestTarget,
  dir: string,
  rows: number,
  what: string,
): Promise<{ ms: number; server: ServerProcess }> {
  const t0 = performance.now();
  const server = await target.start(dir);
  try {
    await waitUntil(() => target.ready(server), `${target.label} ${what}: ready`);
    let last = NaN;
    await waitUntil(
      async () => (last = await target.count(server)) === rows,
      () => `${target.label} ${what}: count(*) = ${rows} (last answer ${last})`,
    );
    return { ms: performance.now() - t0, server };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** One timed load of one engine on a fresh directory. */
interface LoadRun {
  readonly rowsPerSec: number;
  readonly cpuSeconds: number;
  readonly series: readonly (readonly [number, number])[];
  readonly resources: ResourceFigures | null;
}

async function timedLoad(
  target: IngestTarget,
  batches: readonly Uint8Array[],
  rows: number,
  dir: string,
  measureResources: boolean,
  log: (m: string) => void,
): Promise<LoadRun> {
  let server = await target.start(dir);
  try {
    const startRssBytes = server.memory().rssBytes;
    const cpu0 = server.cpuSeconds();
    const t0 = performance.now();
    const sampler = new ThroughputSampler(t0);
    const timer = setInterval(() => sampler.sample(performance.now()), ingestSampleIntervalMs);
    let ms: number, ackMs: number;
    try {
      await postBatches(
        `http://127.0.0.1:${server.httpPort}/write?db=${ingestDb}`,
        batches,
        rows,
        ingestWriters,
        sampler,
      );
      ackMs = performance.now() - t0;
      await target.makeDurable(server);
      ms = performance.now() - t0;
      sampler.sample(performance.now());
    } finally {
      clearInterval(timer);
    }
    const cpuSeconds = server.cpuSeconds() - cpu0;
    const peakBytes = server.memory().peakBytes;
    const n = await target.count(server);
    if (n !== rows) {
      throw new Error(`${target.label} holds ${n} rows after the load, expected ${rows}`);
    }
    log(
      `${target.label}: ${rows} rows in ${ms.toFixed(0)} ms (acknowledged at ${
        ackMs.toFixed(0)
      } ms) = ${Math.round(rows / (ms / 1000))} rows/s, server CPU ${cpuSeconds.toFixed(2)} s`,
    );
    let resources: ResourceFigures | null = null;
    if (measureResources) {
      await new Promise((r) => setTimeout(r, settleAfterLoadMs));
      const rssAfterBytes = server.memory().rssBytes;
      const diskBytes = await duBytes(dir);
      await server.stop();
      const restart = await timeStartToFullCount(target, dir, rows, "restart");
      server = restart.server;
      log(`${target.label}: restart until full count(*) ${restart.ms.toFixed(0)} ms`);
      resources = {
        startRssBytes,
        peakBytes,
        rssAfterBytes,
        diskBytes,
        restartMs: restart.ms,
        recoveryMs: NaN,
      };
    }
    return { rowsPerSec: rows / (ms / 1000), cpuSeconds, series: sampler.series, resources };
  } finally {
    await server.stop();
  }
}

/** Loads without timing, SIGKILLs the server once every write is acknowledged, and times recovery. */
async function crashRecovery(
  target: IngestTarget,
  batches: readonly Uint8Array[],
  rows: number,
  dir: string,
  log: (m: string) => void,
): Promise<number> {
  const server = await target.start(dir);
  try {
    await postBatches(
      `http://127.0.0.1:${server.httpPort}/write?db=${ingestDb}`,
      batches,
      rows,
      ingestWriters,
      null,
    );
  } finally {
    await server.kill();
  }
  const recovered = await timeStartToFullCount(target, dir, rows, "crash recovery");
  await recovered.server.stop();
  log(
    `${target.label}: SIGKILL after the acknowledged writes, recovered every row in ${
      recovered.ms.toFixed(0)
    } ms`,
  );
  return recovered.ms;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

/** The `ingest-http` workload; also returns the `resources` records of the same runs. */
export const ingestHttpWorkload: Workload = async (ctx: WorkloadContext) => {
  const targets = [omenTarget, influxTarget].filter((t) => ctx.engines.includes(t.engine));
  if (targets.length === 0) return [];
  const rows = ctx.rows, hosts = ctx.hosts;
  const batches = [
    ...generateCpuLineProtocol({ rows, hosts, batchRows: ingestBatchLines }),
  ];
  const mb = batches.reduce((n, b) => n + b.length, 0) / 1e6;
  ctx.log(
    `ingest-http: ${rows} rows, ${batches.length} batches of ${ingestBatchLines} lines, ${
      mb.toFixed(1)
    } MB, ${ingestWriters} writers`,
  );
  const runs = ctx.quick ? 1 : Math.max(1, Math.min(ctx.repeat, loadRunsFullMax));
  const results = new Map<IngestTarget, LoadRun[]>(targets.map((t) => [t, []]));
  let dirNo = 0;
  const freshDir = async () => {
    const dir = `${ctx.workDir}/ingest-${dirNo++}`;
    await Deno.mkdir(dir, { recursive: true });
    return dir;
  };
  // the engines alternate, so other load on the machine hits both alike
  for (let run = 0; run < runs; run++) {
    for (const t of targets) {
      const dir = await freshDir();
      results.get(t)!.push(await timedLoad(t, batches, rows, dir, run === 0, ctx.log));
      await Deno.remove(dir, { recursive: true });
    }
  }
  const records: BenchRecord[] = [];
  for (const t of targets) {
    const dir = await freshDir();
    const recoveryMs = await crashRecovery(t, batches, rows, dir, ctx.log);
    await Deno.remove(dir, { recursive: true });
    const rs = results.get(t)!;
    const rates = rs.map((r) => r.rowsPerSec);
    const base = { workload: "ingest-http", engine: t.engine, rows, hosts };
    const multi = rs.length > 1;
    records.push({
      ...base,
      metric: "throughput",
      value: median(rates),
      unit: "rows/s",
      p50: multi ? median(rates) : null,
      p99: null,
      n: rs.length,
      note: `${ingestWriters} writers x ${ingestBatchLines}-line batches; ${t.note}`,
      series: rs[0]!.series,
    });
    const cpus = rs.map((r) => r.cpuSeconds);
    records.push({
      ...base,
      metric: "cpu-seconds",
      value: median(cpus),
      unit: "s",
      p50: multi ? median(cpus) : null,
      p99: null,
      n: rs.length,
      note: "user + system CPU of the server process until the load was durable",
    });
    records.push(
      ...resourceRecords(
        t.engine,
        { rows, hosts },
        { ...rs[0]!.resources!, recoveryMs },
        t.diskNote,
      ),
    );
  }
  return records;
};

if (import.meta.main) {
  const { runStandalone } = await import("./_standalone.ts");
  const { ingestChartSvg } = await import("./chart_svg.ts");
  const { records, flags } = await runStandalone(
    ingestHttpWorkload,
    { rows: 200_000, engines: ["omendb-http", "influxdb"] },
    { svg: { type: "string" } },
  );
  if (typeof flags.svg === "string") await Deno.writeTextFile(flags.svg, ingestChartSvg(records));
}
