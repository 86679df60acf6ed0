/**
 * The session API the transaction tests program against, declared here so that the tests
 * type-check before `Database.session()` exists in core/engine. Once it lands with this shape,
 * {@link openSession} keeps working unchanged (and can become a plain `db.session()`).
 *
 * Also small helpers shared by the transaction tests: the SQLSTATE of a failure, and whether a
 * promise has settled within a few milliseconds (a statement that waits for another transaction
 * simply returns a promise that settles later).
 *
 * @module
 */
import type { QueryResult } from "../../mod.ts";

/** ReadyForQuery's transaction status: I (idle), T (in a transaction), E (failed). */
export type TransactionStatus = "idle" | "active" | "failed";

/** An independent session: its own settings and transaction state. */
export interface TxnSession {
  /** Runs every statement in `sql`; returns the last one's result. Throws a DbError. */
  query(sql: string): Promise<QueryResult>;
  /** Runs every statement in `sql`; one result per statement. Throws a DbError. */
  queryAll(sql: string): Promise<QueryResult[]>;
  /** The transaction state, as PostgreSQL's ReadyForQuery reports it. */
  readonly transactionStatus: TransactionStatus;
  /** Ends the session, rolling back an open transaction. */
  close(): Promise<void>;
}

/** Anything with the `session()` method of the engine's Database. */
export type SessionSource = object;

/**
 * A new session of `db`. Throws a plain Error naming what is missing while `Database.session()`
 * is not implemented yet.
 */
export function openSession(db: SessionSource): TxnSession {
  const session = (db as { session?: unknown }).session;
  if (typeof session !== "function") {
    throw new Error(
      "Database.session() is not implemented yet (transactions are being built in core/engine)",
    );
  }
  return (db as unknown as { session(): TxnSession }).session();
}

/** The SQLSTATE of an error (`.code` of a DbError or a pg driver error), else `undefined`. */
export function sqlState(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The SQLSTATE `promise` rejects with, or `"ok"` when it resolves. For asserting on errors:
 * `assert.equal(await stateOf(s.query("...")), "25P02")`.
 */
export async function stateOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "ok";
  } catch (e) {
    const code = sqlState(e);
    if (code === undefined) throw e;
    return code;
  }
}

/** Resolves `true` if `promise` settles (either way) within `ms` milliseconds, else `false`. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/** A promise that never rejects unhandled: the outcome of `promise`, to await later. */
export function settled<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then((value) => ({ ok: true as const, value }), (error: unknown) => ({
    ok: false as const,
    error,
  }));
}
