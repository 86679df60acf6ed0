/**
 * Bound expressions: names resolved to input column indexes, types inferred, functions resolved
 * to their implementations. Operators and optimizer rules work on these, never on the AST.
 *
 * @module
 */
import type { DataType } from "../types/data_type.ts";
import type { Value } from "../types/column.ts";
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
  }
  | { readonly kind: "cast"; readonly operand: BoundExpr; readonly type: DataType }
  | {
    readonly kind: "call";
    readonly fn: ScalarFunctionDef;
    readonly args: readonly BoundExpr[];
    readonly type: DataType;
  };

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
}
