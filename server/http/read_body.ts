/**
 * Reads a request body as UTF-8 text without ever holding more than a set number of bytes.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import { HttpSqlState } from "./_responses.ts";

/** The body is larger than the limit: the caller answers 413. */
export class BodyTooLargeError extends DbError {
  /** The limit that was exceeded, in bytes. */
  readonly bytesMax: number;

  /** The error for a body over `bytesMax` bytes. */
  constructor(bytesMax: number) {
    super(
      SqlState.programLimitExceeded,
      `request body is larger than httpBodyBytesMax (${bytesMax} bytes); ` +
        `raise http.body_bytes_max or send smaller requests`,
    );
    this.name = "BodyTooLargeError";
    this.bytesMax = bytesMax;
  }
}

/**
 * The body of `req` as text. Throws {@link BodyTooLargeError} as soon as more than `bytesMax`
 * bytes arrive (or `Content-Length` announces more), a 22021 DbError for invalid UTF-8 and a
 * 08006 DbError when the body stops arriving (the connection broke).
 *
 * @example
 * ```ts
 * import { readBodyText } from "./read_body.ts";
 * const text = await readBodyText(new Request("http://x/", { method: "POST", body: "hi" }), 10);
 * console.assert(text === "hi");
 * ```
 */
export async function readBodyText(req: Request, bytesMax: number): Promise<string> {
  const bytes = await readBodyBytes(req, bytesMax);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DbError(HttpSqlState.characterNotInRepertoire, "request body is not valid UTF-8");
  }
}

/**
 * Reads a request body as bytes, at most `bytesMax` of them (413 beyond, also after
 * decompression); `Content-Encoding: gzip` is decompressed.
 *
 * @example
 * ```ts
 * import { readBodyBytes } from "./read_body.ts";
 * const bytes = await readBodyBytes(new Request("http://x/", { method: "POST", body: "hi" }), 10);
 * console.assert(bytes.length === 2);
 * ```
 */
export async function readBodyBytes(req: Request, bytesMax: number): Promise<Uint8Array> {
  const announced = req.headers.get("content-length");
  if (announced !== null && Number(announced) > bytesMax) throw new BodyTooLargeError(bytesMax);
  if (req.body === null) return new Uint8Array(0);
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "identity" && encoding !== "gzip") {
    throw new DbError(
      HttpSqlState.protocolViolation,
      `unsupported Content-Encoding "${encoding}"; send gzip or none`,
    );
  }
  if (encoding === "identity" && announced !== null) {
    // the HTTP layer never delivers more than Content-Length bytes (checked above): one native
    // read is cheaper than a JS loop over the stream's chunks (a 1.3 MB write arrives in ~20)
    try {
      return new Uint8Array(await req.arrayBuffer());
    } catch (e) {
      throw new DbError(
        HttpSqlState.connectionFailure,
        `could not read the request body: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
  }
  const body = encoding === "gzip"
    ? req.body.pipeThrough(new DecompressionStream("gzip"))
    : req.body;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (e) {
      if (encoding === "gzip" && e instanceof TypeError) {
        throw new DbError(HttpSqlState.protocolViolation, `the gzip body is damaged: ${e.message}`);
      }
      // the client went away mid-body, or the server shut its connections
      throw new DbError(
        HttpSqlState.connectionFailure,
        `could not read the request body: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    const { done, value } = chunk;
    if (done) break;
    total += value.byteLength;
    if (total > bytesMax) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(bytesMax);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
