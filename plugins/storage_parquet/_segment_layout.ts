/**
 * The byte layout of a segment file, and its integrity checks. A segment is a plain Parquet file
 * with one addition, a 16-byte **trailer** between the last column chunk and the Parquet footer:
 *
 * ```
 * "PAR1" | column chunks ... | trailer (16 B) | footer (Thrift) | footer length (u32 LE) | "PAR1"
 * trailer = "OMDBSEG1" | crc32(bytes 0 .. trailer start) u32 LE | crc32(footer + its length) u32 LE
 * ```
 *
 * Parquet readers find column chunks by the offsets in the footer, so bytes between the last
 * chunk and the footer are invisible to them (DuckDB reads the files unchanged). The checksums let
 * a reader reject a torn or bit-flipped file with a DbError before any decoder sees it: a corrupt
 * footer can otherwise parse into wrong statistics, and a corrupt page could make the WebAssembly
 * decoder trap. CRC-32 is `node:zlib`'s native one (about 20 GB/s here).
 *
 * @module
 */
import zlib from "node:zlib";
import { DbError, SqlState } from "../../core/errors.ts";

/** Parquet's magic, at both ends of the file. */
const parquetMagic = new TextEncoder().encode("PAR1");
/** The trailer's magic, which also names the trailer's layout version. */
const trailerMagic = new TextEncoder().encode("OMDBSEG1");
/** Bytes of the trailer. */
export const segmentTrailerBytes = 16;
/** Smallest possible segment: both magics, the trailer and the footer length. */
const segmentBytesMin = 4 + segmentTrailerBytes + 4 + 4;

/** Where the parts of a checked segment are. */
export interface SegmentLayout {
  /** Offset of the trailer (= end of the column chunks). */
  readonly trailerStart: number;
  /** Offset of the Thrift footer. */
  readonly footerStart: number;
  /** Bytes of the Thrift footer. */
  readonly footerBytes: number;
}

function corrupted(why: string): DbError {
  return new DbError(SqlState.dataCorrupted, `Cannot read Parquet segment: ${why}`);
}

function startsWith(bytes: Uint8Array, at: number, magic: Uint8Array): boolean {
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
}

/** Inserts the trailer into a Parquet file as a writer produced it; returns the segment bytes. */
export function addSegmentTrailer(parquet: Uint8Array): Uint8Array {
  const n = parquet.length;
  const footerBytes = u32(parquet, n - 8);
  const footerStart = n - 8 - footerBytes;
  const out = new Uint8Array(n + segmentTrailerBytes);
  out.set(parquet.subarray(0, footerStart), 0);
  out.set(parquet.subarray(footerStart), footerStart + segmentTrailerBytes);
  out.set(trailerMagic, footerStart);
  const view = new DataView(out.buffer, out.byteOffset + footerStart + 8, 8);
  view.setUint32(0, zlib.crc32(out.subarray(0, footerStart)), true);
  view.setUint32(4, zlib.crc32(parquet.subarray(footerStart, n - 4)), true);
  return out;
}

/**
 * Checks the magics, the footer length and the footer checksum; throws a DbError `XX001`
 * (data corrupted) naming what is wrong. Does not read the column chunks.
 */
export function checkSegmentLayout(bytes: Uint8Array): SegmentLayout {
  const n = bytes.length;
  if (n < segmentBytesMin) throw corrupted(`${n} bytes is too short for a segment`);
  if (!startsWith(bytes, 0, parquetMagic) || !startsWith(bytes, n - 4, parquetMagic)) {
    throw corrupted("no PAR1 magic at both ends (not a Parquet file, or truncated)");
  }
  const footerBytes = u32(bytes, n - 8);
  const footerStart = n - 8 - footerBytes;
  const trailerStart = footerStart - segmentTrailerBytes;
  if (footerBytes > n - segmentBytesMin || trailerStart < 4) {
    throw corrupted(`footer length ${footerBytes} does not fit in ${n} bytes`);
  }
  if (!startsWith(bytes, trailerStart, trailerMagic)) {
    throw corrupted("no OMDBSEG1 trailer before the footer (not an OmenDB segment, or damaged)");
  }
  if (u32(bytes, trailerStart + 12) !== zlib.crc32(bytes.subarray(footerStart, n - 4))) {
    throw corrupted("footer checksum mismatch");
  }
  return { trailerStart, footerStart, footerBytes };
}

/** Checks the checksum of the column chunks; throws a DbError `XX001` on a mismatch. */
export function checkSegmentData(bytes: Uint8Array, layout: SegmentLayout): void {
  const want = u32(bytes, layout.trailerStart + 8);
  if (want !== zlib.crc32(bytes.subarray(0, layout.trailerStart))) {
    throw corrupted("column data checksum mismatch");
  }
}
