import assert from "node:assert/strict";
import { type FsOp, MemoryFileSystem, realEnv, SeededRandom } from "../../core/env/mod.ts";
import { DbError } from "../../core/errors.ts";
import type { Wal, WalContext } from "../../core/plugin/wal.ts";
import { fileWalPlugin } from "./log_file.ts";
import { verifyWal } from "./verify.ts";

type Options = Omit<WalContext, "env" | "dir" | "log">;
type Event = Record<string, unknown>;

function open(fs: MemoryFileSystem, options: Options = {}, events: Event[] = []): Promise<Wal> {
  return fileWalPlugin.open({
    env: { ...realEnv(), fs },
    dir: "/w",
    log: (e) => events.push(e),
    ...options,
  });
}

/** The payload appended for an LSN: its own number, so a replayed record can be checked. */
const payloadFor = (i: number) => new TextEncoder().encode(`record ${i} `.repeat(1 + (i % 3)));

async function replayAll(wal: Wal): Promise<{ lsn: bigint; text: string }[]> {
  const out = [];
  for await (const e of wal.replay(0n)) {
    out.push({ lsn: e.lsn, text: new TextDecoder().decode(e.payload) });
  }
  return out;
}

const isCode = (code: string) => (e: unknown) => e instanceof DbError && e.code === code;

for (const op of ["write", "sync", "syncDir"] as const satisfies readonly FsOp[]) {
  Deno.test(`WAL under faults: the Nth ${op} fails, the WAL stops, a crash keeps every acknowledged append`, async () => {
    for (let nth = 1; nth <= 8; nth++) {
      const fs = new MemoryFileSystem();
      const wal = await open(fs, { segmentBytesMax: 120 });
      fs.failAt({ op, nth });
      const acked: bigint[] = [];
      let failed = false;
      let next = 1;
      for (let round = 0; round < 6; round++) {
        const calls = [1, 2, 3].map(() => {
          const i = next++;
          return wal.append([{ type: 1, payload: payloadFor(i) }]).then(
            (r) => void acked.push(r.lsn),
            (e) => {
              assert.ok(isCode("58030")(e), String(e));
              failed = true;
            },
          );
        });
        await Promise.all(calls);
      }
      if (op !== "syncDir" || fs.opCounts().syncDir >= nth + 1) {
        assert.ok(failed, `${op} #${nth} was reached and failed the WAL`);
      }
      if (failed) {
        await assert.rejects(wal.append([{ type: 1, payload: payloadFor(0) }]), isCode("58030"));
      }
      await wal.close().catch(() => {});
      fs.crash({ tear: true, random: new SeededRandom(nth).nextFloat.bind(new SeededRandom(nth)) });
      const again = await open(fs, { segmentBytesMax: 120 });
      const replayed = await replayAll(again);
      const got = replayed.map((r) => r.lsn);
      for (const lsn of acked) {
        assert.ok(got.includes(lsn), `${op} #${nth}: acknowledged ${lsn} lost`);
      }
      assert.deepEqual(got, got.map((_, i) => BigInt(i + 1)), "a prefix of what was appended");
      for (const r of replayed) {
        assert.equal(r.text, new TextDecoder().decode(payloadFor(Number(r.lsn))));
      }
      await again.close();
    }
  });
}

Deno.test("WAL under faults: a torn tail is truncated on open and logged with file, offset and dropped bytes", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, { sync: "interval", syncIntervalMs: 60_000 });
  await wal.append([{ type: 1, payload: payloadFor(1) }]);
  await wal.truncateThrough(0n); // no-op, but its turn in the queue proves the write went out
  const synced = (await fs.stat("/w/0000000000000001.wal"))!.size;
  // make the first record durable, then write one more that the crash tears
  const f = await fs.openAppend("/w/0000000000000001.wal");
  await f.sync();
  await wal.append([{ type: 1, payload: payloadFor(2) }]);
  const full = (await fs.stat("/w/0000000000000001.wal"))!.size;
  fs.crash({ tear: true, random: () => 0.5 });
  const torn = (await fs.stat("/w/0000000000000001.wal"))!.size;
  assert.ok(torn > synced && torn < full, `${synced} < ${torn} < ${full}`);
  const problems = await verifyWal(fs, "/w");
  assert.deepEqual(problems.map((p) => [p.severity, p.offset]), [["warning", synced]]);
  const events: Event[] = [];
  const again = await open(fs, {}, events);
  assert.deepEqual(events, [{
    event: "wal_torn_tail_truncated",
    file: "/w/0000000000000001.wal",
    offset: synced,
    droppedBytes: torn - synced,
  }]);
  assert.equal((await fs.stat("/w/0000000000000001.wal"))!.size, synced);
  assert.deepEqual((await replayAll(again)).map((r) => r.lsn), [1n]);
  assert.equal((await again.append([{ type: 1, payload: payloadFor(2) }])).lsn, 2n);
  await again.close();
  assert.deepEqual(await verifyWal(fs, "/w"), []);
});

Deno.test("WAL under faults: zeros after the last record and a torn header in the last file are torn tails", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, { segmentBytesMax: 100 });
  for (let i = 1; i <= 3; i++) await wal.append([{ type: 1, payload: payloadFor(i) }]);
  await wal.close();
  const names = await fs.readDir("/w");
  const last = `/w/${names.at(-1)}`;
  const bytes = (await fs.readFile(last))!;
  await fs.writeFileAtomic(last, new Uint8Array([...bytes, ...new Uint8Array(40)]));
  const extra = `/w/${String(names.length + 1).padStart(16, "0")}.wal`;
  await fs.writeFileAtomic(extra, new TextEncoder().encode("OMEN"));
  // the zero tail is no longer in the last file: that is corruption
  await assert.rejects(open(fs), (e: unknown) => isCode("XX001")(e) && /offset/.test(String(e)));
  await fs.remove(extra);
  const events: Event[] = [];
  const again = await open(fs, {}, events);
  assert.deepEqual(events.map((e) => [e.event, e.droppedBytes]), [["wal_torn_tail_truncated", 40]]);
  assert.deepEqual((await replayAll(again)).map((r) => r.lsn), [1n, 2n, 3n]);
  await again.close();
  await fs.writeFileAtomic(extra, new TextEncoder().encode("OMEN"));
  const third = await open(fs, {}, events);
  assert.equal(events.at(-1)!.droppedBytes, 4);
  assert.equal((await third.append([{ type: 1, payload: payloadFor(4) }])).lsn, 4n);
  await third.close();
});

async function threeFiles(fs: MemoryFileSystem): Promise<string[]> {
  const wal = await open(fs, { segmentBytesMax: 100 });
  for (let i = 1; i <= 6; i++) await wal.append([{ type: 1, payload: payloadFor(i) }]);
  await wal.close();
  const names = (await fs.readDir("/w")).map((n) => `/w/${n}`);
  assert.ok(names.length >= 3);
  return names;
}

async function flipByte(fs: MemoryFileSystem, path: string, at: number): Promise<Uint8Array> {
  const bytes = (await fs.readFile(path))!;
  bytes[at] = bytes[at]! ^ 0x40;
  await fs.writeFileAtomic(path, bytes);
  return bytes;
}

Deno.test("WAL under faults: a checksum flip in a middle file stops open (first record) or replay (later ones), naming file and offset; verifyWal reports it and changes nothing", async () => {
  const fs = new MemoryFileSystem();
  const names = await threeFiles(fs);
  const middle = names[1]!;
  const firstLen = new DataView((await fs.readFile(middle))!.buffer).getUint32(8, true);
  const secondRecord = 8 + 17 + firstLen;
  // a record after the first: found by replay
  await flipByte(fs, middle, secondRecord + 20);
  const wal = await open(fs);
  await assert.rejects(
    replayAll(wal),
    (e: unknown) =>
      isCode("XX001")(e) &&
      (e as Error).message.includes(
        `${middle}: checksum mismatch in WAL record at offset ${secondRecord}`,
      ),
  );
  await wal.close();
  // the first record: found by open
  await flipByte(fs, middle, secondRecord + 20);
  const damaged = await flipByte(fs, middle, 30);
  const snapshot = await Promise.all(names.map((n) => fs.readFile(n)));
  await assert.rejects(
    open(fs),
    (e: unknown) =>
      isCode("XX001")(e) &&
      (e as Error).message.includes(`${middle}: checksum mismatch in WAL record at offset 8`),
  );
  const problems = await verifyWal(fs, "/w");
  assert.deepEqual(problems, [{
    file: middle,
    offset: 8,
    message: "checksum mismatch in WAL record",
    severity: "error",
  }]);
  assert.deepEqual(
    await Promise.all(names.map((n) => fs.readFile(n))),
    snapshot,
    "nothing rewritten",
  );
  assert.deepEqual(await fs.readFile(middle), damaged);
});

Deno.test("WAL under faults: a missing segment or damage before the last file's tail is corruption", async () => {
  const fs = new MemoryFileSystem();
  const names = await threeFiles(fs);
  const last = names.at(-1)!;
  const bytes = (await fs.readFile(last))!;
  await fs.writeFileAtomic(last, new Uint8Array([...bytes, ...bytes.subarray(8)])); // a second copy
  await flipByte(fs, last, 30); // the first record of the last file, with a good one after it
  await assert.rejects(
    open(fs),
    (e: unknown) =>
      isCode("XX001")(e) && (e as Error).message.includes(`${last}: checksum mismatch`),
  );
  await fs.writeFileAtomic(last, bytes);
  await fs.remove(names[1]!);
  await assert.rejects(
    open(fs),
    (e: unknown) => isCode("XX001")(e) && /segment missing/.test(String(e)),
  );
  assert.deepEqual((await verifyWal(fs, "/w")).map((p) => [p.file, p.message]), [[
    names[1],
    "WAL segment missing",
  ]]);
});
