/**
 * The peer benchmark suite: `deno task bench [--quick] [--only a,b] [--rows N] [--hosts N]
 * [--repeat N] [--warmup N] [--engines omendb,duckdb,...] [--out DIR]`.
 *
 * Runs every workload of the registry (`workloads.ts`) on the TSBS cpu data set (`rows` rows,
 * `hosts` hosts), then those marked `highCardinality` again on the high-cardinality variant
 * (`--high-card-rows`, default the same rows, over `--high-card-hosts` hosts: 100,000, or
 * 10,000 with `--quick`; 0
 * disables it) with the engines of `--high-card-engines` (default: all but the two protocol
 * engines). Writes `<out>/<YYYY-MM-DD>[-quick].json` (date, machine, versions, params,
 * records), a Markdown summary next to it, and SVG charts when `chart_svg.ts` is there. Prints
 * `N passed, M failed` last; the exit code is 1 when a workload failed (an engine disagreeing on
 * an answer counts), 2 for bad arguments.
 *
 * @example
 * ```ts
 * import { parseSuiteArgs } from "./main.ts";
 * const a = parseSuiteArgs(["--quick", "--only", "point,lastpoint", "--engines", "omendb,duckdb"]);
 * console.assert(a.rows === 1_000_000 && a.only!.length === 2 && a.engines.length === 2);
 * console.assert(a.highCardHosts === 10_000 && a.highCardEngines.join() === "omendb,duckdb");
 * const full = parseSuiteArgs([]);
 * console.assert(full.rows === 10_000_000 && full.highCardHosts === 100_000);
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { machineInfo } from "../harness.ts";
import type { BenchRecord, EngineName, WorkloadContext } from "./record.ts";
import { querySuite, workloadEntries, type WorkloadEntry } from "./workloads.ts";
import { QueryCheckError } from "./query_suite.ts";
import { type SuiteReport, summaryMarkdown } from "./summary.ts";

/** Every engine, in report order. */
export const allEngines: readonly EngineName[] = [
  "omendb",
  "omendb-http",
  "omendb-pg",
  "duckdb",
  "sqlite",
  "influxdb",
  "postgres",
];
/** Rows of a full run. */
export const fullRows = 10_000_000;
/** Rows of a quick run. */
export const quickRows = 1_000_000;
/** Hosts of the main data set (TSBS scale 100). */
export const suiteHostsDefault = 100;
/** Hosts of the high-cardinality variant of a full run (10,000,000 rows: 100 readings a host). */
export const highCardHostsDefault = 100_000;
/**
 * Hosts of the high-cardinality variant of a quick run (1,000,000 rows: again 100 readings a
 * host). With 100,000 hosts a quick run took over 5 minutes here: InfluxDB needed 71 s to load
 * 1,000,000 rows of 100,000 series and OmenDB 6-11 s per all-host query.
 */
export const highCardHostsQuick = 10_000;
/**
 * Engines of the high-cardinality variant: the protocol engines (`omendb-http`, `omendb-pg`) are
 * measured on the main data set only, where they show the protocol overhead.
 */
export const highCardEnginesDefault: readonly EngineName[] = [
  "omendb",
  "duckdb",
  "sqlite",
  "influxdb",
];
/** Timed runs per measurement in a full run. */
export const fullRepeat = 100;
/** Warm-up runs per measurement in a full run. */
export const fullWarmup = 10;
/** Timed runs per measurement in a quick run. */
export const quickRepeat = 20;
/** Warm-up runs per measurement in a quick run. */
export const quickWarmup = 1;
/** Most rows the runner accepts. */
export const suiteRowsMax = 100_000_000;
/** Most timed or warm-up runs per measurement. */
export const suiteRepeatMax = 100_000;

/** Parsed command line. */
export interface SuiteArgs {
  /** `--quick`. */
  readonly quick: boolean;
  /** Workloads to run (null: all). */
  readonly only: readonly string[] | null;
  /** Rows of the main data set. */
  readonly rows: number;
  /** Hosts of the main data set. */
  readonly hosts: number;
  /** Rows of the high-cardinality data set (0: skip it). */
  readonly highCardRows: number;
  /** Hosts of the high-cardinality data set (0: skip it). */
  readonly highCardHosts: number;
  /** Engines measured on the high-cardinality data set (those of `engines` only). */
  readonly highCardEngines: readonly EngineName[];
  /** Timed runs per measurement. */
  readonly repeat: number;
  /** Warm-up runs per measurement. */
  readonly warmup: number;
  /** Engines to measure. */
  readonly engines: readonly EngineName[];
  /** Output folder. */
  readonly out: string;
}

/** A bad command line (exit code 2). */
export class SuiteArgsError extends Error {
  override name = "SuiteArgsError";
}

function int(
  name: string,
  text: string | undefined,
  dflt: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return dflt;
  const v = Number(text.replaceAll("_", ""));
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new SuiteArgsError(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  }
  return v;
}

function list(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Parses the command line (throws {@link SuiteArgsError}). */
export function parseSuiteArgs(argv: readonly string[]): SuiteArgs {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        quick: { type: "boolean", default: false },
        only: { type: "string" },
        rows: { type: "string" },
        hosts: { type: "string" },
        "high-card-rows": { type: "string" },
        "high-card-hosts": { type: "string" },
        "high-card-engines": { type: "string" },
        repeat: { type: "string" },
        warmup: { type: "string" },
        engines: { type: "string" },
        out: { type: "string" },
      },
    }).values;
  } catch (e) {
    throw new SuiteArgsError(e instanceof Error ? e.message : String(e));
  }
  const quick = values.quick === true;
  const rows = int("rows", values.rows, quick ? quickRows : fullRows, 1, suiteRowsMax);
  const engineList = list(values.engines) ?? [...allEngines];
  const highCardList = list(values["high-card-engines"]) ?? [...highCardEnginesDefault];
  for (const e of [...engineList, ...highCardList]) {
    if (!allEngines.includes(e as EngineName)) {
      throw new SuiteArgsError(`unknown engine "${e}"; engines: ${allEngines.join(", ")}`);
    }
  }
  const only = list(values.only);
  for (const name of only ?? []) {
    if (!workloadEntries.some((w) => w.name === name)) {
      throw new SuiteArgsError(
        `unknown workload "${name}"; workloads: ${workloadEntries.map((w) => w.name).join(", ")}`,
      );
    }
  }
  return {
    quick,
    only,
    rows,
    hosts: int("hosts", values.hosts, suiteHostsDefault, 1, 1_000_000),
    highCardRows: int("high-card-rows", values["high-card-rows"], rows, 0, suiteRowsMax),
    highCardHosts: int(
      "high-card-hosts",
      values["high-card-hosts"],
      quick ? highCardHostsQuick : highCardHostsDefault,
      0,
      1_000_000,
    ),
    repeat: int("repeat", values.repeat, quick ? quickRepeat : fullRepeat, 1, suiteRepeatMax),
    warmup: int("warmup", values.warmup, quick ? quickWarmup : fullWarmup, 0, suiteRepeatMax),
    engines: engineList as EngineName[],
    highCardEngines: highCardList.filter((e) => engineList.includes(e)) as EngineName[],
    out: values.out ?? new URL("../results", import.meta.url).pathname,
  };
}

async function commandOutput(cmd: string, args: string[]): Promise<string | null> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "null" }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  } catch {
    return null;
  }
}

/** Versions of the runtime and the peers that are installed here. */
export async function suiteVersions(): Promise<Record<string, string>> {
  const v: Record<string, string> = {
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  };
  const commit = await commandOutput("git", [
    "-C",
    new URL(".", import.meta.url).pathname,
    "rev-parse",
    "--short",
    "HEAD",
  ]);
  if (commit !== null) v.omendb = `commit ${commit}`;
  try {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const c = await instance.connect();
    v.duckdb = String((await c.runAndReadAll("SELECT version()")).getRows()[0]![0]);
    c.closeSync();
    instance.closeSync();
  } catch { /* not available */ }
  try {
    const { DatabaseSync } = await import("node:sqlite");
    const db = new DatabaseSync(":memory:");
    v.sqlite = String(
      (db.prepare("SELECT sqlite_version() AS v").get() as { v: string }).v,
    );
    db.close();
  } catch { /* not available */ }
  const influx = await commandOutput("influxd", ["version"]);
  if (influx !== null) v.influxd = influx;
  const postgres = await commandOutput("/usr/lib/postgresql/15/bin/postgres", ["--version"]);
  if (postgres !== null) v.postgres = postgres;
  return v;
}

/** Renders the charts through part 2's `chart_svg.ts` when it exists; the paths written. */
async function writeCharts(
  records: readonly BenchRecord[],
  base: string,
  print: (line: string) => void,
): Promise<string[]> {
  // a computed specifier, so that type checking does not require the module
  const specifier = new URL("./chart_svg.ts", import.meta.url).href;
  let charts: {
    latencyChartSvg(records: readonly BenchRecord[]): string;
    ingestChartSvg(records: readonly BenchRecord[]): string;
  };
  try {
    charts = await import(specifier);
    if (typeof charts.latencyChartSvg !== "function") throw new Error("no latencyChartSvg");
  } catch {
    print("charts: not available");
    return [];
  }
  const written: string[] = [];
  const latency = `${base}-latency.svg`;
  await Deno.writeTextFile(latency, charts.latencyChartSvg(records));
  written.push(latency);
  if (typeof charts.ingestChartSvg === "function") {
    const ingest = `${base}-ingest.svg`;
    await Deno.writeTextFile(ingest, charts.ingestChartSvg(records));
    written.push(ingest);
  }
  return written;
}

/** A data set the suite runs on. */
interface DataSet {
  readonly rows: number;
  readonly hosts: number;
  readonly highCardinality: boolean;
}

/**
 * Runs the suite; returns the exit code. Progress and the summary go to `print` (one line or
 * block per call; default `console.log`).
 */
export async function runSuite(
  args: SuiteArgs,
  entries: readonly WorkloadEntry[] = workloadEntries,
  print: (line: string) => void = console.log,
): Promise<number> {
  const started = new Date();
  const selected = entries.filter((w) => args.only === null || args.only.includes(w.name));
  querySuite.select(selected.map((w) => w.name));
  const dataSets: DataSet[] = [{ rows: args.rows, hosts: args.hosts, highCardinality: false }];
  if (args.highCardRows > 0 && args.highCardHosts > 0) {
    if (args.highCardEngines.length === 0) {
      print("high-cardinality variant skipped: none of its engines is selected");
    } else if (args.highCardRows >= 2 * args.highCardHosts) {
      dataSets.push({ rows: args.highCardRows, hosts: args.highCardHosts, highCardinality: true });
    } else {
      print(
        `high-cardinality variant skipped: ${args.highCardRows} rows are fewer than 2 readings per host for ${args.highCardHosts} hosts`,
      );
    }
  }
  const records: BenchRecord[] = [];
  const failures: { workload: string; error: string }[] = [];
  let passed = 0;
  for (const data of dataSets) {
    for (const entry of selected) {
      if (data.highCardinality && entry.highCardinality !== true) continue;
      const label = `${entry.name} (${data.rows} rows, ${data.hosts} hosts)`;
      const workDir = await Deno.makeTempDir({ prefix: "omendb-suite-" });
      const ctx: WorkloadContext = {
        rows: data.rows,
        hosts: data.hosts,
        quick: args.quick,
        repeat: args.repeat,
        warmup: args.warmup,
        workDir,
        engines: data.highCardinality ? args.highCardEngines : args.engines,
        log: (m) => print(`  ${m}`),
      };
      print(`${label}...`);
      try {
        records.push(...await entry.run(ctx));
        passed++;
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        failures.push({ workload: label, error });
        if (e instanceof QueryCheckError) records.push(...e.records);
        print(`  FAILED: ${error}`);
      } finally {
        await Deno.remove(workDir, { recursive: true }).catch(() => {});
      }
    }
  }
  const report: SuiteReport & { readonly seconds: number } = {
    date: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    machine: { ...machineInfo() },
    versions: await suiteVersions(),
    params: {
      quick: args.quick,
      rows: args.rows,
      hosts: args.hosts,
      highCardRows: args.highCardRows,
      highCardHosts: args.highCardHosts,
      highCardEngines: args.highCardEngines,
      repeat: args.repeat,
      warmup: args.warmup,
      engines: args.engines,
      only: args.only ?? "all",
    },
    records,
    failures,
  };
  await Deno.mkdir(args.out, { recursive: true });
  const base = `${args.out}/${started.toISOString().slice(0, 10)}${args.quick ? "-quick" : ""}`;
  await Deno.writeTextFile(`${base}.json`, JSON.stringify(report, null, 2) + "\n");
  const md = summaryMarkdown(report);
  await Deno.writeTextFile(`${base}.md`, md + "\n");
  const charts = await writeCharts(records, base, print);
  print(md);
  print(
    `wrote ${[`${base}.json`, `${base}.md`, ...charts].join(", ")} in ${
      report.seconds.toFixed(0)
    } s`,
  );
  print(`${passed} passed, ${failures.length} failed`);
  return failures.length === 0 ? 0 : 1;
}

if (import.meta.main) {
  let args: SuiteArgs;
  try {
    args = parseSuiteArgs(Deno.args);
  } catch (e) {
    if (!(e instanceof SuiteArgsError)) throw e;
    console.error(`bench: ${e.message}`);
    Deno.exit(2);
  }
  Deno.exit(await runSuite(args));
}
