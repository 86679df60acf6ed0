import assert from "node:assert/strict";
import { storageConformance } from "../../core/plugin/storage_conformance.ts";
import { type Column, columnFromValues, valueAt } from "../../core/types/column.ts";
import { Types } from "../../core/types/mod.ts";
import type { ScanRequest } from "../../core/plugin/storage.ts";
import { MemoryStorage } from "./memory_storage.ts";

storageConformance("memory", () => {
  const engine = new MemoryStorage(2048);
  return Promise.resolve({ engine, close: () => engine.close() });
});

// small batches: positions cross many batch boundaries, and the horizon merges batches
storageConformance("memory (4-row batches)", () => {
  const engine = new MemoryStorage(4);
  return Promise.resolve({ engine, close: () => engine.close() });
});

const x = { id: 1, name: "x", type: Types.int4, notNull: false, default: null };

async function scan(s: MemoryStorage, extra: Partial<ScanRequest> = {}) {
  const out: { columns: readonly Column[]; length: number }[] = [];
  const req = { projection: [0], filters: [], limit: null, signal: null, ...extra };
  for await (const b of s.scan(1, req)) out.push(b);
  return out;
}

Deno.test("memory: a table without deletes is scanned without copies", async () => {
  const s = new MemoryStorage(8);
  await s.createTable({ id: 1, schema: "public", name: "t", columns: [x], nextColumnId: 2 });
  const col = columnFromValues(Types.int4, [1, 2, 3, 4, 5, 6, 7, 8]);
  await s.append(1, { columns: [col], length: 8 }, 1n);
  const [b] = await scan(s);
  assert.equal(b!.columns[0], col);
  // a snapshot that sees every row of the batch, and marks nobody owns, change nothing
  await s.markRows(1, [3], {}, 4);
  assert.equal((await scan(s, { snapshotLsn: 1n }))[0]!.columns[0], col);
  assert.equal((await scan(s, { ownMarks: new Set([5]) }))[0]!.columns[0], col);
  assert.equal((await scan(s, { ownMarks: new Set([4]) }))[0]!.length, 7);
});

Deno.test("memory: the horizon drops rows for good and merges the batches left small", async () => {
  const s = new MemoryStorage(4);
  await s.createTable({ id: 1, schema: "public", name: "t", columns: [x], nextColumnId: 2 });
  for (let i = 0; i < 12; i++) {
    await s.append(1, { columns: [columnFromValues(Types.int4, [i])], length: 1 }, 1n);
  }
  assert.deepEqual((await scan(s)).map((b) => b.length), [4, 4, 4]);
  // delete 0, 1, 4, 5, 6 at 2 and 9 at 3
  await s.deleteRows(1, [0, 1, 4, 5, 6], 2n);
  await s.deleteRows(1, [4], 3n);
  assert.equal(s.estimateRows(1), 6);
  const values = async (snapshotLsn?: bigint) =>
    (await scan(s, snapshotLsn === undefined ? {} : { snapshotLsn })).flatMap((b) =>
      Array.from({ length: b.length }, (_, i) => valueAt(b.columns[0]!, i))
    );
  assert.deepEqual(await values(1n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  s.setHorizon(2n);
  // a snapshot below the horizon is not served any more: the rows deleted at 2 are gone
  assert.deepEqual(await values(1n), [2, 3, 7, 8, 9, 10, 11]);
  assert.deepEqual(await values(2n), [2, 3, 7, 8, 9, 10, 11]);
  assert.deepEqual(await values(), [2, 3, 7, 8, 10, 11]);
  // [2, 3] and [7] merged; the last batch kept its deleted row for snapshot 2
  assert.deepEqual((await scan(s, { snapshotLsn: 2n })).map((b) => b.length), [3, 4]);
  s.setHorizon(3n);
  assert.deepEqual((await scan(s, { snapshotLsn: 1n })).map((b) => b.length), [3, 3]);
  assert.deepEqual(await values(), [2, 3, 7, 8, 10, 11]);
});
