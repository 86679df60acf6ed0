/**
 * Durable line-protocol ingest over HTTP: TSBS cpu data in 5,000-line batches, posted by 2
 * concurrent writers to an OmenDB server process (`serve` on a fresh data directory), timed until
 * `CHECKPOINT` returns; then the same batches to InfluxDB 1.x (`influxd`, Debian package
 * `influxdb`, on its own port and directory) when it is installed, timed until the last write is
 * acknowledged. The load generator runs on the same machine.
 *
 * ```sh
 * deno task bench:ingest [--rows 1000000] [--writers 2] [--batch 5000] [--no-influx] [--runs 3] [--profile DIR]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { generateCpuLineProtocol } from "../tests/data/tsbs.ts";
import { startInfluxServer, startOmenDbServer } from "./tsbs/servers.ts";

interface Server {
  readonly port: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

async function startOmenDb(dir: string, profileDir: string | undefined): Promise<Server> {
  const s = await startOmenDbServer({
    dataDir: dir,
    ...(profileDir === undefined ? {} : { profileDir }),
  });
  return { port: s.httpPort, cpuSeconds: s.cpuSeconds, stop: s.stop };
}

async function startInflux(dir: string): Promise<Server | null> {
  const s = await startInfluxServer(dir);
  return s === null ? null : { port: s.httpPort, cpuSeconds: s.cpuSeconds, stop: s.stop };
}

/** Posts every batch with `writers` concurrent writers; throws on a non-204 answer. */
async function post(url: string, batches: readonly Uint8Array[], writers: number): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < batches.length) {
      const body = batches[next++]!;
      const r = await fetch(url, { method: "POST", body: body as BodyInit });
      const text = await r.text();
      if (r.status !== 204) throw new Error(`${url}: ${r.status} ${text.slice(0, 300)}`);
    }
  }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: "1000000" },
      writers: { type: "string", default: "2" },
      batch: { type: "string", default: "5000" },
      "no-influx": { type: "boolean", default: false },
      /** Alternating OmenDB / InfluxDB runs; medians are reported. */
      runs: { type: "string", default: "3" },
      /** Writes a V8 CPU profile of the OmenDB server process into this directory. */
      profile: { type: "string" },
    },
  });
  const rows = Number(values.rows), writers = Number(values.writers);
  const batches = [...generateCpuLineProtocol({ rows, batchRows: Number(values.batch) })];
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  console.log(
    `ingest: ${rows} TSBS cpu rows, ${batches.length} batches, ${
      (bytes / 1e6).toFixed(1)
    } MB, ${writers} writers`,
  );
  const runs = Number(values.runs);
  const omenRates: number[] = [], influxRates: number[] = [], ratios: number[] = [];
  // the engines alternate, so load from other work on the machine hits both alike; the ratio of
  // each pair and the medians are reported
  for (let run = 1; run <= runs; run++) {
    const omen = await ingestOmenDb(batches, rows, writers, run === 1 ? values.profile : undefined);
    omenRates.push(omen);
    const influx = values["no-influx"] ? null : await ingestInflux(batches, rows, writers);
    if (influx !== null) {
      influxRates.push(influx);
      ratios.push(omen / influx);
      console.log(`run ${run}: ratio omendb/influxdb ${(omen / influx).toFixed(2)}x`);
    }
  }
  console.log(
    `median over ${runs} runs: omendb ${Math.round(median(omenRates))} rows/s` +
      (influxRates.length === 0
        ? ""
        : `, influxdb ${Math.round(median(influxRates))} rows/s, ratio ${
          median(ratios).toFixed(2)
        }x (min ${Math.min(...ratios).toFixed(2)}x)`),
  );
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

/** One OmenDB run on a fresh data directory: rows/s until CHECKPOINT returns. */
async function ingestOmenDb(
  batches: readonly Uint8Array[],
  rows: number,
  writers: number,
  profile: string | undefined,
): Promise<number> {
  const omenDir = await Deno.makeTempDir({ prefix: "omendb-ingest-" });
  const omen = await startOmenDb(omenDir, profile);
  try {
    const cpu0 = omen.cpuSeconds();
    const t0 = performance.now();
    await post(`http://127.0.0.1:${omen.port}/write?db=bench`, batches, writers);
    const posted = performance.now() - t0;
    const cp = await fetch(`http://127.0.0.1:${omen.port}/sql`, {
      method: "POST",
      body: "CHECKPOINT",
    });
    await cp.text();
    const ms = performance.now() - t0;
    const cpu = omen.cpuSeconds() - cpu0;
    const count = await fetch(`http://127.0.0.1:${omen.port}/sql`, {
      method: "POST",
      body: "SELECT count(*) FROM bench.cpu",
    });
    const n = (await count.json()).rows[0][0];
    if (Number(n) !== rows) throw new Error(`OmenDB holds ${n} rows, expected ${rows}`);
    const rate = rows / (ms / 1000);
    console.log(
      `omendb: ${ms.toFixed(0)} ms, ${Math.round(rate)} rows/s (writes acknowledged ${
        posted.toFixed(0)
      } ms, then CHECKPOINT ${(ms - posted).toFixed(0)} ms; server CPU ${cpu.toFixed(2)} s)`,
    );
    return rate;
  } finally {
    await omen.stop();
    await Deno.remove(omenDir, { recursive: true });
  }
}

/** One InfluxDB run on a fresh directory (rows/s until the last write is acknowledged), or null. */
async function ingestInflux(
  batches: readonly Uint8Array[],
  rows: number,
  writers: number,
): Promise<number | null> {
  const influxDir = await Deno.makeTempDir({ prefix: "influx-ingest-" });
  const influx = await startInflux(influxDir);
  if (influx === null) {
    console.log("influxdb: influxd not installed (apt-get install influxdb)");
    return null;
  }
  try {
    const cpu0 = influx.cpuSeconds();
    const t0 = performance.now();
    await post(`http://127.0.0.1:${influx.port}/write?db=bench`, batches, writers);
    const ms = performance.now() - t0;
    const rate = rows / (ms / 1000);
    console.log(
      `influxdb 1.x: ${ms.toFixed(0)} ms, ${Math.round(rate)} rows/s (server CPU ${
        (influx.cpuSeconds() - cpu0).toFixed(2)
      } s)`,
    );
    return rate;
  } finally {
    await influx.stop();
    await Deno.remove(influxDir, { recursive: true });
  }
}

if (import.meta.main) await main();
