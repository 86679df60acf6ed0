/**
 * The `omendb` command line: subcommands and flags, parsed without touching the process.
 * Flags for config keys are derived from {@link configKeys}: `http.port` is `--http-port`.
 *
 * @example
 * ```ts
 * import { parseCli } from "./cli.ts";
 * const cmd = parseCli(["serve", "--http-port", "0", "--memory"]);
 * console.assert(cmd.kind === "serve" && cmd.flags["http.port"] === "0" && cmd.flags.memory === true);
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { configHelpLines, type ConfigKey, configKeys, flagNameOf } from "./config.ts";

/** The command line is wrong: print the message and exit with code 2. */
export class CliUsageError extends Error {
  /** An error with a message for the user. */
  constructor(message: string) {
    super(message);
    this.name = "CliUsageError";
  }
}

/** Subcommands that read the configuration. */
export type ConfigCommandKind = "serve" | "config";

/** A parsed command line. */
export type CliCommand =
  | {
    readonly kind: ConfigCommandKind;
    /** Flag values by config key. */
    readonly flags: Partial<Record<ConfigKey, string | boolean>>;
    /** `--config FILE`, as given (not yet resolved). */
    readonly configPath: string | undefined;
  }
  | {
    readonly kind: "verify";
    /** The data directory, as given (not yet resolved). */
    readonly dataDir: string;
    /** `--json`: one JSON object instead of text lines. */
    readonly json: boolean;
  }
  | { readonly kind: "version" }
  | { readonly kind: "help" };

type OptionSpec = { type: "string" | "boolean"; short?: string };

const configFlagKeys = new Map<string, ConfigKey>(
  (Object.keys(configKeys) as ConfigKey[]).map((k) => [flagNameOf(k), k]),
);

function configOptions(): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = { config: { type: "string" } };
  for (const [flag, key] of configFlagKeys) {
    options[flag] = { type: typeof configKeys[key].default === "boolean" ? "boolean" : "string" };
  }
  return options;
}

/** Parses `args` (without the program name). Throws {@link CliUsageError} for bad input. */
export function parseCli(args: readonly string[]): CliCommand {
  const [sub, ...rest] = args;
  switch (sub) {
    case undefined:
      throw new CliUsageError("missing subcommand; try `omendb help`");
    case "help":
    case "--help":
    case "-h":
      return { kind: "help" };
    case "version":
    case "--version":
    case "-V":
      if (rest.length > 0) throw new CliUsageError(`version takes no arguments, got "${rest[0]}"`);
      return { kind: "version" };
    case "serve":
    case "config":
      return parseConfigCommand(sub, rest);
    case "verify":
      return parseVerifyCommand(rest);
    default:
      throw new CliUsageError(
        `unknown subcommand "${sub}"; subcommands: serve, config, verify, version, help`,
      );
  }
}

function parseVerifyCommand(args: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { json: { type: "boolean" } },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliUsageError(`verify: ${why.replace(/\. To specify.*$/s, "")}; try \`omendb help\``);
  }
  const [dataDir, ...extra] = parsed.positionals;
  if (dataDir === undefined || dataDir === "") {
    throw new CliUsageError("verify needs a data directory: omendb verify <data dir> [--json]");
  }
  if (extra.length > 0) {
    throw new CliUsageError(`verify takes one data directory, got "${extra[0]}"`);
  }
  return { kind: "verify", dataDir, json: parsed.values.json === true };
}

function parseConfigCommand(kind: ConfigCommandKind, args: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: configOptions(),
      strict: true,
      allowPositionals: false,
      allowNegative: true,
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CliUsageError(
      `${kind}: ${why.replace(/\. To specify.*$/s, "")}; try \`omendb help\``,
    );
  }
  const flags: Partial<Record<ConfigKey, string | boolean>> = {};
  let configPath: string | undefined;
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (value === undefined) continue;
    if (flag === "config") {
      if (typeof value !== "string") throw new CliUsageError("--config needs a file path");
      configPath = value;
      continue;
    }
    const key = configFlagKeys.get(flag);
    if (key === undefined) throw new CliUsageError(`unknown flag --${flag}`);
    if (Array.isArray(value)) throw new CliUsageError(`--${flag} given more than once`);
    flags[key] = value;
  }
  return { kind, flags, configPath };
}

/** The text of `omendb help`. */
export function helpText(): string {
  return [
    "omendb: a time-series SQL database",
    "",
    "Usage: deno task omendb <subcommand> [flags]",
    "",
    "Subcommands:",
    "  serve      start the server (`deno task start` is `omendb serve`)",
    "  config     print the effective configuration as JSON",
    "  verify DIR check a data directory (WAL and segments) without changing it; --json",
    "  version    print the version",
    "  help       print this help",
    "",
    "Flags of serve and config (precedence: config file < OMENDB_* env < flags):",
    `  ${"--config FILE".padEnd(32)} TOML config file (env OMENDB_CONFIG)`,
    ...configHelpLines(),
    "",
    "Relative paths resolve against the folder you ran the command from.",
    "Exit codes: 0 ok, 1 runtime failure or problems found by verify, 2 bad command line or config.",
    "",
  ].join("\n");
}
