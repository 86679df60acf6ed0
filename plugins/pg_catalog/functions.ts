/**
 * The session and catalog functions PostgreSQL clients call: `version()`,
 * `current_database()`, `current_setting()`, `pg_table_is_visible()`, `format_type()`,
 * `pg_get_indexdef()`, the `has_*_privilege` family, and the input and output functions behind
 * casts to the object-identifier types (`'t'::regclass` calls `regclassin`, `oid::regclass`
 * calls `regclassout`; see the binder's `regCast`).
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { ScalarFunctionDef, Volatility } from "../../core/plugin/functions.ts";
import type { SystemContext } from "../../core/plugin/system_relation.ts";
import { splitIdentifierList } from "../../core/sql/identifiers.ts";
import { quoteIdent } from "../functions/format.ts";
import { formatArrayText } from "../../core/types/array.ts";
import { type Column, columnFromValues, type Value, valueAt } from "../../core/types/column.ts";
import { arrayOf, type DataType, isInteger, isString, Types } from "../../core/types/data_type.ts";
import { indexDefinition } from "./definitions.ts";
import {
  constraintEntries,
  type ConstraintEntry,
  effectiveSearchPath,
  isVisible,
  namespaceOid,
  relationEntries,
  type RelationEntry,
  schemaNames,
} from "./objects.ts";
import { defaultUserName, formatType, hashedOid, pgTypes, roleOid } from "./oids.ts";
import { utf8EncodingId } from "./pg_catalog.ts";

/** The OmenDB version `version()` reports after PostgreSQL's. */
export const omendbVersion = "0.1.0";

type Param = "int" | "text" | "bool" | "any";

const paramTypes: Readonly<Record<Exclude<Param, "any">, DataType>> = {
  int: Types.int4,
  text: Types.text,
  bool: Types.bool,
};

function accepts(p: Param, t: DataType): boolean {
  if (t.kind === "unknown" || p === "any") return true;
  if (p === "int") return isInteger(t);
  if (p === "text") return isString(t);
  return t.kind === "bool";
}

interface FnOptions {
  readonly volatility?: Volatility;
  /** Whether a NULL argument makes the result NULL without a call (PostgreSQL's STRICT). */
  readonly strict?: boolean;
}

/** A function evaluated row by row over plain values, with the statement's context. */
function fn(
  name: string,
  params: readonly Param[],
  returns: DataType,
  body: (ctx: SystemContext, args: readonly Value[], lookups: Lookups) => Value,
  options: FnOptions = {},
): ScalarFunctionDef {
  const strict = options.strict ?? true;
  return {
    name,
    volatility: options.volatility ?? "stable",
    usesContext: true,
    resolve(types) {
      if (types.length !== params.length) return null;
      if (!types.every((t, i) => accepts(params[i]!, t))) return null;
      const argTypes = types.map((t, i) => {
        const p = params[i]!;
        if (p !== "any") return paramTypes[p];
        return t.kind === "unknown" ? Types.text : t;
      });
      return { returns, argTypes };
    },
    evaluate(args: readonly Column[], length: number, context?: SystemContext): Column {
      if (context === undefined) {
        throw new DbError(SqlState.featureNotSupported, `${name}() needs a session`);
      }
      const lookups = new Lookups(context);
      const out: Value[] = [];
      for (let i = 0; i < length; i++) {
        const values = args.map((c) => valueAt(c, i));
        out.push(
          strict && values.some((v) => v === null) ? null : body(context, values, lookups),
        );
      }
      return columnFromValues(returns, out);
    },
  };
}

/** The same function for each listed arity: `[[], ["text"]]`. */
function overloads(
  name: string,
  signatures: readonly (readonly Param[])[],
  returns: DataType,
  body: (ctx: SystemContext, args: readonly Value[], lookups: Lookups) => Value,
  options: FnOptions = {},
): ScalarFunctionDef[] {
  return signatures.map((params) => fn(name, params, returns, body, options));
}

/** The relations by OID and by name, and the search path. */
interface RelationIndex {
  readonly byOid: Map<number, RelationEntry>;
  readonly byName: Map<string, RelationEntry[]>;
  readonly path: string[];
}

/**
 * Catalog lookups computed at most once per batch a function evaluates (not once per row: a
 * query over thousands of columns calls `regclassin` for each).
 */
class Lookups {
  #index: RelationIndex | null = null;
  #constraints: ConstraintEntry[] | null = null;
  constructor(readonly ctx: SystemContext) {}

  get index(): RelationIndex {
    if (this.#index === null) {
      const byOid = new Map<number, RelationEntry>();
      const byName = new Map<string, RelationEntry[]>();
      for (const r of relationEntries(this.ctx)) {
        byOid.set(r.oid, r);
        byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
      }
      this.#index = { byOid, byName, path: effectiveSearchPath(this.ctx) };
    }
    return this.#index;
  }

  get constraints(): ConstraintEntry[] {
    return this.#constraints ??= constraintEntries(this.ctx);
  }
}

/** A function over one OID that looks relations up. */
function relationFn(
  name: string,
  extra: readonly Param[][],
  returns: DataType,
  body: (r: RelationEntry | undefined, index: RelationIndex, args: readonly Value[]) => Value,
): ScalarFunctionDef[] {
  return extra.map((more) =>
    fn(name, ["int", ...more], returns, (_ctx, args, lookups) => {
      const index = lookups.index;
      return body(index.byOid.get(Number(args[0])), index, args);
    })
  );
}

/** A relation named as text (`s.t`, `"T"`), through the search path; `null` when none. */
function findRelation(lookups: Lookups, text: string): RelationEntry | null {
  const parts = splitIdentifierList(text, ".");
  if (parts === null || parts.length === 0 || parts.length > 2) {
    throw new DbError(SqlState.invalidTextRepresentation, `invalid name syntax`);
  }
  const index = lookups.index;
  const candidates = index.byName.get(parts.at(-1)!) ?? [];
  if (parts.length === 2) return candidates.find((r) => r.schema === parts[0]) ?? null;
  for (const schema of index.path) {
    const r = candidates.find((c) => c.schema === schema);
    if (r !== undefined) return r;
  }
  return null;
}

/** A type's OID from its name (`int4`, `integer`, `character varying`, `text[]`). */
function typeOidByName(text: string): number | null {
  const name = text.trim().toLowerCase().replace(/^pg_catalog\./, "");
  const aliases: Record<string, string> = { int: "int4", float: "float8", char: "bpchar" };
  const t = pgTypes.find((x) => x.name === (aliases[name] ?? name) || x.sqlName === name);
  return t?.oid ?? null;
}

function regIn(kind: string, found: number | null, text: string): number {
  if (found !== null) return found;
  if (/^\d+$/.test(text.trim())) return Number(text);
  if (kind === "relation") {
    throw new DbError(SqlState.undefinedTable, `relation "${text}" does not exist`);
  }
  throw new DbError("42704", `${kind} "${text}" does not exist`);
}

function procOid(name: string): number {
  return hashedOid(`proc:f:${name}`);
}

function roleNames(ctx: SystemContext): string[] {
  const names = ctx.catalog.users().map((u) => u.name);
  return names.includes(defaultUserName) ? names : [defaultUserName, ...names];
}

const text = Types.text;
const int4 = Types.int4;
const bool = Types.bool;

/** The privilege functions: everything is allowed until OmenDB has roles and grants. */
const privilegeFunctions: ScalarFunctionDef[] = [
  "has_table_privilege",
  "has_schema_privilege",
  "has_database_privilege",
  "has_column_privilege",
  "has_any_column_privilege",
  "has_sequence_privilege",
  "has_function_privilege",
  "has_language_privilege",
  "has_tablespace_privilege",
].flatMap((name) =>
  overloads(
    name,
    [["any", "any"], ["any", "any", "any"], ["any", "any", "any", "any"]],
    bool,
    () => true,
  )
);

/** Every function this plugin registers. */
export const pgCatalogFunctions: readonly ScalarFunctionDef[] = [
  fn(
    "version",
    [],
    text,
    (ctx) =>
      `PostgreSQL ${
        ctx.serverVersion.split(" ")[0]
      } (OmenDB ${omendbVersion}) on x86_64-pc-linux-gnu, compiled by Deno, 64-bit`,
  ),
  fn("current_database", [], text, (ctx) => ctx.databaseName),
  // CURRENT_USER, CURRENT_ROLE, USER and SESSION_USER: roles do not change within a session
  ...["current_user", "current_role", "user", "session_user"].map((name) =>
    fn(name, [], text, (ctx) => ctx.activity.user ?? defaultUserName)
  ),
  fn("current_catalog", [], text, (ctx) => ctx.databaseName),
  fn("pg_backend_pid", [], int4, (ctx) => ctx.activity.pid),
  fn("current_schemas", ["bool"], arrayOf(text), (ctx, [implicit]) => {
    const existing = new Set(schemaNames(ctx));
    const path = (implicit === true ? effectiveSearchPath(ctx) : ctx.settings.searchPath())
      .filter((s) => existing.has(s));
    return formatArrayText([...new Set(path)]);
  }),
  ...overloads(
    "current_setting",
    [["text"], ["text", "bool"]],
    text,
    (ctx, [name, missingOk]) => {
      try {
        return ctx.settings.get(String(name).toLowerCase());
      } catch (e) {
        if (missingOk === true) return null;
        throw e;
      }
    },
  ),
  fn("set_config", ["text", "text", "bool"], text, (ctx, [name, value]) => {
    const key = String(name).toLowerCase();
    ctx.settings.set(key, value === null ? null : String(value));
    return ctx.settings.get(key);
  }, { volatility: "volatile", strict: false }),
  ...overloads(
    "format_type",
    [["int", "int"]],
    text,
    (_ctx, [oid, typmod]) =>
      oid === null ? null : formatType(Number(oid), typmod === null ? null : Number(typmod)),
    { strict: false },
  ),
  ...relationFn(
    "pg_table_is_visible",
    [[]],
    bool,
    (r, index) => r === undefined ? null : isVisible(r, index.byName, index.path),
  ),
  fn("pg_type_is_visible", ["int"], bool, () => true),
  fn("pg_function_is_visible", ["int"], bool, () => true),
  fn("pg_get_userbyid", ["int"], text, (ctx, [oid]) => {
    return roleNames(ctx).find((n) => roleOid(n) === Number(oid)) ?? `unknown (OID=${oid})`;
  }),
  ...overloads("obj_description", [["int"], ["int", "text"]], text, () => null),
  fn("col_description", ["int", "int"], text, () => null),
  fn("shobj_description", ["int", "text"], text, () => null),
  ...overloads(
    "pg_get_expr",
    [["text", "int"], ["text", "int", "bool"]],
    text,
    (_c, [e]) => e ?? null,
  ),
  ...relationFn(
    "pg_get_indexdef",
    [[], ["int", "bool"]],
    text,
    (r, index, [, , pretty]) => {
      if (r?.index === undefined) return null;
      // the pretty form names the table bare when the search path finds it, as PostgreSQL's
      const table = index.byOid.get(r.indexedOid ?? 0);
      const bare = pretty === true && table !== undefined &&
        isVisible(table, index.byName, index.path);
      return indexDefinition(r.index, !bare);
    },
  ),
  ...relationFn(
    "pg_get_viewdef",
    [[], ["bool"]],
    text,
    (r) => r?.view?.sql ?? null,
  ),
  ...overloads(
    "pg_get_constraintdef",
    [["int"], ["int", "bool"]],
    text,
    (_c, [oid], lookups) =>
      lookups.constraints.find((c) => c.oid === Number(oid))?.definition ?? null,
  ),
  fn("pg_get_statisticsobjdef_columns", ["int"], text, () => null),
  fn("pg_relation_is_publishable", ["any"], bool, () => false),
  fn("pg_is_in_recovery", [], bool, () => false),
  fn("pg_encoding_to_char", ["int"], text, (_c, [n]) => {
    return Number(n) === utf8EncodingId ? "UTF8" : Number(n) === 0 ? "SQL_ASCII" : "";
  }),
  ...privilegeFunctions,
  // the input and output functions of the reg* casts
  fn("regclassin", ["text"], int4, (_ctx, [t], lookups) => {
    return regIn("relation", findRelation(lookups, String(t))?.oid ?? null, String(t));
  }),
  fn("to_regclass", ["text"], int4, (_c, [t], lookups) => {
    return findRelation(lookups, String(t))?.oid ?? null;
  }),
  ...relationFn("regclassout", [[]], text, (r, index) => {
    if (r === undefined) return null;
    const name = quoteIdent(r.name);
    return isVisible(r, index.byName, index.path) ? name : `${quoteIdent(r.schema)}.${name}`;
  }),
  fn("regtypein", ["text"], int4, (_c, [t]) => regIn("type", typeOidByName(String(t)), String(t))),
  fn("regtypeout", ["int"], text, (_c, [oid]) => {
    const s = formatType(Number(oid), -1);
    return s === "???" ? String(oid) : s;
  }),
  fn("regnamespacein", ["text"], int4, (ctx, [t]) => {
    const name = splitIdentifierList(String(t), ".")?.[0] ?? String(t);
    const found = schemaNames(ctx).includes(name) ? namespaceOid(name) : null;
    return regIn("schema", found, String(t));
  }),
  fn("regnamespaceout", ["int"], text, (ctx, [oid]) => {
    const s = schemaNames(ctx).find((n) => namespaceOid(n) === Number(oid));
    return s === undefined ? String(oid) : quoteIdent(s);
  }),
  ...["regproc", "regprocedure"].flatMap((kind) => [
    fn(`${kind}in`, ["text"], int4, (ctx, [t]) => {
      const name = String(t).replace(/\(.*$/, "").replace(/^pg_catalog\./, "").toLowerCase();
      const found = ctx.registry.scalarFunctions(name).length > 0 ? procOid(name) : null;
      return regIn("function", found, String(t));
    }),
    fn(`${kind}out`, ["int"], text, (ctx, [oid]) => {
      const name = ctx.registry.scalarFunctionNames().find((n) => procOid(n) === Number(oid));
      return name ?? String(oid);
    }),
  ]),
  fn("regrolein", ["text"], int4, (ctx, [t]) => {
    const found = roleNames(ctx).includes(String(t)) ? roleOid(String(t)) : null;
    return regIn("role", found, String(t));
  }),
  fn("regroleout", ["int"], text, (ctx, [oid]) => {
    return roleNames(ctx).find((n) => roleOid(n) === Number(oid)) ?? String(oid);
  }),
];
