// The optional query log: one `query` event per message with pid, duration, rows and SQLSTATE.
import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { realEnv } from "../env/mod.ts";
import { systemClock } from "../env/clock.ts";
import { type QueryLogOptions, queryLogTextCharsMax } from "./database.ts";

async function logged(
  queryLog: QueryLogOptions | undefined,
  run: (db: Database) => Promise<void>,
  stepMs = 0,
): Promise<Record<string, unknown>[]> {
  const events: Record<string, unknown>[] = [];
  // with stepMs, every clock reading is stepMs later than the one before (a slow machine)
  let t = 0;
  const clock = stepMs === 0 ? systemClock : { ...systemClock, monotonicMs: () => (t += stepMs) };
  const db = await Database.open({
    memory: true,
    env: { ...realEnv(), clock },
    log: (e) => events.push(e),
    ...(queryLog === undefined ? {} : { queryLog }),
  });
  try {
    await run(db);
  } finally {
    await db.close();
  }
  return events.filter((e) => e.event === "query");
}

Deno.test("query log: every message with rows, SQLSTATE, pid and text when all is set", async () => {
  const events = await logged({ all: true, slowMs: 0 }, async (db) => {
    await db.query("CREATE TABLE t (x INT)");
    await db.query("INSERT INTO t VALUES (1), (2); INSERT INTO t VALUES (3)");
    await db.query("SELECT * FROM t");
    await db.query("SELECT 1/0").catch(() => {});
    await db.query("SELEC 1").catch(() => {});
    const s = db.session();
    await s.query("SELECT 'x'");
    // a cached plan run synchronously (as the PostgreSQL server does) is logged the same way
    assert.notEqual(s.querySync("SELECT 'x'"), null);
    await s.close();
  });
  assert.deepEqual(events.map((e) => [e.sql, e.rows, e.code]), [
    ["CREATE TABLE t (x INT)", 0, "00000"],
    ["INSERT INTO t VALUES (1), (2); INSERT INTO t VALUES (3)", 3, "00000"],
    ["SELECT * FROM t", 3, "00000"],
    ["SELECT 1/0", null, "22012"],
    ["SELEC 1", null, "42601"],
    ["SELECT 'x'", 1, "00000"],
    ["SELECT 'x'", 1, "00000"],
  ]);
  for (const e of events) assert.ok(typeof e.ms === "number" && e.ms >= 0);
  // the embedded session and the other one have different pids
  assert.notEqual(events[0]!.pid, events.at(-1)!.pid);
});

Deno.test("query log: off by default; slowMs logs only messages at least that slow", async () => {
  assert.deepEqual(await logged(undefined, (db) => db.query("SELECT 1").then(() => {})), []);
  // each clock reading is 10 ms after the last: every message takes at least 10 ms
  assert.equal(
    (await logged({ all: false, slowMs: 10 }, (db) => db.query("SELECT 1").then(() => {}), 10))
      .length,
    1,
  );
  assert.equal(
    (await logged(
      { all: false, slowMs: 1_000_000 },
      (db) => db.query("SELECT 1").then(() => {}),
      10,
    )).length,
    0,
  );
});

Deno.test("query log: long texts are cut", async () => {
  const sql = `SELECT '${"x".repeat(queryLogTextCharsMax)}'`;
  const [e] = await logged({ all: true, slowMs: 0 }, (db) => db.query(sql).then(() => {}));
  assert.equal(String(e!.sql).length, queryLogTextCharsMax + 3);
  assert.ok(String(e!.sql).endsWith("..."));
});
