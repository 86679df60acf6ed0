/**
 * A statement's result read batch by batch instead of all at once (`Session.stream`): the columns
 * are known up front, rows come as column batches of at most `batchRowsMax` rows, and the command
 * tag is known at the end. Memory stays bounded by a batch or a few, not by the result size.
 *
 * @module
 */
import { DbError, toDbError } from "../errors.ts";
import type { Batch } from "../types/batch.ts";
import { columnFromValues, takeColumn, type Value, valueAt } from "../types/column.ts";
import type { Durability, QueryResult, ResultColumn } from "./result.ts";

/** How a stream reads its rows and ends (implemented by the database; engine-internal). */
export interface StreamSource {
  /** The next batch, or `null` after the last one. */
  pull(): Promise<Batch | null>;
  /**
   * Releases the snapshot, the transaction and the executor: `done` after the last batch,
   * `closed` when the consumer stopped early, or the error that ended the stream. Resolves with
   * the durability reached when the statement's transaction committed writes.
   */
  finish(outcome: "done" | "closed" | DbError): Promise<Durability | null>;
}

/** Where a stream is: rows may follow (`open`), or it ended. */
export type QueryStreamState = "open" | "done" | "closed" | "failed";

/**
 * The result of one statement, read batch by batch. Iterate it (`for await`) or call
 * {@link QueryStream.next} for one batch at a time: a consumer that stops early may pull more
 * batches later (the snapshot and position are kept) or {@link QueryStream.close} it, which
 * releases the snapshot and memory; breaking out of a `for await` loop closes it too. The
 * statement timeout and the `AbortSignal` still apply while it is open (57014), also while
 * nobody pulls: the stream then ends itself and the next pull reports the error.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * import { batchRows } from "./query_stream.ts";
 * const db = await Database.open({ memory: true });
 * const s = db.session();
 * const stream = await s.stream("SELECT x FROM generate_series(1, 5000) AS g(x)");
 * console.assert(stream.columns[0]!.name === "x");
 * const first = await stream.next(); // one batch: at most batchRowsMax (2048) rows
 * console.assert(!first.done && batchRows(first.value)[0]![0] === 1);
 * let rows = first.done ? 0 : first.value.length;
 * for await (const batch of stream) rows += batch.length;
 * console.assert(rows === 5000 && stream.command === "SELECT 5000");
 * await s.close();
 * await db.close();
 * ```
 */
export class QueryStream implements AsyncIterableIterator<Batch> {
  /** The result columns: name and type. */
  readonly columns: readonly ResultColumn[];
  readonly #source: StreamSource;
  readonly #tag: (rows: number) => string;
  readonly #fixedRowCount: number | null;
  #state: QueryStreamState = "open";
  #rows = 0;
  #error: DbError | null = null;
  #durability: Durability | null = null;
  /** The rest of a batch that `next(maxRows)` did not return yet, from `#leftoverAt`. */
  #leftover: Batch | null = null;
  #leftoverAt = 0;
  /** Calls run one after the other (a pull, then a close that arrived meanwhile). */
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * A stream over `source`. `tag` makes the command tag from the rows read (`SELECT n`);
   * `rowCount`, when given, is the statement's fixed count (rows an INSERT affected).
   */
  constructor(
    columns: readonly ResultColumn[],
    source: StreamSource,
    options: { tag: (rows: number) => string; rowCount?: number },
  ) {
    this.columns = columns;
    this.#source = source;
    this.#tag = options.tag;
    this.#fixedRowCount = options.rowCount ?? null;
  }

  /**
   * A stream over a result already computed (statements that write or change the schema),
   * in batches of at most `batchRows` rows.
   */
  static fromResult(result: QueryResult, batchRows: number): QueryStream {
    let at = 0;
    const source: StreamSource = {
      pull() {
        if (at >= result.rows.length) return Promise.resolve(null);
        const rows = result.rows.slice(at, at + batchRows);
        at += rows.length;
        return Promise.resolve({
          columns: result.columns.map((c, i) =>
            columnFromValues(c.type, rows.map((r) => r[i] ?? null))
          ),
          length: rows.length,
        });
      },
      finish: () => Promise.resolve(result.durability ?? null),
    };
    const command = result.command;
    return new QueryStream(result.columns, source, {
      tag: () => command,
      rowCount: result.rowCount,
    });
  }

  /** `open` while rows may follow; `done` after the last batch; `closed`; `failed`. */
  get state(): QueryStreamState {
    return this.#state;
  }

  /** The command tag (`SELECT 3`, `INSERT 0 2`) once the last batch was read, else `null`. */
  get command(): string | null {
    return this.#state === "done" ? this.#tag(this.#rows) : null;
  }

  /** Rows read so far (a streamed query), or the rows the statement affected (a write). */
  get rowCount(): number {
    return this.#fixedRowCount ?? this.#rows;
  }

  /** How the statement's writes were made durable, once it is done (see `QueryResult`). */
  get durability(): Durability | null {
    return this.#durability;
  }

  /** The error that ended the stream, if one did. */
  get error(): DbError | null {
    return this.#error;
  }

  /**
   * The next batch; `done` after the last one. With `maxRows`, at most that many rows: the rest
   * of the batch is kept for the next call (PostgreSQL's Execute with a row limit). Rejects with
   * the error that ended the stream.
   */
  next(maxRows?: number): Promise<IteratorResult<Batch, undefined>> {
    return this.#serial(async () => {
      if (this.#state === "failed") throw this.#error!;
      if (this.#state !== "open") return { done: true, value: undefined };
      let batch = this.#leftover;
      this.#leftover = null;
      if (batch === null) {
        try {
          batch = await this.#source.pull();
        } catch (e) {
          await this.#end(toDbError(e));
          throw this.#error!;
        }
        if (batch === null) {
          await this.#end("done");
          if (this.#error !== null) throw this.#error;
          return { done: true, value: undefined };
        }
        this.#leftoverAt = 0;
      }
      const from = this.#leftoverAt;
      const left = batch.length - from;
      const n = maxRows === undefined || maxRows <= 0 ? left : Math.min(maxRows, left);
      let out = batch;
      if (from > 0 || n < batch.length) {
        const idx = new Uint32Array(n);
        for (let i = 0; i < n; i++) idx[i] = from + i;
        out = { columns: batch.columns.map((c) => takeColumn(c, idx)), length: n };
      }
      if (from + n < batch.length) {
        this.#leftover = batch;
        this.#leftoverAt = from + n;
      }
      this.#rows += n;
      return { done: false, value: out };
    });
  }

  /** Closes the stream (what `break` in a `for await` loop calls). */
  async return(): Promise<IteratorResult<Batch, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  /**
   * Stops reading: releases the snapshot, the transaction and the memory the statement holds.
   * Rows not read are not computed. Idempotent; a no-op after the end.
   */
  close(): Promise<void> {
    return this.#serial(() => this.#state === "open" ? this.#end("closed") : Promise.resolve());
  }

  /**
   * Ends the stream with `error` (a cancellation, a timeout noticed while nobody pulls, a client
   * that went away): like an error of the statement, it rolls back the statement's own
   * transaction or fails the open block, and the next pull rejects with it.
   */
  abort(error: DbError): Promise<void> {
    return this.#serial(() => this.#state === "open" ? this.#end(error) : Promise.resolve());
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Batch> {
    return this;
  }

  async #end(outcome: "done" | "closed" | DbError): Promise<void> {
    this.#state = outcome === "done" ? "done" : outcome === "closed" ? "closed" : "failed";
    this.#leftover = null;
    if (outcome instanceof DbError) this.#error = outcome;
    try {
      this.#durability = await this.#source.finish(outcome);
    } catch (e) {
      // a commit that failed at the end fails the statement
      this.#state = "failed";
      this.#error ??= toDbError(e);
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => {});
    return p;
  }
}

/**
 * The rows of a batch as arrays of JS values (see `valueAt`).
 *
 * @example
 * ```ts
 * import { batchRows } from "./query_stream.ts";
 * import { columnFromValues } from "../types/column.ts";
 * import { Types } from "../types/data_type.ts";
 * const b = { columns: [columnFromValues(Types.int4, [1, null])], length: 2 };
 * console.assert(JSON.stringify(batchRows(b)) === "[[1],[null]]");
 * ```
 */
export function batchRows(batch: Batch): Value[][] {
  const width = batch.columns.length;
  const rows: Value[][] = new Array(batch.length);
  for (let i = 0; i < batch.length; i++) {
    const row = new Array<Value>(width);
    for (let c = 0; c < width; c++) row[c] = valueAt(batch.columns[c]!, i);
    rows[i] = row;
  }
  return rows;
}
