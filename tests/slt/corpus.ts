/**
 * Per-corpus conventions (FORMAT.md §2 and §7, MANIFEST.md): which corpus folder a file belongs
 * to, its dialect, the engine names we answer to in `skipif`/`onlyif`, the working directory for
 * relative data paths, and which files are entry points.
 *
 * @module
 */
import * as path from "node:path";
import type { Condition, Dialect } from "./record.ts";

/** The corpus folder names and the dialect each implies. */
export const corpusDialects: Readonly<Record<string, Dialect>> = {
  sqlite: "classic",
  duckdb: "duckdb",
  datafusion: "datafusion",
  risinglight: "risinglight",
};

/** Our product name, answered to in the classic corpus as well. */
export const productName = "omendb";

/** Where a test file sits: its corpus, dialect, conformance root and record-id path. */
export interface FileLocation {
  /** Absolute path of the file. */
  readonly file: string;
  /** Corpus folder name (`sqlite`...), or the dialect when no corpus folder is an ancestor. */
  readonly corpus: string;
  /** Absolute path of the corpus folder (or of the root the file was found under). */
  readonly corpusDir: string;
  readonly dialect: Dialect;
  /** Path relative to the conformance root, with `/` separators: the record-id prefix. */
  readonly relPath: string;
  /** Absolute conformance root (the parent of the corpus folder). */
  readonly root: string;
}

/**
 * Locates a file: the nearest ancestor folder named after a corpus gives the corpus, dialect and
 * root; `dialectOverride` wins for the dialect. Without a corpus ancestor, `fallbackRoot` is the
 * root and the dialect must be given (default classic).
 */
export function locateFile(
  file: string,
  options: { dialectOverride?: Dialect | undefined; fallbackRoot: string },
): FileLocation {
  const abs = path.resolve(file);
  let dir = path.dirname(abs);
  while (true) {
    const name = path.basename(dir);
    const dialect = corpusDialects[name];
    if (dialect !== undefined) {
      // `datafusion/datafusion/...`: the corpus folder is the outer one.
      while (path.basename(path.dirname(dir)) === name) dir = path.dirname(dir);
      const root = path.dirname(dir);
      return {
        file: abs,
        corpus: name,
        corpusDir: dir,
        dialect: options.dialectOverride ?? dialect,
        relPath: path.relative(root, abs).split(path.sep).join("/"),
        root,
      };
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  const root = path.resolve(options.fallbackRoot);
  const dialect = options.dialectOverride ?? "classic";
  return {
    file: abs,
    corpus: dialect,
    corpusDir: root,
    dialect,
    relPath: path.relative(root, abs).split(path.sep).join("/"),
    root,
  };
}

/** The engine names we answer to in `skipif`/`onlyif` for a file (FORMAT.md §2). */
export function engineNames(loc: Pick<FileLocation, "dialect" | "relPath">): string[] {
  switch (loc.dialect) {
    case "classic":
      return ["postgresql", productName];
    case "duckdb":
      return ["duckdb"];
    case "datafusion":
      return loc.relPath.split("/").includes("pg_compat")
        ? ["datafusion", "postgres"]
        : ["datafusion"];
    case "risinglight":
      return ["risinglight"];
  }
}

/** Whether the conditions exclude a record: a `skipif` names us, or an `onlyif` does not. */
export function skippedByConditions(
  conditions: readonly Condition[],
  names: readonly string[],
): boolean {
  for (const c of conditions) {
    const ours = names.includes(c.engine.toLowerCase());
    if (c.kind === "skipif" && ours) return true;
    if (c.kind === "onlyif" && !ours) return true;
  }
  return false;
}

/**
 * The working directory for relative data paths (FORMAT.md §7):
 * `datafusion/datafusion/sqllogictest` and `risinglight/`; elsewhere the file's folder.
 */
export function workingDirectory(loc: FileLocation): string {
  if (loc.corpus === "datafusion") return path.join(loc.corpusDir, "datafusion", "sqllogictest");
  if (loc.corpus === "risinglight") return loc.corpusDir;
  return path.dirname(loc.file);
}

/** Whether a file name is a runnable test file (`.test`/`.slt`, not an `_*.slt` part). */
export function isEntryFile(name: string): boolean {
  const base = path.basename(name);
  return (base.endsWith(".test") || base.endsWith(".slt")) && !base.startsWith("_");
}
