/**
 * The narrow engine interface the runner drives. The real adapter over OmenDB's `Database` is in
 * `omendb_engine.ts`; tests plug in tiny fake engines so the runner logic is tested on its own.
 *
 * An engine module (loaded by the worker process) exports `openEngine: OpenEngine`.
 *
 * @module
 */
import type { DataType, Value } from "../../core/types/mod.ts";

/** One column of a result. */
export interface SltColumn {
  readonly name: string;
  readonly type: DataType;
}

/** The result of the last statement of an SQL text. */
export interface SltResult {
  readonly columns: readonly SltColumn[];
  readonly rows: readonly (readonly Value[])[];
  /** PostgreSQL command tag (`INSERT 0 3`), when the engine gives one. */
  readonly command?: string;
  /** Rows affected by INSERT/UPDATE/DELETE, when the engine gives it. */
  readonly rowCount?: number;
  /** The session time zone's name after the statement (timestamptz values print in it). */
  readonly timeZone?: string;
}

/** Per-call options. */
export interface SltQueryOptions {
  /** The engine must abort itself after this many milliseconds (SQLSTATE 57014). */
  readonly timeoutMs: number;
}

/** A database session for one test file. */
export interface SltEngine {
  /** Runs every statement in `sql`; resolves to the last result, rejects on error. */
  query(sql: string, options: SltQueryOptions): Promise<SltResult>;
  /** Releases the database. */
  close(): Promise<void>;
}

/** How to open the per-file database. */
export interface EngineOpenOptions {
  readonly storage: "memory" | "durable";
  /** A fresh, empty temporary directory (the database directory for `durable`). */
  readonly dir: string;
}

/** The function an engine module exports as `openEngine`. */
export type OpenEngine = (options: EngineOpenOptions) => Promise<SltEngine>;

/** An error as the runner reports it: SQLSTATE code (if any) and message. */
export interface EngineErrorInfo {
  readonly code: string | null;
  readonly message: string;
  /** False when the thrown value was not a DbError (an engine bug or crash). */
  readonly dbError: boolean;
}

/** Describes any thrown value without throwing. */
export function describeError(e: unknown): EngineErrorInfo {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    const isDb = e.name === "DbError" || e.name === "SqlSyntaxError" ||
      (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code));
    return {
      code: typeof code === "string" ? code : null,
      message: isDb ? e.message : `${e.name}: ${e.message}`,
      dbError: isDb,
    };
  }
  let text: string;
  try {
    text = String(e);
  } catch {
    text = "unprintable error";
  }
  return { code: null, message: `thrown non-error: ${text}`, dbError: false };
}
