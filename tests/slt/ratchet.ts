/**
 * The ratchet: the committed list of record ids known to fail (`tests/slt/ratchet.json`).
 * A failing record that is not in the list is a regression; a listed record that passes is
 * newly passing and can be removed with `--update-ratchet`.
 *
 * @example
 * ```ts
 * import { compareWithRatchet } from "./ratchet.ts";
 * const d = compareWithRatchet({ failing: ["a:1", "a:2"] }, ["a:3"], ["a:2"]);
 * console.assert(d.regressions[0] === "a:3" && d.newlyPassing[0] === "a:2");
 * ```
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Path of the committed ratchet file. */
export const ratchetPath = path.join(
  path.dirname(new URL(import.meta.url).pathname),
  "ratchet.json",
);

/** The ratchet file's content. */
export interface Ratchet {
  readonly version?: number;
  readonly updated?: string;
  readonly counts?: Record<string, { passed: number; failed: number }>;
  /** Sorted failing record ids. */
  readonly failing: readonly string[];
}

/** Reads a ratchet file; a missing file is an empty ratchet. */
export function readRatchet(file = ratchetPath): Ratchet {
  if (!fs.existsSync(file)) return { failing: [] };
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<Ratchet>;
  return { ...parsed, failing: Array.isArray(parsed.failing) ? parsed.failing : [] };
}

/** Writes a ratchet file: a small header, then one failing id per line (sorted). */
export function writeRatchet(
  failing: readonly string[],
  counts: Record<string, { passed: number; failed: number }>,
  file = ratchetPath,
): void {
  const ids = [...new Set(failing)].sort();
  const lines = [
    "{",
    `  "version": 1,`,
    `  "updated": ${JSON.stringify(new Date().toISOString())},`,
    `  "note": "Record ids (path:line[#iteration]) failing on the shared conformance corpus. Regenerate with: deno run -A tests/slt/main.ts --update-ratchet",`,
    `  "counts": ${JSON.stringify(counts)},`,
    `  "failing": [`,
    ids.map((id) => `    ${JSON.stringify(id)}`).join(",\n"),
    "  ]",
    "}",
    "",
  ];
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, lines.join("\n"));
  fs.renameSync(tmp, file);
}

/** Regressions and newly passing records of a run against the ratchet. */
export interface RatchetDiff {
  /** Failing now, not in the ratchet (sorted). */
  readonly regressions: string[];
  /** In the ratchet, passing now (sorted). */
  readonly newlyPassing: string[];
}

/** Compares a run (its failing and passing ids) with a ratchet. */
export function compareWithRatchet(
  ratchet: Pick<Ratchet, "failing">,
  failing: readonly string[],
  passing: readonly string[],
): RatchetDiff {
  const known = new Set(ratchet.failing);
  const regressions = failing.filter((id) => !known.has(id)).sort();
  const newlyPassing = passing.filter((id) => known.has(id)).sort();
  return { regressions, newlyPassing };
}
