/**
 * Enforcing CHECK constraints: every row about to be stored (INSERT, UPDATE, COPY, CREATE TABLE
 * AS, the bulk API) must not make one of its table's checks false; NULL passes, as in SQL.
 * PostgreSQL checks NOT NULL first, then the checks in name order, then unique keys: the
 * engine calls {@link checkConstraints} between its NOT NULL and unique checks.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { Catalog } from "../catalog/catalog.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { Clock } from "../env/clock.ts";
import type { Limits } from "../limits.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { Query } from "../sql/ast.ts";
import { bindTableChecks } from "../plan/binder.ts";
import { type BoundCheck, clipBytes } from "../plan/bind_check.ts";
import { ExecContext } from "../exec/context.ts";
import { evaluate } from "../exec/eval.ts";
import type { Batch } from "../types/batch.ts";
import { type Column, isValid, valueAt } from "../types/column.ts";
import { formatValue } from "../types/format.ts";
import type { TimeZone } from "../types/time_zone.ts";

/** What binding and evaluating a table's checks needs. */
export interface CheckConstraintDeps {
  readonly catalog: Catalog;
  /** Its SQL parser reads the checks' stored text back. */
  readonly registry: PluginRegistry;
  readonly clock: Clock;
  readonly limits: Limits;
  /** The session time zone: how timestamptz values print in the error's detail (UTC if absent). */
  readonly timeZone?: TimeZone;
}

/** Bytes of one value shown in a "Failing row contains" detail (PostgreSQL's limit). */
export const failingRowValueBytesMax = 64;

/**
 * Checks new rows of `table` against its CHECK constraints, bound for this call (so `now()` in
 * a check is the time of the statement). Throws PostgreSQL's 23514 `new row for relation "t"
 * violates check constraint "t_v_check"` with detail `Failing row contains (1, -5).` for the
 * first row that makes a check false, naming the first such check by name; stores nothing.
 *
 * @example
 * ```ts
 * import { checkConstraints } from "./check_constraints.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { systemClock } from "../env/mod.ts";
 * import { columnFromValues, Types } from "../types/mod.ts";
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const catalog = new Catalog(defaultLimits);
 * const t = catalog.createTable("public", "t", [{ name: "v", type: Types.int4, notNull: false }],
 *   null, [{ name: "t_v_check", sql: "v > 0" }]);
 * const deps = { catalog, registry: db.registry, clock: systemClock, limits: defaultLimits };
 * checkConstraints(t, { columns: [columnFromValues(Types.int4, [1, null])], length: 2 }, deps);
 * try {
 *   checkConstraints(t, { columns: [columnFromValues(Types.int4, [1, -5])], length: 2 }, deps);
 *   console.assert(false);
 * } catch (e) {
 *   console.assert((e as { detail: string }).detail === "Failing row contains (-5).");
 * }
 * await db.close();
 * ```
 */
export function checkConstraints(
  table: TableSchema,
  batch: Batch,
  deps: CheckConstraintDeps,
): void {
  if ((table.checks?.length ?? 0) === 0 || batch.length === 0) return;
  const parser = deps.registry.parser();
  if (parser === null) {
    throw new DbError(
      SqlState.featureNotSupported,
      `table "${table.name}" has CHECK constraints, which need a SQL parser plugin`,
    );
  }
  const parseQuery = (sql: string): Query => {
    const [stmt, ...rest] = parser.parse(sql, { limits: deps.limits });
    if (stmt === undefined || stmt.kind !== "query" || rest.length > 0) {
      throw new DbError(SqlState.dataCorrupted, `bad stored CHECK constraint "${sql}"`);
    }
    return stmt.query;
  };
  const checks = bindTableChecks(table, {
    catalog: deps.catalog,
    registry: deps.registry,
    params: [],
    parseQuery,
    statementTimeMicros: deps.clock.nowMicros(),
    ...(deps.timeZone === undefined ? {} : { timeZone: deps.timeZone }),
  });
  const ctx = new ExecContext(deps.clock, deps.limits, [], null, 0);
  const failed = firstFailure(checks, batch, ctx);
  if (failed === null) return;
  throw new DbError(
    SqlState.checkViolation,
    `new row for relation "${table.name}" violates check constraint "${failed.check.name}"`,
    { detail: failingRowDetail(batch, failed.row, deps.timeZone) },
  );
}

/**
 * The first row (in batch order) that makes one of `checks` false, with the first such check in
 * `checks` order; `null` when every row passes (true or NULL).
 *
 * @example
 * ```ts
 * import { firstFailure } from "./check_constraints.ts";
 * import { ExecContext } from "../exec/context.ts";
 * import { systemClock } from "../env/mod.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { columnFromValues, Types } from "../types/mod.ts";
 * const ctx = new ExecContext(systemClock, defaultLimits, [], null, 0);
 * const batch = { columns: [columnFromValues(Types.bool, [true, null, false])], length: 3 };
 * const check = { name: "c", expr: { kind: "column", index: 0, type: Types.bool } } as const;
 * console.assert(firstFailure([check], batch, ctx)?.row === 2);
 * ```
 */
export function firstFailure(
  checks: readonly BoundCheck[],
  batch: Batch,
  ctx: ExecContext,
): { check: BoundCheck; row: number } | null {
  let best: { check: BoundCheck; row: number } | null = null;
  for (const check of checks) {
    const result = evaluate(check.expr, batch, ctx);
    const end = best === null ? batch.length : best.row; // an earlier row wins; ties: name order
    for (let i = 0; i < end; i++) {
      if (isFalse(result, i)) {
        best = { check, row: i };
        break;
      }
    }
  }
  return best;
}

/** Whether row `i` of a boolean result is FALSE (not TRUE, not NULL). */
function isFalse(result: Column, i: number): boolean {
  return result.kind === "bool" && isValid(result.validity, i) && result.data[i] === 0;
}

/**
 * PostgreSQL's `Failing row contains (...)` detail: each value of row `row` in its text form,
 * `null` for NULL, cut to {@link failingRowValueBytesMax} bytes with `...` after.
 *
 * @example
 * ```ts
 * import { failingRowDetail } from "./check_constraints.ts";
 * import { columnFromValues, Types } from "../types/mod.ts";
 * const batch = {
 *   columns: [columnFromValues(Types.int4, [-5]), columnFromValues(Types.text, [null])],
 *   length: 1,
 * };
 * console.assert(failingRowDetail(batch, 0) === "Failing row contains (-5, null).");
 * ```
 */
export function failingRowDetail(batch: Batch, row: number, zone?: TimeZone): string {
  const values = batch.columns.map((c) => {
    const text = formatValue(c.type, valueAt(c, row), zone);
    return text === null ? "null" : clipValue(text);
  });
  return `Failing row contains (${values.join(", ")}).`;
}

function clipValue(text: string): string {
  const clipped = clipBytes(text, failingRowValueBytesMax);
  return clipped.length === text.length ? text : `${clipped}...`;
}
