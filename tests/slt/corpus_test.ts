/**
 * Runs the whole shared conformance corpus through the runner (2 workers) and fails on any
 * regression: a failing record that is not listed in `ratchet.json`. Newly passing records are
 * printed so the ratchet can be tightened with `deno run -A tests/slt/main.ts --update-ratchet`.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { compareWithRatchet, readRatchet } from "./ratchet.ts";
import { defaultConformanceDir, runSlt } from "./run.ts";

/** Newly passing / regressed ids printed at most. */
const printedIdsMax = 200;
/** The corpus must finish within this wall time on 2 cores. */
const corpusWallTimeMaxMs = 8 * 60_000;

const root = defaultConformanceDir();

Deno.test({
  name: "slt corpus: no regressions against tests/slt/ratchet.json",
  ignore: !fs.existsSync(root),
  async fn() {
    const { report, elapsedMs } = await runSlt({ paths: [root] });
    const diff = compareWithRatchet(readRatchet(), report.failedIds, report.passedIds);
    const lines: string[] = [];
    lines.push(`conformance corpus ${root} in ${(elapsedMs / 1000).toFixed(1)} s`);
    for (const [name, c] of [...report.corpora.entries()].sort()) {
      const n = c.passed + c.failed;
      const rate = n === 0 ? "-" : `${((100 * c.passed) / n).toFixed(1)}%`;
      lines.push(
        `  ${
          name.padEnd(12)
        } runnable ${c.runnable}, ${c.passed} passed, ${c.failed} failed, pass rate ${rate}`,
      );
    }
    if (diff.newlyPassing.length > 0) {
      lines.push(
        `${diff.newlyPassing.length} newly passing records (tighten the ratchet with --update-ratchet):`,
      );
      for (const id of diff.newlyPassing.slice(0, printedIdsMax)) {
        lines.push(`  newly passing: ${id}`);
      }
    }
    for (const id of diff.regressions.slice(0, printedIdsMax)) lines.push(`  REGRESSION: ${id}`);
    lines.push(`${diff.regressions.length} regressions, ${diff.newlyPassing.length} newly passing`);
    lines.push(report.summaryLine());
    console.log(lines.join("\n"));
    assert.deepEqual(
      diff.regressions.slice(0, printedIdsMax),
      [],
      `${diff.regressions.length} records fail that are not in tests/slt/ratchet.json`,
    );
    assert.ok(
      elapsedMs < corpusWallTimeMaxMs,
      `the corpus took ${(elapsedMs / 1000).toFixed(0)} s, over the ${
        corpusWallTimeMaxMs / 1000
      } s budget`,
    );
  },
});
