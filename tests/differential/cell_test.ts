import assert from "node:assert/strict";
import { parseDateText, parseTimestampText } from "./cell.ts";

Deno.test("cells: PostgreSQL's BC dates and timestamps parse to the same instants as OmenDB's", () => {
  // julian day 1.5: 4714-11-25 12:00:00 BC (proleptic Gregorian year -4713)
  const noon = parseTimestampText("4714-11-25 12:00:00 BC");
  assert.equal(noon, BigInt(parseDateText("4714-11-25 BC")) * 86_400_000_000n + 43_200_000_000n);
  assert.equal(noon, -210866673600000000n); // PostgreSQL: extract(epoch ...) * 1e6
  assert.equal(parseTimestampText("1970-01-01 00:00:01.5"), 1_500_000n);
  assert.throws(() => parseTimestampText("1970-01-01 BC 00:00:00"));
});
