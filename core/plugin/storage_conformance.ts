/**
 * The conformance suite of the storage interface's MVCC part: every storage engine runs it
 * (the built-in ones from their `_test.ts` files). It registers `Deno.test` cases that check
 * snapshots, pending-delete marks, row positions per view, the horizon and ALTER over deleted
 * and marked rows, asserting exact row values.
 *
 * Positions are found by scanning (the suite never assumes that an engine keeps rows in append
 * order), so an engine that sorts rows at a checkpoint passes as long as positions follow its
 * scan order.
 *
 * Call it at the top level of a test file (it registers tests, so it cannot run inside one:
 * this example is not run; `plugins/storage_memory/memory_storage_test.ts` is the same).
 *
 * @example
 * ```ts ignore
 * // my_storage_test.ts, beside an engine of one's own
 * import { storageConformance } from "omendb/core/plugin/storage_conformance.ts";
 * import { MyStorage } from "./my_storage.ts";
 * storageConformance("mine", () => {
 *   const engine = new MyStorage();
 *   return Promise.resolve({ engine, close: () => engine.close() });
 * });
 * ```
 *
 * @module
 */
import assert from "node:assert/strict";
import { DbError, SqlState } from "../errors.ts";
import type { ColumnSchema, TableOptions } from "../catalog/table.ts";
import { type Column, columnFromValues, type Value, valueAt } from "../types/column.ts";
import type { DataType } from "../types/data_type.ts";
import { Types } from "../types/mod.ts";
import { type RowView, ScanWouldWait, type StorageEngine } from "./storage.ts";

/** An engine under test, fresh for each case. */
export interface ConformanceSubject {
  readonly engine: StorageEngine;
  close(): Promise<void>;
  /**
   * Called between steps: may change how the engine holds its rows (a checkpoint, compaction),
   * never what a view sees. Absent: nothing to do.
   */
  settle?(): Promise<void>;
}

/** A column schema. */
function column(id: number, name: string, type: DataType): ColumnSchema {
  return { id, name, type, notNull: false, default: null };
}

/** Creates table `id` with an int4 column `x` (and `more` after it). */
async function createTable(
  engine: StorageEngine,
  id: number,
  more: readonly ColumnSchema[] = [],
  options?: TableOptions,
): Promise<void> {
  const columns = [column(1, "x", Types.int4), ...more];
  const nextColumnId = Math.max(...columns.map((c) => c.id)) + 1;
  await engine.createTable({
    id,
    schema: "public",
    name: `t${id}`,
    columns,
    nextColumnId,
    ...(options === undefined ? {} : { options }),
  });
}

/** Appends rows with `x` = `xs` (and the `more` columns) committed at `lsn`. */
async function put(
  engine: StorageEngine,
  tableId: number,
  xs: readonly number[],
  lsn: bigint,
  more: readonly Column[] = [],
): Promise<void> {
  await engine.append(
    tableId,
    { columns: [columnFromValues(Types.int4, xs), ...more], length: xs.length },
    lsn,
  );
}

/** The rows a view of the table sees, in scan order, projected. */
async function rows(
  engine: StorageEngine,
  tableId: number,
  view: RowView = {},
  projection: readonly number[] = [0],
): Promise<Value[][]> {
  const out: Value[][] = [];
  const req = { projection, filters: [], limit: null, signal: null, ...view };
  for await (const b of engine.scan(tableId, req)) {
    for (let i = 0; i < b.length; i++) out.push(b.columns.map((c) => valueAt(c, i)));
  }
  // an engine's synchronous scan gives the same rows, unless it would wait for I/O
  if (engine.scanSync !== undefined) {
    const again: Value[][] = [];
    try {
      for (const b of engine.scanSync(tableId, req)) {
        for (let i = 0; i < b.length; i++) again.push(b.columns.map((c) => valueAt(c, i)));
      }
      assert.deepEqual(again, out, "scanSync and scan differ");
    } catch (e) {
      if (!(e instanceof ScanWouldWait)) throw e;
    }
  }
  return out;
}

/** The `x` values a view sees, in scan order. */
async function xs(engine: StorageEngine, tableId: number, view: RowView = {}): Promise<Value[]> {
  return (await rows(engine, tableId, view)).map((r) => r[0]!);
}

/** The `x` values a view sees, ascending (for engines that reorder rows). */
async function sortedXs(
  engine: StorageEngine,
  tableId: number,
  view: RowView = {},
): Promise<Value[]> {
  return (await xs(engine, tableId, view)).sort((a, b) => (a as number) - (b as number));
}

/** Positions (ascending) in a view of the rows whose `x` is one of `values`; each must be seen. */
async function positionsOf(
  engine: StorageEngine,
  tableId: number,
  view: RowView,
  values: readonly number[],
): Promise<number[]> {
  const seen = await xs(engine, tableId, view);
  const out: number[] = [];
  seen.forEach((v, i) => {
    if (values.includes(v as number)) out.push(i);
  });
  assert.equal(out.length, values.length, `rows ${values} not all in the view`);
  return out;
}

/** markedPositions as plain entries, by table id. */
async function marked(engine: StorageEngine, marks: readonly number[]) {
  return [...(await engine.markedPositions(new Set(marks)))].sort((a, b) => a[0] - b[0]);
}

const isInternalError = (e: unknown) => e instanceof DbError && e.code === SqlState.internalError;

/**
 * Registers the conformance cases for a storage engine: `open` gives a fresh engine (with no
 * tables) for each case.
 */
export function storageConformance(
  name: string,
  open: () => Promise<ConformanceSubject>,
): void {
  const test = (what: string, body: (s: ConformanceSubject) => Promise<void>) =>
    Deno.test(`${name}: ${what}`, async () => {
      const s = await open();
      try {
        await body(s);
      } finally {
        await s.close();
      }
    });
  const settle = (s: ConformanceSubject) => s.settle?.() ?? Promise.resolve();

  test("a snapshot sees the appends and deletes committed at or below it", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2], 5n);
    await put(e, 1, [3], 9n);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [1]), 7n);
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 4n }), []);
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 5n }), [1, 2]);
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 6n }), [1, 2]);
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 7n }), [2]);
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 9n }), [2, 3]);
      assert.deepEqual(await sortedXs(e, 1), [2, 3]);
      await settle(s);
    }
    // a row appended again after its delete: each snapshot sees its own copy
    await e.deleteRows(1, await positionsOf(e, 1, {}, [3]), 11n);
    assert.deepEqual(await sortedXs(e, 1), [2]);
    await put(e, 1, [3], 12n);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 10n }), [2, 3]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 11n }), [2]);
    assert.deepEqual(await sortedXs(e, 1), [2, 3]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 5n }), [1, 2]);
  });

  test("own marks hide rows from their owner only; others still see and count them", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2, 3], 1n);
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, {}, [2]), {}, 7), {
      kind: "marked",
    });
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7]) }), [1, 3]);
      assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7, 9]) }), [1, 3]);
      assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([8]) }), [1, 2, 3]);
      assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set() }), [1, 2, 3]);
      assert.deepEqual(await sortedXs(e, 1), [1, 2, 3]);
      assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 1n, ownMarks: new Set([7]) }), [1, 3]);
      assert.deepEqual(await marked(e, [7]), [[1, await positionsOf(e, 1, {}, [2])]]);
      assert.deepEqual(await marked(e, [8]), []);
      // the marked row keeps its latest-view position: the row after it is still found there
      const p3 = await positionsOf(e, 1, {}, [3]);
      assert.deepEqual(await e.markRows(1, p3, {}, 8), { kind: "marked" });
      assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([8]) }), [1, 2]);
      await e.unmarkRows(new Set([8]));
      await settle(s);
    }
  });

  test("markRows conflicts (another mark, a delete after the snapshot) mark nothing", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2, 3, 4], 1n);
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, {}, [3]), {}, 5), {
      kind: "marked",
    });
    await settle(s);
    // rows 1 and 4 are free, 3 carries mark 5: nothing is marked
    assert.deepEqual(
      await e.markRows(1, await positionsOf(e, 1, {}, [1, 3, 4]), {}, 6),
      { kind: "marked_by_other", mark: 5 },
    );
    assert.deepEqual(await marked(e, [6]), []);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([6]) }), [1, 2, 3, 4]);
    // the same mark again is no conflict
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, {}, [3]), {}, 5), {
      kind: "marked",
    });
    // row 2 deleted at 3: a transaction at snapshot 2 still sees it and cannot mark it
    await e.deleteRows(1, await positionsOf(e, 1, {}, [2]), 3n);
    await settle(s);
    const old = { snapshotLsn: 2n, ownMarks: new Set([6]) };
    assert.deepEqual(await sortedXs(e, 1, old), [1, 2, 3, 4]);
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [1, 2]), old, 6), {
      kind: "deleted_after_snapshot",
    });
    assert.deepEqual(await marked(e, [6]), []);
    assert.deepEqual(await sortedXs(e, 1, old), [1, 2, 3, 4]);
    // the delete is checked before another mark on a later row
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [2, 3]), old, 6), {
      kind: "deleted_after_snapshot",
    });
    // a row marked by the other one and free rows: the mark is named
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [3, 4]), old, 6), {
      kind: "marked_by_other",
      mark: 5,
    });
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [1, 4]), old, 6), {
      kind: "marked",
    });
    assert.deepEqual(await sortedXs(e, 1, old), [2, 3]);
    assert.deepEqual(await marked(e, [6]), [[1, await positionsOf(e, 1, {}, [1, 4])]]);
    assert.deepEqual(await marked(e, [5, 6]), [[1, await positionsOf(e, 1, {}, [1, 3, 4])]]);
  });

  test("unmarkRows ends marks in every table and only the marks named", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await createTable(e, 2);
    await put(e, 1, [1, 2, 3], 1n);
    await put(e, 2, [10, 20, 30], 2n);
    await e.markRows(1, await positionsOf(e, 1, {}, [1, 3]), {}, 7);
    await e.markRows(2, await positionsOf(e, 2, {}, [20]), {}, 7);
    await e.markRows(2, await positionsOf(e, 2, {}, [30]), {}, 8);
    await settle(s);
    assert.deepEqual(await marked(e, [7, 8]), [
      [1, await positionsOf(e, 1, {}, [1, 3])],
      [2, await positionsOf(e, 2, {}, [20, 30])],
    ]);
    await e.unmarkRows(new Set([7]));
    assert.deepEqual(await marked(e, [7]), []);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7, 8]) }), [1, 2, 3]);
    assert.deepEqual(await sortedXs(e, 2, { ownMarks: new Set([7, 8]) }), [10, 20]);
    // an unmarked row can be marked again, by anyone
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, {}, [1]), {}, 9), {
      kind: "marked",
    });
    await settle(s);
    await e.unmarkRows(new Set([8, 9]));
    await settle(s);
    assert.deepEqual(await marked(e, [7, 8, 9]), []);
    assert.deepEqual(await sortedXs(e, 2, { ownMarks: new Set([7, 8, 9]) }), [10, 20, 30]);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7, 8, 9]) }), [1, 2, 3]);
    await e.unmarkRows(new Set()); // nothing to do
  });

  test("markedPositions counts the latest view while other rows are deleted or marked", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [10, 11, 12, 13, 14], 1n);
    await put(e, 1, [15, 16, 17, 18, 19], 2n);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [10, 13]), 3n);
    await e.markRows(1, await positionsOf(e, 1, {}, [11]), {}, 5);
    await e.markRows(1, await positionsOf(e, 1, {}, [14, 17]), {}, 6);
    for (let round = 0; round < 2; round++) {
      const latest = await xs(e, 1);
      assert.deepEqual(await sortedXs(e, 1), [11, 12, 14, 15, 16, 17, 18, 19]);
      const want = [14, 17].map((v) => latest.indexOf(v));
      assert.deepEqual(await marked(e, [6]), [[1, want]]);
      assert.deepEqual(await marked(e, [5, 6]), [[1, await positionsOf(e, 1, {}, [11, 14, 17])]]);
      // a transaction's own view counts without its marked rows
      const own = { ownMarks: new Set([6]) };
      assert.deepEqual(await sortedXs(e, 1, own), [11, 12, 15, 16, 18, 19]);
      await settle(s);
    }
  });

  test("deleteRows over a marked row commits it: the mark is replaced", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2, 3], 1n);
    await e.markRows(1, await positionsOf(e, 1, {}, [2, 3]), {}, 7);
    await settle(s);
    // a commit: the marked rows' latest positions become deletes at the commit LSN
    const at = (await e.markedPositions(new Set([7]))).get(1)!;
    assert.deepEqual(at, await positionsOf(e, 1, {}, [2, 3]));
    await e.deleteRows(1, at, 5n);
    assert.deepEqual(await marked(e, [7]), []);
    assert.deepEqual(await sortedXs(e, 1), [1]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 4n }), [1, 2, 3]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 5n }), [1]);
    await e.unmarkRows(new Set([7])); // too late: nothing comes back
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1), [1]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 4n, ownMarks: new Set([7]) }), [1, 2, 3]);
    // a transaction at snapshot 4 that tries to delete row 2 now conflicts
    const old = { snapshotLsn: 4n };
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [2]), old, 8), {
      kind: "deleted_after_snapshot",
    });
    // deleting a row marked by another transaction replaces that mark too
    await e.markRows(1, await positionsOf(e, 1, {}, [1]), {}, 9);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [1]), 6n);
    assert.deepEqual(await marked(e, [9]), []);
    assert.deepEqual(await sortedXs(e, 1), []);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 5n }), [1]);
  });

  test("positions in a snapshot view differ from the latest view's", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2], 1n);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [1]), 3n);
    await put(e, 1, [3], 4n);
    await settle(s);
    const old = { snapshotLsn: 2n };
    assert.deepEqual(await sortedXs(e, 1, old), [1, 2]);
    assert.deepEqual(await sortedXs(e, 1), [2, 3]);
    const p2old = await positionsOf(e, 1, old, [2]);
    const p2latest = await positionsOf(e, 1, {}, [2]);
    assert.deepEqual(await e.markRows(1, p2old, old, 9), { kind: "marked" });
    assert.deepEqual(await marked(e, [9]), [[1, p2latest]]);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([9]) }), [3]);
    assert.deepEqual(await sortedXs(e, 1, { ...old, ownMarks: new Set([9]) }), [1]);
    // a position past the end of the view is an internal error, and marks nothing
    const past = (await xs(e, 1, old)).length;
    await assert.rejects(e.markRows(1, [past], old, 10), isInternalError);
    await assert.rejects(e.markRows(1, [0, past + 3], {}, 10), isInternalError);
    await assert.rejects(e.deleteRows(1, [5], 6n), isInternalError);
    assert.deepEqual(await marked(e, [10]), []);
    assert.deepEqual(await sortedXs(e, 1), [2, 3]);
  });

  test("positions are right across batch boundaries and many small appends", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    const big = Array.from({ length: 5000 }, (_, i) => i);
    await put(e, 1, big, 1n);
    for (let i = 0; i < 40; i++) await put(e, 1, [5000 + i], BigInt(2 + i));
    const all = Array.from({ length: 5040 }, (_, i) => i);
    const del = all.filter((v) => v % 7 === 3);
    await e.deleteRows(1, await positionsOf(e, 1, {}, del), 50n);
    await settle(s);
    const mk = all.filter((v) => v % 11 === 5 && v % 7 !== 3);
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, {}, mk), {}, 3), {
      kind: "marked",
    });
    const live = all.filter((v) => v % 7 !== 3);
    assert.deepEqual(await sortedXs(e, 1), live);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 49n }), all);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 10n }), all.slice(0, 5009));
    assert.deepEqual(
      await sortedXs(e, 1, { ownMarks: new Set([3]) }),
      live.filter((v) => !mk.includes(v)),
    );
    await settle(s);
    assert.deepEqual(await marked(e, [3]), [[1, await positionsOf(e, 1, {}, mk)]]);
    const at = (await e.markedPositions(new Set([3]))).get(1)!;
    await e.deleteRows(1, at, 51n);
    assert.deepEqual(await sortedXs(e, 1), live.filter((v) => !mk.includes(v)));
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 50n }), live);
    assert.ok(e.estimateRows(1) > 0);
  });

  test("setHorizon keeps the rows that snapshots at or above it and marks need", async (s) => {
    const e = s.engine;
    await createTable(e, 1);
    await put(e, 1, [1, 2, 3, 4, 5, 6], 1n);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [1]), 2n);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [2]), 5n);
    await e.markRows(1, await positionsOf(e, 1, {}, [3]), {}, 7);
    e.setHorizon(3n);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 3n }), [2, 3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 4n }), [2, 3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1), [3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7]) }), [4, 5, 6]);
    assert.deepEqual(await marked(e, [7]), [[1, await positionsOf(e, 1, {}, [3])]]);
    // positions in a view at the horizon still name the right rows
    const h = { snapshotLsn: 3n };
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, h, [2]), h, 8), {
      kind: "deleted_after_snapshot",
    });
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, h, [4, 6]), h, 8), {
      kind: "marked",
    });
    e.setHorizon(6n);
    e.setHorizon(1n); // lower: ignored
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 6n }), [3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7, 8]) }), [5]);
    assert.deepEqual(await marked(e, [8]), [[1, await positionsOf(e, 1, {}, [4, 6])]]);
    await e.unmarkRows(new Set([7, 8]));
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([7, 8]) }), [3, 4, 5, 6]);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [4]), 8n);
    e.setHorizon(7n);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 7n }), [3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1), [3, 5, 6]);
    e.setHorizon(8n);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1), [3, 5, 6]);
    await put(e, 1, [7], 9n);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 8n }), [3, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1), [3, 5, 6, 7]);
  });

  test("ADD COLUMN and DROP COLUMN keep deleted and marked rows in step", async (s) => {
    const e = s.engine;
    await createTable(e, 1, [column(2, "y", Types.text)]);
    await put(e, 1, [1, 2, 3, 4], 1n, [columnFromValues(Types.text, ["a", "b", "c", "d"])]);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [2]), 2n);
    await e.markRows(1, await positionsOf(e, 1, {}, [3]), {}, 5);
    await settle(s);
    const z = column(3, "z", Types.int4);
    await e.addColumn(1, z, { kind: "constant", value: columnFromValues(Types.int4, [42]) });
    const byX = (r: Value[][]) => r.sort((a, b) => (a[0] as number) - (b[0] as number));
    assert.deepEqual(byX(await rows(e, 1, {}, [0, 1, 2])), [
      [1, "a", 42],
      [3, "c", 42],
      [4, "d", 42],
    ]);
    assert.deepEqual(byX(await rows(e, 1, { snapshotLsn: 1n }, [0, 2])), [
      [1, 42],
      [2, 42],
      [3, 42],
      [4, 42],
    ]);
    // a volatile default: one value per row of the latest view, in scan order
    const latest = await xs(e, 1);
    const w = column(4, "w", Types.int4);
    await e.addColumn(1, w, {
      kind: "rows",
      values: columnFromValues(Types.int4, latest.map((x) => (x as number) * 100)),
    });
    await settle(s);
    assert.deepEqual(byX(await rows(e, 1, {}, [0, 3])), [[1, 100], [3, 300], [4, 400]]);
    // the deleted row, still seen by the old snapshot, reads NULL
    assert.deepEqual(byX(await rows(e, 1, { snapshotLsn: 1n }, [0, 3])), [
      [1, 100],
      [2, null],
      [3, 300],
      [4, 400],
    ]);
    await e.dropColumn(1, 2);
    await settle(s);
    assert.deepEqual(byX(await rows(e, 1, { ownMarks: new Set([5]) }, [0, 1, 2])), [
      [1, 42, 100],
      [4, 42, 400],
    ]);
    assert.deepEqual(await marked(e, [5]), [[1, await positionsOf(e, 1, {}, [3])]]);
    await e.unmarkRows(new Set([5]));
    await put(e, 1, [5], 6n, [
      columnFromValues(Types.int4, [7]),
      columnFromValues(Types.int4, [8]),
    ]);
    assert.deepEqual(byX(await rows(e, 1, { ownMarks: new Set([5]) }, [0, 1, 2])), [
      [1, 42, 100],
      [3, 42, 300],
      [4, 42, 400],
      [5, 7, 8],
    ]);
    assert.deepEqual(byX(await rows(e, 1, { snapshotLsn: 5n }, [0, 2])), [
      [1, 100],
      [3, 300],
      [4, 400],
    ]);
  });

  test("a time-series table: positions follow the scan order across partitions", async (s) => {
    const e = s.engine;
    const day = 86_400_000_000;
    const options: TableOptions = {
      timestampColumnId: 2,
      partitionBy: "day",
      ttlMicros: null,
      dedupKeyColumnIds: [],
    };
    await createTable(
      e,
      1,
      [column(2, "ts", Types.timestamp), column(3, "host", Types.text)],
      options,
    );
    const ts = (vs: number[]) => columnFromValues(Types.timestamp, vs);
    const host = (vs: string[]) => columnFromValues(Types.text, vs);
    await put(e, 1, [1, 2, 3, 4], 1n, [ts([day + 5, 5, day + 1, 1]), host(["b", "b", "a", "a"])]);
    await put(e, 1, [5, 6], 2n, [ts([3, day + 3]), host(["a", "b"])]);
    await e.deleteRows(1, await positionsOf(e, 1, {}, [2]), 3n);
    await e.markRows(1, await positionsOf(e, 1, {}, [3, 5]), {}, 4);
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1), [1, 3, 4, 5, 6]);
    assert.deepEqual(await sortedXs(e, 1, { ownMarks: new Set([4]) }), [1, 4, 6]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 1n }), [1, 2, 3, 4]);
    assert.deepEqual(await marked(e, [4]), [[1, await positionsOf(e, 1, {}, [3, 5])]]);
    const old = { snapshotLsn: 1n, ownMarks: new Set([9]) };
    assert.deepEqual(await e.markRows(1, await positionsOf(e, 1, old, [1, 4]), old, 9), {
      kind: "marked",
    });
    assert.deepEqual(await sortedXs(e, 1, old), [2, 3]);
    await settle(s);
    await e.deleteRows(1, (await e.markedPositions(new Set([4]))).get(1)!, 5n);
    await e.unmarkRows(new Set([9]));
    await settle(s);
    assert.deepEqual(await sortedXs(e, 1), [1, 4, 6]);
    assert.deepEqual(await sortedXs(e, 1, { snapshotLsn: 4n }), [1, 3, 4, 5, 6]);
  });
}
