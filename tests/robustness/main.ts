/**
 * `deno task robustness [--cases N] [--seed S] [--keep-going]`: runs the SQL robustness
 * properties ({@link runRobustness}) for N cases (default 100,000), prints a progress line every
 * 10,000 cases and a summary, and exits 1 on a failure: a non-DbError, an internal error
 * (XX000) or lost rows, printing the SQL and stack. The same `--seed` replays a run.
 * `--keep-going` goes on after a failure and lists each distinct one instead.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type RobustnessCounts, type RobustnessSummary, runRobustness } from "./robustness.ts";

/** Cases run when `--cases` is not given. */
export const casesDefault = 100_000;

/** SQLSTATE class names (PostgreSQL's Appendix A) for the classes OmenDB raises. */
const sqlStateClassNames: Readonly<Record<string, string>> = {
  "0A": "feature not supported",
  "21": "cardinality violation",
  "22": "data exception",
  "23": "integrity constraint violation",
  "25": "invalid transaction state",
  "26": "invalid SQL statement name",
  "2B": "dependent privilege descriptors still exist",
  "3F": "invalid schema name",
  "42": "syntax error or access rule violation",
  "53": "insufficient resources",
  "54": "program limit exceeded",
  "55": "object not in prerequisite state",
  "57": "operator intervention (57014: timeout)",
  "58": "system error",
  "XX": "internal error",
};

function formatCounts(counts: RobustnessCounts): string {
  const errors = Object.values(counts.dbErrorsByClass).reduce((a, b) => a + b, 0);
  return `${counts.cases} cases: ${counts.results} results, ${errors} DbErrors, ` +
    `${counts.failures} failures`;
}

function formatSummary(summary: RobustnessSummary, seed: number): string {
  const lines = [
    `seeds: ${summary.corpus.seeds} from ${
      summary.corpus.source === "corpus"
        ? `${summary.corpus.files} corpus files`
        : "the built-in list (the conformance folder is missing)"
    }`,
    formatCounts(summary),
    "DbErrors by SQLSTATE class:",
  ];
  const classes = Object.entries(summary.dbErrorsByClass).sort(([a], [b]) => a.localeCompare(b));
  for (const [cls, n] of classes) {
    lines.push(`  ${cls}  ${String(n).padStart(8)}  ${sqlStateClassNames[cls] ?? ""}`);
  }
  lines.push(`elapsed ${(summary.elapsedMs / 1000).toFixed(1)}s, seed ${seed}`);
  for (const failure of summary.distinctFailures) lines.push("", failure.report());
  return lines.join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      cases: { type: "string", default: String(casesDefault) },
      seed: { type: "string" },
      "keep-going": { type: "boolean", default: false },
    },
  });
  const cases = Number(values.cases);
  const seed = values.seed === undefined ? Date.now() % 2_147_483_647 : Number(values.seed);
  if (!Number.isSafeInteger(cases) || cases < 0 || !Number.isSafeInteger(seed)) {
    console.error("usage: deno task robustness [--cases N] [--seed S] [--keep-going]");
    return 2;
  }
  console.log(`robustness: ${cases} cases, seed ${seed}`);
  const summary = await runRobustness({
    cases,
    seed,
    keepGoing: values["keep-going"],
    onProgress: (counts) => console.log(`  ${formatCounts(counts)}`),
  });
  console.log(formatSummary(summary, seed));
  return summary.distinctFailures.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
