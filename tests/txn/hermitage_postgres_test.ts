/**
 * Checks the Hermitage harness itself against PostgreSQL 15, the engine the expectations came
 * from: replayed over the wire, every case must score exactly PostgreSQL's verdict with no
 * deviation. Then the scripts run one isolation level lower than they say (serializable as
 * repeatable read, repeatable read as read committed), and tier 1 must fail exactly the cases
 * whose anomaly the weaker level lets through: this proves the per-script predicates see the
 * anomalies, not only their absence.
 *
 * @module
 */
import assert from "node:assert/strict";
import { postgresPrereq, PostgresServer } from "../support/postgres.ts";
import { prereqTest } from "../support/prereq.ts";
import { connectPg, type PgTarget } from "./_pg_session.ts";
import {
  loadCases,
  replayCase,
  type SqlSession,
  testReplayOptions,
  transcript,
} from "./hermitage.ts";
import { fidelityDeviations, scoreSafety } from "./hermitage_score.ts";

const cases = await loadCases();

/** A session that runs every transaction one isolation level lower than it asks for. */
function weakened(session: SqlSession): SqlSession {
  return {
    queryAll: (sql) =>
      session.queryAll(
        sql.replace(/isolation level repeatable read/i, "isolation level read committed")
          .replace(/isolation level serializable/i, "isolation level repeatable read"),
      ),
    close: () => session.close(),
  };
}

prereqTest([await postgresPrereq()], {
  name:
    "hermitage harness on PostgreSQL 15: the recorded answers replay exactly; one level lower, tier 1 catches every anomaly",
  async fn(t) {
    const server = await PostgresServer.start();
    try {
      await server.query("create database hermitage");
      const target: PgTarget = { host: server.host, port: server.port, database: "hermitage" };
      await t.step("as recorded: every verdict equals PostgreSQL's, no deviation", async () => {
        const problems: string[] = [];
        for (const c of cases) {
          const replay = await replayCase(c, () => connectPg(target), testReplayOptions);
          const safety = scoreSafety(c, replay);
          const deviations = fidelityDeviations(c, replay);
          const expected = c.postgres_verdict === "not prevented" ? "observed" : "prevented";
          if (safety.ours !== expected || deviations.length > 0) {
            problems.push(
              `${c.id}: ${safety.ours} (${safety.detail}); ${JSON.stringify(deviations)}\n` +
                transcript(c, replay),
            );
          }
        }
        assert.deepEqual(problems, []);
      });
      await t.step(
        "one level lower: tier 1 fails exactly where the weaker level allows the anomaly",
        async () => {
          const failed: string[] = [];
          for (const c of cases) {
            const replay = await replayCase(
              c,
              async () => weakened(await connectPg(target)),
              testReplayOptions,
            );
            if (scoreSafety(c, replay).score === "fail") failed.push(c.id);
          }
          assert.deepEqual(failed, [
            "PMP/repeatable-read",
            "PMP-write/repeatable-read",
            "P4/repeatable-read",
            "G-single/repeatable-read",
            "G-single-dependencies/repeatable-read",
            "G-single-write-1/repeatable-read",
            "G2-item/serializable",
            "G2/serializable",
            "G2-two-edges/serializable",
          ]);
        },
      );
    } finally {
      await server.stop();
    }
  },
});
