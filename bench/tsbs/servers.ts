/**
 * Server processes for benchmarks: an OmenDB server (`server/main.ts serve` on a data directory,
 * HTTP and PostgreSQL wire on free loopback ports) and InfluxDB 1.x (`influxd` from the Debian
 * package `influxdb`, on its own free port and directory). Each gives its ports, the process's CPU
 * seconds and memory from `/proc`, and `stop()`.
 *
 * @example
 * ```ts
 * import { startOmenDbServer } from "./servers.ts";
 * const dir = await Deno.makeTempDir();
 * const server = await startOmenDbServer({ dataDir: dir });
 * try {
 *   const r = await fetch(`http://127.0.0.1:${server.httpPort}/sql`, { method: "POST", body: "SELECT 1" });
 *   console.assert(r.status === 200);
 *   await r.body?.cancel();
 * } finally {
 *   await server.stop();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 *
 * @module
 */

import { generateCpuLineProtocol } from "../../tests/data/tsbs.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;

/** How long an InfluxDB server may take to answer `/ping` after it starts. */
export const influxStartTimeoutMs = 20_000;
/** Pause between InfluxDB readiness probes. */
const influxReadyPollMs = 50;

/** A running server process. */
export interface ServerProcess {
  /** OS process id. */
  readonly pid: number;
  /** HTTP port on 127.0.0.1. */
  readonly httpPort: number;
  /** PostgreSQL wire port on 127.0.0.1 (OmenDB only; 0 for InfluxDB). */
  readonly pgPort: number;
  /** CPU seconds (user + system) the process has used so far, or NaN off Linux. */
  cpuSeconds(): number;
  /** Memory of the process from /proc: peak (VmHWM) and current (VmRSS) bytes, NaN off Linux. */
  memory(): { readonly peakBytes: number; readonly rssBytes: number };
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash), then waits for the exit. */
  kill(): Promise<void>;
}

/** User + system CPU seconds of a process, from /proc (NaN where that is not available). */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // fields after the command name (which may hold spaces) start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return ticks / 100; // USER_HZ
  } catch {
    return NaN;
  }
}

/** Peak (VmHWM) and current (VmRSS) resident bytes of a process, from /proc (NaN elsewhere). */
export function processMemory(pid: number): { peakBytes: number; rssBytes: number } {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) => {
      const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status);
      return m === null ? NaN : Number(m[1]) * 1024;
    };
    return { peakBytes: kb("VmHWM"), rssBytes: kb("VmRSS") };
  } catch {
    return { peakBytes: NaN, rssBytes: NaN };
  }
}

/**
 * Resets this process's peak resident memory (VmHWM) to its current RSS, so that a later
 * {@link processMemory} peak covers only what comes after (Linux; elsewhere, or when not
 * permitted, nothing happens and the peak keeps what came before).
 */
export function resetPeakMemory(): void {
  try {
    Deno.writeTextFileSync("/proc/self/clear_refs", "5"); // 5: reset VmHWM
  } catch { /* not Linux, or not permitted */ }
}

/** Reads JSON log lines from a child's stdout until one has `event === name`. */
async function waitForEvent(
  stream: ReadableStream<Uint8Array>,
  name: string,
): Promise<Record<string, unknown>> {
  let buffer = "";
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the server ended before "${name}"`);
    buffer += value;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        if (e.event === name) {
          // keep draining so the child never blocks on a full pipe
          void (async () => {
            while (!(await reader.read()).done);
          })().catch(() => {});
          return e;
        }
      } catch { /* not JSON */ }
    }
  }
}

function processHandle(
  child: Deno.ChildProcess,
  httpPort: number,
  pgPort: number,
): ServerProcess {
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const signal = async (sig: Deno.Signal) => {
    if (!exited) {
      try {
        child.kill(sig);
      } catch { /* already gone */ }
    }
    await status;
  };
  return {
    pid: child.pid,
    httpPort,
    pgPort,
    cpuSeconds: () => processCpuSeconds(child.pid),
    memory: () => processMemory(child.pid),
    stop: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
  };
}

/** Options of {@link startOmenDbServer}. */
export interface OmenDbServerOptions {
  /** The data directory (created if missing). */
  readonly dataDir: string;
  /** Writes a V8 CPU profile of the server into this directory. */
  readonly profileDir?: string;
  /** More `serve` flags, e.g. `["--config", file]`. */
  readonly extraArgs?: readonly string[];
  /** V8 flags, e.g. `["--max-old-space-size=4096"]`. */
  readonly v8Flags?: readonly string[];
  /** More environment variables for the server process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts `server/main.ts serve` with HTTP and PostgreSQL wire on free loopback ports and resolves
 * once its `listening` log line arrives.
 */
export async function startOmenDbServer(options: OmenDbServerOptions): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      ...(options.v8Flags === undefined || options.v8Flags.length === 0
        ? []
        : [`--v8-flags=${options.v8Flags.join(",")}`]),
      ...(options.profileDir === undefined
        ? []
        : ["--cpu-prof", `--cpu-prof-dir=${options.profileDir}`]),
      `${repoRoot}server/main.ts`,
      "serve",
      "--http-port",
      "0",
      "--pg-port",
      "0",
      "--data-dir",
      options.dataDir,
      ...(options.extraArgs ?? []),
    ],
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const listening = await waitForEvent(child.stdout, "listening");
  return processHandle(child, Number(listening.http), Number(listening.pg));
}

/** A free TCP port on 127.0.0.1 (the OS picks it; another process may take it before use). */
export function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** True when `influxd` is on the PATH. */
export async function influxInstalled(): Promise<boolean> {
  const which = await new Deno.Command("sh", { args: ["-c", "command -v influxd"] }).output();
  return which.success;
}

/** Options of {@link startInfluxServer}. */
export interface InfluxServerOptions {
  /**
   * How long `influxd` may take to answer `/ping`, in ms (default {@link influxStartTimeoutMs});
   * a restart on a full data directory replays the WAL first and needs more.
   */
  readonly startTimeoutMs?: number;
}

/**
 * Starts InfluxDB 1.x on a free loopback port with its meta, data and WAL under `dir`, creates
 * the database `db`, and resolves once it answers; null when `influxd` is not installed.
 */
export async function startInfluxServer(
  dir: string,
  db = "bench",
  options: InfluxServerOptions = {},
): Promise<ServerProcess | null> {
  const startTimeoutMs = options.startTimeoutMs ?? influxStartTimeoutMs;
  if (!(await influxInstalled())) return null;
  const port = freeLoopbackPort();
  const rpcPort = freeLoopbackPort();
  const conf = `${dir}/influxdb.conf`;
  await Deno.writeTextFile(
    conf,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
  max-row-limit = 0
[logging]
  level = "error"
`,
  );
  const child = new Deno.Command("influxd", {
    args: ["-config", conf],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const server = processHandle(child, port, 0);
  const deadline = performance.now() + startTimeoutMs;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/ping`);
      await r.body?.cancel();
      if (r.status === 204) break;
    } catch { /* not up yet */ }
    if (performance.now() > deadline) {
      await server.kill();
      throw new Error(`influxd did not answer /ping on port ${port} in ${startTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, influxReadyPollMs));
  }
  const r = await fetch(
    `http://127.0.0.1:${port}/query?q=${encodeURIComponent(`CREATE DATABASE "${db}"`)}`,
    { method: "POST" },
  );
  await r.body?.cancel();
  return server;
}

/**
 * Posts TSBS cpu line protocol (`rows` over `hosts`, in `batchRows`-line bodies generated as they
 * go) to `POST /write?db=<db>&precision=ns` of `baseUrl` with `writers` concurrent writers; throws
 * on an answer other than 204, naming `label`. For loading a server before queries (not timed).
 */
export async function postCpuLineProtocol(
  baseUrl: string,
  options: {
    readonly rows: number;
    readonly hosts: number;
    readonly batchRows: number;
    readonly writers: number;
    readonly label: string;
    readonly db?: string;
  },
): Promise<void> {
  const chunks = generateCpuLineProtocol({
    rows: options.rows,
    hosts: options.hosts,
    batchRows: options.batchRows,
  });
  const url = `${baseUrl}/write?db=${encodeURIComponent(options.db ?? "bench")}&precision=ns`;
  const writer = async () => {
    for (;;) {
      const next = chunks.next();
      if (next.done === true) return;
      const r = await fetch(url, { method: "POST", body: next.value as Uint8Array<ArrayBuffer> });
      if (r.status !== 204) {
        throw new Error(`${options.label} /write answered ${r.status}: ${await r.text()}`);
      }
      await r.body?.cancel();
    }
  };
  await Promise.all(Array.from({ length: options.writers }, writer));
}
