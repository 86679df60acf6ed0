/**
 * A growable byte buffer for binary encoders (WAL row batches, Parquet pages and footers):
 * little-endian integers, LEB128 varints, raw bytes and padding, doubling its capacity as needed.
 *
 * @example
 * ```ts
 * import { ByteWriter } from "./byte_writer.ts";
 * const w = new ByteWriter(2);
 * w.u32(1);
 * w.varint(300);
 * console.assert(w.len === 6 && w.view()[4] === 0xac && w.view()[5] === 0x02);
 * ```
 *
 * @module
 */

/** Bytes written so far are `buf[0, len)`. */
export class ByteWriter {
  buf: Uint8Array;
  len = 0;

  /** @param capacity initial capacity in bytes */
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(1, Math.ceil(capacity)));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  /** Little-endian. */
  u16(v: number): void {
    this.ensure(2);
    this.buf[this.len++] = v & 0xff;
    this.buf[this.len++] = (v >>> 8) & 0xff;
  }

  /** Little-endian. */
  u32(v: number): void {
    this.ensure(4);
    for (let k = 0; k < 4; k++) this.buf[this.len++] = (v >>> (8 * k)) & 0xff;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** An unsigned LEB128 varint (up to 2^53). */
  varint(v: number): void {
    while (v >= 0x80) {
      this.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.u8(v);
  }

  /** An unsigned LEB128 varint of a bigint. */
  varbig(v: bigint): void {
    while (v >= 0x80n) {
      this.u8(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.u8(Number(v));
  }

  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): void {
    const n = (align - (this.len % align)) % align;
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  /** The bytes written, without copying. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
