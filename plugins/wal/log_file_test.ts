import assert from "node:assert/strict";
import { type FileSystem, MemoryFileSystem, realEnv } from "../../core/env/mod.ts";
import { DbError } from "../../core/errors.ts";
import type { Wal, WalContext, WalEntry } from "../../core/plugin/wal.ts";
import { fileWalPlugin } from "./log_file.ts";
import { encodeRecord, walMagic, walMagicV1, walRecordPayloadBytesMax } from "./segment_format.ts";
import { crc32c } from "./crc32c.ts";

type Options = Omit<WalContext, "env" | "dir" | "log">;

function open(fs: FileSystem, dir: string, options: Options = {}, log = () => {}): Promise<Wal> {
  return fileWalPlugin.open({ env: { ...realEnv(), fs }, dir, log, ...options });
}

async function lsns(wal: Wal, after = 0n): Promise<bigint[]> {
  return (await Array.fromAsync(wal.replay(after))).map((e: WalEntry) => e.lsn);
}

const rec = (n: number, size = 8) => ({ type: 1, payload: new Uint8Array(size).fill(n & 0xff) });

Deno.test("file WAL: records come back in order after reopen, LSNs continue", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, "/w");
  assert.deepEqual(await wal.append([rec(1), rec(2)]), { lsn: 2n, durable: true });
  assert.deepEqual(await wal.append([rec(3)]), { lsn: 3n, durable: true });
  assert.equal(wal.lastLsn(), 3n);
  await wal.close();
  const again = await open(fs, "/w");
  const entries = await Array.fromAsync(again.replay(0n));
  assert.deepEqual(entries.map((e) => [e.lsn, e.payload[0]]), [[1n, 1], [2n, 2], [3n, 3]]);
  assert.deepEqual(await lsns(again, 2n), [3n]);
  assert.equal((await again.append([rec(4)])).lsn, 4n);
  await again.close();
  await assert.rejects(
    again.append([rec(5)]),
    (e: unknown) => e instanceof DbError && e.code === "55000",
  );
});

Deno.test("file WAL: group commit batches concurrent appends into fewer fsyncs, LSNs follow call order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const wal = await open(realEnv().fs, `${dir}/wal`);
    const before = wal.stats();
    const n = 50;
    const results = await Promise.all(Array.from({ length: n }, (_, i) => wal.append([rec(i)])));
    const s = wal.stats();
    assert.ok(s.fsyncs - before.fsyncs < n, `fsyncs ${s.fsyncs - before.fsyncs} for ${n} appends`);
    assert.equal(s.appends, n);
    assert.ok(results.every((r) => r.durable));
    assert.deepEqual(results.map((r) => r.lsn), Array.from({ length: n }, (_, i) => BigInt(i + 1)));
    // interleaved with awaits: a second wave while the first is in flight
    const wave1 = Array.from({ length: 10 }, (_, i) => wal.append([rec(i)]));
    await Promise.resolve();
    const wave2 = Array.from({ length: 10 }, (_, i) => wal.append([rec(i)]));
    const all = await Promise.all([...wave1, ...wave2]);
    assert.deepEqual(
      all.map((r) => r.lsn),
      Array.from({ length: 20 }, (_, i) => BigInt(n + i + 1)),
    );
    await wal.close();
    const again = await open(realEnv().fs, `${dir}/wal`);
    const replayed = await Array.fromAsync(again.replay(0n));
    assert.deepEqual(
      replayed.map((e) => e.lsn),
      Array.from({ length: n + 20 }, (_, i) => BigInt(i + 1)),
    );
    assert.deepEqual(
      replayed.slice(0, n).map((e) => e.payload[0]),
      Array.from({ length: n }, (_, i) => i),
    );
    await again.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file WAL: rotates to a new file past segmentBytesMax; a record never spans files", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, "/w", { segmentBytesMax: 100 });
  for (let i = 0; i < 10; i++) await wal.append([rec(i, 20)]); // 37 bytes a record
  await wal.append([rec(99, 300)]); // alone larger than a segment: gets a file of its own
  await wal.append([rec(100, 1)]);
  const s = wal.stats();
  const names = await fs.readDir("/w");
  assert.equal(s.files, names.length);
  assert.deepEqual(names.slice(0, 2), ["0000000000000001.wal", "0000000000000002.wal"]);
  for (const name of names.slice(0, -2)) {
    assert.ok((await fs.stat(`/w/${name}`))!.size <= 100, name);
  }
  assert.equal(
    s.bytes,
    (await Promise.all(names.map((n) => fs.stat(`/w/${n}`)))).reduce((a, b) => a + b!.size, 0),
  );
  await wal.close();
  const again = await open(fs, "/w", { segmentBytesMax: 100 });
  assert.deepEqual(await lsns(again), Array.from({ length: 12 }, (_, i) => BigInt(i + 1)));
  assert.deepEqual(await lsns(again, 7n), [8n, 9n, 10n, 11n, 12n]);
  await again.close();
});

Deno.test("file WAL: truncateThrough deletes whole covered files, rolls a covered active file, keeps LSNs growing", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, "/w", { segmentBytesMax: 100 });
  for (let i = 1; i <= 9; i++) await wal.append([rec(i, 20)]); // 2 records a file
  assert.equal(wal.stats().files, 5);
  await wal.truncateThrough(4n); // files 1-2 hold LSN 1-4
  assert.deepEqual(await fs.readDir("/w"), [
    "0000000000000003.wal",
    "0000000000000004.wal",
    "0000000000000005.wal",
  ]);
  await wal.truncateThrough(5n); // file 3 holds 5-6: kept
  assert.equal(wal.stats().files, 3);
  assert.deepEqual(await lsns(wal), [5n, 6n, 7n, 8n, 9n]);
  await wal.truncateThrough(9n); // everything: the active file is rolled, then deleted
  assert.deepEqual(await fs.readDir("/w"), ["0000000000000006.wal"]);
  assert.deepEqual(await lsns(wal), []);
  fs.crash(); // the deletions and the new file were made durable
  const again = await open(fs, "/w", { nextLsnMin: 10n });
  assert.deepEqual(await fs.readDir("/w"), ["0000000000000006.wal"]);
  assert.equal(again.lastLsn(), 9n);
  assert.equal((await again.append([rec(10)])).lsn, 10n);
  await again.close();
  const third = await open(fs, "/w", { nextLsnMin: 5n }); // the disk knows better
  assert.equal((await third.append([rec(11)])).lsn, 11n);
  assert.deepEqual(await lsns(third), [10n, 11n]);
  await third.close();
});

Deno.test("file WAL: interval sync resolves before the fsync, syncs on a timer and on close", async () => {
  const fs = new MemoryFileSystem();
  const wal = await open(fs, "/w", { sync: "interval", syncIntervalMs: 5 });
  const r = await wal.append([rec(1)]);
  assert.deepEqual(r, { lsn: 1n, durable: false });
  const syncs = wal.stats().fsyncs;
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(wal.stats().fsyncs, syncs + 1, "the timer synced");
  await wal.append([rec(2)]);
  await wal.close(); // clears the timer and syncs
  fs.crash();
  const again = await open(fs, "/w");
  assert.deepEqual(await lsns(again), [1n, 2n]);
  await again.close();
});

Deno.test("file WAL: bad options and oversized records are clear errors", async () => {
  const fs = new MemoryFileSystem();
  for (const bad of [{ segmentBytesMax: 10 }, { syncIntervalMs: 0 }, { syncIntervalMs: 1e9 }]) {
    await assert.rejects(
      open(fs, "/w", bad),
      (e: unknown) => e instanceof DbError && e.code === "22023",
    );
  }
  const wal = await open(fs, "/w");
  const huge = { type: 1, payload: { length: walRecordPayloadBytesMax + 1 } as Uint8Array };
  await assert.rejects(
    wal.append([huge]),
    (e: unknown) => e instanceof DbError && e.code === "54000",
  );
  await assert.rejects(wal.append([{ type: 300, payload: new Uint8Array(0) }]), /not 0-255/);
  assert.deepEqual(await wal.append([]), { lsn: 0n, durable: true });
  await wal.close();
});

Deno.test("file WAL: a version 1 segment (CRC32C) is read; new records go to a version 2 file (CRC-32)", async () => {
  const fs = new MemoryFileSystem();
  // a version 1 file as an older OmenDB wrote it: two records checksummed with CRC32C
  const v1 = [
    ...walMagicV1,
    ...encodeRecord(1, 1n, rec(1).payload, crc32c),
    ...encodeRecord(1, 2n, rec(2).payload, crc32c),
  ];
  await fs.writeFileAtomic("/w/0000000000000001.wal", new Uint8Array(v1));
  const wal = await open(fs, "/w", { segmentBytesMax: 100 });
  assert.deepEqual(await lsns(wal), [1n, 2n]);
  await wal.append([rec(3)]); // a version 2 file, though the version 1 file has room
  await wal.append([rec(4), rec(5), rec(6)]); // rotates again
  await wal.close();
  const first = (await fs.readFile("/w/0000000000000001.wal"))!;
  assert.deepEqual([...first.subarray(0, walMagicV1.length)], [...walMagicV1]);
  const second = (await fs.readFile("/w/0000000000000002.wal"))!;
  assert.deepEqual([...second.subarray(0, walMagic.length)], [...walMagic]);
  const again = await open(fs, "/w");
  assert.deepEqual(await lsns(again), [1n, 2n, 3n, 4n, 5n, 6n]);
  assert.deepEqual(await again.verify!(), []);
  await again.close();
  // a flipped payload byte fails either checksum
  for (const [path, at] of [["/w/0000000000000001.wal", 30], ["/w/0000000000000002.wal", 30]]) {
    const bytes = (await fs.readFile(path as string))!;
    bytes[at as number]! ^= 0xff;
    await fs.writeFileAtomic(path as string, bytes);
    const broken = await open(fs, "/w").then((w) => Array.fromAsync(w.replay(0n))).catch((e) => e);
    assert.ok(broken instanceof DbError, `${path}: ${broken}`);
    bytes[at as number]! ^= 0xff;
    await fs.writeFileAtomic(path as string, bytes);
  }
});
