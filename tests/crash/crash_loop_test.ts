import assert from "node:assert/strict";
import { runCrashLoop } from "./crash_loop.ts";

Deno.test("crash loop: 50 SIGKILLs of a writer; every acknowledged row survives exactly once, nothing half-visible", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb-crash-test-" });
  try {
    const report = await runCrashLoop({ cycles: 50, seed: 20240101, dir, killDelayMsMax: 300 });
    console.log(JSON.stringify({ ...report, problems: report.problems.length }));
    assert.deepEqual(report.problems, []);
    assert.equal(report.rowsLost, 0);
    assert.equal(report.rowsDuplicated, 0);
    assert.ok(report.batchesAcked > 50, "the writer got work done between kills");
    const { kills } = report;
    assert.ok(kills.append > 0, "kills during appends");
    assert.ok(kills.checkpoint > 0, "kills while memtables were flushed");
    assert.ok(kills.compaction > 0, "kills during compaction");
    assert.ok(kills.manifest + kills.cleanup > 0, "kills during the manifest swap or after it");
    assert.ok(kills.delete > 0, "kills around deletes");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
