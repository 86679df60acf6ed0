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
  if (plan.kind !== "limit" || plan.input.kind !== "project") return null;
  const project = plan.input;
  return {
    ...project,
    input: {
      kind: "limit",
      input: project.input,
      limit: plan.limit,
      offset: plan.offset,
      fields: project.input.fields,
    },
  };
}

/** The rule. */
export const pushDownLimit: OptimizerRule = {
  name: "push_down_limit",
  phase: "optimizer",
  apply: rewrite,
};
