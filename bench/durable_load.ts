/**
 * Durable bulk load (the storage issue's figure): `rows` TSBS cpu rows loaded with
 * `db.insertColumns` in batches of 5,000 into a durable data directory, timed until `CHECKPOINT`
 * returns; the peer is DuckDB's appender loading the same rows in memory. Each system runs in its
 * own child process, so peak memory (VmHWM) is its own; the data is generated before timing and
 * the memory it takes is reported separately (baseline). Also reports the on-disk size after the
 * checkpoint, RSS after the load, and restart time (open + `count(*)`).
 *
 * Usage: `deno task bench:durable [--rows N] [--out FILE]`
 *
 * @module
 */
import { Database } from "../mod.ts";
import { appendCpuChunks, duckDbCount, openDuckDb, recreateCpuTable } from "./_duckdb.ts";
import { cpuTableName, generateCpuBatches } from "../tests/data/tsbs.ts";
import { processMemory, resetPeakMemory } from "./tsbs/servers.ts";
import { duBytes } from "./tsbs/resources.ts";

/** Rows per insertColumns call, as the issue specifies. */
const loadBatchRows = 5000;

/** This process's RSS and peak RSS (VmHWM), in bytes. */
function status(): { rss: number; hwm: number } {
  const m = processMemory(Deno.pid);
  return { rss: m.rssBytes, hwm: m.peakBytes };
}

function rawPayloadBytes(batches: ReturnType<typeof generate>): number {
  let n = 0;
  for (const b of batches) {
    for (const v of Object.values(b.columns)) {
      if (ArrayBuffer.isView(v)) n += v.byteLength;
      else for (const s of v as string[]) n += s.length;
    }
  }
  return n;
}

function generate(rows: number) {
  return [...generateCpuBatches({ rows, batchRows: loadBatchRows })];
}

async function child(system: string, rows: number): Promise<Record<string, unknown>> {
  const batches = generate(rows);
  const raw = rawPayloadBytes(batches);
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = status().rss;
  resetPeakMemory();
  if (system === "duckdb") {
    const duck = await openDuckDb(navigator.hardwareConcurrency);
    await recreateCpuTable(duck.connection);
    const t0 = performance.now();
    await appendCpuChunks(duck.connection, batches);
    const ms = performance.now() - t0;
    const n = await duckDbCount(duck.connection, cpuTableName);
    const s = status();
    duck.close();
    return { system, rows: n, loadMs: ms, rowsPerSec: rows / (ms / 1000), raw, baseline, ...s };
  }
  const dir = await Deno.makeTempDir({ prefix: "omendb-durable-" });
  try {
    let db = await Database.open({ path: dir });
    await db.query(
      `CREATE TABLE ${cpuTableName} (time TIMESTAMPTZ NOT NULL, hostname VARCHAR, region VARCHAR, ` +
        `datacenter VARCHAR, usage_user DOUBLE PRECISION, usage_system DOUBLE PRECISION, ` +
        `usage_idle DOUBLE PRECISION, usage_nice DOUBLE PRECISION, usage_iowait DOUBLE PRECISION, ` +
        `usage_irq DOUBLE PRECISION, usage_softirq DOUBLE PRECISION, usage_steal DOUBLE PRECISION, ` +
        `usage_guest DOUBLE PRECISION, usage_guest_nice DOUBLE PRECISION) ` +
        `WITH (timestamp = 'time', partition_by = 'day')`,
    );
    const t0 = performance.now();
    let n = 0;
    for (const b of batches) n += await db.insertColumns(cpuTableName, b.columns);
    const insertMs = performance.now() - t0;
    await db.query("CHECKPOINT");
    const ms = performance.now() - t0;
    const peak = status();
    (globalThis as { gc?: () => void }).gc?.();
    const after = status().rss;
    const disk = await duBytes(dir);
    const count = (await db.query(`SELECT count(*) FROM ${cpuTableName}`)).rows[0]![0];
    await db.close();
    const r0 = performance.now();
    db = await Database.open({ path: dir });
    const restartCount = (await db.query(`SELECT count(*) FROM ${cpuTableName}`)).rows[0]![0];
    const restartMs = performance.now() - r0;
    await db.close();
    return {
      system,
      rows: n,
      count: String(count),
      restartCount: String(restartCount),
      insertMs,
      loadMs: ms,
      rowsPerSec: rows / (ms / 1000),
      diskBytes: disk,
      raw,
      baseline,
      rss: peak.rss,
      hwm: peak.hwm,
      rssAfterGc: after,
      restartMs,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const args = Deno.args;
  const get = (flag: string, dflt: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const rows = Number(get("--rows", "1000000"));
  if (args.includes("--child")) {
    console.log(JSON.stringify(await child(get("--child", "omendb"), rows)));
    return;
  }
  const results: Record<string, unknown>[] = [];
  for (const system of ["omendb", "duckdb"]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL(import.meta.url).pathname,
        "--child",
        system,
        "--rows",
        String(rows),
      ],
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`${system} child failed`);
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    results.push(JSON.parse(lines.at(-1)!));
  }
  interface Figures {
    rowsPerSec: number;
    loadMs: number;
    diskBytes: number;
    raw: number;
    hwm: number;
    baseline: number;
    rssAfterGc: number;
    restartMs: number;
  }
  const omen = results[0] as unknown as Figures;
  const duck = results[1] as unknown as Figures;
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  console.log(JSON.stringify(results, null, 2));
  console.log(
    `rows ${rows}: OmenDB durable ${(omen.rowsPerSec / 1e6).toFixed(3)} M rows/s ` +
      `(${(omen.loadMs / 1000).toFixed(2)} s incl. CHECKPOINT) vs DuckDB appender in memory ` +
      `${(duck.rowsPerSec / 1e6).toFixed(3)} M rows/s: ratio ${
        (omen.rowsPerSec / duck.rowsPerSec).toFixed(2)
      }x`,
  );
  console.log(
    `disk ${mb(omen.diskBytes)} (${(omen.diskBytes / rows).toFixed(1)} B/row); raw payload ` +
      `${mb(omen.raw)}; OmenDB peak (VmHWM) ${mb(omen.hwm)}, of which data generation ` +
      `${mb(omen.baseline)}: load peak over baseline ${mb(omen.hwm - omen.baseline)} = ${
        ((omen.hwm - omen.baseline) / omen.raw).toFixed(2)
      }x raw; RSS after load + GC ${mb(omen.rssAfterGc)}; restart + count(*) ${
        omen.restartMs.toFixed(0)
      } ms; DuckDB peak ${mb(duck.hwm)}`,
  );
  const out = get("--out", "");
  if (out !== "") await Deno.writeTextFile(out, JSON.stringify({ rows, results }, null, 2) + "\n");
}

if (import.meta.main) await main();
