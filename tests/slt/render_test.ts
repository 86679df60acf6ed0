import assert from "node:assert/strict";
import { Types } from "../../core/types/mod.ts";
import { classicText, formatFixed3, formatRounded12, renderValue } from "./render.ts";

Deno.test("render classic: I truncates toward zero, R is %.3f, booleans 1/0", () => {
  assert.equal(renderValue("classic", Types.float8, 3.7, "I"), "3");
  assert.equal(renderValue("classic", Types.float8, -3.7, "I"), "-3");
  assert.equal(renderValue("classic", Types.float8, -0.5, "I"), "0");
  assert.equal(renderValue("classic", Types.int8, 12345678901234567n, "I"), "12345678901234567");
  assert.equal(renderValue("classic", Types.text, "12abc", "I"), "12");
  assert.equal(renderValue("classic", Types.int4, 7, "R"), "7.000");
  assert.equal(renderValue("classic", Types.int8, -3n, "R"), "-3.000");
  assert.equal(renderValue("classic", Types.float8, 25.5, "R"), "25.500");
  assert.equal(renderValue("classic", Types.bool, true, "I"), "1");
  assert.equal(renderValue("classic", Types.bool, false, "T"), "0");
  assert.equal(renderValue("classic", Types.int4, null, "I"), "NULL");
  assert.equal(renderValue("classic", Types.text, null, "T"), "NULL");
});

Deno.test("render classic: %.3f ties round to even like glibc printf", () => {
  assert.equal(formatFixed3(0.0625), "0.062");
  assert.equal(formatFixed3(0.1875), "0.188");
  assert.equal(formatFixed3(-0.0625), "-0.062");
  assert.equal(formatFixed3(2.0005), (2.0005).toFixed(3)); // not an exact tie in binary
  assert.equal(formatFixed3(1e22), "10000000000000000000000.000");
});

Deno.test("render classic: T maps empty to (empty) and non-printable bytes to @", () => {
  assert.equal(classicText(""), "(empty)");
  assert.equal(classicText("a\tb"), "a@b");
  assert.equal(classicText("é"), "@@"); // two UTF-8 bytes
  assert.equal(renderValue("classic", Types.float8, 1.5, "T"), "1.5");
});

Deno.test("render duckdb: booleans, empty strings, BC dates", () => {
  assert.equal(renderValue("duckdb", Types.bool, true, "I"), "true");
  assert.equal(renderValue("duckdb", Types.text, "", "T"), "(empty)");
  assert.equal(renderValue("duckdb", Types.float8, 0.1, "R"), "0.1");
  assert.equal(renderValue("duckdb", Types.date, 8035, "T"), "1992-01-01");
  const bcDays = -719_528 - 366; // 0000-01-01 minus a year: 2 BC
  assert.match(renderValue("duckdb", Types.date, bcDays, "T"), / \(BC\)$/);
});

Deno.test("render datafusion: 12-decimal floats, ISO timestamps, bools", () => {
  assert.equal(formatRounded12(0.30000000000000004), "0.3");
  assert.equal(formatRounded12(2.0), "2");
  assert.equal(formatRounded12(-1e-13), "0");
  assert.equal(renderValue("datafusion", Types.float8, 1 / 3, "R"), "0.333333333333");
  // float4 prints its shortest 32-bit decimal first, as Rust's f32 display does
  assert.equal(renderValue("datafusion", Types.float4, Math.fround(0.12285209), "R"), "0.12285209");
  assert.equal(renderValue("datafusion", Types.float4, Math.fround(1 / 3), "R"), "0.33333334");
  assert.equal(
    renderValue("datafusion", Types.timestamp, 946_688_461_000_000, "P"),
    "2000-01-01T01:01:01",
  );
  assert.equal(
    renderValue("datafusion", Types.timestamptz, 946_688_461_000_000, "P"),
    "2000-01-01T01:01:01Z",
  );
  assert.equal(renderValue("datafusion", Types.bool, false, "B"), "false");
  assert.equal(renderValue("datafusion", Types.text, "a\n", "T"), "a");
  assert.equal(renderValue("risinglight", Types.text, "", "T"), "(empty)");
});

Deno.test("render intervals: DuckDB words and Arrow's month-day-nano text", () => {
  const iv = "1 year 2 mons 3 days 04:05:06.5";
  assert.equal(renderValue("duckdb", Types.interval, iv, "T"), "1 year 2 months 3 days 04:05:06.5");
  assert.equal(renderValue("duckdb", Types.interval, "00:00:00", "T"), "00:00:00");
  assert.equal(
    renderValue("duckdb", Types.interval, "-1 mons -00:00:01", "T"),
    "-1 month -00:00:01",
  );
  assert.equal(
    renderValue("datafusion", Types.interval, iv, "T"),
    "0 years 14 mons 3 days 4 hours 5 mins 6.500000000 secs",
  );
  assert.equal(
    renderValue("datafusion", Types.interval, "-1 years -1 mons -1 days -01:01:01.001001", "T"),
    "0 years -13 mons -1 days -1 hours -1 mins -1.001001000 secs",
  );
  assert.equal(
    renderValue("datafusion", Types.interval, "00:00:00", "T"),
    "0 years 0 mons 0 days 0 hours 0 mins 0.000000000 secs",
  );
});

Deno.test("render datafusion timestamps: 3 or 6 fractional digits, as chrono prints them", () => {
  const us = Date.UTC(2020, 8, 8, 13, 42, 29, 190) * 1000;
  assert.equal(renderValue("datafusion", Types.timestamp, us, "P"), "2020-09-08T13:42:29.190");
  assert.equal(
    renderValue("datafusion", Types.timestamp, us + 855, "P"),
    "2020-09-08T13:42:29.190855",
  );
  assert.equal(
    renderValue("datafusion", Types.timestamp, us + 5, "P"),
    "2020-09-08T13:42:29.190005",
  );
  assert.equal(
    renderValue("datafusion", Types.timestamptz, us - 190_000, "P"),
    "2020-09-08T13:42:29Z",
  );
});

Deno.test("render arrays as DuckDB and DataFusion lists", () => {
  const ints = { kind: "array", element: Types.int4 } as const;
  assert.equal(renderValue("duckdb", ints, "{1,NULL,3}", "T"), "[1, NULL, 3]");
  assert.equal(renderValue("datafusion", ints, "{}", "T"), "[]");
  assert.equal(renderValue("classic", ints, "{1,2}", "T"), "{1,2}");
});
