/**
 * Parses line-protocol bodies on Worker threads, so a server's main thread appends one body's
 * rows (WAL, memtable) while another body is parsed: ingest uses two cores. Bodies below
 * {@link parseInWorkerBytesMin} and pools of 0 workers parse on the calling thread.
 *
 * A Worker parses without the target tables' column types (it cannot see the catalog); the
 * caller passes them as usual and the pool checks the result against them: when a value does
 * not fit an existing column, the body is parsed again here with them, so field type conflicts
 * reject exactly the lines they would have.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import { fitsTableColumns, parseLineProtocol } from "./parser.ts";
import type { ParseRequest } from "./parse_worker.ts";
import { type PackedParseResult, unpackParseResult } from "./transfer.ts";
import type { ParseLineProtocolOptions, ParseResult } from "./types.ts";

/** Bodies smaller than this (bytes) parse on the calling thread: posting costs more. */
export const parseInWorkerBytesMin = 64 * 1024;

/** Most parse Workers a pool starts. */
export const parseWorkersMax = 64;

/** Parses line-protocol bodies (see the module doc). */
export interface LineProtocolParser {
  /** The parse of `body`, as {@link parseLineProtocol} returns it. */
  parse(body: Uint8Array, options: ParseLineProtocolOptions): Promise<ParseResult>;
  /** Stops the Workers; later calls parse on the calling thread. */
  close(): void;
}

/** A Worker's answer: the parse (or its error) and the body, handed back. */
interface Answer {
  readonly packed?: PackedParseResult;
  readonly error?: { readonly message: string; readonly code?: string };
  readonly body: Uint8Array;
}

interface WorkerSlot {
  worker: Worker | null;
  readonly waiting: Map<number, PromiseWithResolvers<Answer>>;
}

/**
 * A pool of `workers` parse Workers (0: every body parses on the calling thread).
 *
 * @example
 * ```ts
 * import { createParsePool } from "./parse_pool.ts";
 * const pool = createParsePool(1);
 * const body = new TextEncoder().encode("cpu,host=a usage=0.5 1\n".repeat(5000));
 * const r = await pool.parse(body, { defaultTimeMicros: 0 });
 * console.assert(r.measurements.get("cpu")!.rows === 5000);
 * pool.close();
 * ```
 */
export function createParsePool(workers: number): LineProtocolParser {
  if (!Number.isSafeInteger(workers) || workers < 0 || workers > parseWorkersMax) {
    throw new DbError(
      SqlState.invalidParameterValue,
      `parse workers must be an integer from 0 to ${parseWorkersMax}, got ${workers}`,
    );
  }
  const slots: WorkerSlot[] = Array.from({ length: workers }, () => ({
    worker: null,
    waiting: new Map(),
  }));
  let nextId = 1;
  let closed = false;

  const start = (slot: WorkerSlot): Worker => {
    const w = new Worker(new URL("./parse_worker.ts", import.meta.url), { type: "module" });
    w.onmessage = (e: MessageEvent) => {
      const answer = e.data as Answer & { id: number };
      const waiter = slot.waiting.get(answer.id);
      slot.waiting.delete(answer.id);
      waiter?.resolve(answer);
    };
    w.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      // the Worker is gone: its bodies (and later ones) parse on the calling thread
      slot.worker = null;
      w.terminate();
      for (const waiter of slot.waiting.values()) waiter.reject(new WorkerLost(e.message));
      slot.waiting.clear();
    };
    return w;
  };

  const inWorker = (slot: WorkerSlot, body: Uint8Array, options: ParseLineProtocolOptions) => {
    const worker = slot.worker ??= start(slot);
    const id = nextId++;
    const waiter = Promise.withResolvers<Answer>();
    slot.waiting.set(id, waiter);
    const { tableColumns: _, ...plain } = options;
    // the body is transferred there and back (copied first only when it is a view on part of a
    // buffer)
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength &&
        body.buffer instanceof ArrayBuffer
      ? body
      : body.slice();
    const request: ParseRequest = { id, body: own, options: plain };
    worker.postMessage(request, [own.buffer as ArrayBuffer]);
    return waiter.promise;
  };

  return {
    async parse(body, options) {
      if (closed || slots.length === 0 || body.length < parseInWorkerBytesMin) {
        return parseLineProtocol(body, options);
      }
      // the least busy Worker
      let slot = slots[0]!;
      for (const s of slots) if (s.waiting.size < slot.waiting.size) slot = s;
      let answer: Answer;
      try {
        answer = await inWorker(slot, body, options);
      } catch (e) {
        if (!(e instanceof WorkerLost)) throw e;
        // the body went with the Worker: nothing was stored, so the client may send it again
        throw new DbError(
          SqlState.internalError,
          `the line-protocol parse worker stopped (${e.message}); nothing was written, retry`,
        );
      }
      if (answer.error !== undefined) {
        throw new DbError(answer.error.code ?? SqlState.internalError, answer.error.message);
      }
      const result = unpackParseResult(answer.packed!);
      const tables = options.tableColumns;
      if (tables !== undefined) {
        for (const m of result.measurements.values()) {
          const columns = tables(m.name);
          // a value that does not fit its column: parse here, where conflicts reject lines
          if (columns !== undefined && !fitsTableColumns(m, columns)) {
            return parseLineProtocol(answer.body, options);
          }
        }
      }
      return result;
    },
    close() {
      closed = true;
      for (const slot of slots) {
        slot.worker?.terminate();
        slot.worker = null;
        for (const waiter of slot.waiting.values()) waiter.reject(new WorkerLost("pool closed"));
        slot.waiting.clear();
      }
    },
  };
}

/** A Worker ended before answering (internal: the body is parsed again on the caller). */
class WorkerLost extends Error {}
