/**
 * Joins. The right input is materialised (the build side); left batches stream through. With
 * equality keys the build side is hashed; otherwise every pair is tried (nested loop). The
 * remaining ON condition is evaluated on candidate pairs, a batch of pairs at a time, before
 * deciding which rows matched, so outer joins follow SQL's ON semantics. Semi and anti joins
 * output each left row that has / has no matching pair once, with NULL right columns.
 *
 * @module
 */
import { prepareSubqueries, subqueriesOf } from "./subquery.ts";
import type { Batch } from "../types/batch.ts";
import { type Column, isValid, nullColumn, takeColumn } from "../types/column.ts";
import type { BoundExpr } from "../plan/expr.ts";
import type { Field, JoinType } from "../plan/logical_plan.ts";
import type { ExecContext } from "./context.ts";
import { evaluate } from "./eval.ts";
import { conjuncts } from "../plan/expr_utils.ts";
import { JoinKeyCoder } from "./group_keys.ts";
import { materialize } from "./materialize.ts";

/** Equality keys of a hash join: `leftKeys[i] = rightKeys[i]`. */
export interface JoinKeys {
  readonly left: readonly BoundExpr[];
  /** Over the right input's own columns. */
  readonly right: readonly BoundExpr[];
}

/** Pairs produced per evaluation batch, at most. */
const joinPairsPerBatchMax = 8192;

/**
 * Runs a join; `residual` is over left fields then right fields. An empty input that empties the
 * join (either one of an inner, cross or semi join; the left one of a LEFT or anti join; the
 * right one of a RIGHT join) means the
 * other is never read, as PostgreSQL's executor skips the other side of such a join: so its
 * expressions (and their errors) never run. The right input is read first unless `leftFirst`
 * (the planner asks for it when only the left input just reads tables, cheap to try first).
 */
export async function* joinExec(
  joinType: JoinType,
  left: AsyncIterable<Batch>,
  right: AsyncIterable<Batch>,
  leftFields: readonly Field[],
  rightFields: readonly Field[],
  keys: JoinKeys,
  residual: BoundExpr | null,
  ctx: ExecContext,
  leftFirst = false,
): AsyncGenerator<Batch> {
  const emptyBothEmpty = joinType === "inner" || joinType === "cross" || joinType === "semi";
  // a RIGHT join keeps only right rows (and their matches): no right row, no row
  const emptyRightEmpties = emptyBothEmpty || joinType === "right";
  const emptyLeftEmpties = emptyBothEmpty || joinType === "left" || joinType === "anti";
  const leftInput = left[Symbol.asyncIterator]();
  let firstLeft: Batch | null = null;
  if (leftFirst && emptyLeftEmpties) {
    const next = await leftInput.next();
    if (next.done) return;
    firstLeft = next.value;
  }
  const build = await materialize(right, rightFields, ctx);
  if (build.length === 0 && emptyRightEmpties) {
    await leftInput.return?.();
    return;
  }
  const leftBatches = async function* (): AsyncGenerator<Batch> {
    if (firstLeft !== null) yield firstLeft;
    try {
      for (;;) {
        const next = await leftInput.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await leftInput.return?.();
    }
  };
  // subqueries in ON (EXISTS, IN, scalar) are computed per batch of candidate pairs
  const residualParts = residual === null
    ? []
    : conjuncts(residual).map((p) => ({ expr: p, subqueries: subqueriesOf([p]) }));
  const buildBatch: Batch = { columns: build.columns, length: build.length };
  // Hash the build side on its keys (rows with a NULL key never match).
  let table: Map<number | string, number[]> | null = null;
  const coder = new JoinKeyCoder(keys.right.length);
  if (keys.right.length > 0) {
    table = new Map();
    const keyCols = keys.right.map((k) => evaluate(k, buildBatch, ctx));
    const buildKeys = coder.keys(keyCols, build.length, true);
    for (let r = 0; r < build.length; r++) {
      const key = buildKeys[r]!;
      if (key === null) continue; // a NULL key never matches
      let list = table.get(key);
      if (!list) table.set(key, list = []);
      list.push(r);
    }
    ctx.reserve(build.length * 48);
    if (table.size === 0 && emptyBothEmpty) {
      // every build key is NULL: nothing can match, and (as PostgreSQL's hash join with an
      // empty hash table) the probe side is never read, nor its keys computed
      await leftInput.return?.();
      return;
    }
  }
  const rightMatched = joinType === "right" || joinType === "full"
    ? new Uint8Array(build.length)
    : null;
  const keepLeftUnmatched = joinType === "left" || joinType === "full";
  // semi/anti joins only decide which left rows matched; they emit no pairs
  const filtering = joinType === "semi" || joinType === "anti";

  for await (const lb of leftBatches()) {
    ctx.check();
    const leftMatched = keepLeftUnmatched || filtering ? new Uint8Array(lb.length) : null;
    const lKeyCols = keys.left.map((k) => evaluate(k, lb, ctx));
    const probeKeys = table === null ? null : coder.keys(lKeyCols, lb.length, false);
    let li: number[] = [];
    let ri: number[] = [];
    const markAll = (lIdx: Uint32Array, rIdx: Uint32Array): void => {
      if (leftMatched) { for (const i of lIdx) leftMatched[i] = 1; }
      if (rightMatched) { for (const i of rIdx) rightMatched[i] = 1; }
    };
    const flush = async function* (): AsyncGenerator<Batch> {
      if (li.length === 0) return;
      const lIdx = Uint32Array.from(li);
      const rIdx = Uint32Array.from(ri);
      li = [];
      ri = [];
      const columns: Column[] = [
        ...lb.columns.map((c) => takeColumn(c, lIdx)),
        ...build.columns.map((c) => takeColumn(c, rIdx)),
      ];
      let pairs: Batch = { columns, length: lIdx.length };
      if (residual !== null) {
        // conjunct by conjunct, each on the pairs every earlier one accepted: a pair is
        // rejected at its first false or NULL conjunct, as PostgreSQL's join quals are
        /** Pairs still accepted, as indexes into the candidate pairs (null: all of them). */
        let sel: Uint32Array | null = null;
        for (const part of residualParts) {
          if (part.subqueries.length > 0) await prepareSubqueries(part.subqueries, pairs, ctx);
          const cond = evaluate(part.expr, pairs, ctx);
          const keep = new Uint32Array(pairs.length);
          let n = 0;
          for (let i = 0; i < pairs.length; i++) {
            if (cond.kind === "bool" && isValid(cond.validity, i) && cond.data[i]) keep[n++] = i;
          }
          if (n < pairs.length) {
            pairs = { columns: pairs.columns.map((c) => takeColumn(c, keep, n)), length: n };
            const before: Uint32Array | null = sel;
            sel = before === null
              ? keep.slice(0, n)
              : Uint32Array.from(keep.subarray(0, n), (k) => before[k]!);
          }
          if (n === 0) break;
        }
        if (sel !== null) {
          for (const k of sel) {
            if (leftMatched) leftMatched[lIdx[k]!] = 1;
            if (rightMatched) rightMatched[rIdx[k]!] = 1;
          }
        } else markAll(lIdx, rIdx);
      } else markAll(lIdx, rIdx);
      if (pairs.length > 0 && !filtering) yield pairs;
    };
    for (let l = 0; l < lb.length; l++) {
      if (filtering && residual === null) {
        // without a residual condition, any candidate is a match: no pairs needed
        if (table !== null) {
          const key = probeKeys![l]!;
          if (key !== null && table.has(key)) leftMatched![l] = 1;
        } else if (build.length > 0) leftMatched![l] = 1;
        continue;
      }
      if (table !== null) {
        const key = probeKeys![l]!;
        const list = key === null ? undefined : table.get(key);
        if (list) {
          for (const r of list) {
            li.push(l);
            ri.push(r);
          }
        }
      } else {
        for (let r = 0; r < build.length; r++) {
          li.push(l);
          ri.push(r);
        }
      }
      if (li.length >= joinPairsPerBatchMax) {
        ctx.check();
        yield* flush();
      }
    }
    yield* flush();
    if (leftMatched) {
      const idx: number[] = [];
      const want = joinType === "semi" ? 1 : 0;
      for (let l = 0; l < lb.length; l++) if (leftMatched[l] === want) idx.push(l);
      if (idx.length > 0) {
        const lIdx = Uint32Array.from(idx);
        yield {
          columns: [
            ...lb.columns.map((c) => takeColumn(c, lIdx)),
            ...rightFields.map((f) => nullColumn(f.type, lIdx.length)),
          ],
          length: lIdx.length,
        };
      }
    }
  }
  if (rightMatched) {
    const idx: number[] = [];
    for (let r = 0; r < build.length; r++) if (!rightMatched[r]) idx.push(r);
    for (let start = 0; start < idx.length; start += ctx.limits.batchRowsMax) {
      const rIdx = Uint32Array.from(idx.slice(start, start + ctx.limits.batchRowsMax));
      yield {
        columns: [
          ...leftFields.map((f) => nullColumn(f.type, rIdx.length)),
          ...build.columns.map((c) => takeColumn(c, rIdx)),
        ],
        length: rIdx.length,
      };
    }
  }
}
