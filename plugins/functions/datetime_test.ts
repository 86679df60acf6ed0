import assert from "node:assert/strict";
import { Database, DbError } from "../../mod.ts";
import { ManualClock, realEnv } from "../../core/env/mod.ts";
import { partOfMicros, truncateMicros } from "./datetime.ts";

const us = Date.UTC(2022, 7, 3, 14, 38, 50, 500) * 1000; // Wednesday 2022-08-03 14:38:50.5

Deno.test("date_trunc units follow PostgreSQL (weeks start Monday, centuries at year 1)", () => {
  const at = (y: number, m: number, d: number, h = 0) => Date.UTC(y, m - 1, d, h) * 1000;
  assert.equal(truncateMicros("second", us), Date.UTC(2022, 7, 3, 14, 38, 50) * 1000);
  assert.equal(truncateMicros("hour", us), at(2022, 8, 3, 14));
  assert.equal(truncateMicros("day", us), at(2022, 8, 3));
  assert.equal(truncateMicros("week", us), at(2022, 8, 1));
  assert.equal(truncateMicros("month", us), at(2022, 8, 1));
  assert.equal(truncateMicros("quarter", us), at(2022, 7, 1));
  assert.equal(truncateMicros("year", us), at(2022, 1, 1));
  assert.equal(truncateMicros("decade", us), at(2020, 1, 1));
  assert.equal(truncateMicros("century", us), at(2001, 1, 1));
  assert.equal(truncateMicros("hour", -1), at(1969, 12, 31, 23));
  assert.equal(truncateMicros("fortnight", us), null);
});

Deno.test("date_part fields", () => {
  assert.equal(partOfMicros("year", us), 2022);
  assert.equal(partOfMicros("second", us), 50.5);
  assert.equal(partOfMicros("milliseconds", us), 50500);
  assert.equal(partOfMicros("dow", us), 3);
  assert.equal(partOfMicros("isodow", us), 3);
  assert.equal(partOfMicros("doy", us), 215);
  assert.equal(partOfMicros("quarter", us), 3);
  assert.equal(partOfMicros("epoch", 86_400_000_000), 86400);
});

Deno.test("date functions from SQL: EXTRACT syntax, NULLs, bad units, now() from the injected clock", async () => {
  const clock = new ManualClock(Date.UTC(2024, 0, 2, 3, 4, 5) * 1000);
  const db = await Database.open({ memory: true, env: { ...realEnv(), clock } });
  const r = await db.query(
    "SELECT extract(year FROM TIMESTAMP '2022-08-03 14:38:50'), date_trunc('hour', NULL::timestamp), now() = current_timestamp, now()::text, current_date::text",
  );
  assert.deepEqual(r.rows, [[2022, null, true, "2024-01-02 03:04:05+00", "2024-01-02"]]);
  await assert.rejects(
    db.query("SELECT date_trunc('fortnight', TIMESTAMP '2022-08-03')"),
    (e: unknown) => e instanceof DbError && e.code === "22023",
  );
  await assert.rejects(
    db.query("SELECT date_trunc('hour', 5)"),
    (e: unknown) => e instanceof DbError && e.code === "42883",
  );
  await db.close();
});

Deno.test("time_bucket and date_bin bucket timestamps like TimescaleDB and PostgreSQL", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    `SELECT time_bucket('5 minutes', TIMESTAMPTZ '2016-01-01 00:07:31+00')::text,
            time_bucket('1 week', TIMESTAMP '2016-01-06')::text,
            time_bucket('1 month', TIMESTAMP '2016-03-15')::text,
            time_bucket('1 hour', TIMESTAMP '2016-01-01 10:30', TIMESTAMP '2016-01-01 00:15')::text,
            date_bin('15 minutes', TIMESTAMP '2020-02-11 15:44:17', TIMESTAMP '2001-01-01 00:02:30')::text,
            time_bucket('1 day', TIMESTAMP '1999-12-31 23:00')::text`,
  );
  assert.deepEqual(r.rows, [[
    "2016-01-01 00:05:00+00",
    "2016-01-04 00:00:00",
    "2016-03-01 00:00:00",
    "2016-01-01 10:15:00",
    "2020-02-11 15:32:30",
    "1999-12-31 00:00:00",
  ]]);
  // month strides bin by calendar months from the origin (PostgreSQL 15 refuses them; this is
  // DataFusion's and TimescaleDB's behaviour); a bucket start keeps the origin's day, clamped
  const m = await db.query(
    `SELECT date_bin('1 month', TIMESTAMP '2020-02-11', TIMESTAMP '2001-01-01')::text,
            date_bin('3 months', TIMESTAMP '2022-04-01', TIMESTAMP '2021-05-31 00:04')::text,
            date_bin('1 month', TIMESTAMP '2000-01-31', TIMESTAMP '2000-02-29')::text,
            date_bin('5 months', TIMESTAMP '2022-01-01')::text,
            date_bin('3 years 1 month', TIMESTAMP '2022-09-01')::text,
            date_bin('1 month', TIMESTAMP '2022-03-01 00:03', TIMESTAMP '2021-05-01 00:04')::text`,
  );
  assert.deepEqual(m.rows, [[
    "2020-02-01 00:00:00",
    "2022-02-28 00:04:00",
    "2000-01-29 00:00:00",
    "2021-09-01 00:00:00",
    "2022-06-01 00:00:00",
    "2022-02-01 00:04:00",
  ]]);
  await assert.rejects(
    db.query("SELECT date_bin('1 month 1 day', TIMESTAMP '2020-02-11')"),
    (e: unknown) => e instanceof DbError && e.code === "22023",
  );
  const g = await db.query(
    "SELECT time_bucket('1 hour', ts) AS h, count(*) FROM generate_series(TIMESTAMP '2016-01-01', TIMESTAMP '2016-01-01 02:59', interval '10 minutes') AS s(ts) GROUP BY 1 ORDER BY 1",
  );
  assert.deepEqual(g.rows.map((row) => Number(row[1])), [6, 6, 6]);
  await db.close();
});

Deno.test("date_bin without an origin bins from the Unix epoch; widths may vary per row", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    `SELECT date_bin('15 minutes', TIMESTAMP '2022-08-03 14:38:50')::text,
            date_bin('7 days', TIMESTAMP '1970-01-09')::text`,
  );
  assert.deepEqual(r.rows, [["2022-08-03 14:30:00", "1970-01-08 00:00:00"]]);
  const v = await db.query(
    `SELECT time_bucket(w::interval, TIMESTAMP '2016-01-01 00:07:31')::text
     FROM (VALUES ('1 minute'), ('1 minute'), ('5 minutes'), ('1 minute')) s(w)`,
  );
  assert.deepEqual(v.rows, [
    ["2016-01-01 00:07:00"],
    ["2016-01-01 00:07:00"],
    ["2016-01-01 00:05:00"],
    ["2016-01-01 00:07:00"],
  ]);
  await db.close();
});

Deno.test("time_bucket with an offset interval shifts the buckets (TimescaleDB, DuckDB)", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    `SELECT time_bucket('4 seconds', TIMESTAMP '2022-01-01 00:00:03', '2 seconds'::interval)::text,
            time_bucket('4 days', TIMESTAMP '2022-01-05 01:00', '6 hours'::interval)::text,
            time_bucket('3 months', TIMESTAMP '2022-01-05 01:00', '6 days 11 hours'::interval)::text,
            time_bucket('1 hour', TIMESTAMP '2022-01-05 01:00', NULL::interval),
            to_timestamp(1.5::numeric)::text`,
  );
  assert.deepEqual(r.rows, [[
    "2022-01-01 00:00:02",
    "2022-01-03 06:00:00",
    "2021-10-07 11:00:00",
    null,
    "1970-01-01 00:00:01.5+00",
  ]]);
  await db.close();
});

Deno.test("make_date validates like PostgreSQL 15, 1 BC being a leap year", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    "SELECT make_date(-1, 2, 29)::text, make_date(2024, 2, 29)::text, make_date(2022, 8, 3)::text, make_date(NULL, 1, 1)",
  );
  assert.deepEqual(r.rows, [["0001-02-29 BC", "2024-02-29", "2022-08-03", null]]);
  for (const args of ["-2, 2, 29", "0, 1, 1", "2023, 2, 29", "2023, 13, 1"]) {
    await assert.rejects(
      db.query(`SELECT make_date(${args})`),
      (e: unknown) => e instanceof DbError && e.code === "22008",
    );
  }
  await db.close();
});

Deno.test("make_date also takes bigint arguments (DataFusion), cast to integer", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    "SELECT make_date(2024::bigint, 1::bigint, 27::bigint)::text, make_date(2023, 11::bigint, 30)::text",
  );
  assert.deepEqual(r.rows, [["2024-01-27", "2023-11-30"]]);
  const code = (sql: string) =>
    db.query(sql).then(() => "ok", (e) => (e instanceof DbError ? e.code : String(e)));
  assert.equal(await code("SELECT make_date(9999999999, 1, 1)"), "22003");
  assert.equal(await code("SELECT make_date('2024'::text, 1, 1)"), "42883");
  assert.equal(await code("SELECT make_date(1.5, 1, 1)"), "42883");
  await db.close();
});

Deno.test("two-argument date_bin (DataFusion's) reads an untyped literal as a timestamp", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    `SELECT date_bin('5 month', '2022-01-01T00:00:00Z')::text,
      pg_typeof(date_bin('1 hour', '2022-01-01 10:30'))::text,
      pg_typeof(date_bin('1 hour', '2022-01-01 10:30', '2000-01-01'))::text`,
  );
  assert.deepEqual(r.rows, [[
    "2021-09-01 00:00:00",
    "timestamp without time zone",
    "timestamp with time zone", // PostgreSQL's three-argument form is unchanged
  ]]);
  await db.close();
});

Deno.test("date_trunc with a unit that changes from row to row, NULLs and infinities (PostgreSQL 15's answers)", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    "SELECT date_trunc(u, t)::text FROM (VALUES " +
      "('hour', TIMESTAMP '2022-08-03 14:38:50.5'), ('MONTH', TIMESTAMP '2022-08-03 14:38:50'), " +
      "('hour', TIMESTAMP '2022-08-03 15:38:50'), ('minute', NULL), ('day', TIMESTAMP 'infinity'), " +
      "(NULL, TIMESTAMP '2022-08-03'), ('second', TIMESTAMP '1969-12-31 23:59:59.75')) AS v(u, t)",
  );
  assert.deepEqual(r.rows.map((row) => row[0]), [
    "2022-08-03 14:00:00",
    "2022-08-01 00:00:00",
    "2022-08-03 15:00:00",
    null,
    "infinity",
    null,
    "1969-12-31 23:59:59",
  ]);
  await db.close();
});
