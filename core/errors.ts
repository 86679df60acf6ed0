/**
 * Errors a user can trigger. Every one carries a PostgreSQL SQLSTATE code so that the HTTP API,
 * the PostgreSQL wire protocol and the embedded API report the same thing.
 *
 * Errors that only a bug in OmenDB can trigger are assertions ({@link assert}), never DbErrors.
 *
 * @module
 */

/** SQLSTATE codes used by OmenDB, named after PostgreSQL's condition names. */
export const SqlState = {
  successfulCompletion: "00000",
  featureNotSupported: "0A000",
  invalidParameterValue: "22023",
  numericValueOutOfRange: "22003",
  divisionByZero: "22012",
  datetimeFieldOverflow: "22008",
  invalidArgumentForLogarithm: "2201E",
  invalidArgumentForPowerFunction: "2201F",
  invalidEscapeSequence: "22025",
  invalidArgumentForNthValue: "22016",
  substringError: "22011",
  invalidTextRepresentation: "22P02",
  badCopyFileFormat: "22P04",
  characterNotInRepertoire: "22021",
  stringDataRightTruncation: "22001",
  nullValueNotAllowed: "22004",
  dataException: "22000",
  notNullViolation: "23502",
  uniqueViolation: "23505",
  checkViolation: "23514",
  syntaxError: "42601",
  undefinedTable: "42P01",
  undefinedColumn: "42703",
  undefinedObject: "42704",
  undefinedFunction: "42883",
  undefinedParameter: "42P02",
  ambiguousColumn: "42702",
  duplicateTable: "42P07",
  duplicateSchema: "42P06",
  invalidSchemaName: "3F000",
  reservedName: "42939",
  duplicateColumn: "42701",
  duplicateObject: "42710",
  ambiguousAlias: "42P09",
  wrongObjectType: "42809",
  invalidTableDefinition: "42P16",
  dependentObjectsStillExist: "2BP01",
  datatypeMismatch: "42804",
  invalidColumnReference: "42P10",
  groupingError: "42803",
  invalidName: "42602",
  nameTooLong: "42622",
  insufficientPrivilege: "42501",
  programLimitExceeded: "54000",
  tooManyColumns: "54011",
  outOfMemory: "53200",
  queryCanceled: "57014",
  serializationFailure: "40001",
  objectNotInPrerequisiteState: "55000",
  invalidAuthorization: "28000",
  invalidPassword: "28P01",
  configFileError: "F0000",
  ioError: "58030",
  undefinedFile: "58P01",
  dataCorrupted: "XX001",
  internalError: "XX000",
} as const;

/** One SQLSTATE code: five characters, the first two being the class. */
export type SqlStateCode = typeof SqlState[keyof typeof SqlState];

/** Optional details carried by a {@link DbError}. */
export interface DbErrorOptions {
  /** 1-based character offset into the SQL text, as PostgreSQL reports it. */
  position?: number;
  /** Secondary message with more detail. */
  detail?: string;
  /** Advice on how to fix the problem. */
  hint?: string;
  /** Where it happened, as PostgreSQL's CONTEXT field: `COPY t, line 3, column b: "x"`. */
  context?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * An error that a user can cause, with a PostgreSQL SQLSTATE code.
 *
 * @example
 * ```ts
 * import { DbError, SqlState } from "./errors.ts";
 * const e = new DbError(SqlState.undefinedTable, 'relation "t" does not exist');
 * console.assert(e.code === "42P01");
 * ```
 */
export class DbError extends Error {
  /** The SQLSTATE code, e.g. `42P01`. */
  readonly code: string;
  /** 1-based character position in the SQL text, when it applies. */
  readonly position: number | undefined;
  /** More detail, when there is any. */
  readonly detail: string | undefined;
  /** A hint on how to fix it, when there is one. */
  readonly hint: string | undefined;
  /** Where it happened (PostgreSQL's CONTEXT), when it applies; the message ends with it too. */
  readonly context: string | undefined;

  constructor(code: string, message: string, options: DbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DbError";
    this.code = code;
    this.position = options.position;
    this.detail = options.detail;
    this.hint = options.hint;
    this.context = options.context;
  }

  /** The SQLSTATE class: the first two characters of the code. */
  get sqlStateClass(): string {
    return this.code.slice(0, 2);
  }

  /** A plain object for JSON responses: `{ code, message, position? ... }`. */
  toJSON(): Record<string, string | number> {
    const out: Record<string, string | number> = { code: this.code, message: this.message };
    if (this.position !== undefined) out.position = this.position;
    if (this.detail !== undefined) out.detail = this.detail;
    if (this.hint !== undefined) out.hint = this.hint;
    if (this.context !== undefined) out.context = this.context;
    return out;
  }
}

/**
 * A syntax error in SQL text (SQLSTATE 42601), with the line and column where it was found and
 * a caret excerpt of the offending line.
 *
 * @example
 * ```ts
 * import { SqlSyntaxError } from "./errors.ts";
 * const e = SqlSyntaxError.at("SELECT (1", 9, "unexpected end of input");
 * console.assert(e.line === 1 && e.column === 10 && e.code === "42601");
 * ```
 */
export class SqlSyntaxError extends DbError {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column of the error. */
  readonly column: number;
  /** The offending line followed by a caret line pointing at the column. */
  readonly excerpt: string;

  constructor(
    message: string,
    where: { line: number; column: number; position: number; excerpt: string },
  ) {
    super(SqlState.syntaxError, message, { position: where.position });
    this.name = "SqlSyntaxError";
    this.line = where.line;
    this.column = where.column;
    this.excerpt = where.excerpt;
  }

  /**
   * Builds the error for a 0-based character offset into `sql`. The message reads
   * "Cannot parse query: <what> at <line>:<column>".
   */
  static at(sql: string, offset: number, what: string): SqlSyntaxError {
    const clamped = Math.max(0, Math.min(offset, sql.length));
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < clamped; i++) {
      if (sql.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    let lineEnd = sql.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = sql.length;
    const column = clamped - lineStart + 1;
    const text = sql.slice(lineStart, lineEnd);
    const excerpt = `${text}\n${" ".repeat(column - 1)}^`;
    return new SqlSyntaxError(`Cannot parse query: ${what} at ${line}:${column}`, {
      line,
      column,
      position: clamped + 1,
      excerpt,
    });
  }
}

/** A violated internal invariant: a bug in OmenDB, never the user's fault. */
export class AssertionError extends Error {
  constructor(message: string) {
    super(`assertion failed: ${message}`);
    this.name = "AssertionError";
  }
}

/**
 * Checks an internal invariant. For bugs only; user input gets a {@link DbError}.
 *
 * @example
 * ```ts
 * import { assert } from "./errors.ts";
 * assert(1 + 1 === 2, "arithmetic works");
 * ```
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a switch as exhaustive: a new union member that nobody handles does not compile. */
export function unreachable(value: never, what = "value"): never {
  throw new AssertionError(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** A 0A000 error for a feature OmenDB does not support yet. */
export function notSupported(what: string, position?: number): DbError {
  return new DbError(
    SqlState.featureNotSupported,
    `${what} is not supported yet`,
    position === undefined ? {} : { position },
  );
}

/**
 * Turns anything thrown into a DbError: DbErrors pass through, anything else is an internal
 * error (XX000) that keeps the original as its cause.
 */
export function toDbError(e: unknown): DbError {
  if (e instanceof DbError) return e;
  if (
    e instanceof RangeError && /Maximum call stack|Invalid array length|allocation/i.test(e.message)
  ) {
    return new DbError(SqlState.programLimitExceeded, `resource limit exceeded: ${e.message}`, {
      cause: e,
    });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new DbError(SqlState.internalError, `internal error: ${message}`, { cause: e });
}
