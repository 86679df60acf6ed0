/**
 * Rule `push_down_limit`: a LIMIT above a projection moves below it (with an OFFSET, a cap of
 * offset + limit rows moves below it), so expressions are computed only for the rows returned. PostgreSQL's executor evaluates a target list row by
 * row under its Limit, so rows past the limit never raise errors there either.
 *
 * @module
 */
import type { OptimizerRule } from "../plugin/optimizer_rule.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";

function rewrite(plan: LogicalPlan): LogicalPlan | null {
  if (plan.kind !== "limit" || plan.input.kind !== "project" || plan.limit === null) return null;
  if (plan.limitExpr !== undefined || plan.offsetExpr !== undefined) return null;
  const project = plan.input;
  const below = project.input;
  if (plan.offset === 0) {
    return {
      ...project,
      input: { kind: "limit", input: below, limit: plan.limit, offset: 0, fields: below.fields },
    };
  }
  // With an OFFSET, PostgreSQL still computes the skipped rows: cap the input at
  // offset + limit rows below the projection and skip above it.
  if (below.kind === "limit") return null; // already capped
  const capped: LogicalPlan = {
    kind: "limit",
    input: below,
    limit: plan.offset + plan.limit,
    offset: 0,
    fields: below.fields,
  };
  return { ...plan, input: { ...project, input: capped } };
}

/** The rule. */
export const pushDownLimit: OptimizerRule = {
  name: "push_down_limit",
  phase: "optimizer",
  apply: rewrite,
};
