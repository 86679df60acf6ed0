/**
 * PostgreSQL protocol v3 framing: a reader that cuts the byte stream into messages (with a
 * bounded buffer and a limit on message length), a cursor over one message's fields, and a
 * writer that builds backend messages into one growing buffer (so a whole response up to
 * ReadyForQuery goes out in one write).
 *
 * @example
 * ```ts
 * import { MessageReader, MessageWriter } from "./protocol.ts";
 * const w = new MessageWriter();
 * w.begin(0x51).cstring("SELECT 1").end(); // a Query message, as a client sends it
 * const r = new MessageReader({ messageBytesMax: 1024 });
 * r.push(w.take());
 * const m = await r.next();
 * console.assert(m !== null && m.type === 0x51 && m.body.cstring() === "SELECT 1");
 * ```
 *
 * @module
 */
import { smallCopy } from "../../core/types/small_arrays.ts";
import { DbError } from "../../core/errors.ts";

/** SQLSTATE 08P01. */
export const protocolViolation = "08P01";

/** A malformed message: the connection answers with an error and closes. */
export class ProtocolError extends DbError {
  /** `message` says what was wrong. */
  constructor(message: string) {
    super(protocolViolation, message);
    this.name = "ProtocolError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Strings of at most this many bytes (or characters) skip the text codec when all ASCII. */
const asciiFastBytesMax = 64;

/**
 * Writes `s` as UTF-8 at `at` (room for 3 bytes a character is there); returns the bytes
 * written. Short ASCII strings are copied by hand: a codec call costs more than the copy.
 */
function writeUtf8(s: string, buf: Uint8Array, at: number): number {
  const n = s.length;
  if (n <= asciiFastBytesMax) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[at + i] = c;
    }
    if (i === n) return n;
  }
  return encoder.encodeInto(s, buf.subarray(at)).written;
}

/** A cursor over one message's body. Reading past the end is a {@link ProtocolError}. */
export class MessageBody {
  #at = 0;
  /** `bytes`: the body without type and length. */
  constructor(readonly bytes: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  #need(n: number): void {
    if (n < 0 || this.#at + n > this.bytes.length) {
      throw new ProtocolError("invalid message format");
    }
  }

  /** One unsigned byte. */
  byte(): number {
    this.#need(1);
    return this.bytes[this.#at++]!;
  }

  /** A big-endian signed 16-bit integer. */
  int16(): number {
    this.#need(2);
    const b = this.bytes, i = this.#at;
    this.#at += 2;
    return ((b[i]! << 24) | (b[i + 1]! << 16)) >> 16;
  }

  /** A big-endian signed 32-bit integer. */
  int32(): number {
    this.#need(4);
    const b = this.bytes, i = this.#at;
    this.#at += 4;
    return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }

  /** `n` raw bytes (a view, not a copy). */
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.bytes.indexOf(0, this.#at);
    if (end < 0) throw new ProtocolError("invalid string in message");
    const s = utf8(this.bytes.subarray(this.#at, end));
    this.#at = end + 1;
    return s;
  }

  /** Throws unless every byte was read. */
  done(): void {
    if (this.#at !== this.bytes.length) throw new ProtocolError("invalid message format");
  }
}

/** Decodes UTF-8 strictly: invalid bytes are 22021, as in PostgreSQL. */
export function utf8(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n <= asciiFastBytesMax) {
    // short ASCII (names, numbers, timestamps): no decoder call
    let s = "";
    let i = 0;
    for (; i < n; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      s += String.fromCharCode(b);
    }
    if (i === n) return s;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new DbError("22021", 'invalid byte sequence for encoding "UTF8"');
  }
}

/** One frontend message. */
export interface FrontendMessage {
  /** The type byte (`Q` = 0x51 ...). */
  readonly type: number;
  readonly body: MessageBody;
}

/** Limits of a {@link MessageReader}. */
export interface MessageReaderOptions {
  /** Longest message body accepted, in bytes. */
  readonly messageBytesMax: number;
  /** Called when unread input grows past `pauseBytes` (pause the socket) and ... */
  readonly onPause?: () => void;
  /** ... when it is consumed again (resume it). */
  readonly onResume?: () => void;
  /** Unread input above which {@link MessageReaderOptions.onPause} is called, in bytes. */
  readonly pauseBytes?: number;
}

/**
 * Cuts the input into messages. The buffer holds at most one partial message plus what arrived
 * before the socket was paused, so its size is bounded by the message limit.
 */
export class MessageReader {
  #buf = new Uint8Array(16 * 1024);
  #start = 0;
  #end = 0;
  #waiter: (() => void) | null = null;
  #ended = false;
  #paused = false;
  /** Largest message body accepted now (changes after startup). */
  messageBytesMax: number;
  readonly #options: MessageReaderOptions;

  /** See {@link MessageReaderOptions}. */
  constructor(options: MessageReaderOptions) {
    this.#options = options;
    this.messageBytesMax = options.messageBytesMax;
  }

  /** Unread bytes. */
  get buffered(): number {
    return this.#end - this.#start;
  }

  /** Adds input. */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (this.#end + n > this.#buf.length) {
      const used = this.#end - this.#start;
      if (used + n <= this.#buf.length && this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        let size = this.#buf.length;
        while (size < used + n) size *= 2;
        const next = new Uint8Array(size);
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = used;
    }
    this.#buf.set(chunk, this.#end);
    this.#end += n;
    const pauseBytes = this.#options.pauseBytes ?? Infinity;
    if (!this.#paused && this.#end - this.#start > pauseBytes && this.#hasWholeMessage()) {
      this.#paused = true;
      this.#options.onPause?.();
    }
    this.#wake();
  }

  /** The input ended (the peer closed). */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  #hasWholeMessage(): boolean {
    if (this.#end - this.#start < 5) return false;
    const len = this.#int32At(this.#start + 1);
    return len >= 4 && this.#end - this.#start >= 1 + len;
  }

  #int32At(i: number): number {
    const b = this.#buf;
    return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }

  async #fill(bytes: number): Promise<boolean> {
    while (this.#end - this.#start < bytes) {
      if (this.#ended) return false;
      if (this.#paused) {
        this.#paused = false;
        this.#options.onResume?.();
      }
      await new Promise<void>((r) => (this.#waiter = r));
    }
    return true;
  }

  /** Bytes of input already here, without waiting (e.g. to refuse data sent ahead of TLS). */
  takeBuffered(): Uint8Array {
    const out = this.#buf.slice(this.#start, this.#end);
    this.#start = this.#end = 0;
    return out;
  }

  /**
   * The startup packet (a length, then the body: protocol code and parameters); `null` when
   * the input ended first.
   */
  async startup(startupBytesMax: number): Promise<MessageBody | null> {
    if (!(await this.#fill(4))) return null;
    const len = this.#int32At(this.#start);
    if (len < 8 || len > startupBytesMax) {
      throw new ProtocolError("invalid length of startup packet");
    }
    if (!(await this.#fill(len))) return null;
    const body = this.#buf.slice(this.#start + 4, this.#start + len);
    this.#start += len;
    return new MessageBody(body);
  }

  /**
   * The next message; `null` when the input ended (cleanly or mid-message). A message already
   * here whole is returned at once, without a promise (callers `await` either).
   */
  next(): FrontendMessage | null | Promise<FrontendMessage | null> {
    const avail = this.#end - this.#start;
    if (avail >= 5) {
      const len = this.#int32At(this.#start + 1);
      if (len >= 4 && len - 4 <= this.messageBytesMax && avail >= 1 + len) {
        const type = this.#buf[this.#start]!;
        const body = smallCopy(this.#buf.subarray(this.#start + 5, this.#start + 1 + len));
        this.#start += 1 + len;
        if (this.#start === this.#end) this.#start = this.#end = 0;
        return { type, body: new MessageBody(body) };
      }
    }
    return this.#nextAsync();
  }

  async #nextAsync(): Promise<FrontendMessage | null> {
    if (!(await this.#fill(5))) return null;
    const type = this.#buf[this.#start]!;
    const len = this.#int32At(this.#start + 1);
    if (len < 4 || len - 4 > this.messageBytesMax) {
      throw new ProtocolError(
        len < 4
          ? `invalid message length ${len}`
          : `message of ${len - 4} bytes is longer than the limit of ${this.messageBytesMax} bytes`,
      );
    }
    if (!(await this.#fill(1 + len))) return null;
    const body = smallCopy(this.#buf.subarray(this.#start + 5, this.#start + 1 + len));
    this.#start += 1 + len;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return { type, body: new MessageBody(body) };
  }
}

/** Builds backend messages into one buffer. */
export class MessageWriter {
  #buf = new Uint8Array(16 * 1024);
  #view = new DataView(this.#buf.buffer);
  #at = 0;
  /** Where the open message's length goes. */
  #lengthAt = -1;

  /** Bytes written and not taken yet. */
  get length(): number {
    return this.#at;
  }

  #ensure(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#at + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#at));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Starts a message of type `type` (a byte). */
  begin(type: number): this {
    this.#ensure(5);
    this.#buf[this.#at] = type;
    this.#lengthAt = this.#at + 1;
    this.#at += 5;
    return this;
  }

  /** Ends the open message (writes its length). */
  end(): this {
    this.#view.setInt32(this.#lengthAt, this.#at - this.#lengthAt);
    this.#lengthAt = -1;
    return this;
  }

  /** One byte. */
  int8(v: number): this {
    this.#ensure(1);
    this.#buf[this.#at++] = v;
    return this;
  }

  /** A big-endian 16-bit integer. */
  int16(v: number): this {
    this.#ensure(2);
    this.#view.setInt16(this.#at, v);
    this.#at += 2;
    return this;
  }

  /** A big-endian 32-bit integer. */
  int32(v: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#at, v);
    this.#at += 4;
    return this;
  }

  /** A big-endian 64-bit integer. */
  int64(v: bigint): this {
    this.#ensure(8);
    this.#view.setBigInt64(this.#at, v);
    this.#at += 8;
    return this;
  }

  /** A big-endian IEEE 754 single. */
  float32(v: number): this {
    this.#ensure(4);
    this.#view.setFloat32(this.#at, v);
    this.#at += 4;
    return this;
  }

  /** A big-endian IEEE 754 double. */
  float64(v: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#at, v);
    this.#at += 8;
    return this;
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#at);
    this.#at += b.length;
    return this;
  }

  /** UTF-8 text without a terminator. */
  text(s: string): this {
    this.#ensure(s.length * 3);
    this.#at += writeUtf8(s, this.#buf, this.#at);
    return this;
  }

  /** UTF-8 text with a NUL terminator. */
  cstring(s: string): this {
    return this.text(s).int8(0);
  }

  /** A field value preceded by its byte length (int32), written in place. */
  lengthPrefixedText(s: string): this {
    this.#ensure(4 + s.length * 3);
    const at = this.#at;
    const n = writeUtf8(s, this.#buf, at + 4);
    this.#view.setInt32(at, n);
    this.#at = at + 4 + n;
    return this;
  }

  /** Reserves an int32 to be filled by {@link patchInt32}; returns its offset. */
  reserveInt32(): number {
    this.#ensure(4);
    const at = this.#at;
    this.#at += 4;
    return at;
  }

  /** Writes `v` at an offset from {@link reserveInt32}. */
  patchInt32(at: number, v: number): void {
    this.#view.setInt32(at, v);
  }

  /** The offset of the next byte (for {@link patchInt32} arithmetic). */
  get offset(): number {
    return this.#at;
  }

  /** A copy of what was written from offset `at` on (to replay with {@link bytes}). */
  copySince(at: number): Uint8Array {
    return this.#buf.slice(at, this.#at);
  }

  /** Everything written so far (a copy); the writer starts over. */
  take(): Uint8Array {
    const out = smallCopy(this.#buf.subarray(0, this.#at));
    this.#at = 0;
    return out;
  }
}
