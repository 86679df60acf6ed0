/**
 * Hash aggregation: groups rows by key, feeds each aggregate's accumulator, and emits one row per
 * group. DISTINCT and FILTER are handled here, so accumulators only see the rows they count.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import {
  type Column,
  columnFromValues,
  concatColumns,
  isValid,
  nullColumn,
  takeColumn,
} from "../types/column.ts";
import type { BoundAggregate, BoundExpr } from "../plan/expr.ts";
import type { Accumulator } from "../plugin/functions.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { GroupKeys, rowKey } from "./group_keys.ts";
import { castColumn } from "./kernels/cast.ts";
import { rebatch } from "./materialize.ts";
import { keyComparator } from "./sort_exec.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

interface AggState {
  readonly agg: BoundAggregate;
  readonly acc: Accumulator;
  /** Per group, the argument tuples already seen (DISTINCT only). */
  readonly seen: Map<number, Set<string>> | null;
}

/** Groups the input and computes the aggregates (once per grouping set when there are sets). */
export async function* aggregateExec(
  input: AsyncIterable<Batch>,
  groups: readonly BoundExpr[],
  aggregates: readonly BoundAggregate[],
  sets: readonly (readonly number[])[] | null,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const subqueries = subqueriesOf([
    ...groups,
    ...aggregates.flatMap((a) => (a.filter === null ? a.args : [...a.args, a.filter])),
  ]);
  const allKeys = groups.map((_, i) => i);
  if (sets === null) {
    const prepared = async function* (): AsyncGenerator<Batch> {
      for await (const batch of input) {
        if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
        yield batch;
      }
    };
    const columns = await aggregateSet(prepared(), groups, allKeys, aggregates, ctx);
    if (columns !== null) {
      yield* rebatch(columns.columns, columns.length, null, ctx.limits.batchRowsMax);
    }
    return;
  }
  // Grouping sets: read the input once, then aggregate it once per set.
  const stored: Batch[] = [];
  for await (const batch of input) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
    ctx.reserve(batch.length * Math.max(1, batch.columns.length) * 8);
    stored.push(batch);
  }
  const replay = async function* (): AsyncGenerator<Batch> {
    yield* stored;
  };
  const parts: Column[][] = [];
  let total = 0;
  for (const set of sets) {
    const out = await aggregateSet(replay(), groups, set, aggregates, ctx);
    if (out === null) continue;
    parts.push(out.columns);
    total += out.length;
  }
  if (total === 0) return;
  const types = [...groups.map((g) => g.type), ...aggregates.map((a) => a.type)];
  const columns = types.map((t, c) => concatColumns(t, parts.map((p) => p[c]!)));
  yield* rebatch(columns, total, null, ctx.limits.batchRowsMax);
}

/**
 * Aggregates `input` grouping by the keys at positions `set`; the other group columns are
 * NULL, and GROUPING() columns get this set's bitmask. `null` when there are no groups.
 */
async function aggregateSet(
  input: AsyncIterable<Batch>,
  groups: readonly BoundExpr[],
  set: readonly number[],
  aggregates: readonly BoundAggregate[],
  ctx: ExecContext,
): Promise<{ columns: Column[]; length: number } | null> {
  const keys = new GroupKeys(set.length);
  const states: AggState[] = aggregates.map((agg) => ({
    agg,
    acc: agg.fn.createAccumulator(agg.resolution),
    seen: agg.distinct ? new Map() : null,
  }));
  const ordered = states.filter((s) => s.agg.orderBy !== undefined && s.agg.orderBy.length > 0);
  const kept: { batch: Batch; ids: Uint32Array }[] = [];
  for await (const batch of input) {
    ctx.check();
    const keyCols = set.map((i) => evaluate(groups[i]!, batch, ctx));
    const before = keys.size;
    const ids = keys.assign(keyCols, batch.length);
    if (keys.size > before) ctx.reserve((keys.size - before) * (64 + 16 * states.length));
    for (const s of states) {
      if (s.agg.groupingKeys === undefined && !ordered.includes(s)) {
        feed(s, batch, ids, keys.size, ctx);
      }
    }
    if (ordered.length > 0) {
      kept.push({ batch, ids });
      ctx.reserve(batch.length * Math.max(1, batch.columns.length) * 8);
    }
  }
  if (ordered.length > 0 && kept.length > 0) {
    // Ordered aggregates see their rows sorted by their ORDER BY (stable: arrival order on ties).
    const fields = kept[0]!.batch.columns.map((c) => ({ name: "", type: c.type, qualifier: null }));
    const whole: Batch = {
      columns: fields.map((f, c) => concatColumns(f.type, kept.map((k) => k.batch.columns[c]!))),
      length: kept.reduce((n, k) => n + k.batch.length, 0),
    };
    const allIds = new Uint32Array(whole.length);
    let off = 0;
    for (const k of kept) {
      allIds.set(k.ids, off);
      off += k.ids.length;
    }
    for (const o of ordered) {
      // the ORDER BY keys, like the arguments, are evaluated only for rows that pass FILTER
      const { s, batch: rows, ids: rowIds } = passingFilter(o, whole, allIds, ctx);
      const comparators = s.agg.orderBy!.map((k) => keyComparator(evaluate(k.expr, rows, ctx), k));
      const order = Uint32Array.from({ length: rows.length }, (_, i) => i).sort((a, b) => {
        for (const c of comparators) {
          const r = c(a, b);
          if (r !== 0) return r;
        }
        return a - b;
      });
      for (let from = 0; from < order.length; from += ctx.limits.batchRowsMax) {
        const idx = order.subarray(from, Math.min(order.length, from + ctx.limits.batchRowsMax));
        const part: Batch = {
          columns: rows.columns.map((c) => takeColumn(c, idx)),
          length: idx.length,
        };
        feed(s, part, idx.map((i) => rowIds[i]!), keys.size, ctx);
      }
    }
  }
  const groupCount = set.length === 0 ? 1 : keys.size;
  if (groupCount === 0) return null;
  if (set.length === 0 && keys.size === 1) keys.assign([], 0);
  const columns: Column[] = [
    ...groups.map((g, i) => {
      const k = set.indexOf(i);
      return k < 0 ? nullColumn(g.type, groupCount) : columnFromValues(g.type, keys.values[k]!);
    }),
    ...states.map((s) => {
      const gk = s.agg.groupingKeys;
      if (gk !== undefined) {
        // bit (n-1-i) is set when argument i is not grouped in this set
        let mask = 0;
        for (let i = 0; i < gk.length; i++) {
          if (!set.includes(gk[i]!)) mask |= 1 << (gk.length - 1 - i);
        }
        return columnFromValues(s.agg.type, new Array(groupCount).fill(mask));
      }
      const c = s.acc.evaluate(groupCount);
      return c.type.kind === s.agg.type.kind ? c : castColumn(c, s.agg.type);
    }),
  ];
  return { columns, length: groupCount };
}

/**
 * The rows of a batch that pass an aggregate's FILTER, and the aggregate without it. PostgreSQL
 * evaluates the arguments (and ORDER BY keys) only for rows that pass FILTER, so an error in
 * one of a filtered-out row is never raised.
 */
function passingFilter(
  s: AggState,
  batch: Batch,
  ids: Uint32Array,
  ctx: ExecContext,
): { s: AggState; batch: Batch; ids: Uint32Array } {
  if (s.agg.filter === null) return { s, batch, ids };
  const cond = evaluate(s.agg.filter, batch, ctx);
  const sel = new Uint32Array(batch.length);
  let k = 0;
  for (let i = 0; i < batch.length; i++) {
    if (cond.kind === "bool" && isValid(cond.validity, i) && cond.data[i]) sel[k++] = i;
  }
  const unfiltered = { ...s, agg: { ...s.agg, filter: null } };
  if (k === batch.length) return { s: unfiltered, batch, ids };
  return {
    s: unfiltered,
    batch: { ...batch, columns: batch.columns.map((c) => takeColumn(c, sel, k)), length: k },
    ids: sel.subarray(0, k).map((i) => ids[i]!),
  };
}

function feed(
  state: AggState,
  input: Batch,
  inputIds: Uint32Array,
  groupCount: number,
  ctx: ExecContext,
): void {
  const { s, batch, ids } = passingFilter(state, input, inputIds, ctx);
  const n = batch.length;
  let args = s.agg.args.map((a, i) => {
    const c = evaluate(a, batch, ctx);
    const want = s.agg.resolution.argTypes[i];
    return want === undefined || want.kind === c.kind ? c : castColumn(c, want);
  });
  let groupIds = ids;
  let length = n;
  let keep: Uint32Array | null = null;
  let kept = 0;
  if (s.agg.filter !== null || s.seen !== null) {
    keep = new Uint32Array(n);
    const cond = s.agg.filter === null ? null : evaluate(s.agg.filter, batch, ctx);
    for (let i = 0; i < n; i++) {
      if (cond !== null && !(cond.kind === "bool" && isValid(cond.validity, i) && cond.data[i])) {
        continue;
      }
      if (s.seen !== null) {
        // a NULL is one more distinct value (array_agg keeps it; the others skip NULLs)
        let tuple = "";
        for (const a of args) tuple += rowKey(a, i);
        let set = s.seen.get(ids[i]!);
        if (!set) s.seen.set(ids[i]!, set = new Set());
        if (set.has(tuple)) continue;
        set.add(tuple);
        ctx.reserve(tuple.length * 2 + 32);
      }
      keep[kept++] = i;
    }
    args = args.map((a) => takeColumn(a, keep!, kept));
    groupIds = keep.subarray(0, kept).map((i) => ids[i]!);
    length = kept;
  }
  s.acc.update(args, groupIds, length, groupCount);
}
