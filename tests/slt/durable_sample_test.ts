/**
 * Runs a fixed 10% sample of the conformance corpus on durable storage (`--storage durable`:
 * checkpoints, simulated crashes and restarts between statements, see `omendb_engine.ts`) and
 * fails on any record that fails there but is not in `ratchet.json`, i.e. that passes in memory.
 * The sample is every {@link durableSampleEvery}-th file by sorted path. `deno task slt --storage
 * durable --check-ratchet` runs the whole corpus the same way.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { compareWithRatchet, readRatchet } from "./ratchet.ts";
import { defaultConformanceDir, planFiles, runSlt } from "./run.ts";

/** One file in this many (by sorted path) runs durable. */
export const durableSampleEvery = 10;
/** Regressed ids printed at most. */
const printedIdsMax = 200;

const root = defaultConformanceDir();

Deno.test({
  name: "slt corpus on durable storage: a 10% sample has no record failing that passes in memory",
  ignore: !fs.existsSync(root),
  async fn() {
    const sample = planFiles([root]).filter((_, i) => i % durableSampleEvery === 0);
    assert.ok(sample.length > 0);
    const { report, elapsedMs } = await runSlt({
      paths: sample.map((f) => f.file),
      storage: "durable",
    });
    const diff = compareWithRatchet(readRatchet(), report.failedIds, report.passedIds);
    console.log(
      `${sample.length} files durable in ${(elapsedMs / 1000).toFixed(1)} s: ` +
        `${report.summaryLine()}; ${diff.regressions.length} fail that pass in memory`,
    );
    const ids = new Set([...report.failedIds, ...report.passedIds].map((id) => id.split(":")[0]));
    assert.equal(ids.size, sample.length, "every sampled file ran records under its own path");
    assert.deepEqual(
      diff.regressions.slice(0, printedIdsMax),
      [],
      `${diff.regressions.length} records fail on durable storage that pass in memory`,
    );
  },
});
