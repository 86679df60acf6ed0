import assert from "node:assert/strict";
import { denoFileSystem, type FileSystem, MemoryFileSystem } from "./mod.ts";

const bytes = (...xs: number[]) => new Uint8Array(xs);

async function durableFile(fs: MemoryFileSystem, path: string, data: Uint8Array) {
  await fs.mkdirp("/d");
  const f = await fs.openAppend(path);
  await f.write(data);
  await f.sync();
  await fs.syncDir("/d");
  return f;
}

Deno.test("MemoryFileSystem.failAt fails the nth operation of a kind, counted from the call", async () => {
  const fs = new MemoryFileSystem();
  const f = await durableFile(fs, "/d/a", bytes(1));
  assert.deepEqual(fs.opCounts(), {
    write: 1,
    sync: 1,
    rename: 0,
    remove: 0,
    truncate: 0,
    syncDir: 1,
  });
  fs.failAt({ op: "write", nth: 2 });
  fs.failAt({ op: "sync", nth: 1 });
  await f.write(bytes(2));
  await assert.rejects(f.write(bytes(3)), /simulated I\/O error: write #3 failed/);
  await f.write(bytes(4));
  await assert.rejects(f.sync(), /sync #2 failed/);
  await f.sync();
  assert.deepEqual(await fs.readFile("/d/a"), bytes(1, 2, 4), "a failed write changes nothing");
  fs.failAt({ op: "remove", nth: 1 });
  await assert.rejects(fs.remove("/d/a"), /remove #1 failed/);
  assert.equal(fs.opCounts().remove, 1);
  assert.throws(() => fs.failAt({ op: "write", nth: 0 }), RangeError);
});

Deno.test("MemoryFileSystem.crash drops unsynced bytes and unsynced names; old handles go stale", async () => {
  const fs = new MemoryFileSystem();
  const f = await durableFile(fs, "/d/a", bytes(1, 2));
  await f.write(bytes(3));
  const g = await fs.openAppend("/d/new");
  await g.write(bytes(9));
  await g.sync(); // bytes synced, but the name is not
  await fs.rename("/d/a", "/d/b"); // not durable either
  fs.crash();
  assert.deepEqual(await fs.readFile("/d/a"), bytes(1, 2));
  assert.equal(await fs.readFile("/d/b"), null);
  assert.equal(await fs.readFile("/d/new"), null);
  await assert.rejects(f.write(bytes(4)), /opened before a crash/);
  await fs.remove("/d/a");
  fs.crash();
  assert.deepEqual(await fs.readFile("/d/a"), bytes(1, 2), "a removal needs syncDir too");
  await fs.remove("/d/a");
  await fs.syncDir("/d");
  fs.crash();
  assert.equal(await fs.readFile("/d/a"), null);
});

Deno.test("MemoryFileSystem.crash with tear keeps a random prefix of each unsynced tail", async () => {
  for (const [r, kept] of [[0, 2], [0.5, 4], [0.999, 6]] as const) {
    const fs = new MemoryFileSystem();
    const f = await durableFile(fs, "/d/a", bytes(1, 2));
    await f.write(bytes(3, 4, 5, 6));
    fs.crash({ tear: true, random: () => r });
    assert.equal((await fs.readFile("/d/a"))!.length, kept, `random ${r}`);
  }
});

Deno.test("MemoryFileSystem.writeFileAtomic: a fault or crash before the rename is durable keeps the old file", async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdirp("/d");
  await fs.writeFileAtomic("/d/f", bytes(1));
  for (const op of ["write", "sync", "rename"] as const) {
    fs.failAt({ op, nth: 1 });
    await assert.rejects(fs.writeFileAtomic("/d/f", bytes(2)), new RegExp(`${op} #`));
    assert.deepEqual(await fs.readFile("/d/f"), bytes(1), op);
    assert.deepEqual(await fs.readDir("/d"), ["f"], "no temp file is left behind");
  }
  fs.failAt({ op: "syncDir", nth: 1 });
  await assert.rejects(fs.writeFileAtomic("/d/f", bytes(3)), /syncDir #/);
  assert.deepEqual(await fs.readFile("/d/f"), bytes(3), "renamed, not yet durable");
  fs.crash();
  assert.deepEqual(await fs.readFile("/d/f"), bytes(1));
  await fs.writeFileAtomic("/d/f", bytes(4));
  fs.crash();
  assert.deepEqual(await fs.readFile("/d/f"), bytes(4));
});

async function rangeAndTruncate(fs: FileSystem, dir: string): Promise<void> {
  await fs.writeFileAtomic(`${dir}/r`, bytes(0, 1, 2, 3, 4, 5));
  assert.deepEqual(await fs.readRange(`${dir}/r`, 2, 3), bytes(2, 3, 4));
  assert.deepEqual(await fs.readRange(`${dir}/r`, 4, 10), bytes(4, 5), "short at the end");
  assert.equal(await fs.readRange(`${dir}/missing`, 0, 1), null);
  await fs.truncate(`${dir}/r`, 3);
  assert.deepEqual(await fs.readFile(`${dir}/r`), bytes(0, 1, 2));
  await fs.rename(`${dir}/r`, `${dir}/s`);
  await fs.syncDir(dir);
  assert.deepEqual(await fs.readDir(dir), ["s"]);
}

Deno.test("readRange, truncate, rename and syncDir agree on both file systems", async () => {
  const mem = new MemoryFileSystem();
  await mem.mkdirp("/m");
  await rangeAndTruncate(mem, "/m");
  const dir = await Deno.makeTempDir();
  try {
    await rangeAndTruncate(denoFileSystem, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
