/**
 * Aggregate queries: GROUP BY expressions or ordinals, HAVING, count/sum/avg/min/max,
 * count(DISTINCT), bool_and/bool_or, string_agg with ORDER BY, stddev/variance, FILTER (WHERE),
 * and GROUPING SETS / ROLLUP / CUBE with GROUPING().
 *
 * @module
 */

import fc from "fast-check";
import type { OrderSpec } from "./compare.ts";
import { type Expr, numericTypes } from "./gen_expr.ts";
import { dataFeatures, limitMax, type QueryGenerator, type QueryScope } from "./gen_select.ts";
import type { ColumnDef, GeneratedQuery, SqlType, TableDef } from "./sql_case.ts";
import { sqlTypes } from "./sql_case.ts";

/** Group keys per query, at most. */
export const groupKeysMax = 2;
/** Aggregates per query, at most. */
export const aggregatesMax = 3;

type Exprs = Readonly<Record<SqlType, fc.Arbitrary<Expr>>>;

function e(sql: string, type: SqlType, features: readonly string[]): Expr {
  return { sql, type, features };
}

/** min/max work on every type but bool in PostgreSQL. */
const orderedTypes = sqlTypes.filter((t) => t !== "bool");

/** One aggregate call over arguments from `ex`, with an optional FILTER. */
function aggregateCall(ex: Exprs): fc.Arbitrary<Expr> {
  const arg = (types: readonly SqlType[]) => fc.constantFrom(...types).chain((t) => ex[t]);
  const calls: fc.Arbitrary<Expr>[] = [
    fc.constant(e("count(*)", "int8", ["agg", "agg.count"])),
    arg(sqlTypes).map((x) => e(`count(${x.sql})`, "int8", [...x.features, "agg", "agg.count"])),
    arg(sqlTypes).map((x) =>
      e(`count(DISTINCT ${x.sql})`, "int8", [...x.features, "agg", "agg.count_distinct"])
    ),
    arg(["int4", "int8", "numeric", "float8"]).map((x) =>
      e(`sum(${x.sql})`, x.type === "float8" ? "float8" : "numeric", [
        ...x.features,
        "agg",
        "agg.sum",
      ])
    ),
    arg(numericTypes).map((x) =>
      e(`avg(${x.sql})`, x.type === "float8" ? "float8" : "numeric", [
        ...x.features,
        "agg",
        "agg.avg",
      ])
    ),
    fc.tuple(fc.constantFrom("min", "max"), arg(orderedTypes)).map(([f, x]) =>
      e(`${f}(${x.sql})`, x.type, [...x.features, "agg", `agg.${f}`])
    ),
    fc.tuple(fc.constantFrom("bool_and", "bool_or"), ex.bool).map(([f, x]) =>
      e(`${f}(${x.sql})`, "bool", [...x.features, "agg", `agg.${f}`])
    ),
    // A constant argument needs no order (and DuckDB rejects ORDER BY a literal).
    fc.tuple(ex.text, fc.constantFrom(",", "", " | "), fc.boolean()).map(([x, sep, desc]) =>
      e(
        `string_agg(${x.sql}, '${sep}'${
          x.features.includes("column") ? ` ORDER BY ${x.sql}${desc ? " DESC" : ""}` : ""
        })`,
        "text",
        [...x.features, "agg", "agg.string_agg"],
      )
    ),
    fc.tuple(
      fc.constantFrom("stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop"),
      arg(["int4", "float8"]),
    ).map(([f, x]) => e(`${f}(${x.sql})`, "float8", [...x.features, "agg", "agg.stddev"])),
  ];
  return fc.tuple(fc.oneof(...calls), fc.option(ex.bool, { freq: 4, nil: null })).map((
    [call, filter],
  ) =>
    filter === null || call.sql.includes("DISTINCT")
      ? call
      : e(`${call.sql} FILTER (WHERE ${filter.sql})`, call.type, [
        ...call.features,
        ...filter.features,
        "agg.filter",
      ])
  );
}

/** Group keys: plain columns mostly, sometimes expressions. */
function groupKey(columns: readonly ColumnDef[], ex: Exprs): fc.Arbitrary<Expr> {
  const col = columns.length === 0
    ? fc.constantFrom(...sqlTypes).chain((t) => ex[t])
    : fc.constantFrom(...columns).map((c) => e(c.name, c.type, ["column"]));
  // A constant key would read as an ordinal, or be rejected as a non-integer constant.
  const expr = fc.constantFrom(...sqlTypes).chain((t) => ex[t]).filter((x) =>
    x.features.includes("column")
  );
  return fc.oneof({ arbitrary: col, weight: 3 }, { arbitrary: expr, weight: 1 });
}

interface AggQuery {
  readonly keys: readonly Expr[];
  readonly aggs: readonly Expr[];
  readonly where: Expr | null;
  readonly having: Expr | null;
}

function aggParts(
  scope: QueryScope,
  t: TableDef,
  keysMin: number,
  columnKeysOnly: boolean,
): fc.Arbitrary<AggQuery> {
  const ex = scope.exprs(t.columns);
  const key = columnKeysOnly
    ? fc.constantFrom(...t.columns).map((c) => e(c.name, c.type, ["column"]))
    : groupKey(t.columns, ex);
  return fc.record({
    keys: fc.array(key, { minLength: keysMin, maxLength: groupKeysMax }),
    aggs: fc.array(aggregateCall(ex), { minLength: 1, maxLength: aggregatesMax }),
    where: fc.option(ex.bool, { freq: 3, nil: null }),
    having: fc.option(
      fc.oneof(
        fc.tuple(fc.constantFrom(">", "<=", "="), fc.integer({ min: 0, max: 3 })).map((
          [op, k],
        ) => e(`(count(*) ${op} ${k})`, "bool", ["agg.count"])),
        // Against a constant: a bare column would have to be grouped.
        aggregateCall(ex).chain((a) =>
          scope.exprs([])[a.type].map((x) =>
            e(`(${a.sql} >= ${x.sql})`, "bool", [...a.features, ...x.features])
          )
        ),
      ),
      { freq: 3, nil: null },
    ),
  });
}

/** Renders SELECT keys..., aggs... FROM t [WHERE] GROUP BY ... [HAVING] [ORDER BY keys]. */
function renderAggregate(
  t: TableDef,
  q: AggQuery,
  groupBy: (keys: readonly Expr[]) => { sql: string; features: string[] },
  extraItems: readonly Expr[],
  order: { ordered: boolean; limit: number | null },
): GeneratedQuery {
  const features = new Set<string>(["select", "from", "agg", ...dataFeatures(t)]);
  const items = [...q.keys, ...extraItems, ...q.aggs];
  for (const x of items) for (const f of x.features) features.add(f);
  let sql = `SELECT ${items.map((x, i) => `${x.sql} AS r${i}`).join(", ")} FROM ${t.name}`;
  if (q.where !== null) {
    sql += ` WHERE ${q.where.sql}`;
    features.add("where");
    for (const f of q.where.features) features.add(f);
  }
  if (q.keys.length > 0) {
    const g = groupBy(q.keys);
    sql += ` GROUP BY ${g.sql}`;
    for (const f of ["group_by", ...g.features]) features.add(f);
  }
  if (q.having !== null) {
    sql += ` HAVING ${q.having.sql}`;
    features.add("having");
    for (const f of q.having.features) features.add(f);
  }
  let spec: OrderSpec | null = null;
  const keyCount = q.keys.length + extraItems.length;
  if (order.ordered && keyCount > 0) {
    // Every group key (and GROUPING()) orders, so the order of groups is total.
    const keys = Array.from({ length: keyCount }, (_, i) => i);
    sql += ` ORDER BY ${keys.map((i) => String(i + 1)).join(", ")}`;
    features.add("order_by");
    if (order.limit !== null) {
      sql += ` LIMIT ${order.limit}`;
      features.add("limit");
    }
    spec = { keyColumns: keys, limited: order.limit !== null, offset: false };
  }
  return { sql, features: [...features].sort(), order: spec };
}

const orderArb = fc.record({
  ordered: fc.boolean(),
  limit: fc.option(fc.nat({ max: limitMax }), { freq: 2, nil: null }),
});

/** Aggregates with or without GROUP BY (by expression or by ordinal), HAVING, FILTER. */
export const aggregateGenerator: QueryGenerator = {
  feature: "agg",
  weight: 4,
  build: (scope) =>
    fc.constantFrom(...scope.tables).chain((t) =>
      fc.tuple(aggParts(scope, t, 0, false), fc.boolean(), orderArb).map(([q, ordinals, order]) =>
        renderAggregate(
          t,
          q,
          (keys) =>
            ordinals
              ? {
                sql: keys.map((_, i) => String(i + 1)).join(", "),
                features: ["group_by.ordinal"],
              }
              : { sql: keys.map((k) => k.sql).join(", "), features: [] },
          [],
          order,
        )
      )
    ),
};

/** GROUPING SETS, ROLLUP and CUBE over one or two keys, with GROUPING(keys). */
export const groupingSetsGenerator: QueryGenerator = {
  feature: "grouping_sets",
  weight: 2,
  build: (scope) =>
    fc.constantFrom(...scope.tables).chain((t) =>
      fc.tuple(
        aggParts(scope, t, 1, true),
        fc.constantFrom("ROLLUP", "CUBE", "GROUPING SETS"),
        fc.boolean(),
        orderArb,
      ).map(([q, kind, withGrouping, order]) => {
        const ks = q.keys.map((k) => k.sql);
        const grouping = withGrouping
          ? [e(`GROUPING(${ks.join(", ")})`, "int4", ["grouping_sets.grouping"])]
          : [];
        return renderAggregate(
          t,
          q,
          () => {
            const body = kind === "GROUPING SETS"
              ? [`(${ks.join(", ")})`, ...ks.map((k) => `(${k})`), "()"].join(", ")
              : ks.join(", ");
            return {
              sql: `${kind} (${body})`,
              features: ["grouping_sets", `grouping_sets.${kind.split(" ")[0]?.toLowerCase()}`],
            };
          },
          grouping,
          order,
        );
      })
    ),
};
