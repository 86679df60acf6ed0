/**
 * Test helper: the real `omendb serve` as a child process (`deno run -A server/main.ts`, so a
 * signal reaches the server itself, not a wrapper), its JSON log lines parsed as they arrive.
 *
 * @module
 */
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname ?? ".", "..");
const mainTs = join(repoRoot, "server", "main.ts");

/** How long a spawned server may take to print its listening line (a first run compiles). */
export const listenTimeoutMs = 60_000;

/** A running server process. */
export interface ServerProcess {
  readonly child: Deno.ChildProcess;
  /** The HTTP port it listens on. */
  readonly port: number;
  /** The PostgreSQL protocol port (0 when `--pg-enabled false`). */
  readonly pgPort: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every stdout line so far, parsed as JSON. */
  readonly events: readonly Record<string, unknown>[];
  /** Sends a signal and waits for the exit; returns the exit code and stderr. */
  stop(signal: Deno.Signal): Promise<{ code: number; signal: Deno.Signal | null; stderr: string }>;
}

/** Starts `omendb serve --http-port 0 --pg-port 0 <args>` and waits for its `listening` event. */
export async function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, "serve", "--http-port", "0", "--pg-port", "0", ...args],
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const events: Record<string, unknown>[] = [];
  const listening = Promise.withResolvers<number>();
  let pgPort = 0;
  const stdoutDone = (async () => {
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const event = JSON.parse(line) as Record<string, unknown>;
        events.push(event);
        if (event.event === "listening") {
          pgPort = typeof event.pg === "number" ? event.pg : 0;
          listening.resolve(event.http as number);
        }
      }
    }
  })();
  const stderrText = new Response(child.stderr).text();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const port = await Promise.race([
    listening.promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("no listening event in time")), listenTimeoutMs);
    }),
    child.status.then(async (s) => {
      throw new Error(`server exited with ${s.code} before listening: ${await stderrText}`);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    child,
    port,
    pgPort,
    url: `http://127.0.0.1:${port}`,
    events,
    async stop(signal) {
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      const status = await child.status;
      await stdoutDone.catch(() => {});
      return { code: status.code, signal: status.signal, stderr: await stderrText };
    },
  };
}
