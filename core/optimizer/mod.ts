/**
 * The optimizer: a driver and one file per rule.
 *
 * @example
 * ```ts
 * import { builtinRules } from "./mod.ts";
 * console.assert(builtinRules.some((r) => r.name === "push_down_filters"));
 * ```
 *
 * @module
 */
export * from "./driver.ts";
export { pushDownFilters } from "./push_down_filters.ts";
export { foldConstants, foldExpr } from "./fold_constants.ts";
export { exprCost, orderConjuncts } from "./order_conjuncts.ts";
export { reorderJoins, reorderRelationsMax } from "./reorder_joins.ts";
export { pushDownLimit } from "./push_down_limit.ts";
export { minMaxFirstRow } from "./min_max_first_row.ts";
export { nullRejectedColumns, reduceOuterJoins } from "./reduce_outer_joins.ts";
export { pullUpExistsQuals } from "./pull_up_exists_quals.ts";
export { equivalenceClasses } from "./equivalence_classes.ts";
export { pruneUnusedColumns } from "./prune_unused_columns.ts";
export { mergeProjections } from "./merge_projections.ts";
