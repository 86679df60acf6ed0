/**
 * Session time zones end to end; every expected value was checked against PostgreSQL 15.
 */
import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { formatValue } from "../types/format.ts";

async function texts(db: Database, sql: string): Promise<(string | null)[][]> {
  const r = await db.query(sql);
  return r.rows.map((row) => row.map((v, i) => formatValue(r.columns[i]!.type, v, db.timeZone)));
}

async function fails(db: Database, sql: string, code: string): Promise<void> {
  await assert.rejects(db.query(sql), (e: unknown) => e instanceof DbError && e.code === code, sql);
}

Deno.test("SET TIME ZONE: timestamptz input and output, casts and SHOW follow the session zone", async () => {
  const db = await Database.open({ memory: true });
  await db.query("SET TIME ZONE '+08'");
  assert.deepEqual(await texts(db, "SHOW timezone"), [["<+08>-08"]]);
  assert.deepEqual(
    await texts(
      db,
      "SELECT TIMESTAMPTZ '2000-01-01T01:01:01', TIMESTAMPTZ '2000-01-01T01:01:01+07:00', " +
        "TIMESTAMPTZ '2000-01-01T01:01:01Z'",
    ),
    [["2000-01-01 01:01:01+08", "2000-01-01 02:01:01+08", "2000-01-01 09:01:01+08"]],
  );
  assert.deepEqual(
    await texts(
      db,
      "SELECT CAST(TIMESTAMPTZ '2000-01-01T01:01:01Z' AS TEXT), " +
        "CAST(TIMESTAMPTZ '2000-01-01T20:01:01Z' AS DATE), " +
        "CAST(TIMESTAMP '2000-01-01 00:00' AS TIMESTAMPTZ), CAST(TIMESTAMPTZ '2000-01-01 00:00Z' AS TIMESTAMP)",
    ),
    [["2000-01-01 09:01:01+08", "2000-01-02", "2000-01-01 00:00:00+08", "2000-01-01 08:00:00"]],
  );
  // POSIX spelling: '+05:00' is five hours WEST
  await db.query("SET TIME ZONE '+05:00'");
  assert.deepEqual(await texts(db, "SELECT TIMESTAMPTZ '2020-01-01 00:00:00+00'"), [[
    "2019-12-31 19:00:00-05",
  ]]);
  await db.query("SET TIME ZONE 'Europe/Berlin'");
  assert.deepEqual(
    await texts(
      db,
      "SELECT TIMESTAMPTZ '2024-10-27 02:30', TIMESTAMPTZ '2024-03-31 02:30', " +
        "TIMESTAMPTZ '2022-01-01 01:10:00 Australia/Sydney'",
    ),
    [["2024-10-27 02:30:00+01", "2024-03-31 03:30:00+02", "2021-12-31 15:10:00+01"]],
  );
  // stored values are instants: they read back in whatever zone the session has
  await db.query("CREATE TABLE t (ts timestamptz); INSERT INTO t VALUES ('2024-07-01 12:00')");
  assert.deepEqual(await texts(db, "SELECT ts, ts::timestamp, ts::date FROM t"), [[
    "2024-07-01 12:00:00+02",
    "2024-07-01 12:00:00",
    "2024-07-01",
  ]]);
  // a date compares with a timestamptz as its local midnight
  assert.deepEqual(
    await texts(
      db,
      "SELECT DATE '2024-07-01' < ts, DATE '2024-07-01' = TIMESTAMPTZ '2024-06-30 22:00Z' FROM t",
    ),
    [["t", "t"]],
  );
  await db.query("SET TIME ZONE LOCAL");
  assert.deepEqual(await texts(db, "SELECT ts FROM t"), [["2024-07-01 10:00:00+00"]]);
  await fails(db, "SET TIME ZONE 'Mars/Olympus_Mons'", "22023");
  await fails(db, "SET TIME ZONE '+0800'", "22023");
  assert.deepEqual(await texts(db, "SHOW timezone"), [["UTC"]]);
  await db.close();
});

Deno.test("date_trunc, date_part, to_char and interval arithmetic read local time", async () => {
  const db = await Database.open({ memory: true });
  await db.query("SET TIME ZONE '+07'");
  assert.deepEqual(
    await texts(
      db,
      "SELECT date_trunc('hour', TIMESTAMPTZ '2000-01-01T01:01:01'), " +
        "date_trunc('day', TIMESTAMPTZ '2000-01-01T01:01:01Z'), " +
        "date_part('hour', TIMESTAMPTZ '2000-01-01T01:01:01Z'), " +
        "extract(epoch from TIMESTAMPTZ '2000-01-01T01:01:01Z')",
    ),
    [["2000-01-01 01:00:00+07", "2000-01-01 00:00:00+07", "8", "946688461"]],
  );
  // date_bin works on instants; a timestamp origin is local time
  assert.deepEqual(
    await texts(
      db,
      "SELECT date_bin('1 day', TIMESTAMPTZ '2022-01-01 20:10:00', TIMESTAMPTZ '2020-01-01'), " +
        "date_bin('1 day', TIMESTAMPTZ '2022-01-01 20:10:00Z', TIMESTAMP '2020-01-01')",
    ),
    [["2022-01-01 00:00:00+07", "2022-01-02 00:00:00+07"]],
  );
  await db.query("SET TIME ZONE 'Europe/Berlin'");
  // a day across the fall-back transition is 25 hours; '24 hours' is not
  assert.deepEqual(
    await texts(
      db,
      "SELECT TIMESTAMPTZ '2024-10-26 12:00' + INTERVAL '1 day', " +
        "TIMESTAMPTZ '2024-10-26 12:00' + INTERVAL '24 hours', " +
        "TIMESTAMPTZ '2024-03-30 12:00' + INTERVAL '1 month'",
    ),
    [["2024-10-27 12:00:00+01", "2024-10-27 11:00:00+01", "2024-04-30 12:00:00+02"]],
  );
  assert.deepEqual(
    await texts(
      db,
      "SELECT date_trunc('day', TIMESTAMPTZ '2024-10-27 12:00'), " +
        "date_trunc('day', TIMESTAMPTZ '2024-10-27 12:00', 'Asia/Tokyo'), " +
        "to_char(TIMESTAMPTZ '2024-10-27 00:30Z', 'YYYY-MM-DD HH24:MI')",
    ),
    [["2024-10-27 00:00:00+02", "2024-10-26 17:00:00+02", "2024-10-27 02:30"]],
  );
  await db.close();
});

Deno.test("AT TIME ZONE converts between timestamp and timestamptz", async () => {
  const db = await Database.open({ memory: true });
  await db.query("SET TIME ZONE 'Europe/Berlin'");
  assert.deepEqual(
    await texts(
      db,
      "SELECT '2000-12-01 04:04:12' AT TIME ZONE 'UTC', " +
        "'2024-03-30 00:00:20'::timestamp AT TIME ZONE 'Europe/Brussels', " +
        "TIMESTAMPTZ '2024-03-30 00:00:20Z' AT TIME ZONE 'America/New_York', " +
        "timezone('Asia/Tokyo', TIMESTAMPTZ '2024-03-30 00:00:20Z')",
    ),
    [[
      "2000-12-01 03:04:12",
      "2024-03-30 00:00:20+01",
      "2024-03-29 20:00:20",
      "2024-03-30 09:00:20",
    ]],
  );
  // AT binds tighter than arithmetic; `at` alone is still a column alias
  assert.deepEqual(
    await texts(db, "SELECT TIMESTAMP '2024-01-01 00:00' AT TIME ZONE 'UTC' + INTERVAL '1 hour'"),
    [["2024-01-01 02:00:00+01"]],
  );
  assert.deepEqual((await db.query("SELECT 1 at")).columns.map((c) => c.name), ["at"]);
  await fails(db, "SELECT now() AT TIME ZONE 'nonsense'", "22023");
  await fails(db, "SELECT 'x' AT TIME ZONE 'UTC'", "22007");
  await db.close();
});

Deno.test("COPY reads and writes timestamptz text in the session time zone", async () => {
  const dir = await Deno.makeTempDir();
  const db = await Database.open({ memory: true });
  try {
    await db.query("SET TIME ZONE 'America/New_York'; CREATE TABLE t (ts timestamptz)");
    await Deno.writeTextFile(`${dir}/in.txt`, "2024-07-01 12:00\n2024-01-01 00:00+00\n");
    await db.query(`COPY t FROM '${dir}/in.txt'`);
    await db.query("SET TIME ZONE 'UTC'");
    assert.deepEqual(await texts(db, "SELECT ts FROM t ORDER BY ts"), [
      ["2024-01-01 00:00:00+00"],
      ["2024-07-01 16:00:00+00"],
    ]);
    await db.query("SET TIME ZONE '+08'");
    await db.query(`COPY t TO '${dir}/out.txt'`);
    assert.equal(
      await Deno.readTextFile(`${dir}/out.txt`),
      "2024-07-02 00:00:00+08\n2024-01-01 08:00:00+08\n",
    );
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("current-time functions: precision, empty parentheses, local forms in the session zone", async () => {
  const db = await Database.open({ memory: true });
  await db.query("SET TIME ZONE '+08'");
  const r = await db.query(
    "SELECT current_timestamp(0), localtimestamp(2), current_date(), current_date, localtime, " +
      "now() = current_timestamp()",
  );
  const [ts0, local2, d1, d2, lt, same] = r.rows[0]!;
  assert.equal(Number(ts0) % 1_000_000, 0);
  assert.equal(Number(local2) % 10_000, 0);
  assert.equal(d1, d2);
  assert.equal(r.columns[4]!.type.kind, "time");
  // LOCALTIME and CURRENT_DATE read the clock eight hours east of UTC
  const localNow = Number(ts0) + 8 * 3_600_000_000;
  assert.equal(d1, Math.floor(localNow / 86_400_000_000));
  assert.ok(Math.abs(Number(lt) - (localNow % 86_400_000_000)) < 1_000_000);
  assert.equal(same, true);
  await fails(db, "SELECT current_timestamp(x)", "42601");
  await fails(db, "SELECT current_timestamp(-1)", "42601");
  await fails(db, "SELECT current_time", "0A000");
  await db.close();
});
