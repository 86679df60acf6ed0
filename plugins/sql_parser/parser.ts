/**
 * Recursive-descent SQL parser with precedence climbing for expressions, following PostgreSQL's
 * operator precedence. Produces the AST in core/sql; every node carries its source offset.
 *
 * @module
 */
import { callExpr } from "../../core/sql/build.ts";
import { isUserStatement, parseCreateOrAlterUser, parseDropUser } from "./user.ts";
import { DbError, SqlState, SqlSyntaxError } from "../../core/errors.ts";
import { quoteIdentifier } from "../../core/sql/identifiers.ts";
import type {
  AlterTableAction,
  BinaryOp,
  CheckConstraintDef,
  ColumnDef,
  Cte,
  Expr,
  JoinTypeAst,
  OnConflict,
  OrderItem,
  QualifiedName,
  QuantifiedOp,
  Query,
  QueryBody,
  SelectItem,
  SequenceOptionsAst,
  SetAssignment,
  Statement,
  TableConstraint,
  TableOption,
  TableRef,
  TypeName,
  WindowSpec,
} from "../../core/sql/ast.ts";
import type { Limits } from "../../core/limits.ts";
import { defaultLimits } from "../../core/limits.ts";
import { type Token, tokenize } from "./tokenizer.ts";
import { parseTransaction, startsTransactionStatement } from "./transaction.ts";
import { parseCopy } from "./copy.ts";

/** Keywords that cannot be used as a column alias without AS, nor as a table alias. */
/** Type keywords that take no `(modifier)` in PostgreSQL's grammar. */
const NO_MODIFIER_TYPES = new Set([
  "int",
  "integer",
  "smallint",
  "bigint",
  "real",
  "double",
  "boolean",
]);

const RESERVED = new Set([
  "all",
  "and",
  "any",
  "as",
  "asc",
  "between",
  "both",
  "by",
  "case",
  "cast",
  "check",
  "collate",
  "column",
  "constraint",
  "create",
  "cross",
  "current_date",
  "current_time",
  "current_timestamp",
  "default",
  "desc",
  "distinct",
  "do",
  "drop",
  "else",
  "end",
  "except",
  "exists",
  "false",
  "fetch",
  "filter",
  "for",
  "foreign",
  "from",
  "full",
  "group",
  "having",
  "ilike",
  "in",
  "inner",
  "insert",
  "intersect",
  "into",
  "is",
  "isnull",
  "join",
  "leading",
  "left",
  "like",
  "limit",
  "natural",
  "not",
  "notnull",
  "null",
  "offset",
  "on",
  "or",
  "order",
  "outer",
  "over",
  "primary",
  "references",
  "returning",
  "right",
  "select",
  "similar",
  "some",
  "symmetric",
  "table",
  "then",
  "to",
  "trailing",
  "true",
  "union",
  "unique",
  "update",
  "using",
  "values",
  "when",
  "where",
  "window",
  "with",
  "within",
  "delete",
  "set",
]);

/**
 * Field names that may follow an interval literal: INTERVAL '3' MONTH. Only PostgreSQL's singular
 * keywords: in `INTERVAL '5' hours` the word is a column alias.
 */
const INTERVAL_FIELDS = new Set(["year", "month", "day", "hour", "minute", "second"]);

/** Leading keywords of PostgreSQL statements this parser does not handle yet (0A000, not 42601). */
const KNOWN_STATEMENTS = new Set([
  "abort",
  "alter",
  "analyze",
  "begin",
  "call",
  "checkpoint",
  "close",
  "cluster",
  "comment",
  "commit",
  "copy",
  "deallocate",
  "declare",
  "delete",
  "discard",
  "do",
  "end",
  "execute",
  "explain",
  "fetch",
  "grant",
  "import",
  "listen",
  "load",
  "lock",
  "merge",
  "move",
  "notify",
  "pragma",
  "prepare",
  "refresh",
  "reindex",
  "release",
  "reset",
  "revoke",
  "rollback",
  "savepoint",
  "security",
  "set",
  "show",
  "start",
  "truncate",
  "unlisten",
  "update",
  "vacuum",
]);

const COMPARISON_OPS = new Set(["=", "<>", "!=", "<", "<=", ">", ">="]);

/** Canonical names for type spellings. */
const TYPE_ALIASES: Record<string, string> = {
  int: "int4",
  integer: "int4",
  int4: "int4",
  smallint: "int2",
  int2: "int2",
  bigint: "int8",
  int8: "int8",
  real: "float4",
  float4: "float4",
  float8: "float8",
  double: "float8",
  float: "float8",
  boolean: "bool",
  bool: "bool",
  text: "text",
  string: "text",
  varchar: "varchar",
  char: "bpchar",
  character: "bpchar",
  bpchar: "bpchar",
  date: "date",
  timestamp: "timestamp",
  timestamptz: "timestamptz",
  // DuckDB spellings, mapped to the nearest PostgreSQL type (docs/sql.md lists them)
  tinyint: "int2",
  int1: "int2",
  datetime: "timestamp",
  timestamp_s: "timestamp",
  timestamp_ms: "timestamp",
  timestamp_us: "timestamp",
  timestamp_ns: "timestamp",
  numeric: "numeric",
  decimal: "numeric",
  interval: "interval",
  time: "time",
  bytea: "bytea",
  json: "json",
  jsonb: "jsonb",
  uuid: "uuid",
};

/**
 * Unsigned integer types (MySQL's `INT UNSIGNED`, DuckDB's `UINTEGER`), mapped to the narrowest
 * signed type that holds their range, as `arrow_cast` maps Arrow's `UInt8`..`UInt64`.
 */
const UNSIGNED_TYPES: Record<string, { readonly name: string; readonly args: number[] }> = {
  tinyint: { name: "int2", args: [] },
  smallint: { name: "int4", args: [] },
  int: { name: "int8", args: [] },
  integer: { name: "int8", args: [] },
  bigint: { name: "numeric", args: [20, 0] },
};

/** DuckDB's names for the unsigned integer types, as the base name of {@link UNSIGNED_TYPES}. */
const DUCKDB_UNSIGNED: Record<string, string> = {
  utinyint: "tinyint",
  uint8: "tinyint",
  usmallint: "smallint",
  uint16: "smallint",
  uinteger: "integer",
  uint32: "integer",
  ubigint: "bigint",
  uint64: "bigint",
};

/**
 * Parses SQL text into statements.
 *
 * @example
 * ```ts
 * import { parseSql } from "./parser.ts";
 * const [s] = parseSql("SELECT 1 + 2 AS three");
 * console.assert(s!.kind === "query");
 * ```
 */
export function parseSql(sql: string, limits: Limits = defaultLimits): Statement[] {
  if (sql.length > limits.sqlTextBytesMax) {
    throw new DbError(
      SqlState.programLimitExceeded,
      `query text is longer than ${limits.sqlTextBytesMax} bytes`,
    );
  }
  const parser = new Parser(sql, tokenize(sql, limits.identifierBytesMax), limits);
  return parser.parseStatements();
}

class Parser {
  #i = 0;
  #depth = 0;
  /**
   * DataFusion's `INTERVAL '1' + '2' MONTH`: the string literals of such a chain, by token
   * index, to the unit that follows the last one (which that literal consumes).
   */
  #intervalChain = new Map<number, { readonly field: string; readonly last: boolean }>();

  constructor(
    readonly sql: string,
    readonly tokens: Token[],
    readonly limits: Limits,
  ) {}

  // ---- token helpers -------------------------------------------------------------------------

  get tok(): Token {
    return this.tokens[this.#i]!;
  }

  peek(k = 1): Token {
    return this.tokens[Math.min(this.#i + k, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.tok;
    if (t.kind !== "eof") this.#i++;
    return t;
  }

  isKw(word: string, t: Token = this.tok): boolean {
    return t.kind === "ident" && t.value === word;
  }

  isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === "op" && t.value === op;
  }

  acceptKw(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKw(words[k]!, this.peek(k))) return false;
    this.#i += words.length;
    return true;
  }

  acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.#i++;
      return true;
    }
    return false;
  }

  expectKw(word: string): Token {
    if (!this.isKw(word)) throw this.error(`expected ${word.toUpperCase()}`);
    return this.next();
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) throw this.error(`expected "${op}"`);
    return this.next();
  }

  describe(t: Token): string {
    switch (t.kind) {
      case "eof":
        return "end of input";
      case "string":
      case "estring":
        return `string '${t.value}'`;
      case "qident":
        return `"${t.value}"`;
      case "param":
        return `$${t.value}`;
      default:
        return `"${this.sql.slice(t.pos, t.pos + Math.max(1, t.value.length))}"`;
    }
  }

  error(expected?: string, t: Token = this.tok): SqlSyntaxError {
    const what = `syntax error at or near ${this.describe(t)}` + (expected ? ` (${expected})` : "");
    return SqlSyntaxError.at(this.sql, t.pos, what);
  }

  enter(): void {
    if (++this.#depth > this.limits.sqlNestingDepthMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `statement is nested more than ${this.limits.sqlNestingDepthMax} levels deep`,
        { position: this.tok.pos + 1 },
      );
    }
  }

  leave(): void {
    this.#depth--;
  }

  /** An identifier (unreserved keyword or quoted). */
  ident(what = "identifier"): string {
    const t = this.tok;
    if (t.kind === "qident" || (t.kind === "ident" && !RESERVED.has(t.value))) {
      this.next();
      return t.value;
    }
    throw this.error(`expected ${what}`);
  }

  /** An identifier where reserved words are also fine (after a dot, as a column label with AS). */
  anyIdent(what = "identifier"): string {
    const t = this.tok;
    if (t.kind === "qident" || t.kind === "ident") {
      this.next();
      return t.value;
    }
    throw this.error(`expected ${what}`);
  }

  qualifiedName(): QualifiedName {
    const pos = this.tok.pos;
    const parts = [this.ident("name")];
    while (this.acceptOp(".")) parts.push(this.anyIdent("name"));
    return { parts, pos };
  }

  // ---- statements ----------------------------------------------------------------------------

  parseStatements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      while (this.acceptOp(";"));
      if (this.tok.kind === "eof") break;
      out.push(this.statement());
      if (this.peek(0).kind !== "eof" && !this.isOp(";")) throw this.error();
    }
    return out;
  }

  statement(): Statement {
    const t = this.tok;
    if (
      this.isKw("select") || this.isKw("with") || this.isKw("values") || this.isOp("(") ||
      (this.isKw("table") && this.peek().kind !== "op")
    ) {
      const query = this.query();
      return { kind: "query", query, pos: t.pos };
    }
    if (startsTransactionStatement(this)) return parseTransaction(this);
    if (this.isKw("set")) return this.setStatement();
    if (this.isKw("prepare") && !this.isKw("transaction", this.peek())) {
      this.next();
      const name = this.ident("statement name");
      const types: TypeName[] = [];
      if (this.acceptOp("(")) {
        do types.push(this.typeName()); while (this.acceptOp(","));
        this.expectOp(")");
      }
      this.expectKw("as");
      const statement = this.statement();
      if (!["query", "insert", "update", "delete"].includes(statement.kind)) {
        throw this.error("expected SELECT, VALUES, INSERT, UPDATE or DELETE", this.tok);
      }
      return { kind: "prepare", name, types, statement, pos: t.pos };
    }
    if (this.isKw("execute")) {
      this.next();
      const name = this.ident("statement name");
      const args: Expr[] = [];
      if (this.acceptOp("(")) {
        do args.push(this.expr()); while (this.acceptOp(","));
        this.expectOp(")");
      }
      return { kind: "execute", name, args, pos: t.pos };
    }
    if (this.isKw("verify") && this.isKw("database", this.peek(1))) {
      this.next();
      this.next();
      return { kind: "verify", pos: t.pos };
    }
    if (this.isKw("checkpoint")) {
      this.next();
      return { kind: "checkpoint", pos: t.pos };
    }
    if (this.isKw("discard")) {
      this.next();
      const target = this.anyIdent("ALL, PLANS, SEQUENCES or TEMP");
      const known = { all: "all", plans: "plans", sequences: "sequences", temp: "temp" } as const;
      const which = target === "temporary" ? "temp" : known[target as keyof typeof known];
      if (which === undefined) throw this.error("expected ALL, PLANS, SEQUENCES or TEMP", t);
      return { kind: "discard", target: which, pos: t.pos };
    }
    if (this.isKw("unlisten")) {
      this.next();
      const channel = this.acceptOp("*") ? null : this.ident("channel name");
      return { kind: "unlisten", channel, pos: t.pos };
    }
    if (this.isKw("truncate")) {
      this.next();
      this.acceptKw("table");
      this.acceptKw("only");
      const names = [this.qualifiedName()];
      while (this.acceptOp(",")) names.push(this.qualifiedName());
      let restartIdentity = false;
      if (this.acceptKw("restart", "identity")) restartIdentity = true;
      else this.acceptKw("continue", "identity");
      this.acceptKw("cascade") || this.acceptKw("restrict");
      return { kind: "truncate", names, restartIdentity, pos: t.pos };
    }
    if (this.isKw("deallocate")) {
      this.next();
      this.acceptKw("prepare");
      const name = this.acceptKw("all") ? null : this.ident("statement name");
      return { kind: "deallocate", name, pos: t.pos };
    }
    if (this.isKw("show")) {
      this.next();
      const name = this.acceptKw("all") ? "all" : this.settingName();
      return { kind: "show", name, pos: t.pos };
    }
    if (this.isKw("reset")) {
      this.next();
      const name = this.acceptKw("all") ? "all" : this.settingName();
      return { kind: "set", name, value: null, pos: t.pos };
    }
    if (this.isKw("explain")) {
      this.next();
      let analyze = false;
      if (this.isOp("(")) {
        // EXPLAIN (ANALYZE [true|false], ...)
        this.next();
        do {
          const opt = this.anyIdent("EXPLAIN option");
          let on = true;
          if (this.isKw("false") || this.isKw("off")) {
            this.next();
            on = false;
          } else if (this.isKw("true") || this.isKw("on")) this.next();
          if (opt === "analyze") analyze = on;
        } while (this.acceptOp(","));
        this.expectOp(")");
      } else {
        analyze = this.acceptKw("analyze") || this.acceptKw("analyse");
        this.acceptKw("verbose");
      }
      return { kind: "explain", analyze, statement: this.statement(), pos: t.pos };
    }
    if (this.isKw("create")) return this.create();
    if (this.isKw("drop")) return this.drop();
    if (this.isKw("insert")) return this.insert();
    if (this.isKw("delete")) return this.deleteStatement();
    if (this.isKw("update")) return this.updateStatement();
    if (
      this.isKw("alter") && this.isKw("schema", this.peek()) && this.isKw("rename", this.peek(3))
    ) {
      this.next();
      this.next();
      const name = this.ident("schema name");
      this.expectKw("rename");
      this.expectKw("to");
      return { kind: "rename_schema", name, newName: this.ident("schema name"), pos: t.pos };
    }
    if (this.isKw("alter") && (this.isKw("user", this.peek()) || this.isKw("role", this.peek()))) {
      this.next();
      return parseCreateOrAlterUser(this, "alter", t.pos);
    }
    if (this.isKw("alter") && this.isKw("table", this.peek())) {
      this.next();
      this.next();
      return this.alterTable(t.pos);
    }
    if (this.isKw("copy")) return parseCopy(this);
    if (t.kind === "ident" && KNOWN_STATEMENTS.has(t.value)) {
      // A known statement we do not support yet: consume it so the error names it.
      const words = [t.value.toUpperCase()];
      const second = this.peek();
      if (second.kind === "ident") words.push(second.value.toUpperCase());
      this.skipStatement();
      return { kind: "unsupported", what: words.join(" "), pos: t.pos };
    }
    throw this.error();
  }

  skipStatement(): void {
    let depth = 0;
    while (this.tok.kind !== "eof") {
      if (this.isOp("(")) depth++;
      else if (this.isOp(")")) depth--;
      else if (this.isOp(";") && depth <= 0) break;
      this.next();
    }
  }

  create(): Statement {
    const pos = this.next().pos;
    if (isUserStatement(this)) return parseCreateOrAlterUser(this, "create", pos);
    if (
      this.acceptKw("table") || this.acceptKw("temporary", "table") ||
      this.acceptKw("temp", "table")
    ) {
      const ifNotExists = this.acceptKw("if", "not", "exists");
      const name = this.qualifiedName();
      if (this.acceptKw("as")) {
        return {
          kind: "create_table",
          name,
          ifNotExists,
          columns: [],
          constraints: [],
          options: [],
          asQuery: this.query(),
          pos,
        };
      }
      this.expectOp("(");
      const columns: ColumnDef[] = [];
      const constraints: TableConstraint[] = [];
      do {
        // a trailing comma before ")" is accepted, as DuckDB and DataFusion do
        if (this.isOp(")") && (columns.length > 0 || constraints.length > 0)) break;
        if (
          this.isKw("primary") || this.isKw("unique") || this.isKw("constraint") ||
          this.isKw("check") || this.isKw("foreign")
        ) {
          this.tableConstraint(columns, constraints);
          continue;
        }
        columns.push(this.columnDef());
      } while (this.acceptOp(","));
      this.expectOp(")");
      const options = this.tableOptions();
      const asQuery = this.acceptKw("as") ? this.query() : null;
      return {
        kind: "create_table",
        name,
        ifNotExists,
        columns,
        constraints,
        options,
        asQuery,
        pos,
      };
    }
    if (this.acceptKw("schema")) {
      const ifNotExists = this.acceptKw("if", "not", "exists");
      if (this.isKw("authorization")) {
        this.skipStatement();
        return { kind: "unsupported", what: "CREATE SCHEMA AUTHORIZATION", pos };
      }
      const name = this.ident("schema name");
      if (this.tok.kind !== "eof" && !this.isOp(";")) {
        // AUTHORIZATION role, or schema elements (CREATE TABLE ... inside CREATE SCHEMA)
        const what = this.isKw("authorization") ? "AUTHORIZATION" : "with schema elements";
        this.skipStatement();
        return { kind: "unsupported", what: `CREATE SCHEMA ${what}`, pos };
      }
      return { kind: "create_schema", name, ifNotExists, pos };
    }
    if (
      this.acceptKw("sequence") || this.acceptKw("temporary", "sequence") ||
      this.acceptKw("temp", "sequence")
    ) {
      const ifNotExists = this.acceptKw("if", "not", "exists");
      const name = this.qualifiedName();
      return { kind: "create_sequence", name, ifNotExists, options: this.sequenceOptions(), pos };
    }
    const orReplace = this.acceptKw("or", "replace");
    if (
      this.acceptKw("view") || this.acceptKw("temporary", "view") || this.acceptKw("temp", "view")
    ) {
      const name = this.qualifiedName();
      const columns: string[] = [];
      if (this.acceptOp("(")) {
        do columns.push(this.ident("column name")); while (this.acceptOp(","));
        this.expectOp(")");
      }
      this.expectKw("as");
      const start = this.tok.pos;
      const query = this.query();
      const sql = this.sql.slice(start, this.tok.pos).trim();
      return { kind: "create_view", name, orReplace, columns, query, sql, pos };
    }
    if (
      !orReplace && (this.isKw("index") || (this.isKw("unique") && this.isKw("index", this.peek())))
    ) {
      const unique = this.acceptKw("unique");
      this.expectKw("index");
      this.acceptKw("concurrently");
      const ifNotExists = this.acceptKw("if", "not", "exists");
      const name = this.isKw("on") ? null : this.ident("index name");
      this.expectKw("on");
      const table = this.qualifiedName();
      if (this.acceptKw("using")) this.ident("index method");
      this.expectOp("(");
      const columns = this.orderItems();
      this.expectOp(")");
      return { kind: "create_index", name, table, unique, ifNotExists, columns, pos };
    }
    const words = ["CREATE"];
    if (this.tok.kind === "ident") words.push(this.tok.value.toUpperCase());
    if (this.isKw("unique") && this.peek().kind === "ident") {
      words.push(this.peek().value.toUpperCase());
    }
    if (this.isKw("or") && this.isKw("replace", this.peek())) {
      words.push("OR REPLACE", this.peek(2).value.toUpperCase());
    }
    this.skipStatement();
    return { kind: "unsupported", what: words.join(" "), pos };
  }

  tableConstraint(columns: ColumnDef[], constraints: TableConstraint[]): void {
    const c = this.tableConstraintDef();
    if (c === null) return;
    if (c.kind === "primary_key") {
      for (let k = 0; k < columns.length; k++) {
        const col = columns[k]!;
        if (c.columns.includes(col.name)) columns[k] = { ...col, notNull: true };
      }
    }
    constraints.push(c);
  }

  /**
   * `[CONSTRAINT name] PRIMARY KEY (...) | UNIQUE (...) | CHECK (...) [NO INHERIT]`; a FOREIGN KEY
   * is skipped (balanced tokens up to the next top-level comma) and gives `null`.
   */
  tableConstraintDef(): TableConstraint | null {
    const pos = this.tok.pos;
    const name = this.acceptKw("constraint") ? this.ident("constraint name") : null;
    if (this.acceptKw("primary", "key") || this.acceptKw("unique")) {
      const isPk = this.tokens[this.#i - 1]!.value === "key";
      this.expectOp("(");
      const names: string[] = [];
      do names.push(this.ident("column name")); while (this.acceptOp(","));
      this.expectOp(")");
      return { kind: isPk ? "primary_key" : "unique", name, columns: names, pos };
    }
    if (this.acceptKw("check")) return { kind: "check", ...this.checkConstraint(name, pos) };
    // FOREIGN KEY ...: skip balanced tokens up to the next top-level comma.
    if (!this.isKw("foreign")) throw this.error("expected PRIMARY KEY, UNIQUE or CHECK");
    let depth = 0;
    while (this.tok.kind !== "eof") {
      if (this.isOp("(")) depth++;
      else if (this.isOp(")")) {
        if (depth === 0) break;
        depth--;
      } else if (this.isOp(",") && depth === 0) break;
      this.next();
    }
    return null;
  }

  /** `(expr) [NO INHERIT]` after CHECK; `pos` is where the constraint starts. */
  checkConstraint(name: string | null, pos: number): CheckConstraintDef {
    this.expectOp("(");
    const start = this.tok.pos;
    const expr = this.expr();
    const sql = this.sql.slice(start, this.tok.pos).trim();
    this.expectOp(")");
    const noInherit = this.acceptKw("no", "inherit");
    return { name, expr, sql, noInherit, pos };
  }

  columnDef(): ColumnDef {
    const pos = this.tok.pos;
    const name = this.ident("column name");
    let type = this.typeName(true);
    let notNull = false;
    // SERIAL types: an integer column whose default is nextval of its own sequence
    const serialOf: Record<string, string> = {
      serial: "int4",
      serial4: "int4",
      bigserial: "int8",
      serial8: "int8",
      smallserial: "int2",
      serial2: "int2",
    };
    let serial = serialOf[type.name] !== undefined;
    if (serial) {
      type = { ...type, name: serialOf[type.name]! };
      notNull = true;
    }
    let primaryKey = false;
    let unique = false;
    let dflt: Expr | null = null;
    let dfltSql: string | null = null;
    const checks: CheckConstraintDef[] = [];
    const names: { primaryKey?: string; unique?: string } = {};
    // CONSTRAINT name: names the constraint that follows it
    let named: { name: string; pos: number } | null = null;
    for (;;) {
      const at = this.tok.pos;
      const constraintName = named?.name ?? null;
      const startPos = named?.pos ?? at;
      named = null;
      if (this.acceptKw("not", "null")) notNull = true;
      else if (this.acceptKw("null")) continue;
      else if (this.acceptKw("primary", "key")) {
        primaryKey = true;
        notNull = true;
        if (constraintName !== null) names.primaryKey = constraintName;
      } else if (this.acceptKw("unique")) {
        unique = true;
        if (constraintName !== null) names.unique = constraintName;
      } else if (this.acceptKw("default")) [dflt, dfltSql] = this.defaultExpr();
      else if (this.acceptKw("constraint")) {
        named = { name: this.ident("constraint name"), pos: at };
      } else if (this.acceptKw("check")) {
        checks.push(this.checkConstraint(constraintName, startPos));
      } else if (this.acceptKw("generated")) {
        // GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [(options)]: a sequence default
        if (!this.acceptKw("always")) {
          this.expectKw("by");
          this.expectKw("default");
        }
        this.expectKw("as");
        this.expectKw("identity");
        if (this.acceptOp("(")) {
          this.sequenceOptions();
          this.expectOp(")");
        }
        serial = true;
        notNull = true;
      } else if (this.isKw("references")) {
        this.next();
        if (this.isOp("(") || this.tok.kind === "ident") this.skipBalancedItem();
      } else {
        if (constraintName !== null) throw this.error(); // CONSTRAINT name with no constraint after it
        break;
      }
    }
    if (serial && dflt !== null) {
      throw new DbError(
        SqlState.syntaxError,
        `multiple default values specified for column "${name}"`,
        { position: pos + 1 },
      );
    }
    return {
      name,
      type,
      notNull,
      primaryKey,
      unique,
      default: dflt,
      defaultSql: dfltSql,
      ...(serial ? { serial } : {}),
      ...(checks.length > 0 ? { checks } : {}),
      ...(names.primaryKey !== undefined ? { primaryKeyName: names.primaryKey } : {}),
      ...(names.unique !== undefined ? { uniqueName: names.unique } : {}),
      pos,
    };
  }

  /**
   * A column DEFAULT expression and its source text. PostgreSQL's b_expr: arithmetic and other
   * operators, but no AND / OR / NOT / IS / LIKE, so `DEFAULT 1 NOT NULL` ends at NOT (this
   * parser also stops at comparisons: parenthesize them).
   */
  defaultExpr(): [Expr, string] {
    const start = this.tok.pos;
    const e = this.expr(PREC.other);
    return [e, this.sql.slice(start, this.tok.pos).trim()];
  }

  /**
   * `ALTER TABLE [IF EXISTS] name action [, action ...]`; the leading ALTER TABLE is consumed.
   * Actions: ADD [COLUMN] [IF NOT EXISTS] def, DROP [COLUMN] [IF EXISTS] c [CASCADE|RESTRICT],
   * RENAME [COLUMN] a TO b, RENAME TO name, ALTER [COLUMN] c SET DEFAULT e | DROP DEFAULT |
   * SET NOT NULL | DROP NOT NULL, ADD [CONSTRAINT name] CHECK (e) [NO INHERIT] [NOT VALID],
   * DROP CONSTRAINT [IF EXISTS] name [CASCADE|RESTRICT].
   */
  alterTable(pos: number): Statement {
    const ifExists = this.acceptKw("if", "exists");
    this.acceptKw("only");
    const name = this.qualifiedName();
    const actions: AlterTableAction[] = [];
    if (this.isKw("rename")) {
      // RENAME is a statement of its own in PostgreSQL's grammar: no other actions with it
      const at = this.next().pos;
      if (this.acceptKw("to")) {
        actions.push({ kind: "rename_table", to: this.ident("table name"), pos: at });
      } else {
        this.acceptKw("column");
        const column = this.ident("column name");
        this.expectKw("to");
        actions.push({ kind: "rename_column", column, to: this.ident("column name"), pos: at });
      }
      return { kind: "alter_table", name, ifExists, actions, pos };
    }
    if (this.isKw("drop") && this.isKw("partition", this.peek(1))) {
      // QuestDB's form: ALTER TABLE t DROP PARTITION [LIST] 'key' [, 'key' ...]
      this.next();
      this.next();
      this.acceptKw("list");
      const keys: string[] = [];
      do {
        const t = this.tok;
        if (t.kind !== "string") throw this.error("expected a partition key string");
        keys.push(t.value);
        this.next();
      } while (this.acceptOp(","));
      return { kind: "drop_partitions", name, ifExists, keys, pos };
    }
    do {
      const at = this.tok.pos;
      if (this.acceptKw("add")) {
        if (
          this.isKw("constraint") || this.isKw("check") || this.isKw("primary") ||
          this.isKw("unique") || this.isKw("foreign")
        ) {
          const constraint = this.tableConstraintDef();
          if (constraint === null) {
            this.skipStatement();
            return { kind: "unsupported", what: "ALTER TABLE ... ADD FOREIGN KEY", pos };
          }
          const notValid = constraint.kind === "check" && this.acceptKw("not", "valid");
          actions.push({
            kind: "add_constraint",
            constraint,
            ...(notValid ? { notValid } : {}),
            pos: at,
          });
          continue;
        }
        this.acceptKw("column");
        const ifNotExists = this.acceptKw("if", "not", "exists");
        actions.push({ kind: "add_column", column: this.columnDef(), ifNotExists, pos: at });
      } else if (this.acceptKw("drop", "constraint")) {
        const ifExists = this.acceptKw("if", "exists");
        const name = this.ident("constraint name");
        this.acceptKw("cascade") || this.acceptKw("restrict");
        actions.push({ kind: "drop_constraint", name, ifExists, pos: at });
      } else if (this.acceptKw("drop")) {
        this.acceptKw("column");
        const ifExists = this.acceptKw("if", "exists");
        const column = this.ident("column name");
        this.acceptKw("cascade") || this.acceptKw("restrict");
        actions.push({ kind: "drop_column", column, ifExists, pos: at });
      } else if (this.isKw("set") && this.peek(1).kind === "op" && this.peek(1).value === "(") {
        this.next(); // SET
        actions.push({ kind: "set_options", options: this.optionList(), pos: at });
      } else if (this.acceptKw("alter")) {
        this.acceptKw("column");
        const column = this.ident("column name");
        if (this.acceptKw("set", "default")) {
          const [e, sql] = this.defaultExpr();
          actions.push({ kind: "set_default", column, default: e, defaultSql: sql, pos: at });
        } else if (this.acceptKw("drop", "default")) {
          actions.push({ kind: "set_default", column, default: null, defaultSql: null, pos: at });
        } else if (this.acceptKw("set", "not", "null")) {
          actions.push({ kind: "set_not_null", column, notNull: true, pos: at });
        } else if (this.acceptKw("drop", "not", "null")) {
          actions.push({ kind: "set_not_null", column, notNull: false, pos: at });
        } else {
          const what = this.tok.kind === "ident" ? ` ${this.tok.value.toUpperCase()}` : "";
          this.skipStatement();
          return { kind: "unsupported", what: `ALTER TABLE ... ALTER COLUMN${what}`, pos };
        }
      } else {
        const what = this.tok.kind === "ident" ? ` ${this.tok.value.toUpperCase()}` : "";
        if (what === "" || this.isKw("rename")) throw this.error();
        this.skipStatement();
        return { kind: "unsupported", what: `ALTER TABLE ...${what}`, pos };
      }
    } while (this.acceptOp(","));
    return { kind: "alter_table", name, ifExists, actions, pos };
  }

  skipBalancedItem(): void {
    let depth = 0;
    do {
      if (this.isOp("(")) depth++;
      if (this.isOp(")")) depth--;
      this.next();
    } while (depth > 0 && this.tok.kind !== "eof");
  }

  /**
   * A type name. `allowUnsigned` accepts MySQL's `INT UNSIGNED` (in CAST and column
   * definitions only: after `::`, PostgreSQL reads `1::int unsigned` as a column alias).
   */
  typeName(allowUnsigned = false): TypeName {
    const pos = this.tok.pos;
    let word = this.anyIdent("type name");
    if (word === "pg_catalog" && this.acceptOp(".")) word = this.anyIdent("type name");
    const duckUnsigned = DUCKDB_UNSIGNED[word];
    if (duckUnsigned !== undefined && !this.isOp("(")) {
      const u = UNSIGNED_TYPES[duckUnsigned]!;
      return { name: u.name, args: [...u.args], pos };
    }
    if (allowUnsigned && UNSIGNED_TYPES[word] !== undefined && this.acceptKw("unsigned")) {
      const u = UNSIGNED_TYPES[word]!;
      return { name: u.name, args: [...u.args], pos };
    }
    if (word === "double") this.acceptKw("precision");
    if ((word === "character" || word === "char") && this.acceptKw("varying")) word = "varchar";
    let name = TYPE_ALIASES[word] ?? word;
    const args: number[] = [];
    // PostgreSQL's grammar gives these keyword types no modifiers: INTEGER(10) is 42601
    if (this.isOp("(") && NO_MODIFIER_TYPES.has(word)) throw this.error();
    if (this.acceptOp("(")) {
      do {
        const t = this.next();
        if (t.kind !== "number" || !/^\d+$/.test(t.value)) {
          throw this.error("expected a type modifier", t);
        }
        args.push(Number(t.value));
      } while (this.acceptOp(","));
      this.expectOp(")");
    }
    if (name === "timestamp" || name === "time") {
      if (this.acceptKw("with", "time", "zone")) name = `${name}tz`;
      else this.acceptKw("without", "time", "zone");
    }
    if (name === "float8" && word === "float" && args.length === 1 && args[0]! <= 24) {
      return { name: "float4", args: [], pos };
    }
    while (this.isOp("[") && this.isOp("]", this.peek())) {
      this.next();
      this.next();
      name = `${name}[]`;
    }
    if (this.isKw("array")) {
      // SQL's INTEGER ARRAY [n]
      this.next();
      if (this.acceptOp("[")) {
        if (this.tok.kind === "number") this.next();
        this.expectOp("]");
      }
      name = `${name}[]`;
    }
    return { name, args, pos };
  }

  /** `WITH (name = value, ...)` after CREATE TABLE's columns; none when absent. */
  tableOptions(): TableOption[] {
    if (!(this.isKw("with") && this.peek(1).kind === "op" && this.peek(1).value === "(")) return [];
    this.next();
    return this.optionList();
  }

  /** `(name = value, ...)` of WITH or ALTER TABLE ... SET. */
  optionList(): TableOption[] {
    this.expectOp("(");
    const out: TableOption[] = [];
    do {
      const pos = this.tok.pos;
      const name = this.anyIdent("storage option name");
      this.expectOp("=");
      const t = this.tok;
      let value: string;
      if (t.kind === "string" || t.kind === "ident" || t.kind === "qident") value = t.value;
      else if (t.kind === "number") value = t.value;
      else if (t.kind === "op" && t.value === "-" && this.peek(1).kind === "number") {
        this.next();
        value = `-${this.tok.value}`;
      } else throw this.error("expected an option value");
      this.next();
      out.push({ name, value, pos });
    } while (this.acceptOp(","));
    this.expectOp(")");
    return out;
  }

  /** CREATE SEQUENCE's options, in any order (CACHE and OWNED BY are accepted and ignored). */
  sequenceOptions(): SequenceOptionsAst {
    const o: {
      type?: "int2" | "int4" | "int8";
      increment?: bigint;
      min?: bigint | null;
      max?: bigint | null;
      start?: bigint;
      cycle?: boolean;
    } = {};
    const integer = (): bigint => {
      const neg = this.acceptOp("-");
      if (!neg) this.acceptOp("+");
      const t = this.next();
      if (t.kind !== "number" || !/^\d+$/.test(t.value)) throw this.error("expected an integer", t);
      const v = BigInt(t.value);
      return neg ? -v : v;
    };
    for (;;) {
      if (this.acceptKw("as")) {
        const t = this.typeName();
        if (t.name !== "int2" && t.name !== "int4" && t.name !== "int8") {
          throw new DbError(
            SqlState.invalidParameterValue,
            "sequence type must be smallint, integer, or bigint",
            { position: t.pos + 1 },
          );
        }
        o.type = t.name;
      } else if (this.acceptKw("increment")) {
        this.acceptKw("by");
        o.increment = integer();
      } else if (this.acceptKw("minvalue")) o.min = integer();
      else if (this.acceptKw("maxvalue")) o.max = integer();
      else if (this.acceptKw("no", "minvalue")) o.min = null;
      else if (this.acceptKw("no", "maxvalue")) o.max = null;
      else if (this.acceptKw("start")) {
        this.acceptKw("with");
        o.start = integer();
      } else if (this.acceptKw("cache")) integer();
      else if (this.acceptKw("no", "cycle")) o.cycle = false;
      else if (this.acceptKw("cycle")) o.cycle = true;
      else if (this.acceptKw("owned", "by")) {
        if (!this.acceptKw("none")) this.qualifiedName();
      } else break;
    }
    return o;
  }

  drop(): Statement {
    const pos = this.next().pos;
    if (isUserStatement(this)) return parseDropUser(this, pos);
    if (this.acceptKw("sequence")) {
      const ifExists = this.acceptKw("if", "exists");
      const names = [this.qualifiedName()];
      while (this.acceptOp(",")) names.push(this.qualifiedName());
      this.acceptKw("cascade") || this.acceptKw("restrict");
      return { kind: "drop_sequence", names, ifExists, pos };
    }
    if (this.acceptKw("schema")) {
      const ifExists = this.acceptKw("if", "exists");
      const names = [this.ident("schema name")];
      while (this.acceptOp(",")) names.push(this.ident("schema name"));
      const cascade = this.acceptKw("cascade");
      if (!cascade) this.acceptKw("restrict");
      return { kind: "drop_schema", names, ifExists, cascade, pos };
    }
    if (this.acceptKw("table")) {
      const ifExists = this.acceptKw("if", "exists");
      const names = [this.qualifiedName()];
      while (this.acceptOp(",")) names.push(this.qualifiedName());
      this.acceptKw("cascade") || this.acceptKw("restrict");
      return { kind: "drop_table", names, ifExists, pos };
    }
    if (this.isKw("view") || this.isKw("index")) {
      const kind = this.next().value === "view" ? "drop_view" : "drop_index";
      const ifExists = this.acceptKw("if", "exists");
      const names = [this.qualifiedName()];
      while (this.acceptOp(",")) names.push(this.qualifiedName());
      this.acceptKw("cascade") || this.acceptKw("restrict");
      return { kind, names, ifExists, pos };
    }
    const what = this.tok.kind === "ident" ? `DROP ${this.tok.value.toUpperCase()}` : "DROP";
    this.skipStatement();
    return { kind: "unsupported", what, pos };
  }

  /** A configuration parameter name: `a` or `a.b`, or the two-word TIME ZONE. */
  settingName(): string {
    if (this.acceptKw("time", "zone")) return "timezone";
    let name = this.anyIdent("parameter name");
    while (this.acceptOp(".")) name += `.${this.anyIdent("parameter name")}`;
    return name;
  }

  setStatement(): Statement {
    const pos = this.next().pos;
    this.acceptKw("session") || this.acceptKw("local");
    const name = this.settingName();
    if (name !== "timezone" && !this.acceptOp("=")) this.expectKw("to");
    else if (name === "timezone") this.acceptOp("=") || this.acceptKw("to");
    if (this.acceptKw("default")) return { kind: "set", name, value: null, pos };
    const parts: string[] = [];
    do {
      const t = this.next();
      if (t.kind === "op" && (t.value === "-" || t.value === "+") && this.tok.kind === "number") {
        parts.push(t.value + this.next().value);
      } else if (
        t.kind === "string" || t.kind === "estring" || t.kind === "number" || t.kind === "ident" ||
        t.kind === "qident"
      ) {
        // a list of names (PostgreSQL's GUC_LIST_QUOTE): each item quoted as needed, so that
        // SET search_path TO "My Db", 'a,b' keeps both names whole
        parts.push(name === "search_path" ? quoteIdentifier(t.value) : t.value);
      } else throw this.error("expected a setting value", t);
    } while (this.acceptOp(","));
    return { kind: "set", name, value: parts.join(", "), pos };
  }

  deleteStatement(): Statement {
    const pos = this.next().pos;
    this.expectKw("from");
    const table = this.qualifiedName();
    const [alias] = this.aliasClause();
    const using = this.acceptKw("using") ? this.tableRefList() : [];
    const where = this.acceptKw("where") ? this.expr() : null;
    const returning = this.acceptKw("returning") ? this.selectItems() : null;
    return { kind: "delete", table, alias, using, where, returning, pos };
  }

  updateStatement(): Statement {
    const pos = this.next().pos;
    const table = this.qualifiedName();
    const [alias] = this.isKw("set") ? [null] : this.aliasClause();
    this.expectKw("set");
    const assignments = this.setList();
    const from = this.acceptKw("from") ? this.tableRefList() : [];
    const where = this.acceptKw("where") ? this.expr() : null;
    const returning = this.acceptKw("returning") ? this.selectItems() : null;
    return { kind: "update", table, alias, assignments, from, where, returning, pos };
  }

  /**
   * The SET list of UPDATE and of ON CONFLICT DO UPDATE: `col = value | DEFAULT`,
   * `col.field = value` (kept for the binder, which rejects fields), `(a, b) = (x, y) | ROW(...)`.
   */
  setList(): SetAssignment[] {
    const assignments: SetAssignment[] = [];
    do {
      const at = this.tok.pos;
      if (this.isOp("(")) {
        // SET (a, b) = (x, y) | ROW(x, y): one assignment per column
        this.next();
        const columns: string[] = [];
        do columns.push(this.ident("column name")); while (this.acceptOp(","));
        this.expectOp(")");
        this.expectOp("=");
        const values = this.multiColumnSource();
        if (values.length !== columns.length) {
          throw new DbError(
            SqlState.syntaxError,
            "number of columns does not match number of values",
            { position: at + 1 },
          );
        }
        columns.forEach((column, k) => assignments.push({ column, value: values[k]!, pos: at }));
        continue;
      }
      const column = this.ident("column name");
      const fields: string[] = [];
      while (this.acceptOp(".")) fields.push(this.anyIdent("field name"));
      this.expectOp("=");
      // SET column = DEFAULT: the column's default (the binder fills it in)
      const next = this.peek();
      const isDefault = this.isKw("default") &&
        (next.kind === "eof" || this.isOp(",", next) || this.isOp(";", next) ||
          this.isKw("where", next) || this.isKw("from", next) || this.isKw("returning", next));
      const value: Expr = isDefault ? { kind: "default", pos: this.next().pos } : this.expr();
      assignments.push({ column, ...(fields.length > 0 ? { fields } : {}), value, pos: at });
    } while (this.acceptOp(","));
    return assignments;
  }

  /** The values of `SET (a, b) = ...`: a parenthesised list of two or more, or `ROW(...)`. */
  multiColumnSource(): Expr[] {
    const at = this.tok;
    const isRow = this.isKw("row") && this.isOp("(", this.peek());
    if (!isRow && this.isOp("(") && this.isParenQuery(0)) {
      throw new DbError(
        SqlState.featureNotSupported,
        "a sub-SELECT as the source of a multiple-column UPDATE is not supported yet",
        { position: at.pos + 1 },
      );
    }
    if (!isRow && !this.isOp("(")) throw this.multiColumnSourceError(at.pos);
    if (isRow) this.next();
    this.expectOp("(");
    const values: Expr[] = [];
    do values.push(this.valuesCell()); while (this.acceptOp(","));
    this.expectOp(")");
    if (!isRow && values.length === 1) throw this.multiColumnSourceError(at.pos);
    return values;
  }

  multiColumnSourceError(pos: number): DbError {
    return new DbError(
      SqlState.featureNotSupported,
      "source for a multiple-column UPDATE item must be a sub-SELECT or ROW() expression",
      { position: pos + 1 },
    );
  }

  /** A comma-separated FROM list (also UPDATE's FROM and DELETE's USING). */
  tableRefList(): TableRef[] {
    const refs = [this.tableRef()];
    while (this.acceptOp(",")) refs.push(this.tableRef());
    return refs;
  }

  insert(): Statement {
    const pos = this.next().pos;
    this.expectKw("into");
    const table = this.qualifiedName();
    const alias = this.acceptKw("as") ? this.ident("alias") : null;
    let columns: string[] | null = null;
    if (this.isOp("(") && !this.isKw("select", this.peek()) && !this.isKw("values", this.peek())) {
      this.next();
      columns = [];
      do columns.push(this.ident("column name")); while (this.acceptOp(","));
      this.expectOp(")");
    }
    let source: Query;
    if (this.acceptKw("default", "values")) {
      source = {
        with: null,
        body: { kind: "values", rows: [[]], pos },
        orderBy: [],
        limit: null,
        offset: null,
        pos,
      };
    } else source = this.query();
    const onConflict = this.onConflict();
    let returning: SelectItem[] | null = null;
    if (this.acceptKw("returning")) returning = this.selectItems();
    return {
      kind: "insert",
      table,
      ...(alias !== null ? { alias } : {}),
      columns,
      source,
      ...(onConflict !== null ? { onConflict } : {}),
      returning,
      pos,
    };
  }

  /**
   * `ON CONFLICT [(col | (col), ...) [WHERE pred] | ON CONSTRAINT name] DO NOTHING |
   * DO UPDATE SET ... [WHERE cond]`, or `null` when the INSERT has none. An inference element
   * that is an expression other than a column matches no index here (no expression indexes):
   * 42P10, as PostgreSQL answers when no index matches.
   */
  onConflict(): OnConflict | null {
    const pos = this.tok.pos;
    if (!this.acceptKw("on", "conflict")) return null;
    let columns: { name: string; pos: number }[] | null = null;
    let indexWhere: Expr | null = null;
    let constraint: string | null = null;
    if (this.acceptKw("on", "constraint")) constraint = this.ident("constraint name");
    else if (this.isOp("(")) {
      // PostgreSQL places a plain column of the list at the list's "(" (its errors point there)
      const listPos = this.next().pos;
      columns = [];
      do {
        const e = this.isOp("(")
          ? this.expr()
          : { kind: "column_ref" as const, parts: [this.ident("column name")], pos: listPos };
        if (e.kind !== "column_ref" || e.parts.length !== 1) {
          throw new DbError(
            "42P10",
            "there is no unique or exclusion constraint matching the ON CONFLICT specification",
          );
        }
        columns.push({ name: e.parts[0]!, pos: e.pos });
      } while (this.acceptOp(","));
      this.expectOp(")");
      if (this.acceptKw("where")) indexWhere = this.expr();
    }
    this.expectKw("do");
    if (this.acceptKw("nothing")) {
      return { columns, indexWhere, constraint, action: { kind: "nothing" }, pos };
    }
    this.expectKw("update");
    this.expectKw("set");
    const assignments = this.setList();
    const where = this.acceptKw("where") ? this.expr() : null;
    return { columns, indexWhere, constraint, action: { kind: "update", assignments, where }, pos };
  }

  // ---- queries -------------------------------------------------------------------------------

  query(): Query {
    this.enter();
    const pos = this.tok.pos;
    let withClause: Query["with"] = null;
    if (this.acceptKw("with")) {
      const recursive = this.acceptKw("recursive");
      const ctes: Cte[] = [];
      do {
        const ctePos = this.tok.pos;
        const name = this.ident("CTE name");
        const columnAliases: string[] = [];
        if (this.acceptOp("(")) {
          do columnAliases.push(this.ident("column name")); while (this.acceptOp(","));
          this.expectOp(")");
        }
        this.expectKw("as");
        this.acceptKw("not", "materialized") || this.acceptKw("materialized");
        this.expectOp("(");
        const query = this.query();
        this.expectOp(")");
        ctes.push({ name, columnAliases, query, pos: ctePos });
      } while (this.acceptOp(","));
      withClause = { recursive, ctes };
    }
    const body = this.setExpr(0);
    const orderPos = this.tok.pos;
    const orderBy = this.acceptKw("order", "by") ? this.orderItems() : [];
    let limit: Expr | null = null;
    let offset: Expr | null = null;
    for (;;) {
      if (this.acceptKw("limit")) {
        if (this.acceptKw("all")) limit = null;
        else limit = this.expr();
      } else if (this.acceptKw("offset")) {
        offset = this.expr();
        this.acceptKw("rows") || this.acceptKw("row");
      } else if (this.acceptKw("fetch")) {
        if (!this.acceptKw("first")) this.expectKw("next");
        limit = this.isKw("row") || this.isKw("rows")
          ? { kind: "literal", value: { kind: "number", text: "1" }, pos: this.tok.pos }
          : this.primary();
        if (!this.acceptKw("rows")) this.expectKw("row");
        this.expectKw("only");
      } else break;
    }
    this.leave();
    if (
      body.kind === "nested" &&
      (withClause !== null || orderBy.length > 0 || limit !== null || offset !== null)
    ) {
      // PostgreSQL adds these clauses to the parenthesized query itself, so in
      // `(SELECT ... LIMIT 2) ORDER BY x` the sort runs before the limit
      const q = body.query;
      const twice = (what: string, both: boolean) => {
        if (both) {
          throw new DbError(SqlState.syntaxError, `multiple ${what} clauses not allowed`, {
            position: (what === "ORDER BY" ? orderPos : pos) + 1,
          });
        }
      };
      twice("ORDER BY", orderBy.length > 0 && q.orderBy.length > 0);
      twice("OFFSET", offset !== null && q.offset !== null);
      twice("LIMIT", limit !== null && q.limit !== null);
      twice("WITH", withClause !== null && q.with !== null);
      return {
        with: withClause ?? q.with,
        body: q.body,
        orderBy: orderBy.length > 0 ? orderBy : q.orderBy,
        limit: limit ?? q.limit,
        offset: offset ?? q.offset,
        pos,
      };
    }
    return { with: withClause, body, orderBy, limit, offset, pos };
  }

  /** Set operations: UNION/EXCEPT bind looser than INTERSECT. */
  setExpr(minPrec: number): QueryBody {
    let left = this.setPrimary();
    for (;;) {
      const t = this.tok;
      const op = t.kind === "ident" &&
          (t.value === "union" || t.value === "except" || t.value === "intersect")
        ? t.value
        : null;
      if (op === null) break;
      const prec = op === "intersect" ? 2 : 1;
      if (prec < minPrec) break;
      this.next();
      const all = this.acceptKw("all");
      if (!all) this.acceptKw("distinct");
      const right = this.setExpr(prec + 1);
      left = { kind: "set_op", op, all, left, right, pos: t.pos };
    }
    return left;
  }

  setPrimary(): QueryBody {
    const pos = this.tok.pos;
    if (this.acceptOp("(")) {
      const query = this.query();
      this.expectOp(")");
      return { kind: "nested", query, pos };
    }
    if (this.acceptKw("values")) {
      const rows: Expr[][] = [];
      do {
        this.expectOp("(");
        const row: Expr[] = [];
        do row.push(this.valuesCell()); while (this.acceptOp(","));
        this.expectOp(")");
        rows.push(row);
        if (rows.length > this.limits.insertValuesRowsMax) {
          throw new DbError(
            SqlState.programLimitExceeded,
            `VALUES has more than ${this.limits.insertValuesRowsMax} rows`,
          );
        }
        // a trailing comma after the last row is accepted, as DuckDB does
      } while (this.acceptOp(",") && this.isOp("("));
      return { kind: "values", rows, pos };
    }
    if (this.isKw("table") && this.peek().kind !== "op") {
      // TABLE name is shorthand for SELECT * FROM name (PostgreSQL)
      this.next();
      const tpos = this.tok.pos;
      const name = this.qualifiedName();
      return {
        kind: "select",
        distinct: "all",
        items: [{ kind: "star", qualifier: null, pos: tpos }],
        from: [{ kind: "table", name, alias: null, pos: tpos }],
        where: null,
        groupBy: [],
        having: null,
        pos,
      };
    }
    this.expectKw("select");
    let distinct: QueryBody & { kind: "select" } extends { distinct: infer D } ? D : never = "all";
    if (this.acceptKw("distinct")) {
      if (this.acceptKw("on")) {
        this.expectOp("(");
        const on: Expr[] = [];
        do on.push(this.expr()); while (this.acceptOp(","));
        this.expectOp(")");
        distinct = { on };
      } else distinct = "distinct";
    } else this.acceptKw("all");
    const items = this.isSelectListEnd() ? [] : this.selectItems();
    let from: TableRef[] = [];
    if (this.acceptKw("from")) {
      from = [this.tableRef()];
      while (this.acceptOp(",")) from.push(this.tableRef());
    }
    const where = this.acceptKw("where") ? this.expr() : null;
    const groupBy: Expr[] = [];
    if (this.acceptKw("group", "by")) {
      this.acceptKw("all");
      do groupBy.push(this.groupingElement()); while (this.acceptOp(","));
    }
    const having = this.acceptKw("having") ? this.expr() : null;
    return { kind: "select", distinct, items, from, where, groupBy, having, pos };
  }

  /** A VALUES cell: an expression, or the DEFAULT keyword (allowed by the binder in INSERT). */
  valuesCell(): Expr {
    const t = this.tok;
    if (this.isKw("default") && (this.isOp(",", this.peek()) || this.isOp(")", this.peek()))) {
      this.next();
      return { kind: "default", pos: t.pos };
    }
    return this.expr();
  }

  isSelectListEnd(): boolean {
    const t = this.tok;
    return t.kind === "eof" || this.isOp(";") || this.isOp(")") ||
      (t.kind === "ident" &&
        [
          "from",
          "where",
          "group",
          "having",
          "order",
          "limit",
          "offset",
          "union",
          "intersect",
          "except",
        ].includes(t.value));
  }

  /**
   * A GROUP BY element: an expression, `ROLLUP (...)`, `CUBE (...)` or `GROUPING SETS (...)`.
   * The special forms become function nodes named "rollup", "cube", "grouping sets", and a
   * parenthesised list inside them a node named "row" (the binder expands them).
   */
  groupingElement(): Expr {
    const t = this.tok;
    const node = plainCall;
    const listOrExpr = (): Expr => {
      if (this.isOp("(")) {
        // ( ) or ( a, b ) is a list; ( a ) alone may also be a parenthesised expression
        const pos = this.tok.pos;
        const save = this.#i;
        this.next();
        if (this.acceptOp(")")) return node("row", [], pos);
        const first = this.expr();
        if (this.acceptOp(",")) {
          const args = [first];
          do args.push(this.expr()); while (this.acceptOp(","));
          this.expectOp(")");
          return node("row", args, pos);
        }
        if (this.acceptOp(")")) return node("row", [first], pos);
        this.#i = save;
      }
      return this.groupingElement();
    };
    if (this.isOp("(") && this.isOp(")", this.peek())) {
      // GROUP BY (): the empty grouping set
      this.next();
      this.next();
      return node("row", [], t.pos);
    }
    if ((this.isKw("rollup") || this.isKw("cube")) && this.isOp("(", this.peek())) {
      const name = this.next().value;
      this.expectOp("(");
      const args: Expr[] = [];
      do args.push(listOrExpr()); while (this.acceptOp(","));
      this.expectOp(")");
      return node(name, args, t.pos);
    }
    if (this.isKw("grouping") && this.isKw("sets", this.peek())) {
      this.next();
      this.next();
      this.expectOp("(");
      const args: Expr[] = [];
      do args.push(listOrExpr()); while (this.acceptOp(","));
      this.expectOp(")");
      return node("grouping sets", args, t.pos);
    }
    // GROUP BY (a, b): PostgreSQL groups by the row, that is by a and b. A parenthesized single
    // expression, or one the expression goes on after ((a)::date, (a) + 1), is an expression.
    if (this.isOp("(")) {
      const save = this.#i;
      const r = listOrExpr();
      const ends = this.tok.kind === "eof" || this.isOp(",") || this.isOp(")") ||
        this.isOp(";") || (this.tok.kind === "ident" && !this.isOp("(", this.peek()) &&
          ["having", "order", "limit", "offset", "union", "intersect", "except", "window", "fetch"]
            .includes(this.tok.value));
      if (r.kind === "function" && r.args.length >= 2 && ends) return r;
      this.#i = save;
    }
    return this.expr();
  }

  selectItems(): SelectItem[] {
    const items: SelectItem[] = [];
    do items.push(this.selectItem()); while (this.acceptOp(","));
    return items;
  }

  selectItem(): SelectItem {
    const pos = this.tok.pos;
    if (this.isOp("*")) {
      this.next();
      return { kind: "star", qualifier: null, pos };
    }
    if (
      (this.tok.kind === "ident" || this.tok.kind === "qident") && this.isOp(".", this.peek()) &&
      this.isOp("*", this.peek(2))
    ) {
      const qualifier = this.next().value;
      this.next();
      this.next();
      return { kind: "star", qualifier, pos };
    }
    const expr = this.expr();
    let alias: string | null = null;
    if (this.acceptKw("as")) alias = this.anyIdent("column alias");
    else if (
      this.tok.kind === "qident" || (this.tok.kind === "ident" && !RESERVED.has(this.tok.value))
    ) {
      alias = this.next().value;
    }
    return { kind: "expr", expr, alias, pos };
  }

  tableRef(): TableRef {
    this.enter();
    let left = this.tablePrimary();
    for (;;) {
      const pos = this.tok.pos;
      let joinType: JoinTypeAst | null = null;
      const natural = this.acceptKw("natural");
      if (this.acceptKw("cross", "join")) joinType = "cross";
      // DataFusion's LEFT/RIGHT SEMI/ANTI JOIN (PostgreSQL's grammar rejects them; a bare
      // `t SEMI JOIN u` stays PostgreSQL's table alias `semi`)
      else if (this.acceptKw("left", "semi", "join")) joinType = "left_semi";
      else if (this.acceptKw("left", "anti", "join")) joinType = "left_anti";
      else if (this.acceptKw("right", "semi", "join")) joinType = "right_semi";
      else if (this.acceptKw("right", "anti", "join")) joinType = "right_anti";
      else if (this.acceptKw("join") || this.acceptKw("inner", "join")) joinType = "inner";
      else if (this.acceptKw("left", "join") || this.acceptKw("left", "outer", "join")) {
        joinType = "left";
      } else if (this.acceptKw("right", "join") || this.acceptKw("right", "outer", "join")) {
        joinType = "right";
      } else if (this.acceptKw("full", "join") || this.acceptKw("full", "outer", "join")) {
        joinType = "full";
      }
      if (joinType === null) {
        if (natural) throw this.error("expected JOIN");
        break;
      }
      const right = this.tablePrimary();
      let on: Expr | null = null;
      const using: string[] = [];
      if (joinType !== "cross" && !natural) {
        if (this.acceptKw("on")) on = this.expr();
        else if (this.acceptKw("using")) {
          this.expectOp("(");
          do using.push(this.ident("column name")); while (this.acceptOp(","));
          this.expectOp(")");
        } else throw this.error("expected ON or USING");
      }
      left = { kind: "join", joinType, natural, left, right, on, using, pos };
    }
    this.leave();
    return left;
  }

  tablePrimary(): TableRef {
    const pos = this.tok.pos;
    if (this.isOp("(")) {
      if (this.isParenQuery(0)) {
        this.next();
        const query = this.query();
        this.expectOp(")");
        const [alias, columnAliases] = this.aliasClause();
        return { kind: "derived", query, alias, columnAliases, pos };
      }
      this.next();
      const inner = this.tableRef();
      this.expectOp(")");
      if (inner.kind === "table") {
        // DataFusion's `(t) AS x`, a parenthesized table with an alias (PostgreSQL's grammar
        // parenthesizes only joins): the alias names the table
        const [alias, columnAliases] = this.aliasClause();
        if (alias !== null) return { ...inner, alias, columnAliases };
      }
      if (inner.kind === "join") {
        // `(a JOIN b ON ...) AS q [(columns)]`: the alias hides the joined tables' names and
        // names the join's columns, as a derived table `(SELECT * FROM a JOIN b ON ...)` does
        const [alias, columnAliases] = this.aliasClause();
        if (alias !== null) {
          const query = selectFrom([{ kind: "star", qualifier: null, pos }], inner, pos);
          return { kind: "derived", query, alias, columnAliases, pos };
        }
      }
      return inner;
    }
    this.acceptKw("lateral");
    const name = this.qualifiedName();
    if (this.isOp("(")) {
      // a set-returning function in FROM: name(args) [AS alias [(columns)]]
      this.next();
      const args: Expr[] = [];
      if (!this.isOp(")")) {
        do args.push(this.expr()); while (this.acceptOp(","));
      }
      this.expectOp(")");
      const [alias, columnAliases] = this.aliasClause();
      return { kind: "function", name, args, alias, columnAliases, pos };
    }
    const [alias, columnAliases] = this.aliasClause();
    if (columnAliases.length > 0) return { kind: "table", name, alias, columnAliases, pos };
    return { kind: "table", name, alias, pos };
  }

  /**
   * Whether the "(" at token offset `k` opens a parenthesized query rather than a parenthesized
   * join: `((SELECT 1) UNION SELECT 2) s` is a query, `((SELECT 1) a JOIN b ON true)` is a join.
   */
  isParenQuery(k: number): boolean {
    const first = this.peek(k + 1);
    if (this.isKw("select", first) || this.isKw("with", first) || this.isKw("values", first)) {
      return true;
    }
    if (this.isKw("table", first) && this.peek(k + 2).kind !== "op") return true;
    // beyond the nesting limit the parse fails anyway; stop before the lookahead recurses deeper
    if (k > this.limits.sqlNestingDepthMax) return false;
    if (!this.isOp("(", first) || !this.isParenQuery(k + 1)) return false;
    let depth = 0;
    let j = k + 1;
    for (;; j++) {
      const t = this.peek(j);
      if (t.kind === "eof") return false;
      if (this.isOp("(", t)) depth++;
      else if (this.isOp(")", t) && --depth === 0) break;
    }
    const after = this.peek(j + 1);
    return this.isOp(")", after) ||
      ["union", "intersect", "except", "order", "limit", "offset", "fetch"].some((w) =>
        this.isKw(w, after)
      );
  }

  aliasClause(): [string | null, string[]] {
    let alias: string | null = null;
    if (this.acceptKw("as")) alias = this.ident("alias");
    else if (
      this.tok.kind === "qident" || (this.tok.kind === "ident" && !RESERVED.has(this.tok.value))
    ) {
      alias = this.next().value;
    }
    const columns: string[] = [];
    if (alias !== null && this.isOp("(")) {
      this.next();
      do columns.push(this.ident("column alias")); while (this.acceptOp(","));
      this.expectOp(")");
    }
    return [alias, columns];
  }

  orderItems(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const expr = this.expr();
      let descending = false;
      if (this.acceptKw("desc")) descending = true;
      else this.acceptKw("asc");
      let nullsFirst: boolean | null = null;
      if (this.acceptKw("nulls", "first")) nullsFirst = true;
      else if (this.acceptKw("nulls", "last")) nullsFirst = false;
      items.push({ expr, descending, nullsFirst });
    } while (this.acceptOp(","));
    return items;
  }

  // ---- expressions ---------------------------------------------------------------------------

  expr(minPrec = 0): Expr {
    this.enter();
    let left = this.prefix();
    for (;;) {
      const next = this.infix(left, minPrec);
      if (next === null) break;
      left = next;
    }
    this.leave();
    return left;
  }

  prefix(): Expr {
    const t = this.tok;
    if (this.isKw("not")) {
      this.next();
      return { kind: "unary", op: "not", operand: this.expr(PREC.not), pos: t.pos };
    }
    if (this.isOp("-") || this.isOp("+")) {
      this.next();
      const operand = this.expr(PREC.unaryMinus);
      if (t.value === "-" && operand.kind === "literal" && operand.value.kind === "number") {
        // Negative constants are constants (PostgreSQL's doNegate), so -(-1) is the literal 1.
        const text = operand.value.text;
        return {
          kind: "literal",
          value: { kind: "number", text: text.startsWith("-") ? text.slice(1) : `-${text}` },
          pos: t.pos,
        };
      }
      return { kind: "unary", op: t.value === "-" ? "-" : "+", operand, pos: t.pos };
    }
    return this.postfixCast(this.primary());
  }

  postfixCast(e: Expr): Expr {
    let out = e;
    while (this.isOp("::") || this.isOp("[")) {
      const subscript = this.isOp("[");
      const pos = this.next().pos;
      if (subscript) {
        // a[i]: an array element
        const index = this.expr();
        if (this.isOp(":")) {
          throw new DbError(SqlState.featureNotSupported, "array slices are not supported yet", {
            position: this.tok.pos + 1,
          });
        }
        this.expectOp("]");
        out = { kind: "subscript", operand: out, index, pos };
        continue;
      }
      out = { kind: "cast", operand: out, type: this.typeName(), pos };
    }
    return out;
  }

  infix(left: Expr, minPrec: number): Expr | null {
    const t = this.tok;
    const pos = t.pos;
    if (t.kind === "op") {
      const v = t.value === "!=" ? "<>" : t.value;
      const prec = binaryPrec(v);
      if (prec === null || prec < minPrec) return null;
      const regex = REGEX_OPERATORS[v];
      if (regex !== undefined) {
        // PostgreSQL's regular-expression match operators call these functions
        this.next();
        return plainCall(regex, [left, this.expr(prec + 1)], pos);
      }
      if (!BINARY_OPS.has(v)) {
        throw new DbError(SqlState.undefinedFunction, `operator does not exist: ${v}`, {
          position: pos + 1,
        });
      }
      this.next();
      if (
        COMPARISON_OPS.has(t.value) &&
        (this.isKw("any") || this.isKw("some") || this.isKw("all")) &&
        this.isOp("(", this.peek())
      ) {
        // x op ANY|SOME|ALL (subquery)
        const all = this.next().value === "all";
        this.expectOp("(");
        if (!(this.isKw("select") || this.isKw("with") || this.isKw("values"))) {
          // x op ANY|ALL (array)
          const array = this.expr();
          this.expectOp(")");
          return {
            kind: "quantified_array",
            op: v as QuantifiedOp,
            all,
            operand: left,
            array,
            pos,
          };
        }
        const query = this.query();
        this.expectOp(")");
        return { kind: "quantified", op: v as QuantifiedOp, all, operand: left, query, pos };
      }
      // left-associative except ^ (PostgreSQL's ^ is left-associative too)
      const right = this.expr(prec + 1);
      return { kind: "binary", op: v as BinaryOp, left, right, pos };
    }
    if (t.kind !== "ident") return null;
    switch (t.value) {
      case "operator": {
        // OPERATOR(pg_catalog.~): an operator named with its schema, at "other" precedence
        if (PREC.other < minPrec || !this.isOp("(", this.peek())) return null;
        this.next();
        this.next();
        if (this.tok.kind === "ident" && this.isOp(".", this.peek())) {
          const schema = this.next().value;
          if (schema !== "pg_catalog") {
            throw new DbError(SqlState.undefinedFunction, `schema "${schema}" has no operators`, {
              position: this.tok.pos + 1,
            });
          }
          this.next();
        }
        const op = this.next();
        if (op.kind !== "op") throw this.error("expected an operator", op);
        this.expectOp(")");
        const v = op.value === "!=" ? "<>" : op.value;
        const right = this.expr(PREC.other + 1);
        const regex = REGEX_OPERATORS[v];
        if (regex !== undefined) return plainCall(regex, [left, right], pos);
        if (!BINARY_OPS.has(v)) {
          throw new DbError(SqlState.undefinedFunction, `operator does not exist: ${v}`, {
            position: op.pos + 1,
          });
        }
        return { kind: "binary", op: v as BinaryOp, left, right, pos };
      }
      case "collate": {
        // COLLATE name: OmenDB compares strings by code point, which is what these collations do
        this.next();
        const name = this.qualifiedName();
        const collation = name.parts.at(-1)!;
        if (
          (name.parts.length > 1 && name.parts[0] !== "pg_catalog") ||
          !CODE_POINT_COLLATIONS.has(collation.toLowerCase())
        ) {
          throw new DbError(
            SqlState.featureNotSupported,
            `collation "${name.parts.join(".")}" is not supported (strings compare by code point)`,
            { position: name.pos + 1 },
          );
        }
        return left;
      }
      case "and":
      case "or": {
        const prec = t.value === "and" ? PREC.and : PREC.or;
        if (prec < minPrec) return null;
        this.next();
        return { kind: "binary", op: t.value, left, right: this.expr(prec + 1), pos };
      }
      case "is": {
        if (PREC.is < minPrec) return null;
        this.next();
        const negated = this.acceptKw("not");
        if (this.acceptKw("null")) return { kind: "is_null", negated, operand: left, pos };
        if (this.acceptKw("true")) {
          return { kind: "is_bool", negated, value: true, operand: left, pos };
        }
        if (this.acceptKw("false")) {
          return { kind: "is_bool", negated, value: false, operand: left, pos };
        }
        if (this.acceptKw("unknown")) {
          return { kind: "is_bool", negated, value: null, operand: left, pos };
        }
        if (this.acceptKw("distinct", "from")) {
          return { kind: "is_distinct", negated, left, right: this.expr(PREC.is + 1), pos };
        }
        throw this.error("expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM");
      }
      case "at": {
        // x AT TIME ZONE zone is timezone(zone, x)
        if (PREC.atTimeZone < minPrec || !this.isKw("time", this.peek())) return null;
        this.next();
        this.expectKw("time");
        this.expectKw("zone");
        const zone = this.expr(PREC.atTimeZone + 1);
        return plainCall("timezone", [zone, left], pos);
      }
      case "isnull":
      case "notnull":
        if (PREC.is < minPrec) return null;
        this.next();
        return { kind: "is_null", negated: t.value === "notnull", operand: left, pos };
      case "not": {
        const n = this.peek();
        if (
          !(this.isKw("between", n) || this.isKw("in", n) || this.isKw("like", n) ||
            this.isKw("ilike", n))
        ) return null;
        if (PREC.between < minPrec) return null;
        this.next();
        return this.predicate(left, true, pos);
      }
      case "between":
      case "in":
      case "like":
      case "ilike":
        if (PREC.between < minPrec) return null;
        return this.predicate(left, false, pos);
      default:
        return null;
    }
  }

  predicate(left: Expr, negated: boolean, pos: number): Expr {
    if (this.acceptKw("between")) {
      const symmetric = this.acceptKw("symmetric");
      if (!symmetric) this.acceptKw("asymmetric");
      const low = this.expr(PREC.between + 1);
      this.expectKw("and");
      const high = this.expr(PREC.between + 1);
      return { kind: "between", negated, symmetric, operand: left, low, high, pos };
    }
    if (this.acceptKw("in")) {
      // `x IN ((SELECT ...))` is still a subquery: PostgreSQL's IN takes select_with_parens
      if (this.isOp("(") && this.isParenQuery(0)) {
        this.next();
        const query = this.query();
        this.expectOp(")");
        return { kind: "in_subquery", negated, operand: left, query, pos };
      }
      this.expectOp("(");
      const list: Expr[] = [];
      do list.push(this.expr()); while (this.acceptOp(","));
      this.expectOp(")");
      return { kind: "in_list", negated, operand: left, list, pos };
    }
    const caseInsensitive = this.isKw("ilike");
    this.next();
    const pattern = this.expr(PREC.between + 1);
    const escape = this.acceptKw("escape") ? this.expr(PREC.between + 1) : null;
    return { kind: "like", negated, caseInsensitive, operand: left, pattern, escape, pos };
  }

  primary(): Expr {
    const t = this.tok;
    const pos = t.pos;
    switch (t.kind) {
      case "number":
        this.next();
        return { kind: "literal", value: { kind: "number", text: t.value }, pos };
      case "string":
      case "estring": {
        const chained = this.#intervalChain.get(this.#i);
        this.next();
        if (chained !== undefined) {
          if (chained.last) this.next(); // the unit
          const type: TypeName = { name: "interval", args: [], pos };
          const value = withIntervalField(t.value, chained.field);
          return { kind: "literal", value: { kind: "typed_string", type, value }, pos };
        }
        return { kind: "literal", value: { kind: "string", value: t.value }, pos };
      }
      case "param": {
        this.next();
        const index = Number(t.value);
        if (index < 1 || index > this.limits.queryParamsMax) {
          throw new DbError(SqlState.undefinedParameter, `there is no parameter $${t.value}`, {
            position: pos + 1,
          });
        }
        return { kind: "param", index, pos };
      }
      case "op":
        if (t.value === "(") {
          this.next();
          if (this.isKw("select") || this.isKw("with") || this.isKw("values")) {
            const query = this.query();
            this.expectOp(")");
            return { kind: "subquery", query, pos };
          }
          const e = this.expr();
          if (this.isOp(",")) {
            throw new DbError(
              SqlState.featureNotSupported,
              "row constructors are not supported yet",
              { position: pos + 1 },
            );
          }
          this.expectOp(")");
          return e;
        }
        throw this.error();
      case "qident":
        return this.nameOrCall();
      case "ident":
        if (t.value === "current_schema" && !this.isOp(".", this.peek())) {
          // CURRENT_SCHEMA, with or without (), as in PostgreSQL
          this.next();
          if (this.acceptOp("(")) this.expectOp(")");
          return plainCall("current_schema", [], pos);
        }
        if (t.value === "array" && this.isOp("[", this.peek())) {
          // ARRAY[a, b, ...]
          this.next();
          this.next();
          const elements: Expr[] = [];
          if (!this.isOp("]")) { do elements.push(this.expr()); while (this.acceptOp(",")); }
          this.expectOp("]");
          return { kind: "array", elements, pos };
        }
        if (t.value === "array" && this.isOp("(", this.peek())) {
          // ARRAY(subquery): the subquery's values as an array, '{}' when it has no rows
          this.next();
          this.next();
          const query = this.query();
          this.expectOp(")");
          return arraySubquery(query, pos);
        }
        if (
          Object.hasOwn(NILADIC_FUNCTIONS, t.value) && !this.isOp(".", this.peek()) &&
          !this.isOp("(", this.peek())
        ) {
          // CURRENT_USER, SESSION_USER, USER, CURRENT_CATALOG: SQL's functions without ()
          this.next();
          return plainCall(NILADIC_FUNCTIONS[t.value]!, [], pos);
        }
        break;
      case "eof":
        throw this.error("expected an expression");
    }
    switch (t.value) {
      case "null":
        this.next();
        return { kind: "literal", value: { kind: "null" }, pos };
      case "true":
      case "false":
        this.next();
        return { kind: "literal", value: { kind: "bool", value: t.value === "true" }, pos };
      case "case":
        return this.caseExpr();
      case "cast": {
        this.next();
        this.expectOp("(");
        const operand = this.expr();
        this.expectKw("as");
        const type = this.typeName(true);
        this.expectOp(")");
        return { kind: "cast", operand, type, pos };
      }
      case "try_cast": {
        // DataFusion's and DuckDB's TRY_CAST(x AS type); PostgreSQL has no try_cast at all
        if (!this.isOp("(", this.peek())) break;
        this.next();
        this.next();
        const operand = this.expr();
        this.expectKw("as");
        const type = this.typeName(true);
        this.expectOp(")");
        return { kind: "cast", operand, type, pos, try: true };
      }
      case "exists": {
        this.next();
        this.expectOp("(");
        const query = this.query();
        this.expectOp(")");
        return { kind: "exists", query, pos };
      }
      case "current_date":
      case "current_timestamp":
      case "current_time":
      case "localtime":
      case "localtimestamp": {
        this.next();
        // current_timestamp(p) rounds to p fractional digits (PostgreSQL); an empty () as in
        // MySQL and DataFusion is the same as no parentheses
        const args: Expr[] = [];
        if (this.acceptOp("(")) {
          if (!this.isOp(")")) {
            const p = this.next();
            if (p.kind !== "number" || !/^\d+$/.test(p.value)) {
              throw this.error("expected an integer precision", p);
            }
            args.push({ kind: "literal", value: { kind: "number", text: p.value }, pos: p.pos });
          }
          this.expectOp(")");
        }
        return plainCall(t.value, args, pos);
      }
      case "date":
      case "timestamp":
      case "timestamptz":
      case "interval":
      case "time": {
        const n = this.peek();
        if (
          n.kind === "string" ||
          (t.value === "timestamp" && this.isKw("with", n) || this.isKw("without", n))
        ) {
          const type = this.typeName();
          const s = this.next();
          if (s.kind !== "string") throw this.error("expected a string literal", s);
          let value = s.value;
          if (
            type.name === "interval" && INTERVAL_FIELDS.has(this.tok.value) &&
            this.tok.kind === "ident"
          ) {
            // SQL's INTERVAL '90' DAY: the field names the unit of a bare number
            let field = this.next().value;
            // INTERVAL '5' MINUTE TO SECOND: a bare number counts the last field's unit
            if (this.isKw("to") && INTERVAL_FIELDS.has(this.peek().value)) {
              this.next();
              field = this.next().value;
            }
            value = withIntervalField(value, field);
          } else if (type.name === "interval") {
            const field = this.intervalChain();
            if (field !== null) value = withIntervalField(value, field);
          }
          return { kind: "literal", value: { kind: "typed_string", type, value }, pos };
        }
        break;
      }
      default:
        break;
    }
    if (RESERVED.has(t.value) && !this.isOp("(", this.peek())) throw this.error();
    // type 'literal' for other type names (e.g. int4 '1', boolean 't')
    if (this.peek().kind === "string" && TYPE_ALIASES[t.value] !== undefined) {
      const type = this.typeName();
      const s = this.next();
      return { kind: "literal", value: { kind: "typed_string", type, value: s.value }, pos };
    }
    return this.nameOrCall();
  }

  /**
   * After `INTERVAL 'n'` with no unit: DataFusion's `INTERVAL '1' + '2' - '1' MONTH` gives the
   * unit after the last string to every string of the `+`/`-` chain (PostgreSQL's grammar
   * rejects a bare YEAR..SECOND there). Marks the chain's strings; returns the unit, or null.
   */
  intervalChain(): string | null {
    let j = this.#i;
    const strings: number[] = [];
    while (
      (this.isOp("+", this.tokens[j]) || this.isOp("-", this.tokens[j])) &&
      this.tokens[j + 1]?.kind === "string"
    ) {
      strings.push(j + 1);
      j += 2;
    }
    const unit = this.tokens[j];
    if (
      strings.length === 0 || unit === undefined || unit.kind !== "ident" ||
      !INTERVAL_FIELDS.has(unit.value) || this.isKw("to", this.tokens[j + 1])
    ) {
      return null;
    }
    strings.forEach((k, n) =>
      this.#intervalChain.set(k, { field: unit.value, last: n === strings.length - 1 })
    );
    return unit.value;
  }

  nameOrCall(): Expr {
    const pos = this.tok.pos;
    const parts = [this.anyIdent()];
    while (this.isOp(".") && !this.isOp("*", this.peek())) {
      this.next();
      parts.push(this.anyIdent());
    }
    if (!this.isOp("(")) return { kind: "column_ref", parts, pos };
    this.next();
    if (parts.length === 1) {
      const special = this.specialCall(parts[0]!, pos);
      if (special !== null) return special;
    }
    let star = false;
    let distinct = false;
    const args: Expr[] = [];
    let orderBy: OrderItem[] = [];
    if (this.acceptOp("*")) star = true;
    else if (!this.isOp(")")) {
      if (this.acceptKw("distinct")) distinct = true;
      else this.acceptKw("all");
      do args.push(this.expr()); while (this.acceptOp(","));
      if (this.acceptKw("order", "by")) orderBy = this.orderItems();
    }
    this.expectOp(")");
    if (this.acceptKw("within", "group")) {
      this.expectOp("(");
      this.expectKw("order");
      this.expectKw("by");
      orderBy = this.orderItems();
      this.expectOp(")");
    }
    let filter: Expr | null = null;
    if (this.acceptKw("filter")) {
      this.expectOp("(");
      this.expectKw("where");
      filter = this.expr();
      this.expectOp(")");
    }
    let over: WindowSpec | null = null;
    if (this.acceptKw("over")) over = this.windowSpec();
    return {
      kind: "function",
      name: { parts, pos },
      args,
      star,
      distinct,
      filter,
      orderBy,
      over,
      pos,
    };
  }

  /** SQL-standard call syntax: TRIM(... FROM s), POSITION(a IN b), SUBSTRING(s FROM a FOR b). */
  specialCall(name: string, pos: number): Expr | null {
    const call = (fn: string, args: Expr[]): Expr => plainCall(fn, args, pos);
    if (name === "extract") {
      // EXTRACT(field FROM source) is date_part('field', source)
      const t = this.next();
      if (t.kind !== "ident" && t.kind !== "qident" && t.kind !== "string") {
        throw this.error("expected a field name", t);
      }
      this.expectKw("from");
      const source = this.expr();
      this.expectOp(")");
      return call("date_part", [{
        kind: "literal",
        value: { kind: "string", value: t.value },
        pos: t.pos,
      }, source]);
    }
    if (name === "trim") {
      let fn = "btrim";
      if (this.acceptKw("leading")) fn = "ltrim";
      else if (this.acceptKw("trailing")) fn = "rtrim";
      else this.acceptKw("both");
      if (this.acceptKw("from")) {
        const s = this.expr();
        this.expectOp(")");
        return call(fn, [s]);
      }
      const first = this.expr();
      if (this.acceptKw("from")) {
        const s = this.expr();
        this.expectOp(")");
        return call(fn, [s, first]);
      }
      const args = [first];
      while (this.acceptOp(",")) args.push(this.expr());
      this.expectOp(")");
      return call(fn, args);
    }
    if (name === "position") {
      const sub = this.expr(PREC.between + 1);
      if (!this.acceptKw("in")) {
        const args = [sub];
        while (this.acceptOp(",")) args.push(this.expr());
        this.expectOp(")");
        return call("position", args);
      }
      const str = this.expr();
      this.expectOp(")");
      return call("strpos", [str, sub]);
    }
    if (name === "substring") {
      const str = this.expr();
      if (this.isKw("from") || this.isKw("for")) {
        let from: Expr = { kind: "literal", value: { kind: "number", text: "1" }, pos };
        let count: Expr | null = null;
        if (this.acceptKw("from")) from = this.expr();
        if (this.acceptKw("for")) count = this.expr();
        this.expectOp(")");
        return call("substring", count === null ? [str, from] : [str, from, count]);
      }
      const args = [str];
      while (this.acceptOp(",")) args.push(this.expr());
      this.expectOp(")");
      return call("substring", args);
    }
    return null;
  }

  windowSpec(): WindowSpec {
    const pos = this.tok.pos;
    if (!this.isOp("(")) {
      this.ident("window name");
      return { partitionBy: [], orderBy: [], frame: null, pos };
    }
    this.next();
    const partitionBy: Expr[] = [];
    if (this.acceptKw("partition", "by")) {
      do partitionBy.push(this.expr()); while (this.acceptOp(","));
    }
    const orderBy = this.acceptKw("order", "by") ? this.orderItems() : [];
    let frame: string | null = null;
    if (this.isKw("rows") || this.isKw("range") || this.isKw("groups")) {
      const start = this.tok.pos;
      let depth = 0;
      while (this.tok.kind !== "eof" && !(this.isOp(")") && depth === 0)) {
        if (this.isOp("(")) depth++;
        if (this.isOp(")")) depth--;
        this.next();
      }
      frame = this.sql.slice(start, this.tok.pos).trim();
    }
    this.expectOp(")");
    return { partitionBy, orderBy, frame, pos };
  }

  caseExpr(): Expr {
    const pos = this.next().pos;
    const operand = this.isKw("when") ? null : this.expr();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptKw("when")) {
      const when = this.expr();
      this.expectKw("then");
      whens.push({ when, then: this.expr() });
    }
    if (whens.length === 0) throw this.error("expected WHEN");
    const elseExpr = this.acceptKw("else") ? this.expr() : null;
    this.expectKw("end");
    return { kind: "case", operand, whens, else: elseExpr, pos };
  }
}

/**
 * `ARRAY(query)` as the query it means: `COALESCE((SELECT array_agg(v) FROM (query) AS s(v)),
 * '{}')`, so the array keeps the query's row order and is empty, not NULL, without rows.
 */
function arraySubquery(query: Query, pos: number): Expr {
  const value: Expr = { kind: "column_ref", parts: ["array_value"], pos };
  const aggregate = selectFrom(
    [{ kind: "expr", expr: plainCall("array_agg", [value], pos), alias: null, pos }],
    { kind: "derived", query, alias: "array_subquery", columnAliases: ["array_value"], pos },
    pos,
  );
  const empty: Expr = { kind: "literal", value: { kind: "string", value: "{}" }, pos };
  return plainCall("coalesce", [{ kind: "subquery", query: aggregate, pos }, empty], pos);
}

/** `SELECT items FROM from` as a query of its own (no WHERE, grouping or order). */
function selectFrom(items: SelectItem[], from: TableRef, pos: number): Query {
  return {
    with: null,
    body: {
      kind: "select",
      distinct: "all",
      items,
      from: [from],
      where: null,
      groupBy: [],
      having: null,
      pos,
    },
    orderBy: [],
    limit: null,
    offset: null,
    pos,
  };
}

/** A call `name(args)` with no DISTINCT, FILTER, ORDER BY or OVER. */
function plainCall(name: string, args: Expr[], pos: number): Expr {
  return callExpr([name], args, pos);
}

/** Binding strength, loosest first (PostgreSQL's table of operator precedence). */
const PREC = {
  or: 1,
  and: 2,
  not: 3,
  is: 4,
  comparison: 5,
  between: 6,
  other: 7,
  additive: 8,
  multiplicative: 9,
  exponent: 10,
  atTimeZone: 10.5,
  unaryMinus: 11,
} as const;

/** The regular-expression operators and the functions that implement them (as in PostgreSQL). */
const REGEX_OPERATORS: Readonly<Record<string, string>> = {
  "~": "textregexeq",
  "!~": "textregexne",
  "~*": "texticregexeq",
  "!~*": "texticregexne",
};

/** Collations that order strings by code point, as OmenDB always does. */
const CODE_POINT_COLLATIONS = new Set(["default", "c", "posix", "ucs_basic"]);

/** Niladic SQL functions written without parentheses, and the function each one calls. */
const NILADIC_FUNCTIONS: Readonly<Record<string, string>> = {
  current_user: "current_user",
  current_role: "current_role",
  session_user: "session_user",
  user: "user",
  current_catalog: "current_catalog",
};

const BINARY_OPS = new Set(["+", "-", "*", "/", "%", "^", "||", "=", "<>", "<", "<=", ">", ">="]);

function binaryPrec(op: string): number | null {
  if (COMPARISON_OPS.has(op)) return PREC.comparison;
  switch (op) {
    case "+":
    case "-":
      return PREC.additive;
    case "*":
    case "/":
    case "%":
      return PREC.multiplicative;
    case "^":
      return PREC.exponent;
    case "(":
    case ")":
    case ",":
    case ";":
    case ".":
    case "::":
    case "[":
    case "]":
    case ":":
      return null;
    default:
      return PREC.other; // ||, ~, @>, ... (unknown ones are rejected with 42883)
  }
}

/** `'5'` with field `day` is `'5 day'`; text that is not a bare number keeps its own units. */
function withIntervalField(value: string, field: string): string {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? `${value} ${field}` : value;
}
