/**
 * The interface every engine under comparison implements: OmenDB, DuckDB and PostgreSQL.
 *
 * @module
 */

import type { Outcome } from "./outcome.ts";

/** An engine that runs a case from a clean slate and reports its {@link Outcome}. */
export interface Engine {
  /** Short name for messages: `OmenDB`, `DuckDB`, `PostgreSQL`. */
  readonly name: string;
  /**
   * Drops whatever the previous case created, runs `setup` (CREATE TABLE / INSERT) one statement
   * at a time, then `query`. The first failing statement gives an error outcome.
   */
  run(setup: readonly string[], query: string): Promise<Outcome>;
  /**
   * {@link run} with session settings in force for the query (then reset), for an engine whose
   * plans they change (PostgreSQL's `join_collapse_limit`, `enable_sort`); absent elsewhere.
   */
  runWithSettings?(
    setup: readonly string[],
    query: string,
    settings: readonly string[],
  ): Promise<Outcome>;
  /** Releases the engine. */
  close(): Promise<void>;
}

/** Names of the tables that the setup statements create, for engines that drop them later. */
export function createdTables(setup: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of setup) {
    const m = /^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)/i.exec(s);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}
