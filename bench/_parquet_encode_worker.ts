/**
 * A Worker that encodes segments with `encodeSegment`: it receives `{ specs, columns, rows }`
 * (structured-cloned) and answers `{ bytes, encodeMs }` with the bytes transferred. Used by the
 * Parquet codec benchmark and test to show that parquet-wasm loads and runs off the main thread.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { encodeSegment } from "../plugins/storage_parquet/mod.ts";
import type { TsbsSegment } from "./_tsbs_segment.ts";

self.onmessage = async (e: MessageEvent<TsbsSegment>) => {
  const t0 = performance.now();
  const bytes = await encodeSegment(e.data.specs, e.data.columns, e.data.rows);
  const encodeMs = performance.now() - t0;
  self.postMessage({ bytes, encodeMs }, [bytes.buffer as ArrayBuffer]);
};
