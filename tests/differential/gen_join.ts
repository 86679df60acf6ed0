/**
 * Join queries: INNER/LEFT/RIGHT/FULL JOIN ... ON (equi and non-equi conditions), USING, NATURAL,
 * CROSS JOIN, comma joins filtered in WHERE, three-table joins and self-joins, each feeding the
 * generic SELECT of `gen_select.ts` with the qualified columns of every joined table.
 *
 * @module
 */

import fc from "fast-check";
import type { Expr } from "./gen_expr.ts";
import {
  equiPairs,
  type FromClause,
  qualified,
  type QueryGenerator,
  type QueryScope,
  renderSelect,
  selectParts,
} from "./gen_select.ts";
import type { ColumnDef, TableDef } from "./sql_case.ts";
import { dataFeatures } from "./gen_select.ts";

const joinKinds = ["INNER", "LEFT", "RIGHT", "FULL"] as const;

/** An ON condition: an equality of comparable columns, a generated predicate, or both. */
function onCondition(
  scope: QueryScope,
  left: readonly ColumnDef[],
  right: readonly ColumnDef[],
): fc.Arbitrary<{ sql: string; features: string[] }> {
  const pairs = equiPairs(left, right);
  const pred = scope.exprs([...left, ...right]).bool;
  const nonEqui = pred.map((e: Expr) => ({
    sql: e.sql,
    features: ["join.non_equi", ...e.features],
  }));
  if (pairs.length === 0) return nonEqui;
  const equi = fc.constantFrom(...pairs).map(([l, r]) => ({
    sql: `(${l.name} = ${r.name})`,
    features: ["join.equi"],
  }));
  return fc.oneof(
    { arbitrary: equi, weight: 3 },
    { arbitrary: nonEqui, weight: 1 },
    {
      arbitrary: fc.tuple(equi, pred).map(([q, e]) => ({
        sql: `(${q.sql} AND ${e.sql})`,
        features: ["join.equi", "join.non_equi", "logic", ...e.features],
      })),
      weight: 1,
    },
  );
}

/**
 * A join kind and its ON condition. PostgreSQL runs FULL JOIN only on merge- or hash-joinable
 * conditions (else 0A000), so FULL gets a plain column equality.
 */
function joinOn(
  scope: QueryScope,
  left: readonly ColumnDef[],
  right: readonly ColumnDef[],
): fc.Arbitrary<[string, { sql: string; features: string[] }]> {
  const pairs = equiPairs(left, right);
  const kinds = pairs.length === 0 ? joinKinds.filter((k) => k !== "FULL") : joinKinds;
  return fc.constantFrom(...kinds).chain((k) =>
    k === "FULL"
      ? fc.constantFrom(...pairs).map(([l, r]): [string, { sql: string; features: string[] }] => [
        k,
        { sql: `(${l.name} = ${r.name})`, features: ["join.equi"] },
      ])
      : onCondition(scope, left, right).map((on): [string, { sql: string; features: string[] }] => [
        k,
        on,
      ])
  );
}

/** Columns with the same name and type in both tables (USING and NATURAL need them). */
function sharedColumns(a: TableDef, b: TableDef): string[] {
  return a.columns.filter((c) => b.columns.some((d) => d.name === c.name && d.type === c.type))
    .map((c) => c.name);
}

/** True when every column name the two tables share has the same type in both. */
function naturalOk(a: TableDef, b: TableDef): boolean {
  return a.columns.every((c) => b.columns.every((d) => d.name !== c.name || d.type === c.type));
}

function tableFeatures(...ts: TableDef[]): string[] {
  return ["from", ...ts.flatMap(dataFeatures)];
}

/** Two-table FROM clauses of every join kind. */
function twoTableFrom(scope: QueryScope, a: TableDef, b: TableDef): fc.Arbitrary<FromClause> {
  const self = a === b;
  const la = qualified(a, "a");
  const lb = qualified(b, "b");
  const base = [...tableFeatures(a, b), "join", ...(self ? ["join.self"] : [])];
  const from = (sql: string, features: string[], columns = [...la, ...lb], star = true) => ({
    sql,
    columns,
    star,
    features: [...base, ...features],
  });
  const shapes: fc.Arbitrary<FromClause>[] = [
    joinOn(scope, la, lb).map(([k, on]) =>
      from(`${a.name} AS a ${k} JOIN ${b.name} AS b ON ${on.sql}`, [
        `join.${k.toLowerCase()}`,
        ...on.features,
      ])
    ),
    fc.constant(from(`${a.name} AS a CROSS JOIN ${b.name} AS b`, ["join.cross"])),
    // A comma join: its condition goes in WHERE (see commaWhere).
    fc.constant(from(`${a.name} AS a, ${b.name} AS b`, ["join.comma"])),
  ];
  const shared = self ? [] : sharedColumns(a, b);
  if (shared.length > 0) {
    shapes.push(
      fc.tuple(
        fc.constantFrom(...joinKinds),
        fc.subarray(shared, { minLength: 1 }),
      ).map(([k, using]) => {
        // The USING columns are merged: referenced bare, they are the join's own output column.
        const bare = using.map((n) => ({
          name: n,
          type: a.columns.find((c) => c.name === n)?.type ?? "int4",
        }));
        return from(
          `${a.name} AS a ${k} JOIN ${b.name} AS b USING (${using.join(", ")})`,
          ["join.using", `join.${k.toLowerCase()}`],
          [...bare, ...la, ...lb],
          false,
        );
      }),
    );
  }
  if (!self && naturalOk(a, b)) {
    shapes.push(
      fc.constantFrom(...joinKinds).map((k) =>
        from(
          `${a.name} AS a NATURAL ${k} JOIN ${b.name} AS b`,
          ["join.natural", `join.${k.toLowerCase()}`],
          [...la, ...lb],
          false,
        )
      ),
    );
  }
  return fc.oneof(...shapes);
}

/** a JOIN b ON ... JOIN c ON ... (the second condition may use all three tables). */
function threeTableFrom(
  scope: QueryScope,
  a: TableDef,
  b: TableDef,
  c: TableDef,
): fc.Arbitrary<FromClause> {
  const la = qualified(a, "a");
  const lb = qualified(b, "b");
  const lc = qualified(c, "c");
  return fc.tuple(joinOn(scope, la, lb), joinOn(scope, [...la, ...lb], lc)).map((
    [[k1, on1], [k2, on2]],
  ) => ({
    sql:
      `${a.name} AS a ${k1} JOIN ${b.name} AS b ON ${on1.sql} ${k2} JOIN ${c.name} AS c ON ${on2.sql}`,
    columns: [...la, ...lb, ...lc],
    star: true,
    features: [
      ...tableFeatures(a, b, c),
      "join",
      "join.three",
      `join.${k1.toLowerCase()}`,
      `join.${k2.toLowerCase()}`,
      ...on1.features,
      ...on2.features,
    ],
  }));
}

/** SELECT ... FROM <join> [WHERE] [ORDER BY [LIMIT] [OFFSET]]. */
export const joinGenerator: QueryGenerator = {
  feature: "join",
  weight: 4,
  build: (scope) => {
    const ts = scope.tables;
    const pick = fc.constantFrom(...ts);
    const from = fc.oneof(
      { arbitrary: fc.tuple(pick, pick).chain(([a, b]) => twoTableFrom(scope, a, b)), weight: 4 },
      {
        arbitrary: fc.tuple(pick, pick, pick).chain(([a, b, c]) => threeTableFrom(scope, a, b, c)),
        weight: 1,
      },
    );
    return from.chain((f) =>
      fc.tuple(selectParts(scope.exprs(f.columns), true), fc.nat({ max: 9 }), commaWhere(scope, f))
        .map(([p, star, cond]) => {
          const where = cond === null ? p.where : cond;
          return renderSelect(f, { ...p, star: star === 0, where });
        })
    );
  },
};

/** A comma join takes its join condition in WHERE; other joins keep the generated WHERE. */
function commaWhere(scope: QueryScope, f: FromClause): fc.Arbitrary<Expr | null> {
  if (!f.features.includes("join.comma")) return fc.constant(null);
  const a = f.columns.filter((c) => c.name.startsWith("a."));
  const b = f.columns.filter((c) => c.name.startsWith("b."));
  const pairs = equiPairs(a, b);
  if (pairs.length === 0) return scope.exprs(f.columns).bool;
  return fc.constantFrom(...pairs).map(([l, r]) => ({
    sql: `(${l.name} = ${r.name})`,
    type: "bool",
    features: ["join.equi"],
  }));
}
