/**
 * The bytes of one WAL segment file: an 8-byte header (`OMENWAL` + format version byte), then
 * records `[u32 payload length][u32 checksum of the rest][u8 type][u64 LSN][payload]`,
 * little-endian. Version 2 (written now) checksums with CRC-32 (zlib's, native: about 50 times
 * faster than CRC32C in JavaScript); version 1 files, with CRC32C, are still read and appended
 * to. A record never spans files. This file encodes records, walks them, and decides whether
 * bytes that do not parse are a torn tail (cut short by a crash) or corruption.
 *
 * @module
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import type { WalEntry } from "../../core/plugin/wal.ts";
import { crc32c } from "./crc32c.ts";

/** The format version new segment files get. */
export const walFormatVersion = 2;
/** File magic and format version: the segment header of new files. */
export const walMagic = new TextEncoder().encode("OMENWAL\u0002");
/** The header of version 1 files (CRC32C checksums). */
export const walMagicV1 = new TextEncoder().encode("OMENWAL\u0001");

/** A record checksum over the bytes from the record's type byte to its end. */
export type RecordChecksum = (bytes: Uint8Array) => number;

/** CRC-32 (IEEE), zlib's native implementation: the checksum of version 2. */
export const crc32: RecordChecksum = (bytes) => zlibCrc32(bytes) >>> 0;

/**
 * The record checksum of a segment, from its header's version byte (version 1: CRC32C, else the
 * current one). `header` is the file's first bytes.
 *
 * @example
 * ```ts
 * import { checksumOf, crc32, walMagic } from "./segment_format.ts";
 * console.assert(checksumOf(walMagic) === crc32);
 * ```
 */
export function checksumOf(header: Uint8Array): RecordChecksum {
  return header[walMagic.length - 1] === 1 ? crc32c : crc32;
}
/** Bytes of the segment header. */
export const walHeaderBytes = walMagic.length;
/** Bytes before a record's payload. */
export const walRecordHeaderBytes = 4 + 4 + 1 + 8;
/** Largest payload one record may carry, in bytes. */
export const walRecordPayloadBytesMax = 256 * 1024 * 1024;

/**
 * Encodes one record into `out` at `offset` (or a new array); returns the bytes used.
 *
 * @example
 * ```ts
 * import { encodeRecord, walRecordHeaderBytes } from "./segment_format.ts";
 * const bytes = encodeRecord(1, 7n, new Uint8Array([42]));
 * console.assert(bytes.length === walRecordHeaderBytes + 1);
 * ```
 */
export function encodeRecord(
  type: number,
  lsn: bigint,
  payload: Uint8Array,
  checksum: RecordChecksum = crc32,
): Uint8Array {
  const out = new Uint8Array(walRecordHeaderBytes + payload.length);
  writeRecord(out, 0, type, lsn, payload, checksum);
  return out;
}

/** Writes one record into `out` at `offset`; returns the offset after it. */
export function writeRecord(
  out: Uint8Array,
  offset: number,
  type: number,
  lsn: bigint,
  payload: Uint8Array,
  checksum: RecordChecksum = crc32,
): number {
  const view = new DataView(out.buffer, out.byteOffset + offset, walRecordHeaderBytes);
  view.setUint32(0, payload.length, true);
  out[offset + 8] = type;
  view.setBigUint64(9, lsn, true);
  const end = offset + walRecordHeaderBytes + payload.length;
  out.set(payload, offset + walRecordHeaderBytes);
  view.setUint32(4, checksum(out.subarray(offset + 8, end)), true);
  return end;
}

/** A record found in a segment, with where it starts. */
export interface RecordAt {
  readonly entry: WalEntry;
  /** Byte offset of the record in its file. */
  readonly offset: number;
}

/** Why a walk over a segment's records stopped before the end of its bytes. */
export type RecordProblem =
  | "short_header" // fewer bytes than a record header remain
  | "short_payload" // the length runs past the end of the bytes
  | "too_long" // the length is above walRecordPayloadBytesMax
  | "checksum"; // the checksum does not match

/** Where a walk over a segment's records stopped. */
export interface RecordsEnd {
  /** Offset just after the last intact record. */
  readonly offset: number;
  /** Why it stopped early, or `null` at the end of the bytes. */
  readonly problem: RecordProblem | null;
  /** End of the bad record, when its length could be read (checksum failures). */
  readonly badEnd: number | null;
}

/**
 * Walks the records of a segment's bytes from `offset` (after the header), yielding each intact
 * one (payloads are copies) and returning where and why it stopped. `bytes` starts with the
 * file's header, whose version picks the checksum.
 *
 * @example
 * ```ts
 * import { encodeRecord, readRecords, walMagic } from "./segment_format.ts";
 * const file = new Uint8Array([...walMagic, ...encodeRecord(1, 5n, new Uint8Array([9]))]);
 * const it = readRecords(file, walMagic.length);
 * const first = it.next();
 * console.assert(!first.done && first.value.entry.lsn === 5n);
 * const end = it.next();
 * console.assert(end.done && end.value.problem === null);
 * ```
 */
export function* readRecords(
  bytes: Uint8Array,
  offset: number,
): Generator<RecordAt, RecordsEnd, void> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const checksum = checksumOf(bytes);
  let off = offset;
  while (off < bytes.length) {
    if (off + walRecordHeaderBytes > bytes.length) {
      return { offset: off, problem: "short_header", badEnd: null };
    }
    const len = view.getUint32(off, true);
    if (len > walRecordPayloadBytesMax) return { offset: off, problem: "too_long", badEnd: null };
    const end = off + walRecordHeaderBytes + len;
    if (end > bytes.length) return { offset: off, problem: "short_payload", badEnd: null };
    if (checksum(bytes.subarray(off + 8, end)) !== view.getUint32(off + 4, true)) {
      return { offset: off, problem: "checksum", badEnd: end };
    }
    yield {
      offset: off,
      entry: {
        type: bytes[off + 8]!,
        lsn: view.getBigUint64(off + 9, true),
        payload: bytes.slice(off + walRecordHeaderBytes, end),
      },
    };
    off = end;
  }
  return { offset: off, problem: null, badEnd: null };
}

/**
 * Whether a walk that stopped at `end` over the LAST segment's bytes stopped at a torn tail: a
 * record cut short by the end of the file, a checksum failure in the very last record, or a
 * tail of zero bytes (blocks the file system allocated but never wrote). Anything else is
 * corruption. A torn tail is only allowed in the last segment.
 */
export function isTornTail(bytes: Uint8Array, end: RecordsEnd): boolean {
  switch (end.problem) {
    case null:
      return false;
    case "short_header":
    case "short_payload":
      return true;
    case "checksum":
      return end.badEnd === bytes.length || allZero(bytes, end.offset);
    case "too_long":
      return allZero(bytes, end.offset);
    default: {
      const never: never = end.problem;
      throw new Error(`unknown record problem ${never}`);
    }
  }
}

function allZero(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Describes why a walk stopped, for error messages. */
export function describeProblem(problem: RecordProblem): string {
  switch (problem) {
    case "short_header":
      return "record header cut short by the end of the file";
    case "short_payload":
      return "record payload cut short by the end of the file";
    case "too_long":
      return `record length above ${walRecordPayloadBytesMax} bytes`;
    case "checksum":
      return "checksum mismatch in WAL record";
    default: {
      const never: never = problem;
      throw new Error(`unknown record problem ${never}`);
    }
  }
}

/** What a segment's first bytes say. */
export type HeaderState = "ok" | "torn" | "bad";

/**
 * Checks a segment's header: `ok`, `torn` (shorter than a header but a prefix of it; only
 * allowed in the last segment) or `bad`.
 */
export function checkHeader(bytes: Uint8Array): HeaderState {
  const n = Math.min(bytes.length, walHeaderBytes);
  const magic = bytes[walHeaderBytes - 1] === 1 ? walMagicV1 : walMagic;
  for (let i = 0; i < n; i++) if (bytes[i] !== magic[i]) return "bad";
  return n < walHeaderBytes ? "torn" : "ok";
}

/** Digits in a segment file's sequence number. */
export const walSegmentSeqDigits = 16;
const segmentNamePattern = /^(\d{16})\.wal$/;

/**
 * The file name of segment `seq`: `0000000000000001.wal`.
 *
 * @example
 * ```ts
 * import { parseSegmentName, segmentName } from "./segment_format.ts";
 * console.assert(segmentName(12) === "0000000000000012.wal");
 * console.assert(parseSegmentName("0000000000000012.wal") === 12);
 * ```
 */
export function segmentName(seq: number): string {
  return `${String(seq).padStart(walSegmentSeqDigits, "0")}.wal`;
}

/** The sequence number of a segment file name, or `null` if it is not one. */
export function parseSegmentName(name: string): number | null {
  const m = segmentNamePattern.exec(name);
  if (!m) return null;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/** A segment file found in the WAL folder. */
export interface SegmentFile {
  readonly seq: number;
  readonly path: string;
}

/** The segment files in `dir`, oldest first; other names are ignored. */
export async function listSegments(
  fs: { readDir(path: string): Promise<string[]> },
  dir: string,
): Promise<SegmentFile[]> {
  const out: SegmentFile[] = [];
  for (const name of await fs.readDir(dir)) {
    const seq = parseSegmentName(name);
    if (seq !== null) out.push({ seq, path: `${dir}/${name}` });
  }
  return out.sort((a, b) => a.seq - b.seq);
}
