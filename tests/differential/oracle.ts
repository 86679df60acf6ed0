/**
 * The differential oracle: runs a case on OmenDB and DuckDB and, when they disagree (or when the
 * query may hit a listed divergence), on PostgreSQL, and gives a verdict.
 *
 * - `match`: OmenDB agrees with DuckDB (and, for a divergence-prone query, with PostgreSQL).
 * - `divergence`: OmenDB agrees with PostgreSQL, DuckDB differs, and a listed divergence
 *   explains how; or OmenDB differs from PostgreSQL's answer under its default plan but gives
 *   exactly PostgreSQL's answer under another plan PostgreSQL makes for the same query
 *   ({@link postgresPlanDependent}: where an error is raised, or rounding accumulates, depends on
 *   the order of evaluation that SQL leaves to the plan).
 * - `unsupported`: OmenDB answered 0A000. Counted apart, never a pass.
 * - `mismatch`: anything else, including an *unlisted* divergence.
 *
 * @module
 */

import { compareOutcomes, showOutcome } from "./compare.ts";
import {
  type Divergence,
  divergences as defaultDivergences,
  findDivergence,
  findDivergences,
  mayDiverge,
} from "./divergences.ts";
import type { Engine } from "./engine.ts";
import { isUnsupported, type Outcome } from "./outcome.ts";
import { renderScript, renderSetup, type SqlCase } from "./sql_case.ts";

/** The verdict on one case. */
export type Verdict = "match" | "mismatch" | "divergence" | "unsupported";

/** Everything known about one checked case. */
export interface CaseResult {
  readonly verdict: Verdict;
  readonly case: SqlCase;
  readonly features: readonly string[];
  readonly omen: Outcome;
  readonly duck: Outcome | null;
  readonly pg: Outcome | null;
  /** The id of the divergence that explains it, when the verdict is `divergence`. */
  readonly divergence: string | null;
  /** Why, in one line. */
  readonly reason: string;
}

/** The engines the oracle compares. */
export interface OracleEngines {
  /** The engine under test (OmenDB). */
  readonly subject: Engine;
  /** The reference engine (DuckDB). */
  readonly reference: Engine;
  /** The tie-breaker (PostgreSQL), or null when it is not available. */
  readonly tieBreaker: Engine | null;
}

/** Runs cases on the engines and judges them. */
export class Oracle {
  readonly engines: OracleEngines;
  readonly divergences: readonly Divergence[];

  constructor(engines: OracleEngines, divergences: readonly Divergence[] = defaultDivergences) {
    this.engines = engines;
    this.divergences = divergences;
  }

  /** Checks one case. */
  async check(c: SqlCase): Promise<CaseResult> {
    const setup = renderSetup(c.tables);
    const features = c.query.features;
    const featureSet = new Set(features);
    const base = { case: c, features };
    const omen = await this.engines.subject.run(setup, c.query.sql);
    if (isUnsupported(omen)) {
      return {
        ...base,
        verdict: "unsupported",
        omen,
        duck: null,
        pg: null,
        divergence: null,
        reason: `${this.engines.subject.name} does not support it: ${!omen.ok ? omen.message : ""}`,
      };
    }
    const duck = await this.engines.reference.run(setup, c.query.sql);
    const vsDuck = compareOutcomes(omen, duck, c.query.order);
    const prone = mayDiverge(featureSet, this.divergences);
    if (vsDuck.equal && !prone) {
      return { ...base, verdict: "match", omen, duck, pg: null, divergence: null, reason: "" };
    }
    const tie = this.engines.tieBreaker;
    if (tie === null) {
      if (vsDuck.equal) {
        return { ...base, verdict: "match", omen, duck, pg: null, divergence: null, reason: "" };
      }
      return {
        ...base,
        verdict: "mismatch",
        omen,
        duck,
        pg: null,
        divergence: null,
        reason: `differs from DuckDB (${vsDuck.reason}); PostgreSQL is not available to settle it`,
      };
    }
    const pg = await tie.run(setup, c.query.sql);
    const vsPg = compareOutcomes(omen, pg, c.query.order);
    /** The verdict for a difference an oracle check (not a listed divergence) explains. */
    const excused = (id: string): CaseResult => ({
      ...base,
      verdict: "divergence",
      omen,
      duck,
      pg,
      divergence: id,
      reason: id,
    });
    if (vsDuck.equal) {
      if (vsPg.equal || compareOutcomes(duck, pg, c.query.order).equal) {
        return { ...base, verdict: "match", omen, duck, pg, divergence: null, reason: "" };
      }
      const all = findDivergences(
        { features: featureSet, duck, pg, order: c.query.order },
        this.divergences,
      );
      const open = all.find((x) => x.pgDecides === false);
      const planned = await this.#otherPlan(omen, c, setup, tie);
      // PostgreSQL's own answer under another of its plans
      if (planned !== null) return excused(planned);
      if (open !== undefined) {
        // Implementation-defined (e.g. evaluation order): agreeing with DuckDB is fine.
        return { ...base, verdict: "match", omen, duck, pg, divergence: null, reason: open.id };
      }
      const d = all[0] ?? null;
      return {
        ...base,
        verdict: "mismatch",
        omen,
        duck,
        pg,
        divergence: null,
        reason: `follows DuckDB, not PostgreSQL (${vsPg.reason})` +
          (d === null ? " in an unlisted difference" : ` in listed divergence ${d.id}`),
      };
    }
    if (!vsPg.equal) {
      const skipped = skippedError(omen, duck, pg, featureSet, this.divergences) ??
        await this.#stoppedEarly(omen, duck, pg, c, setup, tie) ??
        await this.#otherPlan(omen, c, setup, tie);
      if (skipped !== null) return excused(skipped);
      return {
        ...base,
        verdict: "mismatch",
        omen,
        duck,
        pg,
        divergence: null,
        reason: `differs from DuckDB (${vsDuck.reason}) and from PostgreSQL (${vsPg.reason})`,
      };
    }
    const d = findDivergence(
      { features: featureSet, duck, pg, order: c.query.order },
      this.divergences,
    );
    if (d === null) {
      return {
        ...base,
        verdict: "mismatch",
        omen,
        duck,
        pg,
        divergence: null,
        reason: `agrees with PostgreSQL but DuckDB differs (${vsDuck.reason}): an unlisted ` +
          "divergence; if PostgreSQL is right, add it to tests/differential/divergences.ts",
      };
    }
    return { ...base, verdict: "divergence", omen, duck, pg, divergence: d.id, reason: d.id };
  }

  /** {@link postgresPlanDependent} for case `c` on the tie-breaker, when it can change plans. */
  async #otherPlan(
    omen: Outcome,
    c: SqlCase,
    setup: readonly string[],
    tie: Engine,
  ): Promise<string | null> {
    if (tie.runWithSettings === undefined) return null;
    for (const settings of postgresOtherPlans) {
      const alt = await tie.runWithSettings(setup, c.query.sql, settings);
      // an error must be the same SQLSTATE, not only the same class as elsewhere
      const sameError = omen.ok || (!alt.ok && alt.code === omen.code);
      if (sameError && compareOutcomes(omen, alt, c.query.order).equal) {
        return postgresPlanDependent;
      }
    }
    return null;
  }

  /** {@link stoppedEarly} for case `c`, asking PostgreSQL (`tie`) about the unlimited query. */
  #stoppedEarly(
    omen: Outcome,
    duck: Outcome,
    pg: Outcome,
    c: SqlCase,
    setup: readonly string[],
    tie: Engine,
  ): Promise<string | null> {
    return stoppedEarly(
      omen,
      duck,
      pg,
      c.query.sql,
      new Set(c.query.features),
      this.divergences,
      (sql) => tie.run(setup, sql),
    );
  }
}

/**
 * The verdict id of a case where OmenDB's answer is PostgreSQL's answer under one of
 * {@link postgresOtherPlans}, not under PostgreSQL's default plan. SQL leaves the order of
 * evaluation to the implementation, and PostgreSQL's own answer then depends on the plan its
 * costs pick: whether a join's ON condition that raises an error runs on rows an outer join
 * later discards (PostgreSQL reassociates outer joins, its identity 3, when its costs favour
 * it), or in which order an aggregate meets NaN and an overflowing value (a sorted or a hashed
 * grouping). OmenDB plans these in the written order; the check runs the same query on
 * PostgreSQL with that order forced and accepts only an identical answer.
 */
export const postgresPlanDependent = "postgres_plan_dependent";

/**
 * Settings under which PostgreSQL plans a query closer to the way it is written, each set tried
 * on its own: joins in their written order (`join_collapse_limit = 1` keeps explicit JOINs
 * unflattened, so no outer-join reassociation), and groupings hashed in input order rather than
 * sorted (`enable_sort = off`).
 */
export const postgresOtherPlans: readonly (readonly string[])[] = [
  ["SET join_collapse_limit = 1", "SET from_collapse_limit = 1"],
  ["SET enable_sort = off"],
];

/**
 * The query without its final LIMIT and OFFSET (as the generators render them, at the very end),
 * or null when it has neither.
 */
export function withoutFinalLimit(sql: string): string | null {
  const cut = sql.replace(/(?: LIMIT \d+)?(?: OFFSET \d+)?$/, "");
  return cut === sql ? null : cut;
}

/**
 * When LIMIT let the peers stop early: both returned rows, OmenDB raised a data exception
 * (22xxx), and PostgreSQL raises the same class once the query's final LIMIT/OFFSET is removed.
 * The failing row is one that PostgreSQL's plan never reached because LIMIT stopped it first;
 * which rows a plan reaches before it stops depends on its join order and on how it breaks ties
 * of the ORDER BY, which SQL leaves to the implementation (as it leaves which tied rows LIMIT
 * keeps). Returns the `error_evaluation_order` entry's id, or null.
 */
export async function stoppedEarly(
  omen: Outcome,
  duck: Outcome,
  pg: Outcome,
  sql: string,
  features: ReadonlySet<string>,
  list: readonly Divergence[],
  runPg: (sql: string) => Promise<Outcome>,
): Promise<string | null> {
  if (omen.ok || omen.sqlClass !== "22" || !duck.ok || !pg.ok) return null;
  if (!features.has("limit") && !features.has("offset")) return null;
  const d = list.find((x) => x.pgDecides === false && x.id === "error_evaluation_order");
  const unlimited = withoutFinalLimit(sql);
  if (d === undefined || unlimited === null) return null;
  const all = await runPg(unlimited);
  return !all.ok && all.sqlClass === "22" ? d.id : null;
}

/**
 * When OmenDB returned rows where DuckDB and PostgreSQL both raised a data exception (22xxx), in
 * a query with a trigger of an implementation-defined entry (`pgDecides: false`, e.g.
 * `error_evaluation_order`): OmenDB skipped evaluating a sub-expression whose value did not
 * matter (`x IN (NULL)`, a decided CASE or AND), which SQL allows. Returns that entry's id, or
 * null. Raising an error that both engines do not raise is never excused.
 */
export function skippedError(
  omen: Outcome,
  duck: Outcome,
  pg: Outcome,
  features: ReadonlySet<string>,
  list: readonly Divergence[],
): string | null {
  if (!omen.ok || duck.ok || pg.ok || duck.sqlClass !== "22" || pg.sqlClass !== "22") return null;
  if (pg.stage !== "query") return null;
  const d = list.find((x) =>
    x.pgDecides === false && x.id === "error_evaluation_order" &&
    x.triggers.some((t) => features.has(t))
  );
  return d?.id ?? null;
}

/** A failure report: the script, each engine's answer and the reason. */
export function formatCaseResult(
  r: CaseResult,
  names = ["OmenDB", "DuckDB", "PostgreSQL"],
): string {
  const lines = [
    `verdict: ${r.verdict}${r.divergence === null ? "" : ` (${r.divergence})`}`,
    `reason: ${r.reason}`,
    `features: ${r.features.join(" ")}`,
    "script:",
    renderScript(r.case).split("\n").map((l) => `  ${l}`).join("\n"),
    `${names[0]}: ${showOutcome(r.omen)}`,
  ];
  if (r.duck !== null) lines.push(`${names[1]}: ${showOutcome(r.duck)}`);
  if (r.pg !== null) lines.push(`${names[2]}: ${showOutcome(r.pg)}`);
  return lines.join("\n");
}
