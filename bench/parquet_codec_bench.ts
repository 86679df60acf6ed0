/**
 * Parquet segment codec: parquet-wasm (what `encodeSegment` / `decodeSegment` use; the subject)
 * against hyparquet-writer + hyparquet (pure JavaScript; the peer), over one segment of TSBS cpu
 * rows (time, ten tags, ten float8 metrics). Three benchmarks: encode, decode of every column
 * into OmenDB's typed arrays, and decode of two columns. The encode benchmark also records the
 * file sizes, a Worker run (encoding off the main thread while the main thread is busy), and the
 * memory each library leaves to a long-running process (a child process per library, 20
 * encode + decode rounds, then GC).
 *
 * @module
 */
import type { Benchmark, PreparedBenchmark } from "./harness.ts";
import { decodeSegment, encodeSegment } from "../plugins/storage_parquet/mod.ts";
import { hyparquetDecode, hyparquetEncode } from "./_hyparquet_codec.ts";
import { type TsbsSegment, tsbsSegment } from "./_tsbs_segment.ts";
import type { MemoryProbe } from "./_parquet_memory.ts";

/** Encode + decode rounds of the memory probe. */
export const parquetMemoryRounds = 20;

let cached: { seg: TsbsSegment; wasmBytes: Uint8Array; hyBytes: Uint8Array } | null = null;

async function data(rows: number) {
  if (cached?.seg.rows !== rows) {
    const seg = tsbsSegment(rows);
    cached = {
      seg,
      wasmBytes: await encodeSegment(seg.specs, seg.columns, rows),
      hyBytes: hyparquetEncode(seg.specs, seg.columns, rows),
    };
  }
  return cached;
}

/** Runs the memory probe for one library in a child process. */
async function memoryProbe(lib: string, rows: number): Promise<MemoryProbe> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc",
      `${import.meta.dirname}/_parquet_memory.ts`,
      lib,
      String(rows),
      String(parquetMemoryRounds),
    ],
    env: { NO_COLOR: "1" },
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  if (!out.success) throw new Error(`memory probe ${lib}: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!) as MemoryProbe;
}

/** Sums a float column `times` times: stand-in for main-thread work (WAL, parsing). */
function busyWork(seg: TsbsSegment, times: number): number {
  const v = seg.columns[11]!.data as Float64Array;
  let s = 0;
  for (let t = 0; t < times; t++) for (let i = 0; i < v.length; i++) s += v[i]!;
  return s;
}

/** Main-thread work units per ms: sums of one float column, yielding to the event loop between. */
async function busyRate(seg: TsbsSegment, until: () => boolean): Promise<number> {
  const t0 = performance.now();
  let units = 0;
  while (!until()) {
    busyWork(seg, 1);
    units++;
    await new Promise((r) => setTimeout(r, 0));
  }
  return units / (performance.now() - t0);
}

/** Encodes one segment in a Worker while the main thread keeps doing busy work. */
async function workerRun(seg: TsbsSegment) {
  let t0 = performance.now();
  const aloneRate = await busyRate(seg, () => performance.now() - t0 > 500);
  const worker = new Worker(new URL("./_parquet_encode_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const once = () =>
      new Promise<{ bytes: Uint8Array; encodeMs: number }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(seg);
      });
    await once(); // loads parquet-wasm in the worker
    t0 = performance.now();
    let done = false;
    const answer = once().finally(() => done = true);
    const postMs = performance.now() - t0;
    const withWorkerRate = await busyRate(seg, () => done);
    const { bytes, encodeMs } = await answer;
    return {
      workerLoads: true,
      workerEncodeMs: encodeMs,
      workerRoundTripMs: performance.now() - t0,
      postMessageCloneMs: postMs,
      mainThreadRateWhileWorkerEncodes: withWorkerRate / aloneRate,
      workerBytes: bytes.length,
    };
  } finally {
    worker.terminate();
  }
}

function codecBench(
  name: string,
  description: string,
  contenders: (d: Awaited<ReturnType<typeof data>>) => PreparedBenchmark["contenders"],
  facts?: (d: Awaited<ReturnType<typeof data>>, rows: number) => Promise<Record<string, unknown>>,
): Benchmark {
  return {
    name,
    description,
    async prepare(params) {
      const d = await data(params.rows);
      return {
        unitsPerRun: params.rows,
        unit: "rows",
        contenders: contenders(d),
        finish: async () => (await facts?.(d, params.rows)) ?? {},
      };
    },
  };
}

/** The three benchmarks: `parquet_encode`, `parquet_decode_all`, `parquet_decode_2`. */
export const parquetCodecBenches: readonly Benchmark[] = [
  codecBench(
    "parquet_encode",
    "TSBS segment (ts + 10 tags + 10 float8) to Parquet ZSTD: parquet-wasm vs hyparquet-writer",
    ({ seg }) => [
      {
        name: "parquet_wasm",
        run: async () => void await encodeSegment(seg.specs, seg.columns, seg.rows),
      },
      { name: "hyparquet", run: () => void hyparquetEncode(seg.specs, seg.columns, seg.rows) },
    ],
    async ({ seg, wasmBytes, hyBytes }, rows) => ({
      parquetWasmBytes: wasmBytes.length,
      hyparquetBytes: hyBytes.length,
      parquetWasmBytesPerRow: wasmBytes.length / rows,
      hyparquetBytesPerRow: hyBytes.length / rows,
      worker: await workerRun(seg),
      memory: [await memoryProbe("parquet-wasm", rows), await memoryProbe("hyparquet", rows)],
    }),
  ),
  codecBench(
    "parquet_decode_all",
    "TSBS segment, all 21 columns into OmenDB typed arrays: parquet-wasm vs hyparquet",
    ({ seg, wasmBytes, hyBytes }) => [
      { name: "parquet_wasm", run: async () => void await decodeSegment(wasmBytes, seg.specs) },
      { name: "hyparquet", run: async () => void await hyparquetDecode(hyBytes, seg.specs) },
    ],
  ),
  codecBench(
    "parquet_decode_2",
    "TSBS segment, 2 columns (time, usage_user) into typed arrays: parquet-wasm vs hyparquet",
    ({ seg, wasmBytes, hyBytes }) => {
      const two = [seg.specs[0]!, seg.specs[11]!];
      return [
        { name: "parquet_wasm", run: async () => void await decodeSegment(wasmBytes, two) },
        { name: "hyparquet", run: async () => void await hyparquetDecode(hyBytes, two) },
      ];
    },
  ),
];
