/**
 * A private PostgreSQL 15 server for tests: a fresh cluster in a temporary folder, listening on a
 * free loopback port, stopped and deleted by {@link PostgresServer.stop}. As root it runs as the
 * `postgres` OS user (initdb refuses root). Results come back as PostgreSQL's text output with
 * the type OID of each column, so that callers convert values themselves.
 *
 * @example
 * ```ts
 * import { PostgresServer, postgresPrereq } from "./postgres.ts";
 * if ((await postgresPrereq()).available) {
 *   const pg = await PostgresServer.start();
 *   try {
 *     const r = await pg.query("SELECT 1 + 1 AS two");
 *     console.assert(r.rows[0]?.[0] === "2");
 *   } finally {
 *     await pg.stop();
 *   }
 * }
 * ```
 *
 * @module
 */

import pg from "pg";
import { checkPrereq, type PrereqStatus } from "./prereq.ts";

/** Where the Debian package puts the PostgreSQL 15 binaries. */
export const postgresBinDirDefault = "/usr/lib/postgresql/15/bin";
/** The command that installs PostgreSQL on Debian. */
export const postgresInstallHint = "apt-get install -y postgresql";
/** How long `initdb` plus server start-up may take before start fails. */
export const postgresStartTimeoutMs = 60_000;
/** How long a fast shutdown may take before the server is killed. */
export const postgresStopTimeoutMs = 10_000;
/** Pause between readiness probes while the server starts. */
export const postgresReadyPollMs = 100;
/** How much of the server's log output is kept for error messages. */
export const postgresLogTailBytesMax = 16_384;
/** `max_connections` of a test server unless {@link PostgresServerOptions.maxConnections} says otherwise. */
export const postgresMaxConnectionsDefault = 20;
/** How many free ports are tried when another process takes the chosen one first. */
export const postgresPortAttemptsMax = 3;

/** Options for {@link PostgresServer.start}. */
export interface PostgresServerOptions {
  /** Folder with `initdb` and `postgres`; defaults to {@link postgresBinDirDefault}. */
  readonly binDir?: string;
  /** Start-up timeout in milliseconds; defaults to {@link postgresStartTimeoutMs}. */
  readonly startTimeoutMs?: number;
  /** `max_connections`; defaults to {@link postgresMaxConnectionsDefault} (benchmarks raise it). */
  readonly maxConnections?: number;
  /**
   * True: keep PostgreSQL's durable defaults (`fsync`, `synchronous_commit` and
   * `full_page_writes` on), for benchmarks that compare durable writes. Default false: tests
   * run with all three off, for speed.
   */
  readonly durable?: boolean;
}

/** One result column: its name and PostgreSQL type OID. */
export interface PgField {
  readonly name: string;
  readonly dataTypeID: number;
}

/** A query result in PostgreSQL's text format: `null` for SQL NULL, otherwise the text output. */
export interface PgTextResult {
  /** The command tag's verb, e.g. `SELECT`, `CREATE`. */
  readonly command: string;
  readonly fields: readonly PgField[];
  readonly rows: readonly (readonly (string | null)[])[];
  readonly rowCount: number;
}

/** An error reported by the server, with its SQLSTATE code. */
export class PgServerError extends Error {
  /** The five-character SQLSTATE code, e.g. `22012`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "PgServerError";
    this.code = code;
  }
}

// The parts of the untyped `pg` package that this module uses.
interface PgRawResult {
  command: string | null;
  fields: { name: string; dataTypeID: number }[];
  rows: (string | null)[][];
  rowCount: number | null;
}
interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(config: {
    text: string;
    values?: unknown[];
    rowMode: "array";
    types: { getTypeParser: () => (value: string) => string };
  }): Promise<PgRawResult | PgRawResult[]>;
  on(event: "error", listener: (e: unknown) => void): void;
}
type PgClientCtor = new (config: Record<string, unknown>) => PgClient;
const Client = (pg as unknown as { Client: PgClientCtor }).Client;
const rawText = { getTypeParser: () => (value: string) => value };

interface OsUser {
  readonly uid: number;
  readonly gid: number;
}

function osUser(name: string): OsUser | null {
  let passwd: string;
  try {
    passwd = Deno.readTextFileSync("/etc/passwd");
  } catch {
    return null;
  }
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f[0] === name && f[2] !== undefined && f[3] !== undefined) {
      return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  }
  return null;
}

function isRoot(): boolean {
  try {
    return Deno.uid() === 0;
  } catch {
    return false;
  }
}

function fileExists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** True when PostgreSQL's binaries are installed (and, as root, the `postgres` user exists). */
export function postgresInstalled(binDir: string = postgresBinDirDefault): boolean {
  if (!fileExists(`${binDir}/postgres`) || !fileExists(`${binDir}/initdb`)) return false;
  return !isRoot() || osUser("postgres") !== null;
}

/** The prerequisite status of PostgreSQL 15, for `prereqTest` / `requirePrereq`. */
export function postgresPrereq(binDir: string = postgresBinDirDefault): Promise<PrereqStatus> {
  return checkPrereq("PostgreSQL 15", () => postgresInstalled(binDir), postgresInstallHint);
}

function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Keeps the last bytes of a stream as text, for error messages. */
class LogTail {
  #text = "";
  readonly done: Promise<void>;
  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream) {
          this.#text += decoder.decode(chunk, { stream: true });
          if (this.#text.length > postgresLogTailBytesMax) {
            this.#text = this.#text.slice(-postgresLogTailBytesMax);
          }
        }
      } catch {
        // the process went away: keep what we have
      }
    })();
  }
  get text(): string {
    return this.#text;
  }
}

async function runChecked(cmd: Deno.Command, what: string): Promise<void> {
  const out = await cmd.output();
  if (!out.success) {
    const dec = new TextDecoder();
    throw new Error(
      `${what} failed (exit ${out.code}): ${dec.decode(out.stderr)}${dec.decode(out.stdout)}`,
    );
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A running private PostgreSQL server. Create with {@link PostgresServer.start}. */
export class PostgresServer {
  /** Always `127.0.0.1`. */
  readonly host = "127.0.0.1";
  /** The TCP port it listens on. */
  readonly port: number;
  /** The temporary folder holding the cluster, the socket and nothing else. */
  readonly baseDir: string;
  #child: Deno.ChildProcess;
  #log: LogTail;
  #client: PgClient | null = null;
  #stopped = false;
  #onUnload: () => void;

  private constructor(port: number, baseDir: string, child: Deno.ChildProcess, log: LogTail) {
    this.port = port;
    this.baseDir = baseDir;
    this.#child = child;
    this.#log = log;
    // Last resort if the process exits without stop(): kill the server and delete its folder.
    this.#onUnload = () => this.#killNowSync();
    globalThis.addEventListener("unload", this.#onUnload);
  }

  /** Creates a cluster in a temporary folder and starts a server on a free loopback port. */
  static async start(options: PostgresServerOptions = {}): Promise<PostgresServer> {
    const binDir = options.binDir ?? postgresBinDirDefault;
    const timeoutMs = options.startTimeoutMs ?? postgresStartTimeoutMs;
    if (!postgresInstalled(binDir)) {
      throw new Error(
        `PostgreSQL not found in ${binDir}: install it with \`${postgresInstallHint}\``,
      );
    }
    const user = isRoot() ? osUser("postgres") : null;
    const asUser = user === null ? {} : { uid: user.uid, gid: user.gid };
    const baseDir = await Deno.makeTempDir({ prefix: "omendb-pg-" });
    try {
      if (user !== null) await Deno.chown(baseDir, user.uid, user.gid);
      const dataDir = `${baseDir}/data`;
      await runChecked(
        new Deno.Command(`${binDir}/initdb`, {
          args: ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
          env: { LC_ALL: "C.UTF-8" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          cwd: baseDir,
          ...asUser,
        }),
        "initdb",
      );
      let lastError = "";
      for (let attempt = 0; attempt < postgresPortAttemptsMax; attempt++) {
        const port = freeLoopbackPort();
        const child = new Deno.Command(`${binDir}/postgres`, {
          args: [
            ["-D", dataDir],
            ["-p", String(port)],
            ["-k", baseDir],
            ["-c", "listen_addresses=127.0.0.1"],
            ...(options.durable === true ? [] : [
              ["-c", "fsync=off"],
              ["-c", "synchronous_commit=off"],
              ["-c", "full_page_writes=off"],
            ]),
            [
              "-c",
              `max_connections=${options.maxConnections ?? postgresMaxConnectionsDefault}`,
            ],
            ["-c", "shared_buffers=16MB"],
          ].flat(),
          env: { LC_ALL: "C.UTF-8" },
          stdin: "null",
          stdout: "null",
          stderr: "piped",
          cwd: baseDir,
          ...asUser,
        }).spawn();
        const log = new LogTail(child.stderr);
        const server = new PostgresServer(port, baseDir, child, log);
        const ready = await server.#waitReady(timeoutMs);
        if (ready) return server;
        lastError = log.text;
        await server.#halt();
        if (!/could not bind|Address already in use/i.test(lastError)) break;
      }
      throw new Error(`PostgreSQL did not start: ${lastError.trim()}`);
    } catch (e) {
      await Deno.remove(baseDir, { recursive: true }).catch(() => {});
      throw e;
    }
  }

  async #waitReady(timeoutMs: number): Promise<boolean> {
    let exited = false;
    this.#child.status.then(() => (exited = true));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !exited) {
      const client = new Client({
        host: this.host,
        port: this.port,
        user: "postgres",
        database: "postgres",
        connectionTimeoutMillis: 2_000,
      });
      client.on("error", () => {});
      try {
        await client.connect();
        this.#client = client;
        return true;
      } catch {
        await client.end().catch(() => {});
        await sleep(postgresReadyPollMs);
      }
    }
    return false;
  }

  /** The server's recent log output (stderr), for diagnostics. */
  get log(): string {
    return this.#log.text;
  }

  /**
   * Runs SQL on the server's one connection. Several statements separated by `;` run as one
   * simple query and the result of the last is returned. Errors are {@link PgServerError}s.
   */
  async query(sql: string, params?: readonly unknown[]): Promise<PgTextResult> {
    const client = this.#client;
    if (client === null || this.#stopped) throw new Error("PostgreSQL server is stopped");
    let raw: PgRawResult | PgRawResult[];
    try {
      raw = await client.query({
        text: sql,
        ...(params === undefined ? {} : { values: [...params] }),
        rowMode: "array",
        types: rawText,
      });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) {
        throw new PgServerError(code, (e as Error).message);
      }
      throw e;
    }
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (last === undefined) return { command: "", fields: [], rows: [], rowCount: 0 };
    return {
      command: last.command ?? "",
      fields: (last.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      rows: last.rows ?? [],
      rowCount: last.rowCount ?? 0,
    };
  }

  /** Stops the server (fast shutdown, then kill after a timeout) and deletes its folder. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    await this.#halt();
    await Deno.remove(this.baseDir, { recursive: true }).catch(() => {});
  }

  async #halt(): Promise<void> {
    this.#stopped = true;
    globalThis.removeEventListener("unload", this.#onUnload);
    const client = this.#client;
    this.#client = null;
    if (client !== null) await client.end().catch(() => {});
    try {
      this.#child.kill("SIGINT"); // PostgreSQL's "fast" shutdown
    } catch {
      // already gone
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      this.#child.status.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), postgresStopTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await this.#child.status;
    }
    await this.#log.done;
  }

  #killNowSync(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // already gone
    }
    try {
      Deno.removeSync(this.baseDir, { recursive: true });
    } catch {
      // best effort
    }
  }

  /** Same as {@link PostgresServer.stop}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
