/**
 * The server's configuration: one table of keys, each with a default, a zod schema and a
 * description of the values it accepts. Every key can be set, in increasing precedence, in the
 * TOML config file (`[http]` + `port = 8086`), by an environment variable (`OMENDB_HTTP_PORT`)
 * and by a flag (`--http-port`). The environment variable and flag names are derived from the
 * key, so adding a key here adds all three.
 *
 * This module does no I/O: the caller passes in the file text, the environment and the flags.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * const { config } = resolveConfig({
 *   cwd: "/home/me",
 *   env: { OMENDB_HTTP_PORT: "9000" },
 *   flags: { "data_dir": "db" },
 * });
 * console.assert(config.http.port === 9000 && config.dataDir === "/home/me/db");
 * ```
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { parseWorkersMax } from "../plugins/line_protocol/parse_pool.ts";
import { z } from "zod";
import { defaultHttpLimits, queryTimeoutMsMax, shutdownTimeoutMsDefault } from "./http/limits.ts";
import { defaultLimits } from "../core/limits.ts";
import { type LogLevel, logLevels } from "./log.ts";
import { parseToml, TomlError, type TomlTable, type TomlValue } from "./toml.ts";
import { isVerifier } from "../core/catalog/scram.ts";
import {
  pgBusyPollMicrosDefault,
  pgConnectionsMaxDefault,
  pgIdleSessionTimeoutMsDefault,
  pgPortDefault,
} from "./pgwire/limits.ts";

/** The effective configuration the server runs with. Paths are absolute. */
export interface ServerConfig {
  /** Folder holding the database files (ignored when `memory` is true). */
  readonly dataDir: string;
  /** Keep everything in memory: nothing is written to disk. */
  readonly memory: boolean;
  /** Transaction limits (see core/limits.ts). */
  readonly transaction: {
    /** A transaction block's longest life, in milliseconds (0 = none). */
    readonly timeoutMs: number;
    /** Longest idle time inside an open block, in milliseconds (0 = none). */
    readonly idleTimeoutMs: number;
    /** Transactions open at once. */
    readonly openMax: number;
  };
  /** Query limits (see core/limits.ts). */
  readonly query: {
    /** Bytes one query may hold in hash tables, sorts and results. */
    readonly memoryBytesMax: number;
    /** Rows one query may return (0 = no limit). */
    readonly resultRowsMax: number;
  };
  /** Line-protocol ingest. */
  readonly ingest: {
    /** Worker threads that parse bodies (0 = the main thread parses). */
    readonly parseWorkers: number;
  };
  /** The HTTP server. */
  readonly http: {
    /** Interface the HTTP server binds to. */
    readonly host: string;
    /** TCP port of the HTTP server; 0 picks a free one. */
    readonly port: number;
    /** Largest request body accepted, in bytes. */
    readonly bodyBytesMax: number;
    /** Default query timeout of `POST /sql`, in milliseconds (0 = none). */
    readonly queryTimeoutMs: number;
    /** Requests handled at once; more get 503 (probes and `/metrics` excepted). */
    readonly inflightRequestsMax: number;
    /** How long a shutdown waits for requests in flight, in milliseconds. */
    readonly shutdownTimeoutMs: number;
  };
  /** Authentication (see docs/http.md, "Authentication"). */
  readonly auth: {
    /** Require credentials on every HTTP route but the probes. */
    readonly enabled: boolean;
    /** Users from the config: name -> SCRAM-SHA-256 verifier (they shadow catalog users). */
    readonly users: ReadonlyMap<string, string>;
    /** Allow serving on a non-loopback address with auth disabled. */
    readonly allowInsecureNetwork: boolean;
  };
  /** The PostgreSQL wire protocol server (see docs/postgres.md). */
  readonly pg: {
    /** Whether it runs. */
    readonly enabled: boolean;
    /** Interface it binds to. */
    readonly host: string;
    /** TCP port; 0 picks a free one. */
    readonly port: number;
    /** Connections at once; more get 53300. */
    readonly maxConnections: number;
    /** Idle time outside a transaction before a session is closed, in ms (0 = never). */
    readonly idleSessionTimeoutMs: number;
    /** Polling for the next request after a response, in µs (0 = never). */
    readonly busyPollMicros: number;
    /** PEM certificate and key files for TLS (both, or neither: empty strings). */
    readonly tlsCertFile: string;
    readonly tlsKeyFile: string;
    /** With auth enabled, trust loopback connections anyway. */
    readonly trustLoopback: boolean;
    /** The password method asked for. */
    readonly authMethod: "scram-sha-256" | "password";
  };
  /** Structured logging. */
  readonly log: {
    /** Least severe level that is written. */
    readonly level: LogLevel;
    /** Log every query (a `query` event with duration, rows and SQLSTATE). */
    readonly queries: boolean;
    /** Log queries taking at least this many milliseconds (0 = none, unless `queries`). */
    readonly slowQueryMs: number;
  };
}

/** Where a config value came from. */
export type ConfigSource = "default" | "file" | "env" | "flag";

/** A bad config file, key or value. Its message names the key and the accepted values. */
export class ConfigError extends Error {
  /** An error with a message for the user. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

interface KeySpec<T> {
  readonly schema: z.ZodType<T, unknown>;
  readonly default: T;
  /** Human description of the accepted values, for error messages and help. */
  readonly accepted: string;
  /** One line of help. */
  readonly help: string;
  /** Relative paths resolve against the caller's folder (or the config file's folder). */
  readonly isPath?: boolean;
  /** Its value is a TOML table, kept whole rather than flattened into dotted keys. */
  readonly isTable?: boolean;
  /** Its value is not echoed in error messages. */
  readonly isSecret?: boolean;
}

function integerKey(min: number, max: number, dflt: number, help: string): KeySpec<number> {
  const schema = z
    .union([z.number(), z.string().trim().regex(/^[+-]?\d+$/).transform(Number)])
    .pipe(z.number().int().min(min).max(max));
  return { schema, default: dflt, accepted: `an integer from ${min} to ${max}`, help };
}

function booleanKey(dflt: boolean, help: string): KeySpec<boolean> {
  const schema = z.union([
    z.boolean(),
    z.enum(["true", "1", "yes", "on"]).transform(() => true),
    z.enum(["false", "0", "no", "off"]).transform(() => false),
  ]);
  return { schema, default: dflt, accepted: "true or false", help };
}

function stringKey(dflt: string, help: string, isPath = false): KeySpec<string> {
  const schema = z.string().trim().min(1);
  return { schema, default: dflt, accepted: "a non-empty string", help, isPath };
}

function optionalPathKey(help: string): KeySpec<string> {
  const schema = z.string().trim();
  return { schema, default: "", accepted: "a file path (empty = none)", help, isPath: true };
}

function enumKey<const T extends readonly [string, ...string[]]>(
  values: T,
  dflt: T[number],
  help: string,
): KeySpec<T[number]> {
  const schema: z.ZodType<T[number], unknown> = z.enum(values);
  return { schema, default: dflt, accepted: `one of ${values.join(", ")}`, help };
}

/**
 * `auth.users`: a TOML table `name = "SCRAM-SHA-256$..."`, or (from the environment or a flag)
 * the same as a JSON object. Only verifiers are accepted, never a password in clear.
 */
function usersKey(help: string): KeySpec<Readonly<Record<string, string>>> {
  const users = z.record(
    z.string().min(1).max(63),
    z.string().refine(isVerifier, "not a SCRAM-SHA-256 verifier"),
  );
  const fromJson = z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "not JSON" });
      return z.NEVER;
    }
  });
  const schema = z.union([users, fromJson.pipe(users)]);
  return {
    schema,
    default: {},
    accepted:
      'a table of user name = "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>" ' +
      "(PostgreSQL's verifier format; a JSON object in the environment or a flag)",
    help,
    isTable: true,
    isSecret: true,
  };
}

/** Every config key. Keys are snake_case, dotted by TOML section. */
export const configKeys = {
  data_dir: stringKey("./data", "folder for the database files", true),
  memory: booleanKey(false, "keep all data in memory, write nothing to disk"),
  "http.host": stringKey("127.0.0.1", "interface the HTTP server binds to"),
  "http.port": integerKey(0, 65535, 8086, "HTTP port; 0 picks a free port"),
  "http.body_bytes_max": integerKey(
    1,
    Number.MAX_SAFE_INTEGER,
    defaultHttpLimits.bodyBytesMax,
    "largest HTTP request body, in bytes",
  ),
  "http.query_timeout_ms": integerKey(
    0,
    queryTimeoutMsMax,
    defaultHttpLimits.queryTimeoutMs,
    "default query timeout of POST /sql in ms (0 = none)",
  ),
  "http.inflight_requests_max": integerKey(
    1,
    1_000_000,
    defaultHttpLimits.inflightRequestsMax,
    "HTTP requests handled at once; more get 503 (probes and /metrics excepted)",
  ),
  "http.shutdown_timeout_ms": integerKey(
    0,
    queryTimeoutMsMax,
    shutdownTimeoutMsDefault,
    "at SIGTERM/SIGINT, ms to wait for requests in flight before cancelling them",
  ),
  "query.memory_bytes_max": integerKey(
    1,
    Number.MAX_SAFE_INTEGER,
    defaultLimits.queryMemoryBytesMax,
    "bytes one query may hold in hash tables, sorts and results (more: 53200)",
  ),
  "query.result_rows_max": integerKey(
    0,
    Number.MAX_SAFE_INTEGER,
    defaultLimits.queryResultRowsMax,
    "rows one query may return (0 = no limit; more: 54000)",
  ),
  "ingest.parse_workers": integerKey(
    0,
    parseWorkersMax,
    defaultParseWorkers(),
    "Worker threads that parse line-protocol bodies (0 = parse on the main thread)",
  ),
  "transaction.timeout_ms": integerKey(
    0,
    Number.MAX_SAFE_INTEGER,
    defaultLimits.transactionTimeoutMs,
    "longest life of a transaction block in ms before it is rolled back (0 = none)",
  ),
  "transaction.idle_timeout_ms": integerKey(
    0,
    Number.MAX_SAFE_INTEGER,
    defaultLimits.idleInTransactionTimeoutMs,
    "longest idle time inside an open transaction block in ms (0 = none)",
  ),
  "transaction.open_max": integerKey(
    1,
    1_000_000,
    defaultLimits.transactionsOpenMax,
    "transactions open at once",
  ),
  "pg.enabled": booleanKey(true, "serve the PostgreSQL wire protocol"),
  "pg.host": stringKey("127.0.0.1", "interface the PostgreSQL protocol server binds to"),
  "pg.port": integerKey(0, 65535, pgPortDefault, "PostgreSQL protocol port; 0 picks a free port"),
  "pg.max_connections": integerKey(
    1,
    1_000_000,
    pgConnectionsMaxDefault,
    "PostgreSQL connections at once; more get 53300",
  ),
  "pg.idle_session_timeout_ms": integerKey(
    0,
    Number.MAX_SAFE_INTEGER,
    pgIdleSessionTimeoutMsDefault,
    "close a PostgreSQL session idle outside a transaction this long, in ms (0 = never)",
  ),
  "pg.busy_poll_us": integerKey(
    0,
    1_000_000,
    pgBusyPollMicrosDefault,
    "keep polling for the next PostgreSQL request this long after a response, in µs (0 = never)",
  ),
  "pg.tls_cert_file": optionalPathKey("PEM certificate for PostgreSQL TLS (sslmode=require)"),
  "pg.tls_key_file": optionalPathKey("PEM private key for PostgreSQL TLS"),
  "pg.trust_loopback": booleanKey(
    true,
    "with auth.enabled, still trust PostgreSQL connections from loopback addresses",
  ),
  "pg.auth_method": enumKey(
    ["scram-sha-256", "password"] as const,
    "scram-sha-256",
    "PostgreSQL password method; password (cleartext) is used only over TLS",
  ),
  "log.level": enumKey(logLevels, "info", "least severe log level written"),
  "log.queries": booleanKey(
    false,
    "log every query: a query event with duration, rows and SQLSTATE",
  ),
  "log.slow_query_ms": integerKey(
    0,
    Number.MAX_SAFE_INTEGER,
    0,
    "log queries taking at least this many milliseconds (0 = none unless log.queries)",
  ),
  "auth.enabled": booleanKey(
    false,
    "require credentials on every HTTP route but /health, /ready and /ping",
  ),
  "auth.users": usersKey("users from the config: a table of name = SCRAM-SHA-256 verifier"),
  "auth.allow_insecure_network": booleanKey(
    false,
    "allow serving on a non-loopback http.host with auth disabled",
  ),
} as const;

/** A config key name, e.g. `http.port`. */
export type ConfigKey = keyof typeof configKeys;

type SpecValue<S> = S extends KeySpec<infer T> ? T : never;

/** The value of every key after merging all sources. */
export type ConfigValues = { -readonly [K in ConfigKey]: SpecValue<typeof configKeys[K]> };

/** The environment variable for a key: `http.port` -> `OMENDB_HTTP_PORT`. */
export function envNameOf(key: ConfigKey): string {
  return `OMENDB_${key.replaceAll(".", "_").toUpperCase()}`;
}

/** The flag for a key, without dashes: `http.port` -> `http-port`. */
export function flagNameOf(key: ConfigKey): string {
  return key.replaceAll(/[._]/g, "-");
}

/** Environment variable naming the config file when `--config` is not given. */
export const configFileEnvName = "OMENDB_CONFIG";

/** Inputs to {@link resolveConfig}. Values from env and flags are raw strings (or booleans). */
export interface ConfigInputs {
  /** The caller's folder: relative paths from env and flags resolve against it. */
  readonly cwd: string;
  /** The config file, if any: its absolute path and its text. */
  readonly file?: { readonly path: string; readonly text: string };
  /** The process environment; only `OMENDB_*` names are read. */
  readonly env?: Readonly<Record<string, string>>;
  /** Flag values by config key, as parsed from the command line. */
  readonly flags?: Readonly<Partial<Record<ConfigKey, string | boolean>>>;
}

/** The result of {@link resolveConfig}. */
export interface ResolvedConfig {
  /** The typed configuration the server runs with. */
  readonly config: ServerConfig;
  /** Every key's effective value, by key. */
  readonly values: Readonly<ConfigValues>;
  /** Where each key's value came from. */
  readonly sources: Readonly<Record<ConfigKey, ConfigSource>>;
  /** Things worth logging that did not stop startup (e.g. unknown OMENDB_* variables). */
  readonly warnings: readonly string[];
}

const allKeys = Object.keys(configKeys) as ConfigKey[];
const tableKeys: ReadonlySet<string> = new Set(
  allKeys.filter((k) => (configKeys[k] as KeySpec<unknown>).isTable === true),
);

function isConfigKey(k: string): k is ConfigKey {
  return Object.hasOwn(configKeys, k);
}

/**
 * Merges defaults, the config file, `OMENDB_*` environment variables and flags (later wins),
 * validating every value. Throws {@link ConfigError} naming the bad key, where it came from and
 * the accepted values.
 */
export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const raw = new Map<ConfigKey, { value: unknown; source: ConfigSource; base: string }>();
  const warnings: string[] = [];

  if (inputs.file !== undefined) {
    let doc: TomlTable;
    try {
      doc = parseToml(inputs.file.text);
    } catch (e) {
      if (e instanceof TomlError) {
        throw new ConfigError(`config file ${inputs.file.path}: ${e.message}`);
      }
      throw e;
    }
    const base = dirname(inputs.file.path);
    for (const [key, value] of flattenToml(doc, "", tableKeys)) {
      if (!isConfigKey(key)) {
        throw new ConfigError(
          `config file ${inputs.file.path}: unknown key "${key}"; known keys: ${
            allKeys.join(", ")
          }`,
        );
      }
      raw.set(key, { value, source: "file", base });
    }
  }

  const envNames = new Map(allKeys.map((k) => [envNameOf(k), k]));
  for (const [name, value] of Object.entries(inputs.env ?? {})) {
    if (!name.startsWith("OMENDB_") || name === configFileEnvName) continue;
    const key = envNames.get(name);
    if (key === undefined) {
      warnings.push(`ignoring unknown environment variable ${name}`);
      continue;
    }
    raw.set(key, { value, source: "env", base: inputs.cwd });
  }

  for (const [key, value] of Object.entries(inputs.flags ?? {})) {
    if (!isConfigKey(key) || value === undefined) continue;
    raw.set(key, { value, source: "flag", base: inputs.cwd });
  }

  const values: Partial<Record<ConfigKey, unknown>> = {};
  const sources: Partial<Record<ConfigKey, ConfigSource>> = {};
  for (const key of allKeys) {
    const spec: KeySpec<unknown> = configKeys[key];
    const given = raw.get(key);
    const source = given?.source ?? "default";
    const parsed = spec.schema.safeParse(given === undefined ? spec.default : given.value);
    if (!parsed.success) {
      const shown = spec.isSecret === true
        ? z.prettifyError(parsed.error).replaceAll("\n", " ")
        : JSON.stringify(given?.value);
      throw new ConfigError(
        `invalid value for ${key} (${describeSource(key, source)}): ` +
          `${shown}; accepted: ${spec.accepted}`,
      );
    }
    let value = parsed.data;
    if (spec.isPath === true && typeof value === "string" && value !== "") {
      value = resolve(given?.base ?? inputs.cwd, value);
    }
    values[key] = value;
    sources[key] = source;
  }
  const v = values as ConfigValues;
  const config: ServerConfig = {
    dataDir: v.data_dir,
    memory: v.memory,
    transaction: {
      timeoutMs: v["transaction.timeout_ms"],
      idleTimeoutMs: v["transaction.idle_timeout_ms"],
      openMax: v["transaction.open_max"],
    },
    query: {
      memoryBytesMax: v["query.memory_bytes_max"],
      resultRowsMax: v["query.result_rows_max"],
    },
    ingest: { parseWorkers: v["ingest.parse_workers"] },
    http: {
      host: v["http.host"],
      port: v["http.port"],
      bodyBytesMax: v["http.body_bytes_max"],
      queryTimeoutMs: v["http.query_timeout_ms"],
      inflightRequestsMax: v["http.inflight_requests_max"],
      shutdownTimeoutMs: v["http.shutdown_timeout_ms"],
    },
    pg: {
      enabled: v["pg.enabled"],
      host: v["pg.host"],
      port: v["pg.port"],
      maxConnections: v["pg.max_connections"],
      idleSessionTimeoutMs: v["pg.idle_session_timeout_ms"],
      busyPollMicros: v["pg.busy_poll_us"],
      tlsCertFile: v["pg.tls_cert_file"],
      tlsKeyFile: v["pg.tls_key_file"],
      trustLoopback: v["pg.trust_loopback"],
      authMethod: v["pg.auth_method"],
    },
    log: {
      level: v["log.level"],
      queries: v["log.queries"],
      slowQueryMs: v["log.slow_query_ms"],
    },
    auth: {
      enabled: v["auth.enabled"],
      users: new Map(Object.entries(v["auth.users"])),
      allowInsecureNetwork: v["auth.allow_insecure_network"],
    },
  };
  return {
    config,
    values: v,
    sources: sources as Record<ConfigKey, ConfigSource>,
    warnings,
  };
}

function describeSource(key: ConfigKey, source: ConfigSource): string {
  switch (source) {
    case "default":
      return "default";
    case "file":
      return "from the config file";
    case "env":
      return `from environment variable ${envNameOf(key)}`;
    case "flag":
      return `from flag --${flagNameOf(key)}`;
  }
}

/**
 * `{http: {port: 1}}` -> `["http.port", 1]`. Nested tables become dotted keys, except those in
 * `keep`, which stay whole (`auth.users`).
 */
function* flattenToml(
  table: TomlTable,
  prefix: string,
  keep: ReadonlySet<string>,
): Generator<[string, TomlValue]> {
  for (const [k, v] of Object.entries(table)) {
    const key = prefix === "" ? k : `${prefix}.${k}`;
    if (typeof v === "object" && !Array.isArray(v) && !keep.has(key)) {
      yield* flattenToml(v, key, keep);
    } else yield [key, v];
  }
}

/** Whether a host name or address is a loopback one (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Why `serve` must not start with this config, or `null`: listening beyond loopback with
 * authentication off exposes every table to the network.
 */
export function insecureNetworkProblem(config: ServerConfig): string | null {
  if (config.auth.enabled || config.auth.allowInsecureNetwork) return null;
  if (config.pg.enabled && !isLoopbackHost(config.pg.host)) {
    return `refusing to serve on pg.host = ${config.pg.host} (not a loopback address) ` +
      `with authentication disabled: anyone who can reach it could read and change all data. ` +
      `Set auth.enabled = true (with users: CREATE USER, or auth.users), bind to 127.0.0.1, ` +
      `or set auth.allow_insecure_network = true to accept the risk`;
  }
  if (isLoopbackHost(config.http.host)) return null;
  return `refusing to serve on http.host = ${config.http.host} (not a loopback address) ` +
    `with authentication disabled: anyone who can reach it could read and change all data. ` +
    `Set auth.enabled = true (with users: CREATE USER, or auth.users), bind to 127.0.0.1, ` +
    `or set auth.allow_insecure_network = true to accept the risk`;
}

/**
 * The effective values as nested JSON, shaped like the TOML file (`{"http": {"port": 8086}}`),
 * so the output of `omendb config` reads like a config file.
 */
export function configValuesToJson(values: Readonly<ConfigValues>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of allKeys) {
    const parts = key.split(".");
    let t = out;
    for (const part of parts.slice(0, -1)) {
      const child = t[part];
      if (typeof child === "object" && child !== null) {
        t = child as Record<string, unknown>;
      } else {
        const fresh: Record<string, unknown> = {};
        t[part] = fresh;
        t = fresh;
      }
    }
    const value = values[key];
    // secrets: names only (`omendb config` output ends up in logs and tickets)
    t[parts[parts.length - 1] ?? key] = (configKeys[key] as KeySpec<unknown>).isSecret === true &&
        typeof value === "object" && value !== null
      ? Object.fromEntries(Object.keys(value).map((k) => [k, "(hidden)"]))
      : value;
  }
  return out;
}

/** One help line per key: flag, environment variable, default and meaning. */
export function configHelpLines(): string[] {
  return allKeys.map((key) => {
    const spec: KeySpec<unknown> = configKeys[key];
    const flag = `--${flagNameOf(key)}${typeof spec.default === "boolean" ? "" : " V"}`;
    return `  ${flag.padEnd(32)} ${spec.help} (env ${envNameOf(key)}, default ${
      JSON.stringify(spec.default)
    })`;
  });
}

/**
 * Line-protocol parse Workers by default: one from 4 cores up (parsing then overlaps appending),
 * none below. On 2 cores the main thread and the checkpoint Worker already keep both busy
 * during ingest: measured there, a parse Worker cost about 8% more CPU and gained nothing.
 */
export function defaultParseWorkers(): number {
  return (navigator.hardwareConcurrency ?? 1) >= 4 ? 1 : 0;
}
