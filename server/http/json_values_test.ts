import assert from "node:assert/strict";
import { Types } from "../../core/types/data_type.ts";
import { formatIsoDate, formatRfc3339Micros, jsonValueEncoder } from "./json_values.ts";

const auto = { int8AsString: false };
const strings = { int8AsString: true };

Deno.test("json values: int8 is exact: number when safe, string otherwise or when asked", () => {
  const enc = jsonValueEncoder(Types.int8, auto);
  assert.equal(enc(42n), 42);
  assert.equal(enc(-9007199254740991n), -9007199254740991);
  assert.equal(enc(9007199254740992n), "9007199254740992");
  assert.equal(enc(-9223372036854775808n), "-9223372036854775808");
  assert.equal(enc(null), null);
  const str = jsonValueEncoder(Types.int8, strings);
  assert.equal(str(42n), "42");
  assert.equal(str(7), "7");
  assert.equal(str(null), null);
});

Deno.test("json values: float special values are PostgreSQL's strings", () => {
  const enc = jsonValueEncoder(Types.float8, auto);
  assert.equal(enc(0.1), 0.1);
  assert.equal(enc(NaN), "NaN");
  assert.equal(enc(Infinity), "Infinity");
  assert.equal(enc(-Infinity), "-Infinity");
  const f4 = jsonValueEncoder(Types.float4, auto);
  assert.equal(f4(Math.fround(0.1)), 0.1);
  assert.equal(f4(Math.fround(1 / 3)), 0.33333334);
  assert.equal(f4(NaN), "NaN");
});

Deno.test("json values: other kinds", () => {
  assert.equal(jsonValueEncoder(Types.bool, auto)(true), true);
  assert.equal(jsonValueEncoder(Types.int4, auto)(-5), -5);
  assert.equal(jsonValueEncoder(Types.text, auto)('a"b'), 'a"b');
  assert.equal(jsonValueEncoder(Types.date, auto)(16801), "2016-01-01");
  assert.equal(
    jsonValueEncoder(Types.timestamp, auto)(Date.UTC(2016, 0, 1, 12, 30, 5) * 1000 + 42),
    "2016-01-01T12:30:05.000042Z",
  );
});

Deno.test("json values: timestamps agree with Date.toISOString over a wide range", () => {
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 48271) % 2147483647;
    // ±280 years around the epoch (microseconds stay below 2^53, so exact), plus sub-ms.
    const ms = Math.round((seed / 2147483647 - 0.5) * 2 * 280 * 365.25 * 86_400_000);
    const sub = seed % 1000;
    const micros = ms * 1000 + sub;
    const iso = new Date(ms).toISOString(); // e.g. 2016-01-01T00:00:00.000Z or -000001-...
    const expected = iso.replace(/\.(\d{3})Z$/, (_m, f) => `.${f}${String(sub).padStart(3, "0")}Z`);
    assert.equal(formatRfc3339Micros(micros), expected, `micros ${micros}`);
  }
  assert.equal(formatRfc3339Micros(0), "1970-01-01T00:00:00.000000Z");
  assert.equal(formatRfc3339Micros(-1), "1969-12-31T23:59:59.999999Z");
  assert.equal(formatRfc3339Micros(Infinity), "infinity");
  assert.equal(formatRfc3339Micros(-Infinity), "-infinity");
});

Deno.test("json values: dates agree with Date.toISOString over ±8000 years", () => {
  for (let days = -8000 * 366; days <= 8000 * 366; days += 97) {
    assert.equal(formatIsoDate(days), new Date(days * 86_400_000).toISOString().slice(0, -14));
  }
});

Deno.test("json values: dates", () => {
  assert.equal(formatIsoDate(0), "1970-01-01");
  assert.equal(formatIsoDate(-1), "1969-12-31");
  assert.equal(formatIsoDate(11016), "2000-02-29");
  assert.equal(formatIsoDate(-719528), "0000-01-01");
  assert.equal(formatIsoDate(2932896), "9999-12-31");
  assert.equal(formatIsoDate(2932897), "+010000-01-01");
  assert.equal(formatIsoDate(Infinity), "infinity");
});
