import type { DataType } from "../types/data_type.ts";
import type { Column, Value } from "../types/column.ts";
import type { SystemContext } from "./system_relation.ts";

/** The result of resolving a function for given argument types. */
export interface FunctionResolution {
  /** The result type. */
  readonly returns: DataType;
  /** The types the arguments are cast to before the call. */
  readonly argTypes: readonly DataType[];
}

/** How a function's result depends on its inputs (PostgreSQL's volatility). */
export type Volatility = "immutable" | "stable" | "volatile";

/**
 * A scalar function: evaluated over whole columns.
 *
 * @example
 * ```ts
 * import type { ScalarFunctionDef } from "./functions.ts";
 * import { columnFromValues, Types, valueAt } from "../types/mod.ts";
 * const twice: ScalarFunctionDef = {
 *   name: "twice",
 *   volatility: "immutable",
 *   resolve: (types) => types.length === 1 ? { returns: Types.float8, argTypes: [Types.float8] } : null,
 *   evaluate([x], length) {
 *     const out: (number | null)[] = [];
 *     for (let i = 0; i < length; i++) {
 *       const v = valueAt(x!, i);
 *       out.push(v === null ? null : Number(v) * 2);
 *     }
 *     return columnFromValues(Types.float8, out);
 *   },
 * };
 * console.assert(twice.resolve([Types.int4]) !== null);
 * ```
 */
export interface ScalarFunctionDef {
  /** Lower-case name as called from SQL. */
  readonly name: string;
  readonly volatility: Volatility;
  /**
   * Set when the result is NULL whenever an argument is NULL (PostgreSQL's STRICT): the planner
   * then knows that a WHERE condition over the call rejects NULL-extended rows, and turns an
   * outer join under it into an inner one (see reduce_outer_joins.ts). Leave it unset when in
   * doubt: unset only forgoes that rewrite.
   */
  readonly strict?: boolean;
  /**
   * Picks a signature for these argument types, or `null` if none fits. `constants` holds the
   * value of each argument that is a literal (`undefined` for the others), for the rare function
   * whose result type depends on one, like `arrow_cast(x, 'Int64')`.
   */
  resolve(
    argTypes: readonly DataType[],
    constants?: readonly (Value | undefined)[],
  ): FunctionResolution | null;
  /**
   * Set for a function that reads the session or the catalog (`current_setting`,
   * `pg_table_is_visible`): `evaluate` then gets the statement's {@link SystemContext}.
   */
  readonly usesContext?: boolean;
  /**
   * Evaluates over `length` rows; arguments already have the resolved types. `context` is
   * given when {@link usesContext} is set.
   */
  evaluate(args: readonly Column[], length: number, context?: SystemContext): Column;
}

/** Partial aggregation state for a set of groups. */
export interface Accumulator {
  /** Adds `length` rows; row i belongs to group `groupIds[i]` (< groupCount). */
  update(args: readonly Column[], groupIds: Uint32Array, length: number, groupCount: number): void;
  /** Folds another accumulator's groups in: its group g becomes this group `groupMap[g]`. */
  merge(other: Accumulator, groupMap: Uint32Array): void;
  /** The final value for each group. */
  evaluate(groupCount: number): Column;
}

/** An aggregate function, as accumulators (so it can run in parallel and merge). */
export interface AggregateFunctionDef {
  readonly name: string;
  /**
   * Set on an aggregate whose result is its first non-NULL input in this order (`min`: `"lt"`,
   * `max`: `"gt"`), as PostgreSQL's `pg_aggregate.aggsortop`: the planner may then read one
   * row instead of all of them (see core/optimizer/min_max_first_row.ts).
   */
  readonly sortOperator?: "lt" | "gt";
  resolve(argTypes: readonly DataType[]): FunctionResolution | null;
  createAccumulator(resolution: FunctionResolution): Accumulator;
}

/** A window function over one ordered partition. */
export interface WindowFunctionDef {
  readonly name: string;
  resolve(argTypes: readonly DataType[]): FunctionResolution | null;
  /**
   * Computes the function for every row of a partition; `peerGroupStarts` marks rows whose
   * ORDER BY keys differ from the previous row.
   */
  evaluate(args: readonly Column[], length: number, peerGroupStarts: Uint8Array): Column;
}
