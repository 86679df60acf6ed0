import assert from "node:assert/strict";
import { ManualClock } from "../core/env/clock.ts";
import { createLogger } from "./log.ts";

Deno.test("log: one JSON object per line, filtered by level", () => {
  const lines: string[] = [];
  const clock = new ManualClock(Date.UTC(2016, 0, 1) * 1000);
  const log = createLogger({ write: (l) => lines.push(l), clock, level: "info" });
  log.debug("hidden");
  log.info("listening", { http: 8086 });
  clock.advanceMs(1500);
  log.error("boom", { error: new Error("bad"), n: 2n ** 70n, event: "spoof" });
  assert.equal(lines.length, 2);
  assert.equal(
    lines[0],
    '{"ts":"2016-01-01T00:00:00.000Z","level":"info","event":"listening","http":8086}',
  );
  const second = JSON.parse(lines[1] ?? "");
  assert.equal(second.ts, "2016-01-01T00:00:01.500Z");
  assert.equal(second.event, "boom");
  assert.equal(second.field_event, "spoof");
  assert.equal(second.n, "1180591620717411303424");
  assert.equal(second.error.message, "bad");
});
