/**
 * Aggregates record outcomes into per-corpus and per-tag counts, the JSON report and the text
 * summary.
 *
 * Counting rules: `runnable` = passed + failed + skipped by `require`, `mode skip` or as
 * unsupported (EXPLAIN in DataFusion), i.e. every record not excluded by `skipif`/`onlyif`.
 * A timed-out record counts as failed **and** in `skipped.timeout`. Pass rate =
 * passed / (passed + failed).
 *
 * @example
 * ```ts
 * import { Report } from "./report.ts";
 * const r = new Report();
 * console.assert(r.totals().passed === 0 && r.summaryLine() === "0 passed, 0 failed");
 * ```
 *
 * @module
 */
import type { RecordOutcome } from "./file_runner.ts";

/** Failures listed in the JSON report at most. */
export const reportFailuresMax = 10_000;

/** Skip counters of one corpus. */
export interface SkipCounts {
  condition: number;
  require: number;
  mode: number;
  unsupported: number;
  timeout: number;
}

/** Counts of one corpus. */
export interface CorpusCounts {
  runnable: number;
  passed: number;
  failed: number;
  skipped: SkipCounts;
  /**
   * Records whose feature tags are all covered by the SQL-engine issue (every tag but
   * `window*`, `qualify`, `asof-join`, `lateral` and `explain`): the pass-rate basis.
   */
  covered: { passed: number; failed: number };
}

/** Feature tags the SQL-engine issue leaves to later issues. */
export function isUncoveredTag(tag: string): boolean {
  return tag.startsWith("window") || tag === "qualify" || tag === "asof-join" ||
    tag === "lateral" || tag === "explain";
}

/** Extra counters reported in the text summary only. */
export interface CorpusExtras {
  files: number;
  lenient: number;
  messageMismatch: number;
  noops: number;
  crashes: number;
}

/** One listed failure in the JSON report. */
export interface FailureEntry {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly iteration: number | null;
  readonly sql: string;
  readonly expected: string;
  readonly actual: string;
  readonly tags: readonly string[];
}

/** The `--json` report. */
export interface JsonReport {
  readonly version: 1;
  readonly corpora: Record<string, CorpusCounts>;
  readonly byTag: Record<string, { passed: number; failed: number }>;
  readonly failures: FailureEntry[];
}

function emptyCounts(): CorpusCounts {
  return {
    runnable: 0,
    passed: 0,
    failed: 0,
    skipped: { condition: 0, require: 0, mode: 0, unsupported: 0, timeout: 0 },
    covered: { passed: 0, failed: 0 },
  };
}

function rate(passed: number, failed: number): string {
  const n = passed + failed;
  if (n === 0) return "-";
  // Round down, so that a corpus with failures never shows as 100.0%.
  const tenthsOfBasisPoints = Math.floor((10000 * passed) / n);
  return `${(tenthsOfBasisPoints / 100).toFixed(2)}%`;
}

function compareIds(a: RecordOutcome, b: RecordOutcome): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.seq - b.seq;
}

/** Collects outcomes. */
export class Report {
  readonly corpora = new Map<string, CorpusCounts>();
  readonly extras = new Map<string, CorpusExtras>();
  readonly byTag = new Map<string, { passed: number; failed: number }>();
  readonly #failures: RecordOutcome[] = [];
  readonly #firstFailure = new Map<string, RecordOutcome>();
  /** Ids of every passed record. */
  readonly passedIds: string[] = [];
  /** Ids of every failed record. */
  readonly failedIds: string[] = [];

  /** Records one outcome of a file in `corpus`. */
  add(o: RecordOutcome, corpus: string): void {
    let c = this.corpora.get(corpus);
    let x = this.extras.get(corpus);
    if (c === undefined || x === undefined) {
      c = emptyCounts();
      x = { files: 0, lenient: 0, messageMismatch: 0, noops: 0, crashes: 0 };
      this.corpora.set(corpus, c);
      this.extras.set(corpus, x);
    }
    if (o.status === "skipped") {
      const reason = (o.reason ?? "unsupported") as keyof SkipCounts;
      c.skipped[reason in c.skipped ? reason : "unsupported"]++;
      if (reason !== "condition") c.runnable++;
      return;
    }
    c.runnable++;
    if (!o.tags.some(isUncoveredTag)) {
      if (o.status === "passed") c.covered.passed++;
      else c.covered.failed++;
    }
    if (o.status === "passed") {
      c.passed++;
      this.passedIds.push(o.id);
      if (o.lenient) x.lenient++;
      if (o.messageMismatch) x.messageMismatch++;
      if (o.noop) x.noops++;
    } else {
      c.failed++;
      this.failedIds.push(o.id);
      if (o.reason === "timeout") c.skipped.timeout++;
      if (o.reason === "crash") x.crashes++;
      this.#failures.push(o);
      const first = this.#firstFailure.get(o.file);
      if (first === undefined || first.seq > o.seq) this.#firstFailure.set(o.file, o);
    }
    for (const tag of o.tags) {
      let t = this.byTag.get(tag);
      if (t === undefined) this.byTag.set(tag, t = { passed: 0, failed: 0 });
      if (o.status === "passed") t.passed++;
      else t.failed++;
    }
  }

  /** Counts a finished file. */
  fileDone(corpus: string): void {
    const x = this.extras.get(corpus);
    if (x !== undefined) x.files++;
  }

  /** Totals over all corpora. */
  totals(): { passed: number; failed: number; runnable: number } {
    let passed = 0;
    let failed = 0;
    let runnable = 0;
    for (const c of this.corpora.values()) {
      passed += c.passed;
      failed += c.failed;
      runnable += c.runnable;
    }
    return { passed, failed, runnable };
  }

  /** The final line: exactly `N passed, M failed`. */
  summaryLine(): string {
    const t = this.totals();
    return `${t.passed} passed, ${t.failed} failed`;
  }

  /** The `--json` report (failures sorted by file and position, at most {@link reportFailuresMax}). */
  toJson(): JsonReport {
    const corpora: Record<string, CorpusCounts> = {};
    for (const name of [...this.corpora.keys()].sort()) {
      corpora[name] = this.corpora.get(name) as CorpusCounts;
    }
    const byTag: Record<string, { passed: number; failed: number }> = {};
    for (const tag of [...this.byTag.keys()].sort()) {
      byTag[tag] = this.byTag.get(tag) as { passed: number; failed: number };
    }
    const failures = [...this.#failures].sort(compareIds).slice(0, reportFailuresMax).map((o) => ({
      id: o.id,
      file: o.file,
      line: o.line,
      iteration: o.iteration,
      sql: o.sql,
      expected: o.expected,
      actual: o.actual,
      tags: o.tags,
    }));
    return { version: 1, corpora, byTag, failures };
  }

  /** The human-readable summary; its last line is {@link summaryLine}. */
  toText(options: { firstFailures?: boolean; elapsedMs?: number } = {}): string {
    const out: string[] = [];
    const pad = (s: string | number, n: number): string => String(s).padStart(n);
    out.push(
      `${"corpus".padEnd(12)}${pad("files", 6)}${pad("runnable", 10)}${pad("passed", 9)}${
        pad("failed", 9)
      }${
        pad("rate", 8)
      }  skipped cond/req/mode/unsup/timeout, lenient, msg-mismatch, noops, crashes`,
    );
    for (const name of [...this.corpora.keys()].sort()) {
      const c = this.corpora.get(name) as CorpusCounts;
      const x = this.extras.get(name) as CorpusExtras;
      const s = c.skipped;
      out.push(
        `${name.padEnd(12)}${pad(x.files, 6)}${pad(c.runnable, 10)}${pad(c.passed, 9)}${
          pad(c.failed, 9)
        }${
          pad(rate(c.passed, c.failed), 8)
        }  ${s.condition}/${s.require}/${s.mode}/${s.unsupported}/${s.timeout}, ${x.lenient}, ${x.messageMismatch}, ${x.noops}, ${x.crashes}`,
      );
    }
    out.push("");
    out.push("by feature tag:");
    for (const tag of [...this.byTag.keys()].sort()) {
      const t = this.byTag.get(tag) as { passed: number; failed: number };
      out.push(
        `  ${tag.padEnd(20)}${pad(t.passed, 8)} passed${pad(t.failed, 8)} failed${
          pad(rate(t.passed, t.failed), 8)
        }`,
      );
    }
    if (options.firstFailures) {
      out.push("");
      out.push("first failure per file:");
      for (const file of [...this.#firstFailure.keys()].sort()) {
        const o = this.#firstFailure.get(file) as RecordOutcome;
        out.push(`  ${o.id}: ${o.reason}: ${o.actual.split("\n")[0]?.slice(0, 160)}`);
      }
    }
    out.push("");
    for (const name of [...this.corpora.keys()].sort()) {
      const c = this.corpora.get(name) as CorpusCounts;
      out.push(
        `${name}: ${c.passed} passed, ${c.failed} failed (${rate(c.passed, c.failed)}); ` +
          `covered tags: ${c.covered.passed} of ${c.covered.passed + c.covered.failed} (${
            rate(c.covered.passed, c.covered.failed)
          })`,
      );
    }
    if (options.elapsedMs !== undefined) {
      out.push(`elapsed: ${(options.elapsedMs / 1000).toFixed(1)} s`);
    }
    out.push(this.summaryLine());
    return out.join("\n");
  }
}
