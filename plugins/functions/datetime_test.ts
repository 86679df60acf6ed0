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
