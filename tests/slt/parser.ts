/**
 * Parses sqllogictest text into records, following `shared/conformance/FORMAT.md` §1-3.
 * The parser never throws: a line it cannot understand becomes an {@link UnsupportedRecord}.
 *
 * @example
 * ```ts
 * import { parseSlt } from "./parser.ts";
 * const records = parseSlt("statement ok\nCREATE TABLE t(a INT)\n\nquery I\nSELECT 1\n----\n1\n", "classic");
 * console.assert(records.length === 2 && records[1]?.kind === "query");
 * ```
 *
 * @module
 */
import type {
  Condition,
  Dialect,
  ErrorExpectation,
  LoopRecord,
  SltRecord,
  SortMode,
} from "./record.ts";

const sortModes: readonly string[] = ["nosort", "rowsort", "valuesort"];

/** Splits a header line on whitespace, dropping a trailing `# comment`. */
function headerTokens(line: string): string[] {
  const out: string[] = [];
  for (const token of line.trim().split(/\s+/)) {
    if (token.startsWith("#")) break;
    if (token !== "") out.push(token);
  }
  return out;
}

function isBlank(line: string | undefined): boolean {
  return line === undefined || line.trim() === "";
}

/** The text of `line` after its first `count` whitespace-separated words. */
function restAfterWords(line: string, count: number): string {
  const m = new RegExp(`^\\s*(?:\\S+\\s+){${count}}(.*)$`).exec(line);
  return m?.[1]?.trim() ?? "";
}

function duckdbMessage(text: string): ErrorExpectation {
  if (text.startsWith("<REGEX>:")) {
    return { kind: "regex", pattern: text.slice("<REGEX>:".length), negate: false };
  }
  if (text.startsWith("<!REGEX>:")) {
    return { kind: "regex", pattern: text.slice("<!REGEX>:".length), negate: true };
  }
  return { kind: "contains", text };
}

function inlineError(text: string): ErrorExpectation {
  if (text === "") return { kind: "any" };
  const state = /^\(([0-9A-Z]{5})\)$/.exec(text);
  if (state?.[1] !== undefined) return { kind: "sqlstate", code: state[1] };
  return { kind: "search", pattern: text };
}

/**
 * Parses one file. `dialect` decides the dialect-specific spellings (DuckDB connection names,
 * sqllogictest-rs inline error regexes and two-blank-line error blocks).
 */
export function parseSlt(text: string, dialect: Dialect): SltRecord[] {
  const lines = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const records: SltRecord[] = [];
  const loopStack: { index: number; record: LoopRecord }[] = [];
  const rs = dialect === "datafusion" || dialect === "risinglight";
  let conditions: Condition[] = [];
  let i = 0;

  /** Reads SQL lines from `i` up to a blank line or `----`; drops `#` comment lines. */
  const readSql = (): string => {
    const sql: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && lines[i] !== "----") {
      const l = lines[i] as string;
      if (!l.startsWith("#")) sql.push(l);
      i++;
    }
    return sql.join("\n");
  };
  /** After `----`: lines up to one blank line (or two, for rs error messages). */
  const readBlock = (twoBlanks: boolean): string[] => {
    const out: string[] = [];
    if (lines[i] !== "----") return out;
    i++;
    while (i < lines.length) {
      const l = lines[i] as string;
      if (isBlank(l)) {
        if (!twoBlanks || isBlank(lines[i + 1]) || i + 1 >= lines.length) break;
      }
      out.push(l);
      i++;
    }
    return out;
  };
  const skipToBlank = (): void => {
    while (i < lines.length && !isBlank(lines[i])) i++;
  };

  while (i < lines.length) {
    const raw = lines[i] as string;
    if (isBlank(raw) || raw.startsWith("#")) {
      i++;
      continue;
    }
    const tokens = headerTokens(raw);
    const line = i + 1;
    const word = (tokens[0] ?? "").toLowerCase();
    i++;
    if (word === "skipif" || word === "onlyif") {
      conditions.push({ kind: word, engine: (tokens[1] ?? "").toLowerCase() });
      continue;
    }
    const base = { line, conditions };
    conditions = [];
    switch (word) {
      case "statement": {
        const mode = (tokens[1] ?? "").toLowerCase();
        if (mode !== "ok" && mode !== "error" && mode !== "maybe") {
          records.push({ kind: "unsupported", ...base, text: raw.trim() });
          readSql();
          readBlock(false);
          break;
        }
        const inline = mode === "error" && rs ? restAfterWords(raw, 2) : "";
        const sql = readSql();
        let error: ErrorExpectation = inlineError(inline);
        if (mode === "error" && lines[i] === "----") {
          const block = readBlock(rs);
          if (dialect === "duckdb") error = duckdbMessage(block.join("\n"));
          else if (rs) error = { kind: "exact", text: block.join("\n").trim() };
        } else if (lines[i] === "----") {
          readBlock(false);
        }
        records.push({ kind: "statement", ...base, expect: mode, error, sql });
        break;
      }
      case "query": {
        const first = tokens[1] ?? "";
        if (rs && first.toLowerCase() === "error") {
          const error = inlineError(restAfterWords(raw, 2));
          const sql = readSql();
          const block = readBlock(true);
          const full: ErrorExpectation = block.length > 0
            ? { kind: "exact", text: block.join("\n").trim() }
            : error;
          records.push({
            kind: "query",
            ...base,
            types: "",
            sortMode: null,
            label: null,
            sql,
            expected: [],
            error: full,
          });
          break;
        }
        const second = (tokens[2] ?? "").toLowerCase();
        let sortMode: SortMode | null = null;
        let label: string | null = null;
        if (sortModes.includes(second)) {
          sortMode = second as SortMode;
          label = tokens[3] ?? null;
        } else if (dialect === "duckdb") {
          label = tokens[3] ?? null; // the 2nd token is a connection name
        } else {
          label = tokens[2] ?? null;
        }
        const sql = readSql();
        const expected = readBlock(false);
        records.push({
          kind: "query",
          ...base,
          types: first.toUpperCase(),
          sortMode,
          label,
          sql,
          expected,
          error: null,
        });
        break;
      }
      case "loop":
      case "concurrentloop":
      case "foreach": {
        let values: string[] = [];
        if (word === "foreach") {
          values = tokens.slice(2);
        } else {
          const start = Number(tokens[2]);
          const end = Number(tokens[3]);
          if (Number.isInteger(start) && Number.isInteger(end)) {
            for (let v = start; v < end; v++) values.push(String(v));
          }
        }
        const record: LoopRecord = {
          kind: "loop",
          ...base,
          variable: tokens[1] ?? "",
          values,
          endIndex: -1,
        };
        loopStack.push({ index: records.length, record });
        records.push(record);
        break;
      }
      case "endloop": {
        const open = loopStack.pop();
        if (open === undefined) {
          records.push({ kind: "unsupported", ...base, text: "endloop without loop" });
        } else {
          (open.record as { endIndex: number }).endIndex = records.length;
          records.push({ kind: "control", ...base, directive: "endloop", argument: "" });
        }
        break;
      }
      case "halt":
      case "hash-threshold":
      case "require":
      case "include":
        records.push({
          kind: "control",
          ...base,
          directive: word,
          argument: word === "include" ? restAfterWords(raw, 1) : (tokens[1] ?? ""),
        });
        break;
      case "mode": {
        const what = (tokens[1] ?? "").toLowerCase();
        const directive = what === "skip"
          ? "mode-skip"
          : what === "unskip"
          ? "mode-unskip"
          : "ignore";
        records.push({ kind: "control", ...base, directive, argument: what });
        break;
      }
      case "control": {
        const what = (tokens[1] ?? "").toLowerCase();
        const arg = (tokens[2] ?? "").toLowerCase();
        if (what === "sortmode" && sortModes.includes(arg)) {
          records.push({ kind: "control", ...base, directive: "sortmode", argument: arg });
        } else if (what === "resultmode" && (arg === "valuewise" || arg === "rowwise")) {
          records.push({ kind: "control", ...base, directive: "resultmode", argument: arg });
        } else if (what === "substitution") {
          records.push({ kind: "control", ...base, directive: "ignore", argument: raw.trim() });
        } else {
          records.push({ kind: "unsupported", ...base, text: raw.trim() });
        }
        break;
      }
      case "subtest":
      case "sleep":
        records.push({ kind: "control", ...base, directive: "ignore", argument: raw.trim() });
        break;
      default:
        records.push({ kind: "unsupported", ...base, text: raw.trim() });
        skipToBlank();
    }
  }
  for (const open of loopStack) {
    (open.record as { endIndex: number }).endIndex = records.length;
  }
  return records;
}
