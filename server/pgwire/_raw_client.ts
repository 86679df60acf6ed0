/**
 * Test helper: a PostgreSQL protocol client that sends hand-built messages over a real socket
 * and reads the backend's messages back, for what drivers do not expose (binary parameters of
 * declared types, malformed input).
 *
 * @module
 */
import { MessageBody, MessageWriter } from "./protocol.ts";

/** One backend message. */
export interface BackendMessage {
  readonly type: string;
  readonly body: Uint8Array;
}

/** A connection speaking raw protocol messages. */
export class RawClient {
  readonly #conn: Deno.TcpConn;
  #buf = new Uint8Array(0);
  #closed = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects without sending anything. */
  static async open(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  /** Connects and completes a trusted startup (up to the first ReadyForQuery). */
  static async connect(port: number, user = "omendb"): Promise<RawClient> {
    const c = await RawClient.open(port);
    await c.send(startupPacket({ user, database: "omendb" }));
    const msgs = await c.untilReady();
    if (msgs.some((m) => m.type === "E")) throw new Error(errorText(msgs));
    return c;
  }

  /** Sends bytes. */
  async send(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) at += await this.#conn.write(bytes.subarray(at));
  }

  /** The next message; `null` once the server closed the connection. */
  async next(): Promise<BackendMessage | null> {
    for (;;) {
      if (this.#buf.length >= 5) {
        const len = new DataView(this.#buf.buffer, this.#buf.byteOffset + 1, 4).getInt32(0);
        if (this.#buf.length >= 1 + len) {
          const m = {
            type: String.fromCharCode(this.#buf[0]!),
            body: this.#buf.slice(5, 1 + len),
          };
          this.#buf = this.#buf.slice(1 + len);
          return m;
        }
      }
      if (this.#closed) return null;
      const chunk = new Uint8Array(65536);
      let n: number | null = null;
      try {
        n = await this.#conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) {
        this.#closed = true;
        continue;
      }
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }

  /** One byte that is not a message (the answer to SSLRequest); `null` at EOF. */
  async byte(): Promise<string | null> {
    while (this.#buf.length === 0 && !this.#closed) {
      const chunk = new Uint8Array(1);
      const n = await this.#conn.read(chunk).catch(() => null);
      if (n === null) this.#closed = true;
      else this.#buf = chunk.slice(0, n);
    }
    if (this.#buf.length === 0) return null;
    const b = String.fromCharCode(this.#buf[0]!);
    this.#buf = this.#buf.slice(1);
    return b;
  }

  /** Messages up to and including ReadyForQuery (or until the server closes). */
  async untilReady(): Promise<BackendMessage[]> {
    const out: BackendMessage[] = [];
    for (;;) {
      const m = await this.next();
      if (m === null) return out;
      out.push(m);
      if (m.type === "Z") return out;
    }
  }

  /** Closes the socket. */
  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** A startup packet (protocol 3.0) with parameters. */
export function startupPacket(params: Record<string, string>): Uint8Array {
  const w = new MessageWriter();
  const at = w.reserveInt32();
  w.int32(196608);
  for (const [k, v] of Object.entries(params)) w.cstring(k).cstring(v);
  w.int8(0);
  w.patchInt32(at, w.offset);
  return w.take();
}

/** A frontend message of type `type` whose body `fill` writes. */
export function message(type: string, fill: (w: MessageWriter) => void): Uint8Array {
  const w = new MessageWriter();
  w.begin(type.charCodeAt(0));
  fill(w);
  w.end();
  return w.take();
}

/** The fields of an ErrorResponse or NoticeResponse, by code letter. */
export function errorFields(body: Uint8Array): Record<string, string> {
  const b = new MessageBody(body);
  const out: Record<string, string> = {};
  for (;;) {
    const code = b.byte();
    if (code === 0) return out;
    out[String.fromCharCode(code)] = b.cstring();
  }
}

/** The first ErrorResponse's `C: M` among messages, or "" when none. */
export function errorText(msgs: readonly BackendMessage[]): string {
  const e = msgs.find((m) => m.type === "E");
  if (e === undefined) return "";
  const f = errorFields(e.body);
  return `${f.C}: ${f.M}`;
}

/** The values of a DataRow (null for NULL). */
export function dataRowValues(body: Uint8Array): (Uint8Array | null)[] {
  const b = new MessageBody(body);
  const n = b.int16();
  const out: (Uint8Array | null)[] = [];
  for (let i = 0; i < n; i++) {
    const len = b.int32();
    out.push(len < 0 ? null : b.take(len).slice());
  }
  return out;
}

/** The bytes of `parts`, one after another. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
