/**
 * Runs one workload module on its own (`deno run -A bench/tsbs/ingest.ts --rows 200000`): flags
 * to a {@link WorkloadContext}, a scratch directory, and the records printed as a table. Private
 * to the ingest, bulk-insert, concurrency and resources workloads; the suite's runner builds its
 * own context.
 *
 * @example
 * ```ts
 * import { formatRecordTable } from "./_standalone.ts";
 * const text = formatRecordTable([{
 *   workload: "bulk-insert", engine: "sqlite", metric: "throughput", value: 1234.5,
 *   unit: "rows/s", rows: 10, hosts: 1, p50: null, p99: null, n: 1,
 * }]);
 * console.assert(text.includes("bulk-insert") && text.includes("1,235"));
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { BenchRecord, EngineName, Workload, WorkloadContext } from "./record.ts";

/** Formats a figure for a table: integers with thousands separators, small values with 3 digits. */
function formatValue(v: number | null): string {
  if (v === null) return "-";
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return Math.round(v).toLocaleString("en-US");
  return v.toPrecision(3);
}

/** The records as an aligned text table, one line per record, notes last. */
export function formatRecordTable(records: readonly BenchRecord[]): string {
  const header = [
    "workload",
    "engine",
    "metric",
    "value",
    "unit",
    "p50",
    "p99",
    "n",
    "rows",
    "note",
  ];
  const lines = records.map((r) => [
    r.workload,
    r.engine,
    r.metric,
    formatValue(r.value),
    r.unit,
    formatValue(r.p50),
    formatValue(r.p99),
    String(r.n),
    String(r.rows),
    r.note ?? "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [fmt(header), ...lines.map(fmt)].join("\n");
}

/** Extra flags a module's standalone run accepts on top of the common ones. */
export type StandaloneFlags = Record<string, { type: "string" | "boolean"; default?: string }>;

/**
 * Parses `--rows --hosts --quick --repeat --warmup --engines a,b --json FILE` (plus `extra`), runs
 * the workload on a fresh scratch directory, prints the records as a table (and writes them as
 * JSON with `--json`), and returns them with the parsed flags.
 */
export async function runStandalone(
  workload: Workload,
  defaults: { readonly rows: number; readonly engines: readonly EngineName[] },
  extra: StandaloneFlags = {},
): Promise<{ records: BenchRecord[]; flags: Record<string, string | boolean | undefined> }> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: String(defaults.rows) },
      hosts: { type: "string", default: "100" },
      quick: { type: "boolean", default: false },
      repeat: { type: "string", default: "1" },
      warmup: { type: "string", default: "0" },
      engines: { type: "string", default: defaults.engines.join(",") },
      json: { type: "string" },
      ...extra,
    },
  });
  const workDir = await Deno.makeTempDir({ prefix: "omendb-tsbs-" });
  const ctx: WorkloadContext = {
    rows: Number(values.rows),
    hosts: Number(values.hosts),
    quick: values.quick === true,
    repeat: Number(values.repeat),
    warmup: Number(values.warmup),
    workDir,
    engines: String(values.engines).split(",").filter((e) => e !== "") as EngineName[],
    log: (m) => console.error(m),
  };
  try {
    const records = await workload(ctx);
    console.log(formatRecordTable(records));
    if (typeof values.json === "string") {
      await Deno.writeTextFile(values.json, JSON.stringify(records, null, 2) + "\n");
    }
    return { records, flags: values as Record<string, string | boolean | undefined> };
  } finally {
    await Deno.remove(workDir, { recursive: true }).catch(() => {});
  }
}
