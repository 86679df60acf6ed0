/**
 * The RMI's byte format: what `serialize()` writes beside a segment and `deserialize()` checks
 * before it trusts a single number. All numbers are little-endian.
 *
 * | offset      | size        | field                                                      |
 * | ----------- | ----------- | ---------------------------------------------------------- |
 * | 0           | 7           | magic `OMENRMI` (ASCII)                                    |
 * | 7           | 1           | format version ({@link rmiFormatVersion})                  |
 * | 8           | 4           | key count n (u32, at most {@link rmiKeyCountMax})          |
 * | 12          | 4           | leaf count L (u32, 1 to {@link rmiLeafCountMax})           |
 * | 16          | 8 + 8       | smallest and largest key (f64)                             |
 * | 32          | 8 + 8       | stage-1 slope and intercept (f64)                          |
 * | 48          | 24 L        | per leaf: slope, origin key offset, origin position (f64)  |
 * | 48 + 24 L   | 16 L        | per leaf: start, end, errLo, errHi (i32)                   |
 * | 48 + 40 L   | 4           | CRC32C (Castagnoli) of every byte before it (u32)          |
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import { crc32c } from "../wal/crc32c.ts";

/** The magic bytes at the start of a serialized RMI: ASCII `OMENRMI`. */
export const rmiMagic: Uint8Array = new TextEncoder().encode("OMENRMI");
/** The format version this code writes and reads. */
export const rmiFormatVersion = 1;
/** Most keys one index covers, in keys: positions are stored as signed 32-bit integers. */
export const rmiKeyCountMax = 0x7fff_ffff;
/** Most stage-2 models (leaves) one index holds, in leaves (at 40 bytes each: 40 MiB). */
export const rmiLeafCountMax = 1 << 20;

/** Bytes before the per-leaf arrays. */
const headerBytes = 48;
/** Bytes per leaf: three f64 and four i32. */
const leafBytes = 40;
/** Bytes of the trailing CRC32C. */
const crcBytes = 4;

/**
 * The parameters of a two-stage RMI, as typed arrays (no object per leaf). Positions are row
 * numbers in the segment; key offsets are `key - keyMin`.
 */
export interface RmiModel {
  /** Keys the index was built over (n). */
  readonly keyCount: number;
  /** Stage-2 models (L). */
  readonly leafCount: number;
  /** Smallest key (0 when n = 0). */
  readonly keyMin: number;
  /** Largest key (0 when n = 0). */
  readonly keyMax: number;
  /** Stage 1: leaf = floor(rootSlope * (key - keyMin) / (keyMax - keyMin) + rootIntercept). */
  readonly rootSlope: number;
  /** See {@link RmiModel.rootSlope}. */
  readonly rootIntercept: number;
  /**
   * Three per leaf: slope (positions per key unit), origin (the key offset of the leaf's first
   * key, in `[0, keyMax - keyMin]`) and the position the model predicts at the origin.
   */
  readonly leafModels: Float64Array;
  /** Four per leaf: start, end (positions routed there are `[start, end)`), errLo, errHi. */
  readonly leafBounds: Int32Array;
}

/** Bytes of a serialized model with `leafCount` leaves. */
export function rmiEncodedBytes(leafCount: number): number {
  return headerBytes + leafBytes * leafCount + crcBytes;
}

/**
 * Writes a model in the format above.
 *
 * @example
 * ```ts
 * import { decodeRmi, encodeRmi } from "./format.ts";
 * import { buildRmi } from "./rmi.ts";
 * const model = buildRmi(Float64Array.of(1, 2, 3)).model;
 * console.assert(decodeRmi(encodeRmi(model)).keyCount === 3);
 * ```
 */
export function encodeRmi(model: RmiModel): Uint8Array {
  const leaves = model.leafCount;
  const bytes = new Uint8Array(rmiEncodedBytes(leaves));
  const view = new DataView(bytes.buffer);
  bytes.set(rmiMagic, 0);
  bytes[rmiMagic.length] = rmiFormatVersion;
  view.setUint32(8, model.keyCount, true);
  view.setUint32(12, leaves, true);
  view.setFloat64(16, model.keyMin, true);
  view.setFloat64(24, model.keyMax, true);
  view.setFloat64(32, model.rootSlope, true);
  view.setFloat64(40, model.rootIntercept, true);
  let at = headerBytes;
  for (let i = 0; i < 3 * leaves; i++, at += 8) view.setFloat64(at, model.leafModels[i]!, true);
  for (let i = 0; i < 4 * leaves; i++, at += 4) view.setInt32(at, model.leafBounds[i]!, true);
  view.setUint32(at, crc32c(bytes.subarray(0, at)), true);
  return bytes;
}

function corrupted(what: string): DbError {
  return new DbError(SqlState.dataCorrupted, `Cannot load RMI index: ${what}`);
}

/**
 * Reads a model written by {@link encodeRmi}. Checks the magic, version, length, checksum and
 * every parameter (finite, non-negative slopes, leaf ranges that tile `[0, n)`, error bounds
 * within their leaf), so that a loaded model can never index outside its segment. Throws a
 * `DbError` with SQLSTATE `XX001` (data corrupted) on anything else.
 *
 * @example
 * ```ts
 * import { DbError } from "../../core/errors.ts";
 * import { decodeRmi } from "./format.ts";
 * try {
 *   decodeRmi(new Uint8Array(8));
 *   console.assert(false);
 * } catch (e) {
 *   console.assert(e instanceof DbError && e.code === "XX001");
 * }
 * ```
 */
export function decodeRmi(bytes: Uint8Array): RmiModel {
  if (bytes.length < headerBytes + crcBytes) {
    throw corrupted(`${bytes.length} bytes is shorter than the ${headerBytes}-byte header`);
  }
  for (let i = 0; i < rmiMagic.length; i++) {
    if (bytes[i] !== rmiMagic[i]) throw corrupted("bad magic bytes (expected OMENRMI)");
  }
  const version = bytes[rmiMagic.length]!;
  if (version !== rmiFormatVersion) {
    throw corrupted(`format version ${version} is not the supported ${rmiFormatVersion}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const keyCount = view.getUint32(8, true);
  const leafCount = view.getUint32(12, true);
  if (keyCount > rmiKeyCountMax) throw corrupted(`key count ${keyCount} exceeds ${rmiKeyCountMax}`);
  if (leafCount < 1 || leafCount > rmiLeafCountMax) {
    throw corrupted(`leaf count ${leafCount} is outside [1, ${rmiLeafCountMax}]`);
  }
  const expected = rmiEncodedBytes(leafCount);
  if (bytes.length !== expected) {
    throw corrupted(`length ${bytes.length} bytes, expected ${expected} for ${leafCount} leaves`);
  }
  const crcAt = expected - crcBytes;
  if (view.getUint32(crcAt, true) !== crc32c(bytes.subarray(0, crcAt))) {
    throw corrupted("checksum mismatch");
  }
  const keyMin = view.getFloat64(16, true);
  const keyMax = view.getFloat64(24, true);
  const rootSlope = view.getFloat64(32, true);
  const rootIntercept = view.getFloat64(40, true);
  if (!(Number.isFinite(keyMax - keyMin) && keyMin <= keyMax)) {
    throw corrupted(`key range [${keyMin}, ${keyMax}] is not finite and ordered`);
  }
  if (!(Number.isFinite(rootSlope) && rootSlope >= 0 && Number.isFinite(rootIntercept))) {
    throw corrupted("stage-1 model is not finite and non-decreasing");
  }
  const leafModels = new Float64Array(3 * leafCount);
  const leafBounds = new Int32Array(4 * leafCount);
  let at = headerBytes;
  for (let i = 0; i < leafModels.length; i++, at += 8) {
    const v = view.getFloat64(at, true);
    const ok = i % 3 === 0 ? v >= 0 : i % 3 === 1 ? v >= 0 && v <= keyMax - keyMin : true;
    if (!Number.isFinite(v) || !ok) {
      throw corrupted(`leaf ${Math.floor(i / 3)} model is not finite, non-decreasing and in range`);
    }
    leafModels[i] = v;
  }
  for (let i = 0; i < leafBounds.length; i++, at += 4) leafBounds[i] = view.getInt32(at, true);
  let expectedStart = 0;
  for (let j = 0; j < leafCount; j++) {
    const start = leafBounds[4 * j]!;
    const end = leafBounds[4 * j + 1]!;
    const errLo = leafBounds[4 * j + 2]!;
    const errHi = leafBounds[4 * j + 3]!;
    const width = end - start;
    if (start !== expectedStart || width < 0) {
      throw corrupted(`leaf ${j} range [${start}, ${end}) does not follow the previous leaf`);
    }
    if (errLo > errHi || errLo < -width || errHi > width) {
      throw corrupted(`leaf ${j} error bounds [${errLo}, ${errHi}] exceed its ${width} keys`);
    }
    expectedStart = end;
  }
  if (expectedStart !== keyCount) {
    throw corrupted(`leaves cover ${expectedStart} keys, the header says ${keyCount}`);
  }
  return { keyCount, leafCount, keyMin, keyMax, rootSlope, rootIntercept, leafModels, leafBounds };
}
