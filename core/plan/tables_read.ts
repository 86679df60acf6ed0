/**
 * Which tables a plan reads, subqueries in its expressions included.
 *
 * @module
 */
import { type LogicalPlan, planExpressions, planInputs } from "./logical_plan.ts";
import { walkBound } from "./expr_utils.ts";

/**
 * The ids of the tables a plan scans, its subqueries' scans included.
 *
 * @example
 * ```ts
 * import { tablesRead } from "./tables_read.ts";
 * const plan = { kind: "values" as const, rows: [[]], fields: [] };
 * console.assert(tablesRead(plan).size === 0);
 * ```
 */
export function tablesRead(plan: LogicalPlan): Set<number> {
  const out = new Set<number>();
  const walk = (p: LogicalPlan): void => {
    if (p.kind === "scan") out.add(p.table.id);
    for (const e of planExpressions(p)) {
      walkBound(e, (x) => {
        if (x.kind === "subquery") walk(x.plan);
      });
    }
    for (const i of planInputs(p)) walk(i);
  };
  walk(plan);
  return out;
}
