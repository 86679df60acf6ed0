/**
 * `deno task fuzz --seconds N [--seed S] [--subject omendb|postgres|duckdb]
 * [--storage memory|durable] [--show-followed]`: runs the
 * differential fuzz for N seconds, prints the per-feature report and the shrunk script of each
 * distinct mismatch, and exits 1 on any unlisted mismatch. PostgreSQL settles disagreements
 * when installed; without it (and without `OMENDB_REQUIRE_ALL=1`) disagreements stay mismatches.
 * `--subject postgres` fuzzes PostgreSQL against DuckDB: a self-check of the generators and the
 * divergence list, which must report no mismatch. `--storage durable` runs OmenDB on a fresh data
 * directory per case, checkpointing and restarting between statements (see `omen_engine.ts`).
 * `--show-followed` prints up to three cases per implementation-defined entry where OmenDB gave
 * DuckDB's answer, not PostgreSQL's.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { postgresInstalled, postgresInstallHint, PostgresServer } from "../support/postgres.ts";
import { requirePrereq } from "../support/prereq.ts";
import { DuckdbEngine } from "./duckdb_engine.ts";
import type { Engine } from "./engine.ts";
import { formatFailure, runFuzz } from "./fuzz.ts";
import { formatCaseResult, Oracle } from "./oracle.ts";
import { PostgresEngine } from "./postgres_engine.ts";

/** Default fuzz duration. */
export const fuzzSecondsDefault = 60;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      seconds: { type: "string", default: String(fuzzSecondsDefault) },
      seed: { type: "string" },
      subject: { type: "string", default: "omendb" },
      storage: { type: "string", default: "memory" },
      runs: { type: "string" },
      reports: { type: "string" },
      "show-followed": { type: "boolean", default: false },
    },
  });
  const seconds = Number(values.seconds);
  const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
  const storage = values.storage;
  if (
    !Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed) ||
    (storage !== "memory" && storage !== "durable")
  ) {
    console.error(
      "usage: deno task fuzz --seconds N [--seed S] [--subject omendb|postgres|duckdb]" +
        " [--storage memory|durable] [--show-followed]",
    );
    return 2;
  }
  const havePg = await requirePrereq(
    "PostgreSQL 15",
    () => postgresInstalled(),
    postgresInstallHint,
  );
  const server = havePg ? await PostgresServer.start() : null;
  const engines: Engine[] = [];
  let subjectServer: PostgresServer | null = null;
  try {
    const reference = await DuckdbEngine.open();
    engines.push(reference);
    const tieBreaker = server === null ? null : new PostgresEngine(server);
    let subject: Engine;
    if (values.subject === "postgres") {
      if (server === null) throw new Error("--subject postgres needs PostgreSQL");
      subjectServer = await PostgresServer.start();
      subject = new PostgresEngine(subjectServer);
    } else if (values.subject === "duckdb") {
      subject = await DuckdbEngine.open();
    } else {
      const { OmenEngine } = await import("./omen_engine.ts");
      subject = new OmenEngine({ storage });
    }
    engines.push(subject);
    console.log(
      `fuzzing ${subject.name} against DuckDB${server === null ? "" : " (PostgreSQL settles)"}` +
        ` for ${seconds}s, seed ${seed}`,
    );
    const result = await runFuzz(new Oracle({ subject, reference, tieBreaker }), {
      seed,
      timeLimitMs: seconds * 1000,
      ...(values.runs === undefined ? {} : { numRuns: Number(values.runs) }),
      ...(values.reports === undefined ? {} : { shrinkReportsMax: Number(values.reports) }),
    });
    console.log(result.report.format());
    console.log(
      `\n${result.runs} queries in ${(result.elapsedMs / 1000).toFixed(1)}s, seed ${seed}; ` +
        `${result.mismatches.length} mismatch(es)`,
    );
    for (const f of result.failures) console.log(`\n${formatFailure(f, seed)}`);
    if (values["show-followed"]) {
      for (const [id, examples] of result.report.followedDuckdbExamples) {
        for (const r of examples) {
          console.log(`\nfollowed DuckDB, not PostgreSQL (${id}):\n${formatCaseResult(r)}`);
        }
      }
    }
    return result.mismatches.length === 0 ? 0 : 1;
  } finally {
    for (const e of engines) await e.close();
    await subjectServer?.stop();
    await server?.stop();
  }
}

if (import.meta.main) Deno.exit(await main());
