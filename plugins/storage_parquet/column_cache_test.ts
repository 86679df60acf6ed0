import assert from "node:assert/strict";
import { ColumnCache } from "./column_cache.ts";
import { columnFromValues } from "../../core/types/column.ts";
import { Types } from "../../core/types/mod.ts";

const col = (n: number) => columnFromValues(Types.float8, new Array(n).fill(1)); // 8n bytes

Deno.test("column cache: evicts the least recently read columns past its budget", () => {
  const cache = new ColumnCache(64);
  cache.put(1, 1, col(2));
  cache.put(1, 2, col(2));
  cache.put(2, 1, col(2));
  assert.equal(cache.bytes, 48);
  assert.ok(cache.get(1, 1) !== null); // now the most recent
  cache.put(3, 1, col(5)); // 88 bytes: the two least recent (1:2, then 2:1) go
  assert.equal(cache.get(1, 2), null);
  assert.equal(cache.get(2, 1), null);
  assert.ok(cache.get(1, 1) !== null);
  assert.ok(cache.get(3, 1) !== null);
  assert.equal(cache.bytes, 56);
  assert.equal(cache.hits, 3);
  assert.equal(cache.misses, 2);
});

Deno.test("column cache: replacing, dropping a segment, and columns over the budget", () => {
  const cache = new ColumnCache(64);
  cache.put(1, 1, col(2));
  cache.put(1, 1, col(3));
  assert.equal(cache.bytes, 24);
  assert.equal(cache.get(1, 1)?.length, 3);
  cache.put(1, 2, col(1));
  cache.put(2, 1, col(1));
  cache.dropSegment(1);
  assert.equal(cache.get(1, 1), null);
  assert.equal(cache.get(1, 2), null);
  assert.equal(cache.bytes, 8);
  cache.put(4, 1, col(9)); // 72 bytes > 64: not kept, nothing evicted
  assert.equal(cache.get(4, 1), null);
  assert.ok(cache.get(2, 1) !== null);
  const off = new ColumnCache(0);
  off.put(1, 1, col(1));
  assert.equal(off.get(1, 1), null);
});
