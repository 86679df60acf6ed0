/**
 * `omendb verify <data dir>`: an offline, read-only check of a data directory — the WAL
 * (`verifyWal`) and the Parquet storage files (`ParquetStorage.verifyDir`). It never opens a
 * `Database` (that would replay and truncate the WAL, and checkpoint at close) and writes
 * nothing. While it runs it holds the directory's LOCK (when there is a LOCK file), so a server
 * cannot start and change files under it; if a running server holds the LOCK, it reports that
 * and checks nothing.
 *
 * @example
 * ```ts
 * import { formatVerifyText, verifyDataDir } from "./verify.ts";
 * import { MemoryFileSystem, realEnv } from "../core/env/mod.ts";
 * const env = { ...realEnv(), fs: new MemoryFileSystem() };
 * await env.fs.mkdirp("/db");
 * const report = await verifyDataDir(env, "/db");
 * console.assert(report.errors === 0);
 * console.assert(formatVerifyText(report).endsWith("0 errors, 0 warnings, 0 segments, 0 rows, 0 WAL files\n"));
 * ```
 *
 * @module
 */
import { type Env, LockHeldError } from "../core/env/mod.ts";
import { defaultLimits } from "../core/limits.ts";
import { PluginRegistry } from "../core/plugin/mod.ts";
import { defaultPlugins } from "../plugins/mod.ts";
import { ParquetStorage } from "../plugins/storage_parquet/mod.ts";
import { verifyWal } from "../plugins/wal/mod.ts";
import { listSegments } from "../plugins/wal/segment_format.ts";

/** One problem found, with its file relative to the data directory. */
export interface VerifyProblem {
  readonly severity: "error" | "warning";
  readonly file: string;
  /** Byte offset in the file, when the check knows it (WAL records). */
  readonly offset?: number;
  readonly message: string;
}

/** What `omendb verify` found. */
export interface VerifyReport {
  readonly dir: string;
  readonly problems: readonly VerifyProblem[];
  readonly errors: number;
  readonly warnings: number;
  /** Live segments named by the manifest. */
  readonly segments: number;
  /** Rows in those segments. */
  readonly rows: number;
  /** WAL segment files. */
  readonly walFiles: number;
  /** True when a running process holds the LOCK, so nothing was checked. */
  readonly locked: boolean;
}

function relative(dir: string, path: string): string {
  return path.startsWith(`${dir}/`) ? path.slice(dir.length + 1) : path;
}

function summarize(
  dir: string,
  problems: VerifyProblem[],
  counts: { segments: number; rows: number; walFiles: number; locked: boolean },
): VerifyReport {
  const errors = problems.filter((p) => p.severity === "error").length;
  return { dir, problems, errors, warnings: problems.length - errors, ...counts };
}

/** Checks the data directory `dir` (which must exist) without changing any file in it. */
export async function verifyDataDir(env: Env, dir: string): Promise<VerifyReport> {
  const fs = env.fs;
  let lock = null;
  if (await fs.stat(`${dir}/LOCK`)) {
    try {
      lock = await fs.lock(`${dir}/LOCK`);
    } catch (e) {
      if (!(e instanceof LockHeldError)) throw e;
      const message = "the data directory is in use by a running OmenDB process; " +
        "stop it and run verify again (nothing was checked)";
      return summarize(dir, [{ severity: "error", file: "LOCK", message }], {
        segments: 0,
        rows: 0,
        walFiles: 0,
        locked: true,
      });
    }
  }
  try {
    const registry = new PluginRegistry();
    for (const p of defaultPlugins) registry.use(p);
    const storage = await ParquetStorage.verifyDir({
      env,
      dir,
      limits: defaultLimits,
      index: registry.index(),
    });
    const problems: VerifyProblem[] = [...storage.problems];
    const walDir = `${dir}/wal`;
    let walFiles = 0;
    if (await fs.stat(walDir)) {
      walFiles = (await listSegments(fs, walDir)).length;
      for (const p of await verifyWal(fs, walDir)) {
        problems.push({
          severity: p.severity,
          file: relative(dir, p.file),
          offset: p.offset,
          message: p.message,
        });
      }
    }
    return summarize(dir, problems, {
      segments: storage.segments,
      rows: storage.rows,
      walFiles,
      locked: false,
    });
  } finally {
    lock?.release();
  }
}

/** One line per problem (`error|warning <file>[@offset]: <message>`), then the summary line. */
export function formatVerifyText(r: VerifyReport): string {
  const lines = r.problems.map((p) =>
    `${p.severity} ${p.file}${p.offset === undefined ? "" : ` at offset ${p.offset}`}: ${p.message}`
  );
  lines.push(
    `verify: ${r.errors} errors, ${r.warnings} warnings, ${r.segments} segments, ` +
      `${r.rows} rows, ${r.walFiles} WAL files`,
  );
  return lines.join("\n") + "\n";
}

/** The report as one JSON object (for `--json`). */
export function formatVerifyJson(r: VerifyReport): string {
  return JSON.stringify(r) + "\n";
}
