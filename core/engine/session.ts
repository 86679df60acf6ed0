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
import type { QueryStream } from "./query_stream.ts";
import type { DataType } from "../types/data_type.ts";
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
  /** {@link Session.querySync}. */
  runSync(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
  ): QueryResult[] | null;
  stream(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryStream>;
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
  /**
   * What the session is doing, as `pg_catalog.pg_stat_activity` shows it: the engine keeps the
   * state, query and times current; a server sets `user`, `applicationName` and the client
   * address when the connection starts.
   */
  readonly activity: SessionActivity;
  /**
   * Set while a multi-statement message runs in its implicit transaction: the session's other
   * calls wait for it instead of joining that transaction (engine-internal).
   */
  message: Promise<void> | null = null;
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
   * Runs every statement in `sql`, returning one result per statement. Outside a BEGIN block a
   * single statement is its own transaction, and several statements run as one implicit
   * transaction, as PostgreSQL runs a simple-query message: when one fails, the earlier ones are
   * rolled back too and the rest do not run. A BEGIN inside the text makes that transaction an
   * explicit block (left open when the text does not end it); a COMMIT or ROLLBACK inside ends
   * it, and the statements after it start a new one. Schema changes (CREATE, DROP, ALTER ...)
   * are not transactional in OmenDB: one commits the implicit transaction before it, runs on its
   * own, and is not undone by a later failure (see docs/transactions.md).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = db.session();
   * await s.query("CREATE TABLE t (x INTEGER)");
   * await s.queryAll("INSERT INTO t VALUES (1); SELECT 1 / 0").catch(() => {});
   * console.assert((await s.query("SELECT count(*) FROM t")).rows[0]![0] === 0n); // rolled back
   * await s.close();
   * await db.close();
   * ```
   */
  queryAll(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult[]> {
    const refused = this.#refusal();
    if (refused !== null) return Promise.reject(refused);
    return this.runner.run(this, sql, params, options);
  }

  /**
   * Runs `sql` like {@link queryAll}, but synchronously, when it can: one query outside a
   * transaction block whose plan is cached (the same text ran before) and runs on the
   * synchronous executor (scans of data in memory, filters, projections, LIMIT; see
   * core/exec/sync_exec.ts). Returns `null` when it cannot, also on an error: the caller then
   * runs it with {@link queryAll}, which gives the answer or the error. A network server answers
   * short queries this way without a promise per statement.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = db.session();
   * console.assert(s.querySync("SELECT 1") === null); // not planned yet
   * await s.queryAll("SELECT 1");
   * console.assert(s.querySync("SELECT 1")![0]!.rows[0]![0] === 1);
   * await s.close();
   * await db.close();
   * ```
   */
  querySync(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): QueryResult[] | null {
    if (this.terminated !== null || this.#closed) return null;
    return this.runner.runSync(this, sql, params, options);
  }

  /**
   * Runs `sql` like {@link queryAll} and streams the last statement's result instead of
   * materialising it: a query (SELECT, VALUES, WITH ...) is read batch by batch as the consumer
   * pulls (see {@link QueryStream}), at the snapshot the statement took, inside the session's
   * BEGIN block if one is open; other statements run to completion and come back as a stream of
   * their rows. The statement timeout, `options.signal` and the result-row limit apply while it
   * streams. An error while streaming fails the open block, or rolls back the statement's own
   * (or the message's implicit) transaction; closing the stream early releases its snapshot
   * and memory and commits its own transaction (a query changes nothing, but statements before
   * it in the same text do).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = db.session();
   * const stream = await s.stream("SELECT x FROM generate_series(1, 100000) AS g(x)");
   * let rows = 0;
   * for await (const batch of stream) {
   *   rows += batch.length;
   *   if (rows >= 4096) break; // closes the stream: the rest is never computed
   * }
   * console.assert(rows === 4096 && stream.state === "closed");
   * await s.close();
   * await db.close();
   * ```
   */
  stream(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryStream> {
    const refused = this.#refusal();
    if (refused !== null) return Promise.reject(refused);
    return this.runner.stream(this, sql, params, options);
  }

  /** Why the session takes no more calls (a timeout ended it, or it was closed), if so. */
  #refusal(): DbError | null {
    if (this.terminated !== null) {
      const e = this.terminated;
      this.terminated = null;
      this.#closed = true;
      return e;
    }
    if (this.#closed) return new DbError("08003", "the session is closed");
    return null;
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
