import type { Batch } from "../types/batch.ts";
import { type Column, isValid } from "../types/column.ts";
import type { Field, SortKey } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { compareFloat, compareText } from "./kernels/compare.ts";
import { compareDec, parseDec } from "../types/numeric.ts";
import { intervalSpan, parseInterval } from "../types/interval.ts";
import { asFloat64 } from "./kernels/numeric.ts";
import { materialize, rebatch } from "./materialize.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";

type RowCompare = (a: number, b: number) => number;

function keyComparator(col: Column, key: SortKey): RowCompare {
  const dir = key.descending ? -1 : 1;
  const nullOrder = key.nullsFirst ? -1 : 1;
  const v = col.validity;
  let cmp: RowCompare;
  if (col.kind === "text" || col.kind === "varchar") {
    const d = col.data;
    cmp = (a, b) => compareText(d[a]!, d[b]!);
  } else if (col.kind === "interval") {
    const d = col.data.map((t) => intervalSpan(parseInterval(t)));
    cmp = (a, b) => compareFloat(d[a]!, d[b]!);
  } else if (col.kind === "numeric") {
    const d = col.data.map((t) => parseDec(t));
    cmp = (a, b) => compareDec(d[a]!, d[b]!);
  } else if (col.kind === "int8") {
    const d = col.data;
    cmp = (a, b) => (d[a]! < d[b]! ? -1 : d[a]! > d[b]! ? 1 : 0);
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
