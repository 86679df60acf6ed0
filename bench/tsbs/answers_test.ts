import assert from "node:assert/strict";
import { cellsEqual, compareAnswers, normalizeRows, parseTimestampMicros } from "./answers.ts";

const t0 = 1451606400000000; // 2016-01-01T00:00:00Z in µs

Deno.test("parseTimestampMicros reads ISO 8601, PostgreSQL text and offsets", () => {
  assert.equal(parseTimestampMicros("2016-01-01T00:00:00Z"), t0);
  assert.equal(parseTimestampMicros("2016-01-01T00:00:00.000001Z"), t0 + 1);
  assert.equal(parseTimestampMicros("2016-01-01 00:00:00+00"), t0);
  assert.equal(parseTimestampMicros("2016-01-01 01:00:00.5+01:00"), t0 + 500_000);
  assert.equal(parseTimestampMicros("2015-12-31 23:30:00-00:30"), t0);
  assert.throws(() => parseTimestampMicros("yesterday"), /Cannot parse timestamp/);
});

Deno.test("normalizeRows brings every engine's values to one form", () => {
  const kinds = ["ts", "text", "float"] as const;
  const omen = normalizeRows([[t0, "host_1", 58.13]], kinds);
  const duck = normalizeRows([[{ micros: BigInt(t0) }, "host_1", 58.13]], kinds);
  const http = normalizeRows([["2016-01-01T00:00:00.000000Z", "host_1", 58.13]], kinds);
  const pg = normalizeRows([["2016-01-01 00:00:00+00", "host_1", "58.13"]], kinds);
  for (const other of [duck, http, pg]) assert.deepEqual(other, omen);
  assert.deepEqual(normalizeRows([[null, null, null]], kinds), [[null, null, null]]);
  assert.throws(() => normalizeRows([[t0, "x"]], kinds), /2 columns, expected 3/);
});

Deno.test("compareAnswers accepts float noise and reports a real difference", () => {
  const names = ["hour", "hostname", "mean"];
  const expected = [[t0, "host_1", 50.123456789], [t0, "host_2", 10]];
  assert.equal(
    compareAnswers(expected, [[t0, "host_1", 50.12345678900001], [t0, "host_2", 10]], names),
    null,
  );
  // a deliberately different answer: a wrong mean in the second row
  const wrong = compareAnswers(
    expected,
    [[t0, "host_1", 50.123456789], [t0, "host_2", 10.001]],
    names,
  );
  assert.ok(wrong !== null);
  assert.match(wrong, /first difference at row 1/);
  assert.match(wrong, /mean: 10.001/);
  // a missing row, a reordered answer, NULL vs a value, a text difference
  assert.match(compareAnswers(expected, expected.slice(0, 1), names)!, /1 rows, expected 2/);
  assert.match(compareAnswers(expected, [expected[1]!, expected[0]!], names)!, /row 0/);
  assert.ok(compareAnswers([[null]], [[0]], ["x"]) !== null);
  assert.ok(compareAnswers([["host_1"]], [["host_10"]], ["x"]) !== null);
  assert.ok(!cellsEqual(1, 1 + 1e-6));
  assert.ok(cellsEqual(0, 1e-13));
});
