import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { openSession } from "./_session.ts";
import {
  type HermitageCase,
  loadCases,
  normalizeRow,
  type Replay,
  replayCase,
  type SqlSession,
  testReplayOptions,
  transcript,
} from "./hermitage.ts";
import { type Deviation, fidelityDeviations, scoreSafety } from "./hermitage_score.ts";
import { deviationsUrl, readDeviations } from "./hermitage_main.ts";

const cases = await loadCases();

/** Sessions of an embedded database, for the replayer. */
function connectTo(db: Database): () => Promise<SqlSession> {
  return () => Promise.resolve(openSession(db));
}

/** Fails with the verdict and a transcript unless tier 1 passes. */
function assertSafe(c: HermitageCase, replay: Replay): void {
  const safety = scoreSafety(c, replay);
  assert.ok(
    safety.score !== "fail",
    `${c.id}: OmenDB ${safety.ours}, PostgreSQL ${c.postgres_verdict}: ${safety.detail}\n` +
      transcript(c, replay),
  );
}

Deno.test("hermitage: 45 cases on in-memory sessions; tier 1 passes, tier 2 deviations as recorded", async (t) => {
  assert.equal(cases.length, 45);
  const deviations: Deviation[] = [];
  const notReplayed: string[] = [];
  for (const c of cases) {
    notReplayed.push(c.id);
    await t.step(c.id, async () => {
      const db = await Database.open({ memory: true });
      try {
        const replay = await replayCase(c, connectTo(db), testReplayOptions);
        deviations.push(...fidelityDeviations(c, replay));
        notReplayed.pop();
        assertSafe(c, replay);
      } finally {
        await db.close();
      }
    });
  }
  await t.step(`tier 2: deviations equal ${deviationsUrl.pathname.split("/").pop()}`, async () => {
    assert.deepEqual(notReplayed, [], "cases that did not replay; their deviations are unknown");
    assert.deepEqual(
      deviations,
      await readDeviations(),
      "fidelity changed: if intended, run `deno run -A tests/txn/hermitage_main.ts --update`",
    );
  });
});

Deno.test("hermitage: G0, P4 and G-single at every level on a durable database, then reopened", async (t) => {
  const path = Deno.makeTempDirSync({ prefix: "omendb-hermitage-" });
  try {
    const picked = cases.filter((c) => ["G0", "P4", "G-single"].includes(c.variant));
    assert.equal(picked.length, 9);
    let last: Replay | null = null;
    const db = await Database.open({ path });
    try {
      for (const c of picked) {
        await t.step(c.id, async () => {
          last = null;
          const replay = await replayCase(c, connectTo(db), testReplayOptions);
          last = replay;
          assertSafe(c, replay);
        });
      }
    } finally {
      await db.close();
    }
    await t.step("reopened: the last case's final state came back from the WAL", async () => {
      const replay = last as Replay | null;
      assert.ok(replay !== null && replay.finalState.ok, "the last case read its final state");
      const reopened = await Database.open({ path });
      try {
        const rows = (await reopened.query("select * from test order by id")).rows;
        assert.deepEqual(rows.map(normalizeRow), replay.finalState.rows.map(normalizeRow));
      } finally {
        await reopened.close();
      }
    });
  } finally {
    Deno.removeSync(path, { recursive: true });
  }
});
