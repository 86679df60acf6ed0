/**
 * A write-ahead log in one file of records:
 * `[u32 payload length][u32 CRC32C of the rest][u8 type][u64 LSN][payload]`, little-endian,
 * after an 8-byte header (`OMENWAL` + format version). Each append is fsynced before it is
 * acknowledged. A torn tail (a last record cut short or failing its checksum) is truncated and
 * logged; a bad record before the tail stops the open with an error naming file and offset.
 *
 * Walking-skeleton scope: one file, no rotation, no group commit (the storage issue adds them).
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { AppendFile } from "../../core/env/fs.ts";
import type { Wal, WalContext, WalEntry, WalPlugin, WalRecord } from "../../core/plugin/wal.ts";
import { crc32c } from "./crc32c.ts";

/** File magic and version. */
export const walMagic = new TextEncoder().encode("OMENWAL\u0001");
/** Bytes before a record's payload. */
export const walRecordHeaderBytes = 4 + 4 + 1 + 8;
/** Largest payload one record may carry, in bytes. */
export const walRecordPayloadBytesMax = 256 * 1024 * 1024;

const fileName = "0000000000000001.wal";

/** Encodes one record. */
export function encodeRecord(type: number, lsn: bigint, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(walRecordHeaderBytes + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  out[8] = type;
  view.setBigUint64(9, lsn, true);
  out.set(payload, walRecordHeaderBytes);
  view.setUint32(4, crc32c(out.subarray(8)), true);
  return out;
}

/** The result of scanning a log file's bytes. */
export interface ScanResult {
  readonly entries: WalEntry[];
  /** Bytes of intact records (including the header). */
  readonly validBytes: number;
  /** Whether a torn tail follows the intact records. */
  readonly tornTail: boolean;
}

/** Parses a whole log file; throws XX001 on corruption before the tail. */
export function scanLog(bytes: Uint8Array, path: string): ScanResult {
  if (bytes.length === 0) return { entries: [], validBytes: 0, tornTail: false };
  if (bytes.length < walMagic.length || !walMagic.every((b, i) => bytes[i] === b)) {
    if (
      bytes.length < walMagic.length &&
      walMagic.subarray(0, bytes.length).every((b, i) => bytes[i] === b)
    ) {
      return { entries: [], validBytes: 0, tornTail: true };
    }
    throw new DbError(
      SqlState.dataCorrupted,
      `${path}: not an OmenDB WAL file (bad magic bytes or version)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: WalEntry[] = [];
  let off = walMagic.length;
  while (off < bytes.length) {
    if (off + walRecordHeaderBytes > bytes.length) {
      return { entries, validBytes: off, tornTail: true };
    }
    const len = view.getUint32(off, true);
    const end = off + walRecordHeaderBytes + len;
    if (len > walRecordPayloadBytesMax || end > bytes.length) {
      return { entries, validBytes: off, tornTail: true };
    }
    const crc = view.getUint32(off + 4, true);
    if (crc32c(bytes.subarray(off + 8, end)) !== crc) {
      if (end === bytes.length) return { entries, validBytes: off, tornTail: true };
      throw new DbError(
        SqlState.dataCorrupted,
        `${path}: checksum mismatch in WAL record at offset ${off}`,
        {
          hint: "the log is damaged before its end; restore from a backup",
        },
      );
    }
    entries.push({
      type: bytes[off + 8]!,
      lsn: view.getBigUint64(off + 9, true),
      payload: bytes.slice(off + walRecordHeaderBytes, end),
    });
    off = end;
  }
  return { entries, validBytes: off, tornTail: false };
}

class FileWal implements Wal {
  #nextLsn: bigint;
  /** Set after a failed write or sync: the file's tail is unknown, so no more appends (fail-stop). */
  #failure: unknown = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: AppendFile,
    readonly entries: WalEntry[],
  ) {
    this.#nextLsn = (entries.at(-1)?.lsn ?? 0n) + 1n;
  }

  append(records: readonly WalRecord[]): Promise<{ lsn: bigint; durable: boolean }> {
    const run = async () => {
      if (this.#failure !== null) {
        throw new DbError(
          SqlState.ioError,
          "the WAL is unavailable after an earlier I/O error; restart the database",
          {
            cause: this.#failure,
          },
        );
      }
      const parts: Uint8Array[] = [];
      let lsn = this.#nextLsn - 1n;
      for (const r of records) {
        if (r.payload.length > walRecordPayloadBytesMax) {
          throw new DbError(
            SqlState.programLimitExceeded,
            `WAL record larger than ${walRecordPayloadBytesMax} bytes`,
          );
        }
        lsn = this.#nextLsn++;
        parts.push(encodeRecord(r.type, lsn, r.payload));
      }
      const total = parts.reduce((s, p) => s + p.length, 0);
      const buf = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        buf.set(p, off);
        off += p.length;
      }
      try {
        await this.file.write(buf);
        await this.file.sync();
      } catch (e) {
        this.#failure = e;
        throw new DbError(SqlState.ioError, `cannot write the WAL: ${(e as Error).message}`, {
          cause: e,
        });
      }
      return { lsn, durable: true };
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => {});
    return p;
  }

  async *replay(afterLsn: bigint): AsyncGenerator<WalEntry> {
    for (const e of this.entries) if (e.lsn > afterLsn) yield e;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    this.file.close();
  }
}

/** The WAL plugin part (`file`). */
export const fileWalPlugin: WalPlugin = {
  name: "file",
  async open(ctx: WalContext): Promise<Wal> {
    await ctx.env.fs.mkdirp(ctx.dir);
    const path = `${ctx.dir}/${fileName}`;
    const bytes = (await ctx.env.fs.readFile(path)) ?? new Uint8Array(0);
    const scan = scanLog(bytes, path);
    if (scan.tornTail || bytes.length === 0) {
      const keep = scan.validBytes === 0 ? walMagic : bytes.subarray(0, scan.validBytes);
      if (scan.tornTail) {
        ctx.log({
          event: "wal_torn_tail_truncated",
          file: path,
          offset: scan.validBytes,
          droppedBytes: bytes.length - scan.validBytes,
        });
      }
      await ctx.env.fs.writeFileAtomic(path, keep);
    }
    const file = await ctx.env.fs.openAppend(path);
    return new FileWal(file, scan.entries);
  },
};
