/**
 * The SQL abstract syntax tree. Parser plugins produce it; the binder consumes it. Nodes are
 * immutable discriminated unions on `kind`; `pos` is the 0-based character offset of the node in
 * the SQL text (PostgreSQL reports it 1-based as the error position).
 *
 * The tree already has room for what later issues add (joins, subqueries, windows): a node kind
 * that the binder does not handle yet is rejected there with 0A000.
 *
 * @module
 */

/** A possibly qualified name, e.g. `schema.table`; parts are already case-folded. */
export interface QualifiedName {
  readonly parts: readonly string[];
  readonly pos: number;
}

/** A type as written: `varchar(10)`, `double precision`, `numeric(10, 2)`. */
export interface TypeName {
  /** Canonical lower-case name: `int4`, `varchar`, `float8`, `timestamptz`, ... */
  readonly name: string;
  readonly args: readonly number[];
  readonly pos: number;
}

/** Binary operators, by their SQL spelling. */
export type BinaryOp =
  | "+"
  | "-"
  | "*"
  | "/"
  | "%"
  | "^"
  | "||"
  | "="
  | "<>"
  | "<"
  | "<="
  | ">"
  | ">="
  | "and"
  | "or";

/** Comparison operators usable with ANY / ALL. */
export type QuantifiedOp = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** Unary operators. */
export type UnaryOp = "-" | "+" | "not";

/** An expression. */
export type Expr =
  | { readonly kind: "literal"; readonly value: Literal; readonly pos: number }
  | { readonly kind: "column_ref"; readonly parts: readonly string[]; readonly pos: number }
  | { readonly kind: "param"; readonly index: number; readonly pos: number }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly operand: Expr; readonly pos: number }
  | {
    readonly kind: "binary";
    readonly op: BinaryOp;
    readonly left: Expr;
    readonly right: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "is_null";
    readonly negated: boolean;
    readonly operand: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "is_bool";
    readonly negated: boolean;
    readonly value: boolean | null;
    readonly operand: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "is_distinct";
    readonly negated: boolean;
    readonly left: Expr;
    readonly right: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "between";
    readonly negated: boolean;
    readonly symmetric: boolean;
    readonly operand: Expr;
    readonly low: Expr;
    readonly high: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "in_list";
    readonly negated: boolean;
    readonly operand: Expr;
    readonly list: readonly Expr[];
    readonly pos: number;
  }
  | {
    readonly kind: "like";
    readonly negated: boolean;
    readonly caseInsensitive: boolean;
    readonly operand: Expr;
    readonly pattern: Expr;
    readonly escape: Expr | null;
    readonly pos: number;
  }
  | {
    readonly kind: "case";
    readonly operand: Expr | null;
    readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
    readonly else: Expr | null;
    readonly pos: number;
  }
  | {
    readonly kind: "cast";
    readonly operand: Expr;
    readonly type: TypeName;
    readonly pos: number;
    /** `TRY_CAST(x AS type)` (DataFusion, DuckDB): NULL where the value does not convert. */
    readonly try?: boolean;
  }
  | {
    readonly kind: "function";
    readonly name: QualifiedName;
    readonly args: readonly Expr[];
    readonly star: boolean;
    readonly distinct: boolean;
    readonly filter: Expr | null;
    readonly orderBy: readonly OrderItem[];
    readonly over: WindowSpec | null;
    readonly pos: number;
  }
  | { readonly kind: "subquery"; readonly query: Query; readonly pos: number }
  | { readonly kind: "exists"; readonly query: Query; readonly pos: number }
  | {
    /** `operand op ANY|ALL (query)` */
    readonly kind: "quantified";
    readonly op: QuantifiedOp;
    readonly all: boolean;
    readonly operand: Expr;
    readonly query: Query;
    readonly pos: number;
  }
  | {
    /** `x op ANY|SOME|ALL (array expression)`. */
    readonly kind: "quantified_array";
    readonly op: QuantifiedOp;
    readonly all: boolean;
    readonly operand: Expr;
    readonly array: Expr;
    readonly pos: number;
  }
  | {
    /** `ARRAY[a, b, ...]`. */
    readonly kind: "array";
    readonly elements: readonly Expr[];
    readonly pos: number;
  }
  | {
    /** `a[i]`: an array element (1-based). */
    readonly kind: "subscript";
    readonly operand: Expr;
    readonly index: Expr;
    readonly pos: number;
  }
  | {
    readonly kind: "in_subquery";
    readonly negated: boolean;
    readonly operand: Expr;
    readonly query: Query;
    readonly pos: number;
  }
  | {
    /** The `DEFAULT` keyword as a value: a cell of INSERT's VALUES list (the column's default). */
    readonly kind: "default";
    readonly pos: number;
  };

/** A literal as written. Numbers keep their text so that exact types can be chosen later. */
export type Literal =
  | { readonly kind: "null" }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "typed_string"; readonly type: TypeName; readonly value: string };

/** A window specification: `OVER (PARTITION BY ... ORDER BY ... frame)`. */
export interface WindowSpec {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  /** The frame clause as written; executed in the window-functions issue. */
  readonly frame: string | null;
  readonly pos: number;
}

/** One `ORDER BY` item. */
export interface OrderItem {
  readonly expr: Expr;
  readonly descending: boolean;
  /** `null` = the default (NULLS LAST ascending, NULLS FIRST descending). */
  readonly nullsFirst: boolean | null;
}

/** One select-list item. */
export type SelectItem =
  | {
    readonly kind: "expr";
    readonly expr: Expr;
    readonly alias: string | null;
    readonly pos: number;
  }
  | { readonly kind: "star"; readonly qualifier: string | null; readonly pos: number };

/** A `FROM` item. */
export type TableRef =
  | {
    readonly kind: "table";
    readonly name: QualifiedName;
    readonly alias: string | null;
    /** `t AS x(a, b)`: new names for the first columns. */
    readonly columnAliases?: readonly string[];
    readonly pos: number;
  }
  | {
    readonly kind: "derived";
    readonly query: Query;
    readonly alias: string | null;
    readonly columnAliases: readonly string[];
    readonly pos: number;
  }
  | {
    /** A set-returning function in FROM, e.g. `generate_series(1, 10) AS s(n)`. */
    readonly kind: "function";
    readonly name: QualifiedName;
    readonly args: readonly Expr[];
    readonly alias: string | null;
    readonly columnAliases: readonly string[];
    readonly pos: number;
  }
  | {
    readonly kind: "join";
    /**
     * `left_semi`/`left_anti` (DataFusion's `LEFT SEMI JOIN`, `LEFT ANTI JOIN`) keep the left
     * rows with / without a match and only the left columns; `right_*` the same for the right.
     */
    readonly joinType: JoinTypeAst;
    readonly natural: boolean;
    readonly left: TableRef;
    readonly right: TableRef;
    readonly on: Expr | null;
    readonly using: readonly string[];
    readonly pos: number;
  };

/** The join types the grammar accepts. */
export type JoinTypeAst =
  | "inner"
  | "left"
  | "right"
  | "full"
  | "cross"
  | "left_semi"
  | "left_anti"
  | "right_semi"
  | "right_anti";

/** The body of a query: a SELECT core, VALUES, or a set operation. */
export type QueryBody =
  | {
    readonly kind: "select";
    readonly distinct: "all" | "distinct" | { readonly on: readonly Expr[] };
    readonly items: readonly SelectItem[];
    readonly from: readonly TableRef[];
    readonly where: Expr | null;
    readonly groupBy: readonly Expr[];
    readonly having: Expr | null;
    readonly pos: number;
  }
  | { readonly kind: "values"; readonly rows: readonly (readonly Expr[])[]; readonly pos: number }
  | {
    readonly kind: "set_op";
    readonly op: "union" | "intersect" | "except";
    readonly all: boolean;
    readonly left: QueryBody;
    readonly right: QueryBody;
    readonly pos: number;
  }
  | { readonly kind: "nested"; readonly query: Query; readonly pos: number };

/** A common table expression in `WITH`. */
export interface Cte {
  readonly name: string;
  readonly columnAliases: readonly string[];
  readonly query: Query;
  readonly pos: number;
}

/** A full query: `[WITH ...] body [ORDER BY ...] [LIMIT ...] [OFFSET ...]`. */
export interface Query {
  readonly with: { readonly recursive: boolean; readonly ctes: readonly Cte[] } | null;
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly pos: number;
}

/** One `name = value` of `CREATE TABLE ... WITH (...)`; the value as written (unquoted). */
export interface TableOption {
  readonly name: string;
  readonly value: string;
  readonly pos: number;
}

/** A column definition in `CREATE TABLE`. */
export interface ColumnDef {
  readonly name: string;
  readonly type: TypeName;
  readonly notNull: boolean;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly default: Expr | null;
  /** The DEFAULT expression's source text, kept for the catalog (bound again at each INSERT). */
  readonly defaultSql: string | null;
  /** SERIAL / BIGSERIAL / GENERATED ... AS IDENTITY: the column takes nextval of its own sequence. */
  readonly serial?: boolean;
  /** Its column-level `CHECK (...)` constraints, in source order; absent = none. */
  readonly checks?: readonly CheckConstraintDef[];
  /** `CONSTRAINT name PRIMARY KEY`: the key's (and its index's) name; absent = `<table>_pkey`. */
  readonly primaryKeyName?: string;
  /** `CONSTRAINT name UNIQUE`: the constraint's (and its index's) name. */
  readonly uniqueName?: string;
  readonly pos: number;
}

/**
 * A `[CONSTRAINT name] CHECK (expr) [NO INHERIT]` constraint, written on a column or the table.
 * `pos` is where it starts (its CONSTRAINT or CHECK keyword).
 */
export interface CheckConstraintDef {
  /** The name after CONSTRAINT; `null` = generated as PostgreSQL does (`t_a_check`). */
  readonly name: string | null;
  readonly expr: Expr;
  /** The expression's source text (between the parentheses), kept for the catalog. */
  readonly sql: string;
  /** `NO INHERIT`: accepted and kept (there is no table inheritance here). */
  readonly noInherit: boolean;
  readonly pos: number;
}

/** CREATE SEQUENCE options as written (absent: the default). */
export interface SequenceOptionsAst {
  readonly type?: "int2" | "int4" | "int8";
  readonly increment?: bigint;
  readonly min?: bigint | null;
  readonly max?: bigint | null;
  readonly start?: bigint;
  readonly cycle?: boolean;
}

/** A table-level constraint: a key (PRIMARY KEY, UNIQUE) or a CHECK. */
export type TableConstraint = KeyConstraint | ({ readonly kind: "check" } & CheckConstraintDef);

/** A table-level PRIMARY KEY or UNIQUE constraint. */
export interface KeyConstraint {
  readonly kind: "primary_key" | "unique";
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly pos: number;
}

/**
 * One `column = value` of UPDATE's SET list or of `ON CONFLICT DO UPDATE SET` (a `(a, b) = (x, y)`
 * item becomes one per column).
 */
export interface SetAssignment {
  readonly column: string;
  /**
   * `SET col.field = ...`: the field names after the column, as written (PostgreSQL assigns to
   * fields of composite columns; here the binder rejects them). Absent = none.
   */
  readonly fields?: readonly string[];
  readonly value: Expr;
  readonly pos: number;
}

/**
 * `ON CONFLICT [target] DO NOTHING | DO UPDATE SET ... [WHERE ...]` of an INSERT. The target is
 * `(column, ...) [WHERE predicate]` (inference of a unique index), `ON CONSTRAINT name`, or
 * absent.
 */
export interface OnConflict {
  /**
   * The inference columns, or `null` without them (no target, or ON CONSTRAINT). A plain column's
   * `pos` is the list's "(" and a parenthesized one's its own, as PostgreSQL positions errors.
   */
  readonly columns: readonly { readonly name: string; readonly pos: number }[] | null;
  /** The inference clause's `WHERE` (a partial index's predicate), or `null`. */
  readonly indexWhere: Expr | null;
  /** `ON CONSTRAINT name`, or `null`. */
  readonly constraint: string | null;
  readonly action:
    | { readonly kind: "nothing" }
    | {
      readonly kind: "update";
      readonly assignments: readonly SetAssignment[];
      readonly where: Expr | null;
    };
  /** Where `ON CONFLICT` starts. */
  readonly pos: number;
}

/** One action of `ALTER TABLE`. */
export type AlterTableAction =
  | {
    readonly kind: "add_column";
    readonly column: ColumnDef;
    readonly ifNotExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "drop_column";
    readonly column: string;
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "rename_column";
    readonly column: string;
    readonly to: string;
    readonly pos: number;
  }
  | { readonly kind: "rename_table"; readonly to: string; readonly pos: number }
  | {
    /** `ALTER COLUMN c SET DEFAULT e` (`default` set) or `DROP DEFAULT` (both null). */
    readonly kind: "set_default";
    readonly column: string;
    readonly default: Expr | null;
    readonly defaultSql: string | null;
    readonly pos: number;
  }
  | {
    /** `SET (name = value, ...)`: time-series storage options (only `dedup_keys` may change). */
    readonly kind: "set_options";
    readonly options: readonly TableOption[];
    readonly pos: number;
  }
  | {
    /** `ALTER COLUMN c SET NOT NULL` / `DROP NOT NULL`. */
    readonly kind: "set_not_null";
    readonly column: string;
    readonly notNull: boolean;
    readonly pos: number;
  }
  | {
    /** `ADD [CONSTRAINT name] CHECK (...)` (or a key constraint, which the binder rejects). */
    readonly kind: "add_constraint";
    readonly constraint: TableConstraint;
    /** `NOT VALID`: existing rows are not checked (new and updated rows are). */
    readonly notValid?: boolean;
    readonly pos: number;
  }
  | {
    /** `DROP CONSTRAINT [IF EXISTS] name [CASCADE | RESTRICT]`. */
    readonly kind: "drop_constraint";
    readonly name: string;
    readonly ifExists: boolean;
    readonly pos: number;
  };

/** A COPY option's value as written: absent, a word or string, a number, `*`, or `(columns)`. */
export type CopyOptionValue =
  | { readonly kind: "none" }
  | { readonly kind: "word"; readonly text: string }
  | { readonly kind: "string"; readonly text: string }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "star" }
  | { readonly kind: "columns"; readonly names: readonly string[] };

/**
 * One COPY option, `name [value]`, in the generic form `(FORMAT csv, HEADER)`; the old forms
 * (`CSV HEADER`, `DELIMITER AS ','`, `FORCE QUOTE *`) are parsed into the same options.
 */
export interface CopyOption {
  /** Lower case: `format`, `delimiter`, `null`, `header`, `quote`, `escape`, `force_quote`, ... */
  readonly name: string;
  readonly value: CopyOptionValue;
  readonly pos: number;
}

/** Where COPY reads or writes: a server-side file, the client (STDIN/STDOUT), or a program. */
export type CopyTarget =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "client" }
  | { readonly kind: "program"; readonly command: string };

/** A statement. */
export type Statement =
  | { readonly kind: "query"; readonly query: Query; readonly pos: number }
  | {
    readonly kind: "create_table";
    readonly name: QualifiedName;
    readonly ifNotExists: boolean;
    readonly columns: readonly ColumnDef[];
    /** Table-level PRIMARY KEY, UNIQUE and CHECK constraints, in source order. */
    readonly constraints: readonly TableConstraint[];
    /** `WITH (name = value, ...)` storage options, in order. */
    readonly options: readonly TableOption[];
    readonly asQuery: Query | null;
    readonly pos: number;
  }
  | {
    readonly kind: "drop_table";
    readonly names: readonly QualifiedName[];
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "insert";
    readonly table: QualifiedName;
    /** `INSERT INTO t AS alias`: the name ON CONFLICT and RETURNING use for the table. */
    readonly alias?: string | null;
    readonly columns: readonly string[] | null;
    readonly source: Query;
    /** `ON CONFLICT ...`; absent or `null` = none. */
    readonly onConflict?: OnConflict | null;
    readonly returning: readonly SelectItem[] | null;
    readonly pos: number;
  }
  | {
    /** `PREPARE name [(types)] AS statement`: SQL-level prepared statements. */
    readonly kind: "prepare";
    readonly name: string;
    readonly types: readonly TypeName[];
    readonly statement: Statement;
    readonly pos: number;
  }
  | {
    /** `EXECUTE name [(values)]`. */
    readonly kind: "execute";
    readonly name: string;
    readonly args: readonly Expr[];
    readonly pos: number;
  }
  | {
    /** `DEALLOCATE [PREPARE] name | ALL` (`name` null for ALL). */
    readonly kind: "deallocate";
    readonly name: string | null;
    readonly pos: number;
  }
  | {
    /** `ALTER TABLE t DROP PARTITION [LIST] 'key' [, ...]`: drops whole time partitions. */
    readonly kind: "drop_partitions";
    readonly name: QualifiedName;
    readonly ifExists: boolean;
    readonly keys: readonly string[];
    readonly pos: number;
  }
  | {
    /** `VERIFY DATABASE`: checks WAL and segment checksums and the manifest; one row a problem. */
    readonly kind: "verify";
    readonly pos: number;
  }
  | {
    /** `CHECKPOINT`: memtables to segments, manifest, WAL truncated; returns once durable. */
    readonly kind: "checkpoint";
    readonly pos: number;
  }
  | {
    /** `TRUNCATE [TABLE] t [, ...] [RESTART IDENTITY]`. */
    readonly kind: "truncate";
    readonly names: readonly QualifiedName[];
    readonly restartIdentity: boolean;
    readonly pos: number;
  }
  | {
    /** `CREATE SCHEMA [IF NOT EXISTS] name`. */
    readonly kind: "create_schema";
    readonly name: string;
    readonly ifNotExists: boolean;
    readonly pos: number;
  }
  | {
    /** `DROP SCHEMA [IF EXISTS] name [, ...] [CASCADE | RESTRICT]`. */
    readonly kind: "drop_schema";
    readonly names: readonly string[];
    readonly ifExists: boolean;
    readonly cascade: boolean;
    readonly pos: number;
  }
  | {
    /** `ALTER SCHEMA name RENAME TO newName`. */
    readonly kind: "rename_schema";
    readonly name: string;
    readonly newName: string;
    readonly pos: number;
  }
  | {
    /**
     * `CREATE USER name [WITH] [LOGIN] [PASSWORD 'pw' | PASSWORD NULL]` (or `CREATE ROLE ...
     * LOGIN`), and `ALTER USER|ROLE name [WITH] PASSWORD ...`. `password` is `undefined` when
     * not given; a string that is a SCRAM verifier is stored as is, as PostgreSQL does.
     */
    readonly kind: "create_user" | "alter_user";
    readonly name: string;
    readonly password: string | null | undefined;
    readonly pos: number;
  }
  | {
    /** `DROP USER|ROLE [IF EXISTS] name, ...`. */
    readonly kind: "drop_user";
    readonly names: readonly string[];
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    /** `CREATE TOKEN FOR USER name`: returns a new API token once. */
    readonly kind: "create_token";
    readonly user: string;
    readonly pos: number;
  }
  | {
    /** `DROP TOKEN [IF EXISTS] 'id'`. */
    readonly kind: "drop_token";
    readonly id: string;
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "create_sequence";
    readonly name: QualifiedName;
    readonly ifNotExists: boolean;
    readonly options: SequenceOptionsAst;
    readonly pos: number;
  }
  | {
    readonly kind: "drop_sequence";
    readonly names: readonly QualifiedName[];
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "create_view";
    readonly name: QualifiedName;
    readonly orReplace: boolean;
    readonly columns: readonly string[];
    readonly query: Query;
    /** The query's source text, kept so the view can be bound again later. */
    readonly sql: string;
    readonly pos: number;
  }
  | {
    readonly kind: "drop_view";
    readonly names: readonly QualifiedName[];
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "create_index";
    readonly name: string | null;
    readonly table: QualifiedName;
    readonly unique: boolean;
    readonly ifNotExists: boolean;
    readonly columns: readonly OrderItem[];
    readonly pos: number;
  }
  | {
    readonly kind: "drop_index";
    readonly names: readonly QualifiedName[];
    readonly ifExists: boolean;
    readonly pos: number;
  }
  | {
    readonly kind: "alter_table";
    readonly name: QualifiedName;
    readonly ifExists: boolean;
    /** Comma-separated actions, applied in order as one change. */
    readonly actions: readonly AlterTableAction[];
    readonly pos: number;
  }
  | {
    readonly kind: "delete";
    readonly table: QualifiedName;
    readonly alias: string | null;
    /** `USING` items: more tables the WHERE condition may join with. */
    readonly using: readonly TableRef[];
    readonly where: Expr | null;
    readonly returning: readonly SelectItem[] | null;
    readonly pos: number;
  }
  | {
    readonly kind: "update";
    readonly table: QualifiedName;
    readonly alias: string | null;
    readonly assignments: readonly SetAssignment[];
    /** `FROM` items: more tables the assignments and WHERE condition may read. */
    readonly from: readonly TableRef[];
    readonly where: Expr | null;
    readonly returning: readonly SelectItem[] | null;
    readonly pos: number;
  }
  | {
    /** SET name = value, SET name TO DEFAULT (value null), RESET name, RESET ALL (name "all"). */
    readonly kind: "set";
    readonly name: string;
    readonly value: string | null;
    readonly pos: number;
  }
  | { readonly kind: "show"; readonly name: string; readonly pos: number }
  | {
    /** DISCARD ALL | PLANS | SEQUENCES | TEMP: forget session state. */
    readonly kind: "discard";
    readonly target: "all" | "plans" | "sequences" | "temp";
    readonly pos: number;
  }
  | {
    /** UNLISTEN channel | UNLISTEN * (`null`): OmenDB has no LISTEN, so nothing to stop. */
    readonly kind: "unlisten";
    readonly channel: string | null;
    readonly pos: number;
  }
  | {
    readonly kind: "explain";
    readonly analyze: boolean;
    readonly statement: Statement;
    readonly pos: number;
  }
  | {
    /** COPY table [(columns)] FROM|TO target, or COPY (query) TO target. */
    readonly kind: "copy";
    /** The table, or `null` for `COPY (query) TO`. */
    readonly table: QualifiedName | null;
    readonly columns: readonly string[] | null;
    readonly query: Query | null;
    readonly direction: "from" | "to";
    readonly target: CopyTarget;
    readonly options: readonly CopyOption[];
    /** COPY FROM ... WHERE condition. */
    readonly where: Expr | null;
    readonly pos: number;
  }
  | {
    /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, SET TRANSACTION... (see {@link TransactionAction}). */
    readonly kind: "transaction";
    readonly action: TransactionAction;
    readonly pos: number;
  }
  | {
    readonly kind: "unsupported";
    /** The leading keywords, e.g. `CREATE INDEX`, for the 0A000 message. */
    readonly what: string;
    readonly pos: number;
  };

/** PostgreSQL's isolation levels as written (READ UNCOMMITTED behaves as READ COMMITTED). */
export type IsolationLevel =
  | "read uncommitted"
  | "read committed"
  | "repeatable read"
  | "serializable";

/** Transaction modes of BEGIN / START TRANSACTION / SET TRANSACTION; `null` = not given. */
export interface TransactionModes {
  readonly isolation: IsolationLevel | null;
  readonly readOnly: boolean | null;
  readonly deferrable: boolean | null;
}

/** A transaction-control statement. */
export type TransactionAction =
  /** BEGIN [WORK | TRANSACTION] [modes], START TRANSACTION [modes]. */
  | {
    readonly kind: "begin";
    readonly modes: TransactionModes;
    /** Written START TRANSACTION (its command tag differs). */
    readonly start: boolean;
  }
  /** SET TRANSACTION modes; SET SESSION CHARACTERISTICS AS TRANSACTION modes (`session`). */
  | {
    readonly kind: "set_transaction";
    readonly modes: TransactionModes;
    readonly session: boolean;
  }
  /** COMMIT / END [WORK | TRANSACTION] [AND [NO] CHAIN]. */
  | { readonly kind: "commit"; readonly chain: boolean }
  /** ROLLBACK / ABORT [WORK | TRANSACTION] [AND [NO] CHAIN]. */
  | { readonly kind: "rollback"; readonly chain: boolean }
  | { readonly kind: "savepoint"; readonly name: string }
  /** RELEASE [SAVEPOINT] name. */
  | { readonly kind: "release"; readonly name: string }
  /** ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name. */
  | { readonly kind: "rollback_to"; readonly name: string };

/** The discriminant of {@link Statement}. */
export type StatementKind = Statement["kind"];
