/**
 * The line-protocol parse Worker (see parse_pool.ts): parses each posted body and posts the
 * result back with its buffers transferred. Errors travel as `{code, message}`.
 *
 * @module
 */
import { parseLineProtocol } from "./parser.ts";
import { packParseResult } from "./transfer.ts";
import type { ParseLineProtocolOptions } from "./types.ts";

/** What the pool posts. */
export interface ParseRequest {
  readonly id: number;
  readonly body: Uint8Array;
  readonly options: Omit<ParseLineProtocolOptions, "tableColumns">;
}

const self = globalThis as unknown as {
  onmessage: ((e: MessageEvent<ParseRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

self.onmessage = (e) => {
  const { id, body, options } = e.data;
  try {
    const { packed, transfer } = packParseResult(parseLineProtocol(body, options));
    self.postMessage({ id, packed, body }, [...transfer, body.buffer as ArrayBuffer]);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    self.postMessage({
      id,
      error: {
        message: err instanceof Error ? err.message : String(err),
        code: typeof code === "string" ? code : undefined,
      },
      body,
    }, [body.buffer as ArrayBuffer]);
  }
};
