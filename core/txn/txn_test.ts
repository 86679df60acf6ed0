import assert from "node:assert/strict";
import { DbError } from "../errors.ts";
import { columnFromValues, valueAt } from "../types/column.ts";
import { Types } from "../types/data_type.ts";
import { TransactionManager } from "./manager.ts";
import type { Transaction } from "./transaction.ts";

const ints = (...v: number[]) => ({ columns: [columnFromValues(Types.int4, v)], length: v.length });
const values = (t: Transaction) =>
  t.visibleRows(1).flatMap((b) =>
    Array.from({ length: b.length }, (_, i) => valueAt(b.columns[0]!, i))
  );

Deno.test("txn: private rows, deletes of them and savepoints undo in order", () => {
  const m = new TransactionManager(10);
  const t = m.begin("read committed", false, true, 0);
  t.addRows(1, ints(1, 2, 3), m.newMark(t));
  const sp = t.savepoint("a", m.nextMark);
  const del = m.newMark(t);
  t.deletePrivate(1, [1], del);
  t.addRows(1, ints(4), del);
  assert.deepEqual(values(t), [1, 3, 4]);
  assert.deepEqual([...t.rollbackTo(sp)], [del]);
  assert.deepEqual(values(t), [1, 2, 3]);
  assert.equal(t.visibleCount(1), 3);
});

Deno.test("txn: the open limit refuses the next transaction with 54000", () => {
  const m = new TransactionManager(2);
  m.begin("read committed", false, true, 0);
  const b = m.begin("read committed", false, true, 0);
  assert.throws(
    () => m.begin("read committed", false, true, 0),
    (e: DbError) => e.code === "54000",
  );
  m.end(b, false);
  m.begin("read committed", false, true, 0);
  assert.equal(m.activeCount, 2);
});

Deno.test("txn: a wait that closes a cycle is a deadlock (40P01); ends wake waiters", async () => {
  const m = new TransactionManager(10);
  const a = m.begin("repeatable read", false, true, 0);
  const b = m.begin("repeatable read", false, true, 0);
  const c = m.begin("repeatable read", false, true, 0);
  m.startWaiting(a, b);
  m.startWaiting(b, c);
  assert.throws(() => m.startWaiting(c, a), (e: DbError) => e.code === "40P01");
  m.end(c, true);
  await c.done;
  assert.ok(c.committed && c.ended);
});

Deno.test("txn: marks belong to their transaction until it ends", () => {
  const m = new TransactionManager(10);
  const a = m.begin("read committed", false, true, 0);
  const mark = m.newMark(a);
  assert.equal(m.ownerOf(mark), a);
  m.end(a, false);
  assert.equal(m.ownerOf(mark), null);
});

Deno.test("txn: serializable validation fails only on a commit to a table it read", () => {
  const m = new TransactionManager(10);
  const t = m.begin("serializable", false, true, 0);
  t.snapshot = 5n;
  t.readTables.add(1);
  m.validate(t); // it wrote nothing: a consistent snapshot needs no check
  t.writtenTables.add(3);
  m.noteCommit(4n, new Set([1])); // before the snapshot: fine
  m.noteCommit(6n, new Set([2])); // another table: fine
  m.validate(t);
  m.noteCommit(7n, new Set([1]));
  assert.throws(() => m.validate(t), (e: DbError) => e.code === "40001");
});

Deno.test("txn: the horizon is the oldest snapshot held", () => {
  const m = new TransactionManager(10);
  assert.equal(m.horizon(9n), 9n);
  const a = m.begin("repeatable read", false, true, 0);
  a.snapshot = 3n;
  const b = m.begin("repeatable read", false, true, 0);
  b.snapshot = 5n;
  assert.equal(m.horizon(9n), 3n);
  m.end(a, true);
  assert.equal(m.horizon(9n), 5n);
});
