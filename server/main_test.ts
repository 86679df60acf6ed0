// End to end: the real `omendb` process, real sockets, real files.
import assert from "node:assert/strict";
import { join, resolve } from "node:path";

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

function spawn(args: string[], env: Record<string, string> = {}): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, ...args],
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
