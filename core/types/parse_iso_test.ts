import assert from "node:assert/strict";
import { parseTimestamp } from "./parse.ts";
import { parseTimeZone } from "./time_zone.ts";

const zones = [undefined, parseTimeZone("America/New_York")!, parseTimeZone("Asia/Kolkata")!];

/** The result or the SQLSTATE of parsing `text`. */
function outcome(text: string, withZone: boolean, zone: (typeof zones)[number]): string {
  try {
    return String(parseTimestamp(text, withZone, zone));
  } catch (e) {
    return `error ${(e as { code?: string }).code}`;
  }
}

Deno.test("canonical ISO timestamps (the fast path) read as the general parser reads them", () => {
  // a leading space sends the same text through the general parser
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const pick = <T>(a: readonly T[]): T => a[rand(a.length)]!;
  const pad = (v: number, w: number) => String(v).padStart(w, "0");
  for (let i = 0; i < 20_000; i++) {
    const y = pick([rand(10000), 1970, 2016, 0, 2000]);
    const mo = pick([rand(14), 1, 2, 12]);
    const d = pick([rand(33), 28, 29, 31]);
    const h = pick([rand(26), 0, 23, 24]);
    const mi = pick([rand(61), 59, 60]);
    const s = pick([rand(62), 59, 60]);
    const frac = pick([
      "",
      `.${rand(1e6)}`,
      `.${pad(rand(1000), 3)}`,
      ".",
      `.${pad(rand(1e9), 9)}`,
    ]);
    const sep = pick(["T", " ", "t"]);
    const zone = pick([
      "",
      "Z",
      "+00",
      "+00:00",
      "-05:30",
      "+0530",
      "+16:00",
      "-15:59",
      "+5",
      " UTC",
    ]);
    const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${
      pad(s, 2)
    }${frac}${zone}`;
    for (const withZone of [true, false]) {
      for (const z of zones) {
        assert.equal(outcome(text, withZone, z), outcome(` ${text}`, withZone, z), text);
      }
    }
  }
});

Deno.test("canonical ISO timestamps: values, offsets and errors", () => {
  const utc = Date.UTC(2016, 0, 1, 1, 0, 0) * 1000;
  assert.equal(parseTimestamp("2016-01-01T01:00:00.000Z", true), utc);
  assert.equal(parseTimestamp("2016-01-01 01:00:00.000001+00:00", true), utc + 1);
  assert.equal(parseTimestamp("2016-01-01T02:30:00+01:30", true), utc);
  assert.equal(parseTimestamp("2016-01-01T02:30:00+0130", true), utc);
  assert.equal(parseTimestamp("2016-01-01T02:30:00+01:30", false), utc + 90 * 60_000_000);
  assert.throws(() => parseTimestamp("2015-02-29 00:00:00", true), { code: "22008" });
  assert.throws(() => parseTimestamp("2016-01-01T01:00:00+16:00", true), { code: "22009" });
  assert.throws(() => parseTimestamp("2016-01-01T01:00:00 junk", true), { code: "22007" });
});
