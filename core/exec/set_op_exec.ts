/**
 * UNION, INTERSECT and EXCEPT, with and without ALL. Rows compare as in DISTINCT: NULLs equal.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { takeColumn } from "../types/column.ts";
import type { ExecContext } from "./context.ts";
import { distinctExec } from "./distinct_exec.ts";
import { rowKey } from "./group_keys.ts";

async function* concat(a: AsyncIterable<Batch>, b: AsyncIterable<Batch>): AsyncGenerator<Batch> {
  yield* a;
  yield* b;
}

function keyOf(batch: Batch, i: number): string {
  let key = "";
  for (const c of batch.columns) key += rowKey(c, i);
  return key;
}

/** Runs a set operation. */
export async function* setOpExec(
  op: "union" | "intersect" | "except",
  all: boolean,
  left: AsyncIterable<Batch>,
  right: AsyncIterable<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  if (op === "union") {
    yield* all ? concat(left, right) : distinctExec(concat(left, right), ctx);
    return;
  }
  const counts = new Map<string, number>();
  for await (const b of right) {
    ctx.check();
    for (let i = 0; i < b.length; i++) {
      const k = keyOf(b, i);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    ctx.reserve(b.length * 64);
  }
  const emitted = new Set<string>();
  for await (const b of left) {
    ctx.check();
    const keep = new Uint32Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      const k = keyOf(b, i);
      const c = counts.get(k) ?? 0;
      let take: boolean;
      if (op === "intersect") {
        take = c > 0;
        if (take && all) counts.set(k, c - 1);
      } else {
        take = c === 0;
        if (!take && all) counts.set(k, c - 1);
      }
      if (take && !all) {
        if (emitted.has(k)) take = false;
        else emitted.add(k);
      }
      if (take) keep[n++] = i;
    }
    if (n > 0) yield { columns: b.columns.map((c) => takeColumn(c, keep, n)), length: n };
  }
}
