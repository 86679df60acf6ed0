/**
 * CHECK constraints in the binder: what their expressions may contain, the names PostgreSQL
 * gives them (`t_a_check`), and the SQL text the catalog keeps (column names unqualified, so
 * a table rename leaves it valid; rewritten when a column it reads is renamed).
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import { walkExpr } from "../sql/walk.ts";
import type { DataType } from "../types/data_type.ts";
import type { BoundExpr } from "./expr.ts";
import type { Field } from "./logical_plan.ts";

/** Bytes in a generated name, at most (PostgreSQL's NAMEDATALEN - 1). */
export const constraintNameBytesMax = 63;

/** What binding a CHECK expression needs from the binder. */
export interface CheckBinder {
  expr(e: ast.Expr, scope: { readonly fields: readonly Field[] }): BoundExpr;
  /** 42804 `argument of CHECK must be type boolean, ...` unless `b` is (or becomes) boolean. */
  coerceBool(b: BoundExpr, context: string, node: { readonly pos: number }): BoundExpr;
  isAggregateName(name: string): boolean;
}

/** The table a CHECK expression is bound over: field i is column i. */
export interface CheckTable {
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
}

/** A CHECK constraint bound over a table's row layout (column i of a row is field i). */
export interface BoundCheck {
  readonly name: string;
  readonly expr: BoundExpr;
}

/** Functions that return sets: not allowed in a CHECK expression. */
const SET_RETURNING = new Set(["generate_series", "unnest"]);

/**
 * Checks what a CHECK expression contains and binds it over `table`'s columns (column i of a
 * row is field i, qualified by the table's name), as a boolean. PostgreSQL's errors, with the
 * position of the offending node: 42P02 for a parameter, 0A000 for a subquery or a
 * set-returning function, 42P20 for a window function, 42803 for an aggregate, 42703 / 42P01 for
 * an unknown column or table, 42804 when it is not boolean.
 *
 * @example
 * ```ts
 * import { bindCheckExpr } from "./bind_check.ts";
 * import { Types } from "../types/mod.ts";
 * const binder = {
 *   expr: () => ({ kind: "const", value: true, type: Types.bool }) as const,
 *   coerceBool: (b: never) => b,
 *   isAggregateName: (name: string) => name === "sum",
 * };
 * const table = { name: "t", columns: [{ name: "a", type: Types.int4 }] };
 * const sum = {
 *   kind: "function", name: { parts: ["sum"], pos: 0 }, star: false, distinct: false,
 *   args: [{ kind: "column_ref", parts: ["a"], pos: 4 }], filter: null, orderBy: [],
 *   over: null, pos: 0,
 * } as const;
 * try {
 *   bindCheckExpr(binder, sum, table);
 *   console.assert(false);
 * } catch (e) {
 *   console.assert((e as { code: string }).code === "42803");
 * }
 * ```
 */
export function bindCheckExpr(b: CheckBinder, e: ast.Expr, table: CheckTable): BoundExpr {
  walkExpr(e, (x) => {
    const at = { position: x.pos + 1 };
    switch (x.kind) {
      case "param":
        throw new DbError(SqlState.undefinedParameter, `there is no parameter $${x.index}`, at);
      case "subquery":
      case "exists":
        throw subqueryError(x.pos);
      case "in_subquery":
      case "quantified":
        throw subqueryError(x.pos); // PostgreSQL points at the operator
      case "function": {
        const name = x.name.parts.at(-1)!;
        if (x.over !== null) {
          throw new DbError("42P20", "window functions are not allowed in check constraints", at);
        }
        if (b.isAggregateName(name)) {
          throw new DbError(
            SqlState.groupingError,
            "aggregate functions are not allowed in check constraints",
            at,
          );
        }
        if (SET_RETURNING.has(name) && x.name.parts.length === 1) {
          throw new DbError(
            SqlState.featureNotSupported,
            "set-returning functions are not allowed in check constraints",
            at,
          );
        }
        return;
      }
      case "default":
        throw new DbError(SqlState.syntaxError, "DEFAULT is not allowed in this context", at);
      default:
        return;
    }
  });
  const fields: Field[] = table.columns.map((c) => ({
    name: c.name,
    type: c.type,
    qualifier: table.name,
  }));
  return b.coerceBool(b.expr(e, { fields }), "CHECK", { pos: exprStart(e) });
}

/**
 * Where an expression's text starts (a binary node's `pos` is its operator's), as PostgreSQL
 * positions errors about a whole expression.
 *
 * @example
 * ```ts
 * import { exprStart } from "./bind_check.ts";
 * const e = {
 *   kind: "binary", op: "+", pos: 2,
 *   left: { kind: "column_ref", parts: ["a"], pos: 0 },
 *   right: { kind: "literal", value: { kind: "number", text: "1" }, pos: 4 },
 * } as const;
 * console.assert(exprStart(e) === 0);
 * ```
 */
export function exprStart(e: ast.Expr): number {
  switch (e.kind) {
    case "binary":
    case "is_distinct":
      return Math.min(e.pos, exprStart(e.left));
    case "is_null":
    case "is_bool":
    case "between":
    case "in_list":
    case "in_subquery":
    case "like":
    case "quantified":
    case "quantified_array":
    case "subscript":
      return Math.min(e.pos, exprStart(e.operand));
    case "cast":
      return Math.min(e.pos, exprStart(e.operand));
    default:
      return e.pos;
  }
}

function subqueryError(pos: number): DbError {
  return new DbError(
    SqlState.featureNotSupported,
    "cannot use subquery in check constraint",
    { position: pos + 1 },
  );
}

/**
 * The distinct column names a CHECK expression reads, in first-use order (the last part of each
 * reference).
 *
 * @example
 * ```ts
 * import { checkColumnNames } from "./bind_check.ts";
 * const e = {
 *   kind: "binary", op: ">", pos: 2,
 *   left: { kind: "column_ref", parts: ["t", "b"], pos: 0 },
 *   right: { kind: "column_ref", parts: ["a"], pos: 6 },
 * } as const;
 * console.assert(checkColumnNames(e).join() === "b,a");
 * ```
 */
export function checkColumnNames(e: ast.Expr): string[] {
  const names: string[] = [];
  walkExpr(e, (x) => {
    if (x.kind !== "column_ref") return;
    const name = x.parts.at(-1)!;
    if (!names.includes(name)) names.push(name);
  });
  return names;
}

/**
 * PostgreSQL's makeObjectName: `name1[_name2][_label]`, with `name1` and `name2` shortened
 * (the longer one first) so that the whole fits in `bytesMax` bytes.
 *
 * @example
 * ```ts
 * import { makeObjectName } from "./bind_check.ts";
 * console.assert(makeObjectName("t", "a", "check") === "t_a_check");
 * console.assert(makeObjectName("x".repeat(63), null, "check").length === 63);
 * ```
 */
export function makeObjectName(
  name1: string,
  name2: string | null,
  label: string,
  bytesMax = constraintNameBytesMax,
): string {
  const enc = new TextEncoder();
  const overhead = (label === "" ? 0 : enc.encode(label).length + 1) +
    (name2 === null ? 0 : 1);
  const available = bytesMax - overhead;
  let n1 = enc.encode(name1).length;
  let n2 = name2 === null ? 0 : enc.encode(name2).length;
  while (n1 + n2 > available) {
    if (n1 > n2) n1--;
    else n2--;
  }
  let out = clipBytes(name1, n1);
  if (name2 !== null) out += `_${clipBytes(name2, n2)}`;
  if (label !== "") out += `_${label}`;
  return out;
}

/** The longest prefix of `s` of at most `bytes` UTF-8 bytes that ends on a character. */
export function clipBytes(s: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of s) {
    const size = new TextEncoder().encode(ch).length;
    if (used + size > bytes) break;
    used += size;
    end += ch.length;
  }
  return s.slice(0, end);
}

/**
 * PostgreSQL's ChooseConstraintName: {@link makeObjectName} with label `label`, then `label1`,
 * `label2`, ... until `taken` says the name is free.
 *
 * @example
 * ```ts
 * import { chooseConstraintName } from "./bind_check.ts";
 * const taken = new Set(["t_a_check"]);
 * console.assert(chooseConstraintName("t", "a", "check", (n) => taken.has(n)) === "t_a_check1");
 * ```
 */
export function chooseConstraintName(
  name1: string,
  name2: string | null,
  label: string,
  taken: (name: string) => boolean,
): string {
  let name = makeObjectName(name1, name2, label);
  for (let pass = 1; taken(name); pass++) name = makeObjectName(name1, name2, `${label}${pass}`);
  return name;
}

/** Where a CHECK expression's text starts inside the query {@link parseCheckSql} parses. */
const checkSqlOffset = "SELECT ".length;

/**
 * Parses a CHECK constraint's stored text back into an expression (through `parseQuery`, which
 * parses a query); node positions count from the start of `sql`'s query, see
 * {@link rewriteColumnRefs}.
 *
 * @example
 * ```ts
 * import { parseCheckSql } from "./bind_check.ts";
 * import { Database, defaultLimits } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const parser = db.registry.parser()!;
 * const parseQuery = (sql: string) => {
 *   const [s] = parser.parse(sql, { limits: defaultLimits });
 *   if (s?.kind !== "query") throw new Error("not a query");
 *   return s.query;
 * };
 * console.assert(parseCheckSql(parseQuery, "a > 0").kind === "binary");
 * await db.close();
 * ```
 */
export function parseCheckSql(parseQuery: (sql: string) => ast.Query, sql: string): ast.Expr {
  let q: ast.Query;
  try {
    q = parseQuery(`SELECT ${sql}`);
  } catch (e) {
    throw new DbError(
      SqlState.dataCorrupted,
      `cannot parse stored CHECK constraint "${sql}": ${(e as Error).message}`,
    );
  }
  const body = q.body;
  const item = body.kind === "select" && body.items.length === 1 && body.from.length === 0
    ? body.items[0]
    : undefined;
  if (item === undefined || item.kind !== "expr" || q.orderBy.length > 0 || q.limit !== null) {
    throw new DbError(SqlState.dataCorrupted, `bad stored CHECK constraint "${sql}"`);
  }
  return item.expr;
}

/**
 * A CHECK expression's text with its column references replaced: each reference (qualified or
 * not) becomes `replace(column)`, or just its last part as written when that returns `null`.
 * `e` is `sql` parsed by {@link parseCheckSql}. Used to drop qualifiers when a constraint is
 * created and to follow a column rename.
 *
 * @example
 * ```ts
 * import { parseCheckSql, rewriteColumnRefs } from "./bind_check.ts";
 * import { Database, defaultLimits } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const parser = db.registry.parser()!;
 * const parseQuery = (sql: string) => {
 *   const [s] = parser.parse(sql, { limits: defaultLimits });
 *   if (s?.kind !== "query") throw new Error("not a query");
 *   return s.query;
 * };
 * const sql = "t.a > b AND \"A\" > 0";
 * const e = parseCheckSql(parseQuery, sql);
 * console.assert(rewriteColumnRefs(sql, e, () => null) === "a > b AND \"A\" > 0");
 * const renamed = rewriteColumnRefs(sql, e, (c) => (c === "a" ? '"x"' : null));
 * console.assert(renamed === "\"x\" > b AND \"A\" > 0");
 * await db.close();
 * ```
 */
export function rewriteColumnRefs(
  sql: string,
  e: ast.Expr,
  replace: (column: string) => string | null,
): string {
  const refs: { start: number; end: number; text: string }[] = [];
  walkExpr(e, (x) => {
    if (x.kind !== "column_ref") return;
    const start = x.pos - checkSqlOffset;
    const parts = scanQualifiedName(sql, start, x.parts.length);
    const text = replace(x.parts.at(-1)!) ?? parts.last;
    refs.push({ start, end: parts.end, text });
  });
  refs.sort((a, b) => a.start - b.start);
  let out = "";
  let at = 0;
  for (const r of refs) {
    out += sql.slice(at, r.start) + r.text;
    at = r.end;
  }
  return out + sql.slice(at);
}

/** A (possibly quoted, possibly qualified) name of `count` parts written at `start`. */
function scanQualifiedName(
  sql: string,
  start: number,
  count: number,
): { end: number; last: string } {
  let i = start;
  let partStart = start;
  for (let k = 0; k < count; k++) {
    if (k > 0) {
      while (/\s/.test(sql[i] ?? "")) i++;
      if (sql[i] !== ".") throw new DbError(SqlState.internalError, `bad name in "${sql}"`);
      i++;
      while (/\s/.test(sql[i] ?? "")) i++;
    }
    partStart = i;
    if (sql[i] === '"') {
      i++;
      while (i < sql.length && !(sql[i] === '"' && sql[i + 1] !== '"')) i += sql[i] === '"' ? 2 : 1;
      i++;
    } else {
      while (i < sql.length && isIdentPart(sql.charCodeAt(i))) i++;
    }
    if (i === partStart) throw new DbError(SqlState.internalError, `bad name in "${sql}"`);
  }
  return { end: i, last: sql.slice(partStart, i) };
}

/** A character of an unquoted identifier, as the tokenizer reads them. */
function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 ||
    c === 36 || c >= 128;
}

/**
 * A column name as SQL text that reads back as exactly that name: always double-quoted (a
 * keyword or upper-case name stays valid).
 *
 * @example
 * ```ts
 * import { quoteIdent } from "./bind_check.ts";
 * console.assert(quoteIdent('a"b') === '"a""b"');
 * ```
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
