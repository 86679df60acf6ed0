/**
 * A session: one client's settings, prepared statements and open transaction, like one
 * PostgreSQL connection. The database runs its statements (see `Database.session`).
 *
 * @module
 */
import type { Statement } from "../sql/ast.ts";
import type { Value } from "../types/column.ts";
import type { Transaction } from "../txn/mod.ts";
import { DbError } from "../errors.ts";
import type { QueryOptions, QueryResult, ResultColumn } from "./result.ts";
import type { DataType } from "../types/data_type.ts";
import { SessionSettings } from "./settings.ts";

/** A session's transaction state, as PostgreSQL's ReadyForQuery reports it (I, T, E). */
export type TransactionStatus = "idle" | "active" | "failed";

/** How a database runs a session's SQL (internal to the engine). */
export interface SessionRunner {
  run(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryResult[]>;
  describe(
    session: Session,
    sql: string,
    paramTypes: readonly (DataType | null)[],
  ): Promise<{ params: readonly DataType[]; columns: readonly ResultColumn[] | null }>;
  close(session: Session): Promise<void>;
}

/**
 * One client's session.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE TABLE t (x INTEGER)");
 * const a = db.session(), b = db.session();
 * await a.query("BEGIN");
 * await a.query("INSERT INTO t VALUES (1)");
 * console.assert(a.transactionStatus === "active");
 * console.assert((await b.query("SELECT count(*) FROM t")).rows[0]![0] === 0n); // not committed
 * await a.query("COMMIT");
 * console.assert((await b.query("SELECT count(*) FROM t")).rows[0]![0] === 1n);
 * await a.close();
 * await b.close();
 * await db.close();
 * ```
 */
export class Session {
  /** SET parameters. */
  readonly settings: SessionSettings;
  /** SQL-level prepared statements (PREPARE / EXECUTE / DEALLOCATE), by name. */
  readonly prepared = new Map<string, Statement & { kind: "prepare" }>();
  /** The open transaction block, if any (engine-internal). */
  txn: Transaction | null = null;
  /** Set when the session was ended by a timeout: the next call reports it once. */
  terminated: DbError | null = null;
  /** Idle-in-transaction timer (engine-internal). */
  timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    readonly runner: SessionRunner,
    defaults: Readonly<Record<string, string>> = {},
  ) {
    this.settings = new SessionSettings(defaults);
  }

  /** Runs every statement in `sql` and returns the last one's result. */
  async query(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult> {
    const all = await this.queryAll(sql, params, options);
    return all.at(-1) ?? { command: "EMPTY", columns: [], rows: [], rowCount: 0 };
  }

  /**
   * Runs every statement in `sql`, returning one result per statement. Outside a BEGIN block
   * each statement is its own transaction.
   */
  queryAll(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult[]> {
    if (this.terminated !== null) {
      const e = this.terminated;
      this.terminated = null;
      this.#closed = true;
      return Promise.reject(e);
    }
    if (this.#closed) return Promise.reject(new DbError("08003", "the session is closed"));
    return this.runner.run(this, sql, params, options);
  }

  /**
   * Binds `sql` (at most one statement) without running it and returns the types of its
   * parameters (`paramTypes[i]` when given, else inferred from their use, text when nothing
   * says) and of its result columns (`null` when it returns no rows): what the PostgreSQL
   * protocol's Describe of a prepared statement answers.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("CREATE TABLE t (x INTEGER, s TEXT)");
   * const s = db.session();
   * const d = await s.describe("SELECT s FROM t WHERE x = $1 AND s = $2", [null, Types.varchar]);
   * console.assert(d.params[0]!.kind === "int4" && d.params[1]!.kind === "varchar");
   * console.assert(d.columns![0]!.name === "s" && d.columns![0]!.type.kind === "text");
   * await s.close();
   * await db.close();
   * ```
   */
  describe(
    sql: string,
    paramTypes: readonly (DataType | null)[] = [],
  ): Promise<{ params: readonly DataType[]; columns: readonly ResultColumn[] | null }> {
    if (this.#closed) return Promise.reject(new DbError("08003", "the session is closed"));
    return this.runner.describe(this, sql, paramTypes);
  }

  /** Whether a transaction block is open, and whether it failed. */
  get transactionStatus(): TransactionStatus {
    if (this.txn === null) return "idle";
    return this.txn.state === "failed" ? "failed" : "active";
  }

  /** Whether {@link close} ran (or a timeout ended the session). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Ends the session, rolling back its open transaction. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.runner.close(this);
  }
}
