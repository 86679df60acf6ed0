/**
 * Case generators: schemas (a few tables of int4/int8/float8/text/bool columns), their rows
 * (NULLs, edge values, duplicates) and queries. Query shapes are {@link QueryGenerator}s, each
 * tagged with the features it uses; joins, aggregates and subqueries plug in as new generators
 * in {@link CaseConfig.queryGenerators} without touching the rest.
 *
 * @module
 */

import fc from "fast-check";
import type { OrderSpec } from "./compare.ts";
import {
  defaultExprGenerators,
  type Expr,
  exprArbitraries,
  exprDepthMaxDefault,
  type ExprGenerator,
  valueArbitrary,
} from "./gen_expr.ts";
import {
  type ColumnDef,
  type GeneratedQuery,
  type SqlCase,
  type SqlType,
  sqlTypes,
  type SqlValue,
  type TableDef,
} from "./sql_case.ts";

/** What a query generator gets: the tables of the case and the expression generators. */
export interface QueryScope {
  readonly tables: readonly TableDef[];
  /** Expression arbitraries per type over the given columns. */
  exprs(columns: readonly ColumnDef[]): Readonly<Record<SqlType, fc.Arbitrary<Expr>>>;
}

/** One query shape (a single-table SELECT, a constant SELECT, an error...). */
export interface QueryGenerator {
  /** The feature tag of the shape, e.g. `select`. */
  readonly feature: string;
  /** Relative frequency (default 1). */
  readonly weight?: number;
  build(scope: QueryScope): fc.Arbitrary<GeneratedQuery>;
}

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

/** Items in a select list, at most. */
export const selectItemsMax = 4;
/** ORDER BY keys, at most. */
export const orderKeysMax = 3;
/** Largest generated LIMIT. */
export const limitMax = 6;
/** Largest generated OFFSET. */
export const offsetMax = 4;

/** The features of a table's data: `data.nan`, `data.inf`, `data.empty`. */
export function dataFeatures(t: TableDef): string[] {
  const out: string[] = [];
  if (t.rows.length === 0) out.push("data.empty");
  const floats = t.columns.flatMap((c, i) => (c.type === "float8" ? [i] : []));
  const values = t.rows.flatMap((r) => floats.map((i) => r[i]));
  if (values.some((v) => typeof v === "number" && Number.isNaN(v))) out.push("data.nan");
  if (values.some((v) => v === Infinity || v === -Infinity)) out.push("data.inf");
  return out;
}

interface SelectParts {
  readonly star: boolean;
  readonly distinct: boolean;
  readonly items: readonly Expr[];
  readonly where: Expr | null;
  readonly order: readonly { idx: number; desc: boolean; nulls: string; style: string }[] | null;
  readonly limit: number | null;
  readonly offset: number | null;
}

function renderSelect(from: TableDef | null, p: SelectParts): GeneratedQuery {
  const features = new Set<string>(["select"]);
  const items: { sql: string; alias: string }[] = p.star && from !== null
    ? from.columns.map((c) => ({ sql: c.name, alias: c.name }))
    : p.items.map((e, i) => ({ sql: e.sql, alias: `r${i}` }));
  if (p.star && from !== null) features.add("star");
  else for (const e of p.items) for (const f of e.features) features.add(f);
  let sql = `SELECT ${p.distinct ? "DISTINCT " : ""}`;
  sql += p.star && from !== null ? "*" : items.map((it) => `${it.sql} AS ${it.alias}`).join(", ");
  if (p.distinct) features.add("distinct");
  if (from !== null) {
    sql += ` FROM ${from.name}`;
    features.add("from");
    for (const f of dataFeatures(from)) features.add(f);
  }
  if (p.where !== null && from !== null) {
    sql += ` WHERE ${p.where.sql}`;
    features.add("where");
    for (const f of p.where.features) features.add(f);
  }
  let order: OrderSpec | null = null;
  if (p.order !== null && p.order.length > 0) {
    const keys: number[] = [];
    const terms: string[] = [];
    for (const k of p.order) {
      const idx = k.idx % items.length;
      if (keys.includes(idx)) continue;
      keys.push(idx);
      const item = items[idx];
      if (item === undefined) continue;
      // A bare integer expression would read as an ordinal: order by its alias instead.
      const style = k.style === "expr" && /^\d+$/.test(item.sql) ? "alias" : k.style;
      const ref = style === "ordinal" ? String(idx + 1) : style === "alias" ? item.alias : item.sql;
      let term = `${ref}${k.desc ? " DESC" : ""}`;
      if (k.nulls !== "") {
        term += ` NULLS ${k.nulls}`;
        features.add("order_by.nulls");
      }
      terms.push(term);
    }
    sql += ` ORDER BY ${terms.join(", ")}`;
    features.add("order_by");
    if (p.limit !== null) {
      sql += ` LIMIT ${p.limit}`;
      features.add("limit");
    }
    if (p.offset !== null) {
      sql += ` OFFSET ${p.offset}`;
      features.add("offset");
    }
    order = { keyColumns: keys, limited: p.limit !== null, offset: (p.offset ?? 0) > 0 };
  }
  return { sql, features: [...features].sort(), order };
}

function selectParts(
  e: Readonly<Record<SqlType, fc.Arbitrary<Expr>>>,
  withFrom: boolean,
): fc.Arbitrary<SelectParts> {
  const anyExpr = fc.constantFrom(...sqlTypes).chain((t) => e[t]);
  const orderKey = fc.record({
    idx: fc.nat({ max: selectItemsMax - 1 }),
    desc: fc.boolean(),
    nulls: fc.constantFrom("", "", "", "FIRST", "LAST"),
    style: fc.constantFrom("ordinal", "alias", "expr"),
  });
  return fc.record({
    star: fc.constant(false),
    distinct: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, {
      arbitrary: fc.constant(true),
      weight: 1,
    }),
    items: fc.array(anyExpr, { minLength: 1, maxLength: selectItemsMax }),
    where: withFrom ? fc.option(e.bool, { freq: 2 }) : fc.constant(null),
    order: fc.option(fc.array(orderKey, { minLength: 1, maxLength: orderKeysMax }), { freq: 2 }),
    limit: fc.option(fc.nat({ max: limitMax }), { freq: 2 }),
    offset: fc.option(fc.nat({ max: offsetMax }), { freq: 3 }),
  });
}

/** SELECT [DISTINCT] items|* FROM one table [WHERE] [ORDER BY [LIMIT] [OFFSET]]. */
export const selectFromTableGenerator: QueryGenerator = {
  feature: "select",
  weight: 8,
  build: (scope) =>
    fc.constantFrom(...scope.tables).chain((t) =>
      fc.tuple(selectParts(scope.exprs(t.columns), true), fc.nat({ max: 9 })).map(([p, star]) =>
        renderSelect(t, { ...p, star: star === 0 })
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

/** The query generators of the walking skeleton's SQL. */
export const defaultQueryGenerators: readonly QueryGenerator[] = [
  selectFromTableGenerator,
  selectConstantGenerator,
  errorQueryGenerator,
];

/** The default generation settings. */
export const defaultCaseConfig: CaseConfig = {
  tablesMax: 2,
  columnsMax: 5,
  rowsMax: 8,
  duplicateRowsMax: 3,
  nonFiniteFloats: true,
  exprDepthMax: exprDepthMaxDefault,
  exprGenerators: defaultExprGenerators,
  queryGenerators: defaultQueryGenerators,
};

/** An arbitrary table named `name` with columns `c0..` of random types and rows. */
export function tableArbitrary(name: string, config: CaseConfig): fc.Arbitrary<TableDef> {
  return fc.array(fc.constantFrom(...sqlTypes), { minLength: 1, maxLength: config.columnsMax })
    .chain((types) => {
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
    fc.tuple(...Array.from({ length: n }, (_, i) => tableArbitrary(`t${i}`, config)))
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
