/**
 * Memory probe, run as its own process by the Parquet codec benchmark:
 * `deno run --allow-all --v8-flags=--expose-gc bench/_parquet_memory.ts <parquet-wasm|hyparquet>
 * <rows> <rounds>`. It encodes and decodes a TSBS segment `rounds` times, then collects
 * garbage and prints one JSON line: RSS before, at the peak and after, the JS heap, and the
 * WebAssembly linear memory (which never shrinks).
 *
 * @module
 */
import { decodeSegment, encodeSegment } from "../plugins/storage_parquet/mod.ts";
import { hyparquetDecode, hyparquetEncode } from "./_hyparquet_codec.ts";
import { tsbsSegment } from "./_tsbs_segment.ts";

/** What the probe prints. */
export interface MemoryProbe {
  readonly lib: string;
  readonly rows: number;
  readonly rounds: number;
  /** RSS after generating the data, before any coding. */
  readonly rssBeforeBytes: number;
  /** Highest RSS seen after a round. */
  readonly rssPeakBytes: number;
  /** RSS after the last round, the data dropped and two GCs. */
  readonly rssAfterGcBytes: number;
  /** JS heap used after GC. */
  readonly heapUsedAfterGcBytes: number;
  /** parquet-wasm's linear memory (0 for hyparquet). */
  readonly wasmMemoryBytes: number;
}

async function probe(lib: string, rows: number, rounds: number): Promise<MemoryProbe> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  let seg: ReturnType<typeof tsbsSegment> | null = tsbsSegment(rows);
  gc();
  const rssBeforeBytes = Deno.memoryUsage().rss;
  let rssPeakBytes = rssBeforeBytes;
  for (let r = 0; r < rounds; r++) {
    if (lib === "parquet-wasm") {
      const bytes = await encodeSegment(seg.specs, seg.columns, rows);
      await decodeSegment(bytes, seg.specs);
    } else {
      const bytes = hyparquetEncode(seg.specs, seg.columns, rows);
      await hyparquetDecode(bytes, seg.specs);
    }
    rssPeakBytes = Math.max(rssPeakBytes, Deno.memoryUsage().rss);
  }
  seg = null;
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const m = Deno.memoryUsage();
  let wasmMemoryBytes = 0;
  if (lib === "parquet-wasm") {
    const pw = await import("parquet-wasm");
    wasmMemoryBytes = pw.wasmMemory().buffer.byteLength;
  }
  return {
    lib,
    rows,
    rounds,
    rssBeforeBytes,
    rssPeakBytes,
    rssAfterGcBytes: m.rss,
    heapUsedAfterGcBytes: m.heapUsed,
    wasmMemoryBytes,
  };
}

if (import.meta.main) {
  const [lib = "parquet-wasm", rows = "1000000", rounds = "20"] = Deno.args;
  console.log(JSON.stringify(await probe(lib, Number(rows), Number(rounds))));
}
