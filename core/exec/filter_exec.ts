import type { Batch } from "../types/batch.ts";
import { isValid, takeColumn } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import { conjuncts, isPseudoConstant } from "../plan/expr_utils.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import { eachBatch } from "./rows_before_error.ts";
import { withParamValues } from "./scan_params.ts";

/**
 * Keeps the rows for which `predicate` is true (not false, not NULL). Conjuncts are evaluated
 * in order, each only on the rows every earlier one accepted (PostgreSQL's ExecQual: a row is
 * rejected at its first false or NULL conjunct), which also spares work. `perGroup` (a HAVING
 * PostgreSQL keeps on its aggregation) evaluates even the conjuncts that read no column per row.
 */
export function filterExec(
  input: AsyncIterable<Batch>,
  predicate: BoundExpr,
  ctx: ExecContext,
  perGroup = false,
): AsyncIterable<Batch> {
  // a HAVING that PostgreSQL evaluates per group: no one-time filter, every group is computed
  if (perGroup) return conjunctsExec(input, conjuncts(predicate), ctx);
  const split = splitGates(predicate);
  const gates = split.gates;
  // `column <op> $n` conjuncts compare with this execution's value as a constant (no column
  // of the value per batch, and the constant comparison's fast path)
  const rest = withParamValues(split.rest, ctx);
  if (gates.length > 0) return gatedExec(input, gates, rest, ctx);
  return conjunctsExec(input, rest, ctx);
}

/**
 * A filter's conjuncts: the leading ones that read no column (`gates`, PostgreSQL's one-time
 * filter, see {@link gateHolds}), and the rest, evaluated per row in order.
 */
export function splitGates(predicate: BoundExpr): Gates {
  let split = gatesOf.get(predicate);
  if (split === undefined) {
    const all = conjuncts(predicate);
    let n = 0;
    while (n < all.length && isPseudoConstant(all[n]!)) n++;
    split = { gates: all.slice(0, n), rest: all.slice(n) };
    gatesOf.set(predicate, split);
  }
  return split;
}

/** A filter's one-time conjuncts and the rest (see {@link splitGates}). */
export interface Gates {
  readonly gates: readonly BoundExpr[];
  readonly rest: readonly BoundExpr[];
}

/** Splits by predicate: a cached plan's filters are split once, not per execution. */
const gatesOf = new WeakMap<BoundExpr, Gates>();

const oneRow: Batch = { columns: [], length: 1 };

/** Whether a one-time conjunct is true (its subqueries, if any, prepared already). */
export function gateHolds(gate: BoundExpr, ctx: ExecContext): boolean {
  const cond = evaluate(gate, oneRow, ctx);
  return cond.kind === "bool" && Boolean(cond.data[0]) && isValid(cond.validity, 0);
}

/**
 * The leading conjuncts that read no column, as PostgreSQL's one-time filter: evaluated once
 * before the input is read; unless all are true, the input is never read (nor its filters and
 * their errors evaluated). `rest` then filters each batch.
 */
async function* gatedExec(
  input: AsyncIterable<Batch>,
  gates: readonly BoundExpr[],
  rest: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  for (const g of gates) {
    const subqueries = subqueriesOf([g]);
    if (subqueries.length > 0) await prepareSubqueries(subqueries, oneRow, ctx);
    if (!gateHolds(g, ctx)) {
      await input[Symbol.asyncIterator]().return?.();
      return;
    }
  }
  yield* rest.length === 0 ? input : conjunctsExec(input, rest, ctx);
}

/** One conjunct over `current`: the rows it accepts. */
function keepWhere(expr: BoundExpr, current: Batch, ctx: ExecContext): Batch {
  const cond = evaluate(expr, current, ctx);
  const keep = selection(current.length);
  let count = 0;
  if (cond.kind === "bool") {
    const d = cond.data;
    for (let i = 0; i < current.length; i++) {
      if (d[i] && isValid(cond.validity, i)) keep[count++] = i;
    }
  }
  if (count === current.length) return current;
  return { columns: current.columns.map((c) => takeColumn(c, keep, count)), length: count };
}

/**
 * The rows of a batch that every conjunct accepts, each conjunct evaluated only on the rows the
 * earlier ones accepted. The conjuncts hold no subquery (nothing to await).
 */
export function rowsKept(all: readonly BoundExpr[], ctx: ExecContext): (batch: Batch) => Batch {
  return (batch) => {
    let current = batch;
    for (const expr of all) {
      current = keepWhere(expr, current, ctx);
      if (current.length === 0) break;
    }
    return current;
  };
}

function conjunctsExec(
  input: AsyncIterable<Batch>,
  all: readonly BoundExpr[],
  ctx: ExecContext,
): AsyncIterable<Batch> {
  const parts = all.map((p) => ({ expr: p, subqueries: subqueriesOf([p]) }));
  // no subquery to await: each batch is filtered synchronously
  if (parts.every((p) => p.subqueries.length === 0)) {
    return eachBatch(input, rowsKept(all, ctx), ctx);
  }
  const keepRows = async (batch: Batch): Promise<Batch> => {
    let current = batch;
    for (const part of parts) {
      if (part.subqueries.length > 0) await prepareSubqueries(part.subqueries, current, ctx);
      current = keepWhere(part.expr, current, ctx);
      if (current.length === 0) break;
    }
    return current;
  };
  return eachBatch(input, keepRows, ctx);
}

/** Reused selection buffer: filled and read within one synchronous step, never kept. */
let selectionBuffer = new Uint32Array(1024);

/** A selection buffer of at least `n` entries (valid until the next call). */
function selection(n: number): Uint32Array {
  if (selectionBuffer.length < n) {
    selectionBuffer = new Uint32Array(Math.max(n, 2 * selectionBuffer.length));
  }
  return selectionBuffer;
}
