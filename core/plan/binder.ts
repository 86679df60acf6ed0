/**
 * The binder: resolves names against the catalog, infers and coerces types, and turns the AST
 * into a logical plan. Anything the engine cannot run yet is rejected here with 0A000.
 *
 * @module
 */
import { type Sequence, type SequenceSchema, sequenceSchema } from "../catalog/sequence.ts";
import {
  arrayConstructorFunction,
  arrayQuantifiedFunction,
  arraySubscriptFunction,
} from "../exec/kernels/array_ops.ts";
import { inValuesFunction } from "../exec/kernels/in_values.ts";
import { tryCastFunction } from "../exec/kernels/try_cast.ts";
import { DbError, notSupported, SqlState, unreachable } from "../errors.ts";
import type * as ast from "../sql/ast.ts";
import {
  type Catalog,
  defaultSchemaName,
  type IndexSchema,
  type NewColumn,
  type ViewSchema,
} from "../catalog/catalog.ts";
import { SearchPath } from "../catalog/search_path.ts";
import { quoteIdentifier, splitIdentifierList } from "../sql/identifiers.ts";
import type { CheckConstraintSchema, ColumnSchema, TableSchema } from "../catalog/table.ts";
import {
  arrayOf,
  type DataType,
  isInteger,
  isNumeric,
  isString,
  sameType,
  typeInfo,
  Types,
  typeToSql,
} from "../types/data_type.ts";
import type { Value } from "../types/column.ts";
import type { PluginRegistry } from "../plugin/registry.ts";
import type { AggregateFunctionDef, ScalarFunctionDef } from "../plugin/functions.ts";
import type { SystemContext, SystemRelationDef } from "../plugin/system_relation.ts";
import type { BoundAggregate, BoundExpr, BoundOp } from "./expr.ts";
import type { Field, JoinType, LogicalPlan, SortKey } from "./logical_plan.ts";
import type { BoundStatement } from "./bound_statement.ts";
import { commonType, widerNumeric } from "./coerce.ts";
import { bindDmlSource, bindReturning } from "./bind_dml.ts";
import { andAll, coalesceOf, containsSubquery, exprKey, walkBound } from "./expr_utils.ts";
import {
  canCast,
  castDependsOnZone,
  castValue,
  dateForTimestampComparison,
} from "../exec/kernels/cast.ts";
import type { TimeZone } from "../types/time_zone.ts";
import { columnFromValues, makeColumn, valueAt } from "../types/column.ts";
import { paramType } from "../exec/eval.ts";
import { formatDec, numericPrecisionMax, parseDec } from "../types/numeric.ts";
import { foldExpr } from "../optimizer/fold_constants.ts";
import { bindAlterTable } from "./bind_alter_table.ts";
import {
  bindOnConflict,
  rejectExcludedInReturning,
  rejectTableNameUnderAlias,
} from "./bind_on_conflict.ts";
import {
  bindCheckExpr,
  type BoundCheck,
  checkColumnNames,
  type CheckTable,
  chooseConstraintName,
  exprStart,
  parseCheckSql,
  rewriteColumnRefs,
} from "./bind_check.ts";
import { bindTableOptions } from "./bind_table_options.ts";
import { resolveCopyOptions } from "../io/copy_options.ts";
import { walkExpr } from "../sql/walk.ts";
import { callExpr } from "../sql/build.ts";

/** What the binder needs from the world. */
export interface BinderContext {
  readonly catalog: Catalog;
  readonly registry: PluginRegistry;
  readonly params: readonly Value[];
  /**
   * Declared types of the parameters (EXECUTE of a PREPARE with types): a parameter with one
   * binds as a constant of that type, its value already in that type's representation.
   */
  readonly paramTypes?: readonly (DataType | null)[];
  /** Parses a view's stored SQL back into a query. */
  readonly parseQuery: (sql: string) => ast.Query;
  /** The storage engine's row estimate for a table (for join ordering). */
  readonly estimateRows?: (tableId: number) => number;
  /** The statement's start time in microseconds: what now() and CURRENT_TIMESTAMP return. */
  readonly statementTimeMicros?: number;
  /**
   * Whether NULLs sort first for an ORDER BY key that does not say (the session's
   * `default_null_order`); PostgreSQL's rule (first only when descending) when absent.
   */
  readonly defaultNullsFirst?: (descending: boolean) => boolean;
  /** The session time zone (`TimeZone`); UTC when absent. */
  readonly timeZone?: TimeZone;
  /** Called when a statement moves a sequence (nextval, setval), so the engine logs it. */
  readonly sequenceTouched?: (sequence: Sequence) => void;
  /**
   * The session's `search_path` entries (`$user` included as written): where unqualified names
   * are looked up and unqualified CREATEs go. `public` alone when absent.
   */
  readonly searchPath?: readonly string[];
  /**
   * The session and catalog as system relations and context-reading functions see them; without
   * it those are 0A000.
   */
  readonly system?: SystemContext;
  /**
   * Set to bind a generic plan (see {@link genericParams}): parameters bind as references
   * to their values, not as the values, so one bound and optimized plan serves every execution.
   */
  readonly generic?: GenericParams;
}

/** The parameter values of a generic bind, and whether binding had to read one. */
export interface GenericParams {
  /** This execution's values (their JavaScript types decide the references' types). */
  readonly values: readonly Value[];
  /** Set when binding read a value (a LIMIT $1, a declared type): the plan then holds it. */
  valuesUsed: boolean;
}

/**
 * The `params` and `generic` of a {@link BinderContext} that binds a generic plan: a string
 * parameter binds as an untyped reference that takes its type from where it is used and is read
 * by that type's input function when the plan runs; any other parameter as a reference of its
 * value's type. Reading a value while binding (it becomes part of the plan) sets `valuesUsed`.
 *
 * @example
 * ```ts
 * import { genericParams } from "./binder.ts";
 * const { params, generic } = genericParams(["host_1"]);
 * console.assert(params.length === 1 && !generic.valuesUsed);
 * console.assert(params[0] === "host_1" && generic.valuesUsed);
 * ```
 */
export function genericParams(
  values: readonly Value[],
): { params: readonly Value[]; generic: GenericParams } {
  const generic: GenericParams = { values, valuesUsed: false };
  const params = new Proxy(values, {
    get(target, key, receiver) {
      if (typeof key === "string" && key !== "length" && /^\d+$/.test(key)) {
        generic.valuesUsed = true;
      }
      return Reflect.get(target, key, receiver);
    },
  });
  return { params, generic };
}

/**
 * A relation name as a statement wrote it, resolved: `schema` is the written schema or, for a
 * bare name, the first schema of the search path that holds a relation so named (when none
 * does, a schema that holds nothing of that name); `written` is the name as written, for
 * PostgreSQL's `relation "s.t" does not exist`.
 */
export interface ResolvedName {
  readonly schema: string;
  readonly name: string;
  readonly written: string;
}

/** The object-identifier types (PostgreSQL's reg* types) a cast may name; see `regCast`. */
const REG_TYPES: Readonly<Record<string, true>> = {
  regclass: true,
  regtype: true,
  regnamespace: true,
  regproc: true,
  regprocedure: true,
  regrole: true,
};

/** The row estimate of a system relation, for join ordering. */
const systemRelationRowsEstimate = 100;

/** The current-time functions that take a precision: `current_timestamp(3)`. */
const PRECISION_TIME_FUNCTIONS = new Set(["current_timestamp", "localtimestamp", "localtime"]);

/** Fractional-second digits a timestamp keeps, at most (PostgreSQL's MAX_TIMESTAMP_PRECISION). */
export const timestampPrecisionMax = 6;

/** Microseconds rounded to `digits` fractional-second digits (half away from zero). */
function roundToPrecision(us: number, digits: number): number {
  const step = 10 ** (timestampPrecisionMax - digits);
  return Math.sign(us) * Math.round(Math.abs(us) / step) * step;
}

/** Aggregates whose result depends on input order (DISTINCT sorts their input, as in PG). */
const ORDER_SENSITIVE_AGGREGATES = new Set(["array_agg", "string_agg"]);

/** Functions that read the statement's start time. */
const CURRENT_TIME_FUNCTIONS = new Set([
  "now",
  "current_timestamp",
  "transaction_timestamp",
  "statement_timestamp",
  "localtimestamp",
  "localtime",
  "current_date",
  "current_time",
  "today", // DataFusion's and DuckDB's name for current_date
]);

/**
 * Stands in for GROUPING(...) in an aggregation's list; the aggregate operator computes its
 * value per grouping set (0 everywhere without grouping sets).
 */
const groupingPseudoAggregate: AggregateFunctionDef = {
  name: "grouping",
  resolve: () => null,
  createAccumulator: () => ({
    update() {},
    merge() {},
    evaluate: (groupCount: number) => columnFromValues(Types.int4, new Array(groupCount).fill(0)),
  }),
};

/** Aggregates written `f(...) WITHIN GROUP (ORDER BY x)`. */
const ORDERED_SET_AGGREGATES = new Set(["percentile_cont", "percentile_disc", "mode"]);

/** Grouping sets one GROUP BY may expand to, at most. */
export const groupingSetsMax = 4096;

/** Views nested inside views, at most (guards against a view cycle made by OR REPLACE). */
export const viewNestingDepthMax = 64;

/** A name scope: the fields visible to expressions. */
interface Scope {
  readonly fields: readonly Field[];
  /** Set while binding above a GROUP BY / aggregation: select list, HAVING, ORDER BY. */
  readonly agg?: AggContext;
  /** The enclosing query's scope, for correlated references. */
  readonly outer?: Scope | undefined;
  /**
   * In HAVING: the select list's aliases (each named once), for a bare name that is no column at
   * all (PostgreSQL's 42703), as DataFusion and DuckDB resolve `HAVING m > 1`.
   */
  readonly aliases?: ReadonlyMap<string, ast.Expr>;
}

/** What expressions above an aggregation may reference: group keys and aggregate results. */
interface AggContext {
  /** The aggregation's input (FROM / WHERE) scope. */
  readonly input: Scope;
  readonly groups: readonly BoundExpr[];
  readonly groupKeys: readonly string[];
  /** Collected while binding; output column = groups.length + index. */
  readonly aggregates: BoundAggregate[];
  readonly aggregateKeys: string[];
  /** The grouping sets (positions in `groups`), or `null` for a plain GROUP BY. */
  readonly sets: number[][] | null;
}

const emptyScope: Scope = { fields: [] };

/**
 * Binds one statement.
 *
 * @example
 * ```ts
 * import { bindStatement } from "./binder.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { PluginRegistry } from "../plugin/registry.ts";
 * import { defaultLimits } from "../limits.ts";
 * const ctx = {
 *   catalog: new Catalog(defaultLimits),
 *   registry: new PluginRegistry(),
 *   params: [],
 *   parseQuery: () => { throw new Error("no views in this example"); },
 * };
 * const b = bindStatement({ kind: "drop_table", names: [{ parts: ["t"], pos: 0 }], ifExists: true, pos: 0 }, ctx);
 * console.assert(b.kind === "drop_table");
 * ```
 */
export function bindStatement(stmt: ast.Statement, ctx: BinderContext): BoundStatement {
  return new Binder(ctx).statement(stmt);
}

/**
 * Binds a table's stored CHECK constraints over its row layout (column i of a row is field i),
 * sorted by name: the order PostgreSQL evaluates them in, so the first that fails is the one it
 * reports.
 *
 * @example
 * ```ts
 * import { bindTableChecks } from "./binder.ts";
 * import { Catalog } from "../catalog/catalog.ts";
 * import { PluginRegistry } from "../plugin/registry.ts";
 * import { defaultLimits } from "../limits.ts";
 * import { Types } from "../types/mod.ts";
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const parser = db.registry.parser()!;
 * const parseQuery = (sql: string) => {
 *   const [s] = parser.parse(sql, { limits: defaultLimits });
 *   if (s?.kind !== "query") throw new Error("not a query");
 *   return s.query;
 * };
 * const catalog = new Catalog(defaultLimits);
 * const t = catalog.createTable("public", "t", [{ name: "v", type: Types.int4, notNull: false }],
 *   null, [{ name: "t_v_check", sql: "v > 0" }]);
 * const [check] = bindTableChecks(t, { catalog, registry: new PluginRegistry(), params: [], parseQuery });
 * console.assert(check!.name === "t_v_check" && check!.expr.type.kind === "bool");
 * await db.close();
 * ```
 */
export function bindTableChecks(table: TableSchema, ctx: BinderContext): BoundCheck[] {
  const checks = table.checks ?? [];
  if (checks.length === 0) return [];
  const binder = new Binder(ctx);
  return [...checks]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => ({
      name: c.name,
      expr: bindCheckExpr(binder, parseCheckSql(ctx.parseQuery, c.sql), table),
    }));
}

/**
 * A qualified name's schema part (`null` for a bare name) and name; `omendb.s.t` names this
 * database's `s.t`, any other three-part name is 0A000.
 */
export function splitQualifiedName(
  name: ast.QualifiedName,
): { schema: string | null; name: string } {
  const p = name.parts;
  if (p.length === 1) return { schema: null, name: p[0]! };
  if (p.length === 2) return { schema: p[0]!, name: p[1]! };
  if (p.length === 3 && (p[0] === "omendb")) return { schema: p[1]!, name: p[2]! };
  throw new DbError(
    SqlState.featureNotSupported,
    `cross-database references are not implemented: ${p.join(".")}`,
    {
      position: name.pos + 1,
    },
  );
}

/**
 * 42939 for a name a new schema cannot take: PostgreSQL reserves the `pg_` prefix; OmenDB also
 * reserves `information_schema` (which PostgreSQL has, so there it is 42P06).
 */
function checkSchemaName(name: string): void {
  if (name.startsWith("pg_")) {
    throw new DbError(SqlState.reservedName, `unacceptable schema name "${name}"`, {
      detail: 'The prefix "pg_" is reserved for system schemas.',
    });
  }
  if (name === "information_schema") {
    throw new DbError(SqlState.reservedName, `unacceptable schema name "${name}"`, {
      detail: "The name is reserved for the SQL standard's information schema.",
    });
  }
}

/** 3F000 `schema "x" does not exist`. */
function noSuchSchema(schema: string, position?: { position: number }): DbError {
  return new DbError(SqlState.invalidSchemaName, `schema "${schema}" does not exist`, position);
}

/** Converts a written type to a data type. */
export function bindTypeName(t: ast.TypeName): DataType {
  if (t.name.endsWith("[]")) {
    const element = bindTypeName({ ...t, name: t.name.slice(0, -2) });
    if (element.kind === "array") throw notSupported("multidimensional arrays", t.pos + 1);
    return arrayOf(element);
  }
  switch (t.name) {
    case "int2":
      return Types.int2;
    case "int4":
      return Types.int4;
    case "int8":
      return Types.int8;
    case "float4":
      return Types.float4;
    case "float8":
      return Types.float8;
    case "bool":
      return Types.bool;
    case "text":
      return Types.text;
    case "varchar":
    case "bpchar":
      if (t.args.length > 1) {
        throw new DbError(SqlState.syntaxError, `too many type modifiers for ${t.name}`, {
          position: t.pos + 1,
        });
      }
      if (t.args[0] === 0) {
        throw new DbError(
          SqlState.invalidParameterValue,
          `length for type ${t.name} must be at least 1`,
          { position: t.pos + 1 },
        );
      }
      return { kind: "varchar", maxLength: t.args[0] ?? (t.name === "bpchar" ? 1 : null) };
    case "date":
      return Types.date;
    case "timestamp":
      return Types.timestamp;
    case "timestamptz":
      return Types.timestamptz;
    case "numeric": {
      if (t.args.length === 0) return Types.numeric;
      const precision = t.args[0]!;
      const scale = t.args[1] ?? 0;
      if (t.args.length > 2 || precision < 1 || precision > numericPrecisionMax) {
        throw new DbError(
          SqlState.invalidParameterValue,
          `NUMERIC precision ${precision} must be between 1 and ${numericPrecisionMax}`,
          { position: t.pos + 1 },
        );
      }
      if (scale < 0 || scale > precision) {
        throw new DbError(
          SqlState.invalidParameterValue,
          `NUMERIC scale ${scale} must be between 0 and precision ${precision}`,
          { position: t.pos + 1 },
        );
      }
      return { kind: "numeric", precision, scale };
    }
    case "interval":
      if (t.args.length > 0) throw notSupported("INTERVAL precision", t.pos + 1);
      return Types.interval;
    case "time":
      if (t.args.length > 0) throw notSupported("TIME precision", t.pos + 1);
      return Types.time;
    case "oid":
      // PostgreSQL's unsigned 32-bit object identifier; OIDs here fit int4
      return Types.int4;
    case "name":
      return Types.text;
    case "timetz":
    case "bytea":
    case "json":
    case "jsonb":
    case "uuid":
      throw notSupported(`type ${t.name}`, t.pos + 1);
    default:
      throw new DbError("42704", `type "${t.name}" does not exist`, { position: t.pos + 1 });
  }
}

function pos1(node: { pos: number }): { position: number } {
  return { position: node.pos + 1 };
}

class Binder {
  /** The `search_path` entries bare names are looked up in (a view's own while it is bound). */
  #searchPath: readonly string[];
  /** Constants whose type is still open (string literals and string parameters). */
  readonly #untyped = new WeakSet<BoundExpr>();
  #viewDepth = 0;
  /** Bound WITH RECURSIVE queries, by their CTE. */
  readonly #recursivePlans = new Map<ast.Cte, LogicalPlan>();
  /** Recursive CTEs whose step is being bound: their name reads the previous round. */
  readonly #workingTables = new Map<string, { id: number; fields: readonly Field[] }>();
  #nextRecursionId = 0;
  /** WITH lists in scope, innermost last. */
  readonly #ctes: Map<string, ast.Cte>[] = [];
  /** CTEs whose own query is being bound (a non-recursive CTE cannot see itself). */
  readonly #activeCtes = new Set<ast.Cte>();
  /** > 0 while binding a branch of a set operation. */
  #setOpSide = 0;
  /** Select-list positions holding untyped literals, per set-operation branch plan. */
  readonly #untypedFields = new WeakMap<LogicalPlan, Set<number>>();
  /** The scope a subquery being bound is nested in (its enclosing row). */
  #outer: Scope | undefined = undefined;
  /** One frame per subquery being bound; set when it reads an enclosing row. */
  readonly #frames: { correlated: boolean }[] = [];
  /** INSERT's VALUES cells written DEFAULT, bound to their column's default. */
  readonly #valuesDefaults = new Map<ast.Expr, BoundExpr>();

  constructor(readonly ctx: BinderContext) {
    this.#searchPath = ctx.searchPath ?? [defaultSchemaName];
  }

  /** The search path bare names are looked up through now. */
  searchPath(): SearchPath {
    return new SearchPath(this.ctx.catalog, this.#searchPath);
  }

  /** Runs `bind` with another search path (stored SQL: a view's query, a column's DEFAULT). */
  withSearchPath<T>(path: readonly string[], bind: () => T): T {
    const saved = this.#searchPath;
    this.#searchPath = path;
    try {
      return bind();
    } finally {
      this.#searchPath = saved;
    }
  }

  /**
   * Resolves a relation a statement names (see {@link ResolvedName}). With `strict`, a written
   * schema that does not exist is 3F000, as PostgreSQL's DDL and COPY report it; otherwise the
   * caller's 42P01 names the relation as written, as its SELECT, INSERT, UPDATE and DELETE do.
   */
  resolveRelation(name: ast.QualifiedName, strict: boolean): ResolvedName {
    const r = splitQualifiedName(name);
    if (r.schema === null) {
      return {
        schema: this.searchPath().relationSchema(r.name) ?? "",
        name: r.name,
        written: r.name,
      };
    }
    if (strict && !this.ctx.catalog.hasSchema(r.schema)) throw noSuchSchema(r.schema, pos1(name));
    return { schema: r.schema, name: r.name, written: `${r.schema}.${r.name}` };
  }

  /**
   * The system relation a FROM item names, or `null`: a qualified name in a system schema, or a
   * bare name found there before the search path finds a table or view of it. `pg_catalog` is
   * searched first unless the path names it, as in PostgreSQL.
   */
  systemRelation(name: ast.QualifiedName): SystemRelationDef | null {
    const registry = this.ctx.registry;
    const r = splitQualifiedName(name);
    if (r.schema !== null) return registry.systemRelation(r.schema, r.name);
    const path = this.#searchPath.includes("pg_catalog")
      ? this.#searchPath
      : ["pg_catalog", ...this.#searchPath];
    for (const schema of path) {
      const relation = registry.systemRelation(schema, r.name);
      if (relation !== null) return relation;
      if (this.ctx.catalog.hasSchema(schema) && this.ctx.catalog.hasRelation(schema, r.name)) {
        return null;
      }
    }
    return null;
  }

  /** A scan of a system relation; its rows are computed when the scan runs. */
  systemScan(relation: SystemRelationDef, alias: string | null, pos: number): LogicalPlan {
    const context = this.ctx.system;
    if (context === undefined) {
      throw notSupported(`reading ${relation.schema}.${relation.name} here`, pos + 1);
    }
    const table: TableSchema = {
      id: -1,
      schema: relation.schema,
      name: relation.name,
      columns: relation.columns.map((c, i) => ({
        id: i + 1,
        name: c.name,
        type: c.type,
        notNull: false,
        default: null,
      })),
      nextColumnId: relation.columns.length + 1,
    };
    const qualifier = alias ?? relation.name;
    const named = alias === null ? { qualifierSchema: relation.schema } : {};
    return {
      kind: "scan",
      table,
      projection: table.columns.map((_, i) => i),
      filters: [],
      estimatedRows: systemRelationRowsEstimate,
      system: { relation, context },
      fields: table.columns.map((c) => ({ name: c.name, type: c.type, qualifier, ...named })),
    };
  }

  /**
   * Where CREATE puts a new object: the written schema (3F000 when it does not exist), else the
   * search path's first existing schema (3F000 when there is none, as in PostgreSQL).
   */
  creationTarget(name: ast.QualifiedName): { schema: string; name: string } {
    const r = splitQualifiedName(name);
    if (r.schema !== null) {
      if (!this.ctx.catalog.hasSchema(r.schema)) throw noSuchSchema(r.schema, pos1(name));
      return { schema: r.schema, name: r.name };
    }
    const schema = this.searchPath().creationSchema();
    if (schema === null) {
      throw new DbError(
        SqlState.invalidSchemaName,
        "no schema has been selected to create in",
        pos1(name),
      );
    }
    return { schema, name: r.name };
  }

  /** Where NULLs go for an ORDER BY key that does not say (see `defaultNullsFirst`). */
  nullsFirstDefault(descending: boolean): boolean {
    return this.ctx.defaultNullsFirst?.(descending) ?? descending;
  }

  /** The names a DROP statement removes; a missing one is an error unless IF EXISTS. */
  dropTargets(
    stmt: { readonly names: readonly ast.QualifiedName[]; readonly ifExists: boolean },
    what: "table" | "view" | "index" | "sequence",
    exists: (r: ResolvedName) => unknown,
  ): { schema: string; name: string }[] {
    return stmt.names.map((n) => {
      // a missing schema is 3F000, or skipped with IF EXISTS (nothing is found in it)
      const r = this.resolveRelation(n, !stmt.ifExists);
      if (!stmt.ifExists && !exists(r)) {
        throw new DbError(
          what === "index" ? SqlState.undefinedObject : SqlState.undefinedTable,
          `${what} "${r.name}" does not exist`,
          pos1(n),
        );
      }
      return r;
    });
  }

  statement(stmt: ast.Statement): BoundStatement {
    switch (stmt.kind) {
      case "query":
        return { kind: "query", plan: this.query(stmt.query) };
      case "create_table":
        return this.createTable(stmt);
      case "alter_table":
        return bindAlterTable(stmt, {
          catalog: this.ctx.catalog,
          resolveTable: (n) => this.resolveRelation(n, true),
          bindTypeName,
          bindDefault: (e, column) => this.columnDefault(e, column),
          bindCheck: (def, table, taken) => this.newCheck(def, table, taken),
          parseQuery: (sql) => this.ctx.parseQuery(sql),
          constraintNames: (schema) => this.constraintNames(schema),
        });
      case "drop_table":
        return {
          kind: "drop_table",
          tables: this.dropTargets(
            stmt,
            "table",
            (r) => this.ctx.catalog.getTable(r.schema, r.name),
          ),
          ifExists: stmt.ifExists,
        };
      case "insert":
        return this.insert(stmt);
      case "create_view":
        return this.createView(stmt);
      case "drop_view":
        return {
          kind: "drop_view",
          views: this.dropTargets(stmt, "view", (r) => this.ctx.catalog.getView(r.schema, r.name)),
          ifExists: stmt.ifExists,
        };
      case "create_index":
        return this.createIndex(stmt);
      case "drop_index":
        return {
          kind: "drop_index",
          indexes: this.dropTargets(
            stmt,
            "index",
            (r) => this.ctx.catalog.getIndex(r.schema, r.name),
          ),
          ifExists: stmt.ifExists,
        };
      case "delete": {
        const target = this.targetTable(stmt.table, stmt.alias);
        const { source, scope } = bindDmlSource(this, target, {
          from: stmt.using,
          where: stmt.where,
        });
        const returning = stmt.returning === null
          ? null
          : bindReturning(this, stmt.returning, scope);
        return { kind: "delete", table: target.table, source, returning };
      }
      case "update":
        return this.update(stmt);
      case "set":
        return { kind: "set", name: stmt.name.toLowerCase(), value: stmt.value };
      case "show":
        return { kind: "show", name: stmt.name.toLowerCase() };
      case "explain": {
        const inner = this.statement(stmt.statement);
        if (inner.kind === "query") {
          return { kind: "explain", analyze: stmt.analyze, plan: inner.plan, dml: null };
        }
        if (inner.kind === "insert" || inner.kind === "update" || inner.kind === "delete") {
          return { kind: "explain", analyze: stmt.analyze, plan: inner.source, dml: inner };
        }
        throw notSupported(
          `EXPLAIN of ${stmt.statement.kind.replace("_", " ").toUpperCase()}`,
          stmt.pos + 1,
        );
      }
      case "copy":
        return this.copy(stmt);
      case "checkpoint":
        return { kind: "checkpoint" };
      case "verify":
        return { kind: "verify" };
      case "drop_partitions": {
        const r = this.resolveRelation(stmt.name, true);
        const table = this.ctx.catalog.getTable(r.schema, r.name);
        if (!table && !stmt.ifExists) {
          throw new DbError(
            SqlState.undefinedTable,
            `relation "${r.written}" does not exist`,
            pos1(stmt.name),
          );
        }
        if (table && (table.options?.partitionBy ?? "none") === "none") {
          throw new DbError(
            SqlState.wrongObjectType,
            `table "${r.name}" is not partitioned by time`,
            { ...pos1(stmt), hint: "create it WITH (timestamp = '...', partition_by = 'day')" },
          );
        }
        return { kind: "drop_partitions", table: table ?? null, keys: stmt.keys };
      }
      case "truncate": {
        const tables = stmt.names.map((n) => {
          const r = this.resolveRelation(n, true);
          if (this.ctx.catalog.getTable(r.schema, r.name)) {
            return { schema: r.schema, name: r.name };
          }
          if (this.ctx.catalog.getView(r.schema, r.name)) {
            throw new DbError("42809", `"${r.name}" is not a table`, pos1(n));
          }
          throw new DbError(
            SqlState.undefinedTable,
            `relation "${r.written}" does not exist`,
            pos1(n),
          );
        });
        return { kind: "truncate", tables, restartIdentity: stmt.restartIdentity };
      }
      case "create_schema":
        checkSchemaName(stmt.name);
        return { kind: "create_schema", name: stmt.name, ifNotExists: stmt.ifNotExists };
      case "drop_schema": {
        const names = [...new Set(stmt.names)].filter((n) => {
          if (this.ctx.catalog.hasSchema(n)) return true;
          if (stmt.ifExists) return false;
          throw noSuchSchema(n);
        });
        return { kind: "drop_schema", names, cascade: stmt.cascade };
      }
      case "rename_schema":
        if (!this.ctx.catalog.hasSchema(stmt.name)) throw noSuchSchema(stmt.name);
        checkSchemaName(stmt.newName);
        return { kind: "rename_schema", name: stmt.name, newName: stmt.newName };
      case "create_user":
      case "alter_user":
        return { kind: stmt.kind, name: stmt.name, password: stmt.password };
      case "drop_user":
        return { kind: "drop_user", names: [...new Set(stmt.names)], ifExists: stmt.ifExists };
      case "create_token":
        return { kind: "create_token", user: stmt.user };
      case "drop_token":
        return { kind: "drop_token", id: stmt.id, ifExists: stmt.ifExists };
      case "create_sequence": {
        const { schema, name } = this.creationTarget(stmt.name);
        return {
          kind: "create_sequence",
          sequence: sequenceSchema(schema, name, stmt.options),
          ifNotExists: stmt.ifNotExists,
        };
      }
      case "drop_sequence":
        return {
          kind: "drop_sequence",
          sequences: this.dropTargets(
            stmt,
            "sequence",
            (r) => this.ctx.catalog.getSequence(r.schema, r.name),
          ),
          ifExists: stmt.ifExists,
        };
      case "prepare":
      case "execute":
      case "deallocate":
      case "transaction":
      case "discard":
      case "unlisten":
        // the engine runs these before binding; here they are nested (EXPLAIN EXECUTE)
        throw notSupported(`${stmt.kind.toUpperCase()} inside another statement`, stmt.pos + 1);
      case "unsupported":
        throw notSupported(stmt.what, stmt.pos + 1);
      default:
        return unreachable(stmt, "statement");
    }
  }

  createTable(stmt: ast.Statement & { kind: "create_table" }): BoundStatement {
    const { schema, name } = this.creationTarget(stmt.name);
    const columns: NewColumn[] = [];
    const sequences: SequenceSchema[] = [];
    for (const c of stmt.columns) {
      const type = bindTypeName(c.type);
      if (c.serial === true) {
        // SERIAL: the sequence <table>_<column>_seq, created with the table and dropped with it
        const seq = `${name}_${c.name}_seq`;
        if (this.ctx.catalog.getSequence(schema, seq) || this.ctx.catalog.getTable(schema, seq)) {
          throw new DbError(SqlState.duplicateTable, `relation "${seq}" already exists`, pos1(c));
        }
        sequences.push(
          sequenceSchema(schema, seq, { type: type.kind as "int2" | "int4" | "int8" }, {
            table: name,
            column: c.name,
          }),
        );
        // bare: stored DEFAULTs look in their table's schema first (see storedColumnDefault)
        const regclass = quoteIdentifier(seq).replaceAll("'", "''");
        columns.push({ name: c.name, type, notNull: true, default: `nextval('${regclass}')` });
        continue;
      }
      if (c.default !== null) this.columnDefault(c.default, { name: c.name, type });
      columns.push({ name: c.name, type, notNull: c.notNull, default: c.defaultSql });
    }
    let source: LogicalPlan | null = null;
    if (stmt.asQuery !== null) {
      source = this.query(stmt.asQuery);
      if (columns.length > source.fields.length) {
        throw new DbError(
          SqlState.syntaxError,
          "CREATE TABLE AS specifies too many column names",
          pos1(stmt),
        );
      }
      source.fields.forEach((f, i) => {
        if (i >= columns.length) {
          columns.push({
            name: f.name,
            type: f.type.kind === "unknown" ? Types.text : f.type,
            notNull: false,
          });
        }
      });
    }
    if (columns.length === 0 && source === null) {
      throw notSupported("tables without columns", stmt.pos + 1);
    }
    const checks = this.createTableChecks(stmt, schema, { name, columns });
    // PRIMARY KEY and UNIQUE become unique indexes, named as PostgreSQL names them.
    const keys: {
      kind: "primary_key" | "unique";
      name: string | null;
      columns: readonly string[];
      pos: number;
    }[] = [
      ...stmt.columns.filter((c) => c.primaryKey).map((c) => ({
        kind: "primary_key" as const,
        name: c.primaryKeyName ?? null,
        columns: [c.name],
        pos: c.pos,
      })),
      ...stmt.columns.filter((c) => c.unique && !c.primaryKey).map((c) => ({
        kind: "unique" as const,
        name: c.uniqueName ?? null,
        columns: [c.name],
        pos: c.pos,
      })),
      ...stmt.constraints.filter((c) => c.kind !== "check"),
    ];
    if (keys.filter((k) => k.kind === "primary_key").length > 1) {
      throw new DbError(
        "42P16",
        `multiple primary keys for table "${name}" are not allowed`,
        pos1(stmt),
      );
    }
    const indexes: IndexSchema[] = [];
    for (const k of keys) {
      for (const c of k.columns) {
        if (!columns.some((col) => col.name === c)) {
          throw new DbError(SqlState.undefinedColumn, `column "${c}" named in key does not exist`, {
            position: k.pos + 1,
          });
        }
      }
      let indexName = k.name ??
        (k.kind === "primary_key" ? `${name}_pkey` : `${name}_${k.columns.join("_")}_key`);
      // a generated name also avoids the CHECK constraints' names, as in PostgreSQL
      for (
        let n = 1;
        indexes.some((i) => i.name === indexName) ||
        (k.name === null && checks.some((c) => c.name === indexName));
        n++
      ) {
        indexName = `${name}_${k.columns.join("_")}_key${n}`;
      }
      if (k.name !== null && checks.some((c) => c.name === k.name)) {
        throw new DbError(
          SqlState.duplicateObject,
          `constraint "${k.name}" for relation "${name}" already exists`,
        );
      }
      if (
        this.ctx.catalog.getIndex(schema, indexName) || this.ctx.catalog.getTable(schema, indexName)
      ) {
        throw new DbError(SqlState.duplicateTable, `relation "${indexName}" already exists`, {
          position: k.pos + 1,
        });
      }
      indexes.push({
        schema,
        name: indexName,
        table: name,
        columns: k.columns,
        unique: true,
        primary: k.kind === "primary_key",
        constraint: true,
      });
    }
    const pkColumns = new Set(
      keys.filter((k) => k.kind === "primary_key").flatMap((k) => k.columns),
    );
    const finalColumns = columns.map((c) => (pkColumns.has(c.name) ? { ...c, notNull: true } : c));
    return {
      kind: "create_table",
      options: bindTableOptions(stmt.options, finalColumns),
      schema,
      name,
      ifNotExists: stmt.ifNotExists,
      columns: finalColumns,
      indexes,
      source,
      sequences,
      checks,
    };
  }

  /**
   * The CHECK constraints of CREATE TABLE, in source order (column and table constraints
   * interleaved, as PostgreSQL names them): each checked over the new table's columns, named
   * (42710 when a name is given twice), kept as text with unqualified column names.
   */
  createTableChecks(
    stmt: ast.Statement & { kind: "create_table" },
    schema: string,
    table: CheckTable,
  ): CheckConstraintSchema[] {
    const defs: ast.CheckConstraintDef[] = [
      ...stmt.columns.flatMap((c) => c.checks ?? []),
      ...stmt.constraints.filter((c) => c.kind === "check"),
    ].sort((a, b) => a.pos - b.pos);
    if (defs.length === 0) return [];
    const inSchema = this.constraintNames(schema);
    const checks: CheckConstraintSchema[] = [];
    for (const d of defs) {
      if (d.name !== null && checks.some((c) => c.name === d.name)) {
        throw new DbError(SqlState.duplicateObject, `check constraint "${d.name}" already exists`);
      }
      const taken = (n: string) => inSchema.has(n) || checks.some((c) => c.name === n);
      checks.push(this.newCheck(d, table, taken).check);
    }
    return checks;
  }

  /**
   * A new CHECK constraint over `table`: its expression checked and bound (see
   * `bindCheckExpr`), its name given or chosen as PostgreSQL does (`t_a_check` when it reads
   * one column, `t_check` otherwise, avoiding names `taken`), its text without qualifiers; and
   * the bound expression (column i of a row is field i).
   */
  newCheck(
    d: ast.CheckConstraintDef,
    table: CheckTable,
    taken: (name: string) => boolean,
  ): { check: CheckConstraintSchema; expr: BoundExpr } {
    const expr = bindCheckExpr(this, d.expr, table);
    // a constant check is evaluated now, so a bad literal fails here as in PostgreSQL
    if (isConstantTree(expr)) {
      try {
        evaluateConstant(expr, this.ctx.params);
      } catch (e) {
        if (!(e instanceof DbError) || e.position !== undefined) throw e;
        throw new DbError(e.code, e.message, { position: exprStart(d.expr) + 1 });
      }
    }
    const columns = checkColumnNames(d.expr);
    const name = d.name ??
      chooseConstraintName(table.name, columns.length === 1 ? columns[0]! : null, "check", taken);
    const sql = rewriteColumnRefs(d.sql, parseCheckSql(this.ctx.parseQuery, d.sql), () => null);
    return { check: { name, sql }, expr };
  }

  /**
   * The constraint names in use in a schema: CHECK constraints and the indexes of PRIMARY KEY
   * and UNIQUE constraints. A generated name avoids all of them (PostgreSQL's
   * ChooseConstraintName looks through the whole namespace).
   */
  constraintNames(schema: string): Set<string> {
    const names = new Set<string>();
    for (const t of this.ctx.catalog.tables()) {
      if (t.schema !== schema) continue;
      for (const c of t.checks ?? []) names.add(c.name);
      for (const i of this.ctx.catalog.indexesOf(schema, t.name)) {
        if (i.primary === true || i.constraint === true) names.add(i.name);
      }
    }
    return names;
  }

  insert(stmt: ast.Statement & { kind: "insert" }): BoundStatement {
    const { schema, name, written } = this.resolveRelation(stmt.table, false);
    const table = this.ctx.catalog.getTable(schema, name);
    if (!table) {
      throw new DbError(
        SqlState.undefinedTable,
        `relation "${written}" does not exist`,
        pos1(stmt.table),
      );
    }
    const targets: number[] = [];
    if (stmt.columns === null) table.columns.forEach((_, i) => targets.push(i));
    else {
      for (const c of stmt.columns) {
        const i = table.columns.findIndex((tc) => tc.name === c);
        if (i < 0) {
          throw new DbError(
            SqlState.undefinedColumn,
            `column "${c}" of relation "${name}" does not exist`,
            pos1(stmt),
          );
        }
        if (targets.includes(i)) {
          throw new DbError(
            SqlState.duplicateColumn,
            `column "${c}" specified more than once`,
            pos1(stmt),
          );
        }
        targets.push(i);
      }
    }
    const isDefaultValues = stmt.source.body.kind === "values" &&
      stmt.source.body.rows.length === 1 &&
      stmt.source.body.rows[0]!.length === 0;
    let source: LogicalPlan;
    if (isDefaultValues) {
      source = { kind: "values", rows: [[]], fields: [] };
      targets.length = 0;
    } else {
      this.valuesDefaults(stmt.source, table, targets.map((i) => table.columns[i]!));
      const q = stmt.source;
      source = q.body.kind === "values" && q.with === null && q.orderBy.length === 0 &&
          q.limit === null && q.offset === null
        ? this.insertValues(q.body, targets.map((i) => table.columns[i]!))
        : this.query(q, targets.map((i) => table.columns[i]!.type));
    }
    if (source.fields.length > targets.length) {
      throw new DbError(
        SqlState.syntaxError,
        "INSERT has more expressions than target columns",
        pos1(stmt.source),
      );
    }
    if (source.fields.length < targets.length && stmt.columns !== null) {
      throw new DbError(
        SqlState.syntaxError,
        "INSERT has more target columns than expressions",
        pos1(stmt.source),
      );
    }
    // without a column list, fewer values fill the leading columns; the rest get their
    // defaults, as in PostgreSQL
    targets.length = source.fields.length;
    // Assignment casts: coerce each source column to its target column's type.
    const exprs: BoundExpr[] = source.fields.map((f, k) => {
      const target = table.columns[targets[k]!]!;
      const col: BoundExpr = { kind: "column", index: k, type: f.type };
      if (sameType(f.type, target.type)) return col;
      if (
        f.type.kind !== "unknown" && !isString(f.type) &&
        (!canCast(f.type, target.type) ||
          (f.type.kind === "bool") !== (target.type.kind === "bool"))
      ) {
        throw new DbError(
          SqlState.datatypeMismatch,
          `column "${target.name}" is of type ${typeToSql(target.type)} but expression is of type ${
            typeToSql(f.type)
          }`,
          { ...pos1(stmt.source), hint: "You will need to rewrite or cast the expression." },
        );
      }
      if (isString(f.type) && !isString(target.type) && !this.isUntypedPlanColumn(source, k)) {
        throw new DbError(
          SqlState.datatypeMismatch,
          `column "${target.name}" is of type ${typeToSql(target.type)} but expression is of type ${
            typeToSql(f.type)
          }`,
          { ...pos1(stmt.source), hint: "You will need to rewrite or cast the expression." },
        );
      }
      return this.castNode(col, target.type);
    });
    const fields: Field[] = exprs.map((e, k) => ({
      name: table.columns[targets[k]!]!.name,
      type: e.type,
      qualifier: null,
    }));
    const sourceIndexOfColumn = table.columns.map((_, i) => {
      const k = targets.indexOf(i);
      return k < exprs.length ? k : -1;
    });
    // Columns the INSERT does not fill take their DEFAULT (computed per row, so volatile
    // defaults differ between rows as in PostgreSQL).
    table.columns.forEach((c, i) => {
      if (sourceIndexOfColumn[i]! >= 0 || c.default === null) return;
      sourceIndexOfColumn[i] = exprs.length;
      exprs.push(this.storedColumnDefault(c, table));
      fields.push({ name: c.name, type: c.type, qualifier: null });
    });
    const projected: LogicalPlan = { kind: "project", input: source, exprs, fields };
    const alias = stmt.alias ?? null;
    const onConflict = stmt.onConflict == null
      ? null
      : bindOnConflict(this, stmt.onConflict, { table, alias });
    const qualifier = alias ?? table.name;
    if (onConflict?.action.kind === "update" && stmt.returning !== null) {
      rejectExcludedInReturning(stmt.returning, qualifier);
    }
    if (alias !== null && stmt.returning !== null) {
      const exprs = stmt.returning.flatMap((i) => (i.kind === "expr" ? [i.expr] : []));
      rejectTableNameUnderAlias(exprs, table, alias);
    }
    const returning = stmt.returning === null ? null : bindReturning(this, stmt.returning, {
      fields: table.columns.map((c) => ({ name: c.name, type: c.type, qualifier })),
    });
    return { kind: "insert", table, sourceIndexOfColumn, source: projected, onConflict, returning };
  }

  createView(stmt: ast.Statement & { kind: "create_view" }): BoundStatement {
    const { schema, name } = this.creationTarget(stmt.name);
    const plan = this.query(stmt.query); // checks the query now, as PostgreSQL does
    if (stmt.columns.length > plan.fields.length) {
      throw new DbError(
        SqlState.syntaxError,
        "CREATE VIEW specifies more column names than columns",
        pos1(stmt),
      );
    }
    const names = plan.fields.map((f, i) => stmt.columns[i] ?? f.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) {
      throw new DbError(
        SqlState.duplicateColumn,
        `column "${dup}" specified more than once`,
        pos1(stmt),
      );
    }
    if (
      !stmt.orReplace &&
      (this.ctx.catalog.getView(schema, name) || this.ctx.catalog.getTable(schema, name))
    ) {
      throw new DbError(
        SqlState.duplicateTable,
        `relation "${name}" already exists`,
        pos1(stmt.name),
      );
    }
    return {
      kind: "create_view",
      // its bare names are looked up where they were found now (PostgreSQL binds them once)
      view: {
        schema,
        name,
        sql: stmt.sql,
        columns: stmt.columns,
        searchPath: this.searchPath().schemas(),
      },
      orReplace: stmt.orReplace,
    };
  }

  createIndex(stmt: ast.Statement & { kind: "create_index" }): BoundStatement {
    const { schema, name: tableName, written } = this.resolveRelation(stmt.table, true);
    const table = this.ctx.catalog.getTable(schema, tableName);
    if (!table) {
      throw new DbError(
        SqlState.undefinedTable,
        `relation "${written}" does not exist`,
        pos1(stmt.table),
      );
    }
    const columns = stmt.columns.map((c) => {
      if (c.expr.kind !== "column_ref" || c.expr.parts.length !== 1) {
        throw notSupported("indexes on expressions", c.expr.pos + 1);
      }
      const col = c.expr.parts[0]!;
      if (!table.columns.some((tc) => tc.name === col)) {
        throw new DbError(SqlState.undefinedColumn, `column "${col}" does not exist`, pos1(c.expr));
      }
      return col;
    });
    let name = stmt.name;
    if (name === null) {
      const base = `${tableName}_${columns.join("_")}_idx`;
      name = base;
      for (
        let k = 1;
        this.ctx.catalog.getIndex(schema, name) || this.ctx.catalog.getTable(schema, name);
        k++
      ) name = `${base}${k}`;
    }
    return {
      kind: "create_index",
      index: { schema, name, table: tableName, columns, unique: stmt.unique },
      ifNotExists: stmt.ifNotExists,
    };
  }

  /** The table a DELETE or UPDATE changes, and the scope its expressions see. */
  targetTable(name: ast.QualifiedName, alias: string | null): { table: TableSchema; scope: Scope } {
    const { schema, name: tableName, written } = this.resolveRelation(name, false);
    const table = this.ctx.catalog.getTable(schema, tableName);
    if (!table) {
      const what = this.ctx.catalog.getView(schema, tableName)
        ? `cannot change view "${tableName}"`
        : `relation "${written}" does not exist`;
      throw new DbError(
        this.ctx.catalog.getView(schema, tableName) ? "55000" : SqlState.undefinedTable,
        what,
        pos1(name),
      );
    }
    const qualifier = alias ?? table.name;
    return {
      table,
      scope: { fields: table.columns.map((c) => ({ name: c.name, type: c.type, qualifier })) },
    };
  }

  /** The column name a select-list expression gets without an alias. */
  outputName(e: ast.Expr): string {
    return outputName(e);
  }

  dmlPredicate(where: ast.Expr, scope: Scope): BoundExpr {
    const aggregate = this.firstAggregate(where);
    if (aggregate !== null) {
      throw new DbError(
        SqlState.groupingError,
        "aggregate functions are not allowed in WHERE",
        pos1(aggregate),
      );
    }
    return this.predicate(where, scope, "WHERE");
  }

  /** COPY: the table and columns (or the query), the file, and the checked options. */
  copy(stmt: ast.Statement & { kind: "copy" }): BoundStatement {
    const from = stmt.direction === "from";
    const target = stmt.target;
    if (target.kind === "program") {
      throw notSupported(`COPY ${from ? "FROM" : "TO"} PROGRAM`, stmt.pos + 1);
    }
    const path = target.kind === "client" ? null : target.path;
    if (!from && path !== null && !/^(\/|[A-Za-z]:[\\/])/.test(path)) {
      throw new DbError(
        SqlState.invalidName,
        "relative path not allowed for COPY to file",
        pos1(stmt),
      );
    }
    if (stmt.where !== null && !from) {
      throw new DbError(
        SqlState.featureNotSupported,
        "WHERE clause not allowed with COPY TO",
        pos1(stmt.where),
      );
    }
    if (stmt.table === null) {
      const plan = this.query(stmt.query!);
      const columns = plan.fields.map((f) => f.name);
      const format = resolveCopyOptions(stmt.options, {
        direction: "to",
        tableName: null,
        columns,
        tableColumns: columns,
      });
      return { kind: "copy_to", plan, path, format };
    }
    const { schema, name, written } = this.resolveRelation(stmt.table, true);
    const table = this.ctx.catalog.getTable(schema, name);
    if (!table) {
      if (this.ctx.catalog.getView(schema, name)) {
        throw new DbError(
          SqlState.wrongObjectType,
          `cannot copy ${from ? "to" : "from"} view "${name}"`,
          {
            ...pos1(stmt.table),
            hint: from
              ? "Views cannot be the target of COPY FROM."
              : "Try the COPY (SELECT ...) TO variant.",
          },
        );
      }
      throw new DbError(
        SqlState.undefinedTable,
        `relation "${written}" does not exist`,
        pos1(stmt.table),
      );
    }
    const targets: number[] = [];
    for (const c of stmt.columns ?? table.columns.map((tc) => tc.name)) {
      const i = table.columns.findIndex((tc) => tc.name === c);
      if (i < 0) {
        throw new DbError(
          SqlState.undefinedColumn,
          `column "${c}" of relation "${name}" does not exist`,
          pos1(stmt),
        );
      }
      if (targets.includes(i)) {
        throw new DbError(
          SqlState.duplicateColumn,
          `column "${c}" specified more than once`,
          pos1(stmt),
        );
      }
      targets.push(i);
    }
    const format = resolveCopyOptions(stmt.options, {
      direction: stmt.direction,
      tableName: name,
      columns: targets.map((i) => table.columns[i]!.name),
      tableColumns: table.columns.map((c) => c.name),
    });
    if (from) {
      let predicate: BoundExpr | null = null;
      if (stmt.where !== null) {
        predicate = this.dmlPredicate(stmt.where, this.targetTable(stmt.table, null).scope);
        if (containsSubquery(predicate)) {
          throw new DbError(
            SqlState.featureNotSupported,
            "cannot use subquery in COPY FROM WHERE condition",
            pos1(stmt.where),
          );
        }
      }
      // columns COPY does not fill take their DEFAULT, as in PostgreSQL
      const defaults = table.columns.map((c, i) =>
        targets.includes(i) || c.default === null ? null : this.storedColumnDefault(c, table)
      );
      return {
        kind: "copy_from",
        table,
        targets,
        path,
        format,
        predicate,
        defaults,
      };
    }
    const plan: LogicalPlan = {
      kind: "scan",
      table,
      projection: targets,
      filters: [],
      fields: targets.map((i) => ({
        name: table.columns[i]!.name,
        type: table.columns[i]!.type,
        qualifier: table.name,
      })),
    };
    return { kind: "copy_to", plan, path, format };
  }

  update(stmt: ast.Statement & { kind: "update" }): BoundStatement {
    const target = this.targetTable(stmt.table, stmt.alias);
    const table = target.table;
    const { source, scope } = bindDmlSource(this, target, stmt);
    // PostgreSQL binds RETURNING before SET (so its errors come first).
    const returning = stmt.returning === null ? null : bindReturning(this, stmt.returning, scope);
    const assignments = this.setAssignments(stmt.assignments, table, scope);
    return { kind: "update", table, source, assignments, returning };
  }

  /**
   * Binds a SET list (UPDATE, ON CONFLICT DO UPDATE) over `scope`: the new values by table column
   * position, with assignment casts to the columns' types. PostgreSQL's errors: 42703 for an
   * unknown column, 42804 for a field of a column (no composite types here), 42601 for a column
   * assigned twice, 42803 for an aggregate, 42P20 for a window function.
   */
  setAssignments(
    list: readonly ast.SetAssignment[],
    table: TableSchema,
    scope: Scope,
  ): Map<number, BoundExpr> {
    const assignments = new Map<number, BoundExpr>();
    for (const a of list) {
      const i = table.columns.findIndex((c) => c.name === a.column);
      if (i < 0) {
        throw new DbError(
          SqlState.undefinedColumn,
          `column "${a.column}" of relation "${table.name}" does not exist`,
          pos1(a),
        );
      }
      const target = table.columns[i]!;
      if (a.fields !== undefined && a.fields.length > 0) {
        throw new DbError(
          SqlState.datatypeMismatch,
          `cannot assign to field "${a.fields[0]}" of column "${a.column}" because its type ${
            typeToSql(target.type)
          } is not a composite type`,
          pos1(a),
        );
      }
      if (assignments.has(i)) {
        // PostgreSQL's rewriter finds this: the error has no position
        throw new DbError(
          SqlState.syntaxError,
          `multiple assignments to same column "${a.column}"`,
        );
      }
      const aggregate = this.firstAggregate(a.value);
      if (aggregate !== null) {
        throw new DbError(
          SqlState.groupingError,
          "aggregate functions are not allowed in UPDATE",
          pos1(aggregate),
        );
      }
      walkExpr(a.value, (x) => {
        if (x.kind === "function" && x.over !== null) {
          throw new DbError("42P20", "window functions are not allowed in UPDATE", pos1(x));
        }
      });
      if (a.value.kind === "default") {
        this.#valuesDefaults.set(a.value, this.storedColumnDefault(target, table));
      }
      const value = this.expr(a.value, scope);
      assignments.set(i, this.assignCast(value, target, a.value));
    }
    return assignments;
  }

  /**
   * Binds a column's DEFAULT expression and coerces it to the column's type (42804 when it
   * cannot be). It may not read columns (0A000), contain subqueries (0A000), aggregates (42803),
   * window functions (42P20) or parameters (42P02), as in PostgreSQL.
   */
  columnDefault(e: ast.Expr, column: { name: string; type: DataType }): BoundExpr {
    walkExpr(e, (x) => {
      if (x.kind === "column_ref") {
        throw new DbError(
          SqlState.featureNotSupported,
          "cannot use column reference in DEFAULT expression",
          pos1(x),
        );
      }
      if (
        x.kind === "subquery" || x.kind === "exists" || x.kind === "in_subquery" ||
        x.kind === "quantified"
      ) {
        throw new DbError(
          SqlState.featureNotSupported,
          "cannot use subquery in DEFAULT expression",
          pos1(x),
        );
      }
      if (x.kind === "function" && x.over !== null) {
        throw new DbError(
          "42P20",
          "window functions are not allowed in DEFAULT expressions",
          pos1(x),
        );
      }
      if (x.kind === "param") {
        throw new DbError(
          SqlState.undefinedParameter,
          `there is no parameter $${x.index}`,
          pos1(x),
        );
      }
    });
    if (this.containsAggregate(e)) {
      throw new DbError(
        SqlState.groupingError,
        "aggregate functions are not allowed in DEFAULT expressions",
        pos1(e),
      );
    }
    const value = this.expr(e, emptyScope);
    if (sameType(value.type, column.type)) return value;
    if (value.type.kind === "unknown" || this.#untyped.has(value)) {
      const c = this.coerce(value, column.type, "DEFAULT");
      return sameType(c.type, column.type) ? c : this.castNode(c, column.type);
    }
    const ok = canCast(value.type, column.type) &&
      (value.type.kind === "bool") === (column.type.kind === "bool") &&
      (!isString(value.type) || isString(column.type));
    if (!ok) {
      throw new DbError(
        SqlState.datatypeMismatch,
        `column "${column.name}" is of type ${
          typeToSql(column.type)
        } but default expression is of type ${typeToSql(value.type)}`,
        { ...pos1(e), hint: "You will need to rewrite or cast the expression." },
      );
    }
    return this.castNode(value, column.type);
  }

  /**
   * A column's stored DEFAULT bound for this statement; a typed NULL when it has none. Its bare
   * sequence names are looked up in `table`'s schema first, then through the search path (a
   * SERIAL column's `nextval('t_a_seq')` finds its own sequence whatever the path is).
   */
  storedColumnDefault(column: ColumnSchema, table: TableSchema): BoundExpr {
    if (column.default === null) return { kind: "const", value: null, type: column.type };
    const q = this.ctx.parseQuery(`SELECT ${column.default}`);
    const item = q.body.kind === "select" ? q.body.items[0] : undefined;
    if (item === undefined || item.kind !== "expr") {
      throw new DbError(SqlState.dataCorrupted, `bad stored DEFAULT of "${column.name}"`);
    }
    return this.withSearchPath(
      [table.schema, ...this.#searchPath],
      () => this.columnDefault(item.expr, column),
    );
  }

  /** Binds the DEFAULT cells of an INSERT's VALUES list (`targets`: the column of each cell). */
  valuesDefaults(source: ast.Query, table: TableSchema, targets: readonly ColumnSchema[]): void {
    if (source.body.kind !== "values") return;
    for (const row of source.body.rows) {
      row.forEach((cell, k) => {
        const column = targets[k];
        if (cell.kind === "default" && column !== undefined) {
          this.#valuesDefaults.set(cell, this.storedColumnDefault(column, table));
        }
      });
    }
  }

  /**
   * nextval('seq'), currval('seq'), setval('seq', v [, is_called]): the sequence is found when
   * the statement is bound (its name must be a constant), as PostgreSQL resolves regclass
   * literals; the call moves the live sequence and reports it to `sequenceTouched`.
   */
  sequenceCall(
    e: ast.Expr & { kind: "function" },
    name: "nextval" | "currval" | "setval",
    scope: Scope,
  ): BoundExpr {
    const arity = name === "setval" ? [2, 3] : [1];
    const first = e.args[0];
    if (!arity.includes(e.args.length) || first === undefined) {
      throw new DbError(
        SqlState.undefinedFunction,
        `function ${name} with ${e.args.length} arguments does not exist`,
        pos1(e),
      );
    }
    if (first.kind !== "literal" || first.value.kind !== "string") {
      throw notSupported(`${name}() of a sequence name that is not a constant`, e.pos + 1);
    }
    const text = first.value.value;
    const seq = this.regclassSequence(text, first);
    if (seq === null) {
      throw new DbError(SqlState.undefinedTable, `relation "${text}" does not exist`, pos1(first));
    }
    const touched = this.ctx.sequenceTouched ?? (() => {});
    const rest = e.args.slice(1).map((a, i) =>
      this.coerce(this.expr(a, scope), i === 0 ? Types.int8 : Types.bool, name)
    );
    if (
      name === "setval" &&
      (rest[0]!.type.kind !== "int8" || (rest[1] && rest[1].type.kind !== "bool"))
    ) {
      throw new DbError(
        SqlState.undefinedFunction,
        `function setval does not exist for these argument types`,
        pos1(e),
      );
    }
    const fn: ScalarFunctionDef = {
      name,
      volatility: "volatile",
      resolve: () => null,
      evaluate(args, n) {
        const out = new BigInt64Array(n);
        const validity = new Uint8Array((n + 7) >>> 3);
        for (let i = 0; i < n; i++) {
          let v: bigint;
          if (name === "nextval") v = seq.next();
          else if (name === "currval") v = seq.current();
          else {
            const value = valueAt(args[0]!, i);
            if (value === null) continue;
            const called = args[1] === undefined ? true : valueAt(args[1], i);
            if (called === null) continue;
            v = seq.set(BigInt(value as bigint), called === true);
          }
          out[i] = v;
          validity[i >>> 3]! |= 1 << (i & 7);
        }
        if (name !== "currval") touched(seq);
        return makeColumn(Types.int8, n, out, validity);
      },
    };
    return { kind: "call", fn, args: rest, type: Types.int8 };
  }

  /** `ARRAY[...]`, `a[i]` and `x op ANY|ALL (array)`, bound as calls of the array kernels. */
  arrayExpr(
    e: ast.Expr & { kind: "array" | "subscript" | "quantified_array" },
    scope: Scope,
  ): BoundExpr {
    switch (e.kind) {
      case "array": {
        if (e.elements.length === 0) {
          throw new DbError("42P18", "cannot determine type of empty array", {
            ...pos1(e),
            hint: "Explicitly cast to the desired type, for example ARRAY[]::integer[].",
          });
        }
        const items = e.elements.map((x) => this.expr(x, scope));
        const typed = items.filter((b) => !this.#untyped.has(b) && b.type.kind !== "unknown");
        const element = commonType(typed.map((b) => b.type), "ARRAY");
        if (element.kind === "array") throw notSupported("multidimensional arrays", e.pos + 1);
        const args = items.map((b) => this.coerce(b, element, "ARRAY"));
        return {
          kind: "call",
          fn: arrayConstructorFunction(element),
          args,
          type: arrayOf(element),
        };
      }
      case "subscript": {
        const arr = this.expr(e.operand, scope);
        if (arr.type.kind !== "array") {
          throw new DbError(
            SqlState.datatypeMismatch,
            `cannot subscript type ${typeToSql(arr.type)} because it does not support subscripting`,
            pos1(e),
          );
        }
        const index = this.coerce(this.expr(e.index, scope), Types.int4, "array subscript");
        if (!isInteger(index.type)) {
          throw new DbError(
            SqlState.datatypeMismatch,
            "array subscript must have type integer",
            pos1(e.index),
          );
        }
        const element = arr.type.element;
        return {
          kind: "call",
          fn: arraySubscriptFunction(element),
          args: [arr, index],
          type: element,
        };
      }
      case "quantified_array": {
        const x = this.expr(e.operand, scope);
        let arr = this.expr(e.array, scope);
        if (arr.type.kind !== "array" && (this.#untyped.has(arr) || arr.type.kind === "unknown")) {
          // x = ANY('{1,2}'): the literal takes x's array type
          const xt = x.type.kind === "unknown" || this.#untyped.has(x) ? Types.text : x.type;
          arr = this.cast(arr, arrayOf(xt));
          if (arr.kind === "cast" && arr.operand.kind === "const") {
            evaluateConstant(arr, this.ctx.params);
          }
        }
        if (arr.type.kind !== "array") {
          throw new DbError(
            SqlState.wrongObjectType,
            `op ANY/ALL (array) requires array on right side`,
            pos1(e),
          );
        }
        const element = commonType(
          [x, { ...arr, type: arr.type.element }].filter((b) =>
            !this.#untyped.has(b) && b.type.kind !== "unknown"
          ).map((b) => b.type),
          "ANY/ALL",
        );
        const xc = this.coerce(x, element, "ANY/ALL");
        const ac = sameType(arr.type.element, element) ? arr : this.cast(arr, arrayOf(element));
        const op =
          ({ "=": "eq", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" } as const)[e.op];
        return {
          kind: "call",
          fn: arrayQuantifiedFunction(op, e.all, element),
          args: [xc, ac],
          type: Types.bool,
        };
      }
    }
  }

  /** PostgreSQL's assignment cast of a value to a column's type (42804 when none exists). */
  assignCast(value: BoundExpr, target: ColumnSchema, node: { pos: number }): BoundExpr {
    if (sameType(value.type, target.type)) return value;
    if (value.type.kind === "unknown" || this.#untyped.has(value)) {
      return this.coerce(value, target.type, "UPDATE");
    }
    const ok = canCast(value.type, target.type) &&
      (value.type.kind === "bool") === (target.type.kind === "bool") &&
      (!isString(value.type) || isString(target.type));
    if (!ok) {
      throw new DbError(
        SqlState.datatypeMismatch,
        `column "${target.name}" is of type ${typeToSql(target.type)} but expression is of type ${
          typeToSql(value.type)
        }`,
        { ...pos1(node), hint: "You will need to rewrite or cast the expression." },
      );
    }
    return this.castNode(value, target.type);
  }

  /** Whether column k of a VALUES plan holds only untyped literals (assignable to any type). */
  isUntypedPlanColumn(plan: LogicalPlan, k: number): boolean {
    if (plan.kind === "values") {
      return plan.rows.every((r) => this.#untyped.has(r[k]!) || r[k]!.type.kind === "unknown");
    }
    if (plan.kind === "project") {
      const e = plan.exprs[k];
      return e !== undefined &&
        (this.#untyped.has(e) ||
          (e.kind === "column" && this.isUntypedPlanColumn(plan.input, e.index)));
    }
    return false;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** Binds a query. `targetTypes` are the INSERT target types, which type untyped VALUES. */
  query(q: ast.Query, targetTypes: readonly DataType[] = []): LogicalPlan {
    if (q.with !== null) {
      const frame = new Map<string, ast.Cte>();
      for (const cte of q.with.ctes) {
        if (frame.has(cte.name)) {
          throw new DbError(
            "42712",
            `WITH query name "${cte.name}" specified more than once`,
            pos1(cte),
          );
        }
        // Bind it now too, seeing only earlier CTEs, so errors surface even when unreferenced.
        this.#ctes.push(new Map(frame));
        try {
          if (q.with.recursive && this.isSelfReferencing(cte)) {
            this.#recursivePlans.set(cte, this.recursiveCte(cte));
          } else this.query(cte.query);
        } finally {
          this.#ctes.pop();
        }
        frame.set(cte.name, cte);
      }
      this.#ctes.push(frame);
      try {
        return this.query({ ...q, with: null }, targetTypes);
      } finally {
        this.#ctes.pop();
      }
    }
    const body = q.body;
    switch (body.kind) {
      case "select":
        return this.select(body, q);
      case "values": {
        const plan = this.values(body, targetTypes);
        return this.orderAndLimit(plan, q, null);
      }
      case "nested": {
        const plan = this.query(body.query, targetTypes);
        return this.orderAndLimit(plan, q, null);
      }
      case "set_op":
        return this.orderAndLimit(this.setOp(body), q, null);
      default:
        return unreachable(body, "query body");
    }
  }

  setOp(body: ast.QueryBody & { kind: "set_op" }): LogicalPlan {
    const side = (b: ast.QueryBody): LogicalPlan => {
      if (b.kind === "set_op") return this.setOp(b);
      this.#setOpSide++;
      try {
        return this.query({
          with: null,
          body: b,
          orderBy: [],
          limit: null,
          offset: null,
          pos: b.pos,
        });
      } finally {
        this.#setOpSide--;
      }
    };
    let left = side(body.left);
    let right = side(body.right);
    const untypedLeft = this.#untypedFields.get(left) ?? new Set<number>();
    const untypedRight = this.#untypedFields.get(right) ?? new Set<number>();
    const what = body.op.toUpperCase();
    if (left.fields.length !== right.fields.length) {
      throw new DbError(
        SqlState.syntaxError,
        `each ${what} query must have the same number of columns`,
        pos1(body),
      );
    }
    const types = left.fields.map((f, i) => {
      const g = right.fields[i]!;
      const known = [
        ...(untypedLeft.has(i) ? [] : [f.type]),
        ...(untypedRight.has(i) ? [] : [g.type]),
      ];
      return commonType(known, what);
    }).map((t) => (t.kind === "unknown" ? Types.text : t));
    const castSide = (p: LogicalPlan): LogicalPlan => {
      if (p.fields.every((f, i) => sameType(f.type, types[i]!))) {
        return p;
      }
      const exprs = p.fields.map((f, i) =>
        this.cast({ kind: "column", index: i, type: f.type }, types[i]!)
      );
      return {
        kind: "project",
        input: p,
        exprs,
        fields: p.fields.map((f, i) => ({ ...f, type: types[i]! })),
      };
    };
    // (an untyped literal takes the column's type as it is read, as PostgreSQL coerces it)
    const coerced = types.flatMap((t, i) =>
      (!untypedLeft.has(i) && !sameType(left.fields[i]!.type, t)) ||
        (!untypedRight.has(i) && !sameType(right.fields[i]!.type, t))
        ? [i]
        : []
    );
    left = castSide(left);
    right = castSide(right);
    const fields = left.fields.map((f, i) => ({ name: f.name, type: types[i]!, qualifier: null }));
    return {
      kind: "set_op",
      op: body.op,
      all: body.all,
      left,
      right,
      fields,
      ...(coerced.length === 0 ? {} : { coerced }),
    };
  }

  /**
   * An INSERT's own VALUES list: as PostgreSQL does, each row's cells are assigned to the target
   * columns one by one, with no type unification across rows (so `VALUES ('NaN'), (0.1)` fills
   * a float8 column).
   */
  insertValues(
    body: ast.QueryBody & { kind: "values" },
    targets: readonly ColumnSchema[],
  ): LogicalPlan {
    const width = body.rows[0]!.length;
    const rows = body.rows.map((r) => {
      if (r.length !== width) {
        throw new DbError(
          SqlState.syntaxError,
          "VALUES lists must all be the same length",
          pos1(body),
        );
      }
      return r.map((e, c) => {
        const b = this.expr(e, emptyScope);
        const target = targets[c];
        return target === undefined ? b : this.assignCast(b, target, e);
      });
    });
    const fields: Field[] = [];
    for (let c = 0; c < width; c++) {
      const type = targets[c]?.type ?? rows[0]![c]!.type;
      fields.push({ name: `column${c + 1}`, type, qualifier: null });
    }
    return { kind: "values", rows, fields };
  }

  values(body: ast.QueryBody & { kind: "values" }, targetTypes: readonly DataType[]): LogicalPlan {
    const width = body.rows[0]!.length;
    const rows = body.rows.map((r) => {
      if (r.length !== width) {
        throw new DbError(
          SqlState.syntaxError,
          "VALUES lists must all be the same length",
          pos1(body),
        );
      }
      return r.map((e) => this.expr(e, emptyScope));
    });
    const fields: Field[] = [];
    for (let c = 0; c < width; c++) {
      const typed = rows.map((r) => r[c]!).filter((e) =>
        !this.#untyped.has(e) && e.type.kind !== "unknown"
      );
      // PostgreSQL resolves an INSERT's untyped VALUES column to the target column's type.
      const t = typed.length > 0
        ? commonType(typed.map((e) => e.type), "VALUES")
        : targetTypes[c] ?? Types.text;
      fields.push({ name: `column${c + 1}`, type: t, qualifier: null });
    }
    const coerced = rows.map((r) => r.map((e, c) => this.coerce(e, fields[c]!.type, "VALUES")));
    // untyped literal columns stay assignable to any INSERT target
    for (let c = 0; c < width; c++) {
      if (coerced.every((r) => this.#untyped.has(r[c]!) || r[c]!.type.kind === "unknown")) {
        for (const r of coerced) if (r[c]!.type.kind !== "unknown") this.#untyped.add(r[c]!);
      }
    }
    return { kind: "values", rows: coerced, fields };
  }

  from(refs: readonly ast.TableRef[]): LogicalPlan {
    if (refs.length === 0) return { kind: "values", rows: [[]], fields: [] };
    let plan = this.tableRef(refs[0]!);
    for (const ref of refs.slice(1)) {
      const right = this.tableRef(ref);
      this.checkDistinctQualifiers(plan.fields, right.fields, ref.pos);
      plan = {
        kind: "join",
        joinType: "cross",
        left: plan,
        right,
        condition: null,
        fields: [...plan.fields, ...right.fields],
      };
    }
    return plan;
  }

  /**
   * PostgreSQL refuses the same table name or alias twice in one FROM (42712), except for two
   * unaliased tables of different schemas.
   */
  checkDistinctQualifiers(left: readonly Field[], right: readonly Field[], pos: number): void {
    for (const f of right) {
      if (f.qualifier === null) continue;
      const clash = left.some((l) =>
        l.qualifier === f.qualifier &&
        (l.qualifierSchema === undefined || l.qualifierSchema === f.qualifierSchema)
      );
      if (clash) {
        throw new DbError("42712", `table name "${f.qualifier}" specified more than once`, {
          position: pos + 1,
        });
      }
    }
  }

  /**
   * The sequence a regclass text names (`'seq'`, `'s.seq'`, `'"My Seq"'`), found as PostgreSQL
   * finds it: a written schema must exist (3F000), a bare name goes through the search path.
   */
  regclassSequence(text: string, at: ast.Expr): Sequence | null {
    const names = splitIdentifierList(text, ".");
    if (names === null || names.length === 0) {
      throw new DbError(SqlState.invalidName, "invalid name syntax", pos1(at));
    }
    if (names.length > 3) {
      throw new DbError(
        SqlState.syntaxError,
        `improper relation name (too many dotted names): ${text}`,
        pos1(at),
      );
    }
    const { schema, name } = splitQualifiedName({ parts: names, pos: at.pos });
    if (schema === null) {
      const found = this.searchPath().relationSchema(name);
      return found === null ? null : this.ctx.catalog.getSequence(found, name);
    }
    if (!this.ctx.catalog.hasSchema(schema)) throw noSuchSchema(schema, pos1(at));
    return this.ctx.catalog.getSequence(schema, name);
  }

  tableRef(ref: ast.TableRef): LogicalPlan {
    if (ref.kind === "table" && ref.columnAliases !== undefined && ref.columnAliases.length > 0) {
      // t AS x(a, b): the first columns take the new names (PostgreSQL's alias column list)
      const aliases = ref.columnAliases;
      const plan = this.tableRef({ kind: "table", name: ref.name, alias: ref.alias, pos: ref.pos });
      if (aliases.length > plan.fields.length) {
        throw new DbError(
          "42P10",
          `table "${
            ref.alias ?? ref.name.parts.at(-1)
          }" has ${plan.fields.length} columns available but ${aliases.length} columns specified`,
          pos1(ref),
        );
      }
      return {
        kind: "project",
        input: plan,
        exprs: plan.fields.map((f, i) => ({ kind: "column", index: i, type: f.type })),
        fields: plan.fields.map((f, i) => (i < aliases.length ? { ...f, name: aliases[i]! } : f)),
      };
    }
    switch (ref.kind) {
      case "table": {
        const working = ref.name.parts.length === 1
          ? this.#workingTables.get(ref.name.parts[0]!)
          : undefined;
        if (working !== undefined) {
          const qualifier = ref.alias ?? ref.name.parts[0]!;
          return {
            kind: "working_table",
            id: working.id,
            fields: working.fields.map((f) => ({ ...f, qualifier })),
          };
        }
        const cte = ref.name.parts.length === 1 ? this.findCte(ref.name.parts[0]!) : null;
        if (cte !== null) return this.cteRef(cte, ref);
        const system = this.systemRelation(ref.name);
        if (system !== null) return this.systemScan(system, ref.alias, ref.pos);
        const { schema, name } = this.resolveRelation(ref.name, false);
        const table = this.ctx.catalog.getTable(schema, name);
        const view = table ? null : this.ctx.catalog.getView(schema, name);
        if (view) return this.viewRef(view, ref);
        if (!table) {
          throw new DbError(
            SqlState.undefinedTable,
            `relation "${ref.name.parts.join(".")}" does not exist`,
            pos1(ref),
          );
        }
        const qualifier = ref.alias ?? table.name;
        const named = ref.alias == null ? { qualifierSchema: table.schema } : {};
        return {
          kind: "scan",
          table,
          projection: table.columns.map((_, i) => i),
          filters: [],
          estimatedRows: this.ctx.estimateRows?.(table.id) ?? 1000,
          fields: table.columns.map((c) => ({ name: c.name, type: c.type, qualifier, ...named })),
        };
      }
      case "derived": {
        const plan = this.query(ref.query);
        if (ref.columnAliases.length > plan.fields.length) {
          throw new DbError(
            SqlState.syntaxError,
            `table "${ref.alias}" has ${plan.fields.length} columns available but ${ref.columnAliases.length} columns specified`,
            pos1(ref),
          );
        }
        const qualifier = ref.alias;
        const fields = plan.fields.map((f, i) => ({
          name: ref.columnAliases[i] ?? f.name,
          type: f.type,
          qualifier,
        }));
        return {
          kind: "project",
          input: plan,
          exprs: plan.fields.map((f, i) => ({ kind: "column", index: i, type: f.type })),
          fields,
        };
      }
      case "join":
        return this.join(ref);
      case "function":
        return this.tableFunction(ref);
      default:
        return unreachable(ref, "table reference");
    }
  }

  /** Whether a CTE's query names the CTE itself (then WITH RECURSIVE evaluates it by rounds). */
  isSelfReferencing(cte: ast.Cte): boolean {
    return JSON.stringify(cte.query).includes(`"parts":[${JSON.stringify(cte.name)}]`);
  }

  /**
   * Binds `name AS (base UNION [ALL] step)`: the base first, then the step with the CTE's name
   * reading the previous round (a working table), its columns cast to the base's types.
   */
  recursiveCte(cte: ast.Cte): LogicalPlan {
    const body = cte.query.body;
    if (body.kind === "set_op" && body.op === "union") {
      const clause = cte.query.orderBy.length > 0
        ? "ORDER BY"
        : cte.query.offset !== null
        ? "OFFSET"
        : cte.query.limit !== null
        ? "LIMIT"
        : null;
      if (clause !== null) {
        throw new DbError(
          SqlState.featureNotSupported,
          `${clause} in a recursive query is not implemented`,
          pos1(cte),
        );
      }
    }
    if (body.kind !== "set_op" || body.op !== "union") {
      throw new DbError(
        SqlState.syntaxError,
        `recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`,
        pos1(cte),
      );
    }
    const side = (b: ast.QueryBody): ast.Query => ({
      with: null,
      body: b,
      orderBy: [],
      limit: null,
      offset: null,
      pos: b.pos,
    });
    const base = this.query(side(body.left));
    if (cte.columnAliases.length > base.fields.length) {
      throw new DbError(
        SqlState.syntaxError,
        `WITH query "${cte.name}" has ${base.fields.length} columns available but ${cte.columnAliases.length} columns specified`,
        pos1(cte),
      );
    }
    const fields: Field[] = base.fields.map((f, i) => ({
      name: cte.columnAliases[i] ?? f.name,
      type: f.type.kind === "unknown" ? Types.text : f.type,
      qualifier: null,
    }));
    const id = ++this.#nextRecursionId;
    this.#workingTables.set(cte.name, { id, fields });
    let step: LogicalPlan;
    try {
      step = this.query(side(body.right));
    } finally {
      this.#workingTables.delete(cte.name);
    }
    if (step.fields.length !== fields.length) {
      throw new DbError(
        SqlState.syntaxError,
        "each UNION query must have the same number of columns",
        pos1(body),
      );
    }
    const cast = (p: LogicalPlan): LogicalPlan =>
      p.fields.every((f, i) => sameType(f.type, fields[i]!.type)) ? p : {
        kind: "project",
        input: p,
        exprs: p.fields.map((f, i) =>
          this.cast({ kind: "column", index: i, type: f.type }, fields[i]!.type)
        ),
        fields: p.fields.map((f, i) => ({ ...f, type: fields[i]!.type })),
      };
    return { kind: "recursive_cte", id, base: cast(base), step: cast(step), all: body.all, fields };
  }

  /** The innermost visible CTE of that name (not one whose own query is being bound). */
  findCte(name: string): { cte: ast.Cte; depth: number } | null {
    for (let d = this.#ctes.length - 1; d >= 0; d--) {
      const cte = this.#ctes[d]!.get(name);
      if (cte !== undefined && !this.#activeCtes.has(cte)) return { cte, depth: d };
    }
    return null;
  }

  /** A reference to a CTE binds its query in place (PostgreSQL inlines non-recursive CTEs). */
  cteRef(
    found: { cte: ast.Cte; depth: number },
    ref: ast.TableRef & { kind: "table" },
  ): LogicalPlan {
    const { cte, depth } = found;
    const recursive = this.#recursivePlans.get(cte);
    if (recursive !== undefined) {
      const qualifier = ref.alias ?? cte.name;
      return {
        kind: "project",
        input: recursive,
        exprs: recursive.fields.map((f, i) => ({ kind: "column", index: i, type: f.type })),
        fields: recursive.fields.map((f) => ({ ...f, qualifier })),
      };
    }
    this.#activeCtes.add(cte);
    // Its own query sees only the WITH lists enclosing it, not inner ones.
    const hidden = this.#ctes.splice(depth + 1);
    try {
      return this.tableRef({
        kind: "derived",
        query: cte.query,
        alias: ref.alias ?? cte.name,
        columnAliases: cte.columnAliases,
        pos: ref.pos,
      });
    } finally {
      this.#ctes.push(...hidden);
      this.#activeCtes.delete(cte);
    }
  }

  /**
   * A scalar function in FROM (`FROM string_to_array(x, ',') AS s`): one row whose one column
   * is the call's value, named by the alias, as in PostgreSQL.
   */
  scalarInFrom(ref: ast.TableRef & { kind: "function" }): LogicalPlan {
    const name = ref.name.parts.at(-1)!;
    const scope: Scope = { fields: [], outer: this.#outer };
    const call = this.call(callExpr(ref.name.parts, ref.args, ref.pos), scope);
    const qualifier = ref.alias ?? name;
    const column = ref.columnAliases[0] ?? ref.alias ?? name;
    return {
      kind: "values",
      rows: [[call]],
      fields: [{ name: column, type: call.type, qualifier }],
    };
  }

  /** `generate_series(start, stop [, step])` in FROM (the one set-returning function so far). */
  tableFunction(ref: ast.TableRef & { kind: "function" }): LogicalPlan {
    const name = ref.name.parts.at(-1)!;
    if (name === "unnest" && ref.name.parts.length === 1) {
      const args = ref.args.map((a) => this.expr(a, emptyScope));
      const array = args[0];
      if (args.length !== 1 || array === undefined || array.type.kind !== "array") {
        throw new DbError(
          SqlState.undefinedFunction,
          `function unnest(${args.map((a) => typeToSql(a.type)).join(", ")}) does not exist`,
          pos1(ref),
        );
      }
      const column = ref.columnAliases[0] ?? ref.alias ?? "unnest";
      const qualifier = ref.alias ?? "unnest";
      return {
        kind: "unnest",
        array,
        fields: [{ name: column, type: array.type.element, qualifier }],
      };
    }
    const qualified = ref.name.parts.length > 2 ||
      (ref.name.parts.length === 2 && ref.name.parts[0] !== "pg_catalog");
    if (name !== "generate_series" && !qualified) {
      if (this.ctx.registry.scalarFunctions(name).length > 0) return this.scalarInFrom(ref);
    }
    if (name !== "generate_series" || qualified) {
      throw notSupported(`table function ${ref.name.parts.join(".")}()`, ref.pos + 1);
    }
    if (ref.args.length < 2 || ref.args.length > 3) {
      throw new DbError(
        SqlState.undefinedFunction,
        `function generate_series with ${ref.args.length} arguments does not exist`,
        pos1(ref),
      );
    }
    const scope: Scope = { fields: [], outer: this.#outer };
    const args = ref.args.map((a) => this.expr(a, scope));
    const typed = args.slice(0, 2).filter((a) => !this.#untyped.has(a) && a.type.kind !== "unknown")
      .map((a) => a.type);
    let type = commonType(typed.length > 0 ? typed : [Types.int4], "generate_series");
    if (type.kind === "date") type = Types.timestamptz;
    const temporal = type.kind === "timestamp" || type.kind === "timestamptz";
    if (!temporal && !isNumeric(type)) {
      throw new DbError(
        SqlState.undefinedFunction,
        `function generate_series(${typeToSql(type)}) does not exist`,
        pos1(ref),
      );
    }
    if (type.kind === "int2" || type.kind === "float4") {
      type = type.kind === "int2" ? Types.int4 : Types.float8;
    }
    const start = this.coerce(args[0]!, type, "generate_series");
    const stop = this.coerce(args[1]!, type, "generate_series");
    let step: BoundExpr;
    if (args[2] !== undefined) {
      step = this.coerce(args[2], temporal ? Types.interval : type, "generate_series");
    } else if (temporal) {
      throw new DbError(
        SqlState.undefinedFunction,
        "generate_series over timestamps needs an interval step",
        pos1(ref),
      );
    } else step = this.cast({ kind: "const", value: 1, type: Types.int4 }, type);
    const column = ref.columnAliases[0] ?? ref.alias ?? "generate_series";
    const qualifier = ref.alias ?? "generate_series";
    return { kind: "series", start, stop, step, fields: [{ name: column, type, qualifier }] };
  }

  viewRef(view: ViewSchema, ref: ast.TableRef & { kind: "table" }): LogicalPlan {
    if (++this.#viewDepth > viewNestingDepthMax) {
      throw new DbError(
        "54001",
        `views nest more than ${viewNestingDepthMax} deep (is there a cycle?)`,
        pos1(ref),
      );
    }
    const saved = this.#outer;
    this.#outer = undefined; // a view sees nothing of the query that uses it
    const savedCtes = this.#ctes.splice(0);
    try {
      const query = this.ctx.parseQuery(view.sql);
      return this.withSearchPath(view.searchPath ?? [defaultSchemaName], () =>
        this.tableRef({
          kind: "derived",
          query,
          alias: ref.alias ?? view.name,
          columnAliases: view.columns,
          pos: ref.pos,
        }));
    } finally {
      this.#outer = saved;
      this.#ctes.push(...savedCtes);
      this.#viewDepth--;
    }
  }

  join(ref: ast.TableRef & { kind: "join" }): LogicalPlan {
    const first = this.tableRef(ref.left);
    const second = this.tableRef(ref.right);
    // RIGHT SEMI/ANTI JOIN is the LEFT one with the inputs swapped
    const swap = ref.joinType === "right_semi" || ref.joinType === "right_anti";
    const left = swap ? second : first;
    const right = swap ? first : second;
    this.checkDistinctQualifiers(left.fields, right.fields, ref.right.pos);
    let fields: Field[] = [...left.fields, ...right.fields];
    const scope: Scope = { fields };
    let condition: BoundExpr | null = null;
    let usingNames = ref.using;
    if (ref.natural) {
      const leftNames = left.fields.filter((f) => !f.usingDuplicate).map((f) => f.name);
      usingNames = right.fields.filter((f) => !f.usingDuplicate && leftNames.includes(f.name)).map((
        f,
      ) => f.name);
    }
    if (usingNames.length > 0) {
      const parts: BoundExpr[] = [];
      const dupes = new Set<number>();
      const merged: { left: BoundExpr; right: BoundExpr; name: string }[] = [];
      for (const name of usingNames) {
        const li = this.uniqueField(left.fields, name, "left", ref);
        const ri = this.uniqueField(right.fields, name, "right", ref);
        const [a, b] = this.comparable(
          { kind: "column", index: li, type: left.fields[li]!.type },
          { kind: "column", index: left.fields.length + ri, type: right.fields[ri]!.type },
          { kind: "literal", value: { kind: "null" }, pos: ref.pos },
        );
        parts.push({ kind: "op", op: "eq", left: a, right: b, type: Types.bool });
        if (ref.joinType === "full") {
          dupes.add(li);
          dupes.add(left.fields.length + ri);
          merged.push({ left: a, right: b, name });
        } else dupes.add(ref.joinType === "right" ? li : left.fields.length + ri);
      }
      condition = andAll(parts);
      fields = fields.map((f, i) => (dupes.has(i) ? { ...f, usingDuplicate: true } : f));
      if (ref.joinType === "full") {
        // FULL JOIN USING: each joined column is COALESCE(left, right), listed first (PostgreSQL)
        const join: LogicalPlan = {
          kind: "join",
          joinType: "full",
          left,
          right,
          condition,
          fields,
        };
        const coalesced = merged.map(({ left: l, right: r }): BoundExpr => ({
          kind: "case",
          whens: [{
            when: { kind: "is_null", negated: true, operand: l, type: Types.bool },
            then: l,
          }],
          else: r,
          type: l.type,
        }));
        return {
          kind: "project",
          input: join,
          exprs: [
            ...coalesced,
            ...fields.map((f, i): BoundExpr => ({ kind: "column", index: i, type: f.type })),
          ],
          fields: [
            ...merged.map((m, k) => ({ name: m.name, type: coalesced[k]!.type, qualifier: null })),
            ...fields,
          ],
        };
      }
    } else if (ref.on !== null) {
      if (this.containsAggregate(ref.on)) {
        throw new DbError(
          SqlState.groupingError,
          "aggregate functions are not allowed in JOIN conditions",
          pos1(ref.on),
        );
      }
      condition = this.predicate(ref.on, scope, "JOIN/ON");
    }
    const joinType = logicalJoinType(ref.joinType);
    const join: LogicalPlan = { kind: "join", joinType, left, right, condition, fields };
    if (joinType !== "semi" && joinType !== "anti") return join;
    // only the kept side's columns are visible above a semi or anti join
    return {
      kind: "project",
      input: join,
      exprs: left.fields.map((f, i): BoundExpr => ({ kind: "column", index: i, type: f.type })),
      fields: left.fields,
    };
  }

  uniqueField(fields: readonly Field[], name: string, side: string, ref: ast.TableRef): number {
    const matches = fields.map((f, i) => ({ f, i })).filter(({ f }) =>
      f.name === name && !f.usingDuplicate
    );
    if (matches.length === 0) {
      throw new DbError(
        SqlState.undefinedColumn,
        `column "${name}" specified in USING clause does not exist in ${side} table`,
        pos1(ref),
      );
    }
    if (matches.length > 1) {
      throw new DbError(
        SqlState.ambiguousColumn,
        `common column name "${name}" appears more than once in ${side} table`,
        pos1(ref),
      );
    }
    return matches[0]!.i;
  }

  select(body: ast.QueryBody & { kind: "select" }, q: ast.Query): LogicalPlan {
    let input = this.from(body.from);
    const inputScope: Scope = { fields: input.fields, outer: this.#outer };
    if (body.where !== null) {
      if (this.containsAggregate(body.where)) {
        throw new DbError(
          SqlState.groupingError,
          "aggregate functions are not allowed in WHERE",
          pos1(body.where),
        );
      }
      const predicate = this.predicate(body.where, inputScope, "WHERE");
      input = { kind: "filter", input, predicate, fields: input.fields };
    }
    const aggregated = body.groupBy.length > 0 || body.having !== null ||
      body.items.some((i) => i.kind === "expr" && this.containsAggregate(i.expr)) ||
      q.orderBy.some((o) => this.containsAggregate(o.expr));
    let scope = inputScope;
    let agg: AggContext | null = null;
    if (aggregated) {
      const { groups, sets } = this.groupingSets(body, inputScope);
      agg = {
        input: inputScope,
        groups,
        groupKeys: groups.map(exprKey),
        aggregates: [],
        aggregateKeys: [],
        sets,
      };
      scope = { fields: [], agg, outer: this.#outer };
    }
    const exprs: BoundExpr[] = [];
    const fields: Field[] = [];
    const untypedFields = new Set<number>();
    for (const item of body.items) {
      if (item.kind === "star") {
        const matching = input.fields
          .map((f, i) => ({ f, i }))
          .filter(({ f }) =>
            item.qualifier === null ? !f.usingDuplicate : f.qualifier === item.qualifier
          );
        if (item.qualifier !== null && matching.length === 0) {
          throw new DbError(
            SqlState.undefinedTable,
            `missing FROM-clause entry for table "${item.qualifier}"`,
            pos1(item),
          );
        }
        if (item.qualifier === null && body.from.length === 0) {
          throw new DbError(
            SqlState.syntaxError,
            "SELECT * with no tables specified is not valid",
            pos1(item),
          );
        }
        for (const { f, i } of matching) {
          const e: BoundExpr = agg === null
            ? { kind: "column", index: i, type: f.type }
            : this.expr({
              kind: "column_ref",
              parts: f.qualifier === null
                ? [f.name]
                : f.qualifierSchema === undefined
                ? [f.qualifier, f.name]
                : [f.qualifierSchema, f.qualifier, f.name],
              pos: item.pos,
            }, scope);
          exprs.push(e);
          fields.push({ name: f.name, type: f.type, qualifier: f.qualifier });
        }
        continue;
      }
      let e = this.expr(item.expr, scope);
      if (this.#setOpSide > 0 && (e.type.kind === "unknown" || this.#untyped.has(e))) {
        // In a UNION/INTERSECT/EXCEPT branch an untyped literal takes the other side's type.
        untypedFields.add(exprs.length);
      } else if (e.type.kind === "unknown") e = this.coerce(e, Types.text, "SELECT");
      exprs.push(e);
      fields.push({ name: item.alias ?? outputName(item.expr), type: e.type, qualifier: null });
    }
    let having: BoundExpr | null = null;
    if (agg !== null) {
      if (body.having !== null) {
        having = this.predicate(body.having, { ...scope, aliases: selectAliases(body) }, "HAVING");
      }
      // Register ORDER BY's aggregates now, so the aggregation computes them too.
      for (const o of q.orderBy) {
        if (this.containsAggregate(o.expr)) this.expr(o.expr, scope);
      }
      const aggFields: Field[] = [
        ...agg.groups.map((g, i) => ({ name: `?group${i}?`, type: g.type, qualifier: null })),
        ...agg.aggregates.map((a, i) => ({ name: `?agg${i}?`, type: a.type, qualifier: null })),
      ];
      input = {
        kind: "aggregate",
        input,
        groups: agg.groups,
        aggregates: agg.aggregates,
        sets: agg.sets,
        fields: aggFields,
      };
      if (having !== null) input = { kind: "filter", input, predicate: having, fields: aggFields };
    }
    let plan: LogicalPlan = { kind: "project", input, exprs, fields };
    if (typeof body.distinct === "object") {
      return this.distinctOn(
        plan as LogicalPlan & { kind: "project" },
        body.distinct.on,
        q,
        scope,
        input,
      );
    }
    if (body.distinct === "distinct") plan = { kind: "distinct", input: plan, fields };
    if (untypedFields.size > 0) this.#untypedFields.set(plan, untypedFields);
    return this.orderAndLimit(plan, q, {
      scope,
      inputPlan: input,
      distinct: body.distinct === "distinct",
    });
  }

  /**
   * `SELECT DISTINCT ON (keys) ... ORDER BY ...`: sort (by ORDER BY, whose leading items must be
   * the DISTINCT ON keys), keep each key's first row, then drop helper columns and apply LIMIT.
   */
  distinctOn(
    project: LogicalPlan & { kind: "project" },
    on: readonly ast.Expr[],
    q: ast.Query,
    scope: Scope,
    input: LogicalPlan,
  ): LogicalPlan {
    const select = { scope, inputPlan: input, distinct: false };
    const hidden: BoundExpr[] = [];
    const onKeys = on.map((e) => this.orderKey(e, project, select, hidden));
    const orderKeys: SortKey[] = q.orderBy.map((item) => ({
      expr: this.orderKey(item.expr, project, select, hidden),
      descending: item.descending,
      nullsFirst: item.nullsFirst ?? this.nullsFirstDefault(item.descending),
    }));
    const onSet = new Set(onKeys.map(exprKey));
    const leading = orderKeys.slice(0, onKeys.length).map((k) => exprKey(k.expr));
    if (
      orderKeys.length > 0 && (leading.length < onSet.size || leading.some((k) => !onSet.has(k)))
    ) {
      throw new DbError(
        "42P10",
        "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
        pos1(q),
      );
    }
    const keys: SortKey[] = orderKeys.length > 0 ? orderKeys : onKeys.map((expr) => ({
      expr,
      descending: false,
      nullsFirst: this.nullsFirstDefault(false),
    }));
    const widened: LogicalPlan = {
      kind: "project",
      input: project.input,
      exprs: [...project.exprs, ...hidden],
      fields: [
        ...project.fields,
        ...hidden.map((h, i) => ({ name: `?on${i}?`, type: h.type, qualifier: null })),
      ],
    };
    let plan: LogicalPlan = {
      kind: "distinct_on",
      input: widened,
      keys: onKeys,
      order: keys,
      fields: widened.fields,
    };
    if (hidden.length > 0) {
      plan = {
        kind: "project",
        input: plan,
        exprs: project.fields.map((f, i) => ({ kind: "column", index: i, type: f.type })),
        fields: project.fields,
      };
    }
    return this.limit(plan, q);
  }

  /**
   * Binds GROUP BY into distinct key expressions and, when ROLLUP, CUBE or GROUPING SETS appear,
   * the grouping sets as lists of key positions (the cross product of the items' sets).
   */
  groupingSets(
    body: ast.QueryBody & { kind: "select" },
    input: Scope,
  ): { groups: BoundExpr[]; sets: number[][] | null } {
    const groups: BoundExpr[] = [];
    const keys: string[] = [];
    const keyIndex = (e: ast.Expr): number => {
      const b = this.groupKey(e, body, input);
      const k = exprKey(b);
      let i = keys.indexOf(k);
      if (i < 0) {
        i = groups.length;
        groups.push(b);
        keys.push(k);
      }
      return i;
    };
    const isNode = (e: ast.Expr, name: string): e is ast.Expr & { kind: "function" } =>
      e.kind === "function" && e.name.parts.length === 1 && e.name.parts[0] === name;
    const list = (
      e: ast.Expr,
    ): number[] => (isNode(e, "row") ? e.args.map(keyIndex) : [keyIndex(e)]);
    let special = false;
    const expand = (e: ast.Expr): number[][] => {
      if (isNode(e, "rollup")) {
        special = true;
        const parts = e.args.map(list);
        const out: number[][] = [];
        for (let k = parts.length; k >= 0; k--) out.push(parts.slice(0, k).flat());
        return out;
      }
      if (isNode(e, "cube")) {
        special = true;
        const parts = e.args.map(list);
        if (parts.length > 12) throw notSupported("CUBE of more than 12 elements", e.pos + 1);
        const out: number[][] = [];
        for (let mask = (1 << parts.length) - 1; mask >= 0; mask--) {
          out.push(parts.filter((_, i) => (mask & (1 << (parts.length - 1 - i))) !== 0).flat());
        }
        return out;
      }
      if (isNode(e, "grouping sets")) {
        special = true;
        return e.args.flatMap((a) => (isNode(a, "row") ? [list(a)] : expand(a)));
      }
      if (isNode(e, "row")) return [list(e)];
      return [[keyIndex(e)]];
    };
    let sets: number[][] = [[]];
    for (const item of body.groupBy) {
      const next = expand(item);
      sets = sets.flatMap((a) => next.map((b) => [...new Set([...a, ...b])]));
      if (sets.length > groupingSetsMax) {
        throw new DbError(
          SqlState.programLimitExceeded,
          `more than ${groupingSetsMax} grouping sets`,
          pos1(item),
        );
      }
    }
    return { groups, sets: special ? sets : null };
  }

  /** Binds one GROUP BY item: an input expression, a select-list position, or a select alias. */
  groupKey(g: ast.Expr, body: ast.QueryBody & { kind: "select" }, input: Scope): BoundExpr {
    if (this.containsAggregate(g)) {
      throw new DbError(
        SqlState.groupingError,
        "aggregate functions are not allowed in GROUP BY",
        pos1(g),
      );
    }
    if (g.kind === "literal" && g.value.kind !== "typed_string") {
      if (g.value.kind !== "number" || !/^-?\d+$/.test(g.value.text)) {
        throw new DbError(SqlState.syntaxError, "non-integer constant in GROUP BY", pos1(g));
      }
      const k = Number(g.value.text);
      const item = body.items[k - 1];
      if (item === undefined || item.kind !== "expr") {
        throw new DbError("42P10", `GROUP BY position ${k} is not in select list`, pos1(g));
      }
      return this.expr(item.expr, input);
    }
    if (
      g.kind === "column_ref" && g.parts.length === 1 &&
      !input.fields.some((f) => f.name === g.parts[0])
    ) {
      const item = body.items.find((i) => i.kind === "expr" && i.alias === g.parts[0]);
      if (item !== undefined && item.kind === "expr") return this.expr(item.expr, input);
    }
    return this.expr(g, input);
  }

  /** Whether an expression calls an aggregate (not looking inside subqueries). */
  containsAggregate(e: ast.Expr): boolean {
    return this.firstAggregate(e) !== null;
  }

  /** The first aggregate call in an expression (not inside subqueries), or `null`. */
  firstAggregate(e: ast.Expr): ast.Expr | null {
    let found: ast.Expr | null = null;
    walkExpr(e, (x) => {
      if (
        found === null && x.kind === "function" && x.over === null &&
        this.isAggregateName(x.name.parts.at(-1)!)
      ) {
        found = x;
      }
    });
    return found;
  }

  isAggregateName(name: string): boolean {
    return this.ctx.registry.aggregateFunctions(name).length > 0;
  }

  /** Above an aggregation: an expression equal to a GROUP BY key becomes a reference to it. */
  groupMatch(e: ast.Expr, agg: AggContext): BoundExpr | null {
    if (
      agg.groups.length === 0 || e.kind === "literal" || e.kind === "param" ||
      this.containsAggregate(e)
    ) return null;
    if (e.kind === "subquery" || e.kind === "exists" || e.kind === "in_subquery") return null;
    let bound: BoundExpr;
    try {
      bound = this.expr(e, agg.input);
    } catch {
      return null;
    }
    const i = agg.groupKeys.indexOf(exprKey(bound));
    return i < 0 ? null : { kind: "column", index: i, type: agg.groups[i]!.type };
  }

  /**
   * Adds ORDER BY, LIMIT and OFFSET above `plan`. ORDER BY may name output columns (by alias or
   * position) or, for a plain SELECT, expressions over the FROM columns (carried as hidden
   * columns and dropped after the sort).
   */
  orderAndLimit(
    plan: LogicalPlan,
    q: ast.Query,
    select: { scope: Scope; inputPlan: LogicalPlan; distinct: boolean } | null,
  ): LogicalPlan {
    let out = plan;
    if (q.orderBy.length > 0) {
      const visible = plan.fields.length;
      const hidden: BoundExpr[] = [];
      const keys: SortKey[] = [];
      for (const item of q.orderBy) {
        if (
          isSetOperation(q.body) && item.expr.kind !== "column_ref" &&
          item.expr.kind !== "literal"
        ) {
          // PostgreSQL sorts a set operation by its result columns only
          throw new DbError(
            SqlState.featureNotSupported,
            "invalid UNION/INTERSECT/EXCEPT ORDER BY clause",
            pos1(item.expr),
          );
        }
        const expr = this.orderKey(item.expr, plan, select, hidden);
        keys.push({
          expr,
          descending: item.descending,
          nullsFirst: item.nullsFirst ?? this.nullsFirstDefault(item.descending),
        });
      }
      if (hidden.length > 0) {
        // plan is project (possibly under distinct, which forbids hidden columns)
        if (plan.kind !== "project") {
          throw new DbError(
            "42P10",
            "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
            pos1(q),
          );
        }
        const exprs = [...plan.exprs, ...hidden];
        const fields = [
          ...plan.fields,
          ...hidden.map((h, i) => ({ name: `?sort${i}?`, type: h.type, qualifier: null })),
        ];
        out = { kind: "project", input: plan.input, exprs, fields };
      }
      out = { kind: "sort", input: out, keys, fields: out.fields };
      if (hidden.length > 0) {
        const keep = plan.fields.slice(0, visible);
        out = this.limit(out, q);
        return {
          kind: "project",
          input: out,
          exprs: keep.map((f, i) => ({ kind: "column", index: i, type: f.type })),
          fields: keep,
        };
      }
    }
    return this.limit(out, q);
  }

  orderKey(
    e: ast.Expr,
    plan: LogicalPlan,
    select: { scope: Scope; inputPlan: LogicalPlan; distinct: boolean } | null,
    hidden: BoundExpr[],
  ): BoundExpr {
    if (e.kind === "literal" && e.value.kind !== "typed_string") {
      if (e.value.kind !== "number" || !/^-?\d+$/.test(e.value.text)) {
        throw new DbError(SqlState.syntaxError, "non-integer constant in ORDER BY", pos1(e));
      }
      const k = Number(e.value.text);
      if (k < 1 || k > plan.fields.length) {
        throw new DbError("42P10", `ORDER BY position ${k} is not in select list`, pos1(e));
      }
      return { kind: "column", index: k - 1, type: plan.fields[k - 1]!.type };
    }
    if (e.kind === "column_ref" && e.parts.length === 1) {
      const matches = plan.fields.map((f, i) => ({ f, i })).filter(({ f }) =>
        f.name === e.parts[0]
      );
      if (matches.length === 1 || (matches.length > 1 && select === null)) {
        const m = matches[0]!;
        return { kind: "column", index: m.i, type: m.f.type };
      }
      if (matches.length > 1) {
        throw new DbError(
          SqlState.ambiguousColumn,
          `ORDER BY "${e.parts[0]}" is ambiguous`,
          pos1(e),
        );
      }
    }
    if (select === null) {
      // Over VALUES or a nested query: only output columns are visible.
      return this.expr(e, { fields: plan.fields });
    }
    const bound = this.expr(e, select.scope);
    // Reuse an identical output expression when there is one.
    if (plan.kind === "project" || plan.kind === "distinct") {
      const proj = plan.kind === "project" ? plan : plan.input;
      if (proj.kind === "project") {
        const key = exprKey(bound);
        const same = proj.exprs.findIndex((x) => exprKey(x) === key);
        if (same >= 0) return { kind: "column", index: same, type: bound.type };
      }
    }
    if (select.distinct) {
      throw new DbError(
        "42P10",
        "for SELECT DISTINCT, ORDER BY expressions must appear in select list",
        pos1(e),
      );
    }
    hidden.push(bound);
    return { kind: "column", index: plan.fields.length + hidden.length - 1, type: bound.type };
  }

  limit(plan: LogicalPlan, q: ast.Query): LogicalPlan {
    if (q.limit === null && q.offset === null) return plan;
    const limit = q.limit === null ? null : this.limitArgument(q.limit, "LIMIT", plan);
    const offset = q.offset === null ? 0 : this.limitArgument(q.offset, "OFFSET", plan) ?? 0;
    return {
      kind: "limit",
      input: plan,
      limit: typeof limit === "number" ? limit : null,
      offset: typeof offset === "number" ? offset : 0,
      ...(limit !== null && typeof limit === "object" ? { limitExpr: limit } : {}),
      ...(typeof offset === "object" ? { offsetExpr: offset } : {}),
      fields: plan.fields,
    };
  }

  /**
   * A LIMIT or OFFSET argument: its value when it is constant, else (a subquery, a volatile
   * function) the bigint expression to evaluate once when the query runs, as PostgreSQL does.
   */
  limitArgument(e: ast.Expr, what: string, plan: LogicalPlan): number | null | BoundExpr {
    let bound: BoundExpr;
    try {
      bound = this.expr(e, emptyScope);
    } catch (err) {
      // a column of the query itself: PostgreSQL names the real problem
      if (err instanceof DbError && err.code === SqlState.undefinedColumn) {
        let isOwn = false;
        try {
          this.expr(e, { fields: plan.fields });
          isOwn = true;
        } catch { /* not a column of this query either */ }
        if (isOwn) {
          throw new DbError("42P10", `argument of ${what} must not contain variables`, pos1(e));
        }
      }
      throw err;
    }
    const folded = foldExpr(this.assignInt8(bound, what, e));
    if (!isConstantTree(folded)) {
      let reads = false;
      walkBound(folded, (n) => {
        if (n.kind === "column" || n.kind === "outer_column") reads = true;
      });
      if (reads) {
        throw new DbError("42P10", `argument of ${what} must not contain variables`, pos1(e));
      }
      return folded;
    }
    return this.constInt(e, what);
  }

  /** Coerces a LIMIT/OFFSET argument to bigint in assignment context (PostgreSQL's rule). */
  assignInt8(b: BoundExpr, what: string, node: ast.Expr): BoundExpr {
    if (b.type.kind === "int8") return b;
    if (this.#untyped.has(b) || b.type.kind === "unknown") return this.coerce(b, Types.int8, what);
    if (isNumeric(b.type)) return this.cast(b, Types.int8);
    throw new DbError(
      SqlState.datatypeMismatch,
      `argument of ${what} must be type bigint, not type ${typeToSql(b.type)}`,
      pos1(node),
    );
  }

  constInt(e: ast.Expr, what: string): number | null {
    const bound = this.assignInt8(this.expr(e, emptyScope), what, e);
    const folded = foldExpr(bound); // LIMIT 2 - 1 is a constant expression too
    if (folded.kind !== "const" && folded.kind !== "param" && folded.kind !== "cast") {
      throw new DbError(
        SqlState.syntaxError,
        `argument of ${what} must not contain variables`,
        pos1(e),
      );
    }
    const v = evaluateConstant(folded, this.ctx.params);
    if (v === null) return null;
    const n = Number(v);
    if (n < 0) throw new DbError("2201W", `${what} must not be negative`, pos1(e));
    return n;
  }

  // ---- expressions ---------------------------------------------------------------------------

  predicate(e: ast.Expr, scope: Scope, context: string): BoundExpr {
    const b = this.expr(e, scope);
    return this.coerceBool(b, context, e);
  }

  coerceBool(b: BoundExpr, context: string, node: { pos: number }): BoundExpr {
    if (b.type.kind === "bool") return b;
    if (b.type.kind === "unknown" || this.#untyped.has(b)) return this.cast(b, Types.bool);
    throw new DbError(
      SqlState.datatypeMismatch,
      `argument of ${context} must be type boolean, not type ${typeToSql(b.type)}`,
      pos1(node),
    );
  }

  /** TRY_CAST: a literal that does not convert is NULL; other operands convert row by row. */
  tryCast(c: BoundExpr, operand: BoundExpr, type: DataType): BoundExpr {
    if (operand.kind === "const") {
      try {
        return { kind: "const", value: evaluateConstant(c, this.ctx.params), type };
      } catch (err) {
        if (err instanceof DbError && err.code.startsWith("22")) {
          return { kind: "const", value: null, type };
        }
        throw err;
      }
    }
    return { kind: "call", fn: tryCastFunction(type), args: [operand], type };
  }

  cast(b: BoundExpr, type: DataType): BoundExpr {
    if (sameType(b.type, type)) return b;
    if (b.kind === "const" && (b.value === null)) return { kind: "const", value: null, type };
    return this.castNode(b, type);
  }

  /**
   * A call that reads a timestamptz's local time, rewritten to read it in the session time zone,
   * as PostgreSQL's stable timestamptz functions do: `date_trunc` truncates the local time and
   * reads it back, `date_part` / EXTRACT and `to_char` read local fields.
   */
  inSessionZone(call: BoundExpr & { kind: "call" }): BoundExpr {
    const zone = this.ctx.timeZone;
    if (zone === undefined || zone.isUtc) return call;
    const name = call.fn.name;
    const at = name === "to_char" ? 0 : 1;
    const ts = call.args[at];
    if (ts === undefined || ts.type.kind !== "timestamptz") return call;
    const local = this.castNode(ts, Types.timestamp);
    const args = call.args.map((a, i) => (i === at ? local : a));
    switch (name) {
      case "date_trunc":
        if (args.length !== 2) return call;
        return this.castNode({ ...call, args, type: Types.timestamp }, Types.timestamptz);
      case "date_part": {
        const field = args[0]!;
        if (field.kind !== "const" || typeof field.value !== "string") return call;
        const f = field.value.trim().toLowerCase();
        if (f === "epoch" || f.startsWith("timezone")) return call;
        return { ...call, args };
      }
      case "to_char":
        return { ...call, args };
      default:
        return call;
    }
  }

  /** The precision argument of `current_timestamp(p)`: an integer constant, capped at 6. */
  timePrecision(arg: ast.Expr): number {
    const b = this.expr(arg, emptyScope);
    const v = b.kind === "const" ? b.value : null;
    if (typeof v !== "number" || !Number.isInteger(v)) {
      throw new DbError(
        SqlState.syntaxError,
        "timestamp precision must be an integer constant",
        pos1(arg),
      );
    }
    if (v < 0) {
      throw new DbError(
        SqlState.invalidParameterValue,
        `TIMESTAMP(${v}) precision must not be negative`,
        pos1(arg),
      );
    }
    return Math.min(v, timestampPrecisionMax); // PostgreSQL reduces a larger one to 6 (warning)
  }

  /** A cast node; one that reads the session time zone carries it (when it is not UTC). */
  castNode(operand: BoundExpr, type: DataType): BoundExpr & { kind: "cast" } {
    const zone = this.ctx.timeZone;
    if (zone !== undefined && !zone.isUtc && castDependsOnZone(operand.type, type)) {
      return { kind: "cast", operand, type, zone };
    }
    return { kind: "cast", operand, type };
  }

  /** Implicit coercion to `type` (untyped literals take any type; numerics widen). */
  coerce(b: BoundExpr, type: DataType, context: string): BoundExpr {
    if (b.type.kind === type.kind) return b;
    if (b.type.kind === "unknown") return { ...b, type } as BoundExpr;
    if (this.#untyped.has(b)) {
      const c = this.cast(b, type);
      // an untyped literal (or text parameter) is read by the type's input function now, as
      // PostgreSQL's coerce_type does for an unknown-type constant: a bad one is reported here,
      // and a good one is a constant of the type, not a cast evaluated per row
      if (b.kind === "const") {
        return { kind: "const", value: evaluateConstant(c, this.ctx.params), type: c.type };
      }
      return c;
    }
    if (isNumeric(b.type) && isNumeric(type)) return this.cast(b, type);
    if (isString(b.type) && isString(type)) return this.cast(b, type);
    if (typeInfo[b.type.kind].category === "D" && typeInfo[type.kind].category === "D") {
      return this.cast(b, type);
    }
    throw new DbError(
      SqlState.datatypeMismatch,
      `${context} types ${typeToSql(b.type)} and ${typeToSql(type)} cannot be matched`,
    );
  }

  expr(e: ast.Expr, scope: Scope): BoundExpr {
    if (scope.agg !== undefined) {
      const hit = this.groupMatch(e, scope.agg);
      if (hit !== null) return hit;
    }
    switch (e.kind) {
      case "literal":
        return this.literal(e);
      case "column_ref":
        return this.columnRef(e, scope);
      case "param": {
        if (e.index > this.ctx.params.length) {
          throw new DbError(
            SqlState.undefinedParameter,
            `there is no parameter $${e.index}`,
            pos1(e),
          );
        }
        const generic = this.ctx.generic;
        if (generic !== undefined && (this.ctx.paramTypes?.[e.index - 1] ?? null) === null) {
          // a generic plan: a reference, untyped for a string (as a literal would be)
          const v = generic.values[e.index - 1] ?? null;
          const b: BoundExpr = {
            kind: "param",
            index: e.index,
            type: typeof v === "string" ? Types.text : paramType(v),
          };
          if (typeof v === "string") this.#untyped.add(b);
          return b;
        }
        const v = this.ctx.params[e.index - 1];
        const declared = this.ctx.paramTypes?.[e.index - 1] ?? null;
        if (declared !== null) return { kind: "const", value: v ?? null, type: declared };
        if (typeof v === "string") {
          // a text parameter binds exactly like a string literal (each execution binds again,
          // so its value is known): it takes its type from where it is used, and as a constant
          // the optimizer and storage can prune by it
          const b: BoundExpr = { kind: "const", value: v, type: Types.text };
          this.#untyped.add(b);
          return b;
        }
        const b: BoundExpr = { kind: "param", index: e.index, type: paramType(v) };
        return b;
      }
      case "unary": {
        const operand = this.expr(e.operand, scope);
        if (e.op === "not") {
          return { kind: "not", operand: this.coerceBool(operand, "NOT", e), type: Types.bool };
        }
        let o = operand;
        if (this.#untyped.has(o) || o.type.kind === "unknown") {
          o = this.coerce(o, Types.float8, "unary");
        }
        if (!isNumeric(o.type) && o.type.kind !== "interval") {
          throw new DbError(
            SqlState.undefinedFunction,
            `operator does not exist: ${e.op} ${typeToSql(o.type)}`,
            pos1(e),
          );
        }
        return e.op === "-" ? { kind: "neg", operand: o, type: o.type } : o;
      }
      case "binary":
        return this.binary(e, scope);
      case "is_null":
        return {
          kind: "is_null",
          negated: e.negated,
          operand: this.expr(e.operand, scope),
          type: Types.bool,
        };
      case "is_bool": {
        // x IS TRUE  ==  coalesce(x = true, false); x IS NOT TRUE == not that.
        const operand = this.coerceBool(this.expr(e.operand, scope), "IS", e);
        let test: BoundExpr;
        if (e.value === null) test = { kind: "is_null", negated: false, operand, type: Types.bool };
        else {
          const eq: BoundExpr = e.value ? operand : { kind: "not", operand, type: Types.bool };
          test = {
            kind: "case",
            whens: [{
              when: { kind: "is_null", negated: false, operand, type: Types.bool },
              then: { kind: "const", value: false, type: Types.bool },
            }],
            else: eq,
            type: Types.bool,
          };
        }
        return e.negated ? { kind: "not", operand: test, type: Types.bool } : test;
      }
      case "is_distinct": {
        // a IS DISTINCT FROM b == case when a is null then b is not null when b is null then true else a <> b
        const [l, r] = this.comparable(this.expr(e.left, scope), this.expr(e.right, scope), e);
        const lNull: BoundExpr = { kind: "is_null", negated: false, operand: l, type: Types.bool };
        const rNull: BoundExpr = { kind: "is_null", negated: false, operand: r, type: Types.bool };
        const distinct: BoundExpr = {
          kind: "case",
          whens: [
            { when: lNull, then: { kind: "is_null", negated: true, operand: r, type: Types.bool } },
            { when: rNull, then: { kind: "const", value: true, type: Types.bool } },
          ],
          else: { kind: "op", op: "ne", left: l, right: r, type: Types.bool },
          type: Types.bool,
        };
        return e.negated ? { kind: "not", operand: distinct, type: Types.bool } : distinct;
      }
      case "between": {
        const x = this.expr(e.operand, scope);
        const lo = this.expr(e.low, scope);
        const hi = this.expr(e.high, scope);
        const [x1, lo1] = this.comparable(x, lo, e);
        const [x2, hi1] = this.comparable(x, hi, e);
        let test: BoundExpr = {
          kind: "op",
          op: "and",
          left: { kind: "op", op: "ge", left: x1, right: lo1, type: Types.bool },
          right: { kind: "op", op: "le", left: x2, right: hi1, type: Types.bool },
          type: Types.bool,
        };
        if (e.symmetric) {
          test = {
            kind: "op",
            op: "or",
            left: test,
            right: {
              kind: "op",
              op: "and",
              left: { kind: "op", op: "ge", left: x2, right: hi1, type: Types.bool },
              right: { kind: "op", op: "le", left: x1, right: lo1, type: Types.bool },
              type: Types.bool,
            },
            type: Types.bool,
          };
        }
        return e.negated ? { kind: "not", operand: test, type: Types.bool } : test;
      }
      case "in_list": {
        const x = this.expr(e.operand, scope);
        const items = e.list.map((i) => this.expr(i, scope));
        // (PostgreSQL's contain_vars_of_level(item, 0): a column of this query level, or a
        // subquery reading one; an enclosing query's column is a constant here)
        const readsColumns = (b: BoundExpr): boolean => {
          let found = false;
          walkBound(b, (n) => {
            if (n.kind === "column" || (n.kind === "subquery" && n.correlated)) found = true;
          });
          return found;
        };
        // PostgreSQL (transformAExprIn): with more than one item that reads no column, those
        // items and x take one common type (42804 when there is none) and become one
        // x = ANY(ARRAY[...]) test, evaluated first; the other items (or all of them, when at
        // most one reads no column) are x = a OR x = b ... (x <> a AND ... for NOT IN) in order,
        // each comparison typed on its own as the = operator is (int8 = int8 stays exact even
        // when a float constant is in the list)
        const constant = items.filter((b) => !readsColumns(b));
        let test: BoundExpr | null = null;
        let ordered = items;
        if (constant.length > 1) {
          const group = [x, ...constant];
          const t = commonType(
            group.filter((b) => !this.#untyped.has(b)).map((b) => b.type),
            "IN",
          );
          // a date compared with timestamps goes through the cross-type comparison's
          // conversion (out-of-range dates compare as ±infinity), as with =
          const xc =
            x.type.kind === "date" && (t.kind === "timestamp" || t.kind === "timestamptz") &&
              !this.#untyped.has(x)
              ? {
                kind: "call" as const,
                fn: dateForTimestampComparison(t, this.ctx.timeZone),
                args: [x],
                type: t,
              }
              : this.coerce(x, t, "IN");
          test = {
            kind: "call",
            fn: inValuesFunction(e.negated),
            // (the items of the array are cast to the common type, as PostgreSQL builds it)
            args: [xc, ...constant.map((it) => this.coerce(it, t, "IN"))],
            type: Types.bool,
          };
          ordered = items.filter(readsColumns);
        }
        for (const it of ordered) {
          const [l, r] = this.comparable(x, it, e);
          const cmp: BoundExpr = {
            kind: "op",
            op: e.negated ? "ne" : "eq",
            left: l,
            right: r,
            type: Types.bool,
          };
          test = test === null ? cmp : {
            kind: "op",
            op: e.negated ? "and" : "or",
            left: test,
            right: cmp,
            type: Types.bool,
          };
        }
        return test!;
      }
      case "like": {
        // x [NOT] [I]LIKE p [ESCAPE c] is the function like/ilike(x, p[, c]) from the registry.
        const call = this.call(
          callExpr(
            [e.caseInsensitive ? "ilike" : "like"],
            e.escape === null ? [e.operand, e.pattern] : [e.operand, e.pattern, e.escape],
            e.pos,
          ),
          scope,
        );
        return e.negated ? { kind: "not", operand: call, type: Types.bool } : call;
      }
      case "case":
        return this.caseExpr(e, scope);
      case "cast": {
        if (Object.hasOwn(REG_TYPES, e.type.name)) return this.regCast(e, scope);
        const type = bindTypeName(e.type);
        if (
          e.operand.kind === "array" && e.operand.elements.length === 0 && type.kind === "array"
        ) {
          return { kind: "const", value: "{}", type }; // ARRAY[]::int[]
        }
        const operand = this.expr(e.operand, scope);
        if (!canCast(operand.type, type) && !this.#untyped.has(operand)) {
          throw new DbError(
            "42846", // cannot_coerce
            `cannot cast type ${typeToSql(operand.type)} to ${typeToSql(type)}`,
            pos1(e),
          );
        }
        const c: BoundExpr = this.castNode(operand, type);
        if (e.try === true) return this.tryCast(c, operand, type);
        if (this.#untyped.has(operand) && operand.kind === "const") {
          // a string literal takes its type when the statement is analysed, as in PostgreSQL:
          // '90 minutes'::interval is a constant (bad text is an error here, even with no rows)
          return { kind: "const", value: evaluateConstant(c, this.ctx.params), type };
        }
        return c;
      }
      case "function":
        return this.call(e, scope);
      case "subquery":
      case "exists":
      case "in_subquery":
      case "quantified":
        return this.subqueryExpr(e, scope);
      case "array":
      case "subscript":
      case "quantified_array":
        return this.arrayExpr(e, scope);
      case "default": {
        const d = this.#valuesDefaults.get(e);
        if (d === undefined) {
          throw new DbError(
            SqlState.syntaxError,
            "DEFAULT is not allowed in this context",
            pos1(e),
          );
        }
        return d;
      }
      default:
        return unreachable(e, "expression");
    }
  }

  literal(e: ast.Expr & { kind: "literal" }): BoundExpr {
    const v = e.value;
    switch (v.kind) {
      case "null":
        return { kind: "const", value: null, type: Types.unknown };
      case "bool":
        return { kind: "const", value: v.value, type: Types.bool };
      case "number": {
        if (/^-?\d+$/.test(v.text)) {
          const n = Number(v.text);
          if (n >= -2147483648 && n <= 2147483647) {
            return { kind: "const", value: n, type: Types.int4 };
          }
          const big = BigInt(v.text);
          if (big >= -(2n ** 63n) && big < 2n ** 63n) {
            return { kind: "const", value: big, type: Types.int8 };
          }
        }
        // Decimal and very large literals are NUMERIC, as in PostgreSQL.
        return { kind: "const", value: formatDec(parseDec(v.text)), type: Types.numeric };
      }
      case "string": {
        const b: BoundExpr = { kind: "const", value: v.value, type: Types.text };
        this.#untyped.add(b);
        return b;
      }
      case "typed_string": {
        const type = bindTypeName(v.type);
        const c: BoundExpr = this.castNode(
          { kind: "const", value: v.value, type: Types.text },
          type,
        );
        const value = evaluateConstant(c, this.ctx.params);
        return { kind: "const", value, type };
      }
      default:
        return unreachable(v, "literal");
    }
  }

  columnRef(e: ast.Expr & { kind: "column_ref" }, scope: Scope): BoundExpr {
    if (scope.agg !== undefined) {
      let b: BoundExpr;
      try {
        b = this.columnRef(e, scope.agg.input); // 42703 / 42702 first, as PostgreSQL does
      } catch (err) {
        const alias = e.parts.length === 1 ? scope.aliases?.get(e.parts[0]!) : undefined;
        if (alias === undefined || !(err instanceof DbError)) throw err;
        if (err.code !== SqlState.undefinedColumn) throw err;
        return this.expr(alias, { fields: scope.fields, agg: scope.agg, outer: scope.outer });
      }
      if (b.kind === "outer_column") return b;
      throw new DbError(
        SqlState.groupingError,
        `column "${
          e.parts.join(".")
        }" must appear in the GROUP BY clause or be used in an aggregate function`,
        pos1(e),
      );
    }
    const found = findField(scope.fields, e);
    if (found >= 0) return { kind: "column", index: found, type: scope.fields[found]!.type };
    const outer = scope.outer === undefined ? null : this.outerRef(e, scope.outer);
    if (outer !== null) return outer;
    const qualifier = e.parts.length >= 2 ? e.parts[e.parts.length - 2]! : null;
    if (qualifier !== null && !scope.fields.some((f) => f.qualifier === qualifier)) {
      throw new DbError(
        SqlState.undefinedTable,
        `missing FROM-clause entry for table "${qualifier}"`,
        pos1(e),
      );
    }
    // PostgreSQL quotes a bare name but not a qualified one: column "x" / column t.x
    throw new DbError(
      SqlState.undefinedColumn,
      `column ${e.parts.length === 1 ? `"${e.parts[0]}"` : e.parts.join(".")} does not exist`,
      pos1(e),
    );
  }

  /** Resolves a column in enclosing queries' scopes: a correlated reference. */
  outerRef(e: ast.Expr & { kind: "column_ref" }, start: Scope): BoundExpr | null {
    let depth = 1;
    for (let s: Scope | undefined = start; s !== undefined; s = s.outer, depth++) {
      let index = -1;
      let type: DataType = Types.unknown;
      if (s.agg !== undefined) {
        const hit = this.groupMatch(e, s.agg);
        if (hit !== null && hit.kind === "column") {
          index = hit.index;
          type = hit.type;
        } else if (findField(s.agg.input.fields, e) >= 0) {
          throw new DbError(
            SqlState.groupingError,
            `subquery uses ungrouped column "${e.parts.join(".")}" from outer query`,
            pos1(e),
          );
        }
      } else {
        index = findField(s.fields, e);
        if (index >= 0) type = s.fields[index]!.type;
      }
      if (index >= 0) {
        for (let k = 0; k < depth && k < this.#frames.length; k++) {
          this.#frames[this.#frames.length - 1 - k]!.correlated = true;
        }
        return { kind: "outer_column", depth, index, type };
      }
    }
    return null;
  }

  /** Binds a subquery in `scope`: its FROM sees `scope` as the enclosing row. */
  subplan(q: ast.Query, scope: Scope): { plan: LogicalPlan; correlated: boolean } {
    const frame = { correlated: false };
    this.#frames.push(frame);
    const saved = this.#outer;
    this.#outer = scope;
    try {
      return { plan: this.query(q), correlated: frame.correlated };
    } finally {
      this.#outer = saved;
      this.#frames.pop();
    }
  }

  subqueryExpr(
    e: ast.Expr & { kind: "subquery" | "exists" | "in_subquery" | "quantified" },
    scope: Scope,
  ): BoundExpr {
    const { plan, correlated } = this.subplan(e.query, scope);
    if (e.kind === "exists") {
      return {
        kind: "subquery",
        mode: "exists",
        compare: null,
        plan,
        operand: null,
        negated: false,
        correlated,
        type: Types.bool,
      };
    }
    if (plan.fields.length !== 1) {
      throw new DbError(SqlState.syntaxError, "subquery must return only one column", pos1(e));
    }
    const field = plan.fields[0]!;
    if (e.kind === "subquery") {
      const type = field.type.kind === "unknown" ? Types.text : field.type;
      return {
        kind: "subquery",
        mode: "scalar",
        compare: null,
        plan,
        operand: null,
        negated: false,
        correlated,
        type,
      };
    }
    // x IN (SELECT y ...): compare in a common type
    const operand = this.expr(e.operand, scope);
    const [a, b] = this.comparable(operand, { kind: "column", index: 0, type: field.type }, e);
    const sub: LogicalPlan = b.kind === "column"
      ? plan
      : { kind: "project", input: plan, exprs: [b], fields: [{ ...field, type: b.type }] };
    if (e.kind === "quantified") {
      const compare =
        ({ "=": "eq", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" } as const)[e.op];
      return {
        kind: "subquery",
        mode: e.all ? "all" : "any",
        compare,
        plan: sub,
        operand: a,
        negated: false,
        correlated,
        type: Types.bool,
      };
    }
    const test: BoundExpr = {
      kind: "subquery",
      mode: "in",
      compare: null,
      plan: sub,
      operand: a,
      negated: false,
      correlated,
      type: Types.bool,
    };
    return e.negated ? { kind: "not", operand: test, type: Types.bool } : test;
  }

  /** Coerces two operands of a comparison to a common type. */
  comparable(l: BoundExpr, r: BoundExpr, node: ast.Expr): [BoundExpr, BoundExpr] {
    const lu = this.#untyped.has(l) || l.type.kind === "unknown";
    const ru = this.#untyped.has(r) || r.type.kind === "unknown";
    if (lu && ru) {
      return [this.coerce(l, Types.text, "comparison"), this.coerce(r, Types.text, "comparison")];
    }
    if (lu) return [this.coerce(l, r.type, "comparison"), r];
    if (ru) return [l, this.coerce(r, l.type, "comparison")];
    const lc = typeInfo[l.type.kind].category;
    const rc = typeInfo[r.type.kind].category;
    if (lc !== rc) {
      throw new DbError(
        SqlState.undefinedFunction,
        `operator does not exist: ${typeToSql(l.type)} = ${typeToSql(r.type)}`,
        {
          ...pos1(node),
          hint:
            "No operator matches the given name and argument types. You might need to add explicit type casts.",
        },
      );
    }
    const t = commonType([l.type, r.type], "comparison");
    const widen = (x: BoundExpr): BoundExpr =>
      x.type.kind === "date" && (t.kind === "timestamp" || t.kind === "timestamptz")
        ? { kind: "call", fn: dateForTimestampComparison(t, this.ctx.timeZone), args: [x], type: t }
        : this.cast(x, t);
    return [widen(l), widen(r)];
  }

  binary(e: ast.Expr & { kind: "binary" }, scope: Scope): BoundExpr {
    const l = this.expr(e.left, scope);
    const r = this.expr(e.right, scope);
    switch (e.op) {
      case "and":
      case "or":
        return {
          kind: "op",
          op: e.op,
          left: this.coerceBool(l, e.op.toUpperCase(), e.left),
          right: this.coerceBool(r, e.op.toUpperCase(), e.right),
          type: Types.bool,
        };
      case "=":
      case "<>":
      case "<":
      case "<=":
      case ">":
      case ">=": {
        const op: BoundOp =
          ({ "=": "eq", "<>": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge" } as const)[e.op];
        const [a, b] = this.comparable(l, r, e);
        return { kind: "op", op, left: a, right: b, type: Types.bool };
      }
      case "||": {
        const lt = this.#untyped.has(l) || l.type.kind === "unknown" || isString(l.type);
        const rt = this.#untyped.has(r) || r.type.kind === "unknown" || isString(r.type);
        if (!lt && !rt) {
          throw new DbError(
            SqlState.undefinedFunction,
            `operator does not exist: ${typeToSql(l.type)} || ${typeToSql(r.type)}`,
            pos1(e),
          );
        }
        return { kind: "op", op: "concat", left: l, right: r, type: Types.text };
      }
      case "+":
      case "-":
      case "*":
      case "/":
      case "%":
      case "^": {
        let a = l;
        let b = r;
        const au = this.#untyped.has(a) || a.type.kind === "unknown";
        const bu = this.#untyped.has(b) || b.type.kind === "unknown";
        const dt = this.datetimeArith(e, a, au, b, bu);
        if (dt !== null) return dt;
        if (au && bu) {
          a = this.coerce(a, e.op === "^" ? Types.float8 : Types.int4, "operator");
          b = this.coerce(b, e.op === "^" ? Types.float8 : Types.int4, "operator");
        } else if (au) a = this.coerce(a, b.type, "operator");
        else if (bu) b = this.coerce(b, a.type, "operator");
        if (!isNumeric(a.type) || !isNumeric(b.type)) {
          throw new DbError(
            SqlState.undefinedFunction,
            `operator does not exist: ${typeToSql(a.type)} ${e.op} ${typeToSql(b.type)}`,
            {
              ...pos1(e),
              hint:
                "No operator matches the given name and argument types. You might need to add explicit type casts.",
            },
          );
        }
        let t = widerNumeric(a.type, b.type);
        if (e.op === "^") t = Types.float8;
        if (t.kind === "float4" && (a.type.kind !== "float4" || b.type.kind !== "float4")) {
          t = Types.float8;
        }
        if (e.op === "%" && (t.kind === "float4" || t.kind === "float8")) {
          throw new DbError(
            SqlState.undefinedFunction,
            `operator does not exist: ${typeToSql(a.type)} % ${typeToSql(b.type)}`,
            pos1(e),
          );
        }
        const op: BoundOp =
          ({ "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "^": "pow" } as const)[
            e.op
          ];
        return { kind: "op", op, left: this.cast(a, t), right: this.cast(b, t), type: t };
      }
      default:
        return unreachable(e.op, "operator");
    }
  }

  /**
   * PostgreSQL's date/time operators (see kernels/datetime_arith.ts); `null` when neither side
   * is a date, timestamp or interval. An untyped literal beside one becomes an interval, or an
   * integer next to a date.
   */
  datetimeArith(
    e: ast.Expr & { kind: "binary" },
    l: BoundExpr,
    lu: boolean,
    r: BoundExpr,
    ru: boolean,
  ): BoundExpr | null {
    const isDt = (t: DataType) =>
      t.kind === "date" || t.kind === "timestamp" || t.kind === "timestamptz" ||
      t.kind === "interval" || t.kind === "time";
    if ((lu || !isDt(l.type)) && (ru || !isDt(r.type))) return null;
    let a = l;
    let b = r;
    if (lu) {
      a = this.coerce(
        a,
        b.type.kind === "date" && e.op !== "-" ? Types.int4 : Types.interval,
        "operator",
      );
    }
    if (ru) {
      b = this.coerce(
        b,
        a.type.kind === "date" ? (e.op === "-" ? Types.int4 : Types.int4) : Types.interval,
        "operator",
      );
    }
    const ak = a.type.kind;
    const bk = b.type.kind;
    const isInt = (k: string) => k === "int2" || k === "int4" || k === "int8";
    const isTs = (k: string) => k === "timestamp" || k === "timestamptz";
    const op =
      ({ "+": "add", "-": "sub", "*": "mul", "/": "div" } as const)[e.op as "+" | "-" | "*" | "/"];
    let type: DataType | null = null;
    if (op === "add" && ((ak === "date" && isInt(bk)) || (isInt(ak) && bk === "date"))) {
      type = Types.date;
    } else if (op === "sub" && ak === "date" && isInt(bk)) type = Types.date;
    else if (op === "sub" && ak === "date" && bk === "date") type = Types.int4;
    else if ((op === "add" || op === "sub") && (ak === "date" || isTs(ak)) && bk === "interval") {
      type = ak === "timestamptz" ? Types.timestamptz : Types.timestamp;
    } else if (op === "add" && ak === "interval" && (bk === "date" || isTs(bk))) {
      type = bk === "timestamptz" ? Types.timestamptz : Types.timestamp;
    } else if (op === "sub" && isTs(ak) && isTs(bk)) {
      if (ak !== bk) b = this.cast(b, a.type);
      type = Types.interval;
    } else if (op === "sub" && ((ak === "date" && isTs(bk)) || (isTs(ak) && bk === "date"))) {
      const t = ak === "date" ? b.type : a.type;
      a = this.cast(a, t);
      b = this.cast(b, t);
      type = Types.interval;
    } else if ((op === "add" || op === "sub") && ak === "interval" && bk === "interval") {
      type = Types.interval;
    } else if ((op === "add" || op === "sub") && ak === "time" && bk === "interval") {
      type = Types.time;
    } else if (op === "add" && ak === "interval" && bk === "time") type = Types.time;
    else if (op === "sub" && ak === "time" && bk === "time") type = Types.interval;
    else if (
      (op === "add" && ((ak === "date" && bk === "time") || (ak === "time" && bk === "date"))) ||
      (op === "sub" && ak === "date" && bk === "time")
    ) {
      type = Types.timestamp;
    } else if (op === "mul" && ak === "interval" && isNumeric(b.type)) type = Types.interval;
    else if (op === "mul" && isNumeric(a.type) && bk === "interval") type = Types.interval;
    else if (op === "div" && ak === "interval" && isNumeric(b.type)) type = Types.interval;
    if (type === null || op === undefined) {
      throw new DbError(
        SqlState.undefinedFunction,
        `operator does not exist: ${typeToSql(a.type)} ${e.op} ${typeToSql(b.type)}`,
        {
          ...pos1(e),
          hint:
            "No operator matches the given name and argument types. You might need to add explicit type casts.",
        },
      );
    }
    const zone = this.ctx.timeZone;
    if (type.kind === "timestamptz" && zone !== undefined && zone.hasRules) {
      return { kind: "op", op, left: a, right: b, type, zone };
    }
    return { kind: "op", op, left: a, right: b, type };
  }

  caseExpr(e: ast.Expr & { kind: "case" }, scope: Scope): BoundExpr {
    const operand = e.operand === null ? null : this.expr(e.operand, scope);
    const whens = e.whens.map((w) => {
      let cond: BoundExpr;
      if (operand !== null) {
        const [a, b] = this.comparable(operand, this.expr(w.when, scope), w.when);
        cond = { kind: "op", op: "eq", left: a, right: b, type: Types.bool };
      } else cond = this.predicate(w.when, scope, "CASE/WHEN");
      return { when: cond, then: this.expr(w.then, scope) };
    });
    const elseExpr = e.else === null
      ? { kind: "const" as const, value: null, type: Types.unknown }
      : this.expr(e.else, scope);
    const results = [...whens.map((w) => w.then), elseExpr];
    const typed = results.filter((b) => !this.#untyped.has(b)).map((b) => b.type);
    const t = commonType(typed, "CASE");
    return {
      kind: "case",
      whens: whens.map((w) => ({ when: w.when, then: this.coerce(w.then, t, "CASE") })),
      else: this.coerce(elseExpr, t, "CASE"),
      type: t,
    };
  }

  /** GROUPING(a, b): a bitmask of which arguments are not grouped in the current row's set. */
  groupingCall(e: ast.Expr & { kind: "function" }, scope: Scope): BoundExpr {
    const agg = scope.agg;
    if (agg === undefined) {
      throw new DbError(
        SqlState.groupingError,
        "GROUPING must be used in a query with GROUP BY",
        pos1(e),
      );
    }
    if (e.args.length === 0 || e.args.length > 31) {
      throw new DbError(SqlState.syntaxError, "GROUPING takes 1 to 31 arguments", pos1(e));
    }
    const positions = e.args.map((a) => {
      const i = agg.groupKeys.indexOf(exprKey(this.expr(a, agg.input)));
      if (i < 0) {
        throw new DbError(
          SqlState.groupingError,
          "arguments to GROUPING must be grouping expressions of the associated query level",
          pos1(a),
        );
      }
      return i;
    });
    const key = `grouping:${positions.join(",")}`;
    let i = agg.aggregateKeys.indexOf(key);
    if (i < 0) {
      i = agg.aggregates.length;
      agg.aggregates.push({
        fn: groupingPseudoAggregate,
        resolution: { returns: Types.int4, argTypes: [] },
        args: [],
        distinct: false,
        filter: null,
        type: Types.int4,
        groupingKeys: positions,
      });
      agg.aggregateKeys.push(key);
    }
    return { kind: "column", index: agg.groups.length + i, type: Types.int4 };
  }

  aggregateCall(e: ast.Expr & { kind: "function" }, name: string, scope: Scope): BoundExpr {
    const agg = scope.agg;
    if (agg === undefined) {
      throw new DbError(
        SqlState.groupingError,
        `aggregate function calls are not allowed here`,
        pos1(e),
      );
    }
    if (e.over !== null) throw notSupported("window functions", e.pos + 1);
    let orderBy: BoundAggregate["orderBy"] = undefined;
    if (e.orderBy.length > 0) {
      if (ORDERED_SET_AGGREGATES.has(name)) {
        // Ordered-set aggregates: f(direct args) WITHIN GROUP (ORDER BY x) is called as f(x, args).
        if (e.orderBy.length !== 1 || e.orderBy[0]!.descending) {
          throw notSupported("WITHIN GROUP with several or descending keys", e.pos + 1);
        }
        return this.aggregateCall(
          { ...e, args: [e.orderBy[0]!.expr, ...e.args], orderBy: [] },
          name,
          scope,
        );
      }
      // agg(x ORDER BY y): the rows reach the accumulator in that order
      orderBy = e.orderBy.map((o) => ({
        expr: this.expr(o.expr, agg.input),
        descending: o.descending,
        nullsFirst: o.nullsFirst ?? this.nullsFirstDefault(o.descending),
      }));
      if (e.distinct) {
        const argKeys = e.args.map((a) => exprKey(this.expr(a, agg.input)));
        for (const o of orderBy) {
          if (!argKeys.includes(exprKey(o.expr))) {
            throw new DbError(
              "42P10",
              "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list",
              pos1(e),
            );
          }
        }
      }
    } else if (e.distinct && e.args.length > 0 && ORDER_SENSITIVE_AGGREGATES.has(name)) {
      // PostgreSQL feeds DISTINCT aggregates sorted input: array_agg(DISTINCT x) is ascending
      orderBy = [{
        expr: this.expr(e.args[0]!, agg.input),
        descending: false,
        nullsFirst: this.nullsFirstDefault(false),
      }];
    }
    for (const a of e.args) {
      if (this.containsAggregate(a)) {
        throw new DbError(
          SqlState.groupingError,
          "aggregate function calls cannot be nested",
          pos1(a),
        );
      }
    }
    if (e.star && name !== "count") {
      throw new DbError(SqlState.syntaxError, `${name}(*) is not valid; only count(*) is`, pos1(e));
    }
    let args = e.args.map((a) => this.expr(a, agg.input));
    const argTypes = args.map((a) => (this.#untyped.has(a) ? Types.unknown : a.type));
    const filter = e.filter === null ? null : this.predicate(e.filter, agg.input, "FILTER");
    for (const fn of this.ctx.registry.aggregateFunctions(name)) {
      const resolution = fn.resolve(argTypes);
      if (resolution === null) continue;
      args = args.map((a, i) => {
        const want = resolution.argTypes[i] ?? a.type;
        if (sameType(a.type, want)) return a;
        if (this.#untyped.has(a) || a.type.kind === "unknown") return this.coerce(a, want, name);
        return this.cast(a, want);
      });
      const bound: BoundAggregate = {
        fn,
        resolution,
        args,
        distinct: e.distinct,
        filter,
        type: resolution.returns,
        ...(orderBy === undefined ? {} : { orderBy }),
      };
      const key = exprKey({
        kind: "call",
        fn: fn as never,
        args: [...args, ...(filter ? [filter] : []), ...(orderBy ?? []).map((o) => o.expr)],
        type: resolution.returns,
      }) +
        (e.distinct ? "D" : "") + (orderBy ?? []).map((o) => (o.descending ? "d" : "a")).join("");
      let i = agg.aggregateKeys.indexOf(key);
      if (i < 0) {
        i = agg.aggregates.length;
        agg.aggregates.push(bound);
        agg.aggregateKeys.push(key);
      }
      return { kind: "column", index: agg.groups.length + i, type: resolution.returns };
    }
    const sig = `${name}(${e.star ? "*" : argTypes.map((t) => typeToSql(t)).join(", ")})`;
    throw new DbError(SqlState.undefinedFunction, `function ${sig} does not exist`, {
      ...pos1(e),
      hint:
        "No function matches the given name and argument types. You might need to add explicit type casts.",
    });
  }

  /** COALESCE is syntax, not a function: later arguments are evaluated only when needed. */
  coalesce(e: ast.Expr & { kind: "function" }, scope: Scope): BoundExpr {
    const args = e.args.map((a) => this.expr(a, scope));
    const typed = args.filter((a) => !this.#untyped.has(a)).map((a) => a.type);
    const t = commonType(typed, "COALESCE");
    const cargs = args.map((a) => this.coerce(a, t, "COALESCE"));
    if (cargs.length === 1) return coalesceOf(cargs[0]!);
    const last = cargs[cargs.length - 1]!;
    return {
      kind: "case",
      whens: cargs.slice(0, -1).map((a) => ({
        when: { kind: "is_null", negated: true, operand: a, type: Types.bool },
        then: a,
      })),
      else: last,
      type: t,
      coalesce: true,
    };
  }

  /** NULLIF(a, b) is syntax for CASE WHEN a = b THEN NULL ELSE a END, typed as a. */
  nullif(e: ast.Expr & { kind: "function" }, scope: Scope): BoundExpr {
    const a = this.expr(e.args[0]!, scope);
    const b = this.expr(e.args[1]!, scope);
    const [l, r] = this.comparable(a, b, e);
    const type = l.type.kind === "unknown" ? Types.text : l.type;
    return {
      kind: "case",
      whens: [{
        when: { kind: "op", op: "eq", left: l, right: r, type: Types.bool, nullif: true },
        then: { kind: "const", value: null, type },
      }],
      else: this.coerce(l, type, "NULLIF"),
      type,
    };
  }

  /**
   * A cast to an object-identifier type (`'t'::regclass`, `oid::regtype`). OmenDB has no such
   * types: a name casts to the object's OID (int4) through the type's input function
   * (`regclassin`), an OID casts to the object's name (text) through its output function
   * (`regclassout`), so `'t'::regclass` compares with OIDs and `oid::regclass` prints a name.
   * The functions come from a plugin (pg_catalog); without them the type does not exist.
   */
  regCast(e: ast.Expr & { kind: "cast" }, scope: Scope): BoundExpr {
    const operand = this.expr(e.operand, scope);
    const textual = this.#untyped.has(operand) || isString(operand.type) ||
      operand.type.kind === "unknown";
    const fnName = `${e.type.name}${textual ? "in" : "out"}`;
    if (this.ctx.registry.scalarFunctions(fnName).length === 0) {
      throw new DbError("42704", `type "${e.type.name}" does not exist`, pos1(e));
    }
    return this.call(callExpr([fnName], [e.operand], e.pos), scope);
  }

  /** A function that reads the session, bound to this statement's context. */
  withContext(fn: ScalarFunctionDef, pos: number): ScalarFunctionDef {
    if (fn.usesContext !== true) return fn;
    const context = this.ctx.system;
    if (context === undefined) throw notSupported(`${fn.name}() here`, pos + 1);
    return { ...fn, evaluate: (args, length) => fn.evaluate(args, length, context) };
  }

  call(e: ast.Expr & { kind: "function" }, scope: Scope): BoundExpr {
    const name = e.name.parts[e.name.parts.length - 1]!;
    if (e.over !== null) throw notSupported("window functions", e.pos + 1);
    if (this.isAggregateName(name)) return this.aggregateCall(e, name, scope);
    if (name === "grouping" && e.name.parts.length === 1 && !e.star) {
      return this.groupingCall(e, scope);
    }
    if (
      e.name.parts.length === 1 && CURRENT_TIME_FUNCTIONS.has(name) &&
      (e.args.length === 0 || (e.args.length === 1 && PRECISION_TIME_FUNCTIONS.has(name)))
    ) {
      // Stable within the statement: bound once, as PostgreSQL evaluates them once.
      let us = this.ctx.statementTimeMicros ?? 0;
      if (e.args.length === 1) us = roundToPrecision(us, this.timePrecision(e.args[0]!));
      // the local forms read the clock in the session time zone
      const local = this.ctx.timeZone?.toLocal(us) ?? us;
      if (name === "current_date" || name === "today") {
        return { kind: "const", value: Math.floor(local / 86_400_000_000), type: Types.date };
      }
      if (name === "localtimestamp") return { kind: "const", value: local, type: Types.timestamp };
      if (name === "localtime") {
        const day = 86_400_000_000;
        return { kind: "const", value: local - Math.floor(local / day) * day, type: Types.time };
      }
      if (name === "current_time") {
        throw notSupported("CURRENT_TIME (time with time zone); use LOCALTIME", e.pos + 1);
      }
      return { kind: "const", value: us, type: Types.timestamptz };
    }
    if (name === "current_schema" && e.name.parts.length === 1 && e.args.length === 0) {
      // the schema an unqualified CREATE would use; NULL when the search path has none
      return { kind: "const", value: this.searchPath().creationSchema(), type: Types.text };
    }
    if (
      name === "coalesce" && e.name.parts.length === 1 && !e.star && !e.distinct &&
      e.args.length > 0
    ) {
      return this.coalesce(e, scope);
    }
    if (
      name === "nullif" && e.name.parts.length === 1 && !e.star && !e.distinct &&
      e.args.length === 2
    ) {
      return this.nullif(e, scope);
    }
    if (e.star || e.distinct || e.filter !== null || e.orderBy.length > 0) {
      throw new DbError(
        SqlState.syntaxError,
        `${name}(${
          e.star ? "*" : "DISTINCT ..."
        }) specified, but ${name} is not an aggregate function`,
        pos1(e),
      );
    }
    if ((name === "nextval" || name === "currval" || name === "setval") && !e.distinct) {
      return this.sequenceCall(e, name, scope);
    }
    const candidates = this.ctx.registry.scalarFunctions(name);
    let args: BoundExpr[];
    try {
      args = e.args.map((a) => this.expr(a, scope));
    } catch (err) {
      // PostgreSQL resolves the function before it checks grouping: an unknown function over an
      // ungrouped column is 42883, so bind the arguments below the aggregate to name their types
      if (
        candidates.length > 0 || scope.agg === undefined || !(err instanceof DbError) ||
        err.code !== SqlState.groupingError
      ) {
        throw err;
      }
      args = e.args.map((a) => this.expr(a, scope.agg!.input));
    }
    const argTypes = args.map((a) => (this.#untyped.has(a) ? Types.unknown : a.type));
    const constants = args.map((a) => (a.kind === "const" ? a.value : undefined));
    for (const fn of candidates) {
      const res = fn.resolve(argTypes, constants);
      if (res === null) continue;
      const cargs = args.map((a, i) => {
        const want = res.argTypes[i] ?? a.type;
        if (sameType(a.type, want)) return a;
        if (this.#untyped.has(a) || a.type.kind === "unknown") return this.coerce(a, want, name);
        return this.cast(a, want);
      });
      return this.inSessionZone({
        kind: "call",
        fn: this.withContext(fn, e.pos),
        args: cargs,
        type: res.returns,
      });
    }
    const sig = `${name}(${argTypes.map((t) => typeToSql(t)).join(", ")})`;
    throw new DbError(SqlState.undefinedFunction, `function ${sig} does not exist`, {
      ...pos1(e),
      hint:
        "No function matches the given name and argument types. You might need to add explicit type casts.",
    });
  }
}

/** The index of the field a column reference names, -1 if none; 42702 if several. */
function findField(fields: readonly Field[], e: ast.Expr & { kind: "column_ref" }): number {
  const parts = e.parts;
  const name = parts[parts.length - 1]!;
  const qualifier = parts.length >= 2 ? parts[parts.length - 2]! : null;
  const schema = parts.length >= 3 ? parts[parts.length - 3]! : null;
  let found = -1;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.name !== name || (qualifier !== null && f.qualifier !== qualifier)) continue;
    // a field that does not know its schema (a CHECK's table) takes any
    if (schema !== null && f.qualifierSchema !== undefined && f.qualifierSchema !== schema) {
      continue;
    }
    if (qualifier === null && f.usingDuplicate) continue;
    if (found >= 0) {
      throw new DbError(SqlState.ambiguousColumn, `column reference "${name}" is ambiguous`, {
        position: e.pos + 1,
      });
    }
    found = i;
  }
  return found;
}

/** The name PostgreSQL gives an unaliased select-list expression. */
function outputName(e: ast.Expr): string {
  return figureName(e)[0];
}

/**
 * PostgreSQL's FigureColname: an unaliased select item's name, with its strength (2 = a column
 * or function name, 1 = a fallback such as a cast's type or `case`, 0 = `?column?`). A cast or
 * CASE keeps its operand's (ELSE branch's) name when that is strong.
 */
function figureName(e: ast.Expr): [string, number] {
  switch (e.kind) {
    case "column_ref":
      return [e.parts[e.parts.length - 1]!, 2];
    case "function": {
      const name = e.name.parts[e.name.parts.length - 1]!;
      // ARRAY(subquery) is parsed as COALESCE((SELECT array_agg ... AS array_subquery), '{}')
      const first = e.args[0];
      if (
        name === "coalesce" && first?.kind === "subquery" && first.query.body.kind === "select" &&
        first.query.body.from[0]?.kind === "derived" &&
        first.query.body.from[0].alias === "array_subquery"
      ) {
        return ["array", 2];
      }
      return [name, 2];
    }
    case "cast": {
      const inner = figureName(e.operand);
      if (inner[1] === 2) return inner;
      if (Object.hasOwn(REG_TYPES, e.type.name) || e.type.name === "oid") return [e.type.name, 1];
      return [typeInfo[bindTypeNameSafe(e.type)]?.pgName ?? e.type.name, 1];
    }
    case "case": {
      const inner = e.else === null ? (["?column?", 0] as [string, number]) : figureName(e.else);
      return inner[1] === 2 ? inner : ["case", 1];
    }
    case "array":
      return ["array", 2];
    case "exists":
      return ["exists", 2];
    case "subquery": {
      const body = e.query.body;
      if (body.kind !== "select") return ["?column?", 0];
      const item = body.items[0];
      if (item === undefined || item.kind !== "expr") return ["?column?", 0];
      return [item.alias ?? figureName(item.expr)[0], 2];
    }
    case "subscript":
      return figureName(e.operand);
    case "literal":
      return e.value.kind === "typed_string"
        ? [typeInfo[bindTypeNameSafe(e.value.type)]?.pgName ?? "?column?", 1]
        : e.value.kind === "bool"
        ? ["bool", 1]
        : ["?column?", 0];
    default:
      return ["?column?", 0];
  }
}

function bindTypeNameSafe(t: ast.TypeName): keyof typeof typeInfo {
  // an array cast is named after its element type, as PostgreSQL does ('{1}'::int[] is int4)
  if (t.name.endsWith("[]")) {
    return bindTypeNameSafe({ ...t, name: t.name.replace(/(\[\])+$/, "") });
  }
  try {
    return bindTypeName(t).kind;
  } catch {
    return "unknown";
  }
}

/** Whether {@link evaluateConstant} can evaluate `e` (constants, parameters and their casts). */
function isConstantTree(e: BoundExpr): boolean {
  return e.kind === "const" || e.kind === "param" ||
    (e.kind === "cast" && isConstantTree(e.operand));
}

/** Evaluates an expression without input rows (constants and parameters only). */
export function evaluateConstant(e: BoundExpr, params: readonly Value[]): Value {
  switch (e.kind) {
    case "const":
      return e.value;
    case "param": {
      const v = params[e.index - 1] ?? null;
      return castValue(v, paramType(v), e.type);
    }
    case "cast": {
      const v = evaluateConstant(e.operand, params);
      return castValue(v, e.operand.type, e.type, e.zone);
    }
    default:
      throw new DbError(SqlState.syntaxError, "argument must be a constant expression");
  }
}

/** Whether a query body is a set operation, also inside parentheses with nothing added. */
function isSetOperation(body: ast.QueryBody): boolean {
  for (let b = body;;) {
    if (b.kind === "set_op") return true;
    const q = b.kind === "nested" ? b.query : null;
    if (
      q === null || q.with !== null || q.orderBy.length > 0 || q.limit !== null ||
      q.offset !== null
    ) {
      return false;
    }
    b = q.body;
  }
}

/** The plan's join type for a parsed one (RIGHT SEMI/ANTI have their inputs swapped). */
function logicalJoinType(t: ast.JoinTypeAst): JoinType {
  switch (t) {
    case "left_semi":
    case "right_semi":
      return "semi";
    case "left_anti":
    case "right_anti":
      return "anti";
    default:
      return t;
  }
}

/** The select list's aliases that name one item only, to the item's expression. */
function selectAliases(body: ast.QueryBody & { kind: "select" }): Map<string, ast.Expr> {
  const out = new Map<string, ast.Expr>();
  const repeated = new Set<string>();
  for (const item of body.items) {
    if (item.kind !== "expr" || item.alias === null) continue;
    if (out.has(item.alias)) repeated.add(item.alias);
    out.set(item.alias, item.expr);
  }
  for (const name of repeated) out.delete(name);
  return out;
}
