/**
 * Bound expressions: names resolved to input column indexes, types inferred, functions resolved
 * to their implementations. Operators and optimizer rules work on these, never on the AST.
 *
 * @module
 */
import type { DataType } from "../types/data_type.ts";
import type { Value } from "../types/column.ts";
import type { TimeZone } from "../types/time_zone.ts";
import type { LogicalPlan } from "./logical_plan.ts";
import type {
  AggregateFunctionDef,
  FunctionResolution,
  ScalarFunctionDef,
} from "../plugin/functions.ts";

/** Operators the engine implements itself (the kernels in core/exec/kernels/). */
export type BoundOp =
  | "add"
  | "sub"
  | "mul"
  | "div"
  | "mod"
  | "pow"
  | "concat"
  | "eq"
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge"
  | "and"
  | "or";

/** A bound expression. Every node carries its result type. */
export type BoundExpr =
  | { readonly kind: "column"; readonly index: number; readonly type: DataType }
  | { readonly kind: "const"; readonly value: Value; readonly type: DataType }
  | { readonly kind: "param"; readonly index: number; readonly type: DataType }
  | {
    readonly kind: "op";
    readonly op: BoundOp;
    readonly left: BoundExpr;
    readonly right: BoundExpr;
    readonly type: DataType;
    /**
     * The session time zone, on timestamptz ± interval when it has DST rules: months and days
     * are added in local time, as PostgreSQL does.
     */
    readonly zone?: TimeZone;
    /**
     * Set on the comparison of a NULLIF: PostgreSQL keeps it a comparison (NullIfExpr is no
     * OpExpr), so `x = TRUE` there is not simplified to `x` and costs its operator.
     */
    readonly nullif?: true;
  }
  | { readonly kind: "neg"; readonly operand: BoundExpr; readonly type: DataType }
  | { readonly kind: "not"; readonly operand: BoundExpr; readonly type: DataType }
  | {
    readonly kind: "is_null";
    readonly negated: boolean;
    readonly operand: BoundExpr;
    readonly type: DataType;
  }
  | {
    readonly kind: "case";
    readonly whens: readonly { readonly when: BoundExpr; readonly then: BoundExpr }[];
    readonly else: BoundExpr;
    readonly type: DataType;
    /**
     * Set on the CASE a COALESCE binds to: folding away its NULL arguments keeps a COALESCE of
     * the rest (as PostgreSQL does), which is not strict, rather than the last argument alone.
     */
    readonly coalesce?: true;
  }
  | {
    readonly kind: "cast";
    readonly operand: BoundExpr;
    readonly type: DataType;
    /** The session time zone, on a cast that reads it (timestamptz to or from local times). */
    readonly zone?: TimeZone;
  }
  | {
    readonly kind: "call";
    readonly fn: ScalarFunctionDef;
    readonly args: readonly BoundExpr[];
    readonly type: DataType;
  }
  | {
    /** A column of an enclosing query's current row: depth 1 = the immediately enclosing one. */
    readonly kind: "outer_column";
    readonly depth: number;
    readonly index: number;
    readonly type: DataType;
  }
  | BoundSubquery;

/** A subquery used as an expression. */
export interface BoundSubquery {
  readonly kind: "subquery";
  /**
   * `scalar`: its single value; `exists`: whether it has rows; `in`: operand IN its rows;
   * `any` / `all`: operand `compare` ANY / ALL of its rows.
   */
  readonly mode: "scalar" | "exists" | "in" | "any" | "all";
  /** For `any` / `all`: the comparison. */
  readonly compare: "eq" | "ne" | "lt" | "le" | "gt" | "ge" | null;
  readonly plan: LogicalPlan;
  /** For `in`: the left operand, over the enclosing input. */
  readonly operand: BoundExpr | null;
  readonly negated: boolean;
  /** Whether it reads an enclosing row (then it runs once per row, else once per query). */
  readonly correlated: boolean;
  /**
   * Set on an uncorrelated `x IN (subquery)` (or `x = ANY (subquery)`) that is a WHERE conjunct
   * and whose `x` reads a column, which PostgreSQL pulls up into a semi-join: when the subquery
   * returns only NULLs, its hash table is empty and `x` is never computed (no row passes either
   * way); and the WHERE's other conjuncts run first (they filter the rows below that join: see
   * order_conjuncts.ts).
   */
  readonly semiJoin?: true;
  /**
   * Set on a `semiJoin` whose operand folded to a constant `k` once `k = <first column>` was
   * added to its plan as a filter (see fold_constants.ts), so that it is added once.
   */
  readonly constantPushed?: true;
  /**
   * Set on an uncorrelated `x IN (subquery)` (or `x = ANY (subquery)`) inside a WHERE's AND/OR
   * tree, including one PostgreSQL does not pull up (e.g. under OR), where UNKNOWN acts as
   * FALSE: PostgreSQL's hashed SubPlan then keeps none of the subquery's NULL rows, so over only
   * NULLs it answers FALSE without computing `x` (ExecHashSubPlan with unknownEqFalse).
   */
  readonly unknownIsFalse?: true;
  /**
   * Set when the subquery read an enclosing row as written but no longer does once planned
   * (the reference folded away): PostgreSQL decided on pulling it up into a semi-join before
   * folding, so such an IN is never `semiJoin`.
   */
  readonly correlationFolded?: true;
  readonly type: DataType;
}

/** The discriminant of {@link BoundExpr}. */
export type BoundExprKind = BoundExpr["kind"];

/** An aggregate call bound for a GROUP BY (or whole-input) aggregation. */
export interface BoundAggregate {
  readonly fn: AggregateFunctionDef;
  readonly resolution: FunctionResolution;
  /** Arguments over the aggregation's input columns. */
  readonly args: readonly BoundExpr[];
  readonly distinct: boolean;
  /** `FILTER (WHERE ...)`: only rows where it is true are aggregated. */
  readonly filter: BoundExpr | null;
  readonly type: DataType;
  /**
   * Set for `GROUPING(args)`: the group-key positions of its arguments. It is computed by the
   * aggregation per grouping set, not by an accumulator.
   */
  readonly groupingKeys?: readonly number[];
  /** `agg(x ORDER BY y)`: rows reach the accumulator in this order (over the input columns). */
  readonly orderBy?: readonly {
    readonly expr: BoundExpr;
    readonly descending: boolean;
    readonly nullsFirst: boolean;
  }[];
}
