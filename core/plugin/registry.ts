/**
 * The one registry through which built-in and third-party plugins register alike.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import type { ParserPlugin } from "./parser.ts";
import type { StoragePlugin } from "./storage.ts";
import type { WalPlugin } from "./wal.ts";
import type { IndexPlugin } from "./index_plugin.ts";
import type { AggregateFunctionDef, ScalarFunctionDef, WindowFunctionDef } from "./functions.ts";
import type { OptimizerRule } from "./optimizer_rule.ts";
import type { AuthPlugin } from "./auth.ts";
import type { ReplicationPlugin } from "./replication.ts";
import type { SystemRelationDef } from "./system_relation.ts";

/** The plugin API version this kernel implements. */
export const pluginApiVersion = 1;

/**
 * A plugin: an ES module value with a name, the API version it was written for, and a
 * `register` function that adds its parts to the registry.
 *
 * @example
 * ```ts
 * import { type Plugin, PluginRegistry } from "./registry.ts";
 * import { Types } from "../types/mod.ts";
 * const plugin: Plugin = {
 *   name: "answer",
 *   apiVersion: 1,
 *   register(registry) {
 *     registry.addScalarFunction({
 *       name: "answer",
 *       volatility: "immutable",
 *       resolve: (t) => (t.length === 0 ? { returns: Types.int4, argTypes: [] } : null),
 *       evaluate: () => { throw new Error("unused"); },
 *     });
 *   },
 * };
 * const registry = new PluginRegistry();
 * registry.use(plugin);
 * console.assert(registry.scalarFunctions("answer").length === 1);
 * ```
 */
export interface Plugin {
  readonly name: string;
  readonly apiVersion: number;
  register(registry: PluginRegistry): void;
}

type Named = { readonly name: string };

function addNamed<T extends Named>(map: Map<string, T>, what: string, item: T): void {
  const key = item.name.toLowerCase();
  if (map.has(key)) {
    throw new DbError(
      SqlState.objectNotInPrerequisiteState,
      `${what} "${item.name}" is already registered`,
    );
  }
  map.set(key, item);
}

/** Holds every registered plugin part, by kind and name. */
export class PluginRegistry {
  readonly #plugins: Plugin[] = [];
  readonly #parsers = new Map<string, ParserPlugin>();
  readonly #storages = new Map<string, StoragePlugin>();
  readonly #wals = new Map<string, WalPlugin>();
  readonly #indexes = new Map<string, IndexPlugin>();
  readonly #scalars = new Map<string, ScalarFunctionDef[]>();
  readonly #aggregates = new Map<string, AggregateFunctionDef[]>();
  readonly #windows = new Map<string, WindowFunctionDef[]>();
  readonly #rules: OptimizerRule[] = [];
  readonly #auths = new Map<string, AuthPlugin>();
  readonly #replications = new Map<string, ReplicationPlugin>();
  /** System relations by schema, then name. */
  readonly #systemRelations = new Map<string, Map<string, SystemRelationDef>>();

  /** Registers a plugin; rejects a second plugin of the same name or an unknown API version. */
  use(plugin: Plugin): void {
    if (plugin.apiVersion !== pluginApiVersion) {
      throw new DbError(
        SqlState.featureNotSupported,
        `plugin "${plugin.name}" targets plugin API ${plugin.apiVersion}; this OmenDB implements ${pluginApiVersion}`,
      );
    }
    if (this.#plugins.some((p) => p.name === plugin.name)) {
      throw new DbError(
        SqlState.objectNotInPrerequisiteState,
        `plugin "${plugin.name}" is already registered`,
      );
    }
    plugin.register(this);
    this.#plugins.push(plugin);
  }

  /** Names of the registered plugins, in registration order. */
  pluginNames(): string[] {
    return this.#plugins.map((p) => p.name);
  }

  addParser(parser: ParserPlugin): void {
    addNamed(this.#parsers, "parser", parser);
  }
  addStorage(storage: StoragePlugin): void {
    addNamed(this.#storages, "storage", storage);
  }
  addWal(wal: WalPlugin): void {
    addNamed(this.#wals, "WAL", wal);
  }
  addIndex(index: IndexPlugin): void {
    addNamed(this.#indexes, "index", index);
  }
  addAuth(auth: AuthPlugin): void {
    addNamed(this.#auths, "auth", auth);
  }
  addReplication(replication: ReplicationPlugin): void {
    addNamed(this.#replications, "replication", replication);
  }
  /** Adds a scalar function overload; several may share a name. */
  addScalarFunction(fn: ScalarFunctionDef): void {
    const key = fn.name.toLowerCase();
    this.#scalars.set(key, [...(this.#scalars.get(key) ?? []), fn]);
  }
  addAggregateFunction(fn: AggregateFunctionDef): void {
    const key = fn.name.toLowerCase();
    this.#aggregates.set(key, [...(this.#aggregates.get(key) ?? []), fn]);
  }
  addWindowFunction(fn: WindowFunctionDef): void {
    const key = fn.name.toLowerCase();
    this.#windows.set(key, [...(this.#windows.get(key) ?? []), fn]);
  }
  addOptimizerRule(rule: OptimizerRule): void {
    if (this.#rules.some((r) => r.name === rule.name)) {
      throw new DbError(
        SqlState.objectNotInPrerequisiteState,
        `optimizer rule "${rule.name}" is already registered`,
      );
    }
    this.#rules.push(rule);
  }

  /**
   * Adds a system relation (a virtual table computed at query time, see `system_relation.ts`);
   * its schema becomes a system schema. A second relation of the same schema and name is 55000.
   */
  addSystemRelation(relation: SystemRelationDef): void {
    const schema = relation.schema.toLowerCase();
    const byName = this.#systemRelations.get(schema) ?? new Map<string, SystemRelationDef>();
    this.#systemRelations.set(schema, byName);
    addNamed(byName, `system relation ${schema}.`, relation);
  }

  /** The parser by name, or the first registered when no name is given. */
  parser(name?: string): ParserPlugin | null {
    return pick(this.#parsers, name);
  }
  storage(name?: string): StoragePlugin | null {
    return pick(this.#storages, name);
  }
  wal(name?: string): WalPlugin | null {
    return pick(this.#wals, name);
  }
  index(name?: string): IndexPlugin | null {
    return pick(this.#indexes, name);
  }
  auth(name?: string): AuthPlugin | null {
    return pick(this.#auths, name);
  }
  replication(name?: string): ReplicationPlugin | null {
    return pick(this.#replications, name);
  }
  scalarFunctions(name: string): readonly ScalarFunctionDef[] {
    return this.#scalars.get(name.toLowerCase()) ?? [];
  }
  aggregateFunctions(name: string): readonly AggregateFunctionDef[] {
    return this.#aggregates.get(name.toLowerCase()) ?? [];
  }
  windowFunctions(name: string): readonly WindowFunctionDef[] {
    return this.#windows.get(name.toLowerCase()) ?? [];
  }
  optimizerRules(): readonly OptimizerRule[] {
    return this.#rules;
  }
  /** The system relation `schema.name`, or `null`. */
  systemRelation(schema: string, name: string): SystemRelationDef | null {
    return this.#systemRelations.get(schema)?.get(name) ?? null;
  }
  /** Whether system relations were registered in `schema`. */
  isSystemSchema(schema: string): boolean {
    return this.#systemRelations.has(schema);
  }
  /** Every system relation, by schema then registration order. */
  systemRelations(): readonly SystemRelationDef[] {
    return [...this.#systemRelations.values()].flatMap((m) => [...m.values()]);
  }
  /** The names of every registered scalar function (lower case). */
  scalarFunctionNames(): readonly string[] {
    return [...this.#scalars.keys()];
  }
  /** The names of every registered aggregate function (lower case). */
  aggregateFunctionNames(): readonly string[] {
    return [...this.#aggregates.keys()];
  }
}

function pick<T>(map: Map<string, T>, name: string | undefined): T | null {
  if (name !== undefined) return map.get(name.toLowerCase()) ?? null;
  const first = map.values().next();
  return first.done ? null : first.value;
}
