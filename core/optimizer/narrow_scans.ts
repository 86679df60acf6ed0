/**
 * Rule `narrow_scans`: a projection or aggregation over a table scan (through filters) reads only
 * the columns it and the filters use, so a columnar engine decodes only those (`count(*)` reads
 * none). PostgreSQL's planner builds scan target lists the same way (only needed attributes).
 * Plans with subqueries are left alone: a correlated reference inside one names scan columns by
 * position.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { BoundAggregate, BoundExpr } from "../plan/expr.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { columnsOf, containsSubquery, mapColumns } from "../plan/expr_utils.ts";

function aggregateExprs(a: BoundAggregate): BoundExpr[] {
  return [
    ...a.args,
    ...(a.filter === null ? [] : [a.filter]),
    ...(a.orderBy ?? []).map((o) => o.expr),
  ];
}

function mapAggregate(a: BoundAggregate, f: (c: number) => number): BoundAggregate {
  return {
    ...a,
    args: a.args.map((e) => mapColumns(e, f)),
    filter: a.filter === null ? null : mapColumns(a.filter, f),
    ...(a.orderBy === undefined
      ? {}
      : { orderBy: a.orderBy.map((o) => ({ ...o, expr: mapColumns(o.expr, f) })) }),
  };
}

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "project" && plan.kind !== "aggregate") return null;
  const filters: (LogicalPlan & { kind: "filter" })[] = [];
  let node = plan.input;
  while (node.kind === "filter") {
    filters.push(node);
    node = node.input;
  }
  if (node.kind !== "scan" || node.rowPositions === true) return null;
  const scan = node;
  const readers: BoundExpr[] = plan.kind === "project"
    ? [...plan.exprs]
    : [...plan.groups, ...plan.aggregates.flatMap(aggregateExprs)];
  readers.push(...filters.map((f) => f.predicate), ...scan.filters, ...(scan.pruning ?? []));
  if (readers.some(containsSubquery)) return null;
  const used = new Set<number>();
  for (const e of readers) columnsOf(e, used);
  if (used.size >= scan.projection.length) return null;
  const keep = [...used].sort((a, b) => a - b);
  const remap = new Map(keep.map((c, i) => [c, i]));
  const f = (c: number) => remap.get(c)!;
  let input: LogicalPlan = {
    ...scan,
    projection: keep.map((i) => scan.projection[i]!),
    fields: keep.map((i) => scan.fields[i]!),
    filters: scan.filters.map((e) => mapColumns(e, f)),
    ...(scan.pruning === undefined ? {} : { pruning: scan.pruning.map((e) => mapColumns(e, f)) }),
  };
  for (let k = filters.length - 1; k >= 0; k--) {
    const flt = filters[k]!;
    input = { ...flt, input, predicate: mapColumns(flt.predicate, f), fields: input.fields };
  }
  if (plan.kind === "project") {
    return { ...plan, input, exprs: plan.exprs.map((e) => mapColumns(e, f)) };
  }
  return {
    ...plan,
    input,
    groups: plan.groups.map((e) => mapColumns(e, f)),
    aggregates: plan.aggregates.map((a) => mapAggregate(a, f)),
  };
}

/** The rule. */
export const narrowScans: OptimizerRule = {
  name: "narrow_scans",
  phase: "optimizer",
  apply: rewrite,
};
