/**
 * EXPLAIN output: the optimized logical plan as indented text, one node per line, with
 * expressions written in SQL-like form and, for EXPLAIN ANALYZE, rows and time per node.
 *
 * @module
 */
import { unreachable } from "../errors.ts";
import { typeToSql } from "../types/data_type.ts";
import { formatValue } from "../types/format.ts";
import type { BoundExpr } from "./expr.ts";
import type { Field, LogicalPlan } from "./logical_plan.ts";
import { planInputs } from "./logical_plan.ts";

/** Measured rows and inclusive milliseconds per plan node (EXPLAIN ANALYZE). */
export type PlanProfile = ReadonlyMap<LogicalPlan, { readonly rows: number; readonly ms: number }>;

/** Types whose constants EXPLAIN shows as a quoted literal with a cast. */
const typedLiteralKinds = new Set([
  "date",
  "time",
  "timetz",
  "timestamp",
  "timestamptz",
  "interval",
]);

const OPS: Record<string, string> = {
  add: "+",
  sub: "-",
  mul: "*",
  div: "/",
  mod: "%",
  pow: "^",
  concat: "||",
  eq: "=",
  ne: "<>",
  lt: "<",
  le: "<=",
  gt: ">",
  ge: ">=",
  and: "AND",
  or: "OR",
};

function fieldName(f: Field | undefined, index: number): string {
  if (f === undefined) return `#${index}`;
  return f.qualifier === null ? f.name : `${f.qualifier}.${f.name}`;
}

/** An expression in SQL-like text, naming columns after the input fields. */
export function explainExpr(e: BoundExpr, input: readonly Field[]): string {
  const x = (c: BoundExpr) => explainExpr(c, input);
  switch (e.kind) {
    case "column":
      return fieldName(input[e.index], e.index);
    case "const":
      if (e.value === null) return "NULL";
      if (typeof e.value === "string") return `'${e.value.replaceAll("'", "''")}'`;
      if (typedLiteralKinds.has(e.type.kind)) {
        // date/time values are numbers inside: shown as PostgreSQL shows such a constant
        const text = formatValue(e.type, e.value) ?? "";
        return `'${text.replaceAll("'", "''")}'::${typeToSql(e.type)}`;
      }
      return String(e.value);
    case "param":
      return `$${e.index}`;
    case "outer_column":
      return `outer${e.depth}.#${e.index}`;
    case "op":
      return `(${x(e.left)} ${OPS[e.op] ?? e.op} ${x(e.right)})`;
    case "neg":
      return `(- ${x(e.operand)})`;
    case "not":
      return `(NOT ${x(e.operand)})`;
    case "is_null":
      return `(${x(e.operand)} IS ${e.negated ? "NOT " : ""}NULL)`;
    case "cast":
      return `${x(e.operand)}::${typeToSql(e.type)}`;
    case "case":
      return `CASE ${e.whens.map((w) => `WHEN ${x(w.when)} THEN ${x(w.then)}`).join(" ")} ELSE ${
        x(e.else)
      } END`;
    case "call":
      return `${e.fn.name}(${e.args.map(x).join(", ")})`;
    case "subquery":
      return `(${e.mode}${e.correlated ? " correlated" : ""} subquery${
        e.operand ? ` ${x(e.operand)}` : ""
      })`;
    default:
      return unreachable(e, "expression");
  }
}

function describe(plan: LogicalPlan): string {
  const inFields = planInputs(plan)[0]?.fields ?? [];
  switch (plan.kind) {
    case "scan":
      return `${plan.system ? `System Scan ${plan.table.schema}.` : "Scan "}${plan.table.name} (${
        plan.projection.map((i) => plan.table.columns[i]!.name).join(", ")
      })` + (plan.rowPositions ? " with row positions" : "") +
        (plan.filters.length
          ? ` filter: ${plan.filters.map((f) => explainExpr(f, plan.fields)).join(" AND ")}`
          : "");
    case "values":
      return `Values (${plan.rows.length} rows)`;
    case "filter":
      return `Filter ${explainExpr(plan.predicate, inFields)}`;
    case "project":
      return `Project ${
        plan.exprs.map((e, i) => `${explainExpr(e, inFields)} AS ${plan.fields[i]!.name}`).join(
          ", ",
        )
      }`;
    case "join": {
      const both = [...plan.left.fields, ...plan.right.fields];
      return `${plan.joinType[0]!.toUpperCase()}${plan.joinType.slice(1)} Join` +
        (plan.condition ? ` on ${explainExpr(plan.condition, both)}` : "");
    }
    case "aggregate": {
      const keys = plan.groups.map((g) => explainExpr(g, inFields)).join(", ");
      const aggs = plan.aggregates.map((a) =>
        `${a.fn.name}(${a.distinct ? "DISTINCT " : ""}${
          a.args.map((x) => explainExpr(x, inFields)).join(", ")
        })`
      ).join(", ");
      const sets = plan.sets ? ` sets: ${plan.sets.length}` : "";
      return `Aggregate${keys ? ` by ${keys}` : ""}${aggs ? ` computing ${aggs}` : ""}${sets}`;
    }
    case "set_op":
      return `${plan.op.toUpperCase()}${plan.all ? " ALL" : ""}`;
    case "recursive_cte":
      return `Recursive Union${plan.all ? " ALL" : ""} #${plan.id}`;
    case "working_table":
      return `Working Table #${plan.id}`;
    case "unnest":
      return `Unnest (${explainExpr(plan.array, [])})`;
    case "series":
      return `Generate Series (${explainExpr(plan.start, [])}, ${explainExpr(plan.stop, [])}, ${
        explainExpr(plan.step, [])
      })`;
    case "sort":
      return `Sort ${
        plan.keys.map((k) =>
          `${explainExpr(k.expr, inFields)}${k.descending ? " DESC" : ""}${
            k.nullsFirst !== k.descending ? (k.nullsFirst ? " NULLS FIRST" : " NULLS LAST") : ""
          }`
        ).join(", ")
      }`;
    case "distinct":
      return "Distinct";
    case "distinct_on":
      return `Distinct On ${
        plan.keys.map((k) => explainExpr(k, inFields)).join(", ")
      } keeping first by ${
        plan.order.map((k) => `${explainExpr(k.expr, inFields)}${k.descending ? " DESC" : ""}`)
          .join(", ")
      }`;
    case "limit": {
      const count = plan.limitExpr ? explainExpr(plan.limitExpr, []) : plan.limit ?? "ALL";
      const offset = plan.offsetExpr
        ? ` offset ${explainExpr(plan.offsetExpr, [])}`
        : plan.offset
        ? ` offset ${plan.offset}`
        : "";
      return `Limit ${count}${offset}`;
    }
    default:
      return unreachable(plan, "plan");
  }
}

/**
 * The plan as text lines.
 *
 * @example
 * ```ts
 * import { explainPlan } from "./explain.ts";
 * console.assert(explainPlan({ kind: "values", rows: [[]], fields: [] })[0] === "Values (1 rows)");
 * ```
 */
export function explainPlan(plan: LogicalPlan, profile: PlanProfile | null = null): string[] {
  const lines: string[] = [];
  const walk = (p: LogicalPlan, depth: number) => {
    const stats = profile?.get(p);
    const measured = stats ? `  (actual rows=${stats.rows} time=${stats.ms.toFixed(3)} ms)` : "";
    lines.push(`${depth === 0 ? "" : `${"  ".repeat(depth - 1)}->  `}${describe(p)}${measured}`);
    for (const i of planInputs(p)) walk(i, depth + 1);
  };
  walk(plan, 0);
  return lines;
}
