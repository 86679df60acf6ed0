/**
 * Building blocks shared by the query generators: the {@link QueryGenerator} interface, FROM
 * clauses, and the generic SELECT (items, WHERE, DISTINCT, ORDER BY, LIMIT, OFFSET) with the
 * {@link OrderSpec} that comparison needs.
 *
 * @module
 */

import fc from "fast-check";
import type { OrderSpec } from "./compare.ts";
import { comparableGroups, type Expr } from "./gen_expr.ts";
import {
  type ColumnDef,
  type GeneratedQuery,
  type SqlType,
  sqlTypes,
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

/** What a SELECT reads from: its FROM clause and the columns its expressions may use. */
export interface FromClause {
  /** The text after FROM, e.g. `t0` or `t0 AS a JOIN t1 AS b ON (a.c0 = b.c0)`. */
  readonly sql: string;
  /** Columns that expressions may reference (qualified when the FROM clause has aliases). */
  readonly columns: readonly ColumnDef[];
  /** Whether `*` may stand for {@link columns}, in that order. */
  readonly star: boolean;
  readonly features: readonly string[];
}

/** The FROM clause of one plain table. */
export function tableFrom(t: TableDef): FromClause {
  return { sql: t.name, columns: t.columns, star: true, features: ["from", ...dataFeatures(t)] };
}

/** The parts of a SELECT that {@link selectParts} generates and {@link renderSelect} renders. */
export interface SelectParts {
  readonly star: boolean;
  readonly distinct: boolean;
  readonly items: readonly Expr[];
  readonly where: Expr | null;
  readonly order: readonly { idx: number; desc: boolean; nulls: string; style: string }[] | null;
  readonly limit: number | null;
  readonly offset: number | null;
}

/**
 * Renders SELECT [DISTINCT] items FROM ... [WHERE] [ORDER BY [LIMIT] [OFFSET]], with the
 * {@link OrderSpec} that comparison needs. `prefix` goes before SELECT (a WITH clause).
 */
export function renderSelect(
  from: FromClause | null,
  p: SelectParts,
  prefix = "",
): GeneratedQuery {
  const features = new Set<string>(["select"]);
  const star = p.star && from !== null && from.star;
  const items: { sql: string; alias: string }[] = star
    ? from.columns.map((c) => ({ sql: c.name, alias: c.name }))
    : p.items.map((e, i) => ({ sql: e.sql, alias: `r${i}` }));
  if (star) features.add("star");
  else for (const e of p.items) for (const f of e.features) features.add(f);
  let sql = `${prefix}SELECT ${p.distinct ? "DISTINCT " : ""}`;
  sql += star ? "*" : items.map((it) => `${it.sql} AS ${it.alias}`).join(", ");
  if (p.distinct) features.add("distinct");
  if (from !== null) {
    sql += ` FROM ${from.sql}`;
    for (const f of from.features) features.add(f);
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
      // A bare integer expression would read as an ordinal: order by its alias instead. A star
      // item is named by its column, and a qualified column has no alias of its own.
      let style = k.style === "expr" && /^\d+$/.test(item.sql) ? "alias" : k.style;
      if (style === "alias" && item.alias.includes(".")) style = "expr";
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

/** Arbitrary select-list, WHERE, DISTINCT, ORDER BY, LIMIT and OFFSET over the expressions. */
export function selectParts(
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

/** The columns of a table under an alias: `a.c0`, `a.c1`... */
export function qualified(t: TableDef, alias: string): ColumnDef[] {
  return t.columns.map((c) => ({ name: `${alias}.${c.name}`, type: c.type }));
}

/** True when values of the two types compare (both numeric, both text, date and timestamp...). */
export function comparable(a: SqlType, b: SqlType): boolean {
  return comparableGroups.some((g) => g.includes(a) && g.includes(b));
}

/** Pairs of columns (one from each list) whose types compare: candidates for `=` in ON. */
export function equiPairs(
  left: readonly ColumnDef[],
  right: readonly ColumnDef[],
): [ColumnDef, ColumnDef][] {
  return left.flatMap((l) =>
    right.filter((r) => comparable(l.type, r.type)).map((r): [ColumnDef, ColumnDef] => [l, r])
  );
}
