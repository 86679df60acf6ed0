import assert from "node:assert/strict";
import {
  addIntervalToMicros,
  diffMicros,
  formatInterval,
  intervalSpan,
  parseInterval,
  scaleInterval,
} from "./interval.ts";
import { DbError } from "../errors.ts";

Deno.test("interval text in and out follows PostgreSQL's postgres style", () => {
  const cases: [string, string][] = [
    ["1 year 2 months 3 days 04:05:06", "1 year 2 mons 3 days 04:05:06"],
    ["-1 day 2 hours", "-1 days +02:00:00"],
    ["90 minutes", "01:30:00"],
    ["1.5 days", "1 day 12:00:00"],
    ["0", "00:00:00"],
    ["3 days ago", "-3 days"],
    ["@ 1 mon", "1 mon"],
    ["1 week 0.5 seconds", "7 days 00:00:00.5"],
  ];
  for (const [input, want] of cases) {
    assert.equal(formatInterval(parseInterval(input)), want, input);
  }
  assert.equal(formatInterval(parseInterval("90", "day")), "90 days");
  assert.throws(
    () => parseInterval("soon"),
    (e: unknown) => e instanceof DbError && e.code === "22007",
  );
});

Deno.test("interval arithmetic: calendar months clamp, spans compare with 30-day months", () => {
  const jan31 = Date.UTC(2020, 0, 31, 10) * 1000;
  assert.equal(
    addIntervalToMicros(jan31, parseInterval("1 month")),
    Date.UTC(2020, 1, 29, 10) * 1000,
  );
  assert.equal(
    addIntervalToMicros(jan31, parseInterval("-1 month")),
    Date.UTC(2019, 11, 31, 10) * 1000,
  );
  assert.equal(intervalSpan(parseInterval("1 month")), intervalSpan(parseInterval("30 days")));
  assert.equal(
    formatInterval(diffMicros(Date.UTC(2020, 0, 2, 3) * 1000, Date.UTC(2020, 0, 1) * 1000)),
    "1 day 03:00:00",
  );
  assert.equal(formatInterval(scaleInterval(parseInterval("1 day"), 0.5)), "12:00:00");
});

Deno.test("interval months and days stay in PostgreSQL's 32-bit fields (22015)", () => {
  const overflow = (e: unknown) =>
    e instanceof DbError && e.code === "22015" && /field value out of range/.test(e.message);
  assert.throws(() => parseInterval("4294967296months"), overflow);
  assert.throws(() => parseInterval("1294967296months 1294967296months"), overflow);
  assert.throws(() => parseInterval("-1294967296days -1294967296days"), overflow);
  assert.throws(() => parseInterval("3000000000 hours"), overflow);
  assert.deepEqual(parseInterval("2147483647 days"), { months: 0, days: 2147483647, micros: 0 });
  assert.deepEqual(parseInterval("-2147483648 months"), {
    months: -2147483648,
    days: 0,
    micros: 0,
  });
});
