import assert from "node:assert/strict";
import { describeCpuDataSet, generateCpuBatches } from "../../tests/data/tsbs.ts";
import {
  duBytes,
  payloadBytesPerRowFixed,
  rawPayloadBytes,
  resourceRecords,
  waitUntil,
} from "./resources.ts";

Deno.test("raw payload equals the generated columns' bytes (time, metrics, tag strings)", () => {
  for (const [rows, hosts] of [[1, 1], [7, 3], [1000, 100], [12_345, 100], [999, 1000]]) {
    let bytes = 0;
    for (const b of generateCpuBatches({ rows: rows!, hosts: hosts!, batchRows: 4096 })) {
      bytes += b.length * payloadBytesPerRowFixed;
      for (const tag of [b.columns.hostname, b.columns.region, b.columns.datacenter]) {
        for (const s of tag) bytes += new TextEncoder().encode(s).length;
      }
    }
    assert.equal(rawPayloadBytes(rows!, hosts!), bytes, `${rows} rows, ${hosts} hosts`);
  }
});

Deno.test("raw payload: 88 fixed bytes per row plus tags; bad input is refused", () => {
  assert.equal(payloadBytesPerRowFixed, 88);
  const tags = describeCpuDataSet({ hosts: 1 }).hostTags;
  const tagBytes = tags.hostname.dictionary[0]!.length +
    tags.region.dictionary[tags.region.codes[0]!]!.length +
    tags.datacenter.dictionary[tags.datacenter.codes[0]!]!.length;
  assert.equal(rawPayloadBytes(10, 1), 10 * (88 + tagBytes));
  assert.throws(() => rawPayloadBytes(-1, 1), RangeError);
  assert.throws(() => rawPayloadBytes(1.5, 1), RangeError);
});

Deno.test("du -sb counts the bytes of the files in a directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const empty = await duBytes(dir);
    await Deno.writeFile(`${dir}/a`, new Uint8Array(12_345));
    assert.equal(await duBytes(dir), empty + 12_345);
    await assert.rejects(duBytes(`${dir}/missing`), /du -sb/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("waitUntil retries through failures and times out with the message", async () => {
  let n = 0;
  await waitUntil(() => {
    if (++n < 3) throw new Error("not yet");
    return Promise.resolve(true);
  }, "x");
  assert.equal(n, 3);
  let last = 0;
  await assert.rejects(
    waitUntil(() => Promise.resolve(++last < 0), () => `count ${last}`, 30),
    /count \d+: not reached in 30 ms/,
  );
});

Deno.test("resource records: units, seconds from ms, payload ratios in the notes", () => {
  const recs = resourceRecords("influxdb", { rows: 1000, hosts: 10 }, {
    startRssBytes: rawPayloadBytes(1000, 10),
    peakBytes: 4 * rawPayloadBytes(1000, 10),
    rssAfterBytes: 2 * rawPayloadBytes(1000, 10),
    diskBytes: 50_000,
    restartMs: 250,
    recoveryMs: NaN,
  }, "mostly WAL");
  const by = (m: string) => recs.find((r) => r.metric === m);
  assert.equal(by("restart")!.value, 0.25);
  assert.equal(by("restart")!.unit, "s");
  assert.equal(by("recovery"), undefined); // not measured: no record
  assert.match(by("peak-memory")!.note!, /= 4\.00x raw payload/);
  assert.match(
    by("rss-after")!.note!,
    /= 2\.00x raw payload; over the RSS before the load = 1\.00x/,
  );
  assert.match(by("disk")!.note!, /50\.0 B\/row; mostly WAL/);
  assert.equal(by("raw-payload")!.value, rawPayloadBytes(1000, 10));
  assert.ok(recs.every((r) => r.workload === "resources" && r.n === 1 && r.p50 === null));
});
