/**
 * Runs sqllogictest files or folders through the worker pool and collects a {@link Report}.
 * Shared by the CLI (`main.ts`) and the corpus test (`corpus_test.ts`).
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { engineNames, isEntryFile, locateFile, workingDirectory } from "./corpus.ts";
import type { FileRunSpec } from "./file_runner.ts";
import { omendbEngineModule, repoConfigPath, runPool } from "./pool.ts";
import type { Dialect } from "./record.ts";
import { Report } from "./report.ts";

/** Worker processes by default. */
export const defaultWorkers = 2;

/** The default conformance root: `$OMENDB_CONFORMANCE_DIR`, else `<repo>/../shared/conformance`. */
export function defaultConformanceDir(): string {
  const env = Deno.env.get("OMENDB_CONFORMANCE_DIR");
  if (env !== undefined && env !== "") return path.resolve(env);
  return path.resolve(import.meta.dirname ?? ".", "../../../shared/conformance");
}

/** A file to run plus the corpus it counts under. */
export interface PlannedFile extends FileRunSpec {
  readonly corpus: string;
  readonly bytes: number;
}

/** Finds the test files under `paths` (files are taken as given; folders are searched). */
export function planFiles(paths: readonly string[], dialect?: Dialect): PlannedFile[] {
  const seen = new Set<string>();
  const out: PlannedFile[] = [];
  const add = (file: string, fallbackRoot: string): void => {
    const abs = path.resolve(file);
    if (seen.has(abs)) return;
    seen.add(abs);
    const loc = locateFile(abs, { dialectOverride: dialect, fallbackRoot });
    out.push({
      file: abs,
      relPath: loc.relPath,
      dialect: loc.dialect,
      engineNames: engineNames(loc),
      workingDir: workingDirectory(loc),
      corpus: loc.corpus,
      bytes: fs.statSync(abs).size,
    });
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      const names = (fs.readdirSync(abs, { recursive: true }) as string[])
        .filter((n) => isEntryFile(n))
        .sort();
      for (const n of names) {
        const full = path.join(abs, n);
        if (fs.statSync(full).isFile()) add(full, abs);
      }
    } else {
      add(abs, path.dirname(abs));
    }
  }
  return out.sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
}

/** Options of {@link runSlt}. */
export interface RunSltOptions {
  readonly paths: readonly string[];
  readonly dialect?: Dialect;
  readonly storage?: "memory" | "durable";
  readonly workers?: number;
  /** Engine module URL (exports `openEngine`); default OmenDB. */
  readonly engineModule?: string;
  readonly recordTimeoutMs?: number;
  readonly fileTimeoutMs?: number;
  /** Progress callback per finished file. */
  readonly onFileDone?: (file: PlannedFile, done: number, total: number) => void;
}

/** Runs the files and returns the report and the wall time. */
export async function runSlt(
  options: RunSltOptions,
): Promise<{ report: Report; elapsedMs: number }> {
  const started = performance.now();
  const files = planFiles(options.paths, options.dialect);
  const byPath = new Map(files.map((f) => [f.file, f]));
  const report = new Report();
  // Largest files first, so the two workers finish at about the same time.
  const queue = [...files].sort((a, b) => b.bytes - a.bytes);
  let done = 0;
  await runPool(queue, {
    workers: options.workers ?? defaultWorkers,
    engineModule: options.engineModule ?? omendbEngineModule,
    storage: options.storage ?? "memory",
    configPath: repoConfigPath,
    ...(options.recordTimeoutMs === undefined ? {} : { recordTimeoutMs: options.recordTimeoutMs }),
    ...(options.fileTimeoutMs === undefined ? {} : { fileTimeoutMs: options.fileTimeoutMs }),
    onOutcome: (o, spec) => report.add(o, byPath.get(spec.file)?.corpus ?? "unknown"),
    onFileDone: (spec) => {
      const f = byPath.get(spec.file);
      if (f === undefined) return;
      report.fileDone(f.corpus);
      options.onFileDone?.(f, ++done, files.length);
    },
  });
  return { report, elapsedMs: performance.now() - started };
}
