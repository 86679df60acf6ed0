/**
 * The synchronous executor: a plan of scans, filters, projections, VALUES and constant LIMITs
 * without subqueries (a point lookup, `SELECT 1`) runs here without a promise per operator and
 * batch. Over a network protocol such a query's cost is mostly fixed overhead per query, and
 * the asynchronous pipeline's promises and generator frames are most of what the engine adds.
 *
 * The answers are the asynchronous executor's: the same filter, projection and VALUES steps
 * (see filter_exec.ts, project_exec.ts, values_exec.ts) over the same batches. Two cases it
 * leaves to that executor, which the caller then runs from the start: a scan that would wait
 * for I/O ({@link ScanWouldWait}), and any error, since the asynchronous executor decides which
 * rows before a failing one still come out (rows_before_error.ts). Neither has side effects:
 * the plans here only read.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const s = db.session();
 * await s.query("SELECT 1 + 1"); // binds the plan; cached plans then run synchronously
 * console.assert(s.querySync("SELECT 1 + 1")![0]!.rows[0]![0] === 2);
 * await s.close();
 * await db.close();
 * ```
 *
 * @module
 */
import type { Batch } from "../types/batch.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import type { TableReader } from "../plugin/storage.ts";
import { containsSubquery } from "../plan/expr_utils.ts";
import { ScanWouldWait } from "../plugin/storage.ts";
import type { ExecContext } from "./context.ts";
import { gateHolds, rowsKept, splitGates } from "./filter_exec.ts";
import { projectedRows } from "./project_exec.ts";
import { valuesBatch } from "./values_exec.ts";
import { withParamValues } from "./scan_params.ts";
import { LimitWindow } from "./limit_exec.ts";
import { AssertionError } from "../errors.ts";

/**
 * Whether {@link executeSync} can run `plan`: only scans (of stored tables, through a reader
 * with `scanSync`), filters, projections, VALUES and LIMITs with constant counts, and no
 * subquery anywhere.
 */
export function runsSync(plan: LogicalPlan): boolean {
  switch (plan.kind) {
    case "scan":
      return plan.system === undefined && plan.rowPositions !== true &&
        !plan.filters.some(containsSubquery);
    case "values":
      return plan.rows.every((row) => !row.some(containsSubquery));
    case "filter":
      return !containsSubquery(plan.predicate) && runsSync(plan.input);
    case "project":
      return !plan.exprs.some(containsSubquery) && runsSync(plan.input);
    case "limit":
      return plan.limitExpr === undefined && plan.offsetExpr === undefined &&
        runsSync(plan.input);
    default:
      return false;
  }
}

/**
 * Runs a plan that {@link runsSync} accepts. Iterating throws {@link ScanWouldWait} when a
 * scan would wait for I/O; a reader without `scanSync` counts as one that always would.
 */
export function executeSync(
  plan: LogicalPlan,
  reader: TableReader | null,
  ctx: ExecContext,
): Iterable<Batch> {
  switch (plan.kind) {
    case "scan": {
      if (reader?.scanSync === undefined) throw new ScanWouldWait();
      const filters = withParamValues(plan.filters, ctx);
      const rows = reader.scanSync(plan.table.id, {
        projection: plan.projection,
        filters: plan.pruning === undefined
          ? filters
          : [...filters, ...withParamValues(plan.pruning, ctx)],
        ...(plan.latestBy !== undefined ? { latestBy: plan.latestBy } : {}),
        limit: null,
        signal: ctx.signal,
      });
      // pushed filters are always re-checked: an engine may answer them inexactly
      return filters.length === 0 ? rows : steps(rows, rowsKept(filters, ctx), ctx);
    }
    case "values":
      return valuesSync(plan, ctx);
    case "filter": {
      const { gates, rest } = splitGates(plan.predicate);
      // the one-time filter runs before the input is built (a VALUES input evaluates then)
      for (const g of gates) if (!gateHolds(g, ctx)) return [];
      const input = executeSync(plan.input, reader, ctx);
      return rest.length === 0
        ? input
        : steps(input, rowsKept(withParamValues(rest, ctx), ctx), ctx);
    }
    case "project":
      return steps(executeSync(plan.input, reader, ctx), projectedRows(plan.exprs, ctx), ctx);
    case "limit":
      return limitSync(executeSync(plan.input, reader, ctx), plan.limit, plan.offset, ctx);
    default:
      throw new AssertionError(`executeSync: ${plan.kind} does not run synchronously`);
  }
}

function* steps(
  input: Iterable<Batch>,
  step: (batch: Batch) => Batch,
  ctx: ExecContext,
): Generator<Batch> {
  for (const batch of input) {
    ctx.check();
    const out = step(batch);
    if (out.length > 0) yield out;
  }
}

function* valuesSync(plan: LogicalPlan & { kind: "values" }, ctx: ExecContext): Generator<Batch> {
  const rows = plan.rows;
  const batchRows = ctx.limits.batchRowsMax;
  for (let start = 0; start < rows.length; start += batchRows) {
    ctx.check();
    const chunk = rows.length <= batchRows ? rows : rows.slice(start, start + batchRows);
    yield valuesBatch(chunk, plan.fields, ctx);
  }
}

function* limitSync(
  input: Iterable<Batch>,
  limit: number | null,
  offset: number,
  ctx: ExecContext,
): Generator<Batch> {
  const window = new LimitWindow(limit, offset);
  if (window.done) return;
  for (const batch of input) {
    ctx.check();
    const out = window.take(batch);
    if (out !== null) yield out;
    if (window.done) return;
  }
}
