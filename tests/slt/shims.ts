/**
 * Corpus shims the runner provides instead of the engine (FORMAT.md §7): loading CSV/`.tbl` files
 * for DataFusion `CREATE EXTERNAL TABLE` and `COPY ... FROM`, writing `COPY (...) TO` files into
 * the per-file scratch directory, and recognising engine knobs that may be swallowed.
 *
 * Shims turn a statement into plain PostgreSQL (`CREATE TABLE`, the engine's own `COPY` with the
 * test's path mapped to a real one) that the engine runs. They never write outside the scratch
 * directory. Only a DataFusion table without a column list is still read here, to infer its
 * column names and types.
 *
 * @module
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Types } from "../../core/types/mod.ts";
import type { SltEngine, SltQueryOptions, SltResult } from "./engine.ts";

/** Largest data file a shim reads. */
export const shimFileBytesMax = 64 * 1024 * 1024;

/** What a shim needs to know about the running file. */
export interface ShimContext {
  readonly engine: SltEngine;
  /** Working directory for relative data paths. */
  readonly workingDir: string;
  /** Fresh per-file temp directory standing in for `test_files/scratch/`. */
  readonly scratchDir: string;
  readonly options: SltQueryOptions;
}

/** Engine knobs with no semantic effect, swallowed when the engine rejects them (FORMAT §7). */
export function isEngineKnob(sql: string): boolean {
  const s = sql.trim().replace(/;\s*$/, "");
  return /^PRAGMA\s+(enable_verification|disable_verification|verify_\w+|threads\b|asof_loop_join_threshold\b|enable_profiling|disable_profiling|explain_output\b|enable_object_cache|force_\w+|debug_\w+)/i
    .test(s) ||
    /^SET\s+datafusion\./i.test(s) ||
    /^SET\s+(threads|worker_threads|enable_progress_bar|explain_output)\b/i.test(s);
}

/** Maps a path from a test to a real path: scratch paths go to the scratch dir. */
export function resolveDataPath(p: string, workingDir: string, scratchDir: string): string {
  const norm = p.replace(/\\/g, "/").replace(/^\.\//, "");
  const m = /^test_files\/scratch\/(.*)$/.exec(norm);
  if (m !== null) return path.join(scratchDir, m[1] ?? "");
  return path.resolve(workingDir, norm);
}

/** One cell of a delimited file: null for an unquoted empty field. */
export type Cell = string | null;

/** Parses CSV-like text (RFC 4180 quotes) with the given delimiter. */
export function parseDelimited(text: string, delimiter: string, quote: boolean): Cell[][] {
  const rows: Cell[][] = [];
  let row: Cell[] = [];
  let field = "";
  let quoted = false;
  let inQuotes = false;
  let i = 0;
  const endField = (): void => {
    row.push(field === "" && !quoted ? null : field);
    field = "";
    quoted = false;
  };
  const endRow = (): void => {
    endField();
    // TPC-H .tbl lines end with the delimiter: drop the empty last field.
    if (delimiter === "|" && row.length > 1 && row[row.length - 1] === null) row.pop();
    if (!(row.length === 1 && row[0] === null)) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (quote && ch === '"' && field === "") {
      inQuotes = true;
      quoted = true;
    } else if (ch === delimiter) {
      endField();
    } else if (ch === "\n") {
      endRow();
    } else if (ch !== "\r") {
      field += ch;
    }
    i++;
  }
  if (field !== "" || quoted || row.length > 0) endRow();
  return rows;
}

function sqlLiteral(cell: Cell): string {
  return cell === null ? "NULL" : `'${cell.replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function readDataFile(file: string): string {
  const stat = fs.statSync(file);
  if (stat.size > shimFileBytesMax) throw new Error(`data file too large: ${file}`);
  return fs.readFileSync(file, "utf8");
}

function countResult(n: number): SltResult {
  return { columns: [{ name: "count", type: Types.int8 }], rows: [[BigInt(n)]] };
}

/** Index of the `)` matching the `(` at `open`, skipping quoted text; -1 if none. */
function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === "'" || ch === '"') {
      const close = s.indexOf(ch, i + 1);
      if (close < 0) return -1;
      i = close;
    } else if (ch === "(") {
      depth++;
    } else if (ch === ")") {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** DataFusion column types in PostgreSQL spelling. */
export function toPostgresTypes(columnDefs: string): string {
  return columnDefs
    .replace(/\bBIGINT\s+UNSIGNED\b/gi, "NUMERIC(20, 0)")
    .replace(/\bINT(EGER)?\s+UNSIGNED\b/gi, "BIGINT")
    .replace(/\b(SMALLINT|TINYINT)\s+UNSIGNED\b/gi, "INTEGER")
    .replace(/\bTINYINT\b/gi, "SMALLINT")
    .replace(/\bDOUBLE\b(?!\s+PRECISION)/gi, "DOUBLE PRECISION")
    .replace(/\bFLOAT\b/gi, "REAL")
    .replace(/\bSTRING\b/gi, "TEXT")
    .replace(/,\s*$/, "");
}

function inferType(values: readonly Cell[]): string {
  const present = values.filter((v): v is string => v !== null);
  if (present.length === 0) return "TEXT";
  if (present.every((v) => /^[+-]?\d{1,18}$/.test(v))) return "BIGINT";
  if (present.every((v) => /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v))) {
    return "DOUBLE PRECISION";
  }
  if (present.every((v) => /^(true|false)$/i.test(v))) return "BOOLEAN";
  return "TEXT";
}

function optionValue(options: string, key: string): string | null {
  const m = new RegExp(`'${key.replace(/\./g, "\\.")}'\\s+'([^']*)'`, "i").exec(options);
  return m?.[1] ?? null;
}

async function createExternalTable(sql: string, ctx: ShimContext): Promise<SltResult | null> {
  const head =
    /^\s*CREATE\s+(?:UNBOUNDED\s+)?EXTERNAL\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]+"|[\w.]+)\s*/i
      .exec(sql);
  if (head === null) return null;
  let rest = sql.slice(head[0].length);
  let columnDefs: string | null = null;
  if (rest.startsWith("(")) {
    const close = matchingParen(rest, 0);
    if (close < 0) throw new Error("CREATE EXTERNAL TABLE: unbalanced column list");
    columnDefs = rest.slice(1, close);
    rest = rest.slice(close + 1);
  }
  const format = /\bSTORED\s+AS\s+(\w+)/i.exec(rest)?.[1]?.toUpperCase();
  if (format !== "CSV") throw new Error(`CREATE EXTERNAL TABLE: format ${format} not supported`);
  const location = /\bLOCATION\s+'([^']*)'/i.exec(rest)?.[1];
  if (location === undefined) throw new Error("CREATE EXTERNAL TABLE: LOCATION missing");
  const headerOption = optionValue(rest, "format.has_header");
  const delimiter = optionValue(rest, "format.delimiter") ?? ",";
  const file = resolveDataPath(location, ctx.workingDir, ctx.scratchDir);
  const table = head[2] as string;
  const ifNotExists = head[1] !== undefined ? "IF NOT EXISTS " : "";
  let hasHeader: boolean;
  if (/\bWITH\s+HEADER\s+ROW\b/i.test(rest)) hasHeader = true;
  else if (headerOption !== null) hasHeader = headerOption.toLowerCase() === "true";
  else hasHeader = columnDefs === null;
  const copy = `COPY ${table} FROM ${sqlLiteral(file)} (FORMAT csv, HEADER ${hasHeader}, ` +
    `DELIMITER ${sqlLiteral(delimiter)})`;
  let ddl: string;
  if (columnDefs !== null) {
    ddl = `CREATE TABLE ${ifNotExists}${table} (${toPostgresTypes(columnDefs)})`;
  } else {
    const rows = parseDelimited(readDataFile(file), delimiter, true);
    const header = hasHeader ? rows.shift() ?? [] : null;
    const width = header?.length ?? rows[0]?.length ?? 0;
    const cols: string[] = [];
    for (let c = 0; c < width; c++) {
      const name = header?.[c] ?? `column_${c + 1}`;
      cols.push(`${quoteIdent(name)} ${inferType(rows.map((r) => r[c] ?? null))}`);
    }
    ddl = `CREATE TABLE ${ifNotExists}${table} (${cols.join(", ")})`;
  }
  await ctx.engine.query(ddl, ctx.options);
  await ctx.engine.query(copy, ctx.options);
  return { columns: [], rows: [] };
}

/**
 * A copy of a `.tbl`-style file without the delimiter that ends every line (TPC-H's dbgen
 * writes one; PostgreSQL would read it as an extra column), in the scratch directory; the file
 * itself when its lines do not end with the delimiter.
 */
function withoutTrailingDelimiters(file: string, delimiter: string, scratchDir: string): string {
  const text = readDataFile(file);
  const lines = text.split("\n");
  const data = lines.filter((l) => l !== "");
  if (data.length === 0 || !data.every((l) => l.endsWith(delimiter))) return file;
  const out = lines.map((l) => l === "" ? l : l.slice(0, -delimiter.length)).join("\n");
  fs.mkdirSync(scratchDir, { recursive: true });
  const copy = path.join(scratchDir, `_copy_${path.basename(file)}`);
  fs.writeFileSync(copy, out);
  return copy;
}

/** `COPY t FROM 'path' ...`: the engine's COPY, with the test's path mapped to a real file. */
async function copyFrom(sql: string, ctx: ShimContext): Promise<SltResult | null> {
  const m = /^(\s*COPY\s+(?:"[^"]+"|[\w.]+)\s*(?:\([^)]*\))?\s*FROM\s+)'([^']*)'([\s\S]*)$/i.exec(
    sql,
  );
  if (m === null) return null;
  const options = m[3] ?? "";
  const csv = /\bCSV\b|\bFORMAT\s*'?csv/i.test(options);
  const delimiter = /\bDELIMITER\s*(?:AS\s*)?'([^']*)'/i.exec(options)?.[1] ?? (csv ? "," : "\t");
  let file = resolveDataPath(m[2] as string, ctx.workingDir, ctx.scratchDir);
  if (file.endsWith(".tbl")) file = withoutTrailingDelimiters(file, delimiter, ctx.scratchDir);
  const r = await ctx.engine.query(`${m[1]}${sqlLiteral(file)}${options}`, ctx.options);
  return countResult(r.rowCount ?? 0);
}

/**
 * `COPY (query) TO 'path' [STORED AS CSV]` (DataFusion's spelling; it answers with the row
 * count): the engine's COPY TO into the scratch directory, as CSV without a header.
 */
async function copyTo(sql: string, ctx: ShimContext): Promise<SltResult | null> {
  const head = /^\s*COPY\s*/i.exec(sql);
  if (head === null) return null;
  let rest = sql.slice(head[0].length);
  let source: string;
  if (rest.startsWith("(")) {
    const close = matchingParen(rest, 0);
    if (close < 0) return null;
    source = rest.slice(0, close + 1);
    rest = rest.slice(close + 1);
  } else {
    const t = /^("[^"]+"|[\w.]+)/.exec(rest);
    if (t === null) return null;
    source = t[1] as string;
    rest = rest.slice(t[0].length);
  }
  const to = /^\s*TO\s+'([^']*)'([\s\S]*)$/i.exec(rest);
  if (to === null) return null;
  const format = /\bSTORED\s+AS\s+(\w+)/i.exec(to[2] ?? "")?.[1]?.toUpperCase() ?? "CSV";
  if (format !== "CSV") throw new Error(`COPY TO: format ${format} not supported`);
  const file = resolveDataPath(to[1] as string, ctx.workingDir, ctx.scratchDir);
  const scratch = path.resolve(ctx.scratchDir);
  if (!path.resolve(file).startsWith(scratch + path.sep)) {
    throw new Error(`COPY TO: refusing to write outside the scratch directory: ${to[1]}`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = await ctx.engine.query(
    `COPY ${source} TO ${sqlLiteral(path.resolve(file))} (FORMAT csv)`,
    ctx.options,
  );
  return countResult(r.rowCount ?? 0);
}

/**
 * Runs `sql` through a shim if it is one; resolves to null when no shim applies (the caller then
 * sends the SQL to the engine). Shim failures reject like engine errors.
 */
export async function runShim(sql: string, ctx: ShimContext): Promise<SltResult | null> {
  const s = sql.trim().replace(/;\s*$/, "");
  if (/^CREATE\s+(UNBOUNDED\s+)?EXTERNAL\s+TABLE\b/i.test(s)) {
    return await createExternalTable(s, ctx);
  }
  if (/^COPY\b/i.test(s)) {
    if (/\bFROM\s+'/i.test(s) && !/^COPY\s*\(/i.test(s)) return await copyFrom(s, ctx);
    if (/\bTO\s+'/i.test(s)) return await copyTo(s, ctx);
  }
  return null;
}
