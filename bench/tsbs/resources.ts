/**
 * Resource figures of a server under load (workload `resources`): peak memory (VmHWM) during the
 * load, RSS after it, on-disk bytes (`du -sb`), restart time (SIGTERM, start on the same
 * directory, time until ready and `count(*)` is complete) and crash-recovery time (SIGKILL after
 * the writes were acknowledged but before any checkpoint, then the same). The figures come from
 * the `ingest-http` runs ({@link ./ingest.ts}), so {@link resourcesWorkload} runs that workload
 * and keeps only these records. The raw column payload ({@link rawPayloadBytes}) is the reference
 * for "RSS after load = X x payload".
 *
 * @example
 * ```ts
 * import { rawPayloadBytes, payloadBytesPerRowFixed } from "./resources.ts";
 * // 2 hosts, 3 rows: host_0 twice, host_1 once; each row 88 fixed bytes plus its tag bytes
 * const b = rawPayloadBytes(3, 2);
 * console.assert(b > 3 * payloadBytesPerRowFixed);
 * ```
 *
 * @module
 */
import { cpuMetricNames, describeCpuDataSet } from "../../tests/data/tsbs.ts";
import { defaultLimits } from "../../core/limits.ts";
import type { BenchRecord, EngineName, Workload } from "./record.ts";

/** Bytes of one row's timestamp (int64) plus its ten float64 metrics, tags excluded. */
export const payloadBytesPerRowFixed = 8 + cpuMetricNames.length * 8;
/**
 * Pause after a load before RSS is read, so that transient buffers can be freed: past OmenDB's
 * `checkpointWorkerIdleMs` (5 s), which stops the idle checkpoint Worker and frees its heap, as
 * a server that stopped writing does.
 */
export const settleAfterLoadMs = defaultLimits.checkpointWorkerIdleMs + 1_000;
/** Longest a restarted server may take to be ready with the full row count. */
export const restartTimeoutMs = 300_000;
/** Pause between readiness probes of a restarting server. */
export const readyPollMs = 20;

const utf8 = new TextEncoder();

/**
 * The raw column payload of `rows` TSBS cpu rows over `hosts` hosts: per row 8 bytes of time,
 * 10 x 8 bytes of metrics and the UTF-8 bytes of its three tag values (hostname, region,
 * datacenter), with rows spread round-robin over the hosts as the generator does.
 *
 * @example
 * ```ts
 * import { rawPayloadBytes } from "./resources.ts";
 * console.assert(rawPayloadBytes(0, 100) === 0);
 * console.assert(rawPayloadBytes(200, 100) === 2 * rawPayloadBytes(100, 100));
 * ```
 */
export function rawPayloadBytes(rows: number, hosts: number): number {
  if (!Number.isSafeInteger(rows) || rows < 0) {
    throw new RangeError(`rows must be a non-negative integer, got ${rows}`);
  }
  if (rows === 0) return 0;
  const tags = describeCpuDataSet({ hosts, rows }).hostTags;
  const perHost = Math.floor(rows / hosts);
  const extra = rows % hosts;
  let tagBytes = 0;
  for (let h = 0; h < hosts; h++) {
    const bytes = utf8.encode(tags.hostname.dictionary[h]!).length +
      utf8.encode(tags.region.dictionary[tags.region.codes[h]!]!).length +
      utf8.encode(tags.datacenter.dictionary[tags.datacenter.codes[h]!]!).length;
    tagBytes += bytes * (perHost + (h < extra ? 1 : 0));
  }
  return rows * payloadBytesPerRowFixed + tagBytes;
}

/**
 * Bytes a directory takes on disk, from `du -sb` (apparent size, in bytes).
 *
 * @example
 * ```ts
 * import { duBytes } from "./resources.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/f`, new Uint8Array(1000));
 * console.assert(await duBytes(dir) >= 1000);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function duBytes(dir: string): Promise<number> {
  const out = await new Deno.Command("du", { args: ["-sb", dir], stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`du -sb ${dir} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
  const bytes = Number(new TextDecoder().decode(out.stdout).split(/\s/)[0]);
  if (!Number.isFinite(bytes)) throw new Error(`du -sb ${dir}: no byte count in its output`);
  return bytes;
}

/**
 * Polls `probe` every {@link readyPollMs} until it returns true; throws after `timeoutMs`
 * with `what` (or what it returns, read at the time) in the message. Probe errors count as
 * "not yet".
 *
 * @example
 * ```ts
 * import { waitUntil } from "./resources.ts";
 * let n = 0;
 * await waitUntil(() => Promise.resolve(++n === 3), "third probe");
 * console.assert(n === 3);
 * ```
 */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string | (() => string),
  timeoutMs: number = restartTimeoutMs,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    try {
      if (await probe()) return;
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `${typeof what === "string" ? what : what()}: not reached in ${timeoutMs} ms${
          lastError === "" ? "" : ` (${lastError})`
        }`,
      );
    }
    await new Promise((r) => setTimeout(r, readyPollMs));
  }
}

/** The resource figures of one engine's load, as measured by the ingest workload. */
export interface ResourceFigures {
  /** VmRSS of the freshly started server before the load (its runtime's own baseline). */
  readonly startRssBytes: number;
  /** VmHWM of the server process at the end of the load (its peak since it started). */
  readonly peakBytes: number;
  /** VmRSS after the load was durable and {@link settleAfterLoadMs} passed. */
  readonly rssAfterBytes: number;
  /** `du -sb` of the data directory after the load. */
  readonly diskBytes: number;
  /** SIGTERM, start on the same directory, until ready with the full count, in ms. */
  readonly restartMs: number;
  /** SIGKILL after the acknowledged writes, start again, until ready with the full count, in ms (NaN: not measured). */
  readonly recoveryMs: number;
}

/**
 * The `resources` records of one engine: peak memory, RSS after load (with its ratio to the raw
 * payload in the note), disk bytes (`diskNote` is added to its note), restart and recovery
 * seconds, and the raw payload itself.
 *
 * @example
 * ```ts
 * import { resourceRecords } from "./resources.ts";
 * const recs = resourceRecords("omendb-http", { rows: 1000, hosts: 100 }, {
 *   startRssBytes: 1e8, peakBytes: 3e8, rssAfterBytes: 2e8, diskBytes: 5e6, restartMs: 900,
 *   recoveryMs: 1200,
 * }, "");
 * console.assert(recs.find((r) => r.metric === "recovery")?.value === 1.2);
 * console.assert(recs.every((r) => r.workload === "resources"));
 * ```
 */
export function resourceRecords(
  engine: EngineName,
  data: { readonly rows: number; readonly hosts: number },
  f: ResourceFigures,
  diskNote: string,
): BenchRecord[] {
  const payload = rawPayloadBytes(data.rows, data.hosts);
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const base = { workload: "resources", engine, rows: data.rows, hosts: data.hosts };
  const single = { p50: null, p99: null, n: 1 };
  const sep = diskNote === "" ? "" : "; ";
  const note = diskNote;
  const records: BenchRecord[] = [
    {
      ...base,
      ...single,
      metric: "peak-memory",
      value: f.peakBytes,
      unit: "bytes",
      note: `server VmHWM at the end of the load = ${
        (f.peakBytes / payload).toFixed(2)
      }x raw payload (the server's RSS before the load: ${mb(f.startRssBytes)})`,
    },
    {
      ...base,
      ...single,
      metric: "rss-after",
      value: f.rssAfterBytes,
      unit: "bytes",
      note: `server VmRSS ${settleAfterLoadMs} ms after the load was durable = ${
        (f.rssAfterBytes / payload).toFixed(2)
      }x raw payload; over the RSS before the load = ${
        ((f.rssAfterBytes - f.startRssBytes) / payload).toFixed(2)
      }x`,
    },
    {
      ...base,
      ...single,
      metric: "disk",
      value: f.diskBytes,
      unit: "bytes",
      note: `du -sb of the data directory = ${
        (f.diskBytes / data.rows).toFixed(1)
      } B/row${sep}${note}`,
    },
    {
      ...base,
      ...single,
      metric: "restart",
      value: f.restartMs / 1000,
      unit: "s",
      note: "SIGTERM, start on the same directory, until ready and count(*) is complete",
    },
    {
      ...base,
      ...single,
      metric: "raw-payload",
      value: payload,
      unit: "bytes",
      note: `rows x (8 time + ${cpuMetricNames.length} x 8 metrics + tag bytes): the reference`,
    },
  ];
  if (!Number.isNaN(f.recoveryMs)) {
    records.push({
      ...base,
      ...single,
      metric: "recovery",
      value: f.recoveryMs / 1000,
      unit: "s",
      note: "SIGKILL after every write was acknowledged, before any checkpoint; start again " +
        "until ready and count(*) returns every acknowledged row (durability check)",
    });
  }
  return records;
}

/**
 * Workload `resources`: runs the `ingest-http` workload and keeps its `resources` records (the
 * suite needs only one of the two registered; registering both loads the data twice).
 *
 * @example
 * ```ts
 * import { resourcesWorkload } from "./resources.ts";
 * // engines that the workload does not measure are skipped: no records, nothing started
 * const recs = await resourcesWorkload({
 *   rows: 10, hosts: 1, quick: true, repeat: 1, warmup: 0, workDir: "/tmp",
 *   engines: ["duckdb"], log: () => {},
 * });
 * console.assert(recs.length === 0);
 * ```
 */
export const resourcesWorkload: Workload = async (ctx) => {
  const { ingestHttpWorkload } = await import("./ingest.ts");
  return (await ingestHttpWorkload(ctx)).filter((r) => r.workload === "resources");
};

if (import.meta.main) {
  const { runStandalone } = await import("./_standalone.ts");
  await runStandalone(resourcesWorkload, { rows: 200_000, engines: ["omendb-http", "influxdb"] });
}
