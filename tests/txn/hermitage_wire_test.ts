/**
 * The Hermitage cases over the PostgreSQL wire protocol: each session of a case is its own
 * node-postgres connection to OmenDB's PostgreSQL server (the connections run concurrently, as
 * the case interleaves them). Tier 1 (safety) must pass, and tier 2 must deviate exactly as the
 * embedded run records.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { PgServer } from "../../server/pgwire/mod.ts";
import { connectPg } from "./_pg_session.ts";
import { loadCases, replayCase, testReplayOptions, transcript } from "./hermitage.ts";
import { type Deviation, fidelityDeviations, scoreSafety } from "./hermitage_score.ts";
import { readDeviations } from "./hermitage_main.ts";

const cases = await loadCases();

Deno.test("hermitage over the wire: 45 cases through concurrent node-postgres connections", async () => {
  const problems: string[] = [];
  const deviations: Deviation[] = [];
  for (const c of cases) {
    const db = await Database.open({ memory: true });
    const server = await PgServer.listen({ db, host: "127.0.0.1", port: 0 });
    try {
      const target = { host: "127.0.0.1", port: server.port, user: "omendb", database: "omendb" };
      const replay = await replayCase(c, () => connectPg(target), testReplayOptions);
      deviations.push(...fidelityDeviations(c, replay));
      const safety = scoreSafety(c, replay);
      if (safety.score === "fail") {
        problems.push(`${c.id}: ${safety.ours} (${safety.detail})\n${transcript(c, replay)}`);
      }
    } finally {
      await server.close({ graceMs: 1000 });
      await db.close();
    }
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(deviations, await readDeviations());
});
