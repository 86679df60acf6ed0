import assert from "node:assert/strict";
import { formatOffset, parseTimeZone } from "./time_zone.ts";

const utc = (iso: string) => Date.parse(`${iso}Z`) * 1000;
const iso = (us: number) => new Date(us / 1000).toISOString().slice(0, 19);

Deno.test("time zone spellings follow PostgreSQL: bare hours are ISO, POSIX specs are west-positive", () => {
  const cases: [string, string, number][] = [
    ["+08", "<+08>-08", 8 * 3600],
    ["-3", "<-03>+03", -3 * 3600],
    ["8", "<+08>-08", 8 * 3600],
    ["+05:30", "+05:30", -5.5 * 3600],
    ["-05:00", "-05:00", 5 * 3600],
    ["UTC+3", "UTC+3", -3 * 3600],
    ["GMT-2", "GMT-2", 2 * 3600],
    ["utc", "UTC", 0],
    ["europe/berlin", "Europe/Berlin", 3600],
  ];
  for (const [text, name, offset] of cases) {
    const zone = parseTimeZone(text);
    assert.ok(zone !== null, text);
    assert.equal(zone.name, name, text);
    assert.equal(zone.offsetAt(utc("2020-01-01T00:00:00")), offset, text);
  }
  for (const bad of ["nonsense", "Z", "+0800", "+16", "Mars/Olympus"]) {
    assert.equal(parseTimeZone(bad), null, bad);
  }
});

Deno.test("local times in DST gaps and overlaps resolve as PostgreSQL does", () => {
  const berlin = parseTimeZone("Europe/Berlin")!;
  // fall back: 02:30 happens twice; PostgreSQL takes the later (standard time) reading
  assert.equal(iso(berlin.toUtc(utc("2024-10-27T02:30:00"))), "2024-10-27T01:30:00");
  // spring forward: 02:30 does not exist; PostgreSQL reads it with the offset before the gap
  assert.equal(iso(berlin.toUtc(utc("2024-03-31T02:30:00"))), "2024-03-31T01:30:00");
  assert.equal(iso(berlin.toUtc(utc("2024-07-01T12:00:00"))), "2024-07-01T10:00:00");
  // before standard time: local mean time, +00:53:28
  assert.equal(berlin.offsetAt(utc("1850-01-01T00:00:00")), 53 * 60 + 28);
  assert.equal(iso(berlin.toLocal(utc("2024-07-01T10:00:00"))), "2024-07-01T12:00:00");
});

Deno.test("offsets print as PostgreSQL prints them", () => {
  assert.equal(formatOffset(0), "+00");
  assert.equal(formatOffset(-5 * 3600), "-05");
  assert.equal(formatOffset(5.5 * 3600), "+05:30");
  assert.equal(formatOffset(53 * 60 + 28), "+00:53:28");
});
