import type { Env } from "../env/mod.ts";

/** One record in the write-ahead log. */
export interface WalRecord {
  /** Record type; the engine defines the meanings (DDL, rows, commit, ...). */
  readonly type: number;
  readonly payload: Uint8Array;
}

/** A record read back, with its log sequence number. */
export interface WalEntry extends WalRecord {
  readonly lsn: bigint;
}

/** An open write-ahead log. */
export interface Wal {
  /**
   * Appends records; resolves with the LSN of the last one once they are durable (or written,
   * under `sync = "interval"`; `durable` says which).
   */
  append(records: readonly WalRecord[]): Promise<{ lsn: bigint; durable: boolean }>;
  /** Every intact record with an LSN greater than `afterLsn`, in order. */
  replay(afterLsn: bigint): AsyncIterable<WalEntry>;
  /** Drops the records with LSN <= `lsn` (a checkpoint made them redundant). */
  truncateThrough?(lsn: bigint): Promise<void>;
  close(): Promise<void>;
}

/** What a WAL plugin gets when it opens. */
export interface WalContext {
  readonly env: Env;
  /** The folder for the log's files. */
  readonly dir: string;
  /** Log a notable event (e.g. a truncated torn tail). */
  readonly log: (event: Record<string, unknown>) => void;
  /** The next LSN is at least this (the checkpoint LSN + 1 when every file was truncated). */
  readonly nextLsnMin?: bigint;
}

/** Opens write-ahead logs. */
export interface WalPlugin {
  readonly name: string;
  open(context: WalContext): Promise<Wal>;
}
