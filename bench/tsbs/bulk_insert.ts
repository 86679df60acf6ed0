/**
 * Workload `bulk-insert`: embedded bulk load of the TSBS cpu rows, each engine in its own child
 * process (so its peak memory is its own), the data generated in that child before timing:
 *
 * - `omendb`: `mod.ts` Database on a durable directory, `insertColumns` in
 *   {@link bulkBatchRows}-row batches (each call returns once its WAL record is fsynced), timed
 *   until `CHECKPOINT` returns;
 * - `duckdb`: the appender with DataChunks (`bench/_duckdb.ts`) into an in-memory database
 *   (metric `throughput`, not durable), and into a database file with a final `CHECKPOINT`
 *   (metric `throughput-file`);
 * - `sqlite`: `node:sqlite` on a file with `journal_mode=WAL`, `synchronous=FULL`, one prepared
 *   `INSERT` per row inside one transaction, timed until `COMMIT` returns.
 *
 * Row counts are checked afterwards. Records: `throughput` (rows/s) and `peak-memory` (VmHWM of
 * the child over its baseline after generating the data).
 *
 * ```sh
 * deno run -A bench/tsbs/bulk_insert.ts [--rows 1000000] [--engines omendb,duckdb,sqlite] [--repeat 1]
 * ```
 *
 * @example
 * ```ts
 * import { bulkVariants } from "./bulk_insert.ts";
 * console.assert(bulkVariants.map((v) => v.engine).join() === "omendb,duckdb,duckdb,sqlite");
 * ```
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { DuckDBInstance } from "@duckdb/node-api";
import { Database } from "../../mod.ts";
import {
  type CpuBatch,
  cpuCreateTableSql,
  cpuMetricNames,
  cpuTableName,
  cpuTagNames,
  generateCpuBatches,
} from "../../tests/data/tsbs.ts";
import { appendCpuChunks, duckDbCount, openDuckDb, recreateCpuTable } from "../_duckdb.ts";
import { type BenchRecord, type EngineName, loadRunsFullMax, type Workload } from "./record.ts";
import { processMemory, resetPeakMemory } from "./servers.ts";

/** Rows per `insertColumns` call and per generated batch. */
export const bulkBatchRows = 5_000;

/** One engine set-up the workload measures. */
export interface BulkVariant {
  /** Child-process name of the variant. */
  readonly name: "omendb" | "duckdb-memory" | "duckdb-file" | "sqlite";
  readonly engine: EngineName;
  /** Record metric of its throughput. */
  readonly metric: "throughput" | "throughput-file";
  /** What is durable when the timer stops. */
  readonly note: string;
}

/** The variants, in the order they run. */
export const bulkVariants: readonly BulkVariant[] = [
  {
    name: "omendb",
    engine: "omendb",
    metric: "throughput",
    note: "durable: each insertColumns batch acknowledged after its WAL fsync; timed until " +
      "CHECKPOINT returns",
  },
  {
    name: "duckdb-memory",
    engine: "duckdb",
    metric: "throughput",
    note: "appender with DataChunks into an in-memory database: not durable",
  },
  {
    name: "duckdb-file",
    engine: "duckdb",
    metric: "throughput-file",
    note: "appender with DataChunks into a database file, timed until a final CHECKPOINT returns",
  },
  {
    name: "sqlite",
    engine: "sqlite",
    metric: "throughput",
    note: "node:sqlite file, journal_mode=WAL, synchronous=FULL, one prepared INSERT per row " +
      "in one transaction, timed until COMMIT returns; time stored as INTEGER microseconds",
  },
];

/** What a child reports. */
interface ChildResult {
  /** Rows loaded (and counted back: a child whose count differs fails instead). */
  readonly rows: number;
  readonly ms: number;
  readonly peakBytes: number;
  readonly baselineBytes: number;
}

async function loadOmenDb(batches: readonly CpuBatch[], dir: string): Promise<number> {
  const db = await Database.open({ path: dir });
  try {
    await db.query(`${cpuCreateTableSql} WITH (timestamp = 'time', partition_by = 'day')`);
    const t0 = performance.now();
    for (const b of batches) await db.insertColumns(cpuTableName, b.columns);
    await db.query("CHECKPOINT");
    const ms = performance.now() - t0;
    const count = Number((await db.query(`SELECT count(*) FROM ${cpuTableName}`)).rows[0]![0]);
    checkCount("OmenDB", count, batches);
    return ms;
  } finally {
    await db.close();
  }
}

async function loadDuckDbMemory(batches: readonly CpuBatch[]): Promise<number> {
  const duck = await openDuckDb(navigator.hardwareConcurrency);
  try {
    await recreateCpuTable(duck.connection);
    const t0 = performance.now();
    await appendCpuChunks(duck.connection, batches);
    const ms = performance.now() - t0;
    checkCount("DuckDB", await duckDbCount(duck.connection, cpuTableName), batches);
    return ms;
  } finally {
    duck.close();
  }
}

async function loadDuckDbFile(batches: readonly CpuBatch[], dir: string): Promise<number> {
  const instance = await DuckDBInstance.create(`${dir}/bench.duckdb`, {
    threads: String(navigator.hardwareConcurrency),
  });
  const connection = await instance.connect();
  try {
    await recreateCpuTable(connection);
    const t0 = performance.now();
    await appendCpuChunks(connection, batches);
    await connection.run("CHECKPOINT");
    const ms = performance.now() - t0;
    checkCount("DuckDB (file)", await duckDbCount(connection, cpuTableName), batches);
    return ms;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

function loadSqlite(batches: readonly CpuBatch[], dir: string): number {
  const db = new DatabaseSync(`${dir}/bench.sqlite`);
  try {
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL");
    db.exec(
      `CREATE TABLE ${cpuTableName} (time INTEGER NOT NULL, ${
        cpuTagNames.map((t) => `${t} TEXT`).join(", ")
      }, ${cpuMetricNames.map((m) => `${m} REAL`).join(", ")})`,
    );
    const insert = db.prepare(
      `INSERT INTO ${cpuTableName} VALUES (${
        Array.from({ length: 1 + cpuTagNames.length + cpuMetricNames.length }, () => "?").join(", ")
      })`,
    );
    const t0 = performance.now();
    db.exec("BEGIN");
    for (const b of batches) {
      const c = b.columns;
      const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9] = cpuMetricNames.map((m) => c[m]);
      for (let i = 0; i < b.length; i++) {
        insert.run(
          c.time[i]!,
          c.hostname[i]!,
          c.region[i]!,
          c.datacenter[i]!,
          m0![i]!,
          m1![i]!,
          m2![i]!,
          m3![i]!,
          m4![i]!,
          m5![i]!,
          m6![i]!,
          m7![i]!,
          m8![i]!,
          m9![i]!,
        );
      }
    }
    db.exec("COMMIT");
    const ms = performance.now() - t0;
    const row = db.prepare(`SELECT count(*) AS n FROM ${cpuTableName}`).get() as { n: number };
    checkCount("SQLite", Number(row.n), batches);
    return ms;
  } finally {
    db.close();
  }
}

function checkCount(label: string, count: number, batches: readonly CpuBatch[]): void {
  const rows = batches.reduce((n, b) => n + b.length, 0);
  if (count !== rows) {
    throw new Error(`${label} holds ${count} rows after the load, expected ${rows}`);
  }
}

/** Runs one variant in this process (the child side): generates, resets the peak, loads. */
async function runChild(
  name: BulkVariant["name"],
  rows: number,
  hosts: number,
  dir: string,
): Promise<ChildResult> {
  const batches = [...generateCpuBatches({ rows, hosts, batchRows: bulkBatchRows })];
  (globalThis as { gc?: () => void }).gc?.();
  const baselineBytes = processMemory(Deno.pid).rssBytes;
  resetPeakMemory();
  let ms: number;
  switch (name) {
    case "omendb":
      ms = await loadOmenDb(batches, dir);
      break;
    case "duckdb-memory":
      ms = await loadDuckDbMemory(batches);
      break;
    case "duckdb-file":
      ms = await loadDuckDbFile(batches, dir);
      break;
    case "sqlite":
      ms = loadSqlite(batches, dir);
      break;
    default: {
      const never: never = name;
      throw new Error(`unknown bulk-insert variant ${never}`);
    }
  }
  return { rows, ms, peakBytes: processMemory(Deno.pid).peakBytes, baselineBytes };
}

async function spawnChild(
  variant: BulkVariant,
  rows: number,
  hosts: number,
  dir: string,
): Promise<ChildResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL(import.meta.url).pathname,
      "--child",
      variant.name,
      "--rows",
      String(rows),
      "--hosts",
      String(hosts),
      "--dir",
      dir,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) {
    throw new Error(
      `bulk-insert ${variant.name} child failed (exit ${out.code}): ${
        new TextDecoder().decode(out.stderr).slice(-2000)
      }`,
    );
  }
  return JSON.parse(stdout.split("\n").at(-1)!) as ChildResult;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

/** The `bulk-insert` workload. */
export const bulkInsertWorkload: Workload = async (ctx) => {
  const variants = bulkVariants.filter((v) => ctx.engines.includes(v.engine));
  const runs = ctx.quick ? 1 : Math.max(1, Math.min(ctx.repeat, loadRunsFullMax));
  const results = new Map<BulkVariant, ChildResult[]>(variants.map((v) => [v, []]));
  let dirNo = 0;
  // variants alternate within each run, so other load on the machine hits all alike
  for (let run = 0; run < runs; run++) {
    for (const v of variants) {
      const dir = `${ctx.workDir}/bulk-${dirNo++}`;
      await Deno.mkdir(dir, { recursive: true });
      try {
        const r = await spawnChild(v, ctx.rows, ctx.hosts, dir);
        results.get(v)!.push(r);
        ctx.log(
          `bulk-insert ${v.name}: ${ctx.rows} rows in ${r.ms.toFixed(0)} ms = ${
            Math.round(ctx.rows / (r.ms / 1000))
          } rows/s, peak ${((r.peakBytes - r.baselineBytes) / 1e6).toFixed(0)} MB over baseline`,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  }
  const records: BenchRecord[] = [];
  for (const v of variants) {
    const rs = results.get(v)!;
    const rates = rs.map((r) => ctx.rows / (r.ms / 1000));
    const base = { workload: "bulk-insert", engine: v.engine, rows: ctx.rows, hosts: ctx.hosts };
    const multi = rs.length > 1;
    records.push({
      ...base,
      metric: v.metric,
      value: median(rates),
      unit: "rows/s",
      p50: multi ? median(rates) : null,
      p99: null,
      n: rs.length,
      note: `${v.note}; data generated before timing, ${bulkBatchRows}-row batches`,
    });
    const peaks = rs.map((r) => r.peakBytes - r.baselineBytes);
    records.push({
      ...base,
      metric: v.metric === "throughput" ? "peak-memory" : "peak-memory-file",
      value: median(peaks),
      unit: "bytes",
      p50: multi ? median(peaks) : null,
      p99: null,
      n: rs.length,
      note: `child process VmHWM during the load minus its RSS after generating the data (${
        (rs[0]!.baselineBytes / 1e6).toFixed(0)
      } MB); ${v.name}`,
    });
  }
  return records;
};

if (import.meta.main) {
  const i = Deno.args.indexOf("--child");
  if (i >= 0) {
    const arg = (flag: string) => Deno.args[Deno.args.indexOf(flag) + 1]!;
    const result = await runChild(
      Deno.args[i + 1] as BulkVariant["name"],
      Number(arg("--rows")),
      Number(arg("--hosts")),
      arg("--dir"),
    );
    console.log(JSON.stringify(result));
  } else {
    const { runStandalone } = await import("./_standalone.ts");
    await runStandalone(bulkInsertWorkload, {
      rows: 200_000,
      engines: ["omendb", "duckdb", "sqlite"],
    });
  }
}
