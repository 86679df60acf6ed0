/**
 * Isolation-level scenarios with PostgreSQL 15's answers, written against a narrow session
 * interface so that one suite runs on embedded OmenDB sessions (isolation_test.ts) and on a real
 * PostgreSQL over the wire (which shows that the expectations are PostgreSQL's own).
 *
 * Every scenario starts from `t(id int primary key, v int)` holding `(1, 10), (2, 20)`. A
 * statement that must wait for another transaction is started, checked to be still pending
 * after {@link pendingMs}, then the other transaction ends and the statement is awaited.
 * SERIALIZABLE may be refused with 0A000 (OmenDB's design: truly serializable or refused); a
 * scenario at that level then ends early and reports `"refused"`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { normalizeRow } from "./hermitage.ts";
import { settlesWithin, sqlState, stateOf, type TransactionStatus } from "./_session.ts";

/** One statement's result, as both transports give it. */
export interface SuiteResult {
  readonly command: string;
  readonly rows: readonly (readonly unknown[])[];
  readonly rowCount: number | null;
}

/** What a scenario needs of a session. */
export interface SuiteSession {
  query(sql: string): Promise<SuiteResult>;
  readonly transactionStatus: TransactionStatus;
  close(): Promise<void>;
}

/** Opens sessions on the database under test. */
export type Connect = () => Promise<SuiteSession>;

/** The isolation levels. */
export const levels = ["read committed", "repeatable read", "serializable"] as const;

/** One of {@link levels}. */
export type Level = typeof levels[number];

/** How long a waiting statement must stay pending before the test releases it. */
export const pendingMs = 100;

/** How long a released statement (or deadlock detection) may take to answer. */
export const answerMs = 5000;

/** A scenario: `"refused"` when it stopped because SERIALIZABLE was refused. */
export interface Scenario {
  readonly name: string;
  run(connect: Connect): Promise<void | "refused">;
}

/** The rows of a result as numbers, sorted by id (first column). */
function rowsOf(r: SuiteResult): (number | string | null)[][] {
  return r.rows.map(normalizeRow).sort((a, b) => Number(a[0]) - Number(b[0]));
}

/** The verb of a command tag (`UPDATE 1` and the pg driver's `UPDATE` both give `UPDATE`). */
function verb(r: SuiteResult): string {
  return r.command.split(" ")[0]!.toUpperCase();
}

/** Drops and fills `t`, on a session of its own. */
async function freshTable(connect: Connect): Promise<void> {
  const s = await connect();
  try {
    await s.query("drop table if exists t");
    await s.query("create table t (id int primary key, v int)");
    await s.query("insert into t (id, v) values (1, 10), (2, 20)");
  } finally {
    await s.close();
  }
}

/** `select * from t` on a new session. */
async function committed(connect: Connect): Promise<(number | string | null)[][]> {
  const s = await connect();
  try {
    return rowsOf(await s.query("select id, v from t order by id"));
  } finally {
    await s.close();
  }
}

/** Starts a transaction; `false` when SERIALIZABLE is refused with 0A000. */
async function begin(s: SuiteSession, level: Level, extra = ""): Promise<boolean> {
  try {
    const r = await s.query(`begin isolation level ${level}${extra}`);
    assert.equal(verb(r), "BEGIN");
    assert.equal(s.transactionStatus, "active");
    return true;
  } catch (e) {
    if (level !== "serializable" || sqlState(e) !== "0A000") throw e;
    await s.query("rollback").catch(() => {});
    return false;
  }
}

/** Asserts `p` is still pending after {@link pendingMs}. */
async function assertWaits(p: Promise<unknown>, what: string): Promise<void> {
  assert.equal(await settlesWithin(p, pendingMs), false, `${what} should wait`);
}

/** Awaits a released statement, failing (not hanging) if it does not answer in time. */
async function released<T>(p: Promise<T>, what: string): Promise<T> {
  assert.ok(await settlesWithin(p, answerMs), `${what} never answered: a hang`);
  return p;
}

/** Runs `body` with `n` new sessions and closes them afterwards. */
async function withSessions(
  connect: Connect,
  n: number,
  body: (s: SuiteSession[]) => Promise<void | "refused">,
): Promise<void | "refused"> {
  await freshTable(connect);
  const sessions: SuiteSession[] = [];
  try {
    for (let i = 0; i < n; i++) sessions.push(await connect());
    return await body(sessions);
  } finally {
    for (const s of sessions) await s.close().catch(() => {});
  }
}

/** The scenarios run at each isolation level. */
function perLevel(level: Level): Scenario[] {
  const rc = level === "read committed";
  const tag = (name: string) => `${name} (${level})`;
  return [
    {
      name: tag("dirty read: uncommitted inserts, updates and deletes are never seen"),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(a!, level) || !await begin(b!, level)) return "refused";
          await a!.query("update t set v = 11 where id = 1");
          await a!.query("insert into t (id, v) values (3, 30)");
          await a!.query("delete from t where id = 2");
          assert.deepEqual(rowsOf(await a!.query("select * from t")), [[1, 11], [3, 30]]);
          assert.deepEqual(rowsOf(await b!.query("select * from t")), [[1, 10], [2, 20]]);
          await a!.query("rollback");
          assert.deepEqual(rowsOf(await b!.query("select * from t")), [[1, 10], [2, 20]]);
          assert.equal(verb(await b!.query("commit")), "COMMIT");
        }),
    },
    {
      name: tag(`non-repeatable read: ${rc ? "allowed" : "prevented"}`),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(b!, level)) return "refused";
          assert.deepEqual(rowsOf(await b!.query("select v from t where id = 1")), [[10]]);
          await a!.query("update t set v = 11 where id = 1"); // autocommit
          const again = rowsOf(await b!.query("select v from t where id = 1"));
          assert.deepEqual(again, rc ? [[11]] : [[10]]);
          assert.equal(verb(await b!.query("commit")), "COMMIT");
        }),
    },
    {
      name: tag(`phantom: ${rc ? "allowed" : "prevented"}, a second count(*) sees the same count`),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(b!, level)) return "refused";
          assert.deepEqual(rowsOf(await b!.query("select count(*) from t where v > 5")), [[2]]);
          await a!.query("insert into t (id, v) values (3, 30)"); // autocommit
          const again = rowsOf(await b!.query("select count(*) from t where v > 5"));
          assert.deepEqual(again, rc ? [[3]] : [[2]]);
          assert.equal(verb(await b!.query("commit")), "COMMIT");
        }),
    },
    {
      name: tag(
        rc
          ? "lost update: the second v = v + 1 waits, re-reads the committed row, ends at v + 2"
          : "lost update: the second writer waits, then gets 40001 when the first commits",
      ),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(a!, level) || !await begin(b!, level)) return "refused";
          assert.deepEqual(rowsOf(await b!.query("select v from t where id = 1")), [[10]]);
          assert.equal((await a!.query("update t set v = v + 1 where id = 1")).rowCount, 1);
          const second = b!.query("update t set v = v + 1 where id = 1");
          await assertWaits(second, "the second update of row 1");
          assert.equal(verb(await a!.query("commit")), "COMMIT");
          if (rc) {
            assert.equal((await released(second, "the second update")).rowCount, 1);
            assert.equal(verb(await b!.query("commit")), "COMMIT");
            assert.deepEqual(await committed(connect), [[1, 12], [2, 20]]);
          } else {
            assert.equal(await stateOf(released(second, "the second update")), "40001");
            assert.equal(b!.transactionStatus, "failed");
            assert.equal(verb(await b!.query("commit")), "ROLLBACK");
            assert.deepEqual(await committed(connect), [[1, 11], [2, 20]]);
          }
        }),
    },
    {
      name: tag("a writer waiting on a transaction that rolls back goes ahead"),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(a!, level) || !await begin(b!, level)) return "refused";
          assert.deepEqual(rowsOf(await b!.query("select v from t where id = 1")), [[10]]);
          await a!.query("update t set v = v + 1 where id = 1");
          const second = b!.query("update t set v = v + 1 where id = 1");
          await assertWaits(second, "the second update of row 1");
          assert.equal(verb(await a!.query("rollback")), "ROLLBACK");
          assert.equal((await released(second, "the second update")).rowCount, 1);
          assert.equal(verb(await b!.query("commit")), "COMMIT");
          assert.deepEqual(await committed(connect), [[1, 11], [2, 20]]);
        }),
    },
    {
      name: tag(
        level === "serializable"
          ? "write skew: prevented (one transaction gets 40001)"
          : "write skew: allowed, both commit",
      ),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          if (!await begin(a!, level) || !await begin(b!, level)) return "refused";
          // invariant the application keeps: v1 + v2 >= 0; each checks it, then takes 25
          assert.deepEqual(rowsOf(await a!.query("select sum(v) from t")), [[30]]);
          assert.deepEqual(rowsOf(await b!.query("select sum(v) from t")), [[30]]);
          const outcomes = [
            await stateOf(a!.query("update t set v = v - 25 where id = 1")),
            await stateOf(b!.query("update t set v = v - 25 where id = 2")),
          ];
          const commitA = await a!.query("commit").then(verb, (e) => sqlState(e) ?? "error");
          const commitB = await b!.query("commit").then(verb, (e) => sqlState(e) ?? "error");
          const final = await committed(connect);
          if (level !== "serializable") {
            assert.deepEqual([...outcomes, commitA, commitB], ["ok", "ok", "COMMIT", "COMMIT"]);
            assert.deepEqual(final, [[1, -15], [2, -5]]);
            return;
          }
          assert.ok(
            [...outcomes, commitA, commitB].includes("40001"),
            `one of the two gets 40001; got ${[...outcomes, commitA, commitB]}`,
          );
          assert.ok(!(commitA === "COMMIT" && commitB === "COMMIT"), "not both commit");
          const sum = final.reduce((acc, r) => acc + Number(r[1]), 0);
          assert.ok(sum >= 0, `the invariant holds: ${JSON.stringify(final)}`);
        }),
    },
    {
      name: tag(
        "two inserts of one key: the second waits; 23505 after a commit, ok after a rollback",
      ),
      run: (connect) =>
        withSessions(connect, 2, async ([a, b]) => {
          for (const end of ["commit", "rollback"] as const) {
            await a!.query("delete from t where id = 3");
            if (!await begin(a!, level) || !await begin(b!, level)) return "refused";
            await b!.query("select count(*) from t"); // b's snapshot predates a's insert
            await a!.query("insert into t (id, v) values (3, 30)");
            const second = b!.query("insert into t (id, v) values (3, 31)");
            await assertWaits(second, "the second insert of key 3");
            await a!.query(end);
            if (end === "commit") {
              assert.equal(await stateOf(released(second, "the second insert")), "23505");
              assert.equal(verb(await b!.query("commit")), "ROLLBACK");
              assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 30]]);
            } else {
              assert.equal((await released(second, "the second insert")).rowCount, 1);
              assert.equal(verb(await b!.query("commit")), "COMMIT");
              assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 31]]);
            }
          }
        }),
    },
    {
      name: tag("ROLLBACK discards the transaction's inserts, updates and deletes"),
      run: (connect) =>
        withSessions(connect, 1, async ([a]) => {
          if (!await begin(a!, level)) return "refused";
          await a!.query("insert into t (id, v) values (3, 30)");
          await a!.query("update t set v = 11 where id = 1");
          await a!.query("delete from t where id = 2");
          assert.deepEqual(rowsOf(await a!.query("select * from t")), [[1, 11], [3, 30]]);
          assert.equal(verb(await a!.query("rollback")), "ROLLBACK");
          assert.equal(a!.transactionStatus, "idle");
          assert.deepEqual(rowsOf(await a!.query("select * from t")), [[1, 10], [2, 20]]);
          assert.deepEqual(await committed(connect), [[1, 10], [2, 20]]);
        }),
    },
  ];
}

/** Scenarios that are not about one level. */
const general: Scenario[] = [
  {
    name: "COMMIT makes the changes visible to others; ABORT is ROLLBACK",
    run: (connect) =>
      withSessions(connect, 2, async ([a, b]) => {
        assert.equal(verb(await a!.query("begin")), "BEGIN");
        await a!.query("insert into t (id, v) values (3, 30)");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20]]);
        assert.equal(verb(await a!.query("commit")), "COMMIT");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 30]]);
        assert.equal(verb(await b!.query("start transaction")), "START");
        await b!.query("delete from t where id = 3");
        assert.equal(verb(await b!.query("abort")), "ROLLBACK");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 30]]);
      }),
  },
  {
    name: "COMMIT and ROLLBACK outside a transaction answer their tag (PostgreSQL warns)",
    run: (connect) =>
      withSessions(connect, 1, async ([a]) => {
        assert.equal(verb(await a!.query("commit")), "COMMIT");
        assert.equal(verb(await a!.query("rollback")), "ROLLBACK");
        assert.equal(a!.transactionStatus, "idle");
      }),
  },
  {
    name: "savepoints: ROLLBACK TO SAVEPOINT undoes back to it and keeps it; RELEASE; errors",
    run: (connect) =>
      withSessions(connect, 1, async ([a]) => {
        const s = a!;
        assert.equal(await stateOf(s.query("savepoint outside")), "25P01");
        await s.query("begin");
        await s.query("insert into t (id, v) values (3, 30)");
        assert.equal(verb(await s.query("savepoint a")), "SAVEPOINT");
        await s.query("insert into t (id, v) values (4, 40)");
        await s.query("update t set v = 11 where id = 1");
        assert.equal(verb(await s.query("rollback to savepoint a")), "ROLLBACK");
        assert.deepEqual(rowsOf(await s.query("select * from t")), [[1, 10], [2, 20], [3, 30]]);
        // a failed statement after a savepoint: the block fails until rolled back to it
        assert.equal(await stateOf(s.query("insert into t (id, v) values (1, 99)")), "23505");
        assert.equal(s.transactionStatus, "failed");
        assert.equal(await stateOf(s.query("select 1")), "25P02");
        assert.equal(verb(await s.query("rollback to a")), "ROLLBACK");
        assert.equal(s.transactionStatus, "active");
        await s.query("insert into t (id, v) values (4, 41)"); // key 4 is free again
        assert.equal(verb(await s.query("release savepoint a")), "RELEASE");
        assert.equal(await stateOf(s.query("release savepoint a")), "3B001");
        assert.equal(verb(await s.query("rollback")), "ROLLBACK");
        await s.query("begin");
        await s.query("savepoint x");
        await s.query("savepoint y");
        await s.query("insert into t (id, v) values (5, 50)");
        await s.query("rollback to savepoint x"); // destroys y
        assert.equal(await stateOf(s.query("release y")), "3B001");
        await s.query("rollback");
        await s.query("begin");
        await s.query("insert into t (id, v) values (3, 30)");
        await s.query("savepoint a");
        await s.query("insert into t (id, v) values (4, 40)");
        await s.query("release a");
        assert.equal(verb(await s.query("commit")), "COMMIT");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 30], [4, 40]]);
      }),
  },
  {
    name: "failed transaction: 25P02 until ROLLBACK; COMMIT answers ROLLBACK; nothing is kept",
    run: (connect) =>
      withSessions(connect, 1, async ([a]) => {
        const s = a!;
        assert.equal(s.transactionStatus, "idle");
        await s.query("begin");
        assert.equal(s.transactionStatus, "active");
        await s.query("insert into t (id, v) values (3, 30)");
        assert.equal(await stateOf(s.query("select 1 / 0")), "22012");
        assert.equal(s.transactionStatus, "failed");
        assert.equal(await stateOf(s.query("select 1")), "25P02");
        assert.equal(await stateOf(s.query("insert into t (id, v) values (4, 40)")), "25P02");
        assert.equal(await stateOf(s.query("select * from nowhere")), "25P02");
        assert.equal(s.transactionStatus, "failed");
        const end = await s.query("commit");
        assert.equal(verb(end), "ROLLBACK");
        assert.equal(s.transactionStatus, "idle");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20]]);
        await s.query("begin");
        assert.equal(await stateOf(s.query("insert into t (id, v) values (1, 1)")), "23505");
        assert.equal(verb(await s.query("rollback")), "ROLLBACK");
        assert.equal(s.transactionStatus, "idle");
        // outside a block an error fails only its statement
        assert.equal(await stateOf(s.query("select 1 / 0")), "22012");
        assert.equal(s.transactionStatus, "idle");
        assert.deepEqual(rowsOf(await s.query("select 1")), [[1]]);
      }),
  },
  {
    name: "REPEATABLE READ takes its snapshot at the first statement after BEGIN, not at BEGIN",
    run: (connect) =>
      withSessions(connect, 2, async ([a, b]) => {
        for (
          const start of [
            "begin isolation level repeatable read",
            "begin; set transaction isolation level repeatable read",
          ]
        ) {
          await b!.query("update t set v = 10 where id = 1");
          for (const sql of start.split("; ")) await a!.query(sql);
          await b!.query("update t set v = 11 where id = 1"); // after BEGIN, before any query
          assert.deepEqual(rowsOf(await a!.query("select v from t where id = 1")), [[11]]);
          await b!.query("update t set v = 12 where id = 1");
          assert.deepEqual(rowsOf(await a!.query("select v from t where id = 1")), [[11]]);
          await a!.query("commit");
        }
      }),
  },
  {
    name: "SET TRANSACTION ISOLATION LEVEL after the first query is 25001; before it, it applies",
    run: (connect) =>
      withSessions(connect, 2, async ([a, b]) => {
        await a!.query("begin");
        await a!.query("select 1");
        assert.equal(
          await stateOf(a!.query("set transaction isolation level repeatable read")),
          "25001",
        );
        assert.equal(a!.transactionStatus, "failed");
        await a!.query("rollback");
        await a!.query("begin");
        assert.equal(
          verb(await a!.query("set transaction isolation level repeatable read")),
          "SET",
        );
        assert.deepEqual(rowsOf(await a!.query("select v from t where id = 1")), [[10]]);
        await b!.query("update t set v = 11 where id = 1");
        assert.deepEqual(rowsOf(await a!.query("select v from t where id = 1")), [[10]]);
        await a!.query("commit");
      }),
  },
  {
    name: "read-only transactions: INSERT, UPDATE and DELETE are 25006; reads work",
    run: (connect) =>
      withSessions(connect, 1, async ([a]) => {
        const s = a!;
        for (
          const start of [
            "begin read only",
            "start transaction isolation level repeatable read, read only",
            "begin; set transaction read only",
          ]
        ) {
          for (
            const write of [
              "insert into t (id, v) values (3, 30)",
              "update t set v = 0",
              "delete from t",
            ]
          ) {
            for (const sql of start.split("; ")) await s.query(sql);
            assert.deepEqual(rowsOf(await s.query("select count(*) from t")), [[2]]);
            assert.equal(await stateOf(s.query(write)), "25006", `${start}: ${write}`);
            assert.equal(s.transactionStatus, "failed");
            await s.query("rollback");
          }
        }
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20]]);
        await s.query("begin read write");
        await s.query("insert into t (id, v) values (3, 30)");
        await s.query("commit");
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20], [3, 30]]);
      }),
  },
  {
    name: "close() rolls back an open transaction and frees the rows it wrote",
    run: (connect) =>
      withSessions(connect, 1, async ([b]) => {
        const a = await connect();
        await a.query("begin");
        await a.query("insert into t (id, v) values (3, 30)");
        await a.query("update t set v = 11 where id = 1");
        await a.close();
        assert.deepEqual(await committed(connect), [[1, 10], [2, 20]]);
        const write = b!.query("update t set v = 12 where id = 1");
        assert.ok(await settlesWithin(write, answerMs), "no wait for a closed session");
        assert.equal((await write).rowCount, 1);
        await b!.query("insert into t (id, v) values (3, 31)");
      }),
  },
  {
    name: "deadlock: one of two transactions waiting on each other gets 40P01, the other goes on",
    run: (connect) =>
      withSessions(connect, 2, async ([a, b]) => {
        await a!.query("begin");
        await b!.query("begin");
        await a!.query("update t set v = 11 where id = 1");
        await b!.query("update t set v = 21 where id = 2");
        const aWrite = a!.query("update t set v = 12 where id = 2");
        await assertWaits(aWrite, "a's update of row 2");
        const bWrite = b!.query("update t set v = 22 where id = 1");
        // the victim answers 40P01; the survivor answers when the victim's transaction is
        // aborted (PostgreSQL: at once) or rolled back, so either may answer first
        const states: (string | null)[] = [null, null];
        const aState = stateOf(aWrite).then((s) => states[0] = s);
        const bState = stateOf(bWrite).then((s) => states[1] = s);
        assert.ok(
          await settlesWithin(Promise.race([aState, bState]), answerMs),
          "the deadlock was not broken (a hang)",
        );
        if (!states.includes("40P01")) {
          await settlesWithin(Promise.all([aState, bState]), answerMs);
        }
        const victimIndex = states.indexOf("40P01");
        assert.notEqual(victimIndex, -1, `one of the two gets 40P01; got ${states}`);
        const [victim, survivor, survivorState] = victimIndex === 0
          ? [a!, b!, bState]
          : [b!, a!, aState];
        assert.equal(verb(await victim.query("rollback")), "ROLLBACK");
        assert.equal(await released(survivorState, "the survivor's update"), "ok");
        assert.equal(verb(await survivor.query("commit")), "COMMIT");
        const final = await committed(connect);
        assert.ok(
          JSON.stringify(final) === "[[1,22],[2,21]]" ||
            JSON.stringify(final) === "[[1,11],[2,12]]",
          `one transaction's writes, whole: ${JSON.stringify(final)}`,
        );
      }),
  },
];

/** Every scenario: the per-level ones at each level, then the others. */
export const scenarios: readonly Scenario[] = [...levels.flatMap(perLevel), ...general];
