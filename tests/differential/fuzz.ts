/**
 * The fuzz loop: fast-check generates cases from a seed, the {@link Oracle} judges each, a
 * {@link FeatureReport} counts them, and every distinct kind of mismatch is replayed from its
 * run index and shrunk to a minimal SQL script.
 *
 * @module
 */

import fc from "fast-check";
import { caseArbitrary, type CaseConfig, defaultCaseConfig } from "./gen_query.ts";
import { type CaseResult, formatCaseResult, type Oracle } from "./oracle.ts";
import type { Outcome } from "./outcome.ts";
import type { SqlCase } from "./sql_case.ts";
import { FeatureReport } from "./report.ts";

/** How many distinct mismatches are shrunk and reported, by default. */
export const shrinkReportsMaxDefault = 3;
/** Time spent shrinking one mismatch, at most. */
export const shrinkTimeLimitMs = 30_000;
/** Runs allowed when only a time limit is given. */
export const timedRunsMax = 1_000_000_000;

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  readonly seed: number;
  /** Number of cases; with `timeLimitMs` alone, runs until the time is up. */
  readonly numRuns?: number;
  readonly timeLimitMs?: number;
  readonly config?: CaseConfig;
  readonly shrinkReportsMax?: number;
}

/** One shrunk mismatch. */
export interface FuzzFailure {
  /** The run index at which it was first seen (replay with the same seed and `path`). */
  readonly runIndex: number;
  readonly original: CaseResult;
  /** The smallest case fast-check found that still fails the same way. */
  readonly shrunk: CaseResult;
  readonly shrinks: number;
}

/** The outcome of a fuzz run. */
export interface FuzzResult {
  readonly seed: number;
  readonly runs: number;
  readonly report: FeatureReport;
  /** Every mismatch seen (unshrunk). */
  readonly mismatches: readonly CaseResult[];
  /** Shrunk reports of the first distinct kinds of mismatch. */
  readonly failures: readonly FuzzFailure[];
  readonly elapsedMs: number;
}

function outcomeKind(o: Outcome | null): string {
  if (o === null) return "-";
  return o.ok ? "rows" : `error:${o.code ?? o.sqlClass}`;
}

/** What kind of mismatch a result is, so that shrinking keeps to the same bug. */
export function mismatchSignature(r: CaseResult): string {
  return `${outcomeKind(r.omen)}|${outcomeKind(r.duck)}|${outcomeKind(r.pg)}`;
}

/** Serialises property runs and lets the caller wait for one that a time limit abandoned. */
class InflightGuard {
  closed = false;
  #inflight: Promise<unknown> = Promise.resolve();

  track(fn: () => Promise<boolean>): Promise<boolean> {
    const p = this.#inflight.then(() => (this.closed ? true : fn()));
    this.#inflight = p.catch(() => {});
    return p;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.#inflight;
  }
}

/** Runs the fuzz loop. */
export async function runFuzz(oracle: Oracle, options: FuzzOptions): Promise<FuzzResult> {
  const started = performance.now();
  const arb = caseArbitrary(options.config ?? defaultCaseConfig);
  const report = new FeatureReport();
  const mismatches: { index: number; result: CaseResult }[] = [];
  let index = 0;
  // fast-check's time limit does not wait for a property that is still running: track it, and
  // wait for it before the engines are used again, ignoring what it finds after the deadline.
  const guard = new InflightGuard();
  const numRuns = options.numRuns ?? (options.timeLimitMs === undefined ? 100 : timedRunsMax);
  const run = await fc.check(
    fc.asyncProperty(arb, (c) =>
      guard.track(async () => {
        const r = await oracle.check(c);
        if (guard.closed) return true;
        report.add(r);
        if (r.verdict === "mismatch") mismatches.push({ index, result: r });
        index++;
        return true;
      })),
    {
      seed: options.seed,
      numRuns,
      ...(options.timeLimitMs === undefined
        ? {}
        : { interruptAfterTimeLimit: options.timeLimitMs }),
      markInterruptAsFailure: false,
    },
  );
  await guard.close();
  if (run.failed) {
    throw new Error(`the fuzz loop itself failed: ${String(run.errorInstance)}`, {
      cause: run.errorInstance,
    });
  }
  const failures: FuzzFailure[] = [];
  const seen = new Set<string>();
  for (const m of mismatches) {
    if (failures.length >= (options.shrinkReportsMax ?? shrinkReportsMaxDefault)) break;
    const sig = mismatchSignature(m.result);
    if (seen.has(sig)) continue;
    seen.add(sig);
    failures.push(await shrink(oracle, arb, options.seed, m.index, m.result));
  }
  return {
    seed: options.seed,
    runs: index,
    report,
    mismatches: mismatches.map((m) => m.result),
    failures,
    elapsedMs: performance.now() - started,
  };
}

async function shrink(
  oracle: Oracle,
  arb: fc.Arbitrary<SqlCase>,
  seed: number,
  runIndex: number,
  original: CaseResult,
): Promise<FuzzFailure> {
  const sig = mismatchSignature(original);
  let last: CaseResult = original;
  const guard = new InflightGuard();
  const r = await fc.check(
    fc.asyncProperty(arb, (c) =>
      guard.track(async () => {
        const res = await oracle.check(c);
        const fails = res.verdict === "mismatch" && mismatchSignature(res) === sig;
        if (fails && !guard.closed) last = res;
        return !fails;
      })),
    {
      seed,
      path: String(runIndex),
      interruptAfterTimeLimit: shrinkTimeLimitMs,
      markInterruptAsFailure: false,
    },
  );
  await guard.close();
  return { runIndex, original, shrunk: last, shrinks: r.numShrinks };
}

/** A failure report with the shrunk script first and how to replay it. */
export function formatFailure(f: FuzzFailure, seed: number): string {
  return [
    `MISMATCH (seed ${seed}, run ${f.runIndex}, shrunk ${f.shrinks} time(s)); minimal script:`,
    formatCaseResult(f.shrunk),
  ].join("\n");
}
