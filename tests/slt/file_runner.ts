/**
 * Runs one sqllogictest file against an {@link SltEngine} and reports one outcome per
 * statement/query record (FORMAT.md §2-8): conditions, loops, `require`, `mode skip`, `halt`,
 * `include`, hashing, labels, per-dialect rendering and comparison, shims.
 *
 * Every statement/query record gets a sequence number `seq` (0, 1, 2... in execution order) that
 * does not depend on the engine, so a parent process can re-run a file "dry" to learn the ids of
 * records a killed worker never reported.
 *
 * @example
 * ```ts
 * import { runFile } from "./file_runner.ts";
 * import type { SltEngine } from "./engine.ts";
 * const file = await Deno.makeTempFile({ suffix: ".test" });
 * await Deno.writeTextFile(file, "statement ok\nCREATE TABLE t(a INT)\n");
 * const engine: SltEngine = {
 *   query: () => Promise.resolve({ columns: [], rows: [] }),
 *   close: () => Promise.resolve(),
 * };
 * const statuses: string[] = [];
 * await runFile({ file, relPath: "t.test", dialect: "classic", engineNames: ["postgresql"] }, engine, {
 *   begin: () => {},
 *   outcome: (o) => statuses.push(o.status),
 * });
 * console.assert(statuses.join() === "passed");
 * ```
 *
 * @module
 */
import { parseTimeZone, utcTimeZone } from "../../core/types/time_zone.ts";
import * as fs from "node:fs";
import * as path from "node:path";
import { matchResult } from "./compare.ts";
import { hashValues, sortRows } from "./compare.ts";
import { skippedByConditions } from "./corpus.ts";
import { describeError, type EngineErrorInfo, type SltEngine, type SltResult } from "./engine.ts";
import { parseSlt } from "./parser.ts";
import type {
  Dialect,
  ErrorExpectation,
  QueryRecord,
  SltRecord,
  SortMode,
  StatementRecord,
} from "./record.ts";
import { renderValue } from "./render.ts";
import { Types } from "../../core/types/mod.ts";
import { isEngineKnob, runShim } from "./shims.ts";
import { featureTags } from "./tags.ts";

/** Longest a single record may run, in milliseconds. */
export const recordTimeoutMs = 5_000;
/** Longest a whole file may run, in milliseconds. */
export const fileTimeoutMs = 120_000;
/** Characters of SQL kept in an outcome. */
export const outcomeSqlCharsMax = 2_000;
/** `include` nesting limit. */
export const includeDepthMax = 8;

/** Why a record was skipped (the JSON report's `skipped` keys, minus `timeout`). */
export type SkipReason = "condition" | "require" | "mode" | "unsupported";

/** What happened to one record. */
export interface RecordOutcome {
  readonly seq: number;
  /** `path:line[#iteration]`. */
  readonly id: string;
  /** Path relative to the conformance root. */
  readonly file: string;
  readonly line: number;
  /** Occurrence index inside DuckDB loops; null outside loops. */
  readonly iteration: number | null;
  readonly status: "passed" | "failed" | "skipped";
  /**
   * Skipped: a {@link SkipReason}. Failed: `error` (unexpected error), `mismatch`, `no-error`
   * (an error was expected), `timeout`, `crash` (non-DbError thrown or worker died),
   * `unsupported-directive`, `label`. Passed: null.
   */
  readonly reason: string | null;
  /** Set on failures only (truncated). */
  readonly sql: string;
  readonly expected: string;
  readonly actual: string;
  /** Feature tags; empty for skipped records. */
  readonly tags: readonly string[];
  /** Passed thanks to numeric/boolean leniency. */
  readonly lenient: boolean;
  /** An expected error happened but its message did not match. */
  readonly messageMismatch: boolean;
  /** An engine knob that the engine rejected and the runner swallowed. */
  readonly noop: boolean;
}

/** Receives progress; `begin` is called right before a record touches the engine. */
export interface OutcomeSink {
  begin(seq: number): void;
  outcome(outcome: RecordOutcome): void;
}

/** A file to run. */
export interface FileRunSpec {
  /** Absolute path. */
  readonly file: string;
  /** Path relative to the conformance root (the record-id prefix). */
  readonly relPath: string;
  readonly dialect: Dialect;
  readonly engineNames: readonly string[];
  /** Directory for relative data paths; default: the file's folder. */
  readonly workingDir?: string;
  /** Fresh directory standing in for `test_files/scratch/`; default: a temp dir. */
  readonly scratchDir?: string;
  /** Epoch milliseconds after which records fail as `timeout` without running. */
  readonly fileDeadline?: number;
  /**
   * Resume after a killed worker: outcomes with `seq <= resumeAfter` are not reported (those
   * records still run, silently, to rebuild the database, except {@link killedSeqs}).
   * -1: normal run.
   */
  readonly resumeAfter?: number;
  /** Records (by seq) never to execute again: they hung or crashed a worker before. */
  readonly killedSeqs?: readonly number[];
  /** Per-record engine timeout; default {@link recordTimeoutMs}. */
  readonly recordTimeoutMs?: number;
}

const satisfiedRequires: readonly string[] = ["no_alternative_verify", "vector_size"];

function clip(text: string, max = outcomeSqlCharsMax): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

function substitute(text: string, env: ReadonlyMap<string, string>): string {
  if (env.size === 0) return text;
  let out = text;
  for (const [name, value] of env) {
    out = out.split(`\${${name}}`).join(value).split(`{${name}}`).join(value);
  }
  return out;
}

/** Whether an error message satisfies an expectation (reported, not used for pass/fail). */
export function errorMatches(expect: ErrorExpectation, error: EngineErrorInfo): boolean {
  try {
    switch (expect.kind) {
      case "any":
        return true;
      case "contains":
        return expect.text === "" || error.message.includes(expect.text);
      case "search":
        return new RegExp(expect.pattern).test(error.message);
      case "regex":
        return new RegExp(`^(?:${expect.pattern})$`, "s").test(error.message) !== expect.negate;
      case "sqlstate":
        return error.code === expect.code;
      case "exact":
        return error.message.trim() === expect.text;
    }
  } catch {
    return false;
  }
}

function describeExpectation(expect: ErrorExpectation): string {
  switch (expect.kind) {
    case "any":
      return "error";
    case "contains":
      return `error containing: ${expect.text}`;
    case "search":
      return `error matching: ${expect.pattern}`;
    case "regex":
      return `error ${expect.negate ? "not " : ""}matching: ${expect.pattern}`;
    case "sqlstate":
      return `error (${expect.code})`;
    case "exact":
      return `error: ${expect.text}`;
  }
}

function errorText(e: EngineErrorInfo): string {
  return `${e.dbError ? "ERROR" : "CRASH"}${e.code === null ? "" : ` ${e.code}`}: ${e.message}`;
}

/** Expands `include` arguments: a path or a `*`/`?` glob in the last component. */
function expandInclude(fromFile: string, pattern: string): string[] {
  const full = path.resolve(path.dirname(fromFile), pattern);
  const base = path.basename(full);
  if (!/[*?]/.test(base)) return [full];
  const dir = path.dirname(full);
  const re = new RegExp(
    `^${base.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`,
  );
  return fs.readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => path.join(dir, n));
}

/**
 * Runs a file to the end. Never throws for engine behaviour: every engine error, crash or
 * timeout becomes a record outcome. Does not close the engine.
 */
export async function runFile(
  spec: FileRunSpec,
  engine: SltEngine,
  sink: OutcomeSink,
): Promise<void> {
  const dialect = spec.dialect;
  const resumeAfter = spec.resumeAfter ?? -1;
  const killed = new Set(spec.killedSeqs ?? []);
  const deadline = spec.fileDeadline ?? Infinity;
  const perRecordMs = spec.recordTimeoutMs ?? recordTimeoutMs;
  const workingDir = spec.workingDir ?? path.dirname(spec.file);
  let ownScratch: string | null = null;
  const scratchDir = spec.scratchDir ?? (ownScratch = await Deno.makeTempDir({ prefix: "slt_" }));
  const labels = new Map<string, string>();
  const iterations = new Map<string, number>();
  let seq = 0;
  let halted = false;
  let modeSkip = 0;
  let requireFailed: string | null = null;
  let defaultSort: SortMode = "nosort";
  let valuewise = false;

  const emit = (o: RecordOutcome): void => {
    if (o.seq > resumeAfter) sink.outcome(o);
  };
  const base = (relPath: string, line: number, iteration: number | null, s: number) => ({
    seq: s,
    id: `${relPath}:${line}${iteration === null ? "" : `#${iteration}`}`,
    file: relPath,
    line,
    iteration,
    lenient: false,
    messageMismatch: false,
    noop: false,
  });
  const skipped = (
    b: ReturnType<typeof base>,
    reason: SkipReason,
  ): RecordOutcome => ({
    ...b,
    status: "skipped",
    reason,
    sql: "",
    expected: "",
    actual: "",
    tags: [],
  });

  const execute = async (sql: string, timeoutMs: number): Promise<SltResult> => {
    const options = { timeoutMs };
    const shimmed = await runShim(sql, { engine, workingDir, scratchDir, options });
    return shimmed ?? await engine.query(sql, options);
  };

  const runSql = async (
    rec: StatementRecord | QueryRecord,
    b: ReturnType<typeof base>,
    env: ReadonlyMap<string, string>,
  ): Promise<RecordOutcome> => {
    const sql = substitute(rec.sql, env);
    const tags = featureTags(sql);
    const expectedLines = rec.kind === "query" ? rec.expected.map((l) => substitute(l, env)) : [];
    const errorExpect = rec.kind === "statement"
      ? (rec.expect === "error" ? rec.error : null)
      : rec.error;
    const expectedText = rec.kind === "statement"
      ? (rec.expect === "error"
        ? `statement ${describeExpectation(rec.error)}`
        : `statement ${rec.expect}`)
      : rec.error !== null
      ? `query ${describeExpectation(rec.error)}`
      : expectedLines.join("\n");
    const failed = (reason: string, actual: string): RecordOutcome => ({
      ...b,
      status: "failed",
      reason,
      sql: clip(sql),
      expected: clip(expectedText),
      actual: clip(actual),
      tags,
    });
    const passed = (extra: Partial<RecordOutcome> = {}): RecordOutcome => ({
      ...b,
      status: "passed",
      reason: null,
      sql: "",
      expected: "",
      actual: "",
      tags,
      ...extra,
    });
    const now = Date.now();
    if (now >= deadline) return failed("timeout", "file time limit exceeded");
    sink.begin(b.seq);
    let result: SltResult | null = null;
    let error: EngineErrorInfo | null = null;
    try {
      result = await execute(sql, Math.max(1, Math.min(perRecordMs, deadline - now)));
    } catch (e) {
      error = describeError(e);
    }
    if (error !== null && !error.dbError) return failed("crash", errorText(error));
    if (error !== null && error.code === "57014") return failed("timeout", errorText(error));
    if (rec.kind === "statement" && rec.expect === "maybe") return passed();
    if (errorExpect !== null) {
      if (error === null) return failed("no-error", "no error");
      return passed({ messageMismatch: !errorMatches(errorExpect, error) });
    }
    if (error !== null) {
      if (rec.kind === "statement" && isEngineKnob(sql)) return passed({ noop: true });
      return failed("error", errorText(error));
    }
    if (rec.kind === "statement" || result === null) return passed();
    // query: render, sort, compare
    if (
      dialect === "datafusion" && result.columns.length === 0 &&
      /^(INSERT|UPDATE|DELETE)\b/.test(result.command ?? "")
    ) {
      // DataFusion DML returns the affected row count as a one-column result.
      result = {
        columns: [{ name: "count", type: Types.int8 }],
        rows: [[BigInt(result.rowCount ?? 0)]],
      };
    }
    const columns = result.columns;
    const strictColumns = dialect === "classic" || dialect === "duckdb";
    if (strictColumns && rec.types.length !== columns.length) {
      return failed(
        "mismatch",
        `expected ${rec.types.length} columns, got ${columns.length} (${
          columns.map((c) => c.name).join(", ")
        })`,
      );
    }
    let rendered: string[][];
    try {
      const zone = result.timeZone === undefined
        ? utcTimeZone
        : (parseTimeZone(result.timeZone) ?? utcTimeZone);
      rendered = result.rows.map((row) =>
        columns.map((col, c) =>
          renderValue(dialect, col.type, row[c] ?? null, rec.types[c] ?? "T", zone)
        )
      );
    } catch (e) {
      return failed("crash", `cannot render result: ${describeError(e).message}`);
    }
    const sorted = sortRows(rendered, rec.sortMode ?? defaultSort);
    const match = matchResult({
      dialect,
      rows: sorted,
      columnCount: columns.length,
      booleanColumns: columns.map((c) => c.type.kind === "bool"),
      expected: expectedLines,
      valuewise,
    });
    if (!match.ok) return failed("mismatch", match.actualText);
    if (rec.label !== null) {
      const hash = hashValues(sorted.flat());
      const prior = labels.get(rec.label);
      if (prior === undefined) labels.set(rec.label, hash);
      else if (prior !== hash) {
        return failed("label", `label ${rec.label}: hash ${hash} != ${prior}`);
      }
    }
    return passed({ lenient: match.lenient });
  };

  const runRecords = async (
    records: readonly SltRecord[],
    from: number,
    to: number,
    relPath: string,
    file: string,
    env: ReadonlyMap<string, string>,
    depth: number,
  ): Promise<void> => {
    for (let idx = from; idx < to && !halted; idx++) {
      const rec = records[idx] as SltRecord;
      const excluded = skippedByConditions(rec.conditions, spec.engineNames);
      switch (rec.kind) {
        case "loop": {
          const end = Math.min(rec.endIndex, to);
          if (!excluded) {
            const names = rec.variable.split(",");
            for (const value of rec.values) {
              if (halted) break;
              const inner = new Map(env);
              const parts = names.length > 1 ? value.split(",") : [value];
              names.forEach((n, k) => inner.set(n, parts[k] ?? ""));
              await runRecords(records, idx + 1, end, relPath, file, inner, depth + 1);
            }
          }
          idx = end; // the endloop record
          break;
        }
        case "control": {
          if (excluded || requireFailed !== null) break;
          switch (rec.directive) {
            case "halt":
              if (modeSkip === 0) halted = true;
              break;
            case "require":
              if (modeSkip === 0 && !satisfiedRequires.includes(rec.argument.toLowerCase())) {
                requireFailed = rec.argument;
              }
              break;
            case "mode-skip":
              modeSkip++;
              break;
            case "mode-unskip":
              modeSkip = Math.max(0, modeSkip - 1);
              break;
            case "sortmode":
              defaultSort = rec.argument as SortMode;
              break;
            case "resultmode":
              valuewise = rec.argument === "valuewise";
              break;
            case "include": {
              if (modeSkip > 0) break;
              let files: string[] = [];
              let problem: string | null = null;
              try {
                files = expandInclude(file, substitute(rec.argument, env));
                if (files.length === 0) problem = "no file matches";
              } catch (e) {
                problem = describeError(e).message;
              }
              if (depth >= includeDepthMax) problem = "include nesting too deep";
              for (const inc of problem === null ? files : []) {
                let text: string;
                try {
                  text = fs.readFileSync(inc, "utf8");
                } catch (e) {
                  problem = describeError(e).message;
                  break;
                }
                const incRel = path.posix.join(
                  path.posix.dirname(relPath),
                  path.relative(path.dirname(file), inc).split(path.sep).join("/"),
                );
                const incRecords = parseSlt(text, dialect);
                await runRecords(incRecords, 0, incRecords.length, incRel, inc, env, depth + 1);
                if (halted) break;
              }
              if (problem !== null) {
                const b = base(relPath, rec.line, null, seq++);
                emit({
                  ...b,
                  status: "failed",
                  reason: "unsupported-directive",
                  sql: `include ${rec.argument}`,
                  expected: "included file runs",
                  actual: `include failed: ${problem}`,
                  tags: [],
                });
              }
              break;
            }
            case "hash-threshold":
            case "endloop":
            case "ignore":
              break;
          }
          break;
        }
        case "unsupported": {
          const b = base(relPath, rec.line, null, seq++);
          if (excluded) emit(skipped(b, "condition"));
          else if (requireFailed !== null) emit(skipped(b, "require"));
          else if (modeSkip > 0) emit(skipped(b, "mode"));
          else {
            emit({
              ...b,
              status: "failed",
              reason: "unsupported-directive",
              sql: clip(rec.text),
              expected: "a supported directive",
              actual: `unsupported directive: ${clip(rec.text, 200)}`,
              tags: [],
            });
          }
          break;
        }
        case "statement":
        case "query": {
          let iteration: number | null = null;
          if (env.size > 0) {
            const key = `${relPath}:${rec.line}`;
            iteration = iterations.get(key) ?? 0;
            iterations.set(key, iteration + 1);
          }
          const b = base(relPath, rec.line, iteration, seq++);
          if (excluded) emit(skipped(b, "condition"));
          else if (requireFailed !== null) emit(skipped(b, "require"));
          else if (modeSkip > 0) emit(skipped(b, "mode"));
          else if (dialect === "datafusion" && /^\s*EXPLAIN\b/i.test(rec.sql)) {
            emit(skipped(b, "unsupported"));
          } else if (!killed.has(b.seq)) {
            emit(await runSql(rec, b, env));
          }
          break;
        }
      }
    }
  };

  try {
    let text: string;
    try {
      text = fs.readFileSync(spec.file, "utf8");
    } catch (e) {
      emit({
        ...base(spec.relPath, 0, null, seq++),
        status: "failed",
        reason: "crash",
        sql: "",
        expected: "file readable",
        actual: describeError(e).message,
        tags: [],
      });
      return;
    }
    const records = parseSlt(text, dialect);
    await runRecords(records, 0, records.length, spec.relPath, spec.file, new Map(), 0);
  } finally {
    if (ownScratch !== null) await Deno.remove(ownScratch, { recursive: true }).catch(() => {});
  }
}
