/**
 * Case generators: schemas (up to three tables of columns of every {@link SqlType}), their rows
 * (NULLs, edge values, duplicates) and queries. Query shapes are {@link QueryGenerator}s, each
 * tagged with the features it uses: single-table SELECTs here, joins in `gen_join.ts`,
 * subqueries and CTEs in `gen_subquery.ts`, aggregates and grouping sets in `gen_aggregate.ts`,
 * set operations in `gen_setop.ts`.
 *
 * @module
 */

import fc from "fast-check";
import { aggregateGenerator, groupingSetsGenerator } from "./gen_aggregate.ts";
import {
  defaultExprGenerators,
  type Expr,
  exprArbitraries,
  exprDepthMaxDefault,
  type ExprGenerator,
  valueArbitrary,
} from "./gen_expr.ts";
import { joinGenerator } from "./gen_join.ts";
import {
  type QueryGenerator,
  type QueryScope,
  renderSelect,
  selectParts,
  tableFrom,
} from "./gen_select.ts";
import { setOperationGenerator } from "./gen_setop.ts";
import { cteGenerator, derivedTableGenerator, subqueryGenerator } from "./gen_subquery.ts";
import {
  type ColumnDef,
  type SqlCase,
  type SqlType,
  sqlTypes,
  type SqlValue,
  type TableDef,
} from "./sql_case.ts";

export type { QueryGenerator, QueryScope } from "./gen_select.ts";

/** Generation limits and the generators in use. */
export interface CaseConfig {
  /** Tables per case, at most. */
  readonly tablesMax: number;
  /** Columns per table, at most. */
  readonly columnsMax: number;
  /** Distinct generated rows per table, at most (duplicates come on top). */
  readonly rowsMax: number;
  /** Duplicated rows per table, at most. */
  readonly duplicateRowsMax: number;
  /** Whether data and literals may hold NaN and ±Infinity. */
  readonly nonFiniteFloats: boolean;
  readonly exprDepthMax: number;
  readonly exprGenerators: readonly ExprGenerator[];
  readonly queryGenerators: readonly QueryGenerator[];
}

/** SELECT [DISTINCT] items|* FROM one table [WHERE] [ORDER BY [LIMIT] [OFFSET]]. */
export const selectFromTableGenerator: QueryGenerator = {
  feature: "select",
  weight: 5,
  build: (scope) =>
    fc.constantFrom(...scope.tables).chain((t) =>
      fc.tuple(selectParts(scope.exprs(t.columns), true), fc.nat({ max: 9 })).map(([p, star]) =>
        renderSelect(tableFrom(t), { ...p, star: star === 0 })
      )
    ),
};

/** SELECT of constant expressions, without FROM. */
export const selectConstantGenerator: QueryGenerator = {
  feature: "select.no_from",
  weight: 1,
  build: (scope) =>
    selectParts(scope.exprs([]), false).map((p) => {
      const q = renderSelect(null, p);
      return { ...q, features: [...q.features, "select.no_from"].sort() };
    }),
};

/** Queries that must fail the same way on every engine (unknown names, syntax, types). */
export const errorQueryGenerator: QueryGenerator = {
  feature: "error",
  weight: 1,
  build: (scope) => {
    const t = scope.tables[0];
    const name = t?.name ?? "t0";
    const text = t?.columns.find((c) => c.type === "text")?.name;
    const shapes: [string, string][] = [
      [`SELECT no_such_column FROM ${name}`, "error.unknown_column"],
      ["SELECT * FROM no_such_table", "error.unknown_table"],
      ["SELECT no_such_function(1)", "error.unknown_function"],
      [`SELECT (1 + FROM ${name}`, "error.syntax"],
      ["SELEC 1", "error.syntax"],
    ];
    if (text !== undefined) shapes.push([`SELECT ${text} + 1 FROM ${name}`, "error.type"]);
    return fc.constantFrom(...shapes).map(([sql, f]) => ({
      sql,
      features: ["error", f],
      order: null,
    }));
  },
};

/** Every query generator, with its weight. */
export const defaultQueryGenerators: readonly QueryGenerator[] = [
  selectFromTableGenerator,
  selectConstantGenerator,
  errorQueryGenerator,
  joinGenerator,
  subqueryGenerator,
  derivedTableGenerator,
  cteGenerator,
  aggregateGenerator,
  groupingSetsGenerator,
  setOperationGenerator,
];

/** The default generation settings. */
export const defaultCaseConfig: CaseConfig = {
  tablesMax: 3,
  columnsMax: 5,
  rowsMax: 8,
  duplicateRowsMax: 3,
  nonFiniteFloats: true,
  exprDepthMax: exprDepthMaxDefault,
  exprGenerators: defaultExprGenerators,
  queryGenerators: defaultQueryGenerators,
};

/**
 * An arbitrary table named `name` with columns `c0..` of random types and rows. With `like`, the
 * first columns often repeat the types of that table's first columns, so that USING, NATURAL and
 * equi-joins find columns to match.
 */
export function tableArbitrary(
  name: string,
  config: CaseConfig,
  like: readonly SqlType[] = [],
): fc.Arbitrary<TableDef> {
  const own = fc.array(fc.constantFrom(...sqlTypes), {
    minLength: 1,
    maxLength: config.columnsMax,
  });
  const types = like.length === 0 ? own : fc.oneof(
    own,
    fc.tuple(fc.integer({ min: 1, max: like.length }), own).map(([n, extra]) =>
      [...like.slice(0, n), ...extra].slice(0, config.columnsMax)
    ),
  );
  return types.chain((types) => {
    const columns: ColumnDef[] = types.map((type, i) => ({ name: `c${i}`, type }));
    const row = fc.tuple(
      ...columns.map((c) => valueArbitrary(c.type, config.nonFiniteFloats)),
    ) as fc.Arbitrary<SqlValue[]>;
    return fc.tuple(
      fc.array(row, { maxLength: config.rowsMax }),
      fc.array(fc.nat(), { maxLength: config.duplicateRowsMax }),
    ).map(([rows, dups]) => ({
      name,
      columns,
      rows: rows.length === 0 ? rows : [...rows, ...dups.map((d) => rows[d % rows.length] ?? [])],
    }));
  });
}

/** An arbitrary {@link SqlCase}: tables `t0..`, then one query from the query generators. */
export function caseArbitrary(config: CaseConfig = defaultCaseConfig): fc.Arbitrary<SqlCase> {
  return fc.integer({ min: 1, max: config.tablesMax }).chain((n) =>
    tableArbitrary("t0", config).chain((t0) =>
      fc.tuple(
        ...Array.from(
          { length: n - 1 },
          (_, i) => tableArbitrary(`t${i + 1}`, config, t0.columns.map((c) => c.type)),
        ),
      ).map((rest) => [t0, ...rest])
    )
  ).chain((tables) => {
    const cache = new Map<string, Readonly<Record<SqlType, fc.Arbitrary<Expr>>>>();
    const scope: QueryScope = {
      tables,
      exprs: (columns) => {
        const key = columns.map((c) => `${c.name}:${c.type}`).join(",");
        let e = cache.get(key);
        if (e === undefined) {
          e = exprArbitraries(columns, config.exprGenerators, config.exprDepthMax);
          cache.set(key, e);
        }
        return e;
      },
    };
    return fc.oneof(
      ...config.queryGenerators.map((g) => ({ arbitrary: g.build(scope), weight: g.weight ?? 1 })),
    ).map((query) => ({ tables, query }));
  });
}
