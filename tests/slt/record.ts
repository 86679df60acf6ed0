/**
 * The parsed form of a sqllogictest file: one {@link SltRecord} per record, in file order.
 *
 * @module
 */

/** How a corpus renders and compares results (FORMAT.md §5). */
export type Dialect = "classic" | "duckdb" | "datafusion" | "risinglight";

/** Every dialect, in a fixed order. */
export const dialects: readonly Dialect[] = ["classic", "duckdb", "datafusion", "risinglight"];

/** Sort mode of a query record (FORMAT.md §4). */
export type SortMode = "nosort" | "rowsort" | "valuesort";

/** A `skipif <engine>` / `onlyif <engine>` line in front of a record. */
export interface Condition {
  readonly kind: "skipif" | "onlyif";
  /** The engine name, lower-cased. */
  readonly engine: string;
}

/** What an error record expects the error message to be. */
export type ErrorExpectation =
  | { readonly kind: "any" }
  /** DuckDB: the message contains the text. */
  | { readonly kind: "contains"; readonly text: string }
  /** sqllogictest-rs inline `error <regex>`: the regex is found in the message. */
  | { readonly kind: "search"; readonly pattern: string }
  /** DuckDB `<REGEX>:` (full match) or `<!REGEX>:` (must not match). */
  | { readonly kind: "regex"; readonly pattern: string; readonly negate: boolean }
  /** sqllogictest-rs `(<SQLSTATE>)`. */
  | { readonly kind: "sqlstate"; readonly code: string }
  /** sqllogictest-rs multi-line message after `----`: exact text. */
  | { readonly kind: "exact"; readonly text: string };

interface RecordBase {
  /** 1-based line of the record's header line (`statement`, `query`, `loop`...). */
  readonly line: number;
  readonly conditions: readonly Condition[];
}

/** `statement ok|error|maybe`. */
export interface StatementRecord extends RecordBase {
  readonly kind: "statement";
  readonly expect: "ok" | "error" | "maybe";
  readonly error: ErrorExpectation;
  readonly sql: string;
}

/** `query <types> [<sortmode>] [<label>]`, or rs `query error <regex>`. */
export interface QueryRecord extends RecordBase {
  readonly kind: "query";
  /** Type letters, one per column (upper-cased). Empty for `query error`. */
  readonly types: string;
  /** Explicit sort mode, or null to use the file's default. */
  readonly sortMode: SortMode | null;
  readonly label: string | null;
  readonly sql: string;
  /** Expected result lines (after `----`), not yet split into values. */
  readonly expected: readonly string[];
  /** Set for rs `query error ...`: the query must fail. */
  readonly error: ErrorExpectation | null;
}

/** `loop var start end` or `foreach var v1 v2 ...`, closed by `endloop` at {@link endIndex}. */
export interface LoopRecord extends RecordBase {
  readonly kind: "loop";
  readonly variable: string;
  readonly values: readonly string[];
  /** Index (in the record list) of the matching `endloop`. */
  readonly endIndex: number;
}

/** A record that only steers the run. */
export interface ControlRecord extends RecordBase {
  readonly kind: "control";
  readonly directive:
    | "halt"
    | "hash-threshold"
    | "endloop"
    | "require"
    | "mode-skip"
    | "mode-unskip"
    | "include"
    | "sortmode"
    | "resultmode"
    | "ignore";
  /** The directive's argument (`require` thing, `include` path, sort/result mode). */
  readonly argument: string;
}

/** A directive this runner does not know: the record fails as "unsupported directive". */
export interface UnsupportedRecord extends RecordBase {
  readonly kind: "unsupported";
  readonly text: string;
}

/** One record of a sqllogictest file. */
export type SltRecord =
  | StatementRecord
  | QueryRecord
  | LoopRecord
  | ControlRecord
  | UnsupportedRecord;
