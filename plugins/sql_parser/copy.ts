/**
 * The COPY statement, PostgreSQL's grammar:
 *
 * ```
 * COPY table [(column, ...)] FROM {'file' | STDIN | PROGRAM 'cmd'} [[WITH] options] [WHERE cond]
 * COPY {table [(column, ...)] | (query)} TO {'file' | STDOUT | PROGRAM 'cmd'} [[WITH] options]
 * options: (name [value], ...)  or the old forms  BINARY, DELIMITER [AS] 'c', NULL [AS] 's',
 *          CSV, HEADER, QUOTE [AS] 'q', ESCAPE [AS] 'e', FORCE QUOTE {* | cols},
 *          FORCE NOT NULL cols, FORCE NULL cols, ENCODING 's', FREEZE
 * ```
 *
 * Both option forms produce the same {@link CopyOption} list; the binder checks the options.
 *
 * @module
 */
import type {
  CopyOption,
  CopyOptionValue,
  CopyTarget,
  Expr,
  QualifiedName,
  Query,
  Statement,
} from "../../core/sql/ast.ts";
import type { SqlSyntaxError } from "../../core/errors.ts";
import type { Token } from "./tokenizer.ts";

/** The parts of the parser that COPY uses. */
export interface CopyParserHost {
  readonly tok: Token;
  peek(k?: number): Token;
  next(): Token;
  isKw(word: string, t?: Token): boolean;
  isOp(op: string, t?: Token): boolean;
  acceptKw(...words: string[]): boolean;
  acceptOp(op: string): boolean;
  expectOp(op: string): Token;
  error(expected?: string, t?: Token): SqlSyntaxError;
  ident(what?: string): string;
  anyIdent(what?: string): string;
  qualifiedName(): QualifiedName;
  query(): Query;
  expr(): Expr;
}

/**
 * Parses a COPY statement; the current token is COPY.
 *
 * @example
 * ```ts
 * import { parseSql } from "./parser.ts";
 * const [s] = parseSql("COPY t FROM '/tmp/t.csv' (FORMAT csv, HEADER)");
 * console.assert(s!.kind === "copy" && s!.options.length === 2);
 * ```
 */
export function parseCopy(p: CopyParserHost): Statement {
  const pos = p.next().pos;
  let table: QualifiedName | null = null;
  let columns: string[] | null = null;
  let query: Query | null = null;
  if (p.isOp("(")) {
    p.next();
    query = p.query();
    p.expectOp(")");
  } else {
    table = p.qualifiedName();
    if (p.acceptOp("(")) {
      columns = [];
      do columns.push(p.ident("column name")); while (p.acceptOp(","));
      p.expectOp(")");
    }
  }
  let direction: "from" | "to";
  if (query !== null && p.isKw("from")) throw p.error("COPY (query) only goes TO");
  if (p.acceptKw("from")) direction = "from";
  else if (p.acceptKw("to")) direction = "to";
  else throw p.error("expected FROM or TO");
  const target = copyTarget(p, direction);
  p.acceptKw("with");
  const options = p.isOp("(") ? genericOptions(p) : oldOptions(p);
  const where = p.acceptKw("where") ? p.expr() : null;
  return { kind: "copy", table, columns, query, direction, target, options, where, pos };
}

function copyTarget(p: CopyParserHost, direction: "from" | "to"): CopyTarget {
  const t = p.tok;
  if (t.kind === "string" || t.kind === "estring") {
    p.next();
    return { kind: "file", path: t.value };
  }
  if (p.acceptKw(direction === "from" ? "stdin" : "stdout")) return { kind: "client" };
  if (p.acceptKw("program")) {
    const cmd = p.tok;
    if (cmd.kind !== "string" && cmd.kind !== "estring") throw p.error("expected a command string");
    p.next();
    return { kind: "program", command: cmd.value };
  }
  throw p.error(`expected a file name or ${direction === "from" ? "STDIN" : "STDOUT"}`);
}

/** `(name [value], ...)` */
function genericOptions(p: CopyParserHost): CopyOption[] {
  p.expectOp("(");
  const options: CopyOption[] = [];
  do {
    const pos = p.tok.pos;
    const name = p.anyIdent("COPY option name");
    options.push({ name, value: optionValue(p), pos });
  } while (p.acceptOp(","));
  p.expectOp(")");
  return options;
}

function optionValue(p: CopyParserHost): CopyOptionValue {
  const t = p.tok;
  if (p.isOp(",") || p.isOp(")")) return { kind: "none" };
  if (t.kind === "string" || t.kind === "estring") {
    p.next();
    return { kind: "string", text: t.value };
  }
  if (t.kind === "number") {
    p.next();
    return { kind: "number", text: t.value };
  }
  if ((p.isOp("-") || p.isOp("+")) && p.peek().kind === "number") {
    const sign = p.next().value;
    return { kind: "number", text: sign + p.next().value };
  }
  if (p.acceptOp("*")) return { kind: "star" };
  if (p.isOp("(")) return { kind: "columns", names: columnList(p) };
  if (t.kind === "ident" || t.kind === "qident") {
    p.next();
    return { kind: "word", text: t.value };
  }
  throw p.error("expected a COPY option value");
}

function columnList(p: CopyParserHost): string[] {
  p.expectOp("(");
  const names: string[] = [];
  do names.push(p.ident("column name")); while (p.acceptOp(","));
  p.expectOp(")");
  return names;
}

function stringArg(p: CopyParserHost): CopyOptionValue {
  p.acceptKw("as");
  const t = p.tok;
  if (t.kind !== "string" && t.kind !== "estring") throw p.error("expected a string");
  p.next();
  return { kind: "string", text: t.value };
}

/** The pre-9.0 forms: `DELIMITER ',' CSV HEADER`, `CSV QUOTE AS '"'`, `FORCE NOT NULL a`. */
function oldOptions(p: CopyParserHost): CopyOption[] {
  const options: CopyOption[] = [];
  const none: CopyOptionValue = { kind: "none" };
  for (;;) {
    const pos = p.tok.pos;
    const add = (name: string, value: CopyOptionValue): void =>
      void options.push({ name, value, pos });
    if (p.acceptKw("binary")) add("format", { kind: "word", text: "binary" });
    else if (p.acceptKw("csv")) add("format", { kind: "word", text: "csv" });
    else if (p.acceptKw("header")) add("header", none);
    else if (p.acceptKw("freeze")) add("freeze", none);
    else if (p.acceptKw("oids")) add("oids", none);
    else if (p.acceptKw("delimiter")) add("delimiter", stringArg(p));
    else if (p.acceptKw("null")) add("null", stringArg(p));
    else if (p.acceptKw("quote")) add("quote", stringArg(p));
    else if (p.acceptKw("escape")) add("escape", stringArg(p));
    else if (p.acceptKw("encoding")) add("encoding", stringArg(p));
    else if (p.acceptKw("force", "quote")) {
      add("force_quote", p.acceptOp("*") ? { kind: "star" } : { kind: "columns", names: names(p) });
    } else if (p.acceptKw("force", "not", "null")) {
      add("force_not_null", { kind: "columns", names: names(p) });
    } else if (p.acceptKw("force", "null")) add("force_null", { kind: "columns", names: names(p) });
    else return options;
  }
}

/** `a, b` (the old syntax lists columns without parentheses). */
function names(p: CopyParserHost): string[] {
  const out = [p.ident("column name")];
  while (p.isOp(",") && p.peek().kind !== "eof") {
    p.next();
    out.push(p.ident("column name"));
  }
  return out;
}
