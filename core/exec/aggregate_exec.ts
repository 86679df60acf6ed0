/**
 * Hash aggregation: groups rows by key, feeds each aggregate's accumulator, and emits one row per
 * group. DISTINCT and FILTER are handled here, so accumulators only see the rows they count.
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import { type Column, columnFromValues, isValid, takeColumn } from "../types/column.ts";
import type { BoundAggregate, BoundExpr } from "../plan/expr.ts";
import type { Field } from "../plan/logical_plan.ts";
import type { Accumulator } from "../plugin/functions.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { GroupKeys, rowKey } from "./group_keys.ts";
import { castColumn } from "./kernels/cast.ts";
import { rebatch } from "./materialize.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

interface AggState {
  readonly agg: BoundAggregate;
  readonly acc: Accumulator;
  /** Per group, the argument tuples already seen (DISTINCT only). */
  readonly seen: Map<number, Set<string>> | null;
}

/** Groups the input and computes the aggregates. */
export async function* aggregateExec(
  input: AsyncIterable<Batch>,
  groups: readonly BoundExpr[],
  aggregates: readonly BoundAggregate[],
  fields: readonly Field[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const keys = new GroupKeys(groups.length);
  const states: AggState[] = aggregates.map((agg) => ({
    agg,
    acc: agg.fn.createAccumulator(agg.resolution),
    seen: agg.distinct ? new Map() : null,
  }));
  const subqueries = subqueriesOf([
    ...groups,
    ...aggregates.flatMap((a) => (a.filter === null ? a.args : [...a.args, a.filter])),
  ]);
  for await (const batch of input) {
    ctx.check();
    if (subqueries.length > 0) await prepareSubqueries(subqueries, batch, ctx);
    const keyCols = groups.map((g) => evaluate(g, batch, ctx));
    const before = keys.size;
    const ids = keys.assign(keyCols, batch.length);
    if (keys.size > before) ctx.reserve((keys.size - before) * (64 + 16 * states.length));
    for (const s of states) feed(s, batch, ids, keys.size, ctx);
  }
  const groupCount = groups.length === 0 ? 1 : keys.size;
  if (groupCount === 0) return;
  if (groups.length === 0 && keys.size === 1) keys.assign([], 0);
  const columns: Column[] = [
    ...groups.map((g, k) => columnFromValues(g.type, keys.values[k]!)),
    ...states.map((s) => {
      const c = s.acc.evaluate(groupCount);
      return c.type.kind === s.agg.type.kind ? c : castColumn(c, s.agg.type);
    }),
  ];
  yield* rebatch(columns, groupCount, null, ctx.limits.batchRowsMax);
  void fields;
}

function feed(
  s: AggState,
  batch: Batch,
  ids: Uint32Array,
  groupCount: number,
  ctx: ExecContext,
): void {
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
        let tuple = "";
        let anyNull = false;
        for (const a of args) {
          if (a.kind === "unknown" || !isValid(a.validity, i)) anyNull = true;
          tuple += rowKey(a, i);
        }
        if (anyNull) continue; // aggregates ignore NULL inputs anyway
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
