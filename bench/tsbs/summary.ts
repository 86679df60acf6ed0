/**
 * The Markdown summary of a suite run: the machine, versions and parameters, then one table per
 * workload, metric and data set with each engine's value, p50, p99 and n, OmenDB's ratio to
 * that engine ({@link ratio}: above 1 OmenDB is better) and the caveats next to the numbers;
 * failed workloads at the end.
 *
 * @example
 * ```ts
 * import { summaryMarkdown } from "./summary.ts";
 * const base = { workload: "point", metric: "latency", unit: "ms", rows: 1000, hosts: 10, n: 5 };
 * const md = summaryMarkdown({
 *   date: "2026-11-26", machine: {}, versions: {}, params: {},
 *   records: [
 *     { ...base, engine: "omendb", value: 0.1, p50: 0.1, p99: 0.2 },
 *     { ...base, engine: "duckdb", value: 0.5, p50: 0.5, p99: 0.9, note: "in memory" },
 *   ],
 *   failures: [],
 * });
 * console.assert(md.includes("| duckdb | 0.500 | 0.900 | 5 | ms | 5.00x | in memory |"));
 * ```
 *
 * @module
 */
import { type BenchRecord, lowerIsBetter, ratio } from "./record.ts";

/** What a summary is made from (the run's JSON plus its failures). */
export interface SuiteReport {
  /** When the run started, ISO 8601. */
  readonly date: string;
  /** The machine (`machineInfo()` of bench/harness.ts). */
  readonly machine: Readonly<Record<string, unknown>>;
  /** Versions of the engines and runtime. */
  readonly versions: Readonly<Record<string, string>>;
  /** The run's parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Every record. */
  readonly records: readonly BenchRecord[];
  /** Failed workloads: name and why. */
  readonly failures: readonly { readonly workload: string; readonly error: string }[];
}

function fmt(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 1) return v.toFixed(Math.abs(v) >= 100 ? 1 : 2);
  return v.toPrecision(3);
}

function cell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * The OmenDB record of a group: the embedded engine's, else the first OmenDB protocol engine's
 * (ingest over HTTP, concurrency over the PostgreSQL wire).
 */
function subjectOf(group: readonly BenchRecord[]): BenchRecord | undefined {
  return group.find((r) => r.engine === "omendb") ??
    group.find((r) => r.engine.startsWith("omendb"));
}

/**
 * One line per workload, metric and data set: OmenDB's figure, the best peer's and the ratio
 * (above 1: OmenDB better).
 */
function headline(groups: readonly (readonly BenchRecord[])[]): string[] {
  const out = [
    "## Headline",
    "",
    "| workload | metric | rows | hosts | OmenDB | best peer | ratio |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const group of groups) {
    const omen = subjectOf(group);
    const peers = group.filter((r) => !r.engine.startsWith("omendb"));
    // the raw payload is a reference size, the same for every engine
    if (omen === undefined || peers.length === 0 || omen.metric === "raw-payload") continue;
    const best = peers.reduce((a, b) =>
      (lowerIsBetter(a.unit) ? b.value < a.value : b.value > a.value) ? b : a
    );
    out.push(
      `| ${omen.workload} | ${omen.metric} | ${omen.rows.toLocaleString("en-US")} | ${
        omen.hosts.toLocaleString("en-US")
      } | ${fmt(omen.value)} ${omen.unit} (${omen.engine}) | ${
        fmt(best.value)
      } ${best.unit} (${best.engine}) | ${ratio(omen, best).toFixed(2)}x |`,
    );
  }
  return out;
}

/** The summary as Markdown. */
export function summaryMarkdown(report: SuiteReport): string {
  const lines: string[] = [`# Peer benchmark suite, ${report.date}`, ""];
  const kv = (o: Readonly<Record<string, unknown>>) =>
    Object.entries(o).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join("/") : String(v)}`).join(
      ", ",
    );
  lines.push(`- machine: ${kv(report.machine)}`);
  lines.push(`- versions: ${kv(report.versions)}`);
  lines.push(`- params: ${kv(report.params)}`);
  lines.push(
    "- ratio: OmenDB embedded against the engine of the row, same run (above 1: OmenDB better; for latency peer p50 / OmenDB p50)",
    "",
  );
  const groups = new Map<string, BenchRecord[]>();
  for (const r of report.records) {
    const key = `${r.workload}\u0000${r.metric}\u0000${r.rows}\u0000${r.hosts}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, g = []);
    g.push(r);
  }
  lines.push(...headline([...groups.values()]), "");
  for (const group of groups.values()) {
    const first = group[0]!;
    lines.push(
      `## ${first.workload}: ${first.metric} (${first.rows.toLocaleString("en-US")} rows, ${
        first.hosts.toLocaleString("en-US")
      } hosts)`,
      "",
      "| engine | p50 (value) | p99 | n | unit | OmenDB ratio | notes |",
      "| --- | --- | --- | --- | --- | --- | --- |",
    );
    const omen = subjectOf(group);
    for (const r of group) {
      const x = omen === undefined || r === omen ? "—" : `${ratio(omen, r).toFixed(2)}x`;
      lines.push(
        `| ${r.engine} | ${fmt(r.p50 ?? r.value)} | ${fmt(r.p99)} | ${r.n} | ${r.unit} | ${x} | ${
          cell(r.note ?? "")
        } |`,
      );
    }
    lines.push("");
  }
  if (report.failures.length > 0) {
    lines.push("## Failed workloads", "");
    for (const f of report.failures) lines.push(`- **${f.workload}**: ${cell(f.error)}`);
    lines.push("");
  }
  return lines.join("\n");
}

if (import.meta.main) {
  // deno run -A bench/tsbs/summary.ts RESULT.json: writes RESULT.md (and the charts) again
  const path = Deno.args[0];
  if (path === undefined || !path.endsWith(".json")) {
    console.error("usage: deno run -A bench/tsbs/summary.ts bench/results/<date>.json");
    Deno.exit(2);
  }
  const report = JSON.parse(await Deno.readTextFile(path)) as SuiteReport;
  const base = path.slice(0, -".json".length);
  await Deno.writeTextFile(`${base}.md`, summaryMarkdown(report) + "\n");
  const charts = await import("./chart_svg.ts");
  await Deno.writeTextFile(`${base}-latency.svg`, charts.latencyChartSvg(report.records));
  await Deno.writeTextFile(`${base}-ingest.svg`, charts.ingestChartSvg(report.records));
  console.log(`wrote ${base}.md, ${base}-latency.svg, ${base}-ingest.svg`);
}
