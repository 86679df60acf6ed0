/**
 * What one engine answered to one SQL script: rows (as engine-neutral {@link Cell}s) or an error
 * with its SQLSTATE class, and whether it failed while setting up the data or in the query.
 *
 * @module
 */

import type { Cell } from "./cell.ts";

/** One result column: its name and the engine's own type name (for messages only). */
export interface OutcomeColumn {
  readonly name: string;
  readonly type: string;
}

/** Where in a script a statement failed: creating and filling tables, or the query itself. */
export type OutcomeStage = "setup" | "query";

/** A successful query. */
export interface RowsOutcome {
  readonly ok: true;
  readonly columns: readonly OutcomeColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

/** A failed statement. */
export interface ErrorOutcome {
  readonly ok: false;
  readonly stage: OutcomeStage;
  /** The full SQLSTATE when the engine reports one (OmenDB, PostgreSQL); null for DuckDB. */
  readonly code: string | null;
  /** The SQLSTATE class (first two characters), mapped heuristically for DuckDB. */
  readonly sqlClass: string;
  readonly message: string;
}

/** The answer of one engine to one script. */
export type Outcome = RowsOutcome | ErrorOutcome;

/** SQLSTATE of a feature the engine does not support (yet). */
export const unsupportedSqlState = "0A000";

/** True when the outcome is an "unsupported feature" error (SQLSTATE 0A000). */
export function isUnsupported(o: Outcome): boolean {
  return !o.ok && o.code === unsupportedSqlState;
}

/** Builds an error outcome from a SQLSTATE code. */
export function errorOutcome(stage: OutcomeStage, code: string, message: string): ErrorOutcome {
  return { ok: false, stage, code, sqlClass: code.slice(0, 2), message };
}
