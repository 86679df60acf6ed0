/**
 * The file system, injected. The real one wraps `Deno.*`; {@link MemoryFileSystem} keeps files in
 * memory and can simulate a crash (unsynced bytes are lost) and I/O faults, so durability code is
 * testable without a real power cut.
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
  /** Removes a file or a directory tree; no error if missing. */
  remove(path: string): Promise<void>;
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

function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
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
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      let off = 0;
      while (off < data.length) off += await f.write(data.subarray(off));
      await f.sync();
    } finally {
      f.close();
    }
    await Deno.rename(tmp, path);
    await syncDir(dirname(path));
  },
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
    let f: Deno.FsFile;
    try {
      f = await Deno.open(path, { read: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return null;
      throw e;
    }
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

/**
 * Files in memory, with crash simulation: bytes written but not synced are lost by
 * {@link MemoryFileSystem.crash}, and `failNextWrites` makes writes throw like a full disk.
 *
 * @example
 * ```ts
 * import { MemoryFileSystem } from "./fs.ts";
 * const fs = new MemoryFileSystem();
 * const f = await fs.openAppend("/wal");
 * await f.write(new Uint8Array([1, 2]));
 * await f.sync();
 * await f.write(new Uint8Array([3]));
 * fs.crash();
 * console.assert((await fs.readFile("/wal"))?.length === 2);
 * ```
 */
export class MemoryFileSystem implements FileSystem {
  #files = new Map<string, { durable: Uint8Array; current: Uint8Array }>();
  #dirs = new Set<string>(["/", "."]);
  #locks = new Set<string>();
  /** Number of upcoming writes that fail with an I/O error. */
  failNextWrites = 0;

  readFile(path: string): Promise<Uint8Array | null> {
    const f = this.#files.get(path);
    return Promise.resolve(f ? f.current.slice() : null);
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const fault = this.#fault();
    if (fault) return Promise.reject(fault);
    const copy = data.slice();
    this.#files.set(path, { durable: copy, current: copy });
    return Promise.resolve();
  }

  openAppend(path: string): Promise<AppendFile> {
    let entry = this.#files.get(path);
    if (!entry) {
      entry = { durable: new Uint8Array(0), current: new Uint8Array(0) };
      this.#files.set(path, entry);
    }
    const file = entry;
    return Promise.resolve({
      write: (data: Uint8Array) => {
        const fault = this.#fault();
        if (fault) return Promise.reject(fault);
        const next = new Uint8Array(file.current.length + data.length);
        next.set(file.current);
        next.set(data, file.current.length);
        file.current = next;
        return Promise.resolve();
      },
      sync: () => {
        file.durable = file.current;
        return Promise.resolve();
      },
      close: () => {},
    });
  }

  openRead(path: string): Promise<ReadFile | null> {
    const f = this.#files.get(path);
    if (!f) return Promise.resolve(null);
    const bytes = f.current;
    let offset = 0;
    return Promise.resolve({
      read: (buffer: Uint8Array) => {
        if (offset >= bytes.length) return Promise.resolve(null);
        const n = Math.min(buffer.length, bytes.length - offset);
        buffer.set(bytes.subarray(offset, offset + n));
        offset += n;
        return Promise.resolve(n);
      },
      close: () => {},
    });
  }

  openWrite(path: string): Promise<AppendFile> {
    const fault = this.#fault();
    if (fault) return Promise.reject(fault);
    const entry = this.#files.get(path);
    if (entry) entry.current = new Uint8Array(0);
    return this.openAppend(path);
  }

  mkdirp(path: string): Promise<void> {
    let p = path;
    while (p !== "/" && p !== "." && p !== "") {
      this.#dirs.add(p);
      p = dirname(p);
    }
    return Promise.resolve();
  }

  stat(path: string): Promise<FileInfo | null> {
    const f = this.#files.get(path);
    if (f) return Promise.resolve({ size: f.current.length, isFile: true, isDirectory: false });
    if (this.#dirs.has(path)) return Promise.resolve({ size: 0, isFile: false, isDirectory: true });
    return Promise.resolve(null);
  }

  readDir(path: string): Promise<string[]> {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const names = new Set<string>();
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
    }
    names.delete("");
    return Promise.resolve([...names].sort());
  }

  remove(path: string): Promise<void> {
    for (const p of [...this.#files.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) this.#files.delete(p);
    }
    for (const p of [...this.#dirs]) {
      if (p === path || p.startsWith(`${path}/`)) this.#dirs.delete(p);
    }
    return Promise.resolve();
  }

  lock(path: string): Promise<FileLock> {
    if (this.#locks.has(path)) return Promise.reject(new LockHeldError(path));
    this.#locks.add(path);
    return Promise.resolve({ release: () => void this.#locks.delete(path) });
  }

  /** Simulates power loss: every file reverts to its last synced bytes; locks are dropped. */
  crash(): void {
    for (const f of this.#files.values()) f.current = f.durable;
    this.#locks.clear();
  }

  #fault(): Error | null {
    if (this.failNextWrites <= 0) return null;
    this.failNextWrites--;
    return new Error("simulated I/O error: no space left on device");
  }
}
