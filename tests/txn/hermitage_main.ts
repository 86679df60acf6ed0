/**
 * Runs the 45 Hermitage cases on embedded OmenDB sessions and prints a Markdown table (case,
 * PostgreSQL's verdict, ours, deviations), the deviations, and a `N passed, N failed` line for
 * tier 1 (safety).
 *
 * ```sh
 * deno run -A tests/txn/hermitage_main.ts            # report; exit 1 if a case fails tier 1
 * deno run -A tests/txn/hermitage_main.ts --update   # also rewrite hermitage_deviations.json
 * deno run -A tests/txn/hermitage_main.ts --case P4 --path /tmp/db --block-ms 400
 * ```
 *
 * `--case` keeps the cases whose id starts with it (no `--update` then); `--path` replays on a
 * durable database in that directory instead of a fresh in-memory one per case; `--pg
 * host:port[/database]` replays on a PostgreSQL-wire server instead (PostgreSQL itself, or
 * OmenDB's server) and never updates the expectations.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database } from "../../mod.ts";
import { openSession } from "./_session.ts";
import { connectPg, type PgTarget } from "./_pg_session.ts";
import {
  loadCases,
  replayCase,
  type ReplayOptions,
  type SqlSession,
  testReplayOptions,
  transcript,
} from "./hermitage.ts";
import {
  type CaseReport,
  type Deviation,
  fidelityDeviations,
  markdownReport,
  scoreSafety,
} from "./hermitage_score.ts";

/** The committed tier-2 expectations: the deviations the engine is known to have. */
export const deviationsUrl = new URL("./hermitage_deviations.json", import.meta.url);

/** The committed deviations. */
export async function readDeviations(): Promise<Deviation[]> {
  return JSON.parse(await Deno.readTextFile(deviationsUrl)) as Deviation[];
}

/** `host:port[/database]`. */
function parsePgTarget(text: string): PgTarget {
  const m = /^(.+):(\d+)(?:\/([^/]+))?$/.exec(text);
  if (m === null) throw new Error(`--pg wants host:port[/database], got ${text}`);
  return { host: m[1]!, port: Number(m[2]), ...(m[3] === undefined ? {} : { database: m[3] }) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      update: { type: "boolean", default: false },
      case: { type: "string" },
      path: { type: "string" },
      pg: { type: "string" },
      verbose: { type: "boolean", default: false },
      "block-ms": { type: "string" },
      "release-ms": { type: "string" },
      "hang-ms": { type: "string" },
    },
  });
  if (values.update && (values.case !== undefined || values.pg !== undefined)) {
    throw new Error("--update needs every case on embedded OmenDB; drop --case and --pg");
  }
  const pg = values.pg === undefined ? null : parsePgTarget(values.pg);
  const options: ReplayOptions = {
    ...testReplayOptions,
    ...(values["block-ms"] ? { blockMs: Number(values["block-ms"]) } : {}),
    ...(values["release-ms"] ? { releaseMs: Number(values["release-ms"]) } : {}),
    ...(values["hang-ms"] ? { hangMs: Number(values["hang-ms"]) } : {}),
  };
  const cases = (await loadCases()).filter((c) =>
    values.case === undefined || c.id.startsWith(values.case)
  );
  const shared = values.path === undefined || pg !== null
    ? null
    : await Database.open({ path: values.path });
  const reports: CaseReport[] = [];
  const broken: string[] = [];
  try {
    for (const c of cases) {
      const db = pg !== null ? null : shared ?? await Database.open({ memory: true });
      try {
        const connect = db === null
          ? () => connectPg(pg!)
          : () => Promise.resolve<SqlSession>(openSession(db));
        const replay = await replayCase(c, connect, options);
        const report = {
          safety: scoreSafety(c, replay),
          deviations: fidelityDeviations(c, replay),
        };
        reports.push(report);
        if (values.verbose || report.safety.score === "fail") {
          console.error(`${c.id}: ${report.safety.ours} ${report.safety.detail}`);
          console.error(transcript(c, replay));
        }
      } catch (e) {
        broken.push(`${c.id}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        if (shared === null) await db?.close();
      }
    }
  } finally {
    await shared?.close();
  }

  console.log(markdownReport(reports));
  const deviations = reports.flatMap((r) => r.deviations);
  console.log(`\n${deviations.length} deviation(s) from PostgreSQL:`);
  for (const d of deviations) {
    console.log(`- ${d.case} step ${d.step} [${d.category}]: expected ${d.expected}; got ${d.got}`);
  }
  for (const b of broken) console.error(`did not replay: ${b}`);

  if (values.update) {
    if (broken.length > 0) throw new Error("not updating: some cases did not replay");
    await Deno.writeTextFile(deviationsUrl, JSON.stringify(deviations, null, 2) + "\n");
    const fmt = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--quiet", deviationsUrl.pathname],
    }).output();
    if (!fmt.success) throw new Error(new TextDecoder().decode(fmt.stderr));
    console.log(`wrote ${deviationsUrl.pathname}`);
  } else if (values.case === undefined && pg === null && broken.length === 0) {
    const same = JSON.stringify(deviations) === JSON.stringify(await readDeviations());
    console.log(
      same
        ? "deviations match hermitage_deviations.json"
        : "deviations DIFFER from hermitage_deviations.json (--update rewrites it)",
    );
  }
  const failed = reports.filter((r) => r.safety.score === "fail").length + broken.length;
  const stronger = reports.filter((r) => r.safety.score === "pass-stronger").length;
  console.log(
    `tier 1: ${
      cases.length - failed
    } passed, ${failed} failed (${stronger} stronger than PostgreSQL)`,
  );
  if (failed > 0) Deno.exit(1);
}

if (import.meta.main) await main();
