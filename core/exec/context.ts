/**
 * What every operator gets: the deadline and cancellation signal it must check inside long
 * loops, parameter values, and the per-query memory budget.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Clock } from "../env/clock.ts";
import type { Limits } from "../limits.ts";
import type { Column, Value } from "../types/column.ts";
import type { Batch } from "../types/batch.ts";
import type { BoundSubquery } from "../plan/expr.ts";
import type { DataType } from "../types/data_type.ts";
import type { TimeZone } from "../types/time_zone.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";

/** A result of an uncorrelated subquery, computed once per query. */
export type SubqueryResult =
  | { readonly kind: "scalar"; readonly column: Column }
  | { readonly kind: "exists"; readonly exists: boolean }
  | { readonly kind: "in"; readonly keys: ReadonlySet<string>; readonly hasNull: boolean }
  | {
    readonly kind: "values";
    /** The rows the subquery produced, in order (those before `error`, when it raised). */
    readonly column: Column;
    /**
     * A data exception (class 22) the subquery raised after `column`'s rows: raised only by a
     * comparison that needs the rows after them (see `prepareSubqueries`).
     */
    readonly error: DbError | null;
  };

/** A parameter's value cast to a type (in a time zone), once per query. */
export interface ParamCast {
  readonly type: DataType;
  readonly zone: TimeZone | undefined;
  readonly column: Column;
}

/** {@link ExecContext.check} reads the clock at every this many calls. */
export const checkClockEvery = 4;

/** Per-query execution state. */
export class ExecContext {
  readonly #deadlineMs: number;
  #memoryBytes = 0;
  /** Rows of enclosing queries, innermost last, while a correlated subquery runs. */
  readonly outer: { batch: Batch; row: number }[] = [];
  // the maps below are made on first use: most queries need none of them
  #subqueryColumns: Map<BoundSubquery, Column> | null = null;
  #paramCasts: Map<number, ParamCast[]> | null = null;
  #subqueryCache: Map<BoundSubquery, SubqueryResult> | null = null;
  #workingTables: Map<number, readonly Batch[]> | null = null;

  /** Subquery values for the batch being evaluated (filled by `prepareSubqueries`). */
  get subqueryColumns(): Map<BoundSubquery, Column> {
    return this.#subqueryColumns ??= new Map();
  }
  /**
   * `CAST($n AS type)` values (one row each) by parameter number, computed once per query: the
   * same cast met in several copies of an expression (a scan's pushed-down filter and the
   * filter above it) reads the value's text once.
   */
  get paramCasts(): Map<number, ParamCast[]> {
    return this.#paramCasts ??= new Map();
  }
  /** Results of uncorrelated subqueries, computed once per query. */
  get subqueryCache(): Map<BoundSubquery, SubqueryResult> {
    return this.#subqueryCache ??= new Map();
  }
  /** The previous round's rows of each running WITH RECURSIVE, by id. */
  get workingTables(): Map<number, readonly Batch[]> {
    return this.#workingTables ??= new Map();
  }
  /** Rows and inclusive time per plan node, collected for EXPLAIN ANALYZE; `null` otherwise. */
  profile: Map<LogicalPlan, { rows: number; ms: number }> | null = null;
  /** Runs a plan with this context (set by the physical planner). */
  runPlan: ((plan: LogicalPlan) => AsyncIterable<Batch>) | null = null;

  /**
   * @param timeoutMs the statement timeout (0 = none), counted from `startMs` (a reading of
   *   `clock.monotonicMs()` the caller already took; read now when absent).
   */
  constructor(
    readonly clock: Clock,
    readonly limits: Limits,
    readonly params: readonly Value[],
    readonly signal: AbortSignal | null,
    timeoutMs: number,
    startMs?: number,
  ) {
    this.#deadlineMs = timeoutMs > 0 ? (startMs ?? clock.monotonicMs()) + timeoutMs : Infinity;
  }

  /** Calls of {@link check} so far. */
  #checks = 0;

  /**
   * Throws 57014 when the query was cancelled or ran past its deadline. The cancellation flag
   * is read at every call, the clock at every {@link checkClockEvery}th (callers check between
   * batches and inside long loops, so a deadline is still met within a few batches; a short
   * query reads no clock at all).
   */
  check(): void {
    if (this.signal?.aborted) {
      throw new DbError(SqlState.queryCanceled, "canceling statement due to user request");
    }
    if (
      this.#deadlineMs !== Infinity && ++this.#checks % checkClockEvery === 0 &&
      this.clock.monotonicMs() > this.#deadlineMs
    ) {
      throw new DbError(SqlState.queryCanceled, "canceling statement due to statement timeout");
    }
  }

  /** Accounts `bytes` against the query's memory budget; 53200 when it is exceeded. */
  reserve(bytes: number): void {
    this.#memoryBytes += bytes;
    if (this.#memoryBytes > this.limits.queryMemoryBytesMax) {
      throw new DbError(
        SqlState.outOfMemory,
        `query needs more than ${this.limits.queryMemoryBytesMax} bytes of memory`,
        { hint: "raise the query memory limit or make the query smaller" },
      );
    }
  }
}
