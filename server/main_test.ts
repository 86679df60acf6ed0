// End to end: the real `omendb` process, real sockets, real files.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { Database } from "../mod.ts";
import { walHeaderBytes, walRecordHeaderBytes } from "../plugins/wal/mod.ts";

const repoRoot = resolve(import.meta.dirname ?? ".", "..");
const mainTs = join(repoRoot, "server", "main.ts");
/** How long a spawned server may take to print its listening line (first run compiles). */
const listenTimeoutMs = 60_000;

interface Proc {
  child: Deno.ChildProcess;
  /** Every stdout line so far, parsed as JSON. */
  events: Record<string, unknown>[];
  /** Resolves with the first event named `name`. */
  waitFor(name: string): Promise<Record<string, unknown>>;
  /** Waits for the exit; returns the code and the whole stderr. */
  finish(): Promise<{ code: number; stderr: string }>;
}

function spawn(
  args: string[],
  env: Record<string, string> = {},
  denoFlags: readonly string[] = [],
): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    // a free PostgreSQL port too, so that parallel tests do not race for 5433
    args: [
      "run",
      "-A",
      ...denoFlags,
      mainTs,
      ...args,
      ...(args[0] === "serve" && !args.includes("--pg-port") ? ["--pg-port", "0"] : []),
    ],
    cwd: repoRoot,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const events: Record<string, unknown>[] = [];
  const waiters: { name: string; resolve: (e: Record<string, unknown>) => void }[] = [];
  const stdoutDone = (async () => {
    let buffer = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const event = JSON.parse(line) as Record<string, unknown>; // every line must be JSON
        events.push(event);
        for (const w of waiters.filter((w) => w.name === event.event)) w.resolve(event);
      }
    }
    assert.equal(buffer, "", "stdout ends with a newline");
  })();
  const stderrText = new Response(child.stderr).text();
  return {
    child,
    events,
    waitFor(name) {
      const seen = events.find((e) => e.event === name);
      if (seen !== undefined) return Promise.resolve(seen);
      const { promise, resolve } = Promise.withResolvers<Record<string, unknown>>();
      waiters.push({ name, resolve });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(async () => {
          reject(new Error(`no "${name}" event within ${listenTimeoutMs} ms: ${await stderrText}`));
        }, listenTimeoutMs);
      });
      const exited = child.status.then(async (s) => {
        await stdoutDone;
        const again = events.find((e) => e.event === name);
        if (again !== undefined) return again;
        throw new Error(`exited with ${s.code} before "${name}": ${await stderrText}`);
      });
      return Promise.race([promise, timeout, exited]).finally(() => clearTimeout(timer));
    },
    async finish() {
      const status = await child.status;
      await stdoutDone;
      return { code: status.code, stderr: await stderrText };
    },
  };
}

async function sql(port: number, text: string, params?: unknown[]): Promise<Response> {
  return await fetch(`http://127.0.0.1:${port}/sql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params === undefined ? { sql: text } : { sql: text, params }),
  });
}

async function startServer(dataDir: string): Promise<{ proc: Proc; port: number }> {
  const proc = spawn(["serve", "--http-port", "0", "--data-dir", dataDir]);
  const listening = await proc.waitFor("listening");
  assert.equal(typeof listening.http, "number");
  assert.ok((listening.http as number) > 0);
  return { proc, port: listening.http as number };
}

async function stopServer(proc: Proc): Promise<void> {
  proc.child.kill("SIGTERM");
  const { code, stderr } = await proc.finish();
  assert.equal(code, 0, `exit code 0 after SIGTERM; stderr: ${stderr}`);
  // a clean stop checkpoints (segments written) between "stopping" and "stopped"
  const names = proc.events.map((e) => e.event);
  assert.equal(names.at(-1), "stopped");
  const between = names.slice(names.lastIndexOf("stopping") + 1, -1);
  assert.ok(
    names.includes("stopping") &&
      between.every((n) => n === "segment_written" || n === "checkpoint"),
    names.join(),
  );
  for (const e of proc.events) {
    assert.match(String(e.ts), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(["debug", "info", "warn", "error"].includes(String(e.level)));
  }
}

Deno.test("e2e: serve, write over HTTP, SIGTERM, restart on the same data dir", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "omendb_e2e_" });
  try {
    const first = await startServer(dataDir);
    const health = await fetch(`http://127.0.0.1:${first.port}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });

    let res = await sql(
      first.port,
      "CREATE TABLE readings (ts TIMESTAMPTZ NOT NULL, sensor TEXT, value DOUBLE PRECISION, n BIGINT)",
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).command, "CREATE TABLE");

    res = await sql(
      first.port,
      "INSERT INTO readings VALUES ('2016-01-01 00:00:00+00', 'a', 1.5, 9007199254740993), " +
        "('2016-01-01 00:00:01.000001+00', 'b', $1, $2)",
      [-2.25, 7],
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).command, "INSERT 0 2");

    res = await sql(first.port, "SELECT sensor, value, n, ts FROM readings ORDER BY ts");
    assert.equal(res.status, 200);
    const before = await res.json();
    assert.deepEqual(before.columns, [
      { name: "sensor", type: "text" },
      { name: "value", type: "float8" },
      { name: "n", type: "int8" },
      { name: "ts", type: "timestamptz" },
    ]);
    assert.deepEqual(before.rows, [
      ["a", 1.5, "9007199254740993", "2016-01-01T00:00:00.000000Z"],
      ["b", -2.25, 7, "2016-01-01T00:00:01.000001Z"],
    ]);
    assert.equal(before.command, "SELECT 2");

    const bad = await sql(first.port, "SELECT FROM WHERE");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "42601");

    // A second server on the same data dir is refused: exit 1, reason logged.
    const rival = spawn(["serve", "--http-port", "0", "--data-dir", dataDir]);
    const rivalEnd = await rival.finish();
    assert.equal(rivalEnd.code, 1);
    const failed = rival.events.find((e) => e.event === "startup_failed");
    assert.equal((failed?.error as { code?: string } | undefined)?.code, "55006");

    await stopServer(first.proc);

    const second = await startServer(dataDir);
    res = await sql(second.port, "SELECT sensor, value, n, ts FROM readings ORDER BY ts");
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).rows, before.rows, "rows survive a restart");
    await stopServer(second.proc);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("e2e: --memory serves without a data dir; SIGINT stops it cleanly", async () => {
  const proc = spawn(["serve", "--memory", "--http-port", "0"]);
  const port = (await proc.waitFor("listening")).http as number;
  const res = await sql(port, "SELECT 1 + 1 AS two");
  assert.deepEqual((await res.json()).rows, [[2]]);
  proc.child.kill("SIGINT");
  const { code } = await proc.finish();
  assert.equal(code, 0);
  assert.equal(proc.events.at(-1)?.event, "stopped");
});

Deno.test("e2e: a taken port fails startup with exit code 1 and a logged reason", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const proc = spawn(["serve", "--memory", "--http-port", String(listener.addr.port)]);
  const { code } = await proc.finish();
  assert.equal(code, 1);
  const failed = proc.events.find((e) => e.event === "startup_failed");
  assert.ok(failed !== undefined, JSON.stringify(proc.events));
  assert.match(
    String(failed.reason),
    new RegExp(`cannot listen on 127\\.0\\.0\\.1:${listener.addr.port}`),
  );
});

/** Opens a raw connection and sends a POST /sql whose body stops after `first`. */
async function startSlowPost(
  port: number,
  first: string,
  rest: string,
): Promise<{ finishBody(): Promise<void>; response(): Promise<string>; conn: Deno.TcpConn }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const enc = new TextEncoder();
  const head = `POST /sql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n` +
    `Content-Length: ${enc.encode(first + rest).length}\r\nConnection: close\r\n\r\n`;
  await conn.write(enc.encode(head + first));
  return {
    conn,
    finishBody: async () => {
      await conn.write(enc.encode(rest));
    },
    response: async () => {
      let text = "";
      const dec = new TextDecoder();
      const buf = new Uint8Array(4096);
      for (;;) {
        let n: number | null;
        try {
          n = await conn.read(buf);
        } catch {
          break; // reset by the peer
        }
        if (n === null) break;
        text += dec.decode(buf.subarray(0, n), { stream: true });
      }
      conn.close();
      return text + dec.decode();
    },
  };
}

/** The value of an unlabeled sample in the server's /metrics. */
async function metricValue(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** Waits until `n` requests besides the /metrics probe itself are in flight. */
async function waitInFlight(port: number, n: number): Promise<void> {
  const deadline = Date.now() + listenTimeoutMs;
  while ((await metricValue(port, "omendb_http_requests_in_flight")) < n + 1) {
    assert.ok(Date.now() < deadline, `${n} requests in flight`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("e2e: probes and metrics over a socket", async () => {
  const proc = spawn([
    "serve",
    "--memory",
    "--http-port",
    "0",
    "--query-result-rows-max",
    "2",
    "--query-memory-bytes-max",
    "100000",
  ]);
  const port = (await proc.waitFor("listening")).http as number;
  try {
    // the query limits reach the engine
    const rows = await sql(port, "SELECT g FROM generate_series(1, 3) AS s(g)");
    assert.equal(rows.status, 400);
    assert.match((await rows.json()).error.message, /more than 2 rows/);
    const memory = await sql(port, "SELECT count(DISTINCT g) FROM generate_series(1, 100000) s(g)");
    assert.equal(memory.status, 503);
    assert.equal((await memory.json()).error.code, "53200");

    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready" });
    const ping = await fetch(`http://127.0.0.1:${port}/ping`);
    assert.equal(ping.status, 204);
    assert.match(ping.headers.get("x-influxdb-version") ?? "", /^1\./);
    await (await sql(port, "SELECT 1")).body?.cancel();
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^omendb_http_requests_total\{route="\/sql",status_class="2xx"\} 1$/m);
    assert.match(text, /^omendb_query_duration_seconds_count\{kind="select"\} 3$/m);
    assert.match(text, /^omendb_query_errors_total\{sqlstate_class="53"\} 1$/m);
    assert.match(text, /^omendb_process_resident_memory_bytes \d+$/m);
    assert.match(text, /^omendb_process_cpu_seconds_total [\d.e+-]+$/m);
    assert.match(text, /^omendb_wal_files 0$/m, "no WAL in memory");
  } finally {
    proc.child.kill("SIGTERM");
    assert.equal((await proc.finish()).code, 0);
  }
});

Deno.test("e2e: non-loopback without auth stops startup; with auth, requests need credentials", async () => {
  const refused = spawn(["serve", "--memory", "--http-host", "0.0.0.0", "--http-port", "0"]);
  const { code, stderr } = await refused.finish();
  assert.equal(code, 2);
  assert.match(
    stderr,
    /refusing to serve on http\.host = 0\.0\.0\.0.*auth\.allow_insecure_network/,
  );

  // "pencil", made by PostgreSQL 15
  const verifier =
    "SCRAM-SHA-256$4096:2+P2Q9FEFknOmykkGcjzVg==$kW30/DRUhdcXjphjDK1HZ6YCPAQT6wtu339G3Dp6Svc=:gSIukXwuwss+OnzVLgA8tK1PxcmFrsidmUqf9Hj1qvs=";
  const proc = spawn(["serve", "--memory", "--http-port", "0", "--auth-enabled"], {
    OMENDB_AUTH_USERS: JSON.stringify({ ann: verifier }),
  });
  const port = (await proc.waitFor("listening")).http as number;
  try {
    const anonymous = await sql(port, "SELECT 1");
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json()).error.code, "28000");
    const res = await fetch(`http://127.0.0.1:${port}/sql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Basic ${btoa("ann:pencil")}` },
      body: JSON.stringify({ sql: "SELECT 1 AS x" }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).rows, [[1]]);
    assert.equal((await fetch(`http://127.0.0.1:${port}/ping`)).status, 204);
  } finally {
    proc.child.kill("SIGTERM");
    assert.equal((await proc.finish()).code, 0);
  }
});

Deno.test("e2e: SIGTERM lets a request in flight finish, then closes the database", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "omendb_drain_" });
  try {
    const { proc, port } = await startServer(dataDir);
    const created = await sql(port, "CREATE TABLE t (n INTEGER)");
    assert.equal(created.status, 200, await created.text());
    // the request's body arrives in two parts; SIGTERM comes between them
    const slow = await startSlowPost(port, "INSERT INTO t ", "VALUES (42)");
    await waitInFlight(port, 1);
    proc.child.kill("SIGTERM");
    await proc.waitFor("stopping");
    // while it drains: not ready, and new work is refused so that clients go elsewhere
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 503);
    assert.equal((await ready.json()).reason, "the server is shutting down");
    const refused = await sql(port, "SELECT 1");
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get("connection"), "close");
    assert.equal((await refused.json()).error.code, "57P03");
    await slow.finishBody();
    const response = await slow.response();
    assert.match(response, /^HTTP\/1\.1 200 /, response);
    assert.match(response, /"command":"INSERT 0 1"/);
    const { code, stderr } = await proc.finish();
    assert.equal(code, 0, stderr);
    const names = proc.events.map((e) => e.event);
    assert.ok(!names.some((n) => /timeout|error/.test(String(n))), names.join());
    assert.equal(proc.events.find((e) => e.event === "stopping")?.inFlight, 1);
    assert.equal(names.at(-1), "stopped");
    // no new connections once it has stopped
    await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port }));
    // the write made it to disk before the database closed
    const db = await Database.open({ path: dataDir });
    assert.deepEqual((await db.query("SELECT n FROM t")).rows, [[42]]);
    await db.close();
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("e2e: past http.shutdown_timeout_ms the server stops anyway and exits 0", async () => {
  const proc = spawn([
    "serve",
    "--memory",
    "--http-port",
    "0",
    "--http-shutdown-timeout-ms",
    "300",
  ]);
  const port = (await proc.waitFor("listening")).http as number;
  const stuck = await startSlowPost(port, "SELECT ", "1"); // the rest never comes
  await waitInFlight(port, 1);
  const sent = Date.now();
  proc.child.kill("SIGTERM");
  const { code, stderr } = await proc.finish();
  assert.equal(code, 0, stderr);
  assert.ok(Date.now() - sent < 10_000, "did not wait for the stuck request");
  const timeout = proc.events.find((e) => e.event === "shutdown_timeout");
  assert.equal(timeout?.graceMs, 300);
  assert.equal(timeout?.inFlight, 1);
  // the unfinished body is the client's problem, not an internal error
  assert.ok(!proc.events.some((e) => e.event === "internal_error"), JSON.stringify(proc.events));
  assert.equal(proc.events.at(-1)?.event, "stopped");
  await stuck.response(); // the connection ends with the process
});

Deno.test("cli: bad flags and config values exit 2 with a message naming the key", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["serve", "--http-prot", "1"], {}, /Unknown option '--http-prot'/],
    [
      ["serve", "--http-port", "abc"],
      {},
      /http\.port \(from flag --http-port\).*an integer from 0 to 65535/,
    ],
    [["config"], { OMENDB_LOG_LEVEL: "loud" }, /log\.level.*one of debug, info, warn, error/],
    [["frobnicate"], {}, /unknown subcommand "frobnicate"/],
    [["config", "--config", "/nonexistent/omendb.toml"], {}, /cannot read config file.*not found/],
  ];
  for (const [args, env, re] of cases) {
    const proc = spawn(args, env);
    const { code, stderr } = await proc.finish();
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, re);
  }
});

Deno.test("cli: config prints the effective config; relative paths use INIT_CWD", async () => {
  const dir = await Deno.makeTempDir({ prefix: "omendb_cfg_" });
  try {
    await Deno.writeTextFile(
      join(dir, "omendb.toml"),
      '# test config\ndata_dir = "from_file"\n[http]\nport = 9001\nhost = "0.0.0.0"\n',
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", mainTs, "config", "--config", "omendb.toml", "--http-port", "9003"],
      cwd: repoRoot,
      env: { NO_COLOR: "1", INIT_CWD: dir, OMENDB_HTTP_PORT: "9002", OMENDB_DATA_DIR: "from_env" },
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const printed = JSON.parse(new TextDecoder().decode(out.stdout));
    assert.equal(printed.http.port, 9003, "flag beats env beats file");
    assert.equal(printed.http.host, "0.0.0.0", "file beats default");
    assert.equal(printed.data_dir, join(dir, "from_env"), "env path resolves against INIT_CWD");
    assert.equal(printed.log.level, "info");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: version and help exit 0", async () => {
  const version = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, "version"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(version.code, 0);
  assert.match(new TextDecoder().decode(version.stdout), /^omendb \d+\.\d+\.\d+ \(deno /);
  const help = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, "help"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(help.code, 0);
  assert.match(new TextDecoder().decode(help.stdout), /--http-port V/);
});

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(join(from, e.name), join(to, e.name));
    else await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

/** SHA-256 of every file under `dir`, by relative path. */
async function hashTree(dir: string, rel = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const e of Deno.readDir(join(dir, rel))) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) Object.assign(out, await hashTree(dir, path));
    else {
      const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(join(dir, path)));
      out[path] = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(
        "",
      );
    }
  }
  return out;
}

async function flipByte(file: string, at: number): Promise<void> {
  const bytes = await Deno.readFile(file);
  assert.ok(at < bytes.length, `${file} has ${bytes.length} bytes`);
  bytes[at]! ^= 0xff;
  await Deno.writeFile(file, bytes);
}

async function runVerify(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const o = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, "verify", ...args],
    cwd: repoRoot,
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout), err: dec.decode(o.stderr) };
}

Deno.test("cli: verify checks a data dir read-only; damage exits 1 naming the file", async () => {
  const root = await Deno.makeTempDir({ prefix: "omendb_verify_" });
  try {
    const live = join(root, "live");
    const db = await Database.open({ path: live });
    await db.query("CREATE TABLE t (ts TIMESTAMPTZ NOT NULL, v DOUBLE PRECISION)");
    await db.query(
      "INSERT INTO t SELECT TIMESTAMPTZ '2024-01-01' + i * INTERVAL '1 minute', i " +
        "FROM generate_series(1, 1000) AS g(i)",
    );
    await db.query("CHECKPOINT");
    for (let i = 1; i <= 3; i++) await db.query(`INSERT INTO t VALUES ('2024-02-0${i}', ${i})`);
    // a crash image: segments plus a WAL that the next open would replay
    const clean = join(root, "clean");
    await copyDir(live, clean);

    // the LOCK is held (by this process): verify says so and exits 1
    const locked = await runVerify(live);
    assert.equal(locked.code, 1, locked.err);
    assert.match(locked.out, /^error LOCK: the data directory is in use/m);
    await db.close();

    const segment = "tables/1-t/0000000001.parquet";
    const before = await hashTree(clean);
    assert.ok(segment in before, Object.keys(before).join());
    const walFile = Object.keys(before).find((f) => f.startsWith("wal/"));
    assert.ok(walFile !== undefined);

    const ok = await runVerify(clean);
    assert.equal(ok.code, 0, ok.out + ok.err);
    assert.equal(ok.out, "verify: 0 errors, 0 warnings, 1 segments, 1000 rows, 1 WAL files\n");
    const json = await runVerify(clean, "--json");
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.out).problems, []);
    assert.deepEqual(await hashTree(clean), before, "verify changed no file");

    // a stray file under tables/ is a warning, exit 0
    const stray = join(root, "stray");
    await copyDir(clean, stray);
    await Deno.writeFile(join(stray, "tables/1-t/0000000009.parquet"), new Uint8Array(10));
    const warned = await runVerify(stray);
    assert.equal(warned.code, 0, warned.out);
    assert.match(
      warned.out,
      /^warning tables\/1-t\/0000000009\.parquet: not named by the manifest/m,
    );
    assert.match(warned.out, /verify: 0 errors, 1 warnings,/);

    // a flipped byte in the middle of a segment
    const badSegment = join(root, "bad_segment");
    await copyDir(clean, badSegment);
    await flipByte(join(badSegment, segment), 2000);
    const seg = await runVerify(badSegment);
    assert.equal(seg.code, 1, seg.out);
    assert.match(seg.out, new RegExp(`^error ${segment}: .*checksum`, "m"));
    assert.match(seg.out, /verify: 1 errors, 0 warnings, 1 segments, 1000 rows, 1 WAL files/);
    const before2 = await hashTree(badSegment);
    const segJson = await runVerify(badSegment, "--json");
    assert.equal(segJson.code, 1);
    assert.equal(JSON.parse(segJson.out).problems[0].file, segment);
    assert.deepEqual(await hashTree(badSegment), before2, "verify changed no file");

    // a flipped byte in the first of several WAL records (not a torn tail)
    const badWal = join(root, "bad_wal");
    await copyDir(clean, badWal);
    await flipByte(join(badWal, walFile), walHeaderBytes + walRecordHeaderBytes);
    const wal = await runVerify(badWal);
    assert.equal(wal.code, 1, wal.out);
    assert.match(wal.out, new RegExp(`^error ${walFile} at offset ${walHeaderBytes}: `, "m"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("cli: verify without a directory, or with a missing one, exits 2", async () => {
  const cases: [string[], RegExp][] = [
    [[], /verify needs a data directory/],
    [["/nonexistent/omendb-data"], /no such data directory/],
    [["a", "b"], /verify takes one data directory/],
    [["--jsn", "x"], /Unknown option '--jsn'/],
  ];
  for (const [args, re] of cases) {
    const r = await runVerify(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.out}${r.err}`);
    assert.match(r.err, re);
  }
});

/** Old-generation heap the server gets in the streaming test, in MiB: a few batches fit. */
const streamHeapMiB = 64;
/** Rows of the streamed result: materialised, they would need several times that heap. */
const streamRows = 3_000_000;

Deno.test("e2e: a multi-million-row result streams over a real socket within a small server heap", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "omendb_stream_" });
  const proc = spawn(
    ["serve", "--http-port", "0", "--data-dir", dataDir],
    {},
    [`--v8-flags=--max-old-space-size=${streamHeapMiB}`],
  );
  try {
    const port = (await proc.waitFor("listening")).http as number;
    // JSON: the server would run out of heap holding the rows or the body; count the rows as
    // they arrive (one "[" per row, two before the first)
    const res = await sql(port, `SELECT x FROM generate_series(1, ${streamRows}) AS g(x)`);
    assert.equal(res.status, 200);
    let brackets = 0;
    let tail = "";
    for await (const chunk of res.body!) {
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x5b) brackets++;
      tail = (tail + new TextDecoder().decode(chunk.subarray(-200))).slice(-200);
    }
    assert.equal(brackets - 2, streamRows);
    assert.match(tail, new RegExp(`\\],"rowCount":${streamRows},"command":"SELECT ${streamRows}"`));

    // a client that goes away mid-body: the message's transaction is rolled back
    await sql(port, "CREATE TABLE t (x INT)");
    const ac = new AbortController();
    const cut = await fetch(`http://127.0.0.1:${port}/sql`, {
      method: "POST",
      body: `INSERT INTO t VALUES (1); SELECT x FROM generate_series(1, ${streamRows}) AS g(x)`,
      signal: ac.signal,
    });
    const reader = cut.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.closed.catch(() => {});
    let count = -1;
    for (let i = 0; i < 100 && count !== 0; i++) {
      const r = await (await sql(port, "SELECT count(*) FROM t")).json();
      count = r.rows[0][0];
      if (count !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(count, 0, "the INSERT of the abandoned request was rolled back");

    // CSV has no place for an error: the body is cut off, which the client sees
    const csv = await fetch(`http://127.0.0.1:${port}/sql`, {
      method: "POST",
      headers: { accept: "text/csv" },
      body: "SELECT x, 6000 / (x - 3000) FROM generate_series(1, 5000) AS g(x)",
    });
    assert.equal(csv.status, 200);
    await assert.rejects(csv.text());
    const after = await sql(port, "SELECT 1 AS one");
    assert.deepEqual((await after.json()).rows, [[1]], "the server keeps serving");
    await stopServer(proc);
  } finally {
    if ((await Promise.race([proc.child.status, Promise.resolve(null)])) === null) {
      proc.child.kill("SIGKILL");
      await proc.child.status;
    }
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("e2e: SIGTERM while a result streams: it may finish within the grace period, then its query is cancelled in-band", async () => {
  const proc = spawn([
    "serve",
    "--memory",
    "--http-port",
    "0",
    "--http-shutdown-timeout-ms",
    "500",
  ]);
  try {
    const port = (await proc.waitFor("listening")).http as number;
    const res = await fetch(`http://127.0.0.1:${port}/sql`, {
      method: "POST",
      headers: { accept: "application/jsonl" },
      body: `SELECT x FROM generate_series(1, ${streamRows}) AS g(x)`,
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read(); // the first rows; the client then reads slowly
    const sent = Date.now();
    proc.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 800)); // past the grace period
    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (text.length > 4096) text = text.slice(-4096);
    }
    const last = JSON.parse(text.trimEnd().split("\n").at(-1)!);
    assert.equal(last.error?.code, "57014", "the body ends with the cancellation, not cut off");
    const { code, stderr } = await proc.finish();
    assert.equal(code, 0, stderr);
    assert.ok(Date.now() - sent < 10_000);
    const timeout = proc.events.find((e) => e.event === "shutdown_timeout");
    assert.equal(timeout?.inFlight, 1, "the streaming response counted as in flight");
  } finally {
    if ((await Promise.race([proc.child.status, Promise.resolve(null)])) === null) {
      proc.child.kill("SIGKILL");
      await proc.child.status;
    }
  }
});
