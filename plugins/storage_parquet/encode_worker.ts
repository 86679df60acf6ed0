/**
 * The checkpoint Worker: builds segments off the main thread, so inserts and queries go on while a
 * background checkpoint sorts and encodes (parquet-wasm is single-threaded and takes about a
 * microsecond per row). Receives `{ id, task }` (a {@link BuildTask}, structured-cloned) and
 * answers `{ id, built }` or `{ id, error }`, transferring the result's buffers.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { buildSegment, type BuildTask, unpackTask } from "./segment_build.ts";

self.onmessage = async (e: MessageEvent<{ id: number; task: BuildTask }>) => {
  const { id, task } = e.data;
  try {
    const built = await buildSegment(unpackTask(task));
    const transfer: ArrayBuffer[] = [built.bytes.buffer as ArrayBuffer];
    if (built.ts !== null) transfer.push(built.ts.buffer as ArrayBuffer);
    if (built.deletes !== null) transfer.push(built.deletes.buffer as ArrayBuffer);
    if (built.order !== null) transfer.push(built.order.buffer as ArrayBuffer);
    self.postMessage({ id, built }, [...new Set(transfer)]);
  } catch (err) {
    self.postMessage({
      id,
      error: { message: (err as Error).message, code: (err as { code?: string }).code },
    });
  }
};
