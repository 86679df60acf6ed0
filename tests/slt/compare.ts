/**
 * Sorting, hashing and matching a rendered result against a query's expected block, per dialect
 * (FORMAT.md §4-6).
 *
 * @example
 * ```ts
 * import { hashValues, sortRows } from "./compare.ts";
 * console.assert(hashValues([]) === "d41d8cd98f00b204e9800998ecf8427e");
 * console.assert(sortRows([["9"], ["10"]], "rowsort")[0]?.[0] === "10");
 * ```
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { Dialect, SortMode } from "./record.ts";

/** Characters of expected/actual text kept in a failure report. */
export const reportTextCharsMax = 4000;

const hashLine = /^(\d+) values hashing to ([0-9a-f]{32})$/;
const numberText = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Relative tolerance of the numeric leniency (FORMAT.md §5.3). */
export const numericToleranceRelative = 1e-9;

/** MD5 of `value + "\n"` over all values, lower-case hex. */
export function hashValues(values: readonly string[]): string {
  const h = createHash("md5");
  for (const v of values) h.update(v + "\n");
  return h.digest("hex");
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRowArrays(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(a[i] as string, b[i] as string);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Sorts rendered rows: `rowsort` sorts rows (column by column, code-unit order), `valuesort`
 * sorts all values and re-chunks them into rows of the same width, `nosort` keeps the order.
 */
export function sortRows(rows: readonly (readonly string[])[], mode: SortMode): string[][] {
  if (mode === "nosort") return rows.map((r) => [...r]);
  if (mode === "rowsort") return rows.map((r) => [...r]).sort(compareRowArrays);
  const width = rows[0]?.length ?? 0;
  const values = rows.flat().sort(compareStrings);
  const out: string[][] = [];
  for (let i = 0; i < values.length; i += Math.max(1, width)) {
    out.push(values.slice(i, i + Math.max(1, width)));
  }
  return out;
}

/** Whether two number texts are equal within the numeric leniency. */
export function numbersClose(expected: string, actual: string): boolean {
  if (!numberText.test(expected) || !numberText.test(actual)) return false;
  const a = Number(expected);
  const b = Number(actual);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= numericToleranceRelative * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Outcome of matching one result. */
export interface MatchResult {
  readonly ok: boolean;
  /** Passed only thanks to numeric/boolean leniency or a regex value. */
  readonly lenient: boolean;
  /** The actual result in the expected block's layout (truncated), for reports. */
  readonly actualText: string;
  /** Why it failed, when it failed. */
  readonly reason: string;
}

/** What to compare: rendered rows plus the facts the matcher needs. */
export interface MatchInput {
  readonly dialect: Dialect;
  /** Rendered values, already sorted. */
  readonly rows: readonly (readonly string[])[];
  /** Column count of the actual result. */
  readonly columnCount: number;
  /** Per column: whether the engine typed it boolean (DuckDB accepts `1`/`0` too). */
  readonly booleanColumns: readonly boolean[];
  readonly expected: readonly string[];
  /** sqllogictest-rs `control resultmode valuewise`. */
  readonly valuewise: boolean;
}

function clip(text: string): string {
  return text.length > reportTextCharsMax ? `${text.slice(0, reportTextCharsMax)}...` : text;
}

function fail(actualText: string, reason: string): MatchResult {
  return { ok: false, lenient: false, actualText: clip(actualText), reason };
}

function pass(actualText: string, lenient: boolean): MatchResult {
  return { ok: true, lenient, actualText: clip(actualText), reason: "" };
}

/** DuckDB per-value comparison: exact, regex, numeric, boolean (FORMAT.md §5.2). */
function duckdbValueMatch(
  expected: string,
  actual: string,
  boolean: boolean,
): "exact" | "lenient" | false {
  if (expected === actual) return "exact";
  if (expected.startsWith("<REGEX>:") || expected.startsWith("<!REGEX>:")) {
    const negate = expected.startsWith("<!");
    const source = expected.slice(negate ? 9 : 8);
    let hit: boolean;
    try {
      hit = new RegExp(`^(?:${source})$`, "s").test(actual);
    } catch {
      return false;
    }
    return hit !== negate ? "lenient" : false;
  }
  if (boolean) {
    const norm = (s: string): string => {
      const l = s.toLowerCase();
      return l === "1" ? "true" : l === "0" ? "false" : l;
    };
    if (norm(expected) === norm(actual)) return "lenient";
  }
  if (numbersClose(expected, actual)) return "lenient";
  return false;
}

function matchDuckdb(input: MatchInput, flat: readonly string[]): MatchResult {
  const { rows, expected, columnCount } = input;
  const rowWise = (columnCount > 1 && expected.length === rows.length) ||
    (expected.length > 0 && expected.every((l) => l.includes("\t")));
  const actualText = rows.map((r) => r.join("\t")).join("\n");
  let lenient = false;
  if (rowWise) {
    if (expected.length !== rows.length) {
      return fail(actualText, `expected ${expected.length} rows, got ${rows.length}`);
    }
    for (let r = 0; r < rows.length; r++) {
      const pieces = (expected[r] as string).split("\t");
      const row = rows[r] as readonly string[];
      if (pieces.length !== columnCount) {
        return fail(
          actualText,
          `row ${r + 1}: expected ${pieces.length} values, got ${columnCount}`,
        );
      }
      for (let c = 0; c < columnCount; c++) {
        const m = duckdbValueMatch(
          pieces[c] as string,
          row[c] as string,
          input.booleanColumns[c] ?? false,
        );
        if (m === false) return fail(actualText, `row ${r + 1} column ${c + 1} differs`);
        if (m === "lenient") lenient = true;
      }
    }
    return pass(actualText, lenient);
  }
  if (expected.length !== flat.length) {
    return fail(actualText, `expected ${expected.length} values, got ${flat.length}`);
  }
  for (let i = 0; i < flat.length; i++) {
    const c = columnCount === 0 ? 0 : i % columnCount;
    const m = duckdbValueMatch(
      expected[i] as string,
      flat[i] as string,
      input.booleanColumns[c] ?? false,
    );
    if (m === false) return fail(actualText, `value ${i + 1} differs`);
    if (m === "lenient") lenient = true;
  }
  return pass(actualText, lenient);
}

function normalizeSpaces(s: string): string {
  return s.trim().replace(/\s+/g, " ");
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function rsLineMatch(expected: string, actual: string): "exact" | "lenient" | false {
  const e = normalizeSpaces(expected);
  if (e === actual) return "exact";
  if (e.includes("<slt:ignore>")) {
    const re = new RegExp(`^${e.split("<slt:ignore>").map(escapeRegex).join(".*")}$`, "s");
    return re.test(actual) ? "exact" : false;
  }
  const et = e.split(" ");
  const at = actual.split(" ");
  if (et.length !== at.length) return false;
  for (let i = 0; i < et.length; i++) {
    if (et[i] !== at[i] && !numbersClose(et[i] as string, at[i] as string)) return false;
  }
  return "lenient";
}

function matchRs(input: MatchInput, flat: readonly string[]): MatchResult {
  const lines = input.valuewise
    ? flat.map(normalizeSpaces)
    : input.rows.map((r) => r.map(normalizeSpaces).join(" "));
  const actualText = lines.join("\n");
  if (lines.length !== input.expected.length) {
    return fail(actualText, `expected ${input.expected.length} lines, got ${lines.length}`);
  }
  let lenient = false;
  for (let i = 0; i < lines.length; i++) {
    const m = rsLineMatch(input.expected[i] as string, lines[i] as string);
    if (m === false) return fail(actualText, `line ${i + 1} differs`);
    if (m === "lenient") lenient = true;
  }
  return pass(actualText, lenient);
}

/** Matches a rendered, sorted result against the expected block of a query record. */
export function matchResult(input: MatchInput): MatchResult {
  const flat = input.rows.flat();
  const only = input.expected.length === 1 ? input.expected[0] as string : null;
  const hashed = only === null ? null : hashLine.exec(only.trim());
  if (hashed !== null) {
    const actualText = `${flat.length} values hashing to ${hashValues(flat)}`;
    return actualText === only?.trim()
      ? pass(actualText, false)
      : fail(actualText, "result hash differs");
  }
  switch (input.dialect) {
    case "classic": {
      const actualText = flat.join("\n");
      if (flat.length !== input.expected.length) {
        return fail(actualText, `expected ${input.expected.length} values, got ${flat.length}`);
      }
      for (let i = 0; i < flat.length; i++) {
        if (flat[i] !== input.expected[i]) return fail(actualText, `value ${i + 1} differs`);
      }
      return pass(actualText, false);
    }
    case "duckdb":
      return matchDuckdb(input, flat);
    case "datafusion":
    case "risinglight":
      return matchRs(input, flat);
  }
}

/** Whether an expected block is a hash line (`N values hashing to md5`). */
export function isHashBlock(expected: readonly string[]): boolean {
  return expected.length === 1 && hashLine.test((expected[0] as string).trim());
}
