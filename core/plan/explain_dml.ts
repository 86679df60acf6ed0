/**
 * EXPLAIN of INSERT, UPDATE and DELETE: a line naming the change (`Update on t`, as PostgreSQL
 * prints it) above the plan of the rows it reads.
 *
 * @module
 */
import type { BoundDml } from "./bound_statement.ts";
import { explainPlan, type PlanProfile } from "./explain.ts";

/**
 * The lines of `EXPLAIN [ANALYZE] dml`. With ANALYZE, `affectedRows` is the statement's row
 * count, shown on the top line. An INSERT's ON CONFLICT adds PostgreSQL's `Conflict Resolution`
 * and `Conflict Arbiter Indexes` lines.
 *
 * @example
 * ```ts
 * import { explainDml } from "./explain_dml.ts";
 * import type { BoundDml } from "./bound_statement.ts";
 * const dml = {
 *   kind: "insert",
 *   table: { id: 1, schema: "public", name: "t", columns: [] },
 *   sourceIndexOfColumn: [],
 *   source: { kind: "values", rows: [[]], fields: [] },
 *   returning: null,
 * } as unknown as BoundDml;
 * const lines = explainDml(dml, null, null);
 * console.assert(lines[0] === "Insert on t" && lines[1] === "->  Values (1 rows)");
 * ```
 */
export function explainDml(
  dml: BoundDml,
  profile: PlanProfile | null,
  affectedRows: number | null,
): string[] {
  const verb = dml.kind === "insert" ? "Insert" : dml.kind === "update" ? "Update" : "Delete";
  const top = `${verb} on ${dml.table.name}` +
    (affectedRows === null ? "" : `  (actual rows=${affectedRows})`);
  const lines = explainPlan(dml.source, profile);
  const conflict = dml.kind === "insert" && dml.onConflict != null ? dml.onConflict : null;
  const props = conflict === null ? [] : [
    `  Conflict Resolution: ${conflict.action.kind === "nothing" ? "NOTHING" : "UPDATE"}`,
    ...(conflict.indexName === null ? [] : [`  Conflict Arbiter Indexes: ${conflict.indexName}`]),
  ];
  return [top, ...props, ...lines.map((l, i) => (i === 0 ? `->  ${l}` : `  ${l}`))];
}
