/**
 * Subqueries: scalar subqueries in the select list (uncorrelated or correlated, made single-row
 * by an aggregate or by ORDER BY ... LIMIT 1), [NOT] IN (with NULLs in the data), [NOT] EXISTS,
 * ANY/ALL, derived tables in FROM, WITH and WITH RECURSIVE (a small bounded counter).
 *
 * @module
 */

import fc from "fast-check";
import type { Expr } from "./gen_expr.ts";
import {
  comparable,
  dataFeatures,
  type FromClause,
  qualified,
  type QueryGenerator,
  type QueryScope,
  renderSelect,
  selectParts,
} from "./gen_select.ts";
import type { ColumnDef, SqlType, TableDef } from "./sql_case.ts";
import { sqlTypes } from "./sql_case.ts";

/** Rows a recursive CTE counts up to, at most. */
export const recursiveRowsMax = 8;

function e(sql: string, type: SqlType, features: readonly string[]): Expr {
  return { sql, type, features };
}

/** An optional inner WHERE over the inner columns, and the outer ones when correlated. */
function innerWhere(
  scope: QueryScope,
  inner: readonly ColumnDef[],
  outer: readonly ColumnDef[],
): fc.Arbitrary<{ sql: string; features: string[] }> {
  return fc.oneof(
    fc.constant({ sql: "", features: [] as string[] }),
    scope.exprs(inner).bool.map((w) => ({ sql: ` WHERE ${w.sql}`, features: [...w.features] })),
    scope.exprs([...inner, ...outer]).bool.map((w) => ({
      sql: ` WHERE ${w.sql}`,
      features: /\ba\.c\d/.test(w.sql) ? ["subquery.correlated", ...w.features] : [...w.features],
    })),
  );
}

/** A predicate over the outer row built on a subquery of table `t` (alias b). */
function subqueryPredicate(
  scope: QueryScope,
  outer: readonly ColumnDef[],
  t: TableDef,
): fc.Arbitrary<Expr> {
  const inner = qualified(t, "b");
  const outerExprs = scope.exprs(outer);
  const shapes: fc.Arbitrary<Expr>[] = [
    fc.tuple(innerWhere(scope, inner, outer), fc.boolean()).map(([w, not]) =>
      e(
        `(${not ? "NOT " : ""}EXISTS (SELECT 1 FROM ${t.name} AS b${w.sql}))`,
        "bool",
        ["subquery", "subquery.exists", ...w.features],
      )
    ),
  ];
  const cols = inner.filter((c) => sqlTypes.includes(c.type));
  if (cols.length > 0) {
    shapes.push(
      fc.constantFrom(...cols).chain((c) =>
        fc.tuple(
          fc.constantFrom(...sqlTypes.filter((x) => comparable(x, c.type))).chain((x) =>
            outerExprs[x]
          ),
          innerWhere(scope, inner, outer),
          // DuckDB has no mark join for INTERVAL (0A): only IN for those.
          c.type === "interval"
            ? fc.constantFrom("IN", "NOT IN")
            : fc.constantFrom("IN", "NOT IN", "= ANY", "<> ALL", "< ANY", ">= ALL", "= ALL"),
        ).map(([x, w, op]) =>
          e(
            `(${x.sql} ${op} (SELECT ${c.name} FROM ${t.name} AS b${w.sql}))`,
            "bool",
            [
              ...x.features,
              ...w.features,
              "subquery",
              op.endsWith("IN") ? "subquery.in" : "subquery.any_all",
              ...(op.startsWith("NOT") ? ["subquery.not_in"] : []),
            ],
          )
        )
      ),
    );
  }
  return fc.oneof(...shapes);
}

/** A scalar subquery of table `t`: an aggregate, or one value by ORDER BY ... LIMIT 1. */
function scalarSubquery(
  scope: QueryScope,
  outer: readonly ColumnDef[],
  t: TableDef,
): fc.Arbitrary<Expr> {
  const inner = qualified(t, "b");
  return fc.tuple(fc.constantFrom(...inner), innerWhere(scope, inner, outer), fc.nat({ max: 3 }))
    .map(([c, w, shape]) => {
      const f = ["subquery", "subquery.scalar", ...w.features];
      if (shape === 0) {
        return e(`(SELECT count(*) FROM ${t.name} AS b${w.sql})`, "int8", [...f, "agg.count"]);
      }
      // PostgreSQL has no min/max(boolean).
      if (shape === 1 || c.type === "bool") {
        return e(
          `(SELECT ${c.name} FROM ${t.name} AS b${w.sql} ORDER BY ${c.name} NULLS FIRST LIMIT 1)`,
          c.type,
          [...f, "subquery.limit1"],
        );
      }
      const agg = shape === 2 ? "max" : "min";
      return e(`(SELECT ${agg}(${c.name}) FROM ${t.name} AS b${w.sql})`, c.type, [
        ...f,
        `agg.${agg}`,
      ]);
    });
}

/** SELECT over t0 AS a with subqueries in the select list and/or WHERE. */
export const subqueryGenerator: QueryGenerator = {
  feature: "subquery",
  weight: 4,
  build: (scope) =>
    fc.tuple(fc.constantFrom(...scope.tables), fc.constantFrom(...scope.tables)).chain(
      ([a, b]) => {
        const outer = qualified(a, "a");
        const from: FromClause = {
          sql: `${a.name} AS a`,
          columns: outer,
          star: false,
          features: ["from", ...dataFeatures(a), ...dataFeatures(b)],
        };
        return fc.tuple(
          selectParts(scope.exprs(outer), true),
          fc.array(scalarSubquery(scope, outer, b), { maxLength: 2 }),
          fc.option(subqueryPredicate(scope, outer, b), { freq: 4, nil: null }),
          fc.constantFrom("AND", "OR"),
        ).map(([p, scalars, pred, andOr]) => {
          const where = pred === null
            ? p.where
            : p.where === null
            ? pred
            : e(`(${pred.sql} ${andOr} ${p.where.sql})`, "bool", [
              ...pred.features,
              ...p.where.features,
              "logic",
            ]);
          const items = [...p.items, ...scalars].slice(-4);
          return renderSelect(from, { ...p, star: false, items, where });
        });
      },
    ),
};

/** SELECT [DISTINCT] exprs AS d0.. FROM t [WHERE]: the body of a derived table or CTE. */
function innerSelect(
  scope: QueryScope,
  t: TableDef,
): fc.Arbitrary<{ sql: string; columns: ColumnDef[]; features: string[] }> {
  const ex = scope.exprs(t.columns);
  return fc.tuple(
    fc.array(fc.constantFrom(...sqlTypes).chain((ty) => ex[ty]), { minLength: 1, maxLength: 3 }),
    fc.option(ex.bool, { nil: null }),
    fc.boolean(),
  ).map(([items, where, distinct]) => ({
    sql: `SELECT ${distinct ? "DISTINCT " : ""}${
      items.map((x, i) => `${x.sql} AS d${i}`).join(", ")
    } FROM ${t.name}${where === null ? "" : ` WHERE ${where.sql}`}`,
    columns: items.map((x, i) => ({ name: `d${i}`, type: x.type })),
    features: [
      ...items.flatMap((x) => x.features),
      ...(where?.features ?? []),
      ...(distinct ? ["distinct"] : []),
      ...dataFeatures(t),
    ],
  }));
}

/** SELECT ... FROM (SELECT ...) AS s. */
export const derivedTableGenerator: QueryGenerator = {
  feature: "subquery.derived",
  weight: 2,
  build: (scope) =>
    fc.constantFrom(...scope.tables).chain((t) =>
      innerSelect(scope, t).chain((inner) => {
        const columns = inner.columns.map((c) => ({ name: `s.${c.name}`, type: c.type }));
        const from: FromClause = {
          sql: `(${inner.sql}) AS s`,
          columns,
          star: true,
          features: ["from", "subquery", "subquery.derived", ...inner.features],
        };
        return selectParts(scope.exprs(columns), true).map((p) => renderSelect(from, p));
      })
    ),
};

/** WITH s AS (SELECT ...) SELECT ... FROM s [JOIN t]; or WITH RECURSIVE r(n) counting to k. */
export const cteGenerator: QueryGenerator = {
  feature: "cte",
  weight: 2,
  build: (scope) => {
    const plain = fc.constantFrom(...scope.tables).chain((t) =>
      innerSelect(scope, t).chain((inner) => {
        const columns = inner.columns.map((c) => ({ name: `s.${c.name}`, type: c.type }));
        const prefix = `WITH s AS (${inner.sql}) `;
        const from: FromClause = {
          sql: "s",
          columns,
          star: true,
          features: ["from", "cte", ...inner.features],
        };
        return selectParts(scope.exprs(columns), true).map((p) => renderSelect(from, p, prefix));
      })
    );
    const recursive = fc.tuple(
      fc.integer({ min: 0, max: recursiveRowsMax }),
      fc.constantFrom(...scope.tables),
      fc.boolean(),
    ).chain(([k, t, join]) => {
      const prefix =
        `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < ${k}) `;
      const rn: ColumnDef = { name: "r.n", type: "int4" };
      const cols = join ? [rn, ...qualified(t, "a")] : [rn];
      const on = join
        ? scope.exprs(cols).bool
        : fc.constant({ sql: "", type: "bool" as const, features: [] as string[] });
      return fc.tuple(on, selectParts(scope.exprs(cols), true)).map(([cond, p]) =>
        renderSelect(
          {
            sql: join ? `r JOIN ${t.name} AS a ON ${cond.sql}` : "r",
            columns: cols,
            star: true,
            features: [
              "from",
              "cte",
              "cte.recursive",
              ...(join ? ["join", ...dataFeatures(t), ...cond.features] : []),
            ],
          },
          p,
          prefix,
        )
      );
    });
    return fc.oneof({ arbitrary: plain, weight: 2 }, { arbitrary: recursive, weight: 1 });
  },
};
