import assert from "node:assert/strict";
import { runIngestKill } from "./ingest_kill.ts";

Deno.test("ingest kill: 3 SIGKILLs of the server during HTTP ingest; every 204 line survives once, nothing extra", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb-ingest-kill-test-" });
  try {
    const report = await runIngestKill({ cycles: 3, seed: 20261126, dir, killDelayMsMax: 800 });
    console.log(JSON.stringify({ ...report, problems: report.problems.length }));
    assert.deepEqual(report.problems, []);
    assert.equal(report.rowsLost, 0);
    assert.equal(report.rowsDuplicated, 0);
    assert.equal(report.rowsPhantom, 0);
    assert.equal(report.batchesRefused, 0);
    assert.ok(report.batchesAcked > 3, "the writers got work done between kills");
    assert.equal(report.rowsStored, report.linesAcked + report.batchesUnackedPresent * 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
