/**
 * Turns a logical plan into a pipeline of operators over batches.
 *
 * @module
 */
import { withParamValues } from "./scan_params.ts";
import { DbError, SqlState, unreachable } from "../errors.ts";
import { rowKey } from "./group_keys.ts";
import { takeColumn } from "../types/column.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { TableReader } from "../plugin/storage.ts";
import type { Batch } from "../types/batch.ts";
import type { ExecContext } from "./context.ts";
import { filterExec } from "./filter_exec.ts";
import { projectExec } from "./project_exec.ts";
import { valuesExec } from "./values_exec.ts";
import { sortExec } from "./sort_exec.ts";
import { limitByExpressions, limitExec } from "./limit_exec.ts";
import { unnestExec } from "./unnest_exec.ts";
import { distinctExec, distinctOnExec } from "./distinct_exec.ts";
import { aggregateExec } from "./aggregate_exec.ts";
import { setOpExec } from "./set_op_exec.ts";
import { seriesExec } from "./series_exec.ts";
import { joinExec, type JoinKeys } from "./join_exec.ts";
import { rowPositionsExec } from "./row_positions_exec.ts";
import { systemScanExec } from "./system_scan_exec.ts";
import type { BoundExpr } from "../plan/expr.ts";
import {
  andAll,
  columnsOf,
  conjuncts,
  containsSubquery,
  isVolatile,
  mapColumns,
} from "../plan/expr_utils.ts";

/** Builds the operator pipeline for `plan`. */
export function execute(
  plan: LogicalPlan,
  storage: TableReader | null,
  ctx: ExecContext,
): AsyncIterable<Batch> {
  ctx.runPlan ??= (p) => execute(p, storage, ctx);
  const out = executeNode(plan, storage, ctx);
  return ctx.profile === null ? out : measured(plan, out, ctx);
}

/** Counts rows and inclusive time of one node for EXPLAIN ANALYZE. */
async function* measured(
  plan: LogicalPlan,
  input: AsyncIterable<Batch>,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const profile = ctx.profile!;
  const stats = profile.get(plan) ?? { rows: 0, ms: 0 };
  profile.set(plan, stats);
  const it = input[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const start = ctx.clock.monotonicMs();
      const next = await it.next();
      stats.ms += ctx.clock.monotonicMs() - start;
      if (next.done) {
        finished = true;
        return;
      }
      stats.rows += next.value.length;
      yield next.value;
    }
  } finally {
    // a consumer that stops early (LIMIT) closes the input too, as for-await would
    if (!finished) await it.return?.();
  }
}

function executeNode(
  plan: LogicalPlan,
  storage: TableReader | null,
  ctx: ExecContext,
): AsyncIterable<Batch> {
  switch (plan.kind) {
    case "scan": {
      if (plan.system !== undefined) {
        return plan.filters.reduce<AsyncIterable<Batch>>(
          (input, f) => filterExec(input, f, ctx),
          systemScanExec(plan.system, plan.table.columns, plan.projection, ctx),
        );
      }
      if (storage === null) throw new Error("scan without a storage engine");
      // this execution's parameter values, computed once for storage and the re-check
      const filters = withParamValues(plan.filters, ctx);
      const scan = storage.scan(plan.table.id, {
        projection: plan.projection,
        // Positions count every stored row, so the engine must not skip any.
        filters: plan.rowPositions ? [] : [...filters, ...withParamValues(plan.pruning ?? [], ctx)],
        ...(plan.latestBy !== undefined ? { latestBy: plan.latestBy } : {}),
        limit: null,
        signal: ctx.signal,
      });
      const rows = plan.rowPositions ? rowPositionsExec(scan, ctx) : scan;
      // Pushed filters are always re-checked: an engine may answer them inexactly.
      return filters.reduce<AsyncIterable<Batch>>((input, f) => filterExec(input, f, ctx), rows);
    }
    case "values":
      return valuesExec(plan.rows, plan.fields, ctx);
    case "filter":
      return filterExec(execute(plan.input, storage, ctx), plan.predicate, ctx, plan.perGroup);
    case "project":
      return projectExec(execute(plan.input, storage, ctx), plan.exprs, ctx);
    case "sort":
      return sortExec(execute(plan.input, storage, ctx), plan.keys, plan.fields, ctx);
    case "distinct":
      return distinctExec(execute(plan.input, storage, ctx), ctx);
    case "distinct_on":
      return distinctOnExec(
        execute(plan.input, storage, ctx),
        plan.keys,
        plan.order,
        plan.fields,
        ctx,
      );
    case "join": {
      const leftLen = plan.left.fields.length;
      const { keys, residual } = splitJoinCondition(plan.condition, leftLen);
      return joinExec(
        plan.joinType,
        execute(plan.left, storage, ctx),
        execute(plan.right, storage, ctx),
        plan.left.fields,
        plan.right.fields,
        keys,
        residual,
        ctx,
        (readsOnly(plan.left) && !readsOnly(plan.right)) ||
          ((plan.joinType === "left" || plan.joinType === "anti") && startsCheaply(plan.left)),
      );
    }
    case "set_op":
      return setOpExec(
        plan.op,
        plan.all,
        execute(plan.left, storage, ctx),
        execute(plan.right, storage, ctx),
        ctx,
      );
    case "recursive_cte":
      return recursiveCteExec(plan, storage, ctx);
    case "working_table":
      return workingTableExec(plan.id, ctx);
    case "series":
      return seriesExec(plan, ctx);
    case "unnest":
      return unnestExec(plan, ctx);
    case "aggregate":
      return aggregateExec(
        execute(plan.input, storage, ctx),
        plan.groups,
        plan.aggregates,
        plan.sets ?? null,
        ctx,
      );
    case "limit":
      if (plan.limitExpr !== undefined || plan.offsetExpr !== undefined) {
        return limitByExpressions(plan, () => execute(plan.input, storage, ctx), ctx);
      }
      return limitExec(execute(plan.input, storage, ctx), plan.limit, plan.offset, ctx);
    default:
      return unreachable(plan, "plan");
  }
}

/** Separates equality conjuncts usable as hash keys (left side = right side) from the rest. */
export function splitJoinCondition(
  condition: BoundExpr | null,
  leftLen: number,
): { keys: JoinKeys; residual: BoundExpr | null } {
  const left: BoundExpr[] = [];
  const right: BoundExpr[] = [];
  const rest: BoundExpr[] = [];
  for (const c of condition === null ? [] : conjuncts(condition)) {
    if (c.kind === "op" && c.op === "eq" && !isVolatile(c) && !containsSubquery(c)) {
      const a = [...columnsOf(c.left)];
      const b = [...columnsOf(c.right)];
      const aLeft = a.length > 0 && a.every((i) => i < leftLen);
      const aRight = a.length > 0 && a.every((i) => i >= leftLen);
      const bLeft = b.length > 0 && b.every((i) => i < leftLen);
      const bRight = b.length > 0 && b.every((i) => i >= leftLen);
      if (aLeft && bRight) {
        left.push(c.left);
        right.push(mapColumns(c.right, (i) => i - leftLen));
        continue;
      }
      if (aRight && bLeft) {
        left.push(c.right);
        right.push(mapColumns(c.left, (i) => i - leftLen));
        continue;
      }
    }
    rest.push(c);
  }
  return { keys: { left, right }, residual: andAll(rest) };
}

/** Rounds of a recursive CTE at most (a runaway recursion also meets the query timeout). */
export const recursionRoundsMax = 1_000_000;

async function* recursiveCteExec(
  plan: LogicalPlan & { kind: "recursive_cte" },
  storage: TableReader | null,
  ctx: ExecContext,
): AsyncGenerator<Batch> {
  const seen = plan.all ? null : new Set<string>();
  const fresh = (b: Batch): Batch | null => {
    if (seen === null) return b;
    const keep = new Uint32Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) {
      let key = "";
      for (const c of b.columns) key += rowKey(c, i);
      if (!seen.has(key)) {
        seen.add(key);
        keep[n++] = i;
      }
    }
    if (n === 0) return null;
    return n === b.length
      ? b
      : { columns: b.columns.map((c) => takeColumn(c, keep, n)), length: n };
  };
  let working: Batch[] = [];
  for await (const b of execute(plan.base, storage, ctx)) {
    const f = fresh(b);
    if (f === null) continue;
    working.push(f);
    ctx.reserve(f.length * f.columns.length * 16);
    yield f;
  }
  for (let round = 0; working.length > 0; round++) {
    if (round >= recursionRoundsMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `WITH RECURSIVE ran more than ${recursionRoundsMax} rounds`,
      );
    }
    ctx.check();
    ctx.workingTables.set(plan.id, working);
    const next: Batch[] = [];
    for await (const b of execute(plan.step, storage, ctx)) {
      const f = fresh(b);
      if (f === null) continue;
      next.push(f);
      ctx.reserve(f.length * f.columns.length * 16);
      yield f;
    }
    working = next;
  }
  ctx.workingTables.delete(plan.id);
}

async function* workingTableExec(id: number, ctx: ExecContext): AsyncGenerator<Batch> {
  yield* ctx.workingTables.get(id) ?? [];
}

/**
 * Whether a join input only reads tables: scans, joins of them (whose key comparisons do not
 * raise data errors) and filters that compare columns and constants of one type. Such an input
 * is cheap to try first, and cannot fail.
 */
function readsOnly(plan: LogicalPlan): boolean {
  if (plan.kind === "scan") return plan.filters.length === 0 && plan.system === undefined;
  if (plan.kind === "join") return readsOnly(plan.left) && readsOnly(plan.right);
  if (plan.kind === "filter") return cannotRaise(plan.predicate) && readsOnly(plan.input);
  return false;
}

/**
 * Whether a join input yields its first row without reading all of its input first: scans and
 * the filters and projections over them. PostgreSQL reads such an outer input of a LEFT or anti
 * join before the other side (a nested loop's or merge join's outer, a hash join's prefetched
 * outer tuple, or the hashed side of a Hash Right Join): when it is empty, the other side is
 * never read, nor its filters evaluated.
 */
function startsCheaply(plan: LogicalPlan): boolean {
  if (plan.kind === "scan") return true;
  if (plan.kind === "filter" || plan.kind === "project") return startsCheaply(plan.input);
  return false;
}

/** Comparisons of same-typed columns and constants under AND / OR / NOT: no data errors. */
function cannotRaise(e: BoundExpr): boolean {
  switch (e.kind) {
    case "column":
    case "const":
      return true;
    case "not":
      return cannotRaise(e.operand);
    case "op":
      if (e.op === "and" || e.op === "or") return cannotRaise(e.left) && cannotRaise(e.right);
      return ["eq", "ne", "lt", "le", "gt", "ge"].includes(e.op) &&
        e.left.type.kind === e.right.type.kind && cannotRaise(e.left) && cannotRaise(e.right);
    default:
      return false;
  }
}
