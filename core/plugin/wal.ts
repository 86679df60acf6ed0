import type { Env } from "../env/mod.ts";

/** One record in the write-ahead log. */
export interface WalRecord {
  /** Record type, 0-255; the engine defines the meanings (DDL, rows, commit, ...). */
  readonly type: number;
  readonly payload: Uint8Array;
}

/** A record read back, with its log sequence number. */
export interface WalEntry extends WalRecord {
  readonly lsn: bigint;
}

/** What {@link Wal.append} achieved. */
export interface WalAppendResult {
  /** LSN of the last record appended. */
  readonly lsn: bigint;
  /**
   * `true`: the records are on stable storage (fdatasync returned). `false` (only under
   * `sync: "interval"`): the OS has them, a crash of the machine within the sync interval may
   * lose them, a crash of the process alone does not.
   */
  readonly durable: boolean;
}

/** Counters of an open log, for tests, metrics and benchmarks. */
export interface WalStats {
  /** `append` calls accepted. */
  readonly appends: number;
  /** Records accepted. */
  readonly records: number;
  /** Writes to segment files (one per group-commit batch). */
  readonly writes: number;
  /** Data syncs (fdatasync) of segment files. */
  readonly fsyncs: number;
  /** Syncs of the log's folder (after creating or deleting a segment). */
  readonly dirSyncs: number;
  /** Segment files now. */
  readonly files: number;
  /** Bytes in those files, headers included. */
  readonly bytes: number;
  /** The LSN of the last record accepted (see {@link Wal.lastLsn}). */
  readonly lastLsn: bigint;
}

/** Options of one {@link Wal.append}. */
export interface WalAppendOptions {
  /**
   * `false`: resolve once the OS has the bytes, without an fdatasync (a later synced append or
   * the interval timer makes them durable). For records that a commit record will follow.
   * Default `true`.
   */
  readonly sync?: boolean;
}

/**
 * An open write-ahead log. LSNs are given in the order of `append` calls and only grow, across
 * restarts and truncations too (see {@link WalContext.nextLsnMin}).
 *
 * After a failed write or sync the log refuses every further append (fail-stop, SQLSTATE 58030):
 * the file's tail is then unknown, and only a reopen (which checks it) may continue.
 */
export interface Wal {
  /**
   * Appends records; resolves with the LSN of the last one once they are durable (or written,
   * under `sync = "interval"`; `durable` says which). Concurrent calls share one write and one
   * sync (group commit). An empty list resolves once everything appended before it has.
   */
  append(records: readonly WalRecord[], options?: WalAppendOptions): Promise<WalAppendResult>;
  /**
   * Every intact record with an LSN greater than `afterLsn`, in order, read one segment file at
   * a time. Corruption found on the way (it was not checked at open for all but the last file)
   * throws XX001 naming the file and byte offset.
   */
  replay(afterLsn: bigint): AsyncIterable<WalEntry>;
  /**
   * Deletes the segment files all of whose records have LSN <= `lsn` (a checkpoint covers them);
   * if the file being written is entirely covered, the log first moves to a fresh one. Files are
   * deleted whole, never rewritten, and the folder is synced afterwards.
   */
  truncateThrough(lsn: bigint): Promise<void>;
  /**
   * The LSN of the last record accepted (given out by `append`, durable or not yet); before any
   * append, the last LSN on disk, or `nextLsnMin - 1` if that is larger.
   */
  lastLsn(): bigint;
  /** Counters since open. */
  stats(): WalStats;
  /** Waits for queued appends, syncs what is unsynced, stops timers, closes the file. */
  close(): Promise<void>;
  /**
   * Checks the log's files without changing anything; one line per problem found (empty =
   * intact). Optional: a log without an offline check leaves it out.
   */
  verify?(): Promise<string[]>;
}

/** What a WAL plugin gets when it opens. */
export interface WalContext {
  readonly env: Env;
  /** The folder for the log's files. */
  readonly dir: string;
  /** Log a notable event (e.g. a truncated torn tail). */
  readonly log: (event: Record<string, unknown>) => void;
  /**
   * When `append` resolves: `"fsync"` (the default) after fdatasync; `"interval"` after the OS
   * write, with an fdatasync every `syncIntervalMs` and on close.
   */
  readonly sync?: "fsync" | "interval";
  /** Under `sync: "interval"`, milliseconds between syncs (default 100). */
  readonly syncIntervalMs?: number;
  /** Bytes after which the log moves to a new segment file (default 64 MiB). */
  readonly segmentBytesMax?: number;
  /**
   * The smallest LSN the next record may get: after a checkpoint truncated every file, the
   * engine passes its checkpoint LSN + 1 so that LSNs keep growing.
   */
  readonly nextLsnMin?: bigint;
}

/** Opens write-ahead logs. */
export interface WalPlugin {
  readonly name: string;
  open(context: WalContext): Promise<Wal>;
}
