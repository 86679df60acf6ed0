/**
 * The interface every engine of the query suite implements: a provider loads the TSBS cpu data
 * set into one engine (or, for the OmenDB server, into one process that two engines share: HTTP
 * and PostgreSQL wire), then each engine answers queries with its rows fully materialized as JS
 * values, in the query's column order.
 *
 * @example
 * ```ts
 * import type { EngineProvider, QueryEngine } from "./engine.ts";
 * const fake: QueryEngine = {
 *   name: "duckdb",
 *   note: "a fake",
 *   run: () => Promise.resolve([[1]]),
 * };
 * const provider: EngineProvider = {
 *   engines: ["duckdb"],
 *   open: () => Promise.resolve({ engines: [fake], close: () => Promise.resolve() }),
 * };
 * const opened = (await provider.open({ rows: 1, hosts: 1, dir: ".", log: () => {} }))!;
 * console.assert((await opened.engines[0]!.run(null as never, null as never)).length === 1);
 * ```
 *
 * @module
 */
import type { EngineName } from "../record.ts";
import type { QueryParams, QuerySpec } from "../queries.ts";

/** One engine, loaded, answering queries. */
export interface QueryEngine {
  /** Which engine this is. */
  readonly name: EngineName;
  /** How it runs (storage, threads, prepared or not): written next to its numbers. */
  readonly note: string;
  /** Runs a query and returns every row as an array in `spec.columns` order (the timed work). */
  run(spec: QuerySpec, params: QueryParams): Promise<readonly (readonly unknown[])[]>;
}

/** What a provider gets to load its engine. */
export interface LoadOptions {
  /** Rows of the TSBS cpu data set (default generator settings, seed 123). */
  readonly rows: number;
  /** Hosts of the data set. */
  readonly hosts: number;
  /** A scratch directory for data files (deleted by the caller afterwards). */
  readonly dir: string;
  /** Progress output. */
  log(message: string): void;
}

/** Loaded engines and how to release them. */
export interface OpenedEngines {
  /** The engines, in the order of {@link EngineProvider.engines} (only those asked for). */
  readonly engines: readonly QueryEngine[];
  /** Closes connections and stops processes. */
  close(): Promise<void>;
}

/** Loads the data into one engine (or a group sharing a process). */
export interface EngineProvider {
  /** The engines this provider can give. */
  readonly engines: readonly EngineName[];
  /**
   * Loads the data set (untimed) and returns the engines that `wanted` lists, or null when the
   * engine is not installed here (e.g. no `influxd`).
   */
  open(options: LoadOptions, wanted?: readonly EngineName[]): Promise<OpenedEngines | null>;
}

/** Rows per insert call or posted body when loading (the batch size). */
export const loadBatchRows = 5000;
