/**
 * Scores a Hermitage replay (hermitage.ts) in the README's two tiers.
 *
 * **Tier 1, safety.** {@link anomalyChecks} holds one predicate per script: from the recorded
 * answers and the final state it says whether the anomaly of `anomaly_observed_if` happened.
 * That is compared with PostgreSQL's verdict: prevented/prevented passes, anomaly where
 * PostgreSQL prevents it fails, anomaly where PostgreSQL has it too passes, prevented where
 * PostgreSQL has the anomaly passes flagged "stronger". A SERIALIZABLE case refused with 0A000
 * (while REPEATABLE READ is accepted) passes as "refused". A hang, or an error other than
 * 40001 / 40P01 / 25P02, fails: then the scripts did not run as transactions at all.
 *
 * A script that ends a transaction with `abort` cannot show a 40001 raised at COMMIT. Where a
 * predicate needs that transaction to have committed, a transaction that reached the script's
 * abort without any error counts as if it had committed; the verdict then reads
 * `not-prevented-before-abort`, which fails like `observed` when PostgreSQL prevents the anomaly
 * (PostgreSQL raised 40001 before the abort in every such case).
 *
 * **Tier 2, fidelity.** {@link fidelityDeviations} compares each step with PostgreSQL's answer
 * while both our transaction and PostgreSQL's are alive; from the step where either failed to
 * the end of that transaction nothing more is compared. Where PostgreSQL answered 40001 (after a
 * wait or not), an immediate 40001 or one after a wait is the same answer; success followed by
 * a 40001 later in the same transaction is an `error-position` deviation. A 40001 where
 * PostgreSQL succeeded is `extra-abort-at-RC` at READ COMMITTED, `error-position` if
 * PostgreSQL's transaction fails later anyway, else `spurious-abort`. Everything else (rows,
 * counts, tags, who waits for whom) is `other`. The final state is compared only when no step
 * deviated (otherwise it differs as a consequence).
 *
 * @module
 */
import {
  describeAnswer,
  endOf,
  formatRows,
  type HermitageCase,
  type HermitageExpect,
  type HermitageVariant,
  isBegin,
  normalizeRow,
  type PostgresVerdict,
  type Replay,
  type SessionName,
  sessionOf,
  sortedRows,
  type StepAnswer,
} from "./hermitage.ts";

/** What our engine did about a case's anomaly. */
export type OurVerdict =
  | "prevented"
  | "observed"
  | "not-prevented-before-abort"
  | "refused"
  | "hang"
  | "error";

/** Tier 1's score of a case. */
export type SafetyScore = "pass" | "pass-stronger" | "fail";

/** Tier 1's result for one case. */
export interface SafetyResult {
  readonly caseId: string;
  readonly postgres: PostgresVerdict;
  readonly ours: OurVerdict;
  readonly score: SafetyScore;
  /** Why: the anomaly seen, the error, or an empty string when there is nothing to say. */
  readonly detail: string;
}

/** Categories of tier-2 deviations (README: the ones applications notice are kept apart). */
export type DeviationCategory =
  | "extra-abort-at-RC"
  | "spurious-abort"
  | "error-position"
  | "other";

/** A step (or the final state) that answered differently from PostgreSQL. */
export interface Deviation {
  readonly case: string;
  /** The step number, or `"final"` for the final state. */
  readonly step: number | "final";
  readonly expected: string;
  readonly got: string;
  readonly category: DeviationCategory;
}

/** A row of `test`: `[id, value]`. */
type Row = readonly (number | string | null)[];

/** How a session's (first) transaction ended. */
interface TxnEnd {
  readonly kind: "committed" | "failed" | "script-abort" | "hang" | "open";
  /** The step of the failure or end. */
  readonly step: number;
  /** For `failed`: the SQLSTATE (or `ROLLBACK` for a COMMIT answered ROLLBACK). */
  readonly code: string;
}

/** What a predicate reads: the answers of one replay. */
export class ReplayView {
  readonly #c: HermitageCase;
  readonly #replay: Replay;
  /** Set when {@link survives} answered `true` only because the script aborted. */
  reliedOnScriptAbort = false;

  constructor(c: HermitageCase, replay: Replay) {
    this.#c = c;
    this.#replay = replay;
  }

  /** The answer to step `n`. */
  answer(n: number): StepAnswer {
    const a = this.#replay.answers[n - 1];
    if (a === undefined || a.step !== n) throw new Error(`${this.#c.id}: no step ${n}`);
    return a;
  }

  /** The rows step `n` returned, or `null` when it did not answer with rows. */
  rows(n: number): Row[] | null {
    const o = this.answer(n).outcome;
    return o.kind === "ok" && /^SELECT\b/i.test(o.command) ? o.rows.map(normalizeRow) : null;
  }

  /** The rows affected by step `n`, or `null` when it failed or did not answer. */
  rowCount(n: number): number | null {
    const o = this.answer(n).outcome;
    return o.kind === "ok" ? o.rowCount : null;
  }

  /** Whether step `n` answered without an error. */
  ok(n: number): boolean {
    return this.answer(n).outcome.kind === "ok";
  }

  /** Every read of a session: its step and rows, in step order. */
  reads(session: SessionName): { step: number; rows: Row[] }[] {
    const out: { step: number; rows: Row[] }[] = [];
    for (const s of this.#c.steps) {
      if (sessionOf(s) !== session) continue;
      const rows = this.rows(s.step);
      if (rows !== null) out.push({ step: s.step, rows });
    }
    return out;
  }

  /** The final state, or `null` if it could not be read. */
  get final(): Row[] | null {
    const f = this.#replay.finalState;
    return f.ok ? sortedRows(f.rows) : null;
  }

  /** How the first transaction of `session` ended. */
  end(session: SessionName): TxnEnd {
    let inTxn = false;
    for (const s of this.#c.steps) {
      if (sessionOf(s) !== session) continue;
      const a = this.answer(s.step);
      const o = a.outcome;
      if (!inTxn) {
        if (!isBegin(s.sql)) continue;
        inTxn = true;
      }
      if (o.kind === "hang" || o.kind === "not-sent") {
        return { kind: "hang", step: s.step, code: "" };
      }
      if (o.kind === "error") return { kind: "failed", step: s.step, code: o.code };
      const end = endOf(s.sql);
      if (end === "commit") {
        return /^COMMIT\b/i.test(o.command)
          ? { kind: "committed", step: s.step, code: "" }
          : { kind: "failed", step: s.step, code: o.command };
      }
      if (end === "rollback") return { kind: "script-abort", step: s.step, code: "" };
    }
    return { kind: "open", step: 0, code: "" };
  }

  /**
   * Whether `session`'s transaction got through: it committed, or it reached the script's
   * abort without any error (then {@link reliedOnScriptAbort} is set).
   */
  survives(session: SessionName): boolean {
    const end = this.end(session);
    if (end.kind === "committed") return true;
    if (end.kind === "script-abort") {
      this.reliedOnScriptAbort = true;
      return true;
    }
    return false;
  }
}

/** Whether `rows` hold the row `[id, value]`. */
function has(rows: readonly Row[] | null, id: number, value: number): boolean {
  return rows?.some((r) => r[0] === id && r[1] === value) ?? false;
}

/** The value of row `id`, `undefined` when absent. */
function valueOf(rows: readonly Row[], id: number): number | string | null | undefined {
  return rows.find((r) => r[0] === id)?.[1];
}

/** Whether two row sets are equal. */
function sameRows(
  a: readonly (readonly unknown[])[],
  b: readonly (readonly unknown[])[],
): boolean {
  return JSON.stringify(sortedRows(a)) === JSON.stringify(sortedRows(b));
}

/** `[[1,10],[2,20]]`. */
function fmt(rows: readonly Row[] | null): string {
  return rows === null ? "(no rows)" : formatRows(rows);
}

/**
 * A script's anomaly test: a description of the anomaly when the answers show it, else `null`.
 * The step numbers are the script's (identical at every level).
 */
export type AnomalyCheck = (v: ReplayView) => string | null;

/** One predicate per Hermitage script, transcribing its `anomaly_observed_if`. */
export const anomalyChecks: Readonly<Record<HermitageVariant, AnomalyCheck>> = {
  // Final state mixes the two transactions, or T1 does not read its own committed writes.
  G0: (v) => {
    const own = v.rows(7);
    if (own !== null && !sameRows(own, [[1, 11], [2, 21]])) {
      return `T1 read ${fmt(own)} at step 7 instead of its committed writes [[1,11],[2,21]]`;
    }
    const f = v.final;
    if (f !== null && !sameRows(f, [[1, 11], [2, 21]]) && !sameRows(f, [[1, 12], [2, 22]])) {
      return `the final state ${fmt(f)} mixes T1's and T2's writes`;
    }
    return null;
  },
  // Any read by T2 returns 1 => 101, written by T1, which aborts.
  G1a: (v) => {
    for (const r of v.reads("T2")) {
      if (has(r.rows, 1, 101)) return `T2 read 1 => 101 at step ${r.step} (T1 aborts it)`;
    }
    if (has(v.final, 1, 101)) return "the aborted write 1 => 101 is in the final state";
    return null;
  },
  // Any read by T2 returns 1 => 101, an intermediate value T1 overwrote before committing.
  G1b: (v) => {
    for (const r of v.reads("T2")) {
      if (has(r.rows, 1, 101)) return `T2 read the intermediate 1 => 101 at step ${r.step}`;
    }
    return null;
  },
  // T1 reads 2 => 22 or T2 reads 1 => 11: each sees the other's uncommitted write.
  G1c: (v) => {
    if (has(v.rows(5), 2, 22)) return "T1 read T2's uncommitted 2 => 22 at step 5";
    if (has(v.rows(6), 1, 11)) return "T2 read T1's uncommitted 1 => 11 at step 6";
    return null;
  },
  // Once T3 saw a write of T1 (1 => 11, 2 => 19), a later read shows a value from before T1;
  // once it saw a write of T2 (1 => 12, 2 => 18), a later read shows a value from before T2.
  OTV: (v) => {
    let sawT1 = 0, sawT2 = 0;
    for (const r of v.reads("T3")) {
      const one = valueOf(r.rows, 1), two = valueOf(r.rows, 2);
      if (sawT1 > 0 && (one === 10 || two === 20)) {
        return `T3 saw T1's write at step ${sawT1}, then T1 vanished at step ${r.step}: ${
          fmt(r.rows)
        }`;
      }
      if (sawT2 > 0 && (one === 10 || one === 11 || two === 20 || two === 19)) {
        return `T3 saw T2's write at step ${sawT2}, then T2 vanished at step ${r.step}: ${
          fmt(r.rows)
        }`;
      }
      if (one === 11 || two === 19) sawT1 ||= r.step;
      if (one === 12 || two === 18) sawT2 ||= r.step;
    }
    return null;
  },
  // T1's second predicate read returns 3 => 30, inserted by T2 after T1's first read found none.
  PMP: (v) => {
    const first = v.rows(3), second = v.rows(6);
    if (first !== null && !has(first, 3, 30) && has(second, 3, 30)) {
      return "T1's read at step 6 returns 3 => 30, which its read at step 3 did not see";
    }
    return null;
  },
  // T2's delete of value = 20 is evaluated against a mix of states and T2 gets through. In every
  // consistent state exactly one row has value 20: before T1 row 2, after T1 row 1. Deleting none
  // is a mixed state; deleting row 2 removes T1's committed update (T1 counted 2 rows, so T2
  // cannot come first); deleting row 1 is the serial order T1, T2.
  "PMP-write": (v) => {
    if (!v.ok(4) || !v.survives("T2")) return null;
    const deleted = v.rowCount(4);
    if (deleted === 0) {
      return `T2's delete where value = 20 removed nothing (a mixed state)${
        has(v.rows(6) ?? null, 1, 20) ? " and T2 then saw 1 => 20" : ""
      }, and T2 got through`;
    }
    const end = v.end("T2");
    if (deleted === 1 && end.kind === "committed" && v.final !== null) {
      return sameRows(v.final, [[2, 30]])
        ? null
        : `T2 deleted a row and committed, leaving ${fmt(v.final)} (T1 then T2 leaves [[2,30]])`;
    }
    return `T2's delete where value = 20 removed ${deleted} row(s) although T1 had updated ` +
      `every row, and T2 got through`;
  },
  // T1 and T2 both commit an update of row 1 after both read 1 => 10.
  P4: (v) => {
    if (!has(v.rows(3), 1, 10) || !has(v.rows(4), 1, 10)) return null;
    if (v.rowCount(5) !== 1 || v.rowCount(6) !== 1) return null;
    if (!v.survives("T1") || !v.survives("T2")) return null;
    return "T1 and T2 both wrote row 1 after reading 1 => 10, and both got through (lost update)";
  },
  // T1 sees 1 => 10 (before T2) and 2 => 18 (after T2).
  "G-single": (v) => {
    if (has(v.rows(3), 1, 10) && has(v.rows(9), 2, 18)) {
      return "T1 read 1 => 10 at step 3 and 2 => 18 at step 9 (read skew)";
    }
    return null;
  },
  // T1's second predicate read returns 1 => 12 (it saw row 1 before and after T2).
  "G-single-dependencies": (v) => {
    if (has(v.rows(3), 1, 10) && has(v.rows(6), 1, 12)) {
      return "T1 read 1 => 10 at step 3 and 1 => 12 at step 6 (read skew)";
    }
    return null;
  },
  // T1 read 1 => 10 before T2 committed, then its delete where value = 20 got through: with 0
  // rows it read T2's state (read skew), with 1 it deleted the row T2 updated (lost update).
  "G-single-write-1": (v) => {
    if (!has(v.rows(3), 1, 10) || !v.ok(8) || !v.survives("T1")) return null;
    const deleted = v.rowCount(8);
    return deleted === 0
      ? "T1 read 1 => 10 before T2, then deleted by T2's committed state (0 rows), and got through"
      : `T1 deleted ${deleted} row(s) where value = 20 although T2 had updated row 2 to 18, ` +
        "and got through";
  },
  // No anomaly can complete: T1 rolls back. Safety: T1's delete must leave no trace, and the
  // final state must be T2's if T2 committed, the initial one if not.
  "G-single-write-2": (v) => {
    const f = v.final;
    if (f === null) return null;
    if (valueOf(f, 2) === undefined) return "T1's rolled-back delete of row 2 took effect";
    const expected = v.end("T2").kind === "committed" ? [[1, 12], [2, 18]] : [[1, 10], [2, 20]];
    return sameRows(f, expected)
      ? null
      : `the final state is ${fmt(f)}, expected ${JSON.stringify(expected)}`;
  },
  // Both T1 and T2 commit (each wrote based on a read the other invalidated).
  "G2-item": (v) => {
    if (!v.ok(5) || !v.ok(6) || !v.survives("T1") || !v.survives("T2")) return null;
    return "T1 and T2 both committed after reading rows 1 and 2 (write skew)";
  },
  // Both T1 and T2 commit: the final state holds both 3 => 30 and 4 => 42.
  G2: (v) => {
    if (has(v.final, 3, 30) && has(v.final, 4, 42)) {
      return "both inserts are in the final state (predicate write skew)";
    }
    if (v.ok(5) && v.ok(6) && v.survives("T1") && v.survives("T2")) {
      return "T1 and T2 both committed after reading value % 3 = 0 (predicate write skew)";
    }
    return null;
  },
  // Read-only T3 saw T2's write (2 => 25) next to 1 => 10, then T1's update of row 1 got through.
  "G2-two-edges": (v) => {
    const seen = v.rows(7);
    if (!has(seen, 1, 10) || !has(seen, 2, 25)) return null;
    if (!v.ok(9) || !v.survives("T1")) return null;
    return "T3 saw [[1,10],[2,25]], then T1's update of row 1 got through (read-only anomaly)";
  },
};

/** SQLSTATEs a concurrency-control decision may raise inside a script. */
const concurrencyStates = new Set(["40001", "40P01", "25P02"]);

/** Tier 1 for one case. */
export function scoreSafety(c: HermitageCase, replay: Replay): SafetyResult {
  const result = (ours: OurVerdict, detail: string): SafetyResult => ({
    caseId: c.id,
    postgres: c.postgres_verdict,
    ours,
    score: safetyScore(c.postgres_verdict, ours),
    detail,
  });
  const hang = replay.answers.find((a) => a.outcome.kind === "hang");
  if (hang !== undefined) return result("hang", `step ${hang.step} never answered`);
  if (c.isolation_level === "serializable" && replay.serializableRefused) {
    return result("refused", "SERIALIZABLE refused with 0A000 (REPEATABLE READ accepted)");
  }
  for (const a of replay.answers) {
    if (a.outcome.kind === "error" && !concurrencyStates.has(a.outcome.code)) {
      return result(
        "error",
        `step ${a.step} (${a.sql}) failed: ${a.outcome.code} ${a.outcome.message}`,
      );
    }
  }
  if (!replay.finalState.ok) {
    return result("error", `the final state could not be read: ${replay.finalState.error}`);
  }
  const view = new ReplayView(c, replay);
  const anomaly = anomalyChecks[c.variant](view);
  if (anomaly === null) return result("prevented", "");
  return view.reliedOnScriptAbort
    ? result(
      "not-prevented-before-abort",
      `${anomaly} (no error before the script's abort, where PostgreSQL raises 40001)`,
    )
    : result("observed", anomaly);
}

/** The README's tier-1 table. */
function safetyScore(postgres: PostgresVerdict, ours: OurVerdict): SafetyScore {
  switch (ours) {
    case "hang":
    case "error":
      return "fail";
    case "refused":
      return "pass";
    case "prevented":
      return postgres === "not prevented" ? "pass-stronger" : "pass";
    case "observed":
    case "not-prevented-before-abort":
      return postgres === "not prevented" ? "pass" : "fail";
    default: {
      const never: never = ours;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

/** PostgreSQL's answer in a line, in the words of {@link describeAnswer}. */
export function describeExpect(e: HermitageExpect): string {
  if ("blocks" in e) {
    return `waits until step ${e.unblocked_by_step}, then ${describeExpect(e.then)}`;
  }
  if ("rows" in e) return `rows ${formatRows(e.rows)}`;
  if ("error" in e) return `error ${e.error}`;
  if (e.command !== undefined) return e.command;
  return e.rowcount !== undefined ? `ok, ${e.rowcount} row(s)` : "ok";
}

/** Whether an outcome matches a non-blocking expectation. */
function matches(e: HermitageExpect, a: StepAnswer): boolean {
  const o = a.outcome;
  if ("blocks" in e) return matches(e.then, a);
  if ("error" in e) return o.kind === "error" && o.code === e.error;
  if (o.kind !== "ok") return false;
  if ("rows" in e) {
    return /^SELECT\b/i.test(o.command) && sameRows(o.rows.map(normalizeRow), e.rows);
  }
  if (e.rowcount !== undefined && o.rowCount !== e.rowcount) return false;
  if (e.command !== undefined && o.command.toUpperCase() !== e.command) return false;
  return true;
}

/** The answer PostgreSQL finally gave (the `then` of a blocked step). */
function finalExpect(e: HermitageExpect): HermitageExpect {
  return "blocks" in e ? finalExpect(e.then) : e;
}

/** A serialization failure or a deadlock: the engine aborting a transaction. */
function isAbort(code: string | undefined): boolean {
  return code === "40001" || code === "40P01";
}

/** Tier 2 for one case: its deviations from PostgreSQL, in step order. */
export function fidelityDeviations(c: HermitageCase, replay: Replay): Deviation[] {
  const out: Deviation[] = [];
  const deviate = (
    step: number | "final",
    expected: string,
    got: string,
    category: DeviationCategory,
  ) => out.push({ case: c.id, step, expected, got, category });
  if (c.isolation_level === "serializable" && replay.serializableRefused) {
    const first = replay.answers.find((a) => a.outcome.kind === "error");
    deviate(first?.step ?? 1, "ok", first ? describeAnswer(first) : "refused", "other");
    return out;
  }
  // steps of each session, to look ahead within a transaction
  const failedOurs = new Set<SessionName>();
  const failedPg = new Set<SessionName>();
  const laterInTxn = (from: number, session: SessionName): number[] => {
    const steps: number[] = [];
    for (const s of c.steps.slice(from)) {
      if (sessionOf(s) !== session) continue;
      steps.push(s.step);
      if (endOf(s.sql) !== null) break;
    }
    return steps;
  };
  for (const s of c.steps) {
    const session = sessionOf(s);
    const a = replay.answers[s.step - 1]!;
    const expect = s.expect;
    const pg = finalExpect(expect);
    const pgCode = "error" in pg ? pg.error : undefined;
    const ourCode = a.outcome.kind === "error" ? a.outcome.code : undefined;
    const compared = !failedOurs.has(session) && !failedPg.has(session);
    if (compared) {
      const later = laterInTxn(s.step, session);
      if (isAbort(pgCode) && a.outcome.kind === "ok") {
        const ourLater = later.find((n) => {
          const o = replay.answers[n - 1]!.outcome;
          return (o.kind === "error" && isAbort(o.code)) ||
            (o.kind === "ok" && endOf(c.steps[n - 1]!.sql) === "commit" &&
              !/^COMMIT\b/i.test(o.command));
        });
        deviate(
          s.step,
          describeExpect(expect),
          describeAnswer(a) + (ourLater === undefined ? "" : `; 40001 came at step ${ourLater}`),
          ourLater === undefined ? "other" : "error-position",
        );
      } else if (isAbort(ourCode) && pgCode === undefined) {
        const pgLater = later.some((n) => isAbort(errorOf(c.steps[n - 1]!.expect)));
        deviate(
          s.step,
          describeExpect(expect),
          describeAnswer(a),
          c.isolation_level === "read committed"
            ? "extra-abort-at-RC"
            : pgLater
            ? "error-position"
            : "spurious-abort",
        );
      } else if (!matches(expect, a) || !sameWait(expect, a)) {
        deviate(s.step, describeExpect(expect), describeAnswer(a), "other");
      }
    }
    if (a.outcome.kind !== "ok") failedOurs.add(session);
    if (pgCode !== undefined) failedPg.add(session);
    if (endOf(s.sql) !== null) {
      failedOurs.delete(session);
      failedPg.delete(session);
    }
  }
  if (
    out.length === 0 && replay.finalState.ok && !sameRows(replay.finalState.rows, c.final_state)
  ) {
    deviate("final", formatRows(c.final_state), formatRows(replay.finalState.rows), "other");
  }
  return out;
}

/** The SQLSTATE an expectation ends in, if any. */
function errorOf(e: HermitageExpect): string | undefined {
  const f = finalExpect(e);
  return "error" in f ? f.error : undefined;
}

/**
 * Whether we waited as PostgreSQL did: for a statement PostgreSQL let through after a wait, the
 * same wait, released by the same step; for one PostgreSQL answered at once, no wait. When
 * PostgreSQL's answer after the wait was 40001, answering 40001 at once is the same answer.
 */
function sameWait(e: HermitageExpect, a: StepAnswer): boolean {
  if (!("blocks" in e)) return !a.blocked;
  if (errorOf(e) !== undefined) return true;
  return a.blocked && a.releasedBy === e.unblocked_by_step;
}

/** A tier-1 result and the tier-2 deviations of one case. */
export interface CaseReport {
  readonly safety: SafetyResult;
  readonly deviations: readonly Deviation[];
}

/** Markdown table: case, PostgreSQL's verdict, ours (with the tier-1 score), deviations. */
export function markdownReport(reports: readonly CaseReport[]): string {
  const lines = [
    "| case | PostgreSQL | OmenDB | deviations |",
    "|---|---|---|---|",
  ];
  for (const { safety, deviations } of reports) {
    const ours = safety.score === "pass" ? safety.ours : `${safety.ours} (**${safety.score}**)`;
    const devs = deviations.length === 0
      ? "none"
      : deviations.map((d) => `${d.step}: ${d.category}`).join("; ");
    lines.push(`| ${safety.caseId} | ${safety.postgres} | ${ours} | ${devs} |`);
  }
  return lines.join("\n");
}
