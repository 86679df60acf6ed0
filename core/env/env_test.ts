import assert from "node:assert/strict";
import {
  denoFileSystem,
  LockHeldError,
  ManualClock,
  MemoryFileSystem,
  SeededRandom,
} from "./mod.ts";

Deno.test("ManualClock only moves when told and wakes sleepers in order", async () => {
  const c = new ManualClock(1_000_000);
  const woke: number[] = [];
  const a = c.sleep(10).then(() => woke.push(10));
  const b = c.sleep(5).then(() => woke.push(5));
  c.advanceMs(7);
  await b;
  assert.deepEqual(woke, [5]);
  c.advanceMs(3);
  await a;
  assert.deepEqual(woke, [5, 10]);
  assert.equal(c.nowMicros(), 1_010_000);
});

Deno.test("SeededRandom replays from its seed", () => {
  const a = new SeededRandom(7);
  const b = new SeededRandom(7);
  const xs = Array.from({ length: 5 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => new SeededRandom(8).nextUint32()));
  const f = new SeededRandom(1).nextFloat();
  assert.ok(f >= 0 && f < 1);
});

Deno.test("MemoryFileSystem: failed writes throw, locks exclude, crash keeps synced bytes", async () => {
  const fs = new MemoryFileSystem();
  const f = await fs.openAppend("/x");
  fs.failNextWrites = 1;
  await assert.rejects(f.write(new Uint8Array([1])), /simulated I\/O error/);
  await f.write(new Uint8Array([1, 2, 3]));
  assert.equal((await fs.stat("/x"))?.size, 3);
  fs.crash();
  assert.equal(await fs.readFile("/x"), null, "neither its bytes nor its name were synced");
  const lock = await fs.lock("/LOCK");
  await assert.rejects(fs.lock("/LOCK"), LockHeldError);
  lock.release();
  (await fs.lock("/LOCK")).release();
});

Deno.test("the real file system locks a directory against a second holder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lock = await denoFileSystem.lock(`${dir}/LOCK`);
    await assert.rejects(denoFileSystem.lock(`${dir}/LOCK`), LockHeldError);
    lock.release();
    (await denoFileSystem.lock(`${dir}/LOCK`)).release();
    await denoFileSystem.writeFileAtomic(`${dir}/a`, new Uint8Array([9]));
    assert.deepEqual(await denoFileSystem.readFile(`${dir}/a`), new Uint8Array([9]));
    assert.equal(await denoFileSystem.readFile(`${dir}/missing`), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
