import assert from "node:assert/strict";
import { formatDate, formatTimestamp } from "./format.ts";
import { parseDate, parseTimestamp } from "./parse.ts";
import { DbError } from "../errors.ts";

// Each answer is PostgreSQL 15's (DateStyle ISO, MDY); the inputs are ones the fuzz met or
// neighbours of them.
Deno.test("general date/time input reads what PostgreSQL's date_in and timestamp_in read", () => {
  const cases: [string, string, string][] = [
    ["j0", "4714-11-24 BC", "4714-11-24 00:00:00 BC"],
    ["J*9D", "4714-12-03 BC", "4714-12-03 00:00:00 BC"],
    ["jd12J", "4714-12-06 BC", "4714-12-06 00:00:00 BC"],
    ["julian 5", "4714-11-29 BC", "4714-11-29 00:00:00 BC"],
    ["j 4.3", "4714-11-28 BC", "4714-11-28 07:12:00 BC"],
    ["J4^5:", "4714-11-28 BC", "4714-11-28 05:00:00 BC"],
    ["s6J5 ", "4714-11-29 BC", "4714-11-29 00:00:06 BC"],
    ["]j3pm", "4714-11-27 BC", "4714-11-27 12:00:00 BC"],
    ["J0 h30", "4714-11-24 BC", "4714-11-25 06:00:00 BC"],
    ["J0 t1234", "4714-11-24 BC", "4714-11-24 12:34:00 BC"],
    ["J5k1", "4714-11-29 BC", "4714-11-29 00:00:00 BC"],
    ["J0 est dst", "4714-11-24 BC", "4714-11-24 00:00:00 BC"],
    ["6y2$1", "0002-06-01", "0002-06-01 00:00:00"],
    ["7aUg1", "2001-08-07", "2001-08-07 00:00:00"],
    ["1>8-4", "2004-01-08", "2004-01-08 00:00:00"],
    ["y2 100", "0002-04-10", "0002-04-10 00:00:00"],
    ["jan 5 2024", "2024-01-05", "2024-01-05 00:00:00"],
    ["epoch j5", "4714-11-29 BC", "4714-11-29 00:00:00 BC"],
  ];
  for (const [text, date, timestamp] of cases) {
    assert.equal(formatDate(parseDate(text)), date, text);
    assert.equal(formatTimestamp(parseTimestamp(text, false)), timestamp, text);
  }
  const errors: [string, string][] = [
    ["xj0", "22007"],
    ["J0 a", "22007"],
    ["J0 dst", "22007"],
    ["J0 y5", "22007"],
    ["4at/5b9.", "22007"],
    ["7bc)0", "22008"],
    ["J99999999999", "22008"],
    ["-44xN", "22009"],
    ["J0 x4:", "22023"],
  ];
  for (const [text, code] of errors) {
    assert.throws(() => parseDate(text), (e: unknown) => e instanceof DbError && e.code === code);
  }
  assert.throws(
    () => parseTimestamp("J2147483493", false),
    (e: unknown) => e instanceof DbError && e.code === "22008",
  );
});
