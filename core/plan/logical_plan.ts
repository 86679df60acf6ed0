/**
 * The logical plan: what to compute, not how. The binder builds it, analyzer and optimizer rules
 * rewrite it, the physical planner turns it into operators.
 *
 * @module
 */
import type { DataType } from "../types/data_type.ts";
import type { BoundAggregate, BoundExpr } from "./expr.ts";
import type { TableSchema } from "../catalog/table.ts";
import type { SystemScan } from "../plugin/system_relation.ts";

/** One output column of a plan node. */
export interface Field {
  readonly name: string;
  readonly type: DataType;
  /** The table (or alias) the column came from, for qualified references. */
  readonly qualifier: string | null;
  /**
   * The schema of the table the column came from when the table has no alias: a reference may
   * name it (`s.t.x`), and two such tables of different schemas may share a name in one FROM.
   */
  readonly qualifierSchema?: string;
  /**
   * The right-hand copy of a `USING` / `NATURAL` join column: reachable only qualified, and
   * left out of `SELECT *`.
   */
  readonly usingDuplicate?: boolean;
}

/**
 * Kinds of join. `semi` / `anti` output the left rows that have / have no match under the
 * condition (each once; NOT EXISTS semantics: a NULL condition is no match). Their fields are
 * still left then right, the right columns all NULL; the binder projects the left ones.
 */
export type JoinType = "inner" | "left" | "right" | "full" | "cross" | "semi" | "anti";

/** A sort key. */
export interface SortKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** A logical plan node. Every node lists its output fields. */
export type LogicalPlan =
  | {
    readonly kind: "scan";
    readonly table: TableSchema;
    /** Table column positions to read, in output order. */
    readonly projection: readonly number[];
    /** Filters pushed into the scan, over the scan's output columns. */
    readonly filters: readonly BoundExpr[];
    /**
     * Copies of `column <op> constant` conjuncts of the filter above the scan, handed to the
     * storage engine only to skip partitions and segments; the filter above still decides.
     */
    readonly pruning?: readonly BoundExpr[];
    /**
     * Set by `latest_per_series` under a DISTINCT ON by these column ids ordered by the table's
     * timestamp descending: storage may return only each series' latest row.
     */
    readonly latestBy?: readonly number[];
    /** The storage engine's row estimate at planning time, for join ordering. */
    readonly estimatedRows?: number;
    /**
     * Set when the table is a system relation (`pg_catalog.pg_class`, ...): its rows come from
     * the relation's provider at run time, not from storage.
     */
    readonly system?: SystemScan;
    /**
     * For UPDATE and DELETE: one more int8 output column after the projected ones, each row's
     * position in scan order (what `StorageEngine.deleteRows` takes).
     */
    readonly rowPositions?: boolean;
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "values";
    readonly rows: readonly (readonly BoundExpr[])[];
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "filter";
    readonly input: LogicalPlan;
    readonly predicate: BoundExpr;
    readonly fields: readonly Field[];
    /**
     * A HAVING that PostgreSQL evaluates per group once every group is computed (under grouping
     * sets), never as a one-time filter ahead of its input: set when it folded to a constant
     * FALSE or NULL, so that the aggregation still runs (and raises its errors) before no group
     * passes.
     */
    readonly perGroup?: true;
  }
  | {
    readonly kind: "project";
    readonly input: LogicalPlan;
    readonly exprs: readonly BoundExpr[];
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "sort";
    readonly input: LogicalPlan;
    readonly keys: readonly SortKey[];
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "join";
    readonly joinType: JoinType;
    readonly left: LogicalPlan;
    readonly right: LogicalPlan;
    /** The ON condition over left fields then right fields; `null` = always true. */
    readonly condition: BoundExpr | null;
    /** Left fields, then right fields. */
    readonly fields: readonly Field[];
    /** Set once `reorder_joins` has ordered this join tree. */
    readonly ordered?: boolean;
  }
  | {
    readonly kind: "set_op";
    readonly op: "union" | "intersect" | "except";
    readonly all: boolean;
    readonly left: LogicalPlan;
    readonly right: LogicalPlan;
    /**
     * Output columns that an arm's column of another type was cast to: a condition on them is
     * not pushed into the arms (PostgreSQL's compare_tlist_datatypes marks them unsafe).
     */
    readonly coerced?: readonly number[];
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "aggregate";
    readonly input: LogicalPlan;
    /** Grouping keys; the output has one row per distinct key (one row in all without keys). */
    readonly groups: readonly BoundExpr[];
    readonly aggregates: readonly BoundAggregate[];
    /**
     * GROUPING SETS / ROLLUP / CUBE: each set lists the `groups` positions it groups by; keys
     * outside a set are NULL in its rows. `null` (or absent) for a plain GROUP BY.
     */
    readonly sets?: readonly (readonly number[])[] | null;
    /** Group columns first, then one column per aggregate. */
    readonly fields: readonly Field[];
  }
  | {
    /** WITH RECURSIVE: `base`, then `step` repeatedly over the previous round's rows. */
    readonly kind: "recursive_cte";
    readonly id: number;
    readonly base: LogicalPlan;
    /** Reads the previous round through a `working_table` node with the same id. */
    readonly step: LogicalPlan;
    /** UNION ALL keeps duplicates; UNION drops rows seen before. */
    readonly all: boolean;
    readonly fields: readonly Field[];
  }
  | { readonly kind: "working_table"; readonly id: number; readonly fields: readonly Field[] }
  | {
    /** unnest(array): one row per element (the array is evaluated once). */
    readonly kind: "unnest";
    readonly array: BoundExpr;
    readonly fields: readonly Field[];
  }
  | {
    /** generate_series(start, stop, step) over integers, numerics or timestamps. */
    readonly kind: "series";
    readonly start: BoundExpr;
    readonly stop: BoundExpr;
    /** For timestamps an interval; otherwise of the element type. */
    readonly step: BoundExpr;
    readonly fields: readonly Field[];
  }
  | {
    /**
     * Keeps, for each distinct value of `keys`, the row that sorts first by `order`, and
     * returns those rows sorted by `order`.
     */
    readonly kind: "distinct_on";
    readonly input: LogicalPlan;
    readonly keys: readonly BoundExpr[];
    readonly order: readonly SortKey[];
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "distinct";
    readonly input: LogicalPlan;
    readonly fields: readonly Field[];
  }
  | {
    readonly kind: "limit";
    readonly input: LogicalPlan;
    readonly limit: number | null;
    readonly offset: number;
    /**
     * LIMIT / OFFSET arguments that are only known when the query runs (a subquery, a volatile
     * function), evaluated once before the first row; `limit`/`offset` are then unused.
     */
    readonly limitExpr?: BoundExpr;
    readonly offsetExpr?: BoundExpr;
    readonly fields: readonly Field[];
  };

/** The discriminant of {@link LogicalPlan}. */
export type LogicalPlanKind = LogicalPlan["kind"];

/** The inputs of a node, for generic tree walks. */
export function planInputs(plan: LogicalPlan): LogicalPlan[] {
  switch (plan.kind) {
    case "scan":
    case "values":
    case "working_table":
    case "series":
    case "unnest":
      return [];
    case "recursive_cte":
      return [plan.base, plan.step];
    case "join":
    case "set_op":
      return [plan.left, plan.right];
    case "filter":
    case "project":
    case "sort":
    case "distinct":
    case "distinct_on":
    case "limit":
    case "aggregate":
      return [plan.input];
  }
}

/** Every expression a node evaluates itself (not its inputs'), for generic walks. */
export function planExpressions(plan: LogicalPlan): BoundExpr[] {
  switch (plan.kind) {
    case "scan":
      return [...plan.filters];
    case "values":
      return plan.rows.flat();
    case "filter":
      return [plan.predicate];
    case "project":
      return [...plan.exprs];
    case "sort":
      return plan.keys.map((k) => k.expr);
    case "join":
      return plan.condition === null ? [] : [plan.condition];
    case "aggregate":
      return [
        ...plan.groups,
        ...plan.aggregates.flatMap((a) => [
          ...a.args,
          ...(a.filter === null ? [] : [a.filter]),
          ...(a.orderBy ?? []).map((o) => o.expr),
        ]),
      ];
    case "unnest":
      return [plan.array];
    case "series":
      return [plan.start, plan.stop, plan.step];
    case "distinct_on":
      return [...plan.keys, ...plan.order.map((k) => k.expr)];
    case "limit":
      return [
        ...(plan.limitExpr ? [plan.limitExpr] : []),
        ...(plan.offsetExpr ? [plan.offsetExpr] : []),
      ];
    case "set_op":
    case "recursive_cte":
    case "working_table":
    case "distinct":
      return [];
  }
}
