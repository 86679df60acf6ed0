import type { LogicalPlan } from "../plan/logical_plan.ts";

/** Whether a rule makes a plan valid (analyzer) or fast (optimizer). */
export type RulePhase = "analyzer" | "optimizer";

/**
 * A plan rewrite with a name and one pattern. `apply` returns the rewritten plan, or `null` when
 * it changed nothing. The driver walks the tree, bounds the passes and checks the plan after
 * each rule, naming the rule that broke it.
 */
export interface OptimizerRule {
  readonly name: string;
  readonly phase: RulePhase;
  apply(plan: LogicalPlan): LogicalPlan | null;
}
