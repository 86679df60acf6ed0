/**
 * The `omendb` program: `deno task omendb <serve|config|verify|version|help> [flags]`.
 *
 * This is the only file in server/ that touches the process directly (arguments, environment,
 * files, sockets, signals, stdout, time); everything else gets what it needs passed in.
 *
 * Exit codes: 0 success, 1 runtime failure (cannot open the database, port taken) or problems
 * found by `verify`, 2 bad command line or config (or a data directory that does not exist).
 *
 * @module
 */
import { resolve } from "node:path";
import { systemClock } from "../core/env/clock.ts";
import { realEnv } from "../core/env/mod.ts";
import { Database } from "../mod.ts";
import { CliUsageError, parseCli } from "./cli.ts";
import { helpText } from "./cli.ts";
import {
  ConfigError,
  configFileEnvName,
  type ConfigInputs,
  configValuesToJson,
  insecureNetworkProblem,
  resolveConfig,
  type ResolvedConfig,
  type ServerConfig,
} from "./config.ts";
import { createHttpHandler } from "./http/handler.ts";
import { createParsePool } from "../plugins/line_protocol/parse_pool.ts";
import { type HttpAuth, httpDirectory } from "./http/auth.ts";
import { createLogger, type Logger } from "./log.ts";
import { createServerMetrics } from "./server_metrics.ts";
import { PgServer } from "./pgwire/mod.ts";
import { omendbVersion } from "./version.ts";
import { formatVerifyJson, formatVerifyText, verifyDataDir } from "./verify.ts";

/** After the drain, how long closing the listener may take before the database closes anyway. */
const shutdownListenerWaitMs = 2_000;

const exitOk = 0;
const exitFailure = 1;
const exitUsage = 2;

const encoder = new TextEncoder();

function writeAll(out: { writeSync(p: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  let at = 0;
  try {
    while (at < bytes.length) at += out.writeSync(bytes.subarray(at));
  } catch {
    // stdout or stderr closed (e.g. a pipe reader went away): nothing useful left to do.
  }
}

const printOut = (text: string): void => writeAll(Deno.stdout, text);
const printErr = (text: string): void => writeAll(Deno.stderr, text);

/** The folder the user ran the command from: npm/npx and deno task set INIT_CWD. */
function callerCwd(): string {
  return Deno.env.get("INIT_CWD") ?? Deno.cwd();
}

async function loadConfig(
  configPath: string | undefined,
  flags: NonNullable<ConfigInputs["flags"]>,
): Promise<ResolvedConfig> {
  const cwd = callerCwd();
  const env = Deno.env.toObject();
  const given = configPath ?? env[configFileEnvName];
  let file: { path: string; text: string } | undefined;
  if (given !== undefined && given !== "") {
    const path = resolve(cwd, given);
    try {
      file = { path, text: await Deno.readTextFile(path) };
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "file not found" : String(e);
      throw new ConfigError(`cannot read config file ${path}: ${why}`);
    }
  }
  return resolveConfig(file === undefined ? { cwd, env, flags } : { cwd, env, flags, file });
}

async function main(args: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseCli(args);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    printErr(`omendb: ${e.message}\n`);
    return exitUsage;
  }
  switch (command.kind) {
    case "help":
      printOut(helpText());
      return exitOk;
    case "version":
      printOut(`omendb ${omendbVersion} (deno ${Deno.version.deno})\n`);
      return exitOk;
    case "verify":
      return await verify(resolve(callerCwd(), command.dataDir), command.json);
    case "config":
    case "serve": {
      let resolved: ResolvedConfig;
      try {
        resolved = await loadConfig(command.configPath, command.flags);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        printErr(`omendb: ${e.message}\n`);
        return exitUsage;
      }
      if (command.kind === "config") {
        for (const w of resolved.warnings) printErr(`omendb: warning: ${w}\n`);
        printOut(`${JSON.stringify(configValuesToJson(resolved.values), null, 2)}\n`);
        return exitOk;
      }
      const log = createLogger({
        write: (line) => printOut(`${line}\n`),
        clock: systemClock,
        level: resolved.config.log.level,
      });
      for (const w of resolved.warnings) log.warn("config_warning", { message: w });
      return await serve(resolved.config, log);
    }
  }
}

/** `omendb verify`: read-only; exit 0 clean (warnings allowed), 1 errors found, 2 no such dir. */
async function verify(dir: string, json: boolean): Promise<number> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch {
    printErr(`omendb: verify: no such data directory: ${dir}\n`);
    return exitUsage;
  }
  if (!info.isDirectory) {
    printErr(`omendb: verify: not a directory: ${dir}\n`);
    return exitUsage;
  }
  const report = await verifyDataDir(realEnv(), dir);
  printOut(json ? formatVerifyJson(report) : formatVerifyText(report));
  return report.errors > 0 ? exitFailure : exitOk;
}

async function serve(config: ServerConfig, log: Logger): Promise<number> {
  const insecure = insecureNetworkProblem(config);
  if (insecure !== null) {
    log.error("startup_failed", { reason: insecure });
    printErr(`omendb: ${insecure}\n`);
    return exitUsage;
  }
  log.info("starting", {
    version: omendbVersion,
    pid: Deno.pid,
    storage: config.memory ? "memory" : config.dataDir,
  });
  // The engine's own events (WAL recovery, torn tails...) go to the same log.
  const engineLog = (event: Record<string, unknown>): void => {
    const { event: name, level, ...fields } = event;
    const write = level === "error"
      ? log.error
      : level === "warn"
      ? log.warn
      : level === "debug"
      ? log.debug
      : log.info;
    write(typeof name === "string" ? name : "engine", fields);
  };
  const queryLog = { all: config.log.queries, slowMs: config.log.slowQueryMs };
  let db: Database;
  try {
    const limits = {
      transactionTimeoutMs: config.transaction.timeoutMs,
      idleInTransactionTimeoutMs: config.transaction.idleTimeoutMs,
      transactionsOpenMax: config.transaction.openMax,
      queryMemoryBytesMax: config.query.memoryBytesMax,
      queryResultRowsMax: config.query.resultRowsMax,
    };
    db = await Database.open(
      config.memory
        ? { memory: true, log: engineLog, limits, queryLog }
        : { path: config.dataDir, log: engineLog, limits, queryLog },
    );
  } catch (e) {
    log.error("startup_failed", { reason: "cannot open the database", error: e });
    return exitFailure;
  }

  let auth: HttpAuth | undefined;
  if (config.auth.enabled) {
    const plugin = db.registry.auth();
    if (plugin === null) {
      log.error("startup_failed", {
        reason: "auth.enabled is set but no auth plugin is registered",
      });
      await db.close();
      return exitFailure;
    }
    auth = { plugin, directory: db.authDirectory(), users: config.auth.users };
  }
  log.info("auth", {
    enabled: config.auth.enabled,
    configUsers: config.auth.users.size,
    host: config.http.host,
  });

  let pgServer: PgServer | null = null;
  if (config.pg.enabled) {
    if ((config.pg.tlsCertFile === "") !== (config.pg.tlsKeyFile === "")) {
      log.error("startup_failed", {
        reason: "give both pg.tls_cert_file and pg.tls_key_file, or neither",
      });
      await db.close();
      return exitUsage;
    }
    try {
      const tls = config.pg.tlsCertFile === "" ? undefined : {
        cert: await Deno.readTextFile(config.pg.tlsCertFile),
        key: await Deno.readTextFile(config.pg.tlsKeyFile),
      };
      pgServer = await PgServer.listen({
        db,
        host: config.pg.host,
        port: config.pg.port,
        maxConnections: config.pg.maxConnections,
        idleSessionTimeoutMs: config.pg.idleSessionTimeoutMs,
        busyPollMicros: config.pg.busyPollMicros,
        ...(tls === undefined ? {} : { tls }),
        auth: {
          required: config.auth.enabled,
          trustLoopback: config.pg.trustLoopback,
          method: config.pg.authMethod,
          plugin: auth?.plugin ?? null,
          directory: auth === undefined ? db.authDirectory() : httpDirectory(auth),
        },
        log: (level, event, fields) => log[level](event, fields),
      });
    } catch (e) {
      log.error("startup_failed", {
        reason: `cannot listen on ${config.pg.host}:${config.pg.port} (PostgreSQL protocol)`,
        error: e,
      });
      await db.close();
      return exitFailure;
    }
  }

  let stopping = false;
  // aborted when the shutdown deadline passes: cancels the queries still running
  const deadline = new AbortController();
  // requests whose handler runs, and who to tell when none is left
  let inFlight = 0;
  let onIdle: (() => void) | null = null;
  // line-protocol bodies parse on Worker threads while the main thread appends (closed last)
  const lineProtocol = createParsePool(config.ingest.parseWorkers);
  const handler = createHttpHandler({
    db,
    lineProtocol,
    clock: systemClock,
    limits: {
      bodyBytesMax: config.http.bodyBytesMax,
      queryTimeoutMs: config.http.queryTimeoutMs,
      inflightRequestsMax: config.http.inflightRequestsMax,
    },
    log,
    metrics: createServerMetrics({
      version: omendbVersion,
      pg: () => pgServer?.stats() ?? null,
    }),
    stopping: () => stopping,
    signal: deadline.signal,
    ...(auth === undefined ? {} : { auth }),
  });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: config.http.host,
      port: config.http.port,
      onListen: (addr) =>
        log.info("listening", {
          http: addr.port,
          ...(pgServer === null ? {} : { pg: pgServer.port }),
          host: addr.hostname,
        }),
      onError: (e) => {
        log.error("internal_error", { error: e });
        return new Response(
          JSON.stringify({ error: { code: "XX000", message: "internal error" } }),
          { status: 500, headers: { "content-type": "application/json; charset=utf-8" } },
        );
      },
    }, async (req) => {
      inFlight++;
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        if (--inFlight === 0) onIdle?.();
      };
      try {
        // a streamed result (POST /sql) is in flight until its body is sent: a shutdown lets it
        // finish, or cancels its query at the deadline (the body then ends with the error)
        return untilBodyEnds(await handler(req), end);
      } catch (e) {
        end();
        throw e;
      }
    });
  } catch (e) {
    log.error("startup_failed", {
      reason: `cannot listen on ${config.http.host}:${config.http.port}`,
      error: e,
    });
    await pgServer?.close({ graceMs: 0 });
    await db.close();
    return exitFailure;
  }

  const { promise: stopRequested, resolve: requestStop } = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  const onSignal = (signal: Deno.Signal) => () => {
    if (stopping) {
      log.warn("forced_exit", { signal });
      Deno.exit(exitFailure);
    }
    stopping = true;
    requestStop(signal);
  };
  const listeners = signals.map((s) => [s, onSignal(s)] as const);
  for (const [s, fn] of listeners) Deno.addSignalListener(s, fn);

  const signal = await Promise.race([
    stopRequested,
    server.finished.then(() => "server_finished"),
  ]);
  stopping = true; // also when the server finished by itself: /ready says so
  log.info("stopping", { signal, inFlight });
  // Drain first, then shut the listener: new requests get 503 (57P03) with Connection: close
  // while the ones in flight finish. Deno 2.9's server.shutdown() makes request bodies that
  // are still unread fail at once (denoland/deno#36809), so it is called only once no handler
  // runs, or when the deadline has passed.
  const graceMs = config.http.shutdownTimeoutMs;
  const drained = inFlight === 0 ? Promise.resolve(true) : new Promise<boolean>((r) => {
    onIdle = () => r(true);
  });
  // PostgreSQL connections: idle ones end now, busy ones after their query (within the grace)
  const pgClosed = pgServer?.close({ graceMs }) ?? Promise.resolve();
  const graceful = await raceTimeout(drained, graceMs);
  if (!graceful) {
    log.warn("shutdown_timeout", { graceMs, inFlight });
    // cancel the queries still running (57014), so that closing the database does not wait
    // for them; a request still sending its body fails when the listener shuts below
    deadline.abort();
  }
  if (!(await raceTimeout(server.shutdown().then(() => true), shutdownListenerWaitMs))) {
    log.warn("shutdown_listener_timeout", { waitMs: shutdownListenerWaitMs, inFlight });
  }
  await pgClosed;
  let code = exitOk;
  try {
    await db.close();
  } catch (e) {
    log.error("close_failed", { error: e });
    code = exitFailure;
  }
  lineProtocol.close();
  for (const [s, fn] of listeners) Deno.removeSignalListener(s, fn);
  log.info("stopped", { code });
  return code;
}

/** Resolves with the promise's value, or `false` once `ms` have passed. */
async function raceTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}

/** `res` with a body that calls `end` once it was sent, failed or cancelled (`end` at once if none). */
function untilBodyEnds(res: Response, end: () => void): Response {
  const body = res.body;
  if (body === null) {
    end();
    return res;
  }
  const reader = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (e) {
        end();
        controller.error(e);
      }
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return new Response(stream, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
