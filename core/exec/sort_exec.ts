import type { Batch } from "../types/batch.ts";
import { type Column, isValid } from "../types/column.ts";
import type { Field, SortKey } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { compareArrays, compareFloat, compareText } from "./kernels/compare.ts";
import { compareDec, parseDec } from "../types/numeric.ts";
import { intervalSpan, parseInterval } from "../types/interval.ts";
import { asFloat64 } from "./kernels/numeric.ts";
import { materialize, rebatch } from "./materialize.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

/** Three-way comparison of two row indexes. */
export type RowCompare = (a: number, b: number) => number;

/** Compares two rows of `col` as the sort key orders them (direction and NULL placement). */
export function keyComparator(col: Column, key: SortKey): RowCompare {
  const dir = key.descending ? -1 : 1;
  const nullOrder = key.nullsFirst ? -1 : 1;
  const v = col.validity;
  let cmp: RowCompare;
  if (col.kind === "text" || col.kind === "varchar") {
    // Rank the distinct strings once (tags are low-cardinality), then compare integers.
    const d = col.data;
    const distinct = new Map<string, number>();
    for (let i = 0; i < col.length; i++) if (!distinct.has(d[i]!)) distinct.set(d[i]!, 0);
    const sorted = [...distinct.keys()].sort(compareText);
    for (let r = 0; r < sorted.length; r++) distinct.set(sorted[r]!, r);
    const ranks = new Int32Array(col.length);
    for (let i = 0; i < col.length; i++) ranks[i] = distinct.get(d[i]!)!;
    cmp = (a, b) => ranks[a]! - ranks[b]!;
  } else if (col.kind === "interval") {
    const d = col.data.map((t) => intervalSpan(parseInterval(t)));
    cmp = (a, b) => compareFloat(d[a]!, d[b]!);
  } else if (col.kind === "numeric") {
    const d = col.data.map((t) => parseDec(t));
    cmp = (a, b) => compareDec(d[a]!, d[b]!);
  } else if (col.kind === "int8") {
    const d = col.data;
    cmp = (a, b) => (d[a]! < d[b]! ? -1 : d[a]! > d[b]! ? 1 : 0);
  } else if (col.kind === "array") {
    // rank the distinct arrays once (element-wise order), then compare integers
    const d = col.data;
    const element = col.type.kind === "array" ? col.type.element : col.type;
    const sorted = [...new Set(d)].sort((x, y) => compareArrays(x, y, element));
    const rank = new Map(sorted.map((t, r) => [t, r]));
    const ranks = Int32Array.from(d, (t) => rank.get(t)!);
    cmp = (a, b) => ranks[a]! - ranks[b]!;
  } else if (col.kind === "unknown") {
    cmp = () => 0;
  } else {
    const d = asFloat64(col);
    cmp = (a, b) => compareFloat(d[a]!, d[b]!);
  }
  if (v === null && col.kind !== "unknown") return (a, b) => dir * cmp(a, b);
  return (a, b) => {
    const an = col.kind === "unknown" || !isValid(v, a);
    const bn = col.kind === "unknown" || !isValid(v, b);
    if (an || bn) return an === bn ? 0 : an ? nullOrder : -nullOrder;
    return dir * cmp(a, b);
  };
}

/** Sorts all input rows by the keys (stable). */
export async function* sortExec(
  input: AsyncIterable<Batch>,
  keys: readonly SortKey[],
  fields: readonly Field[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const { columns, length } = await materialize(input, fields, ctx);
  const whole: Batch = { columns, length };
  const subqueries = subqueriesOf(keys.map((k) => k.expr));
  if (subqueries.length > 0) await prepareSubqueries(subqueries, whole, ctx);
  const comparators = keys.map((k) => keyComparator(evaluate(k.expr, whole, ctx), k));
  const order = new Uint32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  let steps = 0;
  order.sort((a, b) => {
    if ((++steps & 0xffff) === 0) ctx.check();
    for (const c of comparators) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return a - b;
  });
  yield* rebatch(columns, length, order, ctx.limits.batchRowsMax);
}
