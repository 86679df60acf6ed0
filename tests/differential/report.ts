/**
 * Per-feature counts of a fuzz run: for each feature tag, how many queries used it, how many ran
 * on both engines, and how many of those matched, mismatched or were listed divergences; plus
 * how many OmenDB answered 0A000 (unsupported), which never count as passes.
 *
 * @module
 */

import type { CaseResult, Verdict } from "./oracle.ts";

/** Counts for one feature. */
export interface FeatureCounts {
  queries: number;
  /** Ran on both engines: matched + mismatched + divergences. */
  ranOnBoth: number;
  matched: number;
  mismatched: number;
  divergences: number;
  unsupported: number;
}

/** Examples kept per implementation-defined entry of matches that followed DuckDB. */
export const followedExamplesMax = 3;

/** The row name that counts every query. */
export const totalRow = "(all)";

function empty(): FeatureCounts {
  return { queries: 0, ranOnBoth: 0, matched: 0, mismatched: 0, divergences: 0, unsupported: 0 };
}

/** Accumulates {@link CaseResult}s by feature. */
export class FeatureReport {
  readonly #rows = new Map<string, FeatureCounts>();
  /** Counts per divergence id. */
  readonly divergenceCounts = new Map<string, number>();
  /**
   * Matches where OmenDB gave DuckDB's answer, not PostgreSQL's, under an implementation-defined
   * entry (`pgDecides: false`, e.g. `error_evaluation_order`), per entry id: accepted, but each
   * one is a place where OmenDB's plan is not PostgreSQL's.
   */
  readonly followedDuckdbCounts = new Map<string, number>();
  /** The first {@link followedExamplesMax} such results of each entry, to look into. */
  readonly followedDuckdbExamples = new Map<string, CaseResult[]>();

  /** Adds one result to every feature it uses and to {@link totalRow}. */
  add(r: CaseResult): void {
    for (const f of [totalRow, ...r.features]) {
      let c = this.#rows.get(f);
      if (c === undefined) this.#rows.set(f, c = empty());
      c.queries++;
      bump(c, r.verdict);
    }
    if (r.divergence !== null) {
      this.divergenceCounts.set(r.divergence, (this.divergenceCounts.get(r.divergence) ?? 0) + 1);
    }
    if (r.verdict === "match" && r.reason !== "") {
      this.followedDuckdbCounts.set(r.reason, (this.followedDuckdbCounts.get(r.reason) ?? 0) + 1);
      const examples = this.followedDuckdbExamples.get(r.reason) ?? [];
      if (examples.length < followedExamplesMax) examples.push(r);
      this.followedDuckdbExamples.set(r.reason, examples);
    }
  }

  /** The counts of one feature (zeros when unseen). */
  get(feature: string): FeatureCounts {
    return { ...(this.#rows.get(feature) ?? empty()) };
  }

  /** Every feature seen, `(all)` first, then alphabetically. */
  features(): string[] {
    return [...this.#rows.keys()].sort((a, b) =>
      a === totalRow ? -1 : b === totalRow ? 1 : a < b ? -1 : a > b ? 1 : 0
    );
  }

  /** A plain-text table, one line per feature. */
  format(): string {
    const head = [
      "feature",
      "queries",
      "both ran",
      "matched",
      "mismatched",
      "divergent",
      "unsupported",
    ];
    const rows = this.features().map((f) => {
      const c = this.get(f);
      return [f, c.queries, c.ranOnBoth, c.matched, c.mismatched, c.divergences, c.unsupported]
        .map(String);
    });
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: readonly string[]) =>
      cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
        .join("  ");
    const out = [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
    if (this.divergenceCounts.size > 0) {
      out.push(
        "",
        "divergences: " + [...this.divergenceCounts].map(([k, v]) => `${k}=${v}`).join(", "),
      );
    }
    if (this.followedDuckdbCounts.size > 0) {
      out.push(
        "matched DuckDB, not PostgreSQL (implementation-defined): " +
          [...this.followedDuckdbCounts].map(([k, v]) => `${k}=${v}`).join(", "),
      );
    }
    return out.join("\n");
  }
}

function bump(c: FeatureCounts, v: Verdict): void {
  switch (v) {
    case "match":
      c.ranOnBoth++;
      c.matched++;
      return;
    case "mismatch":
      c.ranOnBoth++;
      c.mismatched++;
      return;
    case "divergence":
      c.ranOnBoth++;
      c.divergences++;
      return;
    case "unsupported":
      c.unsupported++;
      return;
  }
}
