/**
 * The sqllogictest runner CLI.
 *
 * ```sh
 * deno task slt [--json FILE] [--storage memory|durable] [--dialect D] [--update-ratchet]
 *               [--check-ratchet] [--workers N] [--first-failures] [PATH...]
 * ```
 *
 * PATH defaults to `$OMENDB_CONFORMANCE_DIR`, else `../shared/conformance` beside the repository.
 * Relative PATHs resolve against `$INIT_CWD` when set, else the current directory.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { compareWithRatchet, ratchetPath, readRatchet, writeRatchet } from "./ratchet.ts";
import { groupByReason } from "./ratchet_reasons.ts";
import { type Dialect, dialects } from "./record.ts";
import { defaultConformanceDir, defaultWorkers, runSlt } from "./run.ts";

const usage =
  "usage: deno task slt [--json FILE] [--storage memory|durable] [--dialect classic|duckdb|datafusion|risinglight]\n" +
  "                     [--update-ratchet] [--check-ratchet] [--workers N] [--first-failures] [--quiet] [PATH...]";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      json: { type: "string" },
      storage: { type: "string", default: "memory" },
      dialect: { type: "string" },
      workers: { type: "string", default: String(defaultWorkers) },
      "engine-module": { type: "string" },
      "update-ratchet": { type: "boolean", default: false },
      "check-ratchet": { type: "boolean", default: false },
      "first-failures": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const storage = values.storage;
  if (storage !== "memory" && storage !== "durable") {
    console.error(`--storage must be memory or durable\n${usage}`);
    return 2;
  }
  const dialect = values.dialect;
  if (dialect !== undefined && !dialects.includes(dialect as Dialect)) {
    console.error(`--dialect must be one of ${dialects.join(", ")}\n${usage}`);
    return 2;
  }
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    console.error(`--workers must be a positive integer\n${usage}`);
    return 2;
  }
  const base = Deno.env.get("INIT_CWD") || Deno.cwd();
  const paths = positionals.length > 0
    ? positionals.map((p) => path.resolve(base, p))
    : [defaultConformanceDir()];
  for (const p of paths) {
    if (!fs.existsSync(p)) {
      console.error(`no such file or folder: ${p}`);
      return 2;
    }
  }
  const engineModule = values["engine-module"] === undefined
    ? undefined
    : new URL(values["engine-module"], `file://${base}/`).href;
  const { report, elapsedMs } = await runSlt({
    paths,
    storage,
    workers,
    ...(dialect === undefined ? {} : { dialect: dialect as Dialect }),
    ...(engineModule === undefined ? {} : { engineModule }),
    onFileDone: (f, done, total) => {
      if (!values.quiet) console.error(`[${done}/${total}] ${f.relPath}`);
    },
  });
  if (values.json !== undefined) {
    fs.writeFileSync(path.resolve(base, values.json), JSON.stringify(report.toJson()) + "\n");
  }
  let rc = 0;
  if (values["update-ratchet"]) {
    const counts: Record<string, { passed: number; failed: number }> = {};
    for (const [name, c] of [...report.corpora.entries()].sort()) {
      counts[name] = { passed: c.passed, failed: c.failed };
    }
    writeRatchet(report.failedIds, counts);
    console.log(`wrote ${ratchetPath} (${report.failedIds.length} failing ids)`);
    console.log("known failures by reason (tests/slt/ratchet_reasons.ts):");
    for (const [reason, ids] of groupByReason(report.failedIds)) {
      console.log(`  ${String(ids.length).padStart(4)}  ${reason ?? "NO REASON YET: add one"}`);
    }
  } else if (values["check-ratchet"]) {
    const diff = compareWithRatchet(readRatchet(), report.failedIds, report.passedIds);
    for (const id of diff.newlyPassing) console.log(`newly passing: ${id}`);
    for (const id of diff.regressions) console.log(`REGRESSION: ${id}`);
    console.log(
      `${diff.regressions.length} regressions, ${diff.newlyPassing.length} newly passing`,
    );
    if (diff.regressions.length > 0) rc = 1;
  }
  console.log(report.toText({ firstFailures: values["first-failures"], elapsedMs }));
  return rc;
}

if (import.meta.main) Deno.exit(await main());
