import assert from "node:assert/strict";
import { LruMap } from "./lru_map.ts";

Deno.test("LruMap evicts the least recently read or written entry past its bound", () => {
  const m = new LruMap<string, number>(3);
  m.set("a", 1);
  m.set("b", 2);
  m.set("c", 3);
  assert.equal(m.get("a"), 1);
  m.set("b", 20); // a write counts as a use
  m.set("d", 4); // c is the least recent
  assert.equal(m.get("c"), undefined);
  assert.deepEqual([m.get("a"), m.get("b"), m.get("d")], [1, 20, 4]);
  assert.equal(m.size, 3);
  m.delete("a");
  assert.equal(m.get("a"), undefined);
  assert.equal(m.size, 2);
  m.clear();
  assert.equal(m.size, 0);
});

Deno.test("LruMap keeps its order when the use stamps are renumbered", () => {
  const m = new LruMap<number, number>(2, 4); // stamps renumber past 4
  m.set(1, 1); // 1
  m.set(2, 2); // 2
  m.get(1); // 3
  m.get(2); // 4
  m.get(1); // renumbered: 2 -> 1, 1 -> 2, then 1 is stamped 3
  m.set(3, 3); // 2 is the least recent
  assert.equal(m.get(2), undefined);
  assert.deepEqual([m.get(1), m.get(3)], [1, 3]);
});
