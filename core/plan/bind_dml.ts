/**
 * Binding the parts that UPDATE and DELETE share: the plan of the rows they change (the target
 * table with row positions, joined with UPDATE's FROM or DELETE's USING items, filtered by WHERE)
 * and the RETURNING list, which INSERT uses too.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import type { TableSchema } from "../catalog/table.ts";
import { type DataType, Types } from "../types/data_type.ts";
import type { BoundExpr } from "./expr.ts";
import type { Field, LogicalPlan } from "./logical_plan.ts";
import type { BoundReturning } from "./bound_statement.ts";

/** A name scope: the fields visible to expressions. */
export interface DmlScope {
  readonly fields: readonly Field[];
}

/** What these functions need from the binder. */
export interface DmlBinder {
  readonly ctx: { readonly estimateRows?: (tableId: number) => number };
  /** Binds a FROM list (cross joins); 42712 for a repeated name. */
  from(refs: readonly ast.TableRef[]): LogicalPlan;
  checkDistinctQualifiers(left: readonly Field[], right: readonly Field[], pos: number): void;
  /** Binds a WHERE condition (42803 for an aggregate, 42804 when not boolean). */
  dmlPredicate(where: ast.Expr, scope: DmlScope): BoundExpr;
  expr(e: ast.Expr, scope: DmlScope): BoundExpr;
  containsAggregate(e: ast.Expr): boolean;
  coerce(b: BoundExpr, type: DataType, context: string): BoundExpr;
  /** The column name a select-list expression gets without an alias. */
  outputName(e: ast.Expr): string;
}

/** The row-position column of a DML source: unreachable by name, left out of `*`. */
const rowPositionField: Field = {
  name: "?row position?",
  type: Types.int8,
  qualifier: null,
  usingDuplicate: true,
};

/**
 * The plan of the rows an UPDATE or DELETE changes, and the scope its SET, WHERE and RETURNING
 * expressions see. The plan returns the target table's columns (qualified by `target`'s fields),
 * then each row's position in the table (int8, from a scan with `rowPositions`), then the columns
 * of the FROM / USING items, for each combination that satisfies WHERE. A target row joined to
 * several FROM rows appears several times; the engine changes it once (PostgreSQL leaves open
 * which FROM row it uses).
 */
export function bindDmlSource(
  b: DmlBinder,
  target: { readonly table: TableSchema; readonly scope: DmlScope },
  clauses: { readonly from: readonly ast.TableRef[]; readonly where: ast.Expr | null },
): { source: LogicalPlan; scope: DmlScope } {
  const { table } = target;
  const scan: LogicalPlan = {
    kind: "scan",
    table,
    projection: table.columns.map((_, i) => i),
    filters: [],
    estimatedRows: b.ctx.estimateRows?.(table.id) ?? 1000,
    rowPositions: true,
    fields: [...target.scope.fields, rowPositionField],
  };
  let plan: LogicalPlan = scan;
  if (clauses.from.length > 0) {
    // The FROM items cannot see the target (PostgreSQL: 42P01); they bind on their own.
    const right = b.from(clauses.from);
    b.checkDistinctQualifiers(scan.fields, right.fields, clauses.from[0]!.pos);
    plan = {
      kind: "join",
      joinType: "cross",
      left: scan,
      right,
      condition: null,
      fields: [...scan.fields, ...right.fields],
    };
  }
  const scope: DmlScope = { fields: plan.fields };
  if (clauses.where !== null) {
    const predicate = b.dmlPredicate(clauses.where, scope);
    plan = { kind: "filter", input: plan, predicate, fields: plan.fields };
  }
  return { source: plan, scope };
}

/** Binds `RETURNING items` over `scope` (`*` expands to every visible column, as in SELECT). */
export function bindReturning(
  b: DmlBinder,
  items: readonly ast.SelectItem[],
  scope: DmlScope,
): BoundReturning {
  const exprs: BoundExpr[] = [];
  const columns: { name: string; type: DataType }[] = [];
  for (const item of items) {
    if (item.kind === "star") {
      const matching = scope.fields.map((f, index) => ({ f, index })).filter(({ f }) =>
        item.qualifier === null ? !f.usingDuplicate : f.qualifier === item.qualifier
      );
      if (item.qualifier !== null && matching.length === 0) {
        throw new DbError(
          SqlState.undefinedTable,
          `missing FROM-clause entry for table "${item.qualifier}"`,
          { position: item.pos + 1 },
        );
      }
      for (const { f, index } of matching) {
        exprs.push({ kind: "column", index, type: f.type });
        columns.push({ name: f.name, type: f.type });
      }
      continue;
    }
    if (b.containsAggregate(item.expr)) {
      throw new DbError(
        SqlState.groupingError,
        "aggregate functions are not allowed in RETURNING",
        { position: item.expr.pos + 1 },
      );
    }
    let e = b.expr(item.expr, scope);
    if (e.type.kind === "unknown") e = b.coerce(e, Types.text, "RETURNING");
    exprs.push(e);
    columns.push({ name: item.alias ?? b.outputName(item.expr), type: e.type });
  }
  return { exprs, columns };
}
