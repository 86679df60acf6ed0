/**
 * The SQL robustness property: whatever SQL text comes in, the engine answers with a result or a
 * {@link DbError}, never another exception, never an internal error (XX000), and the rows it
 * holds stay intact.
 *
 * Two fast-check properties feed it:
 *
 * - **tokens**: random sequences of {@link TOKENS};
 * - **corpus**: statements from the shared sqllogictest corpora (`../shared/conformance`, see
 *   {@link loadCorpusSeeds}), mutated by {@link mutateSql}: cut characters or tokens, insert
 *   tokens, quotes or parentheses, swap two tokens, put an edge value in place of a literal.
 *
 * {@link runRobustness} runs both against a fresh in-memory database with a few tables and
 * returns counts. The default test run uses a small fixed-seed slice
 * (`tests/integration/robustness_test.ts`); `deno task robustness` runs a long one.
 *
 * @module
 */
import fc from "fast-check";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Database, DbError } from "../../mod.ts";

/** Tokens that random statements are built from, and that mutations insert. */
export const TOKENS: readonly string[] = [
  "SELECT",
  "FROM",
  "WHERE",
  "INSERT",
  "INTO",
  "VALUES",
  "CREATE",
  "TABLE",
  "DROP",
  "ORDER",
  "BY",
  "LIMIT",
  "OFFSET",
  "DISTINCT",
  "AND",
  "OR",
  "NOT",
  "NULL",
  "IS",
  "IN",
  "BETWEEN",
  "CASE",
  "WHEN",
  "THEN",
  "ELSE",
  "END",
  "CAST",
  "AS",
  "INTEGER",
  "TEXT",
  "BIGINT",
  "GROUP",
  "JOIN",
  "ON",
  "(",
  ")",
  ",",
  ";",
  "*",
  "+",
  "-",
  "/",
  "%",
  "^",
  "||",
  "=",
  "<>",
  "<",
  ">=",
  "::",
  "'x'",
  "''",
  "1",
  "0",
  "-1",
  "2147483647",
  "9223372036854775807",
  "1.5",
  "1e308",
  "$1",
  "a",
  "b",
  "t",
  "t.a",
  '"A"',
  "abs",
  "coalesce",
  "lower",
  "TRUE",
  "FALSE",
  "E'\\x41'",
  "/*",
  "*/",
  "--",
  "\n",
];

/** Values that a `literal` mutation puts in place of a literal: limits, NULL, odd text. */
export const EDGE_VALUES: readonly string[] = [
  "NULL",
  "0",
  "-1",
  "1",
  "0.0",
  "1.5",
  "-0.5",
  "2147483647",
  "-2147483648",
  "9223372036854775807",
  "-9223372036854775808",
  "99999999999999999999",
  "1e308",
  "-1e308",
  "1e-320",
  "'NaN'",
  "'infinity'",
  "''",
  "'x'",
  "'1992-02-30'",
  "TRUE",
  "$1",
];

/** Seeds used when the conformance corpora are not there. */
export const BUILTIN_SEEDS: readonly string[] = [
  "SELECT a, b FROM t WHERE a > 1 ORDER BY b DESC LIMIT 2",
  "INSERT INTO t VALUES (1, 'one'), (2, NULL)",
  "SELECT CASE WHEN a IS NULL THEN 0 ELSE a / 2 END FROM t",
  "SELECT CAST(b AS INTEGER) + 1 FROM t WHERE b IN ('1', '2')",
  "CREATE TABLE u (x BIGINT NOT NULL, y DOUBLE PRECISION)",
];

/** Where the shared corpora sit: `<clone>/../shared/conformance` (read-only). */
export const conformanceDirDefault: string = fileURLToPath(
  new URL("../../../shared/conformance", import.meta.url),
);

/** Most corpus seeds kept in total. */
export const corpusSeedsMax = 2_000;
/** Longest corpus statement kept as a seed, in characters. */
export const seedCharsMax = 4_000;
/** How long one statement may run before it is cancelled (a 57014 DbError), in milliseconds. */
export const statementTimeoutMs = 500;
/** Memory one statement may hold (a 53200 DbError beyond it), in bytes. */
export const queryMemoryBytesMax = 256 * 1024 * 1024;
/** How often {@link RobustnessOptions.onProgress} is called, in cases. */
export const progressEveryCasesDefault = 10_000;

/**
 * The fixed sample of corpus files: every `fileStride`-th file (sorted by path) with extension
 * `ext` under `dir`, and at most `seedsPerFileMax` statements of each, spread over the file.
 * SQLite's files are large and repetitive, so it gets few.
 */
const corpusSamples: readonly {
  readonly dir: string;
  readonly ext: string;
  readonly fileStride: number;
  readonly seedsPerFileMax: number;
}[] = [
  { dir: "duckdb", ext: ".test", fileStride: 1, seedsPerFileMax: 40 },
  { dir: "datafusion", ext: ".slt", fileStride: 1, seedsPerFileMax: 50 },
  { dir: "sqlite", ext: ".test", fileStride: 3, seedsPerFileMax: 30 },
];

/**
 * Statements not used as seeds: they read or write files (COPY, paths, DataFusion's external
 * tables), load extensions, or use DuckDB runner variables that only the runner substitutes.
 */
const unsafeSeedPattern =
  /\b(COPY|ATTACH|DETACH|EXPORT|IMPORT|INSTALL|LOAD|PRAGMA|LOCATION|EXTERNAL|CHECKPOINT)\b|\bread_\w+\s*\(|__TEST_DIR__|\$\{|'[^']*(\/|\\|\.(csv|parquet|json|tbl|db|txt|gz|zst))[^']*'/i;

/** The name of the table that no generated statement can name: its rows must never change. */
const guardTable = "robustness_guard";
const guardRows = "1:one,2:two,3:NULL";

/** The tables each property starts with, then the guard table. */
const setupSql = [
  "CREATE TABLE t (a INTEGER, b TEXT)",
  "INSERT INTO t VALUES (1, '1'), (2, '2'), (NULL, 'x')",
  "CREATE TABLE t1 (a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER)",
  "INSERT INTO t1 VALUES (1, 2, 3, 4, 5), (NULL, 0, -1, 2147483647, NULL)",
  "CREATE TABLE integers (i INTEGER)",
  "INSERT INTO integers VALUES (1), (2), (3), (NULL)",
  `CREATE TABLE ${guardTable} (k INTEGER, v TEXT)`,
  `INSERT INTO ${guardTable} VALUES (1, 'one'), (2, 'two'), (3, NULL)`,
];

/** Seeds for the corpus property, and where they came from. */
export interface CorpusSeeds {
  /** Distinct SQL texts, in a fixed order. */
  readonly seeds: readonly string[];
  /** `corpus` when read from the conformance folder; `builtin` when it was missing. */
  readonly source: "corpus" | "builtin";
  /** Corpus files read (0 for the built-in seeds). */
  readonly files: number;
}

/**
 * The SQL text of every `query`/`statement` record in sqllogictest text: the lines after the
 * header up to `----` or a blank line, without `#` comment lines.
 *
 * @example
 * ```ts
 * import { extractSql } from "./robustness.ts";
 * const text = "statement ok\nCREATE TABLE t (a INT)\n\nquery I\nSELECT a\nFROM t\n----\n1\n";
 * console.assert(JSON.stringify(extractSql(text)) ===
 *   JSON.stringify(["CREATE TABLE t (a INT)", "SELECT a\nFROM t"]));
 * ```
 */
export function extractSql(text: string): string[] {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const header = lines[i++]!;
    if (!/^(query|statement)(\s|$)/.test(header)) continue;
    const sql: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== "" && lines[i]!.trim() !== "----") {
      const line = lines[i++]!;
      if (!line.startsWith("#")) sql.push(line);
    }
    if (lines[i]?.trim() === "----") {
      while (i < lines.length && lines[i]!.trim() !== "") i++; // the expected results
    }
    if (sql.length > 0) out.push(sql.join("\n"));
  }
  return out;
}

/** Whether a statement may be a seed: no file access, not too long. */
function isSafeSeed(sql: string): boolean {
  return sql.length <= seedCharsMax && !unsafeSeedPattern.test(sql) && !sql.includes(guardTable);
}

/** At most `max` of `items`, spread evenly over them, in order. */
function spread<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  for (let k = 0; k < max; k++) out.push(items[Math.floor((k * items.length) / max)]!);
  return out;
}

async function filesUnder(dir: string, ext: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory) out.push(...await filesUnder(full, ext));
    else if (entry.isFile && entry.name.endsWith(ext)) out.push(full);
  }
  return out.sort();
}

/**
 * Reads the corpus seeds: statements from a fixed sample of the files under `dir` (default
 * {@link conformanceDirDefault}), at most {@link corpusSeedsMax}. Statements that touch files
 * are skipped. When the folder is missing, returns {@link BUILTIN_SEEDS}.
 *
 * @example
 * ```ts
 * import { loadCorpusSeeds } from "./robustness.ts";
 * const missing = await loadCorpusSeeds("/nonexistent/conformance");
 * console.assert(missing.source === "builtin" && missing.seeds.length > 0);
 * ```
 */
export async function loadCorpusSeeds(dir: string = conformanceDirDefault): Promise<CorpusSeeds> {
  const seen = new Set<string>();
  let files = 0;
  for (const sample of corpusSamples) {
    let paths: string[];
    try {
      paths = await filesUnder(path.join(dir, sample.dir), sample.ext);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    for (let i = 0; i < paths.length; i += sample.fileStride) {
      const statements = extractSql(await Deno.readTextFile(paths[i]!)).filter(isSafeSeed);
      files++;
      for (const sql of spread(statements, sample.seedsPerFileMax)) {
        if (seen.size < corpusSeedsMax) seen.add(sql);
      }
    }
  }
  if (seen.size === 0) return { seeds: BUILTIN_SEEDS, source: "builtin", files: 0 };
  return { seeds: [...seen], source: "corpus", files };
}

/** The outcome of one statement: a result, or a DbError with its SQLSTATE code. */
export type StatementOutcome = { readonly kind: "result"; readonly command: string } | {
  readonly kind: "db_error";
  readonly code: string;
};

/** A statement broke the property: a non-DbError, an XX000, or rows that were lost. */
export class RobustnessFailure extends Error {
  /** The SQL text that broke it. */
  readonly sql: string;
  /** Which property found it (`setup`: a corpus CREATE or INSERT run as is before it). */
  readonly property: "tokens" | "corpus" | "setup";
  /** What tells two failures apart: the innermost error's message and where it was thrown. */
  readonly signature: string;
  /**
   * The statements that changed the database before it, oldest first: those that succeeded and
   * were not SELECT, EXPLAIN or SHOW, after the base tables (at most
   * {@link historyStatementsMax}). Set by {@link runRobustness}: a failure that needs an earlier
   * statement (one that broke a table, say) shows it here.
   */
  history: readonly string[] = [];
  /**
   * Whether the statement fails again on a fresh database set up as the property's was (set by
   * {@link runRobustness}; `null` when not tried). `false` points at the {@link history}.
   */
  standalone: boolean | null = null;

  constructor(
    sql: string,
    property: RobustnessFailure["property"],
    message: string,
    cause?: unknown,
  ) {
    super(`${message}\n  SQL: ${JSON.stringify(sql)}`, cause === undefined ? {} : { cause });
    this.name = "RobustnessFailure";
    this.sql = sql;
    this.property = property;
    this.signature = signatureOf(message, cause);
  }

  /**
   * The message, whether it fails alone, then the {@link history}.
   *
   * @example
   * ```ts
   * import { RobustnessFailure } from "./robustness.ts";
   * const failure = new RobustnessFailure("SELECT * FROM t", "tokens", "internal error");
   * failure.history = ["INSERT INTO t VALUES (1)"];
   * console.assert(failure.report().includes('"INSERT INTO t VALUES (1)"'));
   * ```
   */
  report(): string {
    const lines = [`[${this.property}] ${this.message}`];
    if (this.standalone !== null) {
      lines.push(
        this.standalone
          ? "  It fails on a fresh database too."
          : "  It does not fail on a fresh database: see the statements before it.",
      );
    }
    if (this.history.length > 0) {
      lines.push("  Statements that changed the database before it (oldest first):");
      for (const sql of this.history) lines.push(`    ${JSON.stringify(sql)}`);
    }
    return lines.join("\n");
  }
}

function signatureOf(message: string, cause: unknown): string {
  let inner = cause;
  while (inner instanceof Error && inner.cause !== undefined) inner = inner.cause;
  if (!(inner instanceof Error)) return message.split("\n")[0]!;
  const frame = inner.stack?.split("\n").find((line) => /^\s+at /.test(line))?.trim() ?? "";
  return `${inner.name}: ${inner.message} ${frame.replace(/:\d+\)?$/, "")}`;
}

function stackOf(e: unknown): string {
  let text = e instanceof Error ? e.stack ?? String(e) : String(e);
  if (e instanceof Error && e.cause !== undefined) text += `\nCaused by: ${stackOf(e.cause)}`;
  return text;
}

/**
 * Runs one statement (with `$1` = 1 and a {@link statementTimeoutMs} timeout) and returns its
 * outcome. Throws a {@link RobustnessFailure} on anything other than a result or a DbError, and
 * on a DbError that is internal (XX000) or has a malformed SQLSTATE.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * import { expectOnlyDbErrors } from "./robustness.ts";
 * const db = await Database.open({ memory: true });
 * console.assert((await expectOnlyDbErrors(db, "SELECT 1")).kind === "result");
 * const bad = await expectOnlyDbErrors(db, "SELEC 1");
 * console.assert(bad.kind === "db_error" && bad.code === "42601");
 * await db.close();
 * ```
 */
export async function expectOnlyDbErrors(
  db: Database,
  sql: string,
  property: RobustnessFailure["property"] = "tokens",
): Promise<StatementOutcome> {
  try {
    const r = await db.query(sql, [1], { timeoutMs: statementTimeoutMs });
    return { kind: "result", command: r.command };
  } catch (e) {
    if (!(e instanceof DbError)) {
      throw new RobustnessFailure(sql, property, `non-DbError:\n${stackOf(e)}`, e);
    }
    if (!/^[0-9A-Z]{5}$/.test(e.code)) {
      throw new RobustnessFailure(sql, property, `malformed SQLSTATE ${JSON.stringify(e.code)}`);
    }
    if (e.code === "XX000") {
      throw new RobustnessFailure(sql, property, `internal error (XX000):\n${stackOf(e)}`, e);
    }
    return { kind: "db_error", code: e.code };
  }
}

/** One mutation of a seed. Positions are taken modulo the length, so any natural number fits. */
export type Mutation =
  | {
    /** Cut `cut` characters at `at` and insert `insert` there. */
    readonly kind: "splice";
    readonly at: number;
    readonly cut: number;
    readonly insert: string;
  }
  | {
    /** Cut `cut` tokens from the `at`-th and insert `insert` there, between spaces. */
    readonly kind: "tokens";
    readonly at: number;
    readonly cut: number;
    readonly insert: string;
  }
  | {
    /** Replace the `i`-th literal (number, string, NULL, TRUE, FALSE) with `value`. */
    readonly kind: "literal";
    readonly i: number;
    readonly value: string;
  }
  | {
    /** Swap the `i`-th and `j`-th tokens. */
    readonly kind: "swap";
    readonly i: number;
    readonly j: number;
  };

/** A rough SQL lexer, enough to find token boundaries: strings, names, numbers, operators. */
const tokenPattern =
  /'(?:[^']|'')*'?|"(?:[^"]|"")*"?|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\s+|::|<>|<=|>=|!=|\|\||[^]/g;

/** A literal token: a number, a string, NULL, TRUE or FALSE. */
const literalPattern = /^(\d|'|(NULL|TRUE|FALSE)$)/i;

/** The tokens of `sql`, whitespace dropped. */
function tokenize(sql: string): string[] {
  return (sql.match(tokenPattern) ?? []).filter((tok) => !/^\s+$/.test(tok));
}

/**
 * Applies `mutations` to `sql` in order. A token-level mutation joins the tokens with single
 * spaces (comments and string contents are kept).
 *
 * @example
 * ```ts
 * import { mutateSql } from "./robustness.ts";
 * console.assert(mutateSql("SELECT 1", [{ kind: "splice", at: 7, cut: 1, insert: "(" }]) ===
 *   "SELECT (");
 * console.assert(mutateSql("SELECT a FROM t", [{ kind: "swap", i: 1, j: 3 }]) ===
 *   "SELECT t FROM a");
 * console.assert(
 *   mutateSql("SELECT a FROM t", [{ kind: "tokens", at: 1, cut: 1, insert: "*" }]) ===
 *     "SELECT * FROM t",
 * );
 * console.assert(
 *   mutateSql("SELECT 'a', 2", [{ kind: "literal", i: 1, value: "NULL" }]) === "SELECT 'a' , NULL",
 * );
 * ```
 */
export function mutateSql(sql: string, mutations: readonly Mutation[]): string {
  let out = sql;
  for (const m of mutations) {
    switch (m.kind) {
      case "splice": {
        const at = m.at % (out.length + 1);
        out = out.slice(0, at) + m.insert + out.slice(at + m.cut);
        break;
      }
      case "tokens": {
        const tokens = tokenize(out);
        tokens.splice(m.at % (tokens.length + 1), m.cut, ...(m.insert === "" ? [] : [m.insert]));
        out = tokens.join(" ");
        break;
      }
      case "literal": {
        const tokens = tokenize(out);
        const literals = tokens.flatMap((tok, k) => (literalPattern.test(tok) ? [k] : []));
        if (literals.length === 0) break;
        tokens[literals[m.i % literals.length]!] = m.value;
        out = tokens.join(" ");
        break;
      }
      case "swap": {
        const tokens = tokenize(out);
        if (tokens.length < 2) break;
        const a = m.i % tokens.length;
        const b = m.j % tokens.length;
        [tokens[a], tokens[b]] = [tokens[b]!, tokens[a]!];
        out = tokens.join(" ");
        break;
      }
      default:
        throw new Error(`unknown mutation ${JSON.stringify(m satisfies never)}`);
    }
  }
  return out;
}

/** What {@link runRobustness} runs. */
export interface RobustnessOptions {
  /** Cases in total: half random token sequences, then the rest as corpus mutations. */
  readonly cases: number;
  /** The fast-check seed of the token property; the corpus property uses `seed + 1`. */
  readonly seed: number;
  /** The conformance folder (default {@link conformanceDirDefault}). */
  readonly corpusDir?: string;
  /**
   * Record failures and go on (with a fresh database) instead of stopping at the first one and
   * shrinking it. Failures are kept once per {@link RobustnessFailure.signature}.
   */
  readonly keepGoing?: boolean;
  /** Called every `progressEveryCases` cases with the counts so far. */
  readonly onProgress?: (counts: RobustnessCounts) => void;
  /** Default {@link progressEveryCasesDefault}. */
  readonly progressEveryCases?: number;
}

/** Counts of a run. */
export interface RobustnessCounts {
  /** Cases run (fast-check property runs, shrinking included). */
  readonly cases: number;
  /** Statements that returned a result. */
  readonly results: number;
  /** DbErrors by SQLSTATE class (the first two characters of the code). */
  readonly dbErrorsByClass: Readonly<Record<string, number>>;
  /** Failures seen, duplicates included. */
  readonly failures: number;
}

/** The outcome of {@link runRobustness}. */
export interface RobustnessSummary extends RobustnessCounts {
  /** Where the corpus seeds came from, and how many there were. */
  readonly corpus: {
    readonly source: "corpus" | "builtin";
    readonly files: number;
    readonly seeds: number;
  };
  /**
   * Distinct failures, first seen first: without `keepGoing` at most one, shrunk by fast-check;
   * empty when the property held. The same `seed` replays the run.
   */
  readonly distinctFailures: readonly RobustnessFailure[];
  readonly elapsedMs: number;
}

/** Most distinct failures kept by a `keepGoing` run. */
export const distinctFailuresMax = 50;
/** Most statements kept in {@link RobustnessFailure.history}. */
export const historyStatementsMax = 50;

/** The database under test, the counts and the failures, across both properties. */
class Runner {
  cases = 0;
  results = 0;
  failures = 0;
  readonly dbErrorsByClass: Record<string, number> = {};
  readonly distinct = new Map<string, RobustnessFailure>();
  #db: Database | null = null;
  /** The statements that changed `#db`, oldest first. */
  #history: string[] = [];
  /** Statements that set up the current property; ones that fail are dropped. */
  #setup: string[] = [];
  readonly #options: RobustnessOptions;
  readonly #every: number;

  constructor(options: RobustnessOptions) {
    this.#options = options;
    this.#every = options.progressEveryCases ?? progressEveryCasesDefault;
  }

  /**
   * A fresh database with the base tables, then `setup` run as is. A setup statement that fails
   * is a failure (thrown, or recorded with `keepGoing`); it is dropped and setup starts over.
   */
  async open(setup: readonly string[]): Promise<void> {
    this.#setup = [...setup];
    await this.#reopen();
  }

  async close(): Promise<void> {
    await this.#db?.close();
    this.#db = null;
  }

  /**
   * Runs one statement and checks the guard rows. On a failure the database is replaced (a crash
   * may have left it broken, and fast-check goes on to shrink the case), the statement is tried
   * once more on the fresh one, and the failure is thrown, or with `keepGoing` recorded.
   */
  async step(sql: string, property: "tokens" | "corpus"): Promise<void> {
    try {
      const outcome = await this.#run(sql, property);
      if (outcome.kind === "result") this.results++;
      else {
        const cls = outcome.code.slice(0, 2);
        this.dbErrorsByClass[cls] = (this.dbErrorsByClass[cls] ?? 0) + 1;
      }
    } catch (e) {
      if (!(e instanceof RobustnessFailure)) throw e;
      e.history = this.#history;
      await this.#reopen();
      try {
        await this.#run(sql, property);
        e.standalone = false;
      } catch (again) {
        if (!(again instanceof RobustnessFailure)) throw again;
        e.standalone = true;
      }
      await this.#reopen();
      this.#fail(e);
    } finally {
      this.cases++;
      if (this.cases % this.#every === 0) this.#options.onProgress?.(this.counts());
    }
  }

  counts(): RobustnessCounts {
    return {
      cases: this.cases,
      results: this.results,
      dbErrorsByClass: { ...this.dbErrorsByClass },
      failures: this.failures,
    };
  }

  /** Runs one statement, checks the guard rows and keeps the history. */
  async #run(sql: string, property: RobustnessFailure["property"]): Promise<StatementOutcome> {
    const outcome = await expectOnlyDbErrors(this.#db!, sql, property);
    await checkGuard(this.#db!, sql, property);
    if (outcome.kind === "result" && !/^(SELECT|EXPLAIN|SHOW)\b/.test(outcome.command)) {
      this.#history.push(sql);
      if (this.#history.length > historyStatementsMax) this.#history.shift();
    }
    return outcome;
  }

  async #reopen(): Promise<void> {
    for (;;) {
      await this.close();
      const db = await Database.open({ memory: true, limits: { queryMemoryBytesMax } });
      this.#db = db;
      this.#history = [];
      for (const sql of setupSql) await db.query(sql);
      let failed = -1;
      for (const [i, sql] of this.#setup.entries()) {
        try {
          await this.#run(sql, "setup");
        } catch (e) {
          if (!(e instanceof RobustnessFailure)) throw e;
          e.history = this.#history;
          this.#fail(e);
          failed = i;
          break;
        }
      }
      if (failed < 0) return;
      this.#setup.splice(failed, 1);
    }
  }

  #fail(failure: RobustnessFailure): void {
    this.failures++;
    if (!this.#options.keepGoing) throw failure;
    if (!this.distinct.has(failure.signature) && this.distinct.size < distinctFailuresMax) {
      this.distinct.set(failure.signature, failure);
    }
  }
}

async function checkGuard(
  db: Database,
  sql: string,
  property: RobustnessFailure["property"],
): Promise<void> {
  let rows: string;
  try {
    const r = await db.query(`SELECT k, v FROM ${guardTable} ORDER BY k`);
    rows = r.rows.map((row) => `${row[0]}:${row[1] ?? "NULL"}`).join(",");
  } catch (e) {
    throw new RobustnessFailure(sql, property, `the guard table is gone:\n${stackOf(e)}`, e);
  }
  if (rows !== guardRows) {
    throw new RobustnessFailure(sql, property, `rows were lost: ${rows}, expected ${guardRows}`);
  }
}

function tokenSql(): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 14 })
    .map((toks) => toks.join(" "));
}

function mutatedSql(seeds: readonly string[]): fc.Arbitrary<string> {
  const insert = fc.constantFrom(...TOKENS, "", " ", "'", '"', "(", ")");
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({
      kind: fc.constant("splice" as const),
      at: fc.nat(),
      cut: fc.nat({ max: 6 }),
      insert,
    }),
    fc.record({
      kind: fc.constant("tokens" as const),
      at: fc.nat(),
      cut: fc.nat({ max: 2 }),
      insert,
    }),
    fc.record({
      kind: fc.constant("literal" as const),
      i: fc.nat(),
      value: fc.constantFrom(...EDGE_VALUES),
    }),
    fc.record({ kind: fc.constant("swap" as const), i: fc.nat(), j: fc.nat() }),
  );
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 2 }))
    .map(([sql, mutations]) => mutateSql(sql, mutations));
}

/**
 * Runs the robustness properties: `cases / 2` random token sequences, then the rest as corpus
 * mutations, each property against a fresh in-memory database with tables `t`, `t1`,
 * `integers` and a guard table whose rows are checked after every statement. Before the corpus
 * property, the corpus's own CREATE and INSERT seeds run once unchanged, so that mutated
 * queries find tables. Returns the counts and the failures.
 *
 * @example
 * ```ts
 * import { runRobustness } from "./robustness.ts";
 * const summary = await runRobustness({ cases: 40, seed: 7, keepGoing: true });
 * console.assert(summary.cases === 40);
 * console.assert(summary.distinctFailures.length <= summary.failures);
 * ```
 */
export async function runRobustness(options: RobustnessOptions): Promise<RobustnessSummary> {
  const started = performance.now();
  const corpus = await loadCorpusSeeds(options.corpusDir);
  const runner = new Runner(options);
  const tokenCases = Math.floor(options.cases / 2);
  const properties: {
    readonly property: "tokens" | "corpus";
    readonly sql: fc.Arbitrary<string>;
    readonly seed: number;
    readonly numRuns: number;
    readonly setup: readonly string[];
  }[] = [
    { property: "tokens", sql: tokenSql(), seed: options.seed, numRuns: tokenCases, setup: [] },
    {
      property: "corpus",
      sql: mutatedSql(corpus.seeds),
      seed: options.seed + 1,
      numRuns: options.cases - tokenCases,
      setup: corpus.seeds.filter((sql) => /^\s*(CREATE|INSERT)\b/i.test(sql)),
    },
  ];
  try {
    for (const p of properties) {
      if (p.numRuns === 0) continue;
      await runner.open(p.setup);
      const run = await fc.check(
        fc.asyncProperty(p.sql, (sql) => runner.step(sql, p.property)),
        { seed: p.seed, numRuns: p.numRuns },
      );
      if (run.failed) {
        const e = run.errorInstance;
        const failure = e instanceof RobustnessFailure
          ? e
          : new RobustnessFailure(String(run.counterexample?.[0]), p.property, stackOf(e), e);
        runner.distinct.set(failure.signature, failure);
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof RobustnessFailure)) throw e;
    runner.distinct.set(e.signature, e); // a setup statement, outside fast-check
  } finally {
    await runner.close();
  }
  return {
    ...runner.counts(),
    corpus: { source: corpus.source, files: corpus.files, seeds: corpus.seeds.length },
    distinctFailures: [...runner.distinct.values()],
    elapsedMs: performance.now() - started,
  };
}
