/**
 * A small benchmark framework: a benchmark prepares contenders (OmenDB first, then its peers),
 * the harness runs them interleaved `warmup + repeat` times, and reports median and p95 per
 * contender with OmenDB's speedup over each peer, measured in the same process and run.
 *
 * @example
 * ```ts
 * import { type Benchmark, runBenchmark } from "./harness.ts";
 * const bench: Benchmark = {
 *   name: "sum",
 *   description: "sum a Float64Array vs an array of numbers",
 *   prepare: () => {
 *     const typed = new Float64Array(1000).fill(1);
 *     const plain = Array.from(typed);
 *     let sink = 0;
 *     return {
 *       unitsPerRun: 1000,
 *       unit: "values",
 *       contenders: [
 *         { name: "typed", run: () => { for (const v of typed) sink += v; } },
 *         { name: "plain", run: () => { for (const v of plain) sink += v; } },
 *       ],
 *       finish: () => ({ sink }),
 *     };
 *   },
 * };
 * const result = await runBenchmark(bench, { rows: 1000, repeat: 3, warmup: 0 });
 * console.assert(result.contenders.length === 2 && result.contenders[0]!.medianMs >= 0);
 * ```
 *
 * @module
 */
import os from "node:os";
import { type SampleSummary, summarize } from "./stats.ts";

/** Parameters shared by every benchmark, from the command line. */
export interface BenchParams {
  /** Rows of TSBS data to generate, load or scan. */
  readonly rows: number;
  /** Timed runs per contender. */
  readonly repeat: number;
  /** Untimed runs per contender before the timed ones. */
  readonly warmup: number;
}

/** One system under test within a benchmark. */
export interface Contender {
  /** Short name: `omendb`, `duckdb`, ... */
  readonly name: string;
  /** Untimed work before each run (e.g. a fresh table). */
  readonly before?: () => Promise<void> | void;
  /** The timed work. */
  readonly run: () => Promise<void> | void;
  /** Untimed work after each run (e.g. dropping the table). */
  readonly after?: () => Promise<void> | void;
}

/** What a benchmark's `prepare` returns. */
export interface PreparedBenchmark {
  /** The contenders; the first is the subject (OmenDB), the rest are its peers. */
  readonly contenders: readonly Contender[];
  /** Units of work in one run (rows, queries), for throughput; `null` to report latency only. */
  readonly unitsPerRun: number | null;
  /** Name of the unit, e.g. `rows`. */
  readonly unit: string;
  /** Releases resources; may return facts to record (result sizes, checks). */
  readonly finish?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** A named benchmark. */
export interface Benchmark {
  /** File-safe name; results go to `bench/results/<name>.json`. */
  readonly name: string;
  /** One line saying what is measured against what. */
  readonly description: string;
  /** Builds the data and the contenders; not timed. */
  prepare(params: BenchParams): Promise<PreparedBenchmark> | PreparedBenchmark;
}

/** One contender's measured result. */
export interface ContenderResult extends SampleSummary {
  /** The contender's name. */
  readonly name: string;
  /** Units per second at the median run time, or null for latency-only benchmarks. */
  readonly unitsPerSecond: number | null;
}

/** The machine a result was measured on. */
export interface MachineInfo {
  /** Logical CPU cores. */
  readonly cores: number;
  /** CPU model name as the OS reports it. */
  readonly cpuModel: string;
  /** Total memory in bytes. */
  readonly memoryBytes: number;
  /** OS, kernel release and architecture. */
  readonly os: string;
  /** Deno version. */
  readonly deno: string;
  /** V8 version. */
  readonly v8: string;
  /** TypeScript version. */
  readonly typescript: string;
  /** Load average over 1, 5 and 15 minutes when the result was written. */
  readonly loadAverage: readonly number[];
}

/** The JSON written for one benchmark. */
export interface BenchmarkResult {
  /** The benchmark's name. */
  readonly name: string;
  /** What it measures. */
  readonly description: string;
  /** When the run started, ISO 8601. */
  readonly date: string;
  /** Where it ran. */
  readonly machine: MachineInfo;
  /** The command-line parameters. */
  readonly params: BenchParams;
  /** Unit of `unitsPerRun`. */
  readonly unit: string;
  /** Units of work per run, or null for latency-only benchmarks. */
  readonly unitsPerRun: number | null;
  /** Each contender's samples and summary, subject first. */
  readonly contenders: readonly ContenderResult[];
  /**
   * How many times faster the first contender is than each other one, by median time
   * (`peer median / subject median`: above 1 the subject is faster).
   */
  readonly speedup: Readonly<Record<string, number>>;
  /** Facts the benchmark checked or recorded (row counts, result sizes). */
  readonly facts: Record<string, unknown>;
}

/** Facts about the current machine and runtime. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cores: navigator.hardwareConcurrency,
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryBytes: os.totalmem(),
    os: `${Deno.build.os} ${Deno.osRelease()} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    loadAverage: Deno.loadavg(),
  };
}

/**
 * Runs a benchmark: prepares it, then `warmup + repeat` rounds in which every contender runs
 * once (the order rotates each round so that no contender always runs first), then finishes it.
 */
export async function runBenchmark(
  bench: Benchmark,
  params: BenchParams,
): Promise<BenchmarkResult> {
  const date = new Date().toISOString();
  const prepared = await bench.prepare(params);
  const contenders = prepared.contenders;
  if (contenders.length === 0) throw new Error(`benchmark ${bench.name} has no contenders`);
  const samples = contenders.map((): number[] => []);
  let facts: Record<string, unknown> = {};
  try {
    for (let round = 0; round < params.warmup + params.repeat; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const index = (round + k) % contenders.length;
        const c = contenders[index]!;
        await c.before?.();
        const t0 = performance.now();
        await c.run();
        const elapsed = performance.now() - t0;
        await c.after?.();
        if (round >= params.warmup) samples[index]!.push(elapsed);
      }
    }
  } finally {
    facts = (await prepared.finish?.()) ?? {};
  }
  const results: ContenderResult[] = contenders.map((c, i) => {
    const s = summarize(samples[i]!);
    return {
      name: c.name,
      ...s,
      unitsPerSecond: prepared.unitsPerRun === null
        ? null
        : prepared.unitsPerRun / (s.medianMs / 1000),
    };
  });
  const subject = results[0]!;
  const speedup: Record<string, number> = {};
  for (const peer of results.slice(1)) {
    speedup[`${subject.name} vs ${peer.name}`] = peer.medianMs / subject.medianMs;
  }
  return {
    name: bench.name,
    description: bench.description,
    date,
    machine: machineInfo(),
    params,
    unit: prepared.unit,
    unitsPerRun: prepared.unitsPerRun,
    contenders: results,
    speedup,
    facts,
  };
}

function formatNumber(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString("en-US");
  return n.toPrecision(3);
}

/** A human-readable summary of a result, one line per contender. */
export function formatResult(r: BenchmarkResult): string {
  const lines = [`${r.name}: ${r.description}`];
  for (const c of r.contenders) {
    const rate = c.unitsPerSecond === null ? "" : `  ${formatNumber(c.unitsPerSecond)} ${r.unit}/s`;
    lines.push(
      `  ${c.name.padEnd(24)} median ${formatNumber(c.medianMs).padStart(8)} ms  p95 ${
        formatNumber(c.p95Ms).padStart(8)
      } ms${rate}`,
    );
  }
  for (const [pair, x] of Object.entries(r.speedup)) {
    lines.push(`  speedup ${pair}: ${x.toFixed(2)}x`);
  }
  return lines.join("\n");
}

/** Writes a result as `<dir>/<name>.json` and returns the path. */
export async function writeResult(dir: string, r: BenchmarkResult): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${r.name}.json`;
  await Deno.writeTextFile(path, JSON.stringify(r, null, 2) + "\n");
  return path;
}
