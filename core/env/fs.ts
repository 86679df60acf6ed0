/**
 * The file system, injected. The real one ({@link denoFileSystem}) wraps `Deno.*`;
 * `MemoryFileSystem` (memory_fs.ts) keeps files in memory and can simulate crashes, torn writes
 * and I/O faults, so durability code is testable without a real power cut.
 *
 * @module
 */

/** What {@link FileSystem.stat} reports. */
export interface FileInfo {
  readonly size: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
}

/** A file opened for appending, as a WAL uses it. */
export interface AppendFile {
  /** Appends all of `data` (at the OS level: not yet durable). */
  write(data: Uint8Array): Promise<void>;
  /** Makes every byte written so far durable (fdatasync). */
  sync(): Promise<void>;
  /** Closes the file. */
  close(): void;
}

/** A file opened for reading in chunks, as COPY FROM uses it. */
export interface ReadFile {
  /** Reads up to `buffer.length` bytes into `buffer`; the count read, or `null` at the end. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Closes the file. */
  close(): void;
}

/** An exclusive lock on a data directory, held until released. */
export interface FileLock {
  release(): void;
}

/** Everything OmenDB does with files. */
export interface FileSystem {
  /** Reads a whole file; `null` if it does not exist. */
  readFile(path: string): Promise<Uint8Array | null>;
  /** Writes a whole file atomically: temp file, fsync, rename, directory fsync. */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  /** Opens (creating if needed) a file for appending. */
  openAppend(path: string): Promise<AppendFile>;
  /** Opens a file for reading in chunks; `null` if it does not exist. */
  openRead(path: string): Promise<ReadFile | null>;
  /** Creates a file, or empties an existing one, and opens it for writing (COPY TO). */
  openWrite(path: string): Promise<AppendFile>;
  /** Creates a directory and its parents. */
  mkdirp(path: string): Promise<void>;
  /** File or directory information; `null` if it does not exist. */
  stat(path: string): Promise<FileInfo | null>;
  /** Names in a directory (not paths), sorted. */
  readDir(path: string): Promise<string[]>;
  /**
   * Reads up to `length` bytes starting at byte `offset` (fewer at the end of the file);
   * `null` if the file does not exist.
   */
  readRange(path: string, offset: number, length: number): Promise<Uint8Array | null>;
  /** Renames a file atomically, replacing `to`; durable once {@link FileSystem.syncDir} runs. */
  rename(from: string, to: string): Promise<void>;
  /** Shortens a file to `length` bytes and makes that durable (fsync). */
  truncate(path: string, length: number): Promise<void>;
  /** Removes a file or a directory tree; no error if missing. */
  remove(path: string): Promise<void>;
  /**
   * Makes the directory's entries durable (fsync on the directory): files created, renamed or
   * removed in it survive a crash only after this.
   */
  syncDir(path: string): Promise<void>;
  /** Takes an exclusive lock file; throws {@link LockHeldError} if another holder has it. */
  lock(path: string): Promise<FileLock>;
}

/** Thrown by {@link FileSystem.lock} when another process holds the lock. */
export class LockHeldError extends Error {
  constructor(path: string) {
    super(`${path} is locked by another process`);
    this.name = "LockHeldError";
  }
}

/** The folder part of a path (`/a/b` -> `/a`). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** Opens a file for reading; `null` if it does not exist. */
async function openIfExists(path: string): Promise<Deno.FsFile | null> {
  try {
    return await Deno.open(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

async function syncDir(path: string): Promise<void> {
  const dir = await Deno.open(path, { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

/**
 * The real file system.
 *
 * @example
 * ```ts
 * import { denoFileSystem } from "./fs.ts";
 * const dir = await Deno.makeTempDir();
 * await denoFileSystem.writeFileAtomic(`${dir}/a`, new TextEncoder().encode("hi"));
 * console.assert((await denoFileSystem.readFile(`${dir}/a`))?.length === 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export const denoFileSystem: FileSystem = {
  async readFile(path) {
    try {
      return await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  },
  async writeFileAtomic(path, data) {
    const tmp = `${path}.tmp-${crypto.randomUUID()}`;
    try {
      const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
      try {
        let off = 0;
        while (off < data.length) off += await f.write(data.subarray(off));
        await f.sync();
      } finally {
        f.close();
      }
      await Deno.rename(tmp, path);
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    await syncDir(dirname(path));
  },
  async readRange(path, offset, length) {
    const f = await openIfExists(path);
    if (f === null) return null;
    try {
      await f.seek(offset, Deno.SeekMode.Start);
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = await f.read(out.subarray(got));
        if (n === null) break;
        got += n;
      }
      return got === length ? out : out.slice(0, got);
    } finally {
      f.close();
    }
  },
  rename: (from, to) => Deno.rename(from, to),
  async truncate(path, length) {
    const f = await Deno.open(path, { write: true });
    try {
      await f.truncate(length);
      await f.syncData();
    } finally {
      f.close();
    }
  },
  syncDir,
  async openAppend(path) {
    const f = await Deno.open(path, { create: true, append: true });
    return {
      async write(data) {
        let off = 0;
        while (off < data.length) off += await f.write(data.subarray(off));
      },
      sync: () => f.syncData(),
      close: () => f.close(),
    };
  },
  async openRead(path) {
    const f = await openIfExists(path);
    if (f === null) return null;
    return { read: (buffer) => f.read(buffer), close: () => f.close() };
  },
  async openWrite(path) {
    const f = await Deno.open(path, { write: true, create: true, truncate: true });
    return {
      async write(data) {
        let off = 0;
        while (off < data.length) off += await f.write(data.subarray(off));
      },
      sync: () => f.syncData(),
      close: () => f.close(),
    };
  },
  async mkdirp(path) {
    await Deno.mkdir(path, { recursive: true });
  },
  async stat(path) {
    try {
      const s = await Deno.stat(path);
      return { size: s.size, isFile: s.isFile, isDirectory: s.isDirectory };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
  },
  async readDir(path) {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names.sort();
  },
  async remove(path) {
    try {
      await Deno.remove(path, { recursive: true });
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  },
  async lock(path) {
    const f = await Deno.open(path, { read: true, write: true, create: true });
    try {
      // Non-blocking exclusive lock: Deno has no try-lock, so race a short timer.
      const locked = await Promise.race([
        f.lock(true).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 200)),
      ]);
      if (!locked) {
        f.close();
        throw new LockHeldError(path);
      }
    } catch (e) {
      if (e instanceof LockHeldError) throw e;
      f.close();
      throw e;
    }
    return {
      release() {
        try {
          f.unlockSync();
        } finally {
          f.close();
        }
      },
    };
  },
};
