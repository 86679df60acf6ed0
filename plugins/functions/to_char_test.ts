import assert from "node:assert/strict";
import { Database } from "../../mod.ts";
import { formatTimestampPattern } from "./to_char.ts";

// Expected strings are PostgreSQL 15's answers (SET TIME ZONE 'UTC') for the same inputs.
Deno.test("to_char formats timestamps with PostgreSQL's template patterns", () => {
  const at = (iso: string) => Date.parse(iso) * 1000;
  const ts = at("2024-01-05T14:03:09.123Z") + 456;
  assert.equal(formatTimestampPattern(ts, "YYYY-MM-DD HH24:MI:SS"), "2024-01-05 14:03:09");
  assert.equal(formatTimestampPattern(ts, "FMDay, FMDDth Mon YYYY"), "Friday, 5th Jan 2024");
  assert.equal(
    formatTimestampPattern(ts, "Day DY dy Month MON mon"),
    "Friday    FRI fri January   JAN jan",
  );
  assert.equal(
    formatTimestampPattern(ts, "HH HH12 AM pm A.M. MI SS MS US FF3"),
    "02 02 PM pm P.M. 03 09 123 123456 123",
  );
  const sunday = at("2021-01-03T00:00:00Z");
  assert.equal(
    formatTimestampPattern(sunday, "Y,YYY YYY YY Y IYYY IW WW W Q DDD IDDD D ID J CC"),
    "2,021 021 21 1 2020 53 01 1 1 003 371 1 7 2459218 21",
  );
  assert.equal(formatTimestampPattern(sunday, '"Week" IW "of" IYYY'), "Week 53 of 2020");
  assert.equal(formatTimestampPattern(sunday, "YYYY\\MM"), "2021\\01");
  assert.equal(formatTimestampPattern(sunday, "RM rm BC TZ"), "I    i    AD ");
  assert.equal(formatTimestampPattern(sunday, "HH24 TZ", true), "00 UTC");
});

Deno.test("to_char over dates, NULLs and infinity from SQL", async () => {
  const db = await Database.open({ memory: true });
  const r = await db.query(
    `SELECT to_char(DATE '2024-03-01', 'DD Mon YYYY'), to_char('infinity'::timestamp, 'YYYY'),
       to_char(NULL::timestamp, 'YYYY'), to_char(TIMESTAMP '0044-03-15 10:00 BC', 'YYYY BC')`,
  );
  assert.deepEqual(r.rows, [["01 Mar 2024", null, null, "0044 BC"]]);
  await db.close();
});
