/**
 * COPY options: checks the options as written (generic or old syntax, both arrive as a list of
 * {@link CopyOption}) and resolves them into a {@link CopyFormat} with PostgreSQL 15's defaults
 * and error messages.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { CopyOption, CopyOptionValue } from "../sql/ast.ts";

/** How COPY encodes rows: the resolved options. */
export interface CopyFormat {
  readonly format: "text" | "csv";
  /** One ASCII character: tab (text) or comma (csv) by default. */
  readonly delimiter: string;
  /** The string that stands for NULL: `\N` (text) or the empty string (csv). */
  readonly null: string;
  /** `match` (COPY FROM only) checks the header's names against the columns. */
  readonly header: boolean | "match";
  /** CSV only: one ASCII character, `"` by default. */
  readonly quote: string;
  /** CSV only: one ASCII character, the quote by default. */
  readonly escape: string;
  /** CSV, COPY TO: quote these columns' non-NULL values (positions in the column list). */
  readonly forceQuote: ReadonlySet<number>;
  /** CSV, COPY FROM: never read these columns' values as NULL. */
  readonly forceNotNull: ReadonlySet<number>;
  /** CSV, COPY FROM: read these columns' values equal to the NULL string as NULL, quoted too. */
  readonly forceNull: ReadonlySet<number>;
}

/** What option resolution needs to know about the statement. */
export interface CopyOptionsContext {
  readonly direction: "from" | "to";
  /** The table's name, for "not referenced by COPY" errors (`null` for COPY (query) TO). */
  readonly tableName: string | null;
  /** The copied columns, in order. */
  readonly columns: readonly string[];
  /** All of the table's columns (to tell "does not exist" from "not referenced"). */
  readonly tableColumns: readonly string[];
}

const KNOWN = new Set([
  "format",
  "freeze",
  "delimiter",
  "null",
  "header",
  "quote",
  "escape",
  "force_quote",
  "force_not_null",
  "force_null",
  "encoding",
]);

function syntax(message: string, pos: number): DbError {
  return new DbError(SqlState.syntaxError, message, { position: pos + 1 });
}

function unsupported(message: string): DbError {
  return new DbError(SqlState.featureNotSupported, message);
}

function invalid(message: string): DbError {
  return new DbError(SqlState.invalidParameterValue, message);
}

/** A string-valued option: strings, words and numbers all count (PostgreSQL's defGetString). */
function stringValue(o: CopyOption): string {
  const v = o.value;
  if (v.kind === "string" || v.kind === "word" || v.kind === "number") return v.text;
  throw syntax(`${o.name} requires a parameter`, o.pos);
}

/** PostgreSQL's defGetBoolean, extended with `match` for HEADER. */
function headerValue(o: CopyOption): boolean | "match" {
  const v = o.value;
  if (v.kind === "none") return true;
  if (v.kind === "number") {
    if (v.text === "0") return false;
    if (v.text === "1") return true;
  } else if (v.kind === "word" || v.kind === "string") {
    const t = v.text.toLowerCase();
    if (t === "true" || t === "on") return true;
    if (t === "false" || t === "off") return false;
    if (t === "match") return "match";
  }
  throw syntax(`${o.name} requires a Boolean value or "match"`, o.pos);
}

function booleanValue(o: CopyOption): boolean {
  const v = o.value;
  if (v.kind === "none") return true;
  const t = v.kind === "word" || v.kind === "string" || v.kind === "number"
    ? v.text.toLowerCase()
    : "";
  if (t === "true" || t === "on" || t === "1") return true;
  if (t === "false" || t === "off" || t === "0") return false;
  throw syntax(`${o.name} requires a Boolean value`, o.pos);
}

function columnSet(
  o: CopyOption,
  value: CopyOptionValue,
  ctx: CopyOptionsContext,
  label: string,
): Set<number> {
  if (value.kind === "star") return new Set(ctx.columns.map((_, i) => i));
  if (value.kind !== "columns") {
    throw syntax(`argument to option "${o.name}" must be a list of column names`, o.pos);
  }
  const out = new Set<number>();
  for (const name of value.names) {
    const i = ctx.columns.indexOf(name);
    if (i < 0) {
      if (ctx.tableName !== null && !ctx.tableColumns.includes(name)) {
        throw new DbError(
          SqlState.undefinedColumn,
          `column "${name}" of relation "${ctx.tableName}" does not exist`,
        );
      }
      throw new DbError(
        SqlState.invalidColumnReference,
        `${label} column "${name}" not referenced by COPY`,
      );
    }
    out.add(i);
  }
  return out;
}

/**
 * Resolves COPY options, with PostgreSQL's checks and messages.
 *
 * @example
 * ```ts
 * import { resolveCopyOptions } from "./copy_options.ts";
 * const f = resolveCopyOptions(
 *   [{ name: "format", value: { kind: "word", text: "csv" }, pos: 0 }],
 *   { direction: "from", tableName: "t", columns: ["a"], tableColumns: ["a"] },
 * );
 * console.assert(f.delimiter === "," && f.null === "" && f.quote === '"');
 * ```
 */
export function resolveCopyOptions(
  options: readonly CopyOption[],
  ctx: CopyOptionsContext,
): CopyFormat {
  const seen = new Map<string, CopyOption>();
  for (const o of options) {
    if (!KNOWN.has(o.name)) {
      if (o.name === "oids") throw unsupported("COPY with OIDS is not supported");
      throw syntax(`option "${o.name}" not recognized`, o.pos);
    }
    if (seen.has(o.name)) throw syntax("conflicting or redundant options", o.pos);
    seen.set(o.name, o);
  }
  let format: "text" | "csv" = "text";
  const fmt = seen.get("format");
  if (fmt !== undefined) {
    const f = stringValue(fmt).toLowerCase();
    if (f === "binary") throw unsupported("COPY FORMAT binary is not supported yet");
    if (f !== "text" && f !== "csv") {
      throw new DbError(SqlState.invalidParameterValue, `COPY format "${f}" not recognized`, {
        position: fmt.pos + 1,
      });
    }
    format = f;
  }
  const csv = format === "csv";
  const opt = (name: string): string | null => {
    const o = seen.get(name);
    return o === undefined ? null : stringValue(o);
  };
  const delimiter = opt("delimiter") ?? (csv ? "," : "\t");
  const nullString = opt("null") ?? (csv ? "" : "\\N");
  const header = seen.has("header") ? headerValue(seen.get("header")!) : false;
  let quote = opt("quote");
  let escape = opt("escape");
  const freeze = seen.has("freeze") && booleanValue(seen.get("freeze")!);
  const encoding = opt("encoding");

  // PostgreSQL's checks, in its order (ProcessCopyOptions).
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 127) {
    throw unsupported("COPY delimiter must be a single one-byte character");
  }
  if (delimiter === "\r" || delimiter === "\n") {
    throw invalid("COPY delimiter cannot be newline or carriage return");
  }
  if (nullString.includes("\r") || nullString.includes("\n")) {
    throw invalid("COPY null representation cannot use newline or carriage return");
  }
  if (!csv && "\\.abcdefghijklmnopqrstuvwxyz0123456789".includes(delimiter)) {
    throw invalid(`COPY delimiter cannot be "${delimiter}"`);
  }
  if (header === "match" && ctx.direction === "to") {
    throw unsupported('cannot use "match" with HEADER in COPY TO');
  }
  if (!csv && quote !== null) throw unsupported("COPY quote available only in CSV mode");
  quote ??= '"';
  if (csv && (quote.length !== 1 || quote.charCodeAt(0) > 127)) {
    throw unsupported("COPY quote must be a single one-byte character");
  }
  if (csv && delimiter === quote) throw invalid("COPY delimiter and quote must be different");
  if (!csv && escape !== null) throw unsupported("COPY escape available only in CSV mode");
  escape ??= quote;
  if (csv && (escape.length !== 1 || escape.charCodeAt(0) > 127)) {
    throw unsupported("COPY escape must be a single one-byte character");
  }
  const fq = seen.get("force_quote");
  if (fq !== undefined) {
    if (!csv) throw unsupported("COPY force quote available only in CSV mode");
    if (ctx.direction === "from") {
      throw unsupported("COPY force quote only available using COPY TO");
    }
  }
  const fnn = seen.get("force_not_null");
  if (fnn !== undefined) {
    if (!csv) throw unsupported("COPY force not null available only in CSV mode");
    if (ctx.direction === "to") {
      throw unsupported("COPY force not null only available using COPY FROM");
    }
  }
  const fn = seen.get("force_null");
  if (fn !== undefined) {
    if (!csv) throw unsupported("COPY force null available only in CSV mode");
    if (ctx.direction === "to") throw unsupported("COPY force null only available using COPY FROM");
  }
  if (nullString.includes(delimiter)) {
    throw unsupported("COPY delimiter must not appear in the NULL specification");
  }
  if (csv && nullString.includes(quote)) {
    throw unsupported("CSV quote character must not appear in the NULL specification");
  }
  if (freeze) {
    throw new DbError(
      SqlState.objectNotInPrerequisiteState,
      "cannot perform COPY FREEZE because the table was not created or truncated in the current subtransaction",
    );
  }
  if (encoding !== null && !/^utf-?8$/i.test(encoding)) {
    throw unsupported(`COPY ENCODING '${encoding}' is not supported yet (only UTF8)`);
  }
  return {
    format,
    delimiter,
    null: nullString,
    header,
    quote,
    escape,
    forceQuote: fq === undefined ? new Set() : columnSet(fq, fq.value, ctx, "FORCE_QUOTE"),
    forceNotNull: fnn === undefined ? new Set() : columnSet(fnn, fnn.value, ctx, "FORCE_NOT_NULL"),
    forceNull: fn === undefined ? new Set() : columnSet(fn, fn.value, ctx, "FORCE_NULL"),
  };
}
