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
import type { QueryOptions, QueryResult } from "./result.ts";
import { SessionSettings } from "./settings.ts";
import type { SessionActivity } from "../plugin/system_relation.ts";

export type { SessionActivity, SessionState } from "../plugin/system_relation.ts";

/** The one database's name, as PostgreSQL clients name it (`current_database()`). */
export const databaseName = "omendb";

/** The pid of a database's first session; later ones count up (`pg_backend_pid()`). */
export const firstSessionPid = 1000;

/**
 * The longest query text `pg_stat_activity` keeps per session, in UTF-16 code units (PostgreSQL's
 * `track_activity_query_size` default is 1024 bytes): longer texts are cut, so a huge INSERT is
 * not held in memory until the next query.
 */
export const activityQueryCharsMax = 1024;

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
  /**
   * What the session is doing, as `pg_catalog.pg_stat_activity` shows it: the engine keeps the
   * state, query and times current; a server sets `user`, `applicationName` and the client
   * address when the connection starts.
   */
  readonly activity: SessionActivity;
  #closed = false;

  /** `pid` is unique among the database's sessions; `startMicros` is when it began. */
  constructor(
    readonly runner: SessionRunner,
    defaults: Readonly<Record<string, string>> = {},
    pid = 0,
    startMicros = 0,
  ) {
    const settings = new SessionSettings(defaults);
    this.settings = settings;
    this.activity = {
      pid,
      user: null,
      // the `application_name` setting: a client's SET shows in pg_stat_activity, as in PostgreSQL
      get applicationName(): string {
        return settings.get("application_name");
      },
      set applicationName(name: string) {
        settings.set("application_name", name);
      },
      clientAddress: null,
      clientPort: null,
      backendStart: startMicros,
      state: "idle",
      query: "",
      queryStart: null,
      xactStart: null,
      stateChange: startMicros,
    };
  }

  /** Marks the session active on `sql` (engine-internal). */
  queryStarted(sql: string, nowMicros: number): void {
    const a = this.activity;
    a.state = "active";
    a.query = sql.length > activityQueryCharsMax ? sql.slice(0, activityQueryCharsMax) : sql;
    a.queryStart = nowMicros;
    a.stateChange = nowMicros;
  }

  /** Before each statement: its transaction starts now unless a block is open (engine-internal). */
  statementStarted(nowMicros: number): void {
    if (this.txn === null) this.activity.xactStart = nowMicros;
  }

  /** Marks the session idle (in its block, if one is open) after a query (engine-internal). */
  queryEnded(nowMicros: number): void {
    const a = this.activity;
    const status = this.transactionStatus;
    a.state = status === "idle"
      ? "idle"
      : status === "failed"
      ? "idle in transaction (aborted)"
      : "idle in transaction";
    if (status === "idle") a.xactStart = null;
    a.stateChange = nowMicros;
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

/**
 * DISCARD and UNLISTEN. `DISCARD ALL` resets every setting and drops the session's prepared
 * statements (PostgreSQL also closes cursors and temporary tables, which OmenDB does not have);
 * inside a transaction block it is 25001. `DISCARD PLANS | SEQUENCES | TEMP` and `UNLISTEN`
 * have nothing to forget here.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * const s = db.session();
 * await s.query("SET application_name = 'x'; PREPARE p AS SELECT 1");
 * await s.query("DISCARD ALL");
 * console.assert(s.settings.get("application_name") === "" && s.prepared.size === 0);
 * await s.close();
 * await db.close();
 * ```
 */
export function discardSessionState(
  session: Session,
  stmt: Statement & { kind: "discard" | "unlisten" },
  inBlock: boolean,
): QueryResult {
  const done = (command: string) => ({ command, columns: [], rows: [], rowCount: 0 });
  if (stmt.kind === "unlisten") return done("UNLISTEN");
  if (stmt.target === "all") {
    if (inBlock) {
      throw new DbError(
        "25001", // active_sql_transaction
        "DISCARD ALL cannot run inside a transaction block",
      );
    }
    session.settings.set("all", null);
    session.prepared.clear();
  }
  return done(stmt.target === "all" ? "DISCARD ALL" : `DISCARD ${stmt.target.toUpperCase()}`);
}
