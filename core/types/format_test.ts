import assert from "node:assert/strict";
import {
  formatDate,
  formatFloat8,
  formatFloat8Exponent,
  formatTimestamp,
  formatValue,
} from "./format.ts";
import { SeededRandom } from "../env/mod.ts";
import {
  parseBool,
  parseDate,
  parseFloat8,
  parseInt8,
  parseInteger,
  parseTime,
  parseTimestamp,
} from "./parse.ts";
import { Types } from "./data_type.ts";
import { DbError } from "../errors.ts";

Deno.test("float8 output matches PostgreSQL 12+ (shortest round trip, exponent rules)", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "-0"],
    [0.1, "0.1"],
    [1.5, "1.5"],
    [100, "100"],
    [123456789012345, "123456789012345"],
    [1e15, "1e+15"],
    [1e20, "1e+20"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5e-7, "-2.5e-07"],
    [1 / 3, "0.3333333333333333"],
    [NaN, "NaN"],
    [Infinity, "Infinity"],
    [-Infinity, "-Infinity"],
    // a shortest candidate exactly halfway to the next double: PostgreSQL prints 17 digits
    [-38316951112321424, "-3.8316951112321424e+16"],
    [142528076541707392, "1.4252807654170739e+17"],
    [2 ** 60, "1.152921504606847e+18"],
  ];
  for (const [x, want] of cases) assert.equal(formatFloat8(x), want, String(x));
  // the plain-notation fast path agrees with the exponent-form printer, at its edges too
  const edges = [1e-4, 1.0000000000000002e-4, 999999999999999.9, 123.456, 0.1 + 0.2, 2 ** 52 + 1];
  const rnd = new SeededRandom(20261127);
  const random = Array.from({ length: 5000 }, (_, i) => {
    const e = (i % 20) - 5; // decades 1e-5 .. 1e15, both signs
    return (i % 2 === 0 ? 1 : -1) * rnd.nextFloat() * 10 ** e;
  });
  for (const x of [...edges, ...random]) {
    assert.equal(formatFloat8(x), formatFloat8Exponent(x), String(x));
  }
});

Deno.test("dates and timestamps print like PostgreSQL", () => {
  assert.equal(formatDate(0), "1970-01-01");
  assert.equal(formatDate(16801), "2016-01-01");
  assert.equal(formatTimestamp(1451606400000000), "2016-01-01 00:00:00");
  assert.equal(formatTimestamp(1451606400123450), "2016-01-01 00:00:00.12345");
  assert.equal(formatTimestamp(-1), "1969-12-31 23:59:59.999999");
  assert.equal(formatValue(Types.timestamptz, 0), "1970-01-01 00:00:00+00");
  assert.equal(formatValue(Types.bool, false), "f");
  assert.equal(formatValue(Types.int8, -9223372036854775808n), "-9223372036854775808");
  assert.equal(formatValue(Types.text, null), null);
});

Deno.test("text input follows PostgreSQL and rejects bad input with SQLSTATE", () => {
  assert.equal(parseInteger(" -42 ", -2147483648, 2147483647, "integer"), -42);
  assert.equal(parseInt8("9223372036854775807"), 9223372036854775807n);
  assert.equal(parseFloat8("1e3"), 1000);
  assert.ok(Number.isNaN(parseFloat8("NaN")));
  assert.equal(parseFloat8("-Infinity"), -Infinity);
  assert.equal(parseBool(" YES "), true);
  assert.equal(parseBool("f"), false);
  assert.equal(parseDate("2016-01-01"), 16801);
  assert.equal(parseTimestamp("2016-01-01 00:00:01.5", false), 1451606401500000);
  assert.equal(parseTimestamp("2016-01-01T02:00:00+02:00", true), 1451606400000000);
  assert.equal(parseTimestamp("2016-01-01 02:00:00+02", false), 1451613600000000);
  const bad: [() => unknown, string][] = [
    [() => parseInteger("12x", 0, 100, "integer"), "22P02"],
    [() => parseInteger("101", 0, 100, "integer"), "22003"],
    [() => parseInt8("9223372036854775808"), "22003"],
    [() => parseFloat8("1e999"), "22003"],
    [() => parseBool("maybe"), "22P02"],
    [() => parseDate("2016-02-30"), "22008"],
    [() => parseTimestamp("yesterday-ish", true), "22007"],
    [() => parseTime("8 o'clock"), "22007"],
    [() => parseTime("25:00"), "22008"],
  ];
  for (const [f, code] of bad) {
    assert.throws(f, (e: unknown) => e instanceof DbError && e.code === code, code);
  }
});

Deno.test("time zone displacements beyond 15:59 are 22009, as in PostgreSQL", () => {
  assert.equal(
    parseTimestamp("2022-01-01T01:10:00+15:59", true),
    parseTimestamp("2021-12-31 09:11:00", true),
  );
  for (
    const text of ["2022-01-01T01:10:00+42:00", "2022-01-01 01:10:00-16", "2022-01-01 00:00+01:60"]
  ) {
    assert.throws(
      () => parseTimestamp(text, true),
      (e: unknown) => e instanceof DbError && e.code === "22009",
    );
  }
});

Deno.test("time: PostgreSQL's input forms and output", () => {
  assert.equal(parseTime("08:09:10.123456789"), ((8 * 60 + 9) * 60 + 10) * 1e6 + 123457);
  assert.equal(parseTime("1:02 pm"), (13 * 60 + 2) * 60e6);
  assert.equal(parseTime("2020-01-01 10:11:12+05"), ((10 * 60 + 11) * 60 + 12) * 1e6);
  assert.equal(parseTime("allballs"), 0);
  assert.equal(parseTime("24:00:00"), 86_400_000_000);
  assert.equal(formatValue(Types.time, 36672.5e6), "10:11:12.5");
  assert.equal(formatValue(Types.time, 86_400_000_000), "24:00:00");
});
