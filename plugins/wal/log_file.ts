/**
 * The `file` write-ahead log: a folder of segment files `<16-digit sequence>.wal` (format in
 * segment_format.ts), written by one group-commit loop.
 *
 * - **Group commit.** `append` encodes its records and queues them; one loop writes everything
 *   queued in one write and one fdatasync, then resolves every caller in that batch. Appends that
 *   arrive meanwhile form the next batch. LSNs are given in the order of the `append` calls.
 * - **Rotation.** Before a batch that would push the file past `segmentBytesMax`, the loop syncs
 *   the file and moves to a new one (header written, synced, folder synced). A batch never spans
 *   files, so a file is larger than the limit only if one append alone is.
 * - **Open.** Sequence numbers must be contiguous; every earlier file's header and first record
 *   are checked; the last file is scanned whole: a torn tail there is truncated and logged
 *   (`wal_torn_tail_truncated`), any other damage stops the open with XX001 naming file and byte
 *   offset, and nothing is rewritten. Earlier files are scanned fully only by `replay`, which
 *   reports their damage the same way (the engine replays right after open, so each byte is
 *   read once; `verifyWal` checks everything without opening).
 * - **Fail-stop.** After a failed write, sync or rotation, every append fails until a reopen.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import { verifyWal, type WalProblem } from "./verify.ts";
import type { AppendFile, FileSystem } from "../../core/env/fs.ts";
import type {
  Wal,
  WalAppendOptions,
  WalAppendResult,
  WalContext,
  WalEntry,
  WalPlugin,
  WalRecord,
  WalStats,
} from "../../core/plugin/wal.ts";
import {
  checkHeader,
  checksumOf,
  crc32,
  describeProblem,
  isTornTail,
  listSegments,
  readRecords,
  segmentName,
  walHeaderBytes,
  walMagic,
  walRecordHeaderBytes,
  walRecordPayloadBytesMax,
  writeRecord,
} from "./segment_format.ts";

/** Default bytes after which the log moves to a new segment file: 64 MiB. */
export const walSegmentBytesMaxDefault = 64 * 1024 * 1024;
/** Smallest segment size accepted, in bytes (a header and one small record). */
export const walSegmentBytesMin = 64;
/** Default milliseconds between syncs under `sync: "interval"`. */
export const walSyncIntervalMsDefault = 100;
/** Largest sync interval accepted, in milliseconds. */
export const walSyncIntervalMsMax = 60_000;

interface Segment {
  readonly seq: number;
  readonly path: string;
  /** LSN of the first record, or `null` while the file holds none. */
  firstLsn: bigint | null;
  /** LSN of the last record when known (the file being written, files scanned); else `null`. */
  lastLsn: bigint | null;
  /** Bytes in the file, header included. */
  bytes: number;
}

interface Pending {
  /** The encoded records. */
  readonly data: Uint8Array;
  readonly firstLsn: bigint | null;
  readonly lsn: bigint;
  /** Whether the caller waits for an fdatasync (`false`: the OS write is enough). */
  readonly sync: boolean;
  readonly resolve: (r: WalAppendResult) => void;
  readonly reject: (e: unknown) => void;
}

interface Options {
  readonly interval: boolean;
  readonly syncIntervalMs: number;
  readonly segmentBytesMax: number;
}

function corrupt(path: string, offset: number, what: string): DbError {
  return new DbError(SqlState.dataCorrupted, `${path}: ${what} at offset ${offset}`, {
    hint: "the log is damaged before its end; restore the data directory from a backup",
  });
}

function ioError(what: string, e: unknown): DbError {
  return new DbError(SqlState.ioError, `${what}: ${(e as Error).message}`, { cause: e });
}

class FileWal implements Wal {
  readonly #fs: FileSystem;
  readonly #ctx: WalContext;
  readonly #opts: Options;
  readonly #segments: Segment[];
  #file: AppendFile;
  #nextLsn: bigint;
  #pending: Pending[] = [];
  #draining = false;
  /** Serializes everything that touches the files: batches, syncs, truncation, close. */
  #tail: Promise<void> = Promise.resolve();
  /** Set after a failed write or sync: the file's tail is unknown, so no more appends. */
  #failure: unknown = null;
  #closed = false;
  /** Bytes written to the current file since its last sync. */
  #unsyncedBytes = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #appends = 0;
  #records = 0;
  #writes = 0;
  #fsyncs = 0;
  #dirSyncs = 0;

  constructor(
    ctx: WalContext,
    opts: Options,
    segments: Segment[],
    file: AppendFile,
    next: bigint,
  ) {
    this.#fs = ctx.env.fs;
    this.#ctx = ctx;
    this.#opts = opts;
    this.#segments = segments;
    this.#file = file;
    this.#nextLsn = next;
  }

  append(
    records: readonly WalRecord[],
    options: WalAppendOptions = {},
  ): Promise<WalAppendResult> {
    if (this.#closed) {
      return Promise.reject(
        new DbError(SqlState.objectNotInPrerequisiteState, "the WAL is closed"),
      );
    }
    if (this.#failure !== null) return Promise.reject(this.#failStopError());
    let size = 0;
    for (const r of records) {
      if (r.payload.length > walRecordPayloadBytesMax) {
        return Promise.reject(
          new DbError(
            SqlState.programLimitExceeded,
            `WAL record of ${r.payload.length} bytes is larger than the limit of ${walRecordPayloadBytesMax} bytes (walRecordPayloadBytesMax)`,
          ),
        );
      }
      if (!Number.isInteger(r.type) || r.type < 0 || r.type > 255) {
        return Promise.reject(
          new DbError(SqlState.invalidParameterValue, `WAL record type ${r.type} is not 0-255`),
        );
      }
      size += walRecordHeaderBytes + r.payload.length;
    }
    const data = new Uint8Array(size);
    const firstLsn = records.length === 0 ? null : this.#nextLsn;
    let off = 0;
    for (const r of records) {
      off = writeRecord(data, off, r.type, this.#nextLsn++, r.payload);
    }
    this.#appends++;
    this.#records += records.length;
    const { promise, resolve, reject } = Promise.withResolvers<WalAppendResult>();
    this.#pending.push({
      data,
      firstLsn,
      lsn: this.#nextLsn - 1n,
      sync: options.sync ?? true,
      resolve,
      reject,
    });
    this.#kick();
    return promise;
  }

  async *replay(afterLsn: bigint): AsyncGenerator<WalEntry> {
    const files = this.#segments.map((s, i) => ({ ...s, bound: this.#lastLsnBound(i) }));
    let prev: bigint | null = null;
    for (const s of files) {
      if (s.bound === null || s.bound <= afterLsn) continue;
      const bytes = await this.#fs.readRange(s.path, 0, s.bytes);
      if (bytes === null) {
        // Deleted by truncateThrough since replay started: its records were checkpointed.
        if (s.seq < (this.#segments[0]?.seq ?? Infinity)) continue;
        throw corrupt(s.path, 0, "WAL segment file vanished");
      }
      if (bytes.length < s.bytes || checkHeader(bytes) !== "ok") {
        throw corrupt(s.path, 0, "not an intact OmenDB WAL segment (bad header or cut short)");
      }
      const it = readRecords(bytes, walHeaderBytes);
      for (let r = it.next();; r = it.next()) {
        if (r.done) {
          if (r.value.problem !== null) {
            throw corrupt(s.path, r.value.offset, describeProblem(r.value.problem));
          }
          break;
        }
        const { entry, offset } = r.value;
        if (prev !== null && entry.lsn <= prev) {
          throw corrupt(s.path, offset, `LSN ${entry.lsn} does not follow LSN ${prev}`);
        }
        prev = entry.lsn;
        if (entry.lsn > afterLsn) yield entry;
      }
    }
  }

  truncateThrough(lsn: bigint): Promise<void> {
    return this.#serial(async () => {
      if (this.#failure !== null) throw this.#failStopError();
      const active = this.#segments.at(-1)!;
      if (active.lastLsn !== null && active.lastLsn <= lsn) {
        try {
          await this.#rotate();
        } catch (e) {
          this.#fail(e);
          throw ioError("cannot start a new WAL segment", e);
        }
      }
      let covered = 0;
      while (covered < this.#segments.length - 1) {
        const bound = this.#lastLsnBound(covered);
        if (bound !== null && bound > lsn) break;
        covered++;
      }
      if (covered === 0) return;
      try {
        while (covered-- > 0) {
          await this.#fs.remove(this.#segments[0]!.path);
          this.#segments.shift();
        }
        await this.#fs.syncDir(this.#ctx.dir);
        this.#dirSyncs++;
      } catch (e) {
        throw ioError("cannot delete checkpointed WAL segments", e);
      }
    });
  }

  lastLsn(): bigint {
    return this.#nextLsn - 1n;
  }

  stats(): WalStats {
    return {
      appends: this.#appends,
      records: this.#records,
      writes: this.#writes,
      fsyncs: this.#fsyncs,
      dirSyncs: this.#dirSyncs,
      files: this.#segments.length,
      bytes: this.#segments.reduce((n, s) => n + s.bytes, 0),
      lastLsn: this.lastLsn(),
    };
  }

  /** {@link verifyWal} over this log's folder, between writes; one line per problem. */
  async verify(): Promise<string[]> {
    const problems: WalProblem[] = await this.#serial(() => verifyWal(this.#fs, this.#ctx.dir));
    return problems.map((p) => `${p.file}: ${p.severity} at offset ${p.offset}: ${p.message}`);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#draining || this.#pending.length > 0) await this.#serial(() => Promise.resolve());
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#serial(async () => {
      try {
        if (this.#failure === null && this.#unsyncedBytes > 0) await this.#sync();
      } catch (e) {
        throw ioError("cannot sync the WAL on close", e);
      } finally {
        this.#file.close();
      }
    });
  }

  /** The largest LSN segment `i` may hold, or `null` if it holds no record. */
  #lastLsnBound(i: number): bigint | null {
    const s = this.#segments[i]!;
    if (s.firstLsn === null) return null;
    if (s.lastLsn !== null) return s.lastLsn;
    for (let j = i + 1; j < this.#segments.length; j++) {
      const first = this.#segments[j]!.firstLsn;
      if (first !== null) return first - 1n;
    }
    return this.#nextLsn - 1n;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(fn);
    this.#tail = p.then(() => {}, () => {});
    return p;
  }

  #kick(): void {
    if (this.#draining) return;
    this.#draining = true;
    void this.#serial(() => this.#drain()).finally(() => {
      this.#draining = false;
      if (this.#pending.length > 0) this.#kick();
    });
  }

  /** The group-commit loop: one write and one sync per batch of queued appends. */
  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      if (this.#failure !== null) {
        const err = this.#failStopError();
        for (const p of this.#pending.splice(0)) p.reject(err);
        return;
      }
      let batch: Pending[] = [];
      try {
        let active = this.#segments.at(-1)!;
        const first = this.#pending[0]!;
        if (
          active.firstLsn !== null &&
          active.bytes + first.data.length > this.#opts.segmentBytesMax
        ) {
          await this.#rotate();
          active = this.#segments.at(-1)!;
        }
        const room = this.#opts.segmentBytesMax - active.bytes;
        let n = 1;
        let total = first.data.length;
        while (n < this.#pending.length && total + this.#pending[n]!.data.length <= room) {
          total += this.#pending[n++]!.data.length;
        }
        batch = this.#pending.splice(0, n);
        if (total > 0) {
          const buf = batch.length === 1 ? first.data : concat(batch, total);
          await this.#file.write(buf);
          this.#writes++;
          active.bytes += total;
          this.#unsyncedBytes += total;
          for (const p of batch) {
            if (p.firstLsn === null) continue;
            active.firstLsn ??= p.firstLsn;
            active.lastLsn = p.lsn;
          }
        }
        if (!this.#opts.interval && this.#unsyncedBytes > 0 && batch.some((p) => p.sync)) {
          await this.#sync();
        }
      } catch (e) {
        this.#fail(e);
        const err = ioError("cannot write the WAL", e);
        for (const p of batch) p.reject(err);
        continue;
      }
      const durable = this.#unsyncedBytes === 0;
      for (const p of batch) p.resolve({ lsn: p.lsn, durable });
      if (!durable && this.#opts.interval) this.#armTimer();
    }
  }

  async #sync(): Promise<void> {
    await this.#file.sync();
    this.#fsyncs++;
    this.#unsyncedBytes = 0;
  }

  /** Syncs the current file and moves to a new, empty segment. */
  async #rotate(): Promise<void> {
    if (this.#unsyncedBytes > 0) await this.#sync();
    const seq = this.#segments.at(-1)!.seq + 1;
    const path = `${this.#ctx.dir}/${segmentName(seq)}`;
    const file = await createSegment(this.#fs, path);
    this.#fsyncs++;
    await this.#fs.syncDir(this.#ctx.dir);
    this.#dirSyncs++;
    this.#file.close();
    this.#file = file;
    this.#segments.push({ seq, path, firstLsn: null, lastLsn: null, bytes: walHeaderBytes });
  }

  #armTimer(): void {
    if (this.#timer !== null || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#serial(async () => {
        if (this.#failure !== null || this.#unsyncedBytes === 0) return;
        try {
          await this.#sync();
        } catch (e) {
          this.#fail(e);
        }
      });
    }, this.#opts.syncIntervalMs);
  }

  #fail(e: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = e;
    this.#ctx.log({ event: "wal_failed", dir: this.#ctx.dir, error: (e as Error).message });
  }

  #failStopError(): DbError {
    return new DbError(
      SqlState.ioError,
      "the WAL is unavailable after an earlier I/O error; restart the database",
      { cause: this.#failure },
    );
  }
}

function concat(batch: readonly Pending[], total: number): Uint8Array {
  const buf = new Uint8Array(total);
  let off = 0;
  for (const p of batch) {
    buf.set(p.data, off);
    off += p.data.length;
  }
  return buf;
}

/** Creates a segment file holding only the header, synced (the caller syncs the folder). */
async function createSegment(fs: FileSystem, path: string): Promise<AppendFile> {
  const file = await fs.openAppend(path);
  try {
    await file.write(walMagic);
    await file.sync();
  } catch (e) {
    file.close();
    throw e;
  }
  return file;
}

function resolveOptions(ctx: WalContext): Options {
  const syncIntervalMs = ctx.syncIntervalMs ?? walSyncIntervalMsDefault;
  const segmentBytesMax = ctx.segmentBytesMax ?? walSegmentBytesMaxDefault;
  if (
    !Number.isSafeInteger(syncIntervalMs) || syncIntervalMs < 1 ||
    syncIntervalMs > walSyncIntervalMsMax
  ) {
    throw new DbError(
      SqlState.invalidParameterValue,
      `WAL syncIntervalMs must be an integer from 1 to ${walSyncIntervalMsMax}, got ${syncIntervalMs}`,
    );
  }
  if (!Number.isSafeInteger(segmentBytesMax) || segmentBytesMax < walSegmentBytesMin) {
    throw new DbError(
      SqlState.invalidParameterValue,
      `WAL segmentBytesMax must be an integer of at least ${walSegmentBytesMin}, got ${segmentBytesMax}`,
    );
  }
  const sync = ctx.sync ?? "fsync";
  if (sync !== "fsync" && sync !== "interval") {
    throw new DbError(
      SqlState.invalidParameterValue,
      `WAL sync must be "fsync" or "interval", got "${String(sync)}"`,
    );
  }
  return { interval: sync === "interval", syncIntervalMs, segmentBytesMax };
}

/** Reads an earlier segment's header and first record (checksum checked). */
async function openEarlierSegment(fs: FileSystem, seq: number, path: string): Promise<Segment> {
  const size = (await fs.stat(path))?.size ?? 0;
  const head = (await fs.readRange(path, 0, walHeaderBytes + walRecordHeaderBytes)) ??
    new Uint8Array(0);
  if (checkHeader(head) !== "ok") {
    throw corrupt(path, 0, "not an intact OmenDB WAL segment header (bad magic, version or size)");
  }
  if (size === walHeaderBytes) return { seq, path, firstLsn: null, lastLsn: null, bytes: size };
  const len = head.length < walHeaderBytes + walRecordHeaderBytes
    ? 0
    : new DataView(head.buffer, head.byteOffset).getUint32(walHeaderBytes, true);
  const span = walRecordHeaderBytes + Math.min(len, walRecordPayloadBytesMax + 1);
  const first = (await fs.readRange(path, walHeaderBytes, span)) ?? new Uint8Array(0);
  const bytes = new Uint8Array(walHeaderBytes + first.length);
  bytes.set(head.subarray(0, walHeaderBytes));
  bytes.set(first, walHeaderBytes);
  const r = readRecords(bytes, walHeaderBytes).next();
  if (r.done) {
    throw corrupt(path, walHeaderBytes, describeProblem(r.value.problem ?? "short_header"));
  }
  return { seq, path, firstLsn: r.value.entry.lsn, lastLsn: null, bytes: size };
}

/** Scans a whole segment; `last` allows (and truncates) a torn tail. */
async function scanSegment(
  ctx: WalContext,
  seq: number,
  path: string,
  last: boolean,
): Promise<Segment> {
  const fs = ctx.env.fs;
  const bytes = (await fs.readFile(path)) ?? new Uint8Array(0);
  const header = checkHeader(bytes);
  if (header === "bad" || (header === "torn" && !last)) {
    throw corrupt(path, 0, "not an intact OmenDB WAL segment header (bad magic, version or size)");
  }
  if (header === "torn") {
    ctx.log({
      event: "wal_torn_tail_truncated",
      file: path,
      offset: 0,
      droppedBytes: bytes.length,
    });
    await fs.truncate(path, 0);
    (await createSegment(fs, path)).close();
    return { seq, path, firstLsn: null, lastLsn: null, bytes: walHeaderBytes };
  }
  let firstLsn: bigint | null = null;
  let lastLsn: bigint | null = null;
  const it = readRecords(bytes, walHeaderBytes);
  for (let r = it.next();; r = it.next()) {
    if (!r.done) {
      const { entry, offset } = r.value;
      if (lastLsn !== null && entry.lsn <= lastLsn) {
        throw corrupt(path, offset, `LSN ${entry.lsn} does not follow LSN ${lastLsn}`);
      }
      firstLsn ??= entry.lsn;
      lastLsn = entry.lsn;
      continue;
    }
    const end = r.value;
    if (end.problem === null) break;
    if (!last || !isTornTail(bytes, end)) {
      throw corrupt(path, end.offset, describeProblem(end.problem));
    }
    ctx.log({
      event: "wal_torn_tail_truncated",
      file: path,
      offset: end.offset,
      droppedBytes: bytes.length - end.offset,
    });
    await fs.truncate(path, end.offset);
    return { seq, path, firstLsn, lastLsn, bytes: end.offset };
  }
  return { seq, path, firstLsn, lastLsn, bytes: bytes.length };
}

/** Opens the log in `ctx.dir` (see the module doc for what open checks). */
async function openFileWal(ctx: WalContext): Promise<Wal> {
  const opts = resolveOptions(ctx);
  const fs = ctx.env.fs;
  await fs.mkdirp(ctx.dir);
  const files = await listSegments(fs, ctx.dir);
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1]!;
    if (files[i]!.seq !== prev.seq + 1) {
      throw corrupt(
        `${ctx.dir}/${segmentName(prev.seq + 1)}`,
        0,
        `WAL segment missing between ${prev.path} and ${files[i]!.path}`,
      );
    }
  }
  const segments: Segment[] = [];
  for (const [i, f] of files.entries()) {
    segments.push(
      i === files.length - 1
        ? await scanSegment(ctx, f.seq, f.path, true)
        : await openEarlierSegment(fs, f.seq, f.path),
    );
  }
  if (segments.length === 0) {
    const path = `${ctx.dir}/${segmentName(1)}`;
    (await createSegment(fs, path)).close();
    await fs.syncDir(ctx.dir);
    segments.push({ seq: 1, path, firstLsn: null, lastLsn: null, bytes: walHeaderBytes });
  }
  let prevFirst: bigint | null = null;
  for (const s of segments) {
    if (s.firstLsn === null) continue;
    if (prevFirst !== null && s.firstLsn <= prevFirst) {
      throw corrupt(
        s.path,
        walHeaderBytes,
        `first LSN ${s.firstLsn} is not above the previous file's first LSN ${prevFirst}`,
      );
    }
    prevFirst = s.firstLsn;
  }
  // The last LSN on disk: in the last file with records (scanned whole if it is an earlier one).
  let lastOnDisk = 0n;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    if (s.firstLsn === null) continue;
    if (s.lastLsn === null) segments[i] = await scanSegment(ctx, s.seq, s.path, false);
    lastOnDisk = segments[i]!.lastLsn!;
    break;
  }
  const min = ctx.nextLsnMin ?? 1n;
  const next = lastOnDisk + 1n > min ? lastOnDisk + 1n : min;
  const last = segments.at(-1)!;
  const header = (await fs.readRange(last.path, 0, walHeaderBytes)) ?? walMagic;
  if (checksumOf(header) !== crc32) {
    // an older format version's file is not appended to: new records go to a new file
    const seq = last.seq + 1;
    const path = `${ctx.dir}/${segmentName(seq)}`;
    const file = await createSegment(fs, path);
    await fs.syncDir(ctx.dir);
    segments.push({ seq, path, firstLsn: null, lastLsn: null, bytes: walHeaderBytes });
    return new FileWal(ctx, opts, segments, file, next);
  }
  const file = await fs.openAppend(last.path);
  return new FileWal(ctx, opts, segments, file, next);
}

/**
 * The WAL plugin part (`file`).
 *
 * @example
 * ```ts
 * import { MemoryFileSystem, realEnv } from "../../core/env/mod.ts";
 * import { fileWalPlugin } from "./log_file.ts";
 * const env = { ...realEnv(), fs: new MemoryFileSystem() };
 * const wal = await fileWalPlugin.open({ env, dir: "/w", log: () => {} });
 * const r = await wal.append([{ type: 1, payload: new Uint8Array([7]) }]);
 * console.assert(r.lsn === 1n && r.durable);
 * await wal.close();
 * ```
 */
export const fileWalPlugin: WalPlugin = {
  name: "file",
  open: openFileWal,
};
