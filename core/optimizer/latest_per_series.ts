/**
 * Rule `latest_per_series`: `SELECT DISTINCT ON (tags) ... FROM t ORDER BY tags, ts DESC` (the
 * "last point per host" query) over a plain scan of a table with a designated timestamp column
 * asks storage for only the latest row of each series (`ScanRequest.latestBy`). It is a hint: an
 * engine that keeps no latest-row table, or whose series key does not cover the DISTINCT ON
 * columns, returns every row. The DISTINCT ON above always decides, so the answer is the same.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";

/** A scan (through plain column projections), and how its outputs map to the scan's. */
function scanBelow(
  plan: LogicalPlan,
): { scan: LogicalPlan & { kind: "scan" }; map: (c: number) => number | null } | null {
  if (plan.kind === "scan") return { scan: plan, map: (c) => c };
  if (plan.kind !== "project") return null;
  const inner = scanBelow(plan.input);
  if (inner === null) return null;
  return {
    scan: inner.scan,
    map: (c) => {
      const e = plan.exprs[c];
      return e?.kind === "column" ? inner.map(e.index) : null;
    },
  };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "distinct_on") return null;
  const below = scanBelow(plan.input);
  if (below === null) return null;
  const { scan, map } = below;
  const tsId = scan.table.options?.timestampColumnId ?? null;
  if (
    tsId === null || scan.latestBy !== undefined || scan.rowPositions === true ||
    scan.filters.length > 0 || (scan.pruning?.length ?? 0) > 0
  ) return null;
  const tablePos = (e: (typeof plan.keys)[number]): number | null => {
    if (e.kind !== "column") return null;
    const p = map(e.index);
    return p === null ? null : scan.projection[p] ?? null;
  };
  const keys = plan.keys.map(tablePos);
  if (keys.length === 0 || keys.some((k) => k === null)) return null;
  // ORDER BY the keys (any direction), then the timestamp descending
  const order = plan.order;
  if (order.length !== keys.length + 1) return null;
  for (let i = 0; i < keys.length; i++) {
    if (tablePos(order[i]!.expr) === null) return null;
  }
  const last = order[keys.length]!;
  const tsPos = tablePos(last.expr);
  const tsColumn = scan.table.columns[tsPos ?? -1];
  if (tsPos === null || tsColumn?.id !== tsId || !last.descending) return null;
  // DESC puts NULLs first: a NULL time would be "latest", which a latest-row table does not track
  if (!tsColumn.notNull && last.nullsFirst) return null;
  const latestBy = keys.map((k) => scan.table.columns[k!]!.id);
  const replace = (p: LogicalPlan): LogicalPlan =>
    p.kind === "scan"
      ? { ...p, latestBy }
      : { ...p, input: replace((p as { input: LogicalPlan }).input) } as LogicalPlan;
  return { ...plan, input: replace(plan.input) };
}

/** The rule. */
export const latestPerSeries: OptimizerRule = {
  name: "latest_per_series",
  phase: "optimizer",
  apply: rewrite,
};
