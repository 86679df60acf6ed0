import assert from "node:assert/strict";
import {
  ConfigError,
  configValuesToJson,
  defaultParseWorkers,
  envNameOf,
  flagNameOf,
  insecureNetworkProblem,
  isLoopbackHost,
  resolveConfig,
} from "./config.ts";

Deno.test("config: defaults", () => {
  const { config, sources, warnings } = resolveConfig({ cwd: "/caller" });
  assert.deepEqual(config, {
    dataDir: "/caller/data",
    memory: false,
    transaction: { timeoutMs: 3_600_000, idleTimeoutMs: 600_000, openMax: 1024 },
    query: { memoryBytesMax: 1024 * 1024 * 1024, resultRowsMax: 0 },
    ingest: { parseWorkers: defaultParseWorkers() },
    http: {
      host: "127.0.0.1",
      port: 8086,
      bodyBytesMax: 64 * 1024 * 1024,
      queryTimeoutMs: 30_000,
      inflightRequestsMax: 256,
      shutdownTimeoutMs: 10_000,
    },
    pg: {
      enabled: true,
      host: "127.0.0.1",
      port: 5433,
      maxConnections: 100,
      idleSessionTimeoutMs: 0,
      busyPollMicros: 200,
      tlsCertFile: "",
      tlsKeyFile: "",
      trustLoopback: true,
      authMethod: "scram-sha-256",
    },
    log: { level: "info", queries: false, slowQueryMs: 0 },
    auth: { enabled: false, users: new Map(), allowInsecureNetwork: false },
  });
  assert.equal(sources["http.port"], "default");
  assert.deepEqual(warnings, []);
});

Deno.test("config: file < env < flags, with sources", () => {
  const file = {
    path: "/etc/omendb/omendb.toml",
    text: 'data_dir = "db"\n[http]\nport = 1000\nhost = "0.0.0.0"\n[log]\nlevel = "warn"\n',
  };
  const { config, sources } = resolveConfig({
    cwd: "/caller",
    file,
    env: { OMENDB_HTTP_PORT: "2000", OMENDB_LOG_LEVEL: "debug", HOME: "/root" },
    flags: { "http.port": "3000", memory: true },
  });
  assert.equal(config.http.port, 3000);
  assert.equal(sources["http.port"], "flag");
  assert.equal(config.http.host, "0.0.0.0");
  assert.equal(sources["http.host"], "file");
  assert.equal(config.log.level, "debug");
  assert.equal(sources["log.level"], "env");
  assert.equal(config.memory, true);
  // A relative path in the file resolves against the file's folder.
  assert.equal(config.dataDir, "/etc/omendb/db");
});

Deno.test("config: relative paths from env and flags resolve against the caller's folder", () => {
  assert.equal(
    resolveConfig({ cwd: "/home/me", env: { OMENDB_DATA_DIR: "x/y" } }).config.dataDir,
    "/home/me/x/y",
  );
  assert.equal(
    resolveConfig({ cwd: "/home/me", flags: { data_dir: "../z" } }).config.dataDir,
    "/home/z",
  );
  assert.equal(
    resolveConfig({ cwd: "/home/me", flags: { data_dir: "/abs" } }).config.dataDir,
    "/abs",
  );
});

Deno.test("config: booleans from env", () => {
  assert.equal(resolveConfig({ cwd: "/", env: { OMENDB_MEMORY: "true" } }).config.memory, true);
  assert.equal(resolveConfig({ cwd: "/", env: { OMENDB_MEMORY: "0" } }).config.memory, false);
});

Deno.test("config: bad values name the key, the source and the accepted values", () => {
  const cases: [Parameters<typeof resolveConfig>[0], RegExp][] = [
    [
      { cwd: "/", env: { OMENDB_HTTP_PORT: "abc" } },
      /invalid value for http\.port \(from environment variable OMENDB_HTTP_PORT\): "abc"; accepted: an integer from 0 to 65535/,
    ],
    [
      { cwd: "/", flags: { "http.port": "70000" } },
      /http\.port \(from flag --http-port\).*an integer from 0 to 65535/,
    ],
    [
      { cwd: "/", flags: { "log.level": "loud" } },
      /log\.level.*"loud"; accepted: one of debug, info, warn, error/,
    ],
    [{ cwd: "/", env: { OMENDB_MEMORY: "maybe" } }, /memory.*accepted: true or false/],
    [{ cwd: "/", flags: { "http.host": "  " } }, /http\.host.*a non-empty string/],
    [
      { cwd: "/", file: { path: "/c.toml", text: "[http]\nport = 1.5" } },
      /http\.port \(from the config file\): 1\.5/,
    ],
    [
      { cwd: "/", file: { path: "/c.toml", text: "[http]\nprot = 1" } },
      /\/c\.toml: unknown key "http\.prot"; known keys: data_dir, memory, http\.host/,
    ],
    [
      { cwd: "/", file: { path: "/c.toml", text: "port = " } },
      /\/c\.toml: TOML line 1: missing value/,
    ],
  ];
  for (const [inputs, re] of cases) {
    assert.throws(() => resolveConfig(inputs), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, re);
      return true;
    });
  }
});

Deno.test("config: unknown OMENDB_* variables warn, others are ignored", () => {
  const { warnings } = resolveConfig({
    cwd: "/",
    env: { OMENDB_HTTP_PROT: "1", OMENDB_CONFIG: "/x.toml", PATH: "/bin" },
  });
  assert.deepEqual(warnings, ["ignoring unknown environment variable OMENDB_HTTP_PROT"]);
});

Deno.test("config: names and JSON form", () => {
  assert.equal(envNameOf("http.body_bytes_max"), "OMENDB_HTTP_BODY_BYTES_MAX");
  assert.equal(flagNameOf("http.body_bytes_max"), "http-body-bytes-max");
  const { values } = resolveConfig({ cwd: "/d", flags: { "http.port": "0" } });
  assert.deepEqual(configValuesToJson(values), {
    data_dir: "/d/data",
    memory: false,
    transaction: { timeout_ms: 3600000, idle_timeout_ms: 600000, open_max: 1024 },
    query: { memory_bytes_max: 1073741824, result_rows_max: 0 },
    ingest: { parse_workers: defaultParseWorkers() },
    http: {
      host: "127.0.0.1",
      port: 0,
      body_bytes_max: 67108864,
      query_timeout_ms: 30000,
      inflight_requests_max: 256,
      shutdown_timeout_ms: 10000,
    },
    pg: {
      enabled: true,
      host: "127.0.0.1",
      port: 5433,
      max_connections: 100,
      idle_session_timeout_ms: 0,
      busy_poll_us: 200,
      tls_cert_file: "",
      tls_key_file: "",
      trust_loopback: true,
      auth_method: "scram-sha-256",
    },
    log: { level: "info", queries: false, slow_query_ms: 0 },
    auth: { enabled: false, users: {}, allow_insecure_network: false },
  });
});

Deno.test("config: ingest.parse_workers: one Worker from four cores up, bounded, 0 allowed", () => {
  assert.equal(defaultParseWorkers(), navigator.hardwareConcurrency >= 4 ? 1 : 0);
  const { config } = resolveConfig({ cwd: "/", env: { OMENDB_INGEST_PARSE_WORKERS: "0" } });
  assert.equal(config.ingest.parseWorkers, 0);
  assert.throws(
    () => resolveConfig({ cwd: "/", flags: { "ingest.parse_workers": "65" } }),
    /ingest\.parse_workers/,
  );
});

Deno.test("config: limits of the HTTP server and of queries", () => {
  const { config } = resolveConfig({
    cwd: "/",
    file: {
      path: "/c.toml",
      text: "[query]\nmemory_bytes_max = 1048576\nresult_rows_max = 10\n" +
        "[http]\ninflight_requests_max = 8\n",
    },
    env: { OMENDB_HTTP_SHUTDOWN_TIMEOUT_MS: "250" },
  });
  assert.deepEqual(config.query, { memoryBytesMax: 1_048_576, resultRowsMax: 10 });
  assert.equal(config.http.inflightRequestsMax, 8);
  assert.equal(config.http.shutdownTimeoutMs, 250);
  assert.throws(
    () => resolveConfig({ cwd: "/", flags: { "http.inflight_requests_max": "0" } }),
    /http\.inflight_requests_max \(from flag --http-inflight-requests-max\).*from 1 to/,
  );
  assert.throws(
    () => resolveConfig({ cwd: "/", env: { OMENDB_QUERY_MEMORY_BYTES_MAX: "-1" } }),
    /query\.memory_bytes_max/,
  );
});

const pencil =
  "SCRAM-SHA-256$4096:2+P2Q9FEFknOmykkGcjzVg==$kW30/DRUhdcXjphjDK1HZ6YCPAQT6wtu339G3Dp6Svc=:gSIukXwuwss+OnzVLgA8tK1PxcmFrsidmUqf9Hj1qvs=";

Deno.test("config: auth keys, auth.users as a TOML table or JSON in the environment", () => {
  const file = {
    path: "/etc/omendb.toml",
    text: `[auth]\nenabled = true\n[auth.users]\nann = "${pencil}"\n"bob smith" = "${pencil}"\n`,
  };
  const { config, values } = resolveConfig({ cwd: "/", file });
  assert.equal(config.auth.enabled, true);
  assert.deepEqual([...config.auth.users.keys()], ["ann", "bob smith"]);
  assert.equal(config.auth.users.get("ann"), pencil);
  // `omendb config` shows names, not verifiers
  assert.deepEqual(configValuesToJson(values).auth, {
    enabled: true,
    users: { ann: "(hidden)", "bob smith": "(hidden)" },
    allow_insecure_network: false,
  });
  const env = { OMENDB_AUTH_USERS: JSON.stringify({ cy: pencil }) };
  assert.deepEqual([...resolveConfig({ cwd: "/", env }).config.auth.users.keys()], ["cy"]);
});

Deno.test("config: auth.users takes verifiers only, and does not echo them", () => {
  const bad = [
    { path: "/c.toml", text: '[auth.users]\nann = "plain password"\n' },
    { path: "/c.toml", text: "[auth.users]\nann = 5\n" },
    { path: "/c.toml", text: '[auth]\nusers = "x"\n' },
  ];
  for (const file of bad) {
    assert.throws(
      () => resolveConfig({ cwd: "/", file }),
      (e) =>
        e instanceof ConfigError && e.message.includes("auth.users") &&
        !e.message.includes("plain password") && e.message.includes("SCRAM-SHA-256$"),
    );
  }
  assert.throws(
    () => resolveConfig({ cwd: "/", env: { OMENDB_AUTH_USERS: "{nope" } }),
    (e) => e instanceof ConfigError && e.message.includes("OMENDB_AUTH_USERS"),
  );
  assert.throws(
    () => resolveConfig({ cwd: "/", file: { path: "/c.toml", text: "[auth]\nenabled = 3\n" } }),
    (e) => e instanceof ConfigError && e.message.includes("auth.enabled"),
  );
});

Deno.test("config: serving beyond loopback needs auth or auth.allow_insecure_network", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST"]) {
    assert(isLoopbackHost(h), h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1"]) {
    assert(!isLoopbackHost(h), h);
  }
  const at = (host: string, extra: Record<string, string> = {}) =>
    insecureNetworkProblem(
      resolveConfig({ cwd: "/", flags: { "http.host": host, ...extra } }).config,
    );
  assert.equal(at("127.0.0.1"), null);
  assert.match(at("0.0.0.0") ?? "", /auth\.enabled.*allow_insecure_network/s);
  assert.equal(at("0.0.0.0", { "auth.enabled": "true" }), null);
  assert.equal(at("0.0.0.0", { "auth.allow_insecure_network": "true" }), null);
});

Deno.test("config: pg keys, and a non-loopback pg.host without auth is refused", () => {
  const { config } = resolveConfig({
    cwd: "/d",
    env: { OMENDB_PG_PORT: "0", OMENDB_PG_TLS_CERT_FILE: "c.pem" },
    flags: { "pg.host": "0.0.0.0" },
  });
  assert.equal(config.pg.port, 0);
  assert.equal(config.pg.tlsCertFile, "/d/c.pem");
  assert.match(insecureNetworkProblem(config) ?? "", /pg\.host = 0\.0\.0\.0/);
  assert.throws(
    () => resolveConfig({ cwd: "/", flags: { "pg.port": "70000" } }),
    /pg\.port .*an integer from 0 to 65535/,
  );
});
