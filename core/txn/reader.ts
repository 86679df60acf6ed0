/**
 * What a statement of a transaction reads: the stored rows of its snapshot, without the rows it
 * deleted (its marks), followed by the rows it inserted and has not deleted again.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import type { ScanRequest, StorageEngine, TableReader } from "../plugin/storage.ts";
import type { Transaction } from "./transaction.ts";

/** The snapshot and own marks a statement reads with. */
export interface StatementView {
  /** `undefined` = the latest committed state (cheaper: engines use their fast paths). */
  readonly snapshotLsn: bigint | undefined;
  readonly txn: Transaction;
}

/** The storage request fields of a view. */
export function viewFields(view: StatementView): Pick<ScanRequest, "snapshotLsn" | "ownMarks"> {
  return {
    ...(view.snapshotLsn !== undefined ? { snapshotLsn: view.snapshotLsn } : {}),
    ...(view.txn.marks.size > 0 ? { ownMarks: view.txn.marks } : {}),
  };
}

/**
 * A reader over `storage` as a statement of `view.txn` sees it.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * import { realEnv } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { columnFromValues } from "../types/column.ts";
 * import { Types } from "../types/data_type.ts";
 * import { Transaction } from "./transaction.ts";
 * import { transactionReader } from "./reader.ts";
 * const db = await Database.open({ memory: true });
 * const s = await db.registry.storage()!.open({ env: realEnv(), dir: null, limits: defaultLimits });
 * const a = { id: 1, name: "a", type: Types.int4, notNull: false, default: null };
 * await s.createTable({ id: 1, schema: "public", name: "t", columns: [a], nextColumnId: 2 });
 * await s.append(1, { columns: [columnFromValues(Types.int4, [1])], length: 1 }, 1n);
 * const txn = new Transaction(1, "read committed", false, true, 0);
 * txn.addRows(1, { columns: [columnFromValues(Types.int4, [2])], length: 1 }, 1);
 * let n = 0;
 * const r = transactionReader(s, { snapshotLsn: undefined, txn });
 * for await (const b of r.scan(1, { projection: [0], filters: [], limit: null, signal: null })) n += b.length;
 * console.assert(n === 2);
 * await db.close();
 * ```
 */
export function transactionReader(storage: StorageEngine, view: StatementView): TableReader {
  const reader: TableReader = {
    scan(tableId: number, request: ScanRequest): AsyncIterable<Batch> {
      const { req, own } = viewRequest(view, tableId, request);
      // without own rows the stored rows are the answer: no generator layer in between
      if (own.length === 0) return storage.scan(tableId, req);
      return withOwnRows(storage.scan(tableId, req), own, request);
    },
  };
  const scanSync = storage.scanSync?.bind(storage);
  if (scanSync === undefined) return reader;
  return {
    ...reader,
    scanSync(tableId: number, request: ScanRequest): Iterable<Batch> {
      const { req, own } = viewRequest(view, tableId, request);
      if (own.length === 0) return scanSync(tableId, req);
      return withOwnRowsSync(scanSync(tableId, req), own, request);
    },
  };
}

/** The storage request of a statement's scan in `view`, and the transaction's own rows. */
function viewRequest(
  view: StatementView,
  tableId: number,
  request: ScanRequest,
): { req: ScanRequest; own: readonly Batch[] } {
  const txn = view.txn;
  if (txn.isolation === "serializable") txn.readTables.add(tableId);
  const own = txn.visibleRows(tableId);
  const req: { -readonly [K in keyof ScanRequest]: ScanRequest[K] } = {
    ...request,
    ...viewFields(view),
  };
  // a latest-row answer does not know the transaction's own rows: read every row then
  if (own.length > 0) delete req.latestBy;
  return { req, own };
}

/** The projected columns of the transaction's own rows. */
function* ownBatches(own: readonly Batch[], request: ScanRequest): Generator<Batch> {
  for (const b of own) {
    request.signal?.throwIfAborted();
    yield { columns: request.projection.map((i) => b.columns[i]!), length: b.length };
  }
}

async function* withOwnRows(
  stored: AsyncIterable<Batch>,
  own: readonly Batch[],
  request: ScanRequest,
): AsyncGenerator<Batch> {
  yield* stored;
  yield* ownBatches(own, request);
}

function* withOwnRowsSync(
  stored: Iterable<Batch>,
  own: readonly Batch[],
  request: ScanRequest,
): Generator<Batch> {
  yield* stored;
  yield* ownBatches(own, request);
}

/** Rows of `tableId` visible in the view's stored part (without the transaction's own rows). */
export async function storedRowCount(
  storage: StorageEngine,
  view: StatementView,
  tableId: number,
): Promise<number> {
  let n = 0;
  const req = { projection: [], filters: [], limit: null, signal: null, ...viewFields(view) };
  for await (const b of storage.scan(tableId, req)) n += b.length;
  return n;
}
