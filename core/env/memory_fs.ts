/**
 * A file system in memory that fails on purpose: it loses unsynced bytes and unsynced directory
 * entries on a simulated crash, can tear the unsynced tail of a file, and fails the Nth operation
 * of a kind. Durability code (the WAL, checkpoints) is tested against it without a power cut.
 *
 * The model, kept close to what POSIX file systems promise:
 * - a file's bytes survive a crash once `sync` covered them (`writeFileAtomic` and `truncate`
 *   sync by themselves);
 * - a name (a file created, renamed or removed) survives a crash once `syncDir` ran on its
 *   folder; folders made by `mkdirp` and whole trees removed by `remove` are durable at once;
 * - `writeFileAtomic` is a temp file, write, sync, rename and folder sync, and each step can fail;
 * - a failed operation changes nothing; after a crash every file handle opened before it throws.
 *
 * @module
 */
import {
  type AppendFile,
  dirname,
  type FileInfo,
  type FileLock,
  type FileSystem,
  LockHeldError,
  type ReadFile,
} from "./fs.ts";

/** The operations that {@link MemoryFileSystem.failAt} can fail and `opCounts` counts. */
export type FsOp = "write" | "sync" | "rename" | "remove" | "truncate" | "syncDir";

/** Which operation to fail: the `nth` of its kind from now on (1 = the next one). */
export interface FsFault {
  readonly op: FsOp;
  readonly nth: number;
}

/** How {@link MemoryFileSystem.crash} treats bytes that were written but not synced. */
export interface CrashOptions {
  /**
   * Keep a random prefix of each file's unsynced tail (a torn write) instead of dropping it all.
   * Only files that were only appended to since their last sync are torn; others revert.
   */
  readonly tear?: boolean;
  /** The random source for tearing, in [0, 1); defaults to `Math.random`. */
  readonly random?: () => number;
}

interface Node {
  /** What survives a crash. */
  durable: Uint8Array;
  /** What readers see. */
  current: Uint8Array;
  /** Whether `current` is `durable` plus appended bytes (so a crash may tear the tail). */
  appendOnly: boolean;
}

const fsOps: readonly FsOp[] = ["write", "sync", "rename", "remove", "truncate", "syncDir"];

/**
 * Files in memory, with crashes, torn writes and injected faults.
 *
 * @example
 * ```ts
 * import { MemoryFileSystem } from "./memory_fs.ts";
 * const fs = new MemoryFileSystem();
 * await fs.mkdirp("/d");
 * const f = await fs.openAppend("/d/wal");
 * await f.write(new Uint8Array([1, 2]));
 * await f.sync();
 * await fs.syncDir("/d"); // the new name is durable too
 * await f.write(new Uint8Array([3]));
 * fs.crash();
 * console.assert((await fs.readFile("/d/wal"))?.length === 2);
 * fs.failAt({ op: "write", nth: 1 });
 * const g = await fs.openAppend("/d/wal");
 * await g.write(new Uint8Array([4])).catch((e) => console.assert(/simulated/.test(e.message)));
 * console.assert(fs.opCounts().write === 3);
 * ```
 */
export class MemoryFileSystem implements FileSystem {
  /** Names as readers see them now. */
  #names = new Map<string, Node>();
  /** Names as a crash leaves them. */
  #durableNames = new Map<string, Node>();
  #dirs = new Set<string>(["/", "."]);
  #locks = new Set<string>();
  #counts: Record<FsOp, number> = {
    write: 0,
    sync: 0,
    rename: 0,
    remove: 0,
    truncate: 0,
    syncDir: 0,
  };
  #faults: { op: FsOp; at: number }[] = [];
  /** Bumped by a crash: handles opened before it go stale. */
  #generation = 0;
  #tmpCounter = 0;
  /** Number of upcoming writes that fail with an I/O error (older form of `failAt`). */
  failNextWrites = 0;

  /** Fails the `nth` operation of kind `op`, counting from this call. */
  failAt(fault: FsFault): void {
    if (!fsOps.includes(fault.op)) throw new RangeError(`unknown file-system op "${fault.op}"`);
    if (!Number.isSafeInteger(fault.nth) || fault.nth < 1) {
      throw new RangeError(`failAt nth must be a positive integer, got ${fault.nth}`);
    }
    this.#faults.push({ op: fault.op, at: this.#counts[fault.op] + fault.nth });
  }

  /** Operations started so far, per kind (failed ones included). */
  opCounts(): Readonly<Record<FsOp, number>> {
    return { ...this.#counts };
  }

  readFile(path: string): Promise<Uint8Array | null> {
    const f = this.#names.get(path);
    return Promise.resolve(f ? f.current.slice() : null);
  }

  readRange(path: string, offset: number, length: number): Promise<Uint8Array | null> {
    const f = this.#names.get(path);
    return Promise.resolve(f ? f.current.slice(offset, offset + length) : null);
  }

  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const tmp = `${path}.tmp-${++this.#tmpCounter}`;
    const node: Node = { durable: new Uint8Array(0), current: new Uint8Array(0), appendOnly: true };
    this.#names.set(tmp, node);
    try {
      this.#op("write");
      node.current = data.slice();
      this.#op("sync");
      node.durable = node.current;
      this.#op("rename");
      this.#names.set(path, node);
      this.#names.delete(tmp);
      this.#op("syncDir");
      this.#commitDir(dirname(path));
    } catch (e) {
      this.#names.delete(tmp);
      return Promise.reject(e);
    }
    return Promise.resolve();
  }

  openAppend(path: string): Promise<AppendFile> {
    let node = this.#names.get(path);
    if (!node) {
      node = { durable: new Uint8Array(0), current: new Uint8Array(0), appendOnly: true };
      this.#names.set(path, node);
    }
    return Promise.resolve(this.#handle(node));
  }

  openRead(path: string): Promise<ReadFile | null> {
    const f = this.#names.get(path);
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
    try {
      this.#op("write");
    } catch (e) {
      return Promise.reject(e);
    }
    const node = this.#names.get(path);
    if (node) {
      node.current = new Uint8Array(0);
      node.appendOnly = false;
    }
    return this.openAppend(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.#run(() => {
      this.#op("rename");
      const node = this.#names.get(from);
      if (!node) throw new Error(`cannot rename ${from}: no such file`);
      this.#names.set(to, node);
      this.#names.delete(from);
    });
  }

  truncate(path: string, length: number): Promise<void> {
    return this.#run(() => {
      this.#op("truncate");
      const node = this.#names.get(path);
      if (!node) throw new Error(`cannot truncate ${path}: no such file`);
      const next = new Uint8Array(length);
      next.set(node.current.subarray(0, length));
      node.current = next;
      node.durable = next;
      node.appendOnly = true;
    });
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
    const f = this.#names.get(path);
    if (f) return Promise.resolve({ size: f.current.length, isFile: true, isDirectory: false });
    if (this.#dirs.has(path)) return Promise.resolve({ size: 0, isFile: false, isDirectory: true });
    return Promise.resolve(null);
  }

  readDir(path: string): Promise<string[]> {
    const prefix = path.endsWith("/") ? path : `${path}/`;
    const names = new Set<string>();
    for (const p of [...this.#names.keys(), ...this.#dirs]) {
      if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split("/")[0]!);
    }
    names.delete("");
    return Promise.resolve([...names].sort());
  }

  remove(path: string): Promise<void> {
    return this.#run(() => {
      this.#op("remove");
      const tree = this.#dirs.has(path);
      for (const p of [...this.#names.keys()]) {
        if (p === path || p.startsWith(`${path}/`)) this.#names.delete(p);
      }
      if (!tree) return;
      // A whole tree goes at once, durably: the model tracks entry durability per file only.
      for (const p of [...this.#durableNames.keys()]) {
        if (p.startsWith(`${path}/`)) this.#durableNames.delete(p);
      }
      for (const p of [...this.#dirs]) {
        if (p === path || p.startsWith(`${path}/`)) this.#dirs.delete(p);
      }
    });
  }

  syncDir(path: string): Promise<void> {
    return this.#run(() => {
      this.#op("syncDir");
      this.#commitDir(path);
    });
  }

  lock(path: string): Promise<FileLock> {
    if (this.#locks.has(path)) return Promise.reject(new LockHeldError(path));
    this.#locks.add(path);
    return Promise.resolve({ release: () => void this.#locks.delete(path) });
  }

  /**
   * Simulates power loss: every file reverts to its last synced bytes (or, with `tear`, keeps a
   * random prefix of its unsynced tail), names revert to their last synced folder state, locks
   * are dropped and every open handle goes stale.
   */
  crash(options: CrashOptions = {}): void {
    const random = options.random ?? Math.random;
    this.#generation++;
    for (const node of new Set(this.#durableNames.values())) {
      let keep = node.durable;
      const tail = node.current.length - node.durable.length;
      if (options.tear && node.appendOnly && tail > 0) {
        const n = Math.min(tail, Math.floor(random() * (tail + 1)));
        keep = node.current.slice(0, node.durable.length + n);
      }
      node.durable = keep;
      node.current = keep;
      node.appendOnly = true;
    }
    this.#names = new Map(this.#durableNames);
    this.#locks.clear();
  }

  #handle(node: Node): AppendFile {
    const generation = this.#generation;
    const live = () => {
      if (generation !== this.#generation) {
        throw new Error("simulated I/O error: file handle opened before a crash");
      }
    };
    return {
      write: (data: Uint8Array) =>
        this.#run(() => {
          live();
          this.#op("write");
          const next = new Uint8Array(node.current.length + data.length);
          next.set(node.current);
          next.set(data, node.current.length);
          node.current = next;
        }),
      sync: () =>
        this.#run(() => {
          live();
          this.#op("sync");
          node.durable = node.current;
          node.appendOnly = true;
        }),
      close: () => {},
    };
  }

  /** Makes the names in folder `dir` durable as they are now. */
  #commitDir(dir: string): void {
    for (const p of new Set([...this.#names.keys(), ...this.#durableNames.keys()])) {
      if (dirname(p) !== dir) continue;
      const node = this.#names.get(p);
      if (node) this.#durableNames.set(p, node);
      else this.#durableNames.delete(p);
    }
  }

  /** Counts an operation and throws if a fault was set for it. */
  #op(op: FsOp): void {
    const n = ++this.#counts[op];
    if (op === "write" && this.failNextWrites > 0) {
      this.failNextWrites--;
      throw new Error("simulated I/O error: no space left on device");
    }
    const i = this.#faults.findIndex((f) => f.op === op && f.at === n);
    if (i >= 0) {
      this.#faults.splice(i, 1);
      throw new Error(`simulated I/O error: ${op} #${n} failed`);
    }
  }

  #run(fn: () => void): Promise<void> {
    try {
      fn();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
