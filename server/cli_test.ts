import assert from "node:assert/strict";
import { CliUsageError, helpText, parseCli } from "./cli.ts";

Deno.test("cli: subcommands", () => {
  assert.deepEqual(parseCli(["help"]), { kind: "help" });
  assert.deepEqual(parseCli(["--help"]), { kind: "help" });
  assert.deepEqual(parseCli(["version"]), { kind: "version" });
  assert.deepEqual(parseCli(["config"]), { kind: "config", flags: {}, configPath: undefined });
});

Deno.test("cli: serve flags map to config keys", () => {
  assert.deepEqual(
    parseCli([
      "serve",
      "--config",
      "omendb.toml",
      "--data-dir",
      "d",
      "--http-host",
      "0.0.0.0",
      "--http-port=0",
      "--memory",
      "--log-level",
      "debug",
    ]),
    {
      kind: "serve",
      configPath: "omendb.toml",
      flags: {
        data_dir: "d",
        "http.host": "0.0.0.0",
        "http.port": "0",
        memory: true,
        "log.level": "debug",
      },
    },
  );
  const neg = parseCli(["serve", "--no-memory"]);
  assert.ok(neg.kind === "serve" && neg.flags.memory === false);
});

Deno.test("cli: usage errors", () => {
  const cases: [string[], RegExp][] = [
    [[], /missing subcommand/],
    [["serv"], /unknown subcommand "serv"; subcommands: serve, config, verify, version, help/],
    [["serve", "--http-prot", "1"], /serve: Unknown option '--http-prot'/],
    [["serve", "extra"], /serve: Unexpected argument 'extra'/],
    [["serve", "--http-port"], /http-port/],
    [["version", "x"], /version takes no arguments/],
    [["verify"], /verify needs a data directory/],
    [["verify", "a", "b"], /verify takes one data directory, got "b"/],
    [["verify", "--data-dir", "a"], /verify: Unknown option '--data-dir'/],
  ];
  assert.deepEqual(parseCli(["verify", "d", "--json"]), {
    kind: "verify",
    dataDir: "d",
    json: true,
  });
  for (const [args, re] of cases) {
    assert.throws(() => parseCli(args), (e: unknown) => {
      assert.ok(e instanceof CliUsageError, `for ${args.join(" ")}`);
      assert.match(e.message, re);
      return true;
    });
  }
});

Deno.test("cli: help lists every flag with its env var", () => {
  const text = helpText();
  for (
    const s of ["--data-dir", "OMENDB_DATA_DIR", "--http-port", "OMENDB_HTTP_PORT", "--memory"]
  ) {
    assert.ok(text.includes(s), `help mentions ${s}`);
  }
});
