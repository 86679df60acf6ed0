/**
 * The micro-benchmark suite: `deno task bench:micro [--rows N] [--repeat N] [--warmup N] [--only a,b]`.
 * Each benchmark measures OmenDB against a peer in the same run, prints median and p95 per
 * contender with the speedup, and writes `bench/results/<name>.json`.
 *
 * @example
 * ```ts
 * import { parseBenchArgs } from "./main.ts";
 * const args = parseBenchArgs(["--rows", "1000", "--only", "tsbs_generate"]);
 * console.assert(args.params.rows === 1000 && args.only[0] === "tsbs_generate");
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
export type { BenchParams } from "./harness.ts";
import {
  type Benchmark,
  type BenchParams,
  formatResult,
  runBenchmark,
  writeResult,
} from "./harness.ts";

/** Default rows per benchmark. */
export const benchRowsDefault = 1_000_000;
/** Default timed runs per contender. */
export const benchRepeatDefault = 5;
/** Default untimed warm-up runs per contender. */
export const benchWarmupDefault = 1;
/** Most rows a benchmark accepts. */
export const benchRowsMax = 100_000_000;
/** Most runs per contender. */
export const benchRepeatMax = 1000;

/** A benchmark, loaded on demand so that one that cannot load does not stop the others. */
export interface BenchEntry {
  /** The benchmark's name, as `--only` takes it. */
  readonly name: string;
  /** Imports the benchmark's module. */
  readonly load: () => Promise<Benchmark>;
}

/** Every benchmark of the suite, in run order. */
export const benchEntries: readonly BenchEntry[] = [
  {
    name: "tsbs_generate",
    load: async () => (await import("./tsbs_generate_bench.ts")).tsbsGenerateBench,
  },
  { name: "tsbs_load", load: async () => (await import("./tsbs_load_bench.ts")).tsbsLoadBench },
  {
    name: "scan_filter",
    load: async () => (await import("./scan_query_bench.ts")).scanQueryBenches[0]!,
  },
  {
    name: "scan_filter_tag",
    load: async () => (await import("./scan_query_bench.ts")).scanQueryBenches[1]!,
  },
  ...["tsbs_single_groupby", "tsbs_double_groupby", "tsbs_lastpoint", "tsbs_high_cpu"].map((
    name,
    i,
  ) => ({
    name,
    load: async () => (await import("./scan_query_bench.ts")).scanQueryBenches[2 + i]!,
  })),
  { name: "rmi_lookup", load: async () => (await import("./rmi_lookup_bench.ts")).rmiLookupBench },
  {
    name: "line_protocol",
    load: async () => (await import("./line_protocol_bench.ts")).lineProtocolBench,
  },
  ...["parquet_encode", "parquet_decode_all", "parquet_decode_2"].map((name, i) => ({
    name,
    load: async () => (await import("./parquet_codec_bench.ts")).parquetCodecBenches[i]!,
  })),
  ...["tiny", "500kb"].flatMap((size, s) =>
    [1, 16, 64].map((writers, i) => ({
      name: `wal_append_${size}_w${writers}`,
      load: async () => (await import("./wal_append_bench.ts")).walAppendBenches[s * 3 + i]!,
    }))
  ),
];

/** Parsed command line. */
export interface BenchArgs {
  /** Rows, repeat and warm-up. */
  readonly params: BenchParams;
  /** Benchmark names to run; empty = all. */
  readonly only: readonly string[];
  /** Where result JSON goes. */
  readonly outDir: string;
}

function intArg(
  name: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = Number(text.replaceAll("_", ""));
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new RangeError(`--${name} must be an integer in [${min}, ${max}], got "${text}"`);
  }
  return n;
}

/** Parses the command line; throws RangeError with a message on a bad argument. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      rows: { type: "string" },
      repeat: { type: "string" },
      warmup: { type: "string" },
      only: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
    allowPositionals: false,
  });
  const only = (values.only ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  const known = new Set(benchEntries.map((e) => e.name));
  for (const name of only) {
    if (!known.has(name)) {
      throw new RangeError(`unknown benchmark "${name}"; known: ${[...known].join(", ")}`);
    }
  }
  return {
    params: {
      rows: intArg("rows", values.rows, benchRowsDefault, 1, benchRowsMax),
      repeat: intArg("repeat", values.repeat, benchRepeatDefault, 1, benchRepeatMax),
      warmup: intArg("warmup", values.warmup, benchWarmupDefault, 0, benchRepeatMax),
    },
    only,
    outDir: values.out ?? `${import.meta.dirname}/results`,
  };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    console.error(
      "usage: deno task bench [--rows N] [--repeat N] [--warmup N] [--only a,b] [--out dir]",
    );
    return 2;
  }
  const entries = benchEntries.filter((e) => args.only.length === 0 || args.only.includes(e.name));
  const { rows, repeat, warmup } = args.params;
  console.log(`OmenDB benchmarks: rows=${rows} repeat=${repeat} warmup=${warmup}`);
  let failed = 0;
  for (const entry of entries) {
    try {
      const bench = await entry.load();
      const result = await runBenchmark(bench, args.params);
      console.log(formatResult(result));
      console.log(`  -> ${await writeResult(args.outDir, result)}`);
    } catch (e) {
      failed++;
      console.error(
        `${entry.name}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }
  console.log(`${entries.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
