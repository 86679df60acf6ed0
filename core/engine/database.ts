/**
 * The database object: ties parser, binder, executor, storage and WAL together. Statements run
 * one at a time (a single writer) until the transactions issue brings MVCC.
 *
 * @module
 */
import type { TimeZone } from "../types/time_zone.ts";
import { type Sequence, sequenceFromJson, sequenceToJson } from "../catalog/sequence.ts";
import { AssertionError, DbError, notSupported, SqlState, toDbError } from "../errors.ts";
import { type Env, LockHeldError, realEnv, yieldToIo } from "../env/mod.ts";
import type { FileLock } from "../env/fs.ts";
import { type Limits, resolveLimits } from "../limits.ts";
import { applyUserChange, planUserChange } from "./user_ddl.ts";
import type { AuthDirectory } from "../plugin/auth.ts";
import { type Plugin, PluginRegistry } from "../plugin/registry.ts";
import type { StorageEngine } from "../plugin/storage.ts";
import type { Wal } from "../plugin/wal.ts";
import type { Query, Statement } from "../sql/ast.ts";
import type { ParserPlugin } from "../plugin/parser.ts";
import {
  Catalog,
  type CatalogJson,
  defaultSchemaName,
  type IndexSchema,
} from "../catalog/catalog.ts";
import { SearchPath } from "../catalog/search_path.ts";
import { applySchemaChange, planSchemaChange } from "./schema_ddl.ts";
import type { TableSchema } from "../catalog/table.ts";
import { bindStatement, bindTypeName, type GenericParams, genericParams } from "../plan/binder.ts";
import { paramType } from "../exec/eval.ts";
import { builtinRules, optimize } from "../optimizer/driver.ts";
import type {
  BoundDml,
  BoundOnConflict,
  BoundReturning,
  BoundStatement,
} from "../plan/bound_statement.ts";
import type { LogicalPlan } from "../plan/logical_plan.ts";
import { LruMap } from "./lru_map.ts";
import { ExecContext } from "../exec/context.ts";
import { execute } from "../exec/physical.ts";
import { executeSync, runsSync } from "../exec/sync_exec.ts";
import { evaluate } from "../exec/eval.ts";
import { rowKey } from "../exec/group_keys.ts";
import { formatValue } from "../types/format.ts";
import { castColumn, castValue } from "../exec/kernels/cast.ts";
import type { Batch } from "../types/batch.ts";
import {
  allValid,
  type Column,
  columnFromValues,
  concatColumns,
  isValid,
  makeColumn,
  nullColumn,
  setNull,
  takeColumn,
  type Value,
  valueAt,
} from "../types/column.ts";
import { type DataType, sameType, Types, typeToSql } from "../types/data_type.ts";
import { explainPlan, type PlanProfile } from "../plan/explain.ts";
import { explainDml } from "../plan/explain_dml.ts";
import { collectTargetRows, returningRows, updatedRows } from "./dml_rows.ts";
import { SessionSettings, settingDisplayName } from "./settings.ts";
import { readCopyFile } from "../io/copy_from.ts";
import { writeCopyFile } from "../io/copy_to.ts";
import type { CopyClient, Durability, QueryOptions, QueryResult, ResultColumn } from "./result.ts";
import {
  type DdlChange,
  decodeJson,
  decodeRows,
  type DeleteChange,
  encodeJson,
  type RowsChange,
  WalRecordType,
} from "./wal_codec.ts";
import { decodeBatch, encodeBatch } from "./batch_codec.ts";
import type { WalEntry, WalRecord, WalStats } from "../plugin/wal.ts";
import { applyAlterTable, planAlterTable } from "./alter_table.ts";
import {
  discardSessionState,
  firstSessionPid,
  Session,
  type SessionActivity,
  type SessionRunner,
} from "./session.ts";
import type { SystemContext } from "../plugin/system_relation.ts";
import { systemContext } from "./system_context.ts";
import { QueryStream, type StreamSource } from "./query_stream.ts";
import { tablesRead } from "../plan/tables_read.ts";
import type { TableReader } from "../plugin/storage.ts";
import type { TransactionAction, TransactionModes } from "../sql/ast.ts";
import {
  type Isolation,
  type Savepoint,
  type StatementView,
  storedRowCount,
  Transaction,
  TransactionManager,
  transactionReader,
  viewFields,
  WaitForTransaction,
} from "../txn/mod.ts";
import { checkConstraints } from "./check_constraints.ts";

/** Which messages {@link DatabaseOptions.queryLog} logs. */
export interface QueryLogOptions {
  /** Every message. */
  readonly all: boolean;
  /** Messages taking at least this many milliseconds (0: none, unless `all`). */
  readonly slowMs: number;
}

/** Characters of a message's SQL text a `query` log event keeps. */
export const queryLogTextCharsMax = 2048;

/** How to open a database. */
export interface DatabaseOptions {
  /** Data directory for a durable database. */
  readonly path?: string;
  /** A purely in-memory database (nothing written to disk). */
  readonly memory?: boolean;
  /** The plugins to register; replaces the default list (`defaultPlugins` in mod.ts). */
  readonly plugins?: readonly Plugin[];
  /** Clock, file system and randomness (tests inject simulated ones). */
  readonly env?: Env;
  /** Overrides of the default limits. */
  readonly limits?: Partial<Limits>;
  /** Receives structured log events. */
  readonly log?: (event: Record<string, unknown>) => void;
  /**
   * Logs each message (one `query` / `queryAll` / `stream` call) as a `query` event with its
   * session pid, user, milliseconds, rows, SQLSTATE and text: every one with `all`, else those
   * taking at least `slowMs` (0: none). Off by default.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const events: Record<string, unknown>[] = [];
   * const db = await Database.open({
   *   memory: true,
   *   log: (e) => events.push(e),
   *   queryLog: { all: true, slowMs: 0 },
   * });
   * await db.query("SELECT 1").catch(() => {});
   * await db.query("SELECT 1/0").catch(() => {});
   * console.assert(events.filter((e) => e.event === "query").map((e) => e.code).join() === "00000,22012");
   * await db.close();
   * ```
   */
  readonly queryLog?: QueryLogOptions;
  /**
   * The storage plugin by name. Default: `parquet` for a data directory and `memory` for
   * `memory: true`, when registered; else the first registered storage plugin.
   */
  readonly storage?: string;
  /**
   * WAL durability: `sync: "fsync"` (default) acknowledges a write once its commit record is
   * fdatasync'ed; `"interval"` once the OS has it, syncing every `syncIntervalMs` (default 100).
   * Each result that wrote says which level it reached (`QueryResult.durability`).
   */
  readonly wal?: { readonly sync?: "fsync" | "interval"; readonly syncIntervalMs?: number };
}

/** A table as {@link Database.describeTable} reports it. */
export interface TableDescription {
  readonly columns: readonly { readonly name: string; readonly type: DataType }[];
  /** The designated timestamp column (`WITH (timestamp = ...)`), or `null`. */
  readonly timestamp: string | null;
  /** The series key columns (`dedup_keys`), in order; empty when rows are not deduplicated. */
  readonly dedupKeys: readonly string[];
}

/** Columns for {@link Database.insertColumns}: typed arrays, arrays of values, or an Arrow table. */
export type InsertColumns =
  | Readonly<Record<string, ArrayLike<unknown>>>
  | {
    getChild(name: string): { toArray(): ArrayLike<unknown>; length: number } | null;
    readonly numRows: number;
  };

/** A snapshot of a database's state, from {@link Database.stats}. */
export interface DatabaseStats {
  /** Transactions open now: BEGIN blocks and running statements. */
  readonly activeTransactions: number;
  /** Open sessions: the one behind `db.query` and those from `session()` not yet closed. */
  readonly sessions: number;
  /** Bytes of committed rows held in memtables, not yet written by a checkpoint. */
  readonly unflushedBytes: number;
  /** Tables in the catalog. */
  readonly tables: number;
  /** Generic query plans the plan cache holds (see `Limits.planCacheEntriesMax`). */
  readonly planCacheEntries: number;
  /** Queries that ran a cached plan. */
  readonly planCacheHits: number;
  /** Queries the plan cache could have served that were bound and optimized anew. */
  readonly planCacheMisses: number;
  /** Of the plan cache hits, queries run by the synchronous executor (`Session.querySync`). */
  readonly syncQueries: number;
}

interface Internals {
  readonly registry: PluginRegistry;
  readonly env: Env;
  readonly limits: Limits;
  readonly storage: StorageEngine | null;
  readonly wal: Wal | null;
  readonly lock: FileLock | null;
  readonly log: (event: Record<string, unknown>) => void;
  readonly queryLog: QueryLogOptions | null;
}

/** What a plan cache bind records about the plan it makes (see `Database.#bindCached`). */
interface BindTrack {
  /** The parameters as the binder reads them: reading one sets `generic.valuesUsed`. */
  readonly params: readonly Value[];
  readonly generic: GenericParams;
  /** Row estimates of the tables it read, by table id. */
  readonly estimates: Map<number, number>;
  /** Set when binding read the statement time, moved a sequence or read the session. */
  volatile: boolean;
}

/** A generic plan kept by the plan cache, with what it was made under. */
interface CachedPlan {
  readonly bound: BoundStatement;
  /** Settings, user and parameter types it was bound with. */
  readonly key: string;
  /** The catalog's {@link Catalog.changeCount} when it was bound. */
  readonly catalogChanges: number;
  /** Row estimates of the tables it read, by table id. */
  readonly estimates: ReadonlyMap<number, number>;
  /**
   * When its plan runs on the synchronous executor (see core/exec/sync_exec.ts): the result's
   * columns (one array for every run); otherwise `null`.
   */
  readonly sync: readonly ResultColumn[] | null;
}

/**
 * An OmenDB database: in memory or in a data directory.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * const db = await Database.open({ memory: true });
 * await db.query("CREATE TABLE t (x INTEGER)");
 * await db.query("INSERT INTO t VALUES (1), (2)");
 * const r = await db.query("SELECT x * 10 AS y FROM t ORDER BY y DESC");
 * console.assert(r.rows[0]![0] === 20);
 * await db.close();
 * ```
 */
export class Database {
  readonly #registry: PluginRegistry;
  readonly #env: Env;
  readonly #limits: Limits;
  readonly #storage: StorageEngine | null;
  readonly #wal: Wal | null;
  readonly #lock: FileLock | null;
  readonly #catalog: Catalog;
  readonly #log: (event: Record<string, unknown>) => void;
  readonly #queryLog: QueryLogOptions | null;
  /** SQL text -> its statements (see {@link Database.#parse}), in least recently used order. */
  #parseCache: LruMap<string, readonly Statement[]> | null = null;
  /** Generic plans of queries by their parsed statement (see {@link Database.#bindCached}). */
  #planCache: LruMap<Statement, CachedPlan> | null = null;
  #planCacheHits = 0;
  /** The settings part of each session's plan key, while its settings and user stay. */
  readonly #planKeys = new WeakMap<
    SessionSettings,
    { version: number; user: string | null; key: string }
  >();
  #syncQueries = 0;
  #planCacheMisses = 0;
  #parseCacheParser: ParserPlugin | null = null;
  /** Whether a task holds the exclusive section (see {@link #exclusive}). */
  #busy = false;
  /** Tasks waiting for the exclusive section, first come first served. */
  readonly #waiting: (() => void)[] = [];
  #closed = false;
  /** How sessions run their SQL here. */
  readonly #runner: SessionRunner = {
    run: (session, sql, params, options) =>
      this.#runMessage(session, sql, params, options, false).then((r) => r.results),
    runSync: (session, sql, params, options) => this.#runSync(session, sql, params, options),
    stream: (session, sql, params, options) => this.#sessionStream(session, sql, params, options),
    describe: (session, sql, paramTypes) => this.#describe(session, sql, paramTypes),
    close: (session) => this.#closeSession(session),
  };
  /** Query streams open now (see #openStream): they pin the horizon and their tables. */
  readonly #streams = new Set<OpenStream>();
  /** The horizon storage was last given (-1 = never: storage keeps every old version). */
  #appliedHorizon = -1n;
  /** Open sessions (closed with the database). */
  readonly #sessions = new Set<Session>();
  /** The pid the next session gets (unique per database, as PostgreSQL's backend pids). */
  #nextPid = firstSessionPid;
  /** The embedded session that {@link Database.query} uses. */
  readonly #defaultSession: Session;
  /** The settings of the statement running now (statements run one at a time). */
  #settings: SessionSettings;
  /** The client end of COPY STDIN/STDOUT of the statement running now, if it has one. */
  #copyClient: CopyClient | null = null;
  /** Active transactions, marks, waits. */
  readonly #txns: TransactionManager;
  /** Committed keys of each unique index (latest view), built on first use, kept at commits. */
  readonly #uniqueKeys = new Map<string, Set<string>>();
  /** Whether non-transactional records (DDL, sequences) were logged without a commit record. */
  #uncommitted = false;
  /** The LSN of the last record logged (a counter without a WAL). */
  #lastLsn = 0n;
  /**
   * Every commit at or below this LSN is durable: new snapshots are taken here. Commits above
   * it are applied but their commit records are still being synced (group commit).
   */
  #durableLsn = 0n;
  /** Transactions whose commit records are being synced, with their sync. */
  readonly #committing = new Map<Transaction, Promise<unknown>>();
  /** Whether the horizon may have moved since storage was last told (see #applyHorizon). */
  #horizonMoved = false;
  /** When the event loop last had a turn for I/O that {@link Database.#exclusive} gave it. */
  #turnAtMs = 0;
  /** Set when a commit record could not be made durable: the database takes no more work. */
  #failure: DbError | null = null;
  /** The running background checkpoint (WAL truncation included), if any. */
  #backgroundCheckpoint: Promise<void> | null = null;

  /** Use {@link Database.open}. */
  protected constructor(internals: Internals) {
    this.#registry = internals.registry;
    this.#env = internals.env;
    this.#limits = internals.limits;
    this.#storage = internals.storage;
    this.#wal = internals.wal;
    this.#lock = internals.lock;
    this.#log = internals.log;
    this.#queryLog = internals.queryLog;
    this.#catalog = new Catalog(internals.limits);
    this.#txns = new TransactionManager(internals.limits.transactionsOpenMax);
    this.#defaultSession = this.session();
    this.#settings = this.#defaultSession.settings;
  }

  /**
   * Opens a database. `{ memory: true }` keeps everything in memory; `{ path }` opens (or
   * creates) a durable data directory, taking its LOCK file and replaying its WAL.
   */
  static async open(options: DatabaseOptions = {}): Promise<Database> {
    const env = options.env ?? realEnv();
    const limits = resolveLimits(options.limits);
    const log = options.log ?? (() => {});
    const registry = new PluginRegistry();
    for (const p of options.plugins ?? []) registry.use(p);
    if (options.memory && options.path !== undefined) {
      throw new DbError(
        SqlState.invalidParameterValue,
        "give either memory: true or a path, not both",
      );
    }
    const dir = options.memory || options.path === undefined ? null : options.path;
    let lock: FileLock | null = null;
    let wal: Wal | null = null;
    if (dir !== null) {
      await env.fs.mkdirp(dir);
      try {
        lock = await env.fs.lock(`${dir}/LOCK`);
      } catch (e) {
        if (e instanceof LockHeldError) {
          throw new DbError(
            "55006",
            `data directory "${dir}" is in use by another OmenDB process`,
            {
              hint: "stop the other process or open another directory",
            },
          );
        }
        throw e;
      }
    }
    const storagePlugin = registry.storage(
      options.storage ??
        (dir !== null
          ? (registry.storage("parquet") ? "parquet" : undefined)
          : (registry.storage("memory") ? "memory" : undefined)),
    );
    if (options.storage !== undefined && storagePlugin === null) {
      lock?.release();
      throw new DbError(
        SqlState.invalidParameterValue,
        `no storage plugin named "${options.storage}" is registered`,
      );
    }
    let storage: StorageEngine | null = null;
    try {
      storage = storagePlugin
        ? await storagePlugin.open({ env, dir, limits, index: registry.index(), log })
        : null;
      const recovered = storage?.recovered?.() ?? null;
      if (dir !== null) {
        const walPlugin = registry.wal();
        if (!walPlugin) throw notSupported("a durable database without a WAL plugin");
        wal = await walPlugin.open({
          env,
          dir: `${dir}/wal`,
          log,
          ...(options.wal?.sync !== undefined ? { sync: options.wal.sync } : {}),
          ...(options.wal?.syncIntervalMs !== undefined
            ? { syncIntervalMs: options.wal.syncIntervalMs }
            : {}),
          ...(recovered !== null ? { nextLsnMin: recovered.checkpointLsn + 1n } : {}),
        });
      }
      const queryLog = options.queryLog === undefined ||
          (!options.queryLog.all && options.queryLog.slowMs <= 0)
        ? null
        : options.queryLog;
      const db = new this({ registry, env, limits, storage, wal, lock, log, queryLog });
      if (recovered !== null && recovered.catalog !== null) {
        db.#catalog.restore(recovered.catalog as CatalogJson);
        db.#lastLsn = recovered.checkpointLsn;
        db.#durableLsn = recovered.checkpointLsn;
      }
      if (wal !== null) await db.#recover(wal, recovered?.checkpointLsn ?? 0n);
      return db;
    } catch (e) {
      await wal?.close().catch(() => {});
      await storage?.close().catch(() => {});
      lock?.release();
      throw toDbError(e);
    }
  }

  /** The plugin registry of this database. */
  get registry(): PluginRegistry {
    return this.#registry;
  }

  /**
   * The login users and API tokens of the catalog (verifiers and token hashes only), for an
   * auth plugin: `db.registry.auth()?.authenticate(request, { directory: db.authDirectory(), ... })`.
   */
  authDirectory(): AuthDirectory {
    const catalog = this.#catalog;
    return { user: (name) => catalog.getUser(name), token: (id) => catalog.getToken(id) };
  }

  /** The effective limits. */
  get limits(): Limits {
    return this.#limits;
  }

  /**
   * The session time zone (`SET TIME ZONE`) of the embedded session: timestamptz values come
   * back as UTC microseconds; format them for display with `formatValue(type, value, db.timeZone)`.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("SET TIME ZONE 'Europe/Berlin'");
   * console.assert(db.timeZone.name === "Europe/Berlin");
   * await db.close();
   * ```
   */
  get timeZone(): TimeZone {
    return this.#defaultSession.settings.timeZone();
  }

  /**
   * The WAL's counters (appends, writes, fsyncs, files, bytes); `null` for an in-memory
   * database. Concurrent commits share writes and fsyncs (group commit).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * console.assert(db.walStats() === null);
   * await db.close();
   * ```
   */
  walStats(): WalStats | null {
    return this.#wal?.stats() ?? null;
  }

  /**
   * The error that stopped writes, or `null` while the database accepts them. After a commit
   * record could not be made durable every later write fails with this error (SQLSTATE 58030)
   * until the database is reopened, which recovers from the WAL.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * console.assert(db.writeFailure === null);
   * await db.close();
   * ```
   */
  get writeFailure(): DbError | null {
    return this.#failure;
  }

  /**
   * Counts for monitoring: open transactions and sessions, unflushed memtable bytes, tables, the
   * plan cache. Cheap enough to call on every metrics scrape.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("CREATE TABLE t (x INTEGER)");
   * const s = db.stats();
   * console.assert(s.tables === 1 && s.activeTransactions === 0 && s.sessions === 1);
   * await db.query("SELECT 1");
   * await db.query("SELECT 1"); // the same text: its plan is reused
   * console.assert(db.stats().planCacheHits === 1);
   * await db.close();
   * ```
   */
  stats(): DatabaseStats {
    return {
      activeTransactions: this.#txns.activeCount,
      sessions: this.#sessions.size,
      unflushedBytes: this.#storage?.unflushedBytes?.() ?? 0,
      tables: this.#catalog.tables().length,
      planCacheEntries: this.#planCache?.size ?? 0,
      planCacheHits: this.#planCacheHits,
      syncQueries: this.#syncQueries,
      planCacheMisses: this.#planCacheMisses,
    };
  }

  /**
   * Opens a session: its own settings, prepared statements and transaction, like one
   * PostgreSQL connection. Close it when done (an open transaction is rolled back).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("CREATE TABLE t (x INTEGER)");
   * const s = db.session();
   * await s.query("BEGIN; INSERT INTO t VALUES (1)");
   * await s.query("ROLLBACK");
   * console.assert((await db.query("SELECT count(*) FROM t")).rows[0]![0] === 0n);
   * await s.close();
   * await db.close();
   * ```
   */
  session(): Session {
    const defaults: Record<string, string> = {
      transaction_timeout: String(this.#limits.transactionTimeoutMs),
      idle_in_transaction_session_timeout: String(this.#limits.idleInTransactionTimeoutMs),
    };
    const s = new Session(this.#runner, defaults, this.#nextPid++, this.#env.clock.nowMicros());
    this.#sessions.add(s);
    return s;
  }

  /**
   * What every open session is doing (the rows of `pg_catalog.pg_stat_activity`).
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * const s = db.session();
   * await s.query("BEGIN");
   * const row = db.activity().find((a) => a.pid === s.activity.pid)!;
   * console.assert(row.state === "idle in transaction" && row.query === "BEGIN");
   * await s.close();
   * await db.close();
   * ```
   */
  activity(): SessionActivity[] {
    return [...this.#sessions].map((s) => ({ ...s.activity }));
  }

  /** What system relations and context-reading functions see of `session`'s statement. */
  #systemContext(session: Session): SystemContext {
    const parser = this.#registry.parser();
    return systemContext(session, {
      catalog: this.#catalog,
      registry: this.#registry,
      storage: this.#storage,
      sessions: () => this.activity(),
      parseQuery: parser === null ? null : (text) => parseView(parser, text, this.#limits),
    });
  }

  /**
   * Runs every statement in `sql` on the embedded session and returns the last one's result.
   * Parameters `$1...$n` take `params` (numbers, bigints, strings, booleans, null).
   */
  query(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult> {
    return this.#defaultSession.query(sql, params, options);
  }

  /** Runs every statement in `sql` on the embedded session, returning one result per statement. */
  queryAll(
    sql: string,
    params: readonly Value[] = [],
    options: QueryOptions = {},
  ): Promise<QueryResult[]> {
    return this.#defaultSession.queryAll(sql, params, options);
  }

  /**
   * Runs the statements of one message (a `queryAll` / `stream` call): several statements
   * outside a BEGIN block share one implicit transaction, as in PostgreSQL's simple-query
   * protocol. With `streamLast`, a final query is opened as a stream instead of being run.
   */
  #runMessage(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
    streamLast: boolean,
  ): Promise<{ results: QueryResult[]; stream: QueryStream | null }> {
    const log = this.#queryLog;
    if (log === null) return this.#runMessageNow(session, sql, params, options, streamLast);
    const start = this.#env.clock.monotonicMs();
    const run = this.#runMessageNow(session, sql, params, options, streamLast);
    return this.#logMessage(log, session, sql, start, run);
  }

  /** With the query log on: waits for a message's run (started at `start`) and logs it. */
  async #logMessage<T extends { results: QueryResult[]; stream: QueryStream | null }>(
    log: QueryLogOptions,
    session: Session,
    sql: string,
    start: number,
    run: Promise<T>,
  ): Promise<T> {
    let code = "00000";
    let rows: number | null = null;
    try {
      const out = await run;
      rows = out.stream !== null ? null : out.results.reduce((n, r) => n + r.rowCount, 0);
      return out;
    } catch (e) {
      code = e instanceof DbError ? e.code : SqlState.internalError;
      throw e;
    } finally {
      this.#logQuery(log, session, sql, this.#env.clock.monotonicMs() - start, rows, code);
    }
  }

  /** Logs a message that ran for `ms` when the query log takes it. */
  #logQuery(
    log: QueryLogOptions,
    session: Session,
    sql: string,
    ms: number,
    rows: number | null,
    code: string,
  ): void {
    if (!log.all && !(log.slowMs > 0 && ms >= log.slowMs)) return;
    this.#log({
      event: "query",
      pid: session.activity.pid,
      user: session.activity.user,
      ms: Math.round(ms * 1000) / 1000,
      // a streamed result's rows are not known when it starts
      rows,
      code,
      sql: sql.length > queryLogTextCharsMax ? `${sql.slice(0, queryLogTextCharsMax)}...` : sql,
    });
  }

  async #runMessageNow(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
    streamLast: boolean,
  ): Promise<{ results: QueryResult[]; stream: QueryStream | null }> {
    if (this.#closed) throw new DbError("08003", "the database is closed");
    const parser = this.#registry.parser();
    if (!parser) throw notSupported("SQL (no SQL parser plugin is registered)");
    // calls that overlap on one session (db.query from concurrent callers) must not run inside
    // another call's implicit transaction: they wait for a running multi-statement message
    while (session.message !== null) await session.message;
    let statements: readonly Statement[];
    try {
      statements = this.#parse(parser, sql);
    } catch (e) {
      // as in PostgreSQL, a syntax error inside a block fails the block
      await this.#exclusive(() => Promise.resolve(this.#failBlock(session)));
      throw toDbError(e);
    }
    const multi = statements.length > 1;
    session.queryStarted(sql, this.#env.clock.nowMicros());
    if (!multi) {
      try {
        return await this.#runStatements(session, statements, params, options, streamLast);
      } finally {
        session.queryEnded(this.#env.clock.nowMicros());
      }
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    session.message = promise;
    try {
      return await this.#runStatements(session, statements, params, options, streamLast);
    } finally {
      session.queryEnded(this.#env.clock.nowMicros());
      session.message = null;
      resolve();
    }
  }

  /**
   * The statements of `sql`, from the parse cache when the same text was parsed before by the
   * same parser (statements are immutable trees, so one parse serves every execution).
   */
  #parse(parser: ParserPlugin, sql: string): readonly Statement[] {
    const limits = this.#limits;
    if (limits.parseCacheEntriesMax === 0 || sql.length > limits.parseCacheTextCharsMax) {
      return parser.parse(sql, { limits });
    }
    if (this.#parseCacheParser !== parser) {
      this.#parseCache?.clear();
      this.#parseCacheParser = parser;
    }
    const cache = this.#parseCache ??= new LruMap(limits.parseCacheEntriesMax);
    const hit = cache.get(sql);
    if (hit !== undefined) return hit;
    const statements = parser.parse(sql, { limits });
    cache.set(sql, statements);
    return statements;
  }

  /** The statements of one message, in its implicit transaction when there are several. */
  async #runStatements(
    session: Session,
    statements: readonly Statement[],
    params: readonly Value[],
    options: QueryOptions,
    streamLast: boolean,
  ): Promise<{ results: QueryResult[]; stream: QueryStream | null }> {
    const multi = statements.length > 1;
    const results: QueryResult[] = [];
    /** Index in `results` of the implicit block's first statement. */
    let blockFrom = 0;
    try {
      for (let i = 0; i < statements.length; i++) {
        const stmt = statements[i]!;
        if (multi && session.txn === null) {
          blockFrom = results.length;
          await this.#exclusive(() => {
            session.txn = this.#beginTransaction(session, null, false);
            return Promise.resolve();
          });
        }
        // the first statement starts when its message did (one clock reading fewer)
        session.statementStarted(
          i === 0 && session.activity.queryStart !== null
            ? session.activity.queryStart
            : this.#env.clock.nowMicros(),
        );
        if (streamLast && i === statements.length - 1 && stmt.kind === "query") {
          const stream = await this.#openStream(session, stmt, params, options);
          if (stream !== null) return { results, stream };
        }
        const result = await this.#statement(session, stmt, params, options);
        options.onResult?.(result);
        results.push(result);
      }
      const txn = session.txn;
      if (txn !== null && !txn.explicit) {
        // the message ran through: its implicit block commits
        const sync = await this.#exclusive(async () => {
          session.txn = null;
          this.#clearIdleTimer(session);
          return (await this.#commitTransaction(txn)).sync;
        });
        const durability = await sync;
        if (durability !== null) {
          for (let k = blockFrom; k < results.length; k++) {
            results[k] = { ...results[k]!, durability };
          }
        }
      }
    } catch (e) {
      const txn = session.txn;
      if (txn !== null && !txn.explicit) {
        // a failed statement rolls back the whole implicit block; the rest does not run
        await this.#exclusive(async () => {
          if (session.txn !== txn) return;
          session.txn = null;
          this.#clearIdleTimer(session);
          if (!txn.ended) await this.#rollbackTransaction(txn);
        }).catch(() => {});
      }
      throw e;
    }
    return { results, stream: null };
  }

  /** `Session.stream`: runs `sql`, streaming its last statement's result. */
  async #sessionStream(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryStream> {
    const { results, stream } = await this.#runMessage(session, sql, params, options, true);
    if (stream !== null) return stream;
    const last = results.at(-1) ?? { command: "EMPTY", columns: [], rows: [], rowCount: 0 };
    return QueryStream.fromResult(last, this.#limits.batchRowsMax);
  }

  /**
   * Opens a query as a stream: binds it in the exclusive section and then pulls one batch per
   * turn of the exclusive section, so other sessions run between batches. The stream reads at
   * the snapshot taken now, in the session's BEGIN block or in its own transaction (which takes
   * over the message's implicit block, if any). `null` when the query must run the ordinary
   * way (the first statement of a REPEATABLE READ block while commits sync: it waits first).
   */
  async #openStream(
    session: Session,
    stmt: Statement & { kind: "query" },
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryStream | null> {
    this.#clearIdleTimer(session);
    try {
      return await this.#exclusive(() => this.#openStreamLocked(session, stmt, params, options));
    } finally {
      this.#armIdleTimer(session);
    }
  }

  async #openStreamLocked(
    session: Session,
    stmt: Statement & { kind: "query" },
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryStream | null> {
    this.#settings = session.settings;
    try {
      await this.#checkTransactionTimeout(session);
      const current = session.txn;
      if (current !== null && current.state === "failed") {
        throw new DbError(
          "25P02",
          "current transaction is aborted, commands ignored until end of transaction block",
        );
      }
      if (
        current !== null && current.snapshot === null && current.isolation !== "read committed" &&
        current.explicit && !current.waitedForSnapshot && this.#committing.size > 0
      ) return null;
      const timeoutMs = this.#statementTimeout(session, options);
      const ctx = new ExecContext(
        this.#env.clock,
        this.#limits,
        params,
        options.signal ?? null,
        timeoutMs,
      );
      const touched = new Set<Sequence>();
      let bound: BoundStatement;
      try {
        ctx.check();
        bound = this.#bindCached(session, stmt, params, touched);
      } catch (e) {
        if (current !== null) current.state = "failed";
        throw e;
      }
      if (bound.kind !== "query") return null;
      // the message's implicit block becomes the stream's own transaction: it ends with it
      const block = current !== null && current.explicit ? current : null;
      if (current !== null && block === null) session.txn = null;
      const txn = current ?? this.#beginTransaction(session, null, false);
      txn.snapshot ??= txn.isolation === "read committed" ? null : this.#durableLsn;
      txn.queried = true;
      // always an explicit snapshot: commits made between two batches stay invisible
      const view: StatementView = { snapshotLsn: txn.snapshot ?? this.#durableLsn, txn };
      const open: OpenStream = {
        txn,
        tables: tablesRead(bound.plan),
        horizon: this.#appliedHorizon,
      };
      this.#streams.add(open);
      const plan = bound.plan;
      const iterator = execute(plan, this.#reader({ view, mark: 0 }), ctx)[Symbol.asyncIterator]();
      const rowsMax = this.#limits.queryResultRowsMax;
      let rows = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const signal = options.signal ?? null;
      const release = () => {
        if (timer !== undefined) clearTimeout(timer);
        if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
        if (this.#streams.delete(open)) this.#horizonMoved = true;
      };
      const source: StreamSource = {
        pull: () =>
          this.#exclusive(async () => {
            if (txn.ended) {
              throw new DbError(
                "34000",
                "the transaction this query stream read in has ended",
                { hint: "read a stream to its end before COMMIT or ROLLBACK" },
              );
            }
            this.#settings = session.settings;
            try {
              ctx.check();
              const next = await iterator.next();
              if (next.done) return null;
              rows += next.value.length;
              if (rowsMax > 0 && rows > rowsMax) {
                throw new DbError(
                  SqlState.programLimitExceeded,
                  `query returned more than ${rowsMax} rows`,
                );
              }
              return next.value;
            } finally {
              this.#settings = this.#defaultSession.settings;
            }
          }),
        finish: async (outcome) => {
          release();
          if (this.#closed) return null;
          const sync = await this.#exclusive(async () => {
            try {
              await iterator.return?.();
            } catch {
              // the executor's own cleanup failed: the stream ends anyway
            }
            if (txn.ended) return null;
            if (outcome instanceof DbError) {
              if (block !== null) block.state = "failed";
              else await this.#rollbackTransaction(txn);
              return null;
            }
            let sequenced: Durability | null = null;
            if (touched.size > 0) {
              for (const s of touched) await this.#logSequenceValue(s);
              sequenced = await this.#commitCall();
            }
            if (block !== null) return { sync: Promise.resolve(sequenced) };
            // the commit record syncs outside the exclusive section (group commit)
            const { sync } = await this.#commitTransaction(txn);
            return { sync: sync.then((d) => d ?? sequenced) };
          });
          return sync === null ? null : await sync.sync;
        },
      };
      const stream = new QueryStream(
        plan.fields.map((f) => ({ name: f.name, type: f.type })),
        source,
        { tag: (n) => `SELECT ${n}` },
      );
      // the timeout and a cancellation end the stream also while nobody pulls
      if (timeoutMs > 0) {
        const cancel = () =>
          void stream.abort(
            new DbError(SqlState.queryCanceled, "canceling statement due to statement timeout"),
          );
        timer = setTimeout(cancel, timeoutMs + 1);
      }
      if (signal !== null) {
        onAbort = () =>
          void stream.abort(
            new DbError(SqlState.queryCanceled, "canceling statement due to user request"),
          );
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      }
      return stream;
    } catch (e) {
      throw toDbError(e);
    } finally {
      this.#settings = this.#defaultSession.settings;
    }
  }

  /**
   * Binds `sql` (at most one statement) against the catalog without running it: the types of
   * its parameters (`paramTypes[i]` when given, else inferred from their use, text when
   * nothing says) and of its result columns (`null` when it returns no rows).
   */
  async #describe(
    session: Session,
    sql: string,
    paramTypes: readonly (DataType | null)[],
  ): Promise<StatementDescription> {
    if (this.#closed) throw new DbError("08003", "the database is closed");
    const parser = this.#registry.parser();
    if (!parser) throw notSupported("SQL (no SQL parser plugin is registered)");
    const statements = parser.parse(sql, { limits: this.#limits });
    if (statements.length > 1) {
      throw new DbError(
        SqlState.syntaxError,
        "cannot insert multiple commands into a prepared statement",
      );
    }
    const stmt = statements[0];
    let count = paramTypes.length;
    if (stmt !== undefined) {
      walkObjects(stmt, (o) => {
        if (o.kind === "param" && typeof o.index === "number") count = Math.max(count, o.index);
      });
    }
    const declared = Array.from({ length: count }, (_, i) => paramTypes[i] ?? null);
    const describeParams = (inferred: (DataType | null)[]) =>
      declared.map((t, i) => t ?? inferred[i] ?? Types.text);
    if (
      stmt === undefined || stmt.kind === "transaction" || stmt.kind === "prepare" ||
      stmt.kind === "deallocate" || stmt.kind === "execute"
    ) {
      return { params: describeParams([]), columns: null };
    }
    const placeholders = declared.map((t) => t === null ? null : placeholderValue(t));
    return await this.#exclusive(() => {
      this.#settings = session.settings;
      try {
        const bound = bindStatement(stmt, {
          catalog: this.#catalog,
          registry: this.#registry,
          parseQuery: (text) => parseView(parser, text, this.#limits),
          estimateRows: () => 0,
          statementTimeMicros: this.#env.clock.nowMicros(),
          defaultNullsFirst: (descending) => this.#settings.defaultNullsFirst(descending),
          timeZone: this.#settings.timeZone(),
          sequenceTouched: () => {},
          params: placeholders,
          searchPath: this.#settings.searchPath(),
          system: this.#systemContext(session),
        });
        const inferred: (DataType | null)[] = [];
        walkObjects(bound, (o) => {
          // `$1::int` leaves the parameter unknown under a cast: the cast's type is its type
          const operand = o.operand as Record<string, unknown> | undefined;
          const param = o.kind === "param" ? o : o.kind === "cast" && operand?.kind === "param"
            ? {
              index: operand.index,
              type: (operand.type as DataType).kind === "unknown" ? o.type : operand.type,
            }
            : null;
          if (param === null || typeof param.index !== "number") return;
          const t = param.type as DataType;
          if (t.kind !== "unknown" && inferred[param.index - 1] == null) {
            inferred[param.index - 1] = t;
          }
        });
        return Promise.resolve({
          params: describeParams(inferred),
          columns: resultColumnsOf(bound),
        });
      } catch (e) {
        return Promise.reject(toDbError(e));
      } finally {
        this.#settings = this.#defaultSession.settings;
      }
    });
  }

  /**
   * Runs one statement of a session: inside the exclusive section, again after waiting whenever
   * it meets another transaction's uncommitted change to the same row or key.
   */
  async #statement(
    session: Session,
    stmt: Statement,
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<QueryResult> {
    this.#clearIdleTimer(session);
    const timeoutMs = this.#statementTimeout(session, options);
    const startMs = this.#env.clock.monotonicMs();
    const deadline = timeoutMs > 0 ? startMs + timeoutMs : Infinity;
    try {
      for (;;) {
        const out = await this.#exclusive(() =>
          this.#statementLocked(session, stmt, params, options, startMs)
        );
        if (out.kind === "wait") {
          await this.#waitFor(session, out.holder, deadline, options.signal ?? null);
          continue;
        }
        // acknowledged once durable: other sessions run (and share the sync) meanwhile
        const durability = out.durable === null ? null : await out.durable;
        return durability === null ? out.result : { ...out.result, durability };
      }
    } finally {
      this.#armIdleTimer(session);
    }
  }

  /** Waits for `holder` to end, within the statement's deadline; a timeout fails the block. */
  async #waitFor(
    session: Session,
    holder: Transaction,
    deadline: number,
    signal: AbortSignal | null,
  ): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const ms = deadline - this.#env.clock.monotonicMs();
    try {
      const stop = new Promise<DbError>((resolve) => {
        if (ms !== Infinity) {
          timer = setTimeout(
            () =>
              resolve(
                new DbError(
                  SqlState.queryCanceled,
                  "canceling statement due to statement timeout",
                  {
                    detail: `while waiting for transaction ${holder.id}`,
                  },
                ),
              ),
            Math.max(0, ms),
          );
        }
        if (signal !== null) {
          onAbort = () =>
            resolve(new DbError(SqlState.queryCanceled, "canceling statement due to user request"));
          if (signal.aborted) onAbort();
          else signal.addEventListener("abort", onAbort, { once: true });
        }
      });
      const failed = await Promise.race([holder.done.then(() => null), stop]);
      if (failed !== null) {
        await this.#exclusive(() => Promise.resolve(this.#failBlock(session)));
        throw failed;
      }
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener("abort", onAbort);
      if (session.txn !== null) session.txn.waitingFor = null;
    }
  }

  /** Puts the session's open block, if any, into the failed state. */
  #failBlock(session: Session): void {
    if (session.txn !== null) session.txn.state = "failed";
  }

  /** One run of a statement; `wait` when it must wait for another transaction first. */
  async #statementLocked(
    session: Session,
    parsed: Statement,
    params: readonly Value[],
    options: QueryOptions,
    /** When the statement started (monotonic ms): its timeout counts from there. */
    startMs: number,
  ): Promise<StatementOutcome> {
    this.#settings = session.settings;
    this.#copyClient = options.copy ?? null;
    try {
      await this.#checkTransactionTimeout(session);
      if (parsed.kind === "transaction") {
        const [result, durable] = await this.#transactionControl(
          session,
          parsed.action,
          parsed.pos,
        );
        return { kind: "done", result, durable };
      }
      const block = session.txn;
      if (block !== null && block.state === "failed") {
        throw new DbError(
          "25P02",
          "current transaction is aborted, commands ignored until end of transaction block",
        );
      }
      try {
        return await this.#statementIn(session, block, parsed, params, options, startMs);
      } catch (e) {
        if (block !== null && !(e instanceof WaitForTransaction)) block.state = "failed";
        throw e;
      }
    } catch (e) {
      throw toDbError(e);
    } finally {
      this.#settings = this.#defaultSession.settings;
      this.#copyClient = null;
    }
  }

  /** Runs a statement inside `block` (the open BEGIN block) or as its own transaction. */
  async #statementIn(
    session: Session,
    block: Transaction | null,
    parsed: Statement,
    params: readonly Value[],
    options: QueryOptions,
    startMs: number,
  ): Promise<StatementOutcome> {
    const done = (result: QueryResult): StatementOutcome => ({
      kind: "done",
      result,
      durable: null,
    });
    if (parsed.kind === "prepare" || parsed.kind === "deallocate") {
      return done(this.#prepareStatement(session, parsed));
    }
    if (parsed.kind === "discard" || parsed.kind === "unlisten") {
      return done(discardSessionState(session, parsed, block !== null));
    }
    let stmt: Statement = parsed;
    let stmtParams = params;
    let paramTypes: readonly (DataType | null)[] | undefined;
    if (stmt.kind === "execute") {
      const resolved = await this.#executeArgs(session, stmt, params, options);
      stmt = resolved.statement;
      stmtParams = resolved.params;
      paramTypes = resolved.types;
    }
    const ctx = new ExecContext(
      this.#env.clock,
      this.#limits,
      stmtParams,
      options.signal ?? null,
      this.#statementTimeout(session, options),
      startMs,
    );
    ctx.check();
    const touched = new Set<Sequence>();
    const bound = paramTypes === undefined && stmt.kind === "query"
      ? this.#bindCached(session, stmt, stmtParams, touched)
      : this.#bind(session, stmt, stmtParams, touched, paramTypes);
    if (bound.kind === "show" && transactionSettings.has(bound.name)) {
      const level = block?.isolation ?? session.settings.get("default_transaction_isolation");
      const readOnly = block?.readOnly ??
        session.settings.get("default_transaction_read_only") === "on";
      const value = bound.name === "transaction_isolation" ? level : readOnly ? "on" : "off";
      return done({
        command: "SHOW",
        columns: [{ name: bound.name, type: Types.text }],
        rows: [[value]],
        rowCount: 1,
      });
    }
    let committed: Promise<Durability | null> | null = null;
    if (block !== null && !block.explicit && endsImplicitBlock.has(bound.kind)) {
      // schema changes are not transactional and CHECKPOINT writes what is committed: one ends
      // a message's implicit block (committing the statements before it) and runs on its own;
      // the next statement starts a new block
      session.txn = null;
      committed = (await this.#commitTransaction(block)).sync;
      committed.catch(() => {}); // awaited below; a failing DDL statement leaves it unawaited
      block = null;
    }
    if (!transactional.has(bound.kind)) {
      if (block !== null && ddlKinds.has(bound.kind)) {
        throw new DbError(
          "25001",
          `${commandName(bound.kind)} cannot run inside a transaction block`,
          { hint: "COMMIT or ROLLBACK first; schema changes are not transactional yet." },
        );
      }
      this.#checkTablesIdle(bound);
      let result: QueryResult;
      try {
        result = await this.#run(bound, ctx, null);
      } catch (e) {
        await this.#commitCall(); // what the statement applied before it failed stays
        throw e;
      }
      const durability = await this.#logSequences(touched);
      const out = durability === null ? result : { ...result, durability };
      if (committed === null) return done(out);
      return { kind: "done", result: out, durable: committed.then((d) => d ?? durability) };
    }
    const implicit = block === null;
    const isQuery = bound.kind === "query";
    const txn = block ?? this.#beginTransaction(session, null, false, isQuery, startMs);
    if (txn.readOnly && writes.has(bound.kind)) {
      throw new DbError(
        "25006",
        `cannot execute ${commandName(bound.kind)} in a read-only transaction`,
      );
    }
    if (txn.snapshot === null && txn.isolation !== "read committed") {
      // a snapshot taken while commits sync would miss them and doom this block's writes to
      // their rows (40001): its first statement waits for them once, then takes it
      const syncing = [...this.#committing.keys()].at(-1);
      if (syncing !== undefined && !implicit && !txn.waitedForSnapshot) {
        txn.waitedForSnapshot = true;
        return { kind: "wait", holder: syncing };
      }
      txn.snapshot = this.#durableLsn;
    }
    txn.queried = true;
    // a query changes none of the transaction's own state: nothing to undo, no mark to hand out
    const sp = isQuery ? null : txn.savepoint("", this.#txns.nextMark);
    const mark = isQuery ? 0 : this.#txns.newMark(txn);
    const view: StatementView = {
      // the latest state needs no snapshot (and lets engines use their fast paths)
      snapshotLsn: (txn.snapshot ?? this.#durableLsn) === this.#lastLsn
        ? undefined
        : (txn.snapshot ?? this.#durableLsn),
      txn,
    };
    try {
      const tx = { view, mark };
      let result = bound.kind === "query"
        ? await this.#runQuery(bound.plan, ctx, tx)
        : await this.#run(bound, ctx, tx);
      // SERIALIZABLE: a write that COMMIT would refuse fails now (its own error came first)
      if (writes.has(bound.kind)) this.#txns.validate(txn, true);
      if (touched.size > 0 || this.#uncommitted) {
        const sequenced = await this.#logSequences(touched);
        if (sequenced !== null) result = { ...result, durability: sequenced };
      }
      if (implicit) {
        return { kind: "done", result, durable: (await this.#commitTransaction(txn)).sync };
      }
      return done(result);
    } catch (e) {
      if (sp !== null && !txn.ended) await this.#undo(txn, sp);
      if (implicit && !txn.ended) await this.#rollbackTransaction(txn);
      if (e instanceof WaitForTransaction) {
        if (!implicit) this.#txns.startWaiting(txn, e.holder); // 40P01 on a cycle
        return { kind: "wait", holder: e.holder };
      }
      throw e;
    }
  }

  /**
   * Logs the new values of the sequences a statement moved and commits them at once (sequences
   * are not transactional); the durability reached, `null` when nothing was logged.
   */
  async #logSequences(touched: ReadonlySet<Sequence>): Promise<Durability | null> {
    for (const s of touched) await this.#logSequenceValue(s);
    return await this.#commitCall();
  }

  /**
   * Binds and optimizes a statement with the running session's settings; the sequences it moves
   * are added to `touched`. With `track` (a plan cache bind, see {@link Database.#bindCached}),
   * parameters bind as references and `track` records what the plan depends on.
   */
  #bind(
    session: Session,
    stmt: Statement,
    params: readonly Value[],
    touched: Set<Sequence>,
    paramTypes?: readonly (DataType | null)[],
    track?: BindTrack,
  ): BoundStatement {
    const parser = this.#registry.parser()!;
    const settings = this.#settings;
    const storage = this.#storage;
    const clock = this.#env.clock;
    let statementTime: number | null = null; // read once: now() is stable within a statement
    const system = () => this.#systemContext(session);
    return this.#optimize(bindStatement(stmt, {
      catalog: this.#catalog,
      registry: this.#registry,
      parseQuery: (text) => parseView(parser, text, this.#limits),
      estimateRows: (id) => {
        const n = storage?.estimateRows(id) ?? 0;
        track?.estimates.set(id, n);
        return n;
      },
      get statementTimeMicros() {
        if (track !== undefined) track.volatile = true;
        return statementTime ??= clock.nowMicros();
      },
      defaultNullsFirst: (descending) => settings.defaultNullsFirst(descending),
      timeZone: settings.timeZone(),
      sequenceTouched: (s) => {
        if (track !== undefined) track.volatile = true;
        touched.add(s);
      },
      params: track?.params ?? params,
      ...(track === undefined ? {} : { generic: track.generic }),
      ...(paramTypes === undefined ? {} : { paramTypes }),
      searchPath: settings.searchPath(),
      get system() {
        if (track !== undefined) track.volatile = true;
        return system();
      },
    }));
  }

  /**
   * {@link Database.#bind} for a query, through the plan cache: the first run binds a generic
   * plan (parameters as references to their values, see `genericParams`) and keeps it when
   * binding read nothing that can change between runs: no parameter value, no statement time
   * (now()), no sequence, no session context (system relations, current_user). A kept plan
   * serves the same parsed statement while the catalog, the settings that binding reads, the
   * user and the parameters' types are unchanged and no table's row estimate has moved by more
   * than half (PostgreSQL likewise replans a cached plan when what it depends on changes).
   */
  #bindCached(
    session: Session,
    stmt: Statement,
    params: readonly Value[],
    touched: Set<Sequence>,
  ): BoundStatement {
    const max = this.#limits.planCacheEntriesMax;
    if (max === 0) return this.#bind(session, stmt, params, touched);
    const cache = this.#planCache ??= new LruMap(max);
    const key = this.#planKey(session, params);
    const hit = this.#cachedPlan(stmt, key);
    if (hit !== null) {
      this.#planCacheHits++;
      return hit.bound;
    }
    this.#planCacheMisses++;
    const catalogChanges = this.#catalog.changeCount;
    const track: BindTrack = { ...genericParams(params), estimates: new Map(), volatile: false };
    const bound = this.#bind(session, stmt, params, touched, undefined, track);
    if (!track.volatile && !track.generic.valuesUsed && bound.kind === "query") {
      const sync = runsSync(bound.plan)
        ? bound.plan.fields.map((f) => ({ name: f.name, type: f.type }))
        : null;
      cache.set(stmt, { bound, key, catalogChanges, estimates: track.estimates, sync });
    }
    return bound;
  }

  /** What a cached plan must have been bound with: the settings binding reads, the user, the parameters' types. */
  #planKey(session: Session, params: readonly Value[]): string {
    const settings = this.#settings;
    const user = session.activity.user;
    let base = this.#planKeys.get(settings);
    if (base === undefined || base.version !== settings.version || base.user !== user) {
      const key = `${settings.get("timezone")}\u0001${settings.get("search_path")}\u0001${
        settings.get("default_null_order")
      }\u0001${settings.get("datestyle")}\u0001${user}`;
      base = { version: settings.version, user, key };
      this.#planKeys.set(settings, base);
    }
    let key = base.key;
    for (const v of params) key += typeof v === "string" ? "\u0001s" : `\u0001${paramType(v).kind}`;
    return key;
  }

  /** The cached plan of `stmt` for `key` while it still holds; a stale one is dropped. */
  #cachedPlan(stmt: Statement, key: string): CachedPlan | null {
    const cache = this.#planCache;
    const hit = cache?.get(stmt);
    if (hit === undefined) return null;
    if (
      hit.key === key && hit.catalogChanges === this.#catalog.changeCount &&
      this.#estimatesHold(hit.estimates)
    ) return hit;
    cache!.delete(stmt);
    return null;
  }

  /**
   * `Session.querySync`: runs a message synchronously when it is one query outside a
   * transaction block whose cached plan the synchronous executor runs, and nothing else is
   * under way that the statement path would wait for (another task's exclusive section,
   * commits syncing). `null` means the caller runs it the usual way: also on any
   * error or a scan that would wait for I/O, as the asynchronous executor decides those (the
   * plan only reads, so nothing happened meanwhile).
   */
  #runSync(
    session: Session,
    sql: string,
    params: readonly Value[],
    options: QueryOptions,
  ): QueryResult[] | null {
    if (
      this.#closed || this.#busy || this.#committing.size > 0 || this.#uncommitted ||
      this.#durableLsn !== this.#lastLsn || session.message !== null || session.txn !== null ||
      options.copy !== undefined || this.#planCache === null
    ) return null;
    const parser = this.#registry.parser();
    if (!parser) return null;
    let statements: readonly Statement[];
    try {
      statements = this.#parse(parser, sql);
    } catch {
      return null;
    }
    const stmt = statements[0];
    if (statements.length !== 1 || stmt?.kind !== "query") return null;
    this.#settings = session.settings;
    let txn: Transaction | null = null;
    try {
      const hit = this.#cachedPlan(stmt, this.#planKey(session, params));
      if (hit === null || hit.sync === null || hit.bound.kind !== "query") return null;
      const plan = hit.bound.plan;
      const clock = this.#env.clock;
      const startMicros = clock.nowMicros();
      session.queryStarted(sql, startMicros);
      session.statementStarted(startMicros);
      const startMs = clock.monotonicMs();
      const ctx = new ExecContext(
        clock,
        this.#limits,
        params,
        options.signal ?? null,
        this.#statementTimeout(session, options),
        startMs,
      );
      ctx.check();
      this.#applyHorizon();
      // a lone query reads the last durable commit, which (checked above) is storage's latest
      // state: read without a transaction of its own (one is registered only for SERIALIZABLE,
      // whose reads other transactions' checks consult)
      let reader: TableReader | null = this.#storage;
      if (session.settings.get("default_transaction_isolation") === "serializable") {
        txn = this.#beginTransaction(session, null, false, true, startMs);
        txn.snapshot = this.#durableLsn;
        txn.queried = true;
        reader = this.#reader({ view: { snapshotLsn: undefined, txn }, mark: 0 });
      }
      const rows = this.#resultRows(executeSync(plan, reader, ctx), ctx);
      if (txn !== null) {
        this.#txns.validate(txn);
        this.#endTransaction(txn, true);
        txn = null;
      }
      this.#planCacheHits++;
      this.#syncQueries++;
      // one clock reading for the end: the activity's time and the log's duration
      const ms = clock.monotonicMs() - startMs;
      session.queryEnded(startMicros + Math.round(ms * 1000));
      const log = this.#queryLog;
      if (log !== null) this.#logQuery(log, session, sql, ms, rows.length, "00000");
      const result = {
        command: `SELECT ${rows.length}`,
        columns: hit.sync,
        rows,
        rowCount: rows.length,
      };
      options.onResult?.(result);
      return [result];
    } catch (e) {
      if (e instanceof AssertionError) throw e; // our own bug: not hidden behind the other path
      if (session.activity.state === "active") session.queryEnded(this.#env.clock.nowMicros());
      return null;
    } finally {
      if (txn !== null) this.#endTransaction(txn, false);
      this.#settings = this.#defaultSession.settings;
    }
  }

  /** Whether every table's row estimate is within a factor of two of what a plan was made for. */
  #estimatesHold(estimates: ReadonlyMap<number, number>): boolean {
    for (const [id, planned] of estimates) {
      const now = this.#storage?.estimateRows(id) ?? 0;
      if (now > 2 * planned + 100 || 2 * now + 100 < planned) return false;
    }
    return true;
  }

  /** The statement timeout, shortened to what the open block's transaction timeout leaves. */
  #statementTimeout(session: Session, options: QueryOptions): number {
    let ms = options.timeoutMs ??
      (session.settings.durationMs("statement_timeout") || this.#limits.queryTimeoutMs);
    const txn = session.txn;
    const limit = session.settings.durationMs("transaction_timeout");
    if (txn !== null && limit > 0) {
      const left = Math.max(1, limit - (this.#env.clock.monotonicMs() - txn.startedMs));
      ms = ms === 0 ? left : Math.min(ms, left);
    }
    return ms;
  }

  /** 25P04 (and the session ends) once the open block is older than `transaction_timeout`. */
  async #checkTransactionTimeout(session: Session): Promise<void> {
    const txn = session.txn;
    const limit = session.settings.durationMs("transaction_timeout");
    if (txn === null || limit === 0) return;
    if (this.#env.clock.monotonicMs() - txn.startedMs < limit) return;
    const error = new DbError("25P04", "terminating connection due to transaction timeout");
    await this.#terminate(session, error);
    session.terminated = null; // reported now, by this statement
    throw error;
  }

  /**
   * Ends a session from a timeout: rolls back its block and makes its next call fail with
   * `error` (PostgreSQL closes the connection).
   */
  async #terminate(session: Session, error: DbError): Promise<void> {
    this.#clearIdleTimer(session);
    session.terminated = error;
    const txn = session.txn;
    session.txn = null;
    if (txn !== null) await this.#rollbackTransaction(txn);
    this.#log({ event: "session_terminated", code: error.code, message: error.message });
  }

  #clearIdleTimer(session: Session): void {
    if (session.timer !== null) clearTimeout(session.timer);
    session.timer = null;
  }

  /** Arms the idle-in-transaction timer when the session waits inside an open block. */
  #armIdleTimer(session: Session): void {
    this.#clearIdleTimer(session);
    const txn = session.txn;
    if (txn === null || session.closed) return;
    const idle = session.settings.durationMs("idle_in_transaction_session_timeout");
    const limit = session.settings.durationMs("transaction_timeout");
    const left = limit > 0 ? limit - (this.#env.clock.monotonicMs() - txn.startedMs) : Infinity;
    const ms = Math.min(idle > 0 ? idle : Infinity, left);
    if (ms === Infinity) return;
    const idleEnds = ms !== left;
    const timer = setTimeout(() => {
      session.timer = null;
      const error = idleEnds
        ? new DbError("25P03", "terminating connection due to idle-in-transaction timeout")
        : new DbError("25P04", "terminating connection due to transaction timeout");
      void this.#exclusive(async () => {
        if (session.txn === txn) await this.#terminate(session, error);
      }).catch(() => {});
    }, Math.max(0, ms));
    Deno.unrefTimer(timer as unknown as number);
    session.timer = timer;
  }

  /**
   * Begins a transaction for `session` with BEGIN's modes, or the session's defaults.
   * `loneQuery`: the implicit transaction of one query, which runs to its end inside one
   * exclusive section; unless it is SERIALIZABLE (whose reads other transactions' checks
   * consult) it need not be registered.
   */
  #beginTransaction(
    session: Session,
    modes: TransactionModes | null,
    explicit: boolean,
    loneQuery = false,
    nowMs: number = this.#env.clock.monotonicMs(),
  ): Transaction {
    const s = session.settings;
    const level = modes?.isolation ?? s.get("default_transaction_isolation");
    const readOnly = modes?.readOnly ?? s.get("default_transaction_read_only") === "on";
    const isolation = level === "read uncommitted" ? "read committed" : level as Isolation;
    return this.#txns.begin(
      isolation,
      readOnly,
      explicit,
      nowMs,
      !loneQuery || isolation === "serializable",
    );
  }

  /** BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, ROLLBACK TO, SET TRANSACTION. */
  async #transactionControl(
    session: Session,
    action: TransactionAction,
    pos: number,
  ): Promise<[QueryResult, Promise<Durability | null> | null]> {
    const result = await this.#transactionControlNow(session, action, pos);
    return Array.isArray(result) ? result : [result, null];
  }

  async #transactionControlNow(
    session: Session,
    action: TransactionAction,
    pos: number,
  ): Promise<QueryResult | [QueryResult, Promise<Durability | null>]> {
    const tag = (command: string): QueryResult => ({ command, columns: [], rows: [], rowCount: 0 });
    const txn = session.txn;
    const needsBlock = (what: string) =>
      new DbError("25P01", `${what} can only be used in transaction blocks`);
    const failedBlock = () =>
      new DbError(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
      );
    switch (action.kind) {
      case "begin": {
        if (txn !== null && !txn.explicit) {
          // BEGIN inside a message's implicit block: the statements so far join the block, and
          // its modes apply as SET TRANSACTION would (an isolation level only before a query)
          setTransactionModes(txn, action.modes, pos);
          txn.explicit = true;
          return tag(action.start ? "START TRANSACTION" : "BEGIN");
        }
        if (txn !== null) {
          if (txn.state === "failed") throw failedBlock();
          // PostgreSQL warns "there is already a transaction in progress"
          return tag(action.start ? "START TRANSACTION" : "BEGIN");
        }
        session.txn = this.#beginTransaction(session, action.modes, true);
        return tag(action.start ? "START TRANSACTION" : "BEGIN");
      }
      case "commit":
      case "rollback": {
        if (txn === null) return tag(action.kind === "commit" ? "COMMIT" : "ROLLBACK");
        if (action.chain && !txn.explicit) {
          throw needsBlock(`${action.kind === "commit" ? "COMMIT" : "ROLLBACK"} AND CHAIN`);
        }
        session.txn = null;
        const modes: TransactionModes = {
          isolation: txn.isolation,
          readOnly: txn.readOnly,
          deferrable: null,
        };
        let result: QueryResult | [QueryResult, Promise<Durability | null>];
        if (action.kind === "rollback" || txn.state === "failed") {
          await this.#rollbackTransaction(txn);
          result = tag("ROLLBACK");
        } else {
          result = [tag("COMMIT"), (await this.#commitTransaction(txn)).sync];
        }
        if (action.chain) session.txn = this.#beginTransaction(session, modes, true);
        return result;
      }
      case "set_transaction": {
        if (action.session) {
          const m = action.modes;
          if (m.isolation !== null) {
            session.settings.set("default_transaction_isolation", m.isolation);
          }
          if (m.readOnly !== null) {
            session.settings.set("default_transaction_read_only", m.readOnly ? "on" : "off");
          }
          return tag("SET");
        }
        if (txn === null) return tag("SET"); // PostgreSQL warns and ignores it
        if (txn.state === "failed") throw failedBlock();
        setTransactionModes(txn, action.modes, pos);
        return tag("SET");
      }
      case "savepoint": {
        if (txn === null || !txn.explicit) throw needsBlock("SAVEPOINT");
        if (txn.state === "failed") throw failedBlock();
        txn.savepoints.push(txn.savepoint(action.name, this.#txns.nextMark));
        return tag("SAVEPOINT");
      }
      case "release":
      case "rollback_to": {
        const what = action.kind === "release" ? "RELEASE SAVEPOINT" : "ROLLBACK TO SAVEPOINT";
        if (txn === null || !txn.explicit) throw needsBlock(what);
        if (txn.state === "failed" && action.kind === "release") throw failedBlock();
        let k = txn.savepoints.length - 1;
        while (k >= 0 && txn.savepoints[k]!.name !== action.name) k--;
        if (k < 0) {
          txn.state = "failed";
          throw new DbError("3B001", `savepoint "${action.name}" does not exist`);
        }
        if (action.kind === "release") {
          txn.savepoints.length = k;
          return tag("RELEASE");
        }
        await this.#undo(txn, txn.savepoints[k]!);
        txn.savepoints.length = k + 1;
        txn.state = "active";
        return tag("ROLLBACK");
      }
    }
  }

  /** Undoes a transaction's changes after savepoint `sp` (its marks leave storage too). */
  async #undo(txn: Transaction, sp: Savepoint): Promise<void> {
    const dropped = txn.rollbackTo(sp);
    if (dropped.size > 0) await this.#requireStorage().unmarkRows(dropped);
  }

  async #rollbackTransaction(txn: Transaction): Promise<void> {
    try {
      if (txn.marks.size > 0) await this.#requireStorage().unmarkRows(txn.marks);
    } finally {
      this.#endTransaction(txn, false);
    }
  }

  #endTransaction(txn: Transaction, committed: boolean): void {
    this.#txns.end(txn, committed);
    this.#horizonMoved = true;
  }

  /**
   * Hands storage the horizon when it may have moved. Only inside the exclusive section: an
   * engine may drop old row versions then, which must not happen under a running scan.
   */
  #applyHorizon(): void {
    if (!this.#horizonMoved) return;
    this.#horizonMoved = false;
    let h = this.#txns.horizon(this.#durableLsn);
    // an open stream's scan is part-way through the row versions it saw: none may go under it
    for (const s of this.#streams) if (s.horizon < h) h = s.horizon;
    if (h <= this.#appliedHorizon) return;
    this.#appliedHorizon = h;
    this.#storage?.setHorizon(h);
  }

  /**
   * Commits: validates a SERIALIZABLE transaction, queues its deletes and rows and one commit
   * record in the WAL, and applies them to storage at once. Returns the commit record's sync,
   * which the caller awaits outside the exclusive section, so that concurrent commits share one
   * fsync (group commit); it resolves with the durability reached, `null` when nothing changed.
   * Until it is durable the commit is invisible: snapshots stop at the last durable commit, and
   * the transaction stays open, so writers of the same rows and keys wait for it. On a failed
   * validation the transaction is rolled back; on a failed sync the database stops.
   */
  async #commitTransaction(txn: Transaction): Promise<{ sync: Promise<Durability | null> }> {
    try {
      this.#txns.validate(txn);
    } catch (e) {
      await this.#rollbackTransaction(txn);
      throw e;
    }
    const storage = this.#storage;
    const withRows = txn.tablesWithRows();
    if (storage === null || (txn.marks.size === 0 && withRows.length === 0)) {
      this.#endTransaction(txn, true);
      return { sync: Promise.resolve(null) };
    }
    if (this.#failure !== null) {
      await this.#rollbackTransaction(txn);
      throw this.#failure;
    }
    // positions must not move under a background checkpoint between here and the apply
    if (txn.marks.size > 0) await this.#quiesce();
    const deletes = txn.marks.size > 0 ? await storage.markedPositions(txn.marks) : new Map();
    const tableIds = [...new Set([...deletes.keys(), ...withRows])];
    const changes: { t: TableSchema; positions: number[]; rows: Batch | null }[] = [];
    for (const id of tableIds) {
      const t = this.#catalog.tables().find((x) => x.id === id);
      if (t === undefined) continue; // dropped meanwhile (DDL waits for writers, so never)
      const parts = txn.visibleRows(id);
      const rows = parts.length === 0 ? null : parts.length === 1 ? parts[0]! : {
        columns: t.columns.map((c, i) => concatColumns(c.type, parts.map((b) => b.columns[i]!))),
        length: parts.reduce((n, b) => n + b.length, 0),
      };
      changes.push({ t, positions: deletes.get(id) ?? [], rows });
    }
    // queue the records: the WAL gives their LSNs at once; the commit record's sync covers them
    const wal = this.#wal;
    const next = (record: WalRecord): bigint => {
      if (wal === null) return ++this.#lastLsn;
      wal.append([record], { sync: false }).catch(() => {}); // the commit's sync reports it
      return wal.lastLsn();
    };
    const lsns = changes.map((c) => {
      const del = c.positions.length === 0 ? 0n : next({
        type: WalRecordType.delete,
        payload: encodeJson(
          {
            schema: c.t.schema,
            name: c.t.name,
            positions: c.positions,
            inserted: null,
          } satisfies DeleteChange,
        ),
      });
      const rows = c.rows === null
        ? 0n
        : next({ type: WalRecordType.rowBatch, payload: rowBatch(c.t, c.rows) });
      return { del, rows };
    });
    let sync: Promise<Durability | null>;
    let commitLsn: bigint;
    if (wal === null) {
      commitLsn = ++this.#lastLsn;
      sync = Promise.resolve(null);
    } else {
      const commit = wal.append([{ type: WalRecordType.commit, payload: noPayload }]);
      commitLsn = wal.lastLsn();
      sync = commit.then((r) => (r.durable ? "fsync" : "interval"));
    }
    this.#lastLsn = commitLsn;
    // apply now; invisible to new snapshots until the commit record is durable
    const written = new Set<number>();
    for (let k = 0; k < changes.length; k++) {
      const c = changes[k]!;
      written.add(c.t.id);
      if (c.positions.length > 0) await storage.deleteRows(c.t.id, c.positions, lsns[k]!.del);
      if (c.rows !== null) await storage.append(c.t.id, c.rows, lsns[k]!.rows);
      this.#noteCommittedKeys(txn, c.t, c.rows);
    }
    this.#txns.noteCommit(commitLsn, written);
    if (wal === null) {
      this.#markDurable(commitLsn);
      this.#endTransaction(txn, true);
      await this.#maybeCheckpoint();
      return { sync };
    }
    const settled = sync.then(
      (durability) => {
        this.#committing.delete(txn);
        this.#markDurable(commitLsn);
        this.#endTransaction(txn, true);
        return durability;
      },
      (e: unknown) => {
        this.#committing.delete(txn);
        this.#failure ??= new DbError(
          SqlState.ioError,
          `the database stopped: a commit record could not be made durable (${
            (e as Error).message
          }); restart it to recover from the WAL`,
          { cause: e },
        );
        this.#log({ event: "commit_sync_failed", lsn: String(commitLsn), error: String(e) });
        this.#endTransaction(txn, false);
        throw toDbError(e);
      },
    );
    this.#committing.set(txn, settled.catch(() => {}));
    await this.#maybeCheckpoint(); // past the memtable limit only: it waits for the syncs
    return { sync: settled };
  }

  /** Read committed meets a commit not yet durable: wait for the newest syncing commit. */
  #waitForCommitting(): void {
    const last = [...this.#committing.keys()].at(-1);
    if (last !== undefined) throw new WaitForTransaction(last);
  }

  /** Commits up to `lsn` are durable: snapshots may see them. */
  #markDurable(lsn: bigint): void {
    if (lsn > this.#durableLsn) this.#durableLsn = lsn;
    this.#horizonMoved = true;
  }

  /** Waits until every queued commit record is durable (or failed). */
  async #commitsSynced(): Promise<void> {
    while (this.#committing.size > 0) await Promise.all(this.#committing.values());
  }

  /**
   * After records were logged without their commit record and the commit failed: an abort
   * record, so a later commit record does not make them count at recovery.
   */
  async #abortLogged(): Promise<void> {
    if (!this.#uncommitted || this.#wal === null) return;
    this.#uncommitted = false;
    try {
      const { lsn } = await this.#wal.append([{ type: WalRecordType.abort, payload: noPayload }]);
      this.#lastLsn = lsn;
    } catch (e) {
      this.#log({ event: "wal_abort_failed", error: (e as Error).message });
    }
  }

  /** PREPARE (42P05 for a name in use) and DEALLOCATE (26000 for an unknown name). */
  #prepareStatement(
    session: Session,
    stmt: Statement & { kind: "prepare" | "deallocate" },
  ): QueryResult {
    const prepared = session.prepared;
    if (stmt.kind === "prepare") {
      if (prepared.has(stmt.name)) {
        throw new DbError("42P05", `prepared statement "${stmt.name}" already exists`);
      }
      prepared.set(stmt.name, stmt);
      return { command: "PREPARE", columns: [], rows: [], rowCount: 0 };
    }
    if (stmt.name === null) prepared.clear();
    else if (!prepared.delete(stmt.name)) {
      throw new DbError("26000", `prepared statement "${stmt.name}" does not exist`);
    }
    return { command: "DEALLOCATE", columns: [], rows: [], rowCount: 0 };
  }

  /**
   * EXECUTE name (args): the prepared statement and its parameter values, each argument
   * evaluated once and cast to the declared type (42601 for a wrong count, as in PostgreSQL).
   */
  async #executeArgs(
    session: Session,
    stmt: Statement & { kind: "execute" },
    params: readonly Value[],
    options: QueryOptions,
  ): Promise<{ statement: Statement; params: Value[]; types?: readonly (DataType | null)[] }> {
    const prepared = session.prepared.get(stmt.name);
    if (prepared === undefined) {
      throw new DbError("26000", `prepared statement "${stmt.name}" does not exist`);
    }
    if (prepared.types.length > 0 && stmt.args.length !== prepared.types.length) {
      throw new DbError(
        SqlState.syntaxError,
        `wrong number of parameters for prepared statement "${stmt.name}"`,
        {
          detail: `Expected ${prepared.types.length} parameters but got ${stmt.args.length}.`,
        },
      );
    }
    if (stmt.args.length === 0) return { statement: prepared.statement, params: [] };
    const select: Statement = {
      kind: "query",
      query: {
        with: null,
        body: {
          kind: "select",
          distinct: "all",
          items: stmt.args.map((expr) => ({ kind: "expr", expr, alias: null, pos: stmt.pos })),
          from: [],
          where: null,
          groupBy: [],
          having: null,
          pos: stmt.pos,
        },
        orderBy: [],
        limit: null,
        offset: null,
        pos: stmt.pos,
      },
      pos: stmt.pos,
    };
    const ctx = new ExecContext(
      this.#env.clock,
      this.#limits,
      params,
      options.signal ?? null,
      options.timeoutMs ?? (this.#settings.statementTimeoutMs() || this.#limits.queryTimeoutMs),
    );
    const bound = bindStatement(select, {
      catalog: this.#catalog,
      registry: this.#registry,
      parseQuery: () => {
        throw new DbError(SqlState.internalError, "no views in EXECUTE arguments");
      },
      statementTimeMicros: this.#env.clock.nowMicros(),
      timeZone: this.#settings.timeZone(),
      params,
      searchPath: this.#settings.searchPath(),
      system: this.#systemContext(session),
    });
    const result = await this.#run(this.#optimize(bound), ctx, null);
    const row = result.rows[0] ?? [];
    if (prepared.types.length === 0) return { statement: prepared.statement, params: [...row] };
    // each value cast to its declared type, and bound as a constant of that type
    const types = prepared.types.map((t) => bindTypeName(t));
    const values = types.map((type, i) => castValue(row[i] ?? null, result.columns[i]!.type, type));
    return { statement: prepared.statement, params: values, types };
  }

  /**
   * The bulk path: appends columns to a table. Keys are column names; values are typed arrays
   * (Float64Array, Int32Array, BigInt64Array, ...), arrays of values, or an Arrow table.
   * Missing columns are NULL. Returns the number of rows appended. The table is in `schema`, by
   * default in the first schema of the default session's `search_path` that has it.
   */
  /**
   * A table's columns and time-series options, as the catalog has them now; `null` when the
   * schema or the table does not exist. For ingest paths that create and widen tables.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("CREATE TABLE t (ts TIMESTAMPTZ, host TEXT) WITH (timestamp = 'ts', dedup_keys = 'host')");
   * console.assert(db.describeTable("public", "t")!.dedupKeys[0] === "host");
   * console.assert(db.describeTable("public", "nope") === null);
   * await db.close();
   * ```
   */
  describeTable(schema: string, table: string): TableDescription | null {
    const t = this.#catalog.getTable(schema, table);
    if (t === null) return null;
    const nameOf = (id: number) => t.columns.find((c) => c.id === id)?.name ?? null;
    const o = t.options ?? null;
    return {
      columns: t.columns.map((c) => ({ name: c.name, type: c.type })),
      timestamp: o?.timestampColumnId == null ? null : nameOf(o.timestampColumnId),
      dedupKeys: (o?.dedupKeyColumnIds ?? []).map(nameOf).filter((n): n is string => n !== null),
    };
  }

  /**
   * Appends columns that are already OmenDB {@link Column}s (with validity bitmaps), by column
   * name, as one transaction of their own; columns not given are NULL. Resolves once durable.
   * The ingest path of line protocol.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { columnFromValues } from "../types/column.ts";
   * import { Types } from "../types/mod.ts";
   * const db = await Database.open({ memory: true });
   * await db.query("CREATE TABLE t (a INT, b TEXT)");
   * await db.insertBatch("public", "t", new Map([["b", columnFromValues(Types.text, ["x", null])]]), 2);
   * console.assert((await db.query("SELECT count(*) FROM t WHERE a IS NULL")).rows[0]![0] === 2n);
   * await db.close();
   * ```
   */
  async insertBatch(
    schema: string,
    table: string,
    columns: ReadonlyMap<string, Column>,
    length: number,
  ): Promise<void> {
    await this.#writeInOwnTransaction(async (tx) => {
      const t = this.#catalog.getTable(schema, table);
      if (t === null) {
        throw new DbError(SqlState.undefinedTable, `relation "${schema}.${table}" does not exist`);
      }
      for (const name of columns.keys()) {
        if (!t.columns.some((c) => c.name === name)) {
          throw new DbError(
            SqlState.undefinedColumn,
            `column "${name}" of relation "${table}" does not exist`,
          );
        }
      }
      const cols = t.columns.map((c) => {
        const given = columns.get(c.name);
        if (given === undefined) return nullColumn(c.type, length);
        if (given.length !== length) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `column "${c.name}" has ${given.length} values, not ${length}`,
          );
        }
        return sameType(given.type, c.type) ? given : castColumn(given, c.type);
      });
      await this.#insertRows(t, { columns: cols, length }, tx);
    });
  }

  async insertColumns(
    table: string,
    columns: InsertColumns,
    options: { readonly schema?: string } = {},
  ): Promise<number> {
    let length = -1;
    await this.#writeInOwnTransaction(async (tx) => {
      const schema = options.schema ??
        new SearchPath(this.#catalog, this.#defaultSession.settings.searchPath())
          .relationSchema(table);
      if (options.schema !== undefined && !this.#catalog.hasSchema(options.schema)) {
        throw new DbError(SqlState.invalidSchemaName, `schema "${options.schema}" does not exist`);
      }
      const t = schema === null ? null : this.#catalog.getTable(schema, table);
      if (!t) {
        const written = options.schema === undefined ? table : `${options.schema}.${table}`;
        throw new DbError(SqlState.undefinedTable, `relation "${written}" does not exist`);
      }
      const getChild = (columns as { getChild?: unknown }).getChild;
      const arrow = typeof getChild === "function"
        ? columns as Extract<InsertColumns, { numRows: number }>
        : null;
      const record = arrow === null
        ? columns as Readonly<Record<string, ArrayLike<unknown>>>
        : null;
      length = -1;
      const source = t.columns.map((c) => {
        const arr = arrow !== null
          ? arrow.getChild(c.name)?.toArray() ?? null
          : record![c.name] ?? null;
        if (arr !== null) {
          if (length >= 0 && arr.length !== length) {
            throw new DbError(
              SqlState.invalidParameterValue,
              `column "${c.name}" has ${arr.length} values, others ${length}`,
            );
          }
          length = arr.length;
        }
        return arr;
      });
      if (record !== null) {
        for (const name of Object.keys(record)) {
          if (!t.columns.some((c) => c.name === name)) {
            throw new DbError(
              SqlState.undefinedColumn,
              `column "${name}" of relation "${table}" does not exist`,
            );
          }
        }
      }
      if (length < 0) length = arrow?.numRows ?? 0;
      const cols: Column[] = t.columns.map((c, i) => {
        const arr = source[i];
        if (arr === null || arr === undefined) return nullColumn(c.type, length);
        return adoptArray(c.type, arr, length);
      });
      const batch: Batch = { columns: cols, length };
      await this.#insertRows(t, batch, tx);
    });
    return length;
  }

  /**
   * Runs `work` as a transaction of its own (the bulk paths), again after waiting whenever it
   * meets another transaction's uncommitted key.
   */
  async #writeInOwnTransaction(work: (tx: StatementTx) => Promise<void>): Promise<void> {
    for (;;) {
      const out = await this.#exclusive(async () => {
        const txn = this.#beginTransaction(this.#defaultSession, null, false);
        const mark = this.#txns.newMark(txn);
        try {
          const snapshotLsn = this.#durableLsn === this.#lastLsn ? undefined : this.#durableLsn;
          await work({ view: { snapshotLsn, txn }, mark });
          return await this.#commitTransaction(txn);
        } catch (e) {
          if (!txn.ended) await this.#rollbackTransaction(txn);
          if (e instanceof WaitForTransaction) return e.holder;
          throw toDbError(e);
        }
      });
      if (out instanceof Transaction) {
        await out.done;
        continue;
      }
      await out.sync; // acknowledged once durable
      return;
    }
  }

  /**
   * Checks the data directory without changing anything: the storage engine's files (segments
   * and indexes the manifest names) and the WAL's segment files. One line per problem; an empty
   * list means clean. An in-memory database, or plugins without a check, report nothing.
   *
   * @example
   * ```ts
   * import { Database } from "../../mod.ts";
   * import { MemoryFileSystem, realEnv } from "../env/mod.ts";
   * const db = await Database.open({ path: "/db", env: { ...realEnv(), fs: new MemoryFileSystem() } });
   * await db.query("CREATE TABLE t (x INTEGER)");
   * await db.query("INSERT INTO t VALUES (1); CHECKPOINT");
   * console.assert((await db.verify()).length === 0);
   * await db.close();
   * ```
   */
  verify(): Promise<string[]> {
    // queued like a query, so no checkpoint moves files while they are read
    return this.#exclusive(() => this.#verifyNow());
  }

  async #verifyNow(): Promise<string[]> {
    await this.#quiesce(); // no background checkpoint moves files while they are read
    return [
      ...(await this.#storage?.verify?.() ?? []),
      ...(await this.#wal?.verify?.() ?? []).map((p) => `WAL: ${p}`),
    ];
  }

  /** Closes the database: no more queries; the WAL and lock are released. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drain();
    await this.#commitsSynced();
    // open blocks are rolled back; sessions end with the database
    for (const session of this.#sessions) {
      this.#clearIdleTimer(session);
      const txn = session.txn;
      session.txn = null;
      if (txn !== null) await this.#rollbackTransaction(txn).catch(() => {});
    }
    this.#sessions.clear();
    await this.#quiesce();
    // a clean shutdown leaves no WAL to replay (after a failed commit the memtables hold rows
    // that are not durable: the WAL decides at the next open)
    try {
      if ((this.#storage?.unflushedBytes?.() ?? 0) > 0 && this.#failure === null) {
        await this.#checkpoint();
      }
    } catch (e) {
      this.#log({ event: "checkpoint_at_close_failed", error: (e as Error).message });
    }
    await this.#storage?.close();
    await this.#wal?.close();
    this.#lock?.release();
  }

  /**
   * Runs `fn` alone: statements, commits and checks of all sessions run one at a time, in
   * arrival order. An uncontended call starts at once; the others wait in a queue and are
   * handed the section in turn (a lock, not a chain of promises: a long chain keeps every
   * finished task reachable from the next one until a full GC).
   */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DbError("08003", "the database is closed"));
    if (this.#busy) {
      return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() =>
        this.#exclusiveRun(fn)
      );
    }
    this.#busy = true;
    return this.#exclusiveRun(fn);
  }

  async #exclusiveRun<T>(fn: () => Promise<T>): Promise<T> {
    try {
      // while commit records sync, give I/O a turn first: a client looping over in-memory
      // statements (pure promise work) would otherwise keep the syncs from ever completing
      if (this.#committing.size > 0) {
        const now = this.#env.clock.monotonicMs();
        if (now - this.#turnAtMs >= ioTurnEveryMs) {
          await yieldToIo();
          this.#turnAtMs = this.#env.clock.monotonicMs();
        }
      }
      this.#applyHorizon();
      return await fn();
    } finally {
      this.#releaseExclusive();
    }
  }

  /** Hands the exclusive section to the next waiting task, or frees it. */
  #releaseExclusive(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#busy = false;
  }

  /** Resolves once the tasks queued for the exclusive section now have run. */
  #drain(): Promise<void> {
    if (!this.#busy) return Promise.resolve();
    return new Promise<void>((resolve) =>
      this.#waiting.push(() => {
        resolve();
        this.#releaseExclusive();
      })
    );
  }

  /** Ends a session: rolls back its open block. */
  async #closeSession(session: Session): Promise<void> {
    this.#clearIdleTimer(session);
    this.#sessions.delete(session);
    const txn = session.txn;
    session.txn = null;
    if (txn === null || this.#closed) return;
    await this.#exclusive(() => this.#rollbackTransaction(txn));
  }

  /** What a statement reads through: its transaction's view, or storage itself. */
  #reader(tx: StatementTx | null): TableReader | null {
    if (this.#storage === null) return null;
    return tx === null ? this.#storage : transactionReader(this.#storage, tx.view);
  }

  #optimize(bound: BoundStatement): BoundStatement {
    const rules = [...builtinRules, ...this.#registry.optimizerRules()];
    switch (bound.kind) {
      case "query":
      case "copy_to":
        return { ...bound, plan: optimize(bound.plan, rules) };
      case "explain": {
        if (bound.dml === null) return { ...bound, plan: optimize(bound.plan, rules) };
        const dml = this.#optimize(bound.dml) as BoundDml;
        return { ...bound, plan: dml.source, dml };
      }
      case "set":
      case "show":
        return bound;
      case "insert":
      case "delete":
      case "update":
        return { ...bound, source: optimize(bound.source, rules) };
      case "create_table":
        return bound.source === null ? bound : { ...bound, source: optimize(bound.source, rules) };
      case "drop_table":
      case "create_view":
      case "drop_view":
      case "create_index":
      case "drop_index":
      case "alter_table":
      case "copy_from":
      case "create_sequence":
      case "drop_sequence":
      case "create_user":
      case "alter_user":
      case "drop_user":
      case "create_token":
      case "drop_token":
      case "truncate":
      case "checkpoint":
      case "verify":
      case "drop_partitions":
      case "create_schema":
      case "drop_schema":
      case "rename_schema":
        return bound;
    }
  }

  #requireStorage(): StorageEngine {
    if (!this.#storage) throw notSupported("tables (no storage plugin is registered)");
    return this.#storage;
  }

  /**
   * A query's rows. The most common statement runs here, not through {@link #run}, whose
   * frame (a large switch with closures) every call would allocate.
   */
  async #runQuery(
    plan: LogicalPlan,
    ctx: ExecContext,
    tx: StatementTx | null,
  ): Promise<QueryResult> {
    const { columns, rows } = await this.#collect(plan, ctx, this.#reader(tx));
    return { command: `SELECT ${rows.length}`, columns, rows, rowCount: rows.length };
  }

  async #run(
    bound: BoundStatement,
    ctx: ExecContext,
    tx: StatementTx | null,
  ): Promise<QueryResult> {
    if (bound.kind === "query") return await this.#runQuery(bound.plan, ctx, tx);
    const reader = this.#reader(tx);
    const needTx = (): StatementTx => {
      if (tx === null) {
        throw new DbError(SqlState.internalError, `${bound.kind} outside a transaction`);
      }
      return tx;
    };
    // a background checkpoint may run under reads and appends; anything else waits for it (row
    // positions, schemas and the manifest's catalog must not change under it)
    if (!runsDuringCheckpoint.has(bound.kind)) await this.#quiesce();
    switch (bound.kind) {
      case "create_sequence": {
        const s = bound.sequence;
        const done = { command: "CREATE SEQUENCE", columns: [], rows: [], rowCount: 0 };
        if (bound.ifNotExists && this.#catalog.getSequence(s.schema, s.name)) return done;
        const change: DdlChange = { op: "create_sequence", sequence: sequenceToJson(s) };
        this.#catalog.createSequence(s); // validates the name before logging
        this.#catalog.dropSequence(s.schema, s.name);
        await this.#logDdl(change);
        await this.#applyDdl(change);
        return done;
      }
      case "create_user":
      case "alter_user":
      case "drop_user":
      case "create_token":
      case "drop_token": {
        // hashes the password (and makes the token) first: only verifiers reach the WAL
        const { changes, result } = await planUserChange(bound, this.#catalog);
        for (const change of changes) {
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return result;
      }
      case "create_schema":
      case "drop_schema":
      case "rename_schema": {
        const path = new SearchPath(this.#catalog, this.#settings.searchPath());
        for (const change of planSchemaChange(bound, this.#catalog, path)) {
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: commandName(bound.kind), columns: [], rows: [], rowCount: 0 };
      }
      case "checkpoint":
        await this.#checkpoint();
        return { command: "CHECKPOINT", columns: [], rows: [], rowCount: 0 };
      case "verify": {
        const problems = await this.#verifyNow();
        return {
          command: `SELECT ${problems.length}`,
          columns: [{ name: "problem", type: Types.text }],
          rows: problems.map((p) => [p]),
          rowCount: problems.length,
        };
      }
      case "drop_partitions": {
        const done = { command: "ALTER TABLE", columns: [], rows: [], rowCount: 0 };
        if (bound.table === null) return done;
        if (this.#requireStorage().dropPartitions === undefined) {
          throw notSupported("DROP PARTITION with this storage engine");
        }
        const change: DdlChange = {
          op: "drop_partitions",
          schema: bound.table.schema,
          name: bound.table.name,
          keys: bound.keys,
        };
        await this.#logDdl(change);
        await this.#applyDdl(change);
        return done;
      }
      case "truncate": {
        for (const r of bound.tables) {
          const change: DdlChange = { op: "truncate", schema: r.schema, name: r.name };
          await this.#logDdl(change);
          await this.#applyDdl(change);
          if (!bound.restartIdentity) continue;
          // RESTART IDENTITY: the table's SERIAL sequences start over
          for (const s of this.#catalog.sequences()) {
            if (s.schema.schema !== r.schema || s.schema.ownedBy?.table !== r.name) continue;
            s.restore(null);
            await this.#logSequenceValue(s);
          }
        }
        return { command: "TRUNCATE TABLE", columns: [], rows: [], rowCount: 0 };
      }
      case "drop_sequence": {
        for (const r of bound.sequences) {
          const s = this.#catalog.getSequence(r.schema, r.name);
          if (s === null) continue; // IF EXISTS (the binder checked the others)
          if (s.schema.ownedBy !== null) {
            throw new DbError(
              "2BP01",
              `cannot drop sequence ${r.name} because other objects depend on it`,
              {
                detail:
                  `default value for column ${s.schema.ownedBy.column} of table ${s.schema.ownedBy.table} depends on sequence ${r.name}`,
                hint: "Drop the table, or its column, instead.",
              },
            );
          }
          const change: DdlChange = { op: "drop_sequence", schema: r.schema, name: r.name };
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: "DROP SEQUENCE", columns: [], rows: [], rowCount: 0 };
      }
      case "set":
        this.#settings.set(bound.name, bound.value);
        return {
          command: bound.value === null ? "RESET" : "SET",
          columns: [],
          rows: [],
          rowCount: 0,
        };
      case "show": {
        if (bound.name === "all") {
          const rows = this.#settings.all();
          return {
            command: `SHOW`,
            columns: [{ name: "name", type: Types.text }, { name: "setting", type: Types.text }],
            rows,
            rowCount: rows.length,
          };
        }
        const value = this.#settings.get(bound.name);
        return {
          command: "SHOW",
          columns: [{ name: settingDisplayName(bound.name), type: Types.text }],
          rows: [[value]],
          rowCount: 1,
        };
      }
      case "explain": {
        let profile: PlanProfile | null = null;
        let affected: number | null = null;
        if (bound.analyze) {
          const stats = new Map<LogicalPlan, { rows: number; ms: number }>();
          ctx.profile = stats;
          // As in PostgreSQL, EXPLAIN ANALYZE of INSERT, UPDATE or DELETE makes the change.
          if (bound.dml !== null) affected = (await this.#run(bound.dml, ctx, tx)).rowCount;
          else for await (const _ of execute(bound.plan, reader, ctx)) ctx.check();
          ctx.profile = null;
          profile = stats;
        }
        const lines = bound.dml === null
          ? explainPlan(bound.plan, profile)
          : explainDml(bound.dml, profile, affected);
        return {
          command: `EXPLAIN`,
          columns: [{ name: "QUERY PLAN", type: Types.text }],
          rows: lines.map((l) => [l]),
          rowCount: lines.length,
        };
      }
      case "create_table": {
        if (this.#catalog.getTable(bound.schema, bound.name)) {
          if (bound.ifNotExists) {
            return { command: "CREATE TABLE", columns: [], rows: [], rowCount: 0 };
          }
          throw new DbError(SqlState.duplicateTable, `relation "${bound.name}" already exists`);
        }
        this.#requireStorage();
        // Evaluate a CTAS source before anything is logged, so a failing query changes nothing.
        let sourceBatches: Batch[] = [];
        if (bound.source !== null) {
          for await (const b of execute(bound.source, reader, ctx)) sourceBatches.push(b);
        }
        const change: DdlChange = {
          op: "create_table",
          schema: bound.schema,
          name: bound.name,
          columns: bound.columns,
          indexes: bound.indexes,
          ...(bound.sequences.length > 0 ? { sequences: bound.sequences.map(sequenceToJson) } : {}),
          ...(bound.options !== null ? { options: bound.options } : {}),
          ...(bound.checks.length > 0 ? { checks: bound.checks } : {}),
        };
        await this.#logDdl(change);
        const table = (await this.#applyDdl(change))!;
        sourceBatches = sourceBatches.map((b) => ({
          columns: b.columns.map((c, i) => castColumn(c, table.columns[i]!.type)),
          length: b.length,
        }));
        let n = 0;
        for (const b of sourceBatches) {
          await this.#appendRows(table, b);
          n += b.length;
        }
        return bound.source === null
          ? { command: "CREATE TABLE", columns: [], rows: [], rowCount: 0 }
          : { command: `SELECT ${n}`, columns: [], rows: [], rowCount: n };
      }
      case "drop_table": {
        for (const t of bound.tables) {
          if (!this.#catalog.getTable(t.schema, t.name)) {
            if (bound.ifExists) continue;
            throw new DbError(SqlState.undefinedTable, `table "${t.name}" does not exist`);
          }
          const change: DdlChange = { op: "drop_table", schema: t.schema, name: t.name };
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: "DROP TABLE", columns: [], rows: [], rowCount: 0 };
      }
      case "create_view": {
        const change: DdlChange = {
          op: "create_view",
          view: bound.view,
          orReplace: bound.orReplace,
        };
        await this.#logDdl(change);
        await this.#applyDdl(change);
        return { command: "CREATE VIEW", columns: [], rows: [], rowCount: 0 };
      }
      case "drop_view": {
        for (const v of bound.views) {
          if (!this.#catalog.getView(v.schema, v.name)) {
            if (bound.ifExists) continue;
            throw new DbError(SqlState.undefinedTable, `view "${v.name}" does not exist`);
          }
          const change: DdlChange = { op: "drop_view", schema: v.schema, name: v.name };
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: "DROP VIEW", columns: [], rows: [], rowCount: 0 };
      }
      case "create_index": {
        if (this.#catalog.getIndex(bound.index.schema, bound.index.name) && bound.ifNotExists) {
          return { command: "CREATE INDEX", columns: [], rows: [], rowCount: 0 };
        }
        const change: DdlChange = { op: "create_index", index: bound.index };
        this.#catalog.createIndex(bound.index); // validates the name before logging
        this.#catalog.dropIndex(bound.index.schema, bound.index.name);
        if (bound.index.unique) await this.#checkUniqueIndexData(bound.index);
        await this.#logDdl(change);
        await this.#applyDdl(change);
        return { command: "CREATE INDEX", columns: [], rows: [], rowCount: 0 };
      }
      case "drop_index": {
        for (const i of bound.indexes) {
          if (!this.#catalog.getIndex(i.schema, i.name)) {
            if (bound.ifExists) continue;
            throw new DbError(SqlState.undefinedObject, `index "${i.name}" does not exist`);
          }
          const change: DdlChange = { op: "drop_index", schema: i.schema, name: i.name };
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: "DROP INDEX", columns: [], rows: [], rowCount: 0 };
      }
      case "alter_table": {
        if (bound.table !== null && bound.alterations.length > 0) {
          const parser = this.#registry.parser()!;
          const change = await planAlterTable(bound, {
            catalog: this.#catalog,
            storage: this.#requireStorage(),
            ctx,
            viewColumns: (view) => {
              const query = parseView(parser, view.sql, this.#limits);
              const b = bindStatement({ kind: "query", query, pos: 0 }, {
                catalog: this.#catalog,
                registry: this.#registry,
                parseQuery: (text) => parseView(parser, text, this.#limits),
                params: [],
                searchPath: view.searchPath ?? [defaultSchemaName],
              });
              return b.kind === "query" ? b.plan.fields.map((f) => f.name) : [];
            },
          });
          await this.#logDdl(change);
          await this.#applyDdl(change);
        }
        return { command: "ALTER TABLE", columns: [], rows: [], rowCount: 0 };
      }
      case "delete": {
        const t = bound.table;
        const source = execute(bound.source, reader, ctx);
        const { positions, rows } = await collectTargetRows(source, t.columns.length, ctx);
        // RETURNING is computed before anything changes, so that its errors change nothing.
        const returned = bound.returning === null
          ? null
          : await returningRows(bound.returning, rows, ctx);
        await this.#deleteRows(t, positions, rows, null, needTx());
        return dmlResult(`DELETE ${positions.length}`, positions.length, bound.returning, returned);
      }
      case "update": {
        const t = bound.table;
        const source = execute(bound.source, reader, ctx);
        const { positions, rows } = await collectTargetRows(source, t.columns.length, ctx);
        const { newRows, returningInput } = await updatedRows(t, bound.assignments, rows, ctx);
        const returned = bound.returning === null
          ? null
          : await returningRows(bound.returning, returningInput, ctx);
        await this.#deleteRows(t, positions, rows, newRows, needTx());
        return dmlResult(`UPDATE ${positions.length}`, positions.length, bound.returning, returned);
      }
      case "copy_from":
        return await this.#copyFrom(bound, ctx, needTx());
      case "copy_to": {
        const file = bound.path === null
          ? await this.#requireCopyClient("to").copyOut({
            format: bound.format.format,
            columns: bound.plan.fields.length,
          })
          : undefined;
        const n = await writeCopyFile({
          fs: this.#env.fs,
          path: bound.path ?? "STDOUT",
          ...(file === undefined ? {} : { file }),
          columns: bound.plan.fields,
          format: bound.format,
          zone: this.#settings.timeZone(),
          batches: execute(bound.plan, reader, ctx),
          check: () => ctx.check(),
        });
        return { command: `COPY ${n}`, columns: [], rows: [], rowCount: n };
      }
      case "insert": {
        const t = bound.table;
        const batches: Batch[] = [];
        let n = 0;
        for await (const b of execute(bound.source, reader, ctx)) {
          const columns = t.columns.map((c, i) => {
            const k = bound.sourceIndexOfColumn[i]!;
            return k < 0 ? nullColumn(c.type, b.length) : b.columns[k]!;
          });
          batches.push({ columns, length: b.length });
          n += b.length;
        }
        // One append for the whole statement, so a constraint violation stores nothing.
        const all: Batch = batches.length === 1 ? batches[0]! : {
          columns: t.columns.map((c, i) =>
            concatColumns(c.type, batches.map((b) => b.columns[i]!))
          ),
          length: n,
        };
        if (bound.onConflict !== null) {
          const r = await this.#upsert(t, all, bound.onConflict, ctx, needTx());
          const returned = bound.returning === null
            ? null
            : await returningRows(bound.returning, r.rows, ctx);
          return dmlResult(`INSERT 0 ${r.count}`, r.count, bound.returning, returned);
        }
        const returned = bound.returning === null
          ? null
          : await returningRows(bound.returning, all, ctx);
        await this.#insertRows(t, all, needTx());
        return dmlResult(`INSERT 0 ${n}`, n, bound.returning, returned);
      }
    }
  }

  /** COPY FROM: reads the whole file, then appends it as one statement (nothing on error). */
  async #copyFrom(
    bound: BoundStatement & { kind: "copy_from" },
    ctx: ExecContext,
    tx: StatementTx,
  ): Promise<QueryResult> {
    const t = bound.table;
    const predicate = bound.predicate;
    const file = bound.path === null
      ? await this.#requireCopyClient("from").copyIn({
        format: bound.format.format,
        columns: bound.targets.length,
      })
      : undefined;
    const batches = await readCopyFile({
      fs: this.#env.fs,
      path: bound.path ?? "STDIN",
      ...(file === undefined ? {} : { file }),
      table: t,
      targets: bound.targets,
      format: bound.format,
      zone: this.#settings.timeZone(),
      lineBytesMax: this.#limits.copyLineBytesMax,
      batchRowsMax: this.#limits.batchRowsMax,
      fillColumn: (column, count) => {
        const d = bound.defaults[column];
        return d == null ? null : evaluate(d, { columns: [], length: count }, ctx);
      },
      filter: predicate === null ? null : (batch) => {
        const cond = evaluate(predicate, batch, ctx);
        const keep: number[] = [];
        for (let i = 0; i < batch.length; i++) {
          if (cond.kind === "bool" && isValid(cond.validity, i) && cond.data[i]) keep.push(i);
        }
        return Uint32Array.from(keep);
      },
      check: () => ctx.check(),
      reserve: (bytes) => ctx.reserve(bytes),
    });
    let n = 0;
    for (const b of batches) n += b.length;
    const all: Batch = batches.length === 1 ? batches[0]! : {
      columns: t.columns.map((c, i) => concatColumns(c.type, batches.map((b) => b.columns[i]!))),
      length: n,
    };
    await this.#insertRows(t, all, tx);
    return { command: `COPY ${n}`, columns: [], rows: [], rowCount: n };
  }

  /** The client end of COPY STDIN/STDOUT; 0A000 when the caller has none (e.g. HTTP). */
  #requireCopyClient(direction: "from" | "to"): CopyClient {
    if (this.#copyClient !== null) return this.#copyClient;
    throw new DbError(
      SqlState.featureNotSupported,
      `COPY ${direction === "from" ? "FROM STDIN" : "TO STDOUT"} is not supported here`,
      {
        hint:
          "it needs a PostgreSQL wire protocol client (psql, a driver); COPY a server-side file instead",
      },
    );
  }

  async #collect(
    plan: LogicalPlan,
    ctx: ExecContext,
    reader: TableReader | null,
  ): Promise<{ columns: ResultColumn[]; rows: Value[][] }> {
    const columns: ResultColumn[] = plan.fields.map((f) => ({ name: f.name, type: f.type }));
    const rows: Value[][] = [];
    for await (const b of execute(plan, reader, ctx)) this.#addResultRows(b, rows, ctx);
    return { columns, rows };
  }

  /** The rows of a synchronous executor's batches (see {@link #collect}). */
  #resultRows(batches: Iterable<Batch>, ctx: ExecContext): Value[][] {
    const rows: Value[][] = [];
    for (const b of batches) this.#addResultRows(b, rows, ctx);
    return rows;
  }

  /** Adds a batch's rows to a query's result, within its row limit and memory budget. */
  #addResultRows(b: Batch, rows: Value[][], ctx: ExecContext): void {
    for (let i = 0; i < b.length; i++) {
      const row = new Array<Value>(b.columns.length);
      for (let c = 0; c < b.columns.length; c++) row[c] = valueAt(b.columns[c]!, i);
      rows.push(row);
    }
    const rowsMax = this.#limits.queryResultRowsMax;
    if (rowsMax > 0 && rows.length > rowsMax) {
      throw new DbError(SqlState.programLimitExceeded, `query returned more than ${rowsMax} rows`);
    }
    ctx.reserve(b.length * b.columns.length * 16);
  }

  #checkNotNull(t: TableSchema, b: Batch): void {
    t.columns.forEach((c, i) => {
      if (!c.notNull) return;
      const col = b.columns[i]!;
      for (let r = 0; r < b.length; r++) {
        if (col.kind === "unknown" || !isValid(col.validity, r)) {
          throw new DbError(
            SqlState.notNullViolation,
            `null value in column "${c.name}" of relation "${t.name}" violates not-null constraint`,
          );
        }
      }
    });
  }

  /** CHECK constraints over rows about to be stored (23514; see check_constraints.ts). */
  #checkChecks(t: TableSchema, b: Batch): void {
    checkConstraints(t, b, {
      catalog: this.#catalog,
      registry: this.#registry,
      clock: this.#env.clock,
      limits: this.#limits,
      timeZone: this.#settings.timeZone(),
    });
  }

  /** Appends rows to a table created by this statement (CREATE TABLE ... AS). */
  async #appendRows(t: TableSchema, b: Batch): Promise<void> {
    if (b.length === 0) return;
    this.#checkNotNull(t, b);
    this.#checkChecks(t, b);
    const lsn = await this.#logRecord({ type: WalRecordType.rowBatch, payload: rowBatch(t, b) });
    await this.#requireStorage().append(t.id, b, lsn);
  }

  /**
   * Adds rows to a table inside a transaction: NOT NULL, CHECK and unique keys are checked now
   * (a key another open transaction holds makes the statement wait for it); the rows stay
   * private to the transaction until it commits.
   */
  async #insertRows(t: TableSchema, b: Batch, tx: StatementTx): Promise<void> {
    if (b.length === 0) return;
    this.#checkNotNull(t, b);
    this.#checkChecks(t, b);
    await this.#checkUniqueInTransaction(t, b, tx);
    tx.view.txn.addRows(t.id, b, tx.mark);
  }

  /**
   * Deletes rows (positions in the statement's view: stored rows first, then the transaction's
   * own rows) and, for UPDATE, adds their new versions. Stored rows get the statement's mark; a
   * row another open transaction marked makes the statement wait; at REPEATABLE READ a row a
   * later commit deleted is a serialization failure (40001).
   */
  async #deleteRows(
    t: TableSchema,
    positions: readonly number[],
    rows: Batch,
    inserted: Batch | null,
    tx: StatementTx,
  ): Promise<void> {
    const storage = this.#requireStorage();
    const { view, mark } = tx;
    const txn = view.txn;
    let split = positions.length;
    let stored = Infinity;
    if (txn.inserts.has(t.id)) {
      stored = await storedRowCount(storage, view, t.id);
      split = 0;
      while (split < positions.length && positions[split]! < stored) split++;
    }
    const storedPositions = positions.slice(0, split);
    if (storedPositions.length > 0) {
      const r = await storage.markRows(t.id, storedPositions, viewFields(view), mark);
      switch (r.kind) {
        case "marked":
          break;
        case "deleted_after_snapshot":
          // read committed: a commit whose record is still syncing deleted it; wait for it
          if (txn.isolation === "read committed") this.#waitForCommitting();
          throw new DbError(
            SqlState.serializationFailure,
            "could not serialize access due to concurrent update",
            { hint: "The transaction might succeed if retried." },
          );
        case "marked_by_other": {
          const holder = this.#txns.ownerOf(r.mark);
          if (holder === null) {
            throw new DbError(SqlState.internalError, `row mark ${r.mark} has no transaction`);
          }
          throw new WaitForTransaction(holder);
        }
      }
      txn.useMark(mark);
      txn.writtenTables.add(t.id);
      this.#noteRemovedKeys(t, rows, split, txn, mark);
    }
    if (split < positions.length) {
      txn.deletePrivate(t.id, positions.slice(split).map((p) => p - stored), mark);
    }
    if (inserted !== null) await this.#insertRows(t, inserted, tx);
  }

  /** Remembers the unique keys of the stored rows a statement deleted (the first `n` rows). */
  #noteRemovedKeys(t: TableSchema, rows: Batch, n: number, txn: Transaction, mark: number): void {
    const unique = this.#catalog.indexesOf(t.schema, t.name).filter((i) => i.unique);
    if (unique.length === 0) return;
    const byIndex = new Map<string, string[]>();
    for (const index of unique) {
      const cols = index.columns.map((c) =>
        rows.columns[t.columns.findIndex((tc) => tc.name === c)]!
      );
      const keys: string[] = [];
      for (let i = 0; i < n; i++) {
        const k = uniqueKey(cols, i);
        if (k !== null) keys.push(k);
      }
      byIndex.set(indexKey(index), keys);
    }
    txn.removedKeys.set(mark, byIndex);
  }

  /**
   * Unique indexes against rows `txn` is about to add: 23505 for a key a committed row (that
   * `txn` did not delete) or `txn`'s own rows hold; a wait for a key another open transaction
   * added, or whose committed row it deleted. Keys with a NULL never clash, as in PostgreSQL.
   */
  async #checkUniqueInTransaction(t: TableSchema, added: Batch, tx: StatementTx): Promise<void> {
    const unique = this.#catalog.indexesOf(t.schema, t.name).filter((i) => i.unique);
    if (unique.length === 0) return;
    const txn = tx.view.txn;
    for (const index of unique) {
      const cols = index.columns.map((c) => t.columns.findIndex((tc) => tc.name === c));
      const committed = await this.#committedKeys(t, index);
      const name = indexKey(index);
      const removedBy = (x: Transaction) => {
        const out = new Set<string>();
        for (const m of x.marks) for (const k of x.removedKeys.get(m)?.get(name) ?? []) out.add(k);
        return out;
      };
      const ownRemoved = removedBy(txn);
      const own = this.#privateKeys(txn, t, cols, name);
      const others = [...this.#txns.active].filter((x) => x !== txn && x.writtenTables.has(t.id));
      const addedCols = cols.map((c) => added.columns[c]!);
      const fresh = new Set<string>();
      for (let i = 0; i < added.length; i++) {
        const key = uniqueKey(addedCols, i);
        if (key === null) continue;
        let clash = fresh.has(key) || own.has(key);
        if (!clash && committed.has(key) && !ownRemoved.has(key)) {
          for (const x of others) if (removedBy(x).has(key)) throw new WaitForTransaction(x);
          clash = true;
        }
        if (!clash) {
          for (const x of others) {
            if (this.#privateKeys(x, t, cols, name).has(key)) throw new WaitForTransaction(x);
          }
        }
        if (clash) {
          const values = addedCols.map((c) => formatValue(c.type, valueAt(c, i)) ?? "NULL").join(
            ", ",
          );
          throw new DbError(
            SqlState.uniqueViolation,
            `duplicate key value violates unique constraint "${index.name}"`,
            { detail: `Key (${index.columns.join(", ")})=(${values}) already exists.` },
          );
        }
        fresh.add(key);
      }
    }
  }

  /** The unique keys of a transaction's live private rows of a table (cached until they change). */
  #privateKeys(
    txn: Transaction,
    t: TableSchema,
    cols: readonly number[],
    name: string,
  ): Set<string> {
    const cacheKey = `${t.id}\u0000${name}`;
    let keys = txn.privateKeys.get(cacheKey);
    if (keys !== undefined) return keys;
    keys = new Set<string>();
    for (const b of txn.visibleRows(t.id)) {
      const kc = cols.map((c) => b.columns[c]!);
      for (let i = 0; i < b.length; i++) {
        const k = uniqueKey(kc, i);
        if (k !== null) keys.add(k);
      }
    }
    txn.privateKeys.set(cacheKey, keys);
    return keys;
  }

  /** The keys of a unique index among the committed rows (latest view), built on first use. */
  async #committedKeys(t: TableSchema, index: IndexSchema): Promise<Set<string>> {
    const name = indexKey(index);
    let seen = this.#uniqueKeys.get(name);
    if (seen !== undefined) return seen;
    seen = new Set<string>();
    const cols = index.columns.map((c) => t.columns.findIndex((tc) => tc.name === c));
    const scan = this.#requireStorage().scan(t.id, {
      projection: cols,
      filters: [],
      limit: null,
      signal: null,
    });
    for await (const b of scan) {
      for (let i = 0; i < b.length; i++) {
        const key = uniqueKey(b.columns, i);
        if (key !== null) seen.add(key);
      }
    }
    this.#uniqueKeys.set(name, seen);
    return seen;
  }

  /** Keeps the committed-key sets true after `txn` committed its changes to `t`. */
  #noteCommittedKeys(txn: Transaction, t: TableSchema, rows: Batch | null): void {
    for (const index of this.#catalog.indexesOf(t.schema, t.name)) {
      if (!index.unique) continue;
      const name = indexKey(index);
      const seen = this.#uniqueKeys.get(name);
      if (seen === undefined) continue;
      for (const m of txn.marks) {
        for (const k of txn.removedKeys.get(m)?.get(name) ?? []) seen.delete(k);
      }
      if (rows === null) continue;
      const cols = index.columns.map((c) =>
        rows.columns[t.columns.findIndex((tc) => tc.name === c)]!
      );
      for (let i = 0; i < rows.length; i++) {
        const k = uniqueKey(cols, i);
        if (k !== null) seen.add(k);
      }
    }
  }

  /**
   * INSERT ... ON CONFLICT: rows whose key (the target index's, or any unique index's for DO
   * NOTHING without a target) is already taken are skipped (DO NOTHING) or turn into an update
   * of the row holding the key (DO UPDATE: its SET over [existing row, EXCLUDED row], its WHERE
   * deciding whether it happens). A key held by another open transaction makes the statement
   * wait; at REPEATABLE READ a key whose row the snapshot cannot see is a serialization
   * failure, as in PostgreSQL. Returns the rows inserted and the new versions of rows updated.
   */
  async #upsert(
    t: TableSchema,
    proposed: Batch,
    onConflict: BoundOnConflict,
    ctx: ExecContext,
    tx: StatementTx,
  ): Promise<{ rows: Batch; count: number }> {
    const txn = tx.view.txn;
    const unique = this.#catalog.indexesOf(t.schema, t.name).filter((i) => i.unique);
    const colOf = (name: string) => t.columns.findIndex((c) => c.name === name);
    const targets = onConflict.keyColumns === null
      ? unique.map((i) => i.columns.map(colOf))
      : [onConflict.keyColumns];
    if (targets.length === 0) {
      await this.#insertRows(t, proposed, tx);
      return { rows: proposed, count: proposed.length };
    }
    const indexes = onConflict.keyColumns === null
      ? unique
      : unique.filter((i) => i.name === onConflict.indexName);
    if (indexes.length !== targets.length) {
      throw new DbError(
        SqlState.internalError,
        `ON CONFLICT index ${onConflict.indexName} is gone`,
      );
    }
    const committedSets = await Promise.all(indexes.map((i) => this.#committedKeys(t, i)));
    const names = indexes.map(indexKey);
    // the rows the statement sees are read (a table scan) only when a proposed key is taken by
    // a committed row or by this transaction's own: the common no-conflict insert skips it
    const taken = targets.some((cols, k) => {
      const own = this.#privateKeys(txn, t, cols, names[k]!);
      const kc = cols.map((c) => proposed.columns[c]!);
      for (let r = 0; r < proposed.length; r++) {
        const key = uniqueKey(kc, r);
        if (key !== null && (committedSets[k]!.has(key) || own.has(key))) return true;
      }
      return false;
    });
    const existing: Batch[] = [];
    if (taken) {
      // positions found here must not move under a background checkpoint before they are marked
      if (onConflict.action.kind === "update") await this.#quiesce();
      const reader = transactionReader(this.#requireStorage(), tx.view);
      const scan = reader.scan(t.id, {
        projection: t.columns.map((_, i) => i),
        filters: [],
        limit: null,
        signal: ctx.signal,
      });
      for await (const b of scan) existing.push(b);
    }
    const all: Batch = existing.length === 1 ? existing[0]! : {
      columns: t.columns.map((c, i) => concatColumns(c.type, existing.map((b) => b.columns[i]!))),
      length: existing.reduce((n, b) => n + b.length, 0),
    };
    const seen = targets.map((cols) => {
      const m = new Map<string, number>();
      const kc = cols.map((c) => all.columns[c]!);
      for (let i = 0; i < all.length; i++) {
        const k = uniqueKey(kc, i);
        if (k !== null) m.set(k, i);
      }
      return m;
    });
    const others = [...this.#txns.active].filter((x) => x !== txn && x.writtenTables.has(t.id));
    const keep: number[] = [];
    const conflictRows: number[] = []; // row of `all` each updated row replaces
    const excludedRows: number[] = [];
    const proposedKeys = targets.map(() => new Set<string>());
    for (let r = 0; r < proposed.length; r++) {
      let hit = -1;
      let skip = false;
      for (let k = 0; k < targets.length && hit < 0 && !skip; k++) {
        const key = uniqueKey(targets[k]!.map((c) => proposed.columns[c]!), r);
        if (key === null) continue;
        if (proposedKeys[k]!.has(key)) {
          if (onConflict.action.kind === "update") {
            throw new DbError(
              "21000",
              "ON CONFLICT DO UPDATE command cannot affect row a second time",
              {
                hint:
                  "Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
              },
            );
          }
          skip = true;
          break;
        }
        const at = seen[k]!.get(key);
        if (at !== undefined) {
          hit = at;
          break;
        }
        const name = names[k]!;
        for (const x of others) {
          for (const m of x.marks) {
            if (x.removedKeys.get(m)?.get(name)?.includes(key)) throw new WaitForTransaction(x);
          }
          if (this.#privateKeys(x, t, targets[k]!, name).has(key)) throw new WaitForTransaction(x);
        }
        if (committedSets[k]!.has(key)) {
          // committed, yet not in the snapshot: a later commit added it (at read committed,
          // one whose commit record is still syncing: wait for it)
          if (txn.isolation === "read committed") this.#waitForCommitting();
          let removedByUs = false;
          for (const m of txn.marks) {
            if (txn.removedKeys.get(m)?.get(name)?.includes(key)) removedByUs = true;
          }
          if (!removedByUs) {
            throw new DbError(
              SqlState.serializationFailure,
              "could not serialize access due to concurrent update",
              { hint: "The transaction might succeed if retried." },
            );
          }
        }
      }
      for (let k = 0; k < targets.length; k++) {
        const key = uniqueKey(targets[k]!.map((c) => proposed.columns[c]!), r);
        if (key !== null) proposedKeys[k]!.add(key);
      }
      if (skip) continue;
      if (hit < 0) keep.push(r);
      else if (onConflict.action.kind === "update") {
        if (conflictRows.includes(hit)) {
          throw new DbError(
            "21000",
            "ON CONFLICT DO UPDATE command cannot affect row a second time",
          );
        }
        conflictRows.push(hit);
        excludedRows.push(r);
      }
    }
    const take = (b: Batch, rows: number[]): Batch => ({
      columns: b.columns.map((c) => takeColumn(c, Uint32Array.from(rows))),
      length: rows.length,
    });
    const inserted = keep.length === proposed.length ? proposed : take(proposed, keep);
    let updated: Batch | null = null;
    let proposals: number[] = []; // the proposed row each updated row came from
    let count = inserted.length;
    const action = onConflict.action;
    if (action.kind === "update" && conflictRows.length > 0) {
      // [existing row, EXCLUDED row] per conflict, in table position order
      const order = conflictRows.map((_, i) => i).sort((a, b) =>
        conflictRows[a]! - conflictRows[b]!
      );
      const pos = order.map((i) => conflictRows[i]!);
      const ex = order.map((i) => excludedRows[i]!);
      let pair: Batch = {
        columns: [...take(all, pos).columns, ...take(proposed, ex).columns],
        length: pos.length,
      };
      let positions = pos;
      proposals = ex;
      if (action.where !== null) {
        const cond = evaluate(action.where, pair, ctx);
        const pass: number[] = [];
        for (let i = 0; i < pair.length; i++) {
          if (cond.kind === "bool" && isValid(cond.validity, i) && cond.data[i]) pass.push(i);
        }
        pair = take(pair, pass);
        positions = pass.map((i) => pos[i]!);
        proposals = pass.map((i) => ex[i]!);
      }
      if (pair.length > 0) {
        const { newRows } = await updatedRows(t, action.assignments, pair, ctx);
        await this.#deleteRows(t, positions, pair, newRows, tx);
        updated = newRows;
        count += newRows.length;
      }
    }
    await this.#insertRows(t, inserted, tx);
    if (updated === null) return { rows: inserted, count };
    // RETURNING lists the rows in the order they were proposed, as PostgreSQL does
    const both: Batch = {
      columns: t.columns.map((c, i) =>
        concatColumns(c.type, [inserted.columns[i]!, updated!.columns[i]!])
      ),
      length: inserted.length + updated.length,
    };
    const from = [...keep, ...proposals];
    const order = from.map((_, i) => i).sort((a, b) => from[a]! - from[b]!);
    return { rows: take(both, order), count };
  }

  /**
   * 55006 when a schema change would touch a table that an open transaction has changed (its
   * private rows and marks follow the table's current layout).
   */
  #checkTablesIdle(bound: BoundStatement): void {
    const names: { schema: string; name: string }[] = [];
    switch (bound.kind) {
      case "drop_table":
      case "truncate":
        names.push(...bound.tables);
        break;
      case "alter_table":
      case "drop_partitions":
        if (bound.table !== null) names.push(bound.table);
        break;
      case "create_index":
        names.push({ schema: bound.index.schema, name: bound.index.table });
        break;
      case "drop_schema":
      case "rename_schema": {
        const schemas: readonly string[] = bound.kind === "drop_schema"
          ? bound.names
          : [bound.name];
        names.push(...this.#catalog.tables().filter((t) => schemas.includes(t.schema)));
        break;
      }
      default:
        return;
    }
    for (const n of names) {
      const t = this.#catalog.getTable(n.schema, n.name);
      if (t === null) continue;
      for (const open of this.#streams) {
        if (open.tables.has(t.id)) {
          throw new DbError(
            "55006",
            `cannot change table "${t.name}" because it is being used by an open query stream`,
            { detail: `A query of transaction ${open.txn.id} is still reading it.` },
          );
        }
      }
      for (const x of this.#txns.active) {
        if (x.writtenTables.has(t.id)) {
          throw new DbError(
            "55006",
            `cannot change table "${t.name}" because it is being used by an open transaction`,
            { detail: `Transaction ${x.id} has uncommitted changes to it.` },
          );
        }
      }
    }
  }

  /** CREATE UNIQUE INDEX over existing rows: 23505 if they already hold a duplicate. */
  async #checkUniqueIndexData(index: IndexSchema): Promise<void> {
    const t = this.#catalog.getTable(index.schema, index.table)!;
    const cols = index.columns.map((c) => t.columns.findIndex((tc) => tc.name === c));
    const seen = new Set<string>();
    for await (
      const b of this.#requireStorage().scan(t.id, {
        projection: cols,
        filters: [],
        limit: null,
        signal: null,
      })
    ) {
      for (let i = 0; i < b.length; i++) {
        const key = uniqueKey(b.columns, i);
        if (key === null) continue;
        if (seen.has(key)) {
          const values = b.columns.map((c) => formatValue(c.type, valueAt(c, i)) ?? "NULL").join(
            ", ",
          );
          throw new DbError(
            SqlState.uniqueViolation,
            `could not create unique index "${index.name}"`,
            {
              detail: `Key (${index.columns.join(", ")})=(${values}) is duplicated.`,
            },
          );
        }
        seen.add(key);
      }
    }
  }

  async #logSequenceValue(s: Sequence): Promise<void> {
    const last = s.last;
    await this.#logDdl({
      op: "sequence_value",
      schema: s.schema.schema,
      name: s.schema.name,
      last: last === null ? null : String(last),
    });
  }

  async #logDdl(change: DdlChange): Promise<void> {
    await this.#logRecord({ type: WalRecordType.ddl, payload: encodeJson(change) });
  }

  /**
   * Logs one record; a commit record follows (see {@link Database.#commitCall} and
   * {@link Database.#commitTransaction}). Returns the record's LSN: the WAL's, or without a WAL
   * the next number of a counter (snapshots compare them either way).
   */
  async #logRecord(record: WalRecord): Promise<bigint> {
    this.#uncommitted = true;
    if (this.#wal === null) return ++this.#lastLsn;
    // not synced: the commit record that closes the call is, and it covers this one
    const { lsn } = await this.#wal.append([record], { sync: false });
    this.#lastLsn = lsn;
    return lsn;
  }

  /**
   * Writes the commit record that closes the records logged so far; resolves once it is durable
   * (or, under `wal.sync = "interval"`, written), with the level reached; `null` when nothing was
   * logged.
   */
  async #writeCommitRecord(): Promise<Durability | null> {
    if (!this.#uncommitted || this.#wal === null) return null;
    this.#uncommitted = false;
    const { lsn, durable } = await this.#wal.append([
      { type: WalRecordType.commit, payload: noPayload },
    ]);
    this.#lastLsn = lsn;
    return durable ? "fsync" : "interval";
  }

  /** Commits the non-transactional records (DDL, sequence values) logged and applied so far. */
  async #commitCall(): Promise<Durability | null> {
    if (!this.#uncommitted) return null;
    if (this.#failure !== null) throw this.#failure;
    let durability: Durability | null = null;
    if (this.#wal === null) this.#uncommitted = false;
    else {
      try {
        durability = await this.#writeCommitRecord();
      } catch (e) {
        await this.#abortLogged();
        throw e;
      }
    }
    // inside the exclusive section nothing else was queued: everything logged is durable
    this.#markDurable(this.#lastLsn);
    await this.#maybeCheckpoint();
    return durability;
  }

  /**
   * Checkpoints when the memtables hold more than `memtableBytesMax`: in the background when the
   * storage engine can (writes go on; past twice the limit they wait for the running one), else
   * right here.
   */
  async #maybeCheckpoint(): Promise<void> {
    const storage = this.#storage;
    const wal = this.#wal;
    const max = this.#limits.memtableBytesMax;
    const unflushed = storage?.unflushedBytes?.() ?? 0;
    if (storage === null || wal === null || unflushed <= max || this.#failure !== null) return;
    // a checkpoint covers what is applied: only once it is all durable (its LSN says so)
    await this.#commitsSynced();
    if (storage.checkpointInBackground === undefined || this.#limits.checkpointWorkers === 0) {
      await this.#checkpoint();
      return;
    }
    if (this.#backgroundCheckpoint !== null) {
      if (unflushed <= 2 * max) return;
      await this.#backgroundCheckpoint;
    }
    const lsn = this.#lastLsn;
    const start = this.#env.clock.monotonicMs();
    const run = storage.checkpointInBackground(lsn, this.#catalog.toJson()).then(
      async (stats) => {
        await wal.truncateThrough?.(lsn);
        this.#log({
          event: "checkpoint",
          background: true,
          lsn: String(lsn),
          ms: Math.round(this.#env.clock.monotonicMs() - start),
          ...stats,
        });
      },
      (e: unknown) => {
        // the rows stay in frozen memtables and the WAL; the next checkpoint writes them
        this.#log({ event: "checkpoint_failed", lsn: String(lsn), error: (e as Error).message });
      },
    );
    this.#backgroundCheckpoint = run;
    void run.finally(() => {
      if (this.#backgroundCheckpoint === run) this.#backgroundCheckpoint = null;
    });
  }

  /** Waits for a background checkpoint; changes other than appends must not overlap one. */
  async #quiesce(): Promise<void> {
    while (this.#backgroundCheckpoint !== null) await this.#backgroundCheckpoint;
  }

  /**
   * Writes every memtable to segments with the catalog, then drops the WAL through the
   * checkpoint's LSN. A no-op for an in-memory database.
   */
  async #checkpoint(): Promise<void> {
    const storage = this.#storage;
    if (this.#wal === null || storage?.checkpoint === undefined) return;
    await this.#commitsSynced();
    await this.#quiesce();
    const lsn = this.#lastLsn;
    const start = this.#env.clock.monotonicMs();
    const stats = await storage.checkpoint(lsn, this.#catalog.toJson());
    await this.#wal.truncateThrough?.(lsn);
    this.#log({
      event: "checkpoint",
      lsn: String(lsn),
      ms: Math.round(this.#env.clock.monotonicMs() - start),
      ...stats,
    });
  }

  async #applyDdl(change: DdlChange): Promise<TableSchema | null> {
    const storage = this.#requireStorage();
    this.#uniqueKeys.clear();
    switch (change.op) {
      case "create_table": {
        for (const s of change.sequences ?? []) this.#catalog.createSequence(sequenceFromJson(s));
        const table = this.#catalog.createTable(
          change.schema,
          change.name,
          change.columns,
          change.options ?? null,
          change.checks ?? [],
        );
        for (const index of change.indexes ?? []) this.#catalog.createIndex(index);
        await storage.createTable(table);
        return table;
      }
      case "drop_table": {
        const table = this.#catalog.dropTable(change.schema, change.name);
        await storage.dropTable(table.id);
        return table;
      }
      case "create_schema":
      case "drop_schema":
      case "rename_schema":
        await applySchemaChange(change, this.#catalog, storage);
        return null;
      case "create_view":
        this.#catalog.createView(change.view, change.orReplace);
        return null;
      case "drop_view":
        this.#catalog.dropView(change.schema, change.name);
        return null;
      case "create_index":
        this.#catalog.createIndex(change.index);
        return null;
      case "drop_index":
        this.#catalog.dropIndex(change.schema, change.name);
        return null;
      case "alter_table":
        return await applyAlterTable(change, this.#catalog, storage);
      case "create_sequence":
        this.#catalog.createSequence(sequenceFromJson(change.sequence));
        return null;
      case "create_user":
      case "alter_user":
      case "drop_user":
      case "create_token":
      case "drop_token":
        applyUserChange(change, this.#catalog);
        return null;
      case "drop_sequence":
        this.#catalog.dropSequence(change.schema, change.name);
        return null;
      case "drop_partitions": {
        const table = this.#catalog.getTable(change.schema, change.name);
        if (table === null) {
          throw new DbError(SqlState.dataCorrupted, `DROP PARTITION of a missing table`);
        }
        await storage.dropPartitions?.(table.id, change.keys);
        return null;
      }
      case "truncate": {
        const table = this.#catalog.getTable(change.schema, change.name);
        if (table === null) {
          throw new DbError(SqlState.dataCorrupted, `TRUNCATE of a missing table "${change.name}"`);
        }
        await storage.dropTable(table.id);
        await storage.createTable(table);
        return null;
      }
      case "sequence_value":
        this.#catalog.getSequence(change.schema, change.name)?.restore(
          change.last === null ? null : BigInt(change.last),
        );
        return null;
    }
  }

  /**
   * Replays the WAL records after the checkpoint LSN. Records count once their commit record is
   * read; records after the last commit (a call cut short by a crash) are dropped.
   */
  async #recover(wal: Wal, afterLsn: bigint): Promise<void> {
    let records = 0, committed = 0;
    let pending: WalEntry[] = [];
    for await (const e of wal.replay(afterLsn)) {
      records++;
      this.#lastLsn = e.lsn;
      if (e.type === WalRecordType.abort) {
        pending = []; // dropped at an earlier recovery
        continue;
      }
      if (e.type !== WalRecordType.commit) {
        pending.push(e);
        continue;
      }
      for (const r of pending) await this.#redo(r);
      committed += pending.length;
      pending = [];
    }
    if (pending.length > 0) {
      this.#log({
        event: "wal_uncommitted_dropped",
        records: pending.length,
        firstLsn: String(pending[0]!.lsn),
      });
      // The dropped records stay in the log: without an abort record after them, the next
      // call's commit record would close them too and a later recovery would apply them.
      const { lsn } = await wal.append([{ type: WalRecordType.abort, payload: noPayload }]);
      this.#lastLsn = lsn;
    }
    this.#durableLsn = this.#lastLsn;
    this.#storage?.setHorizon(this.#lastLsn);
    this.#log({
      event: "recovered",
      checkpointLsn: String(afterLsn),
      walRecords: records,
      applied: committed,
      tables: this.#catalog.tables().length,
    });
  }

  /** Applies one logged change again. */
  async #redo(e: WalEntry): Promise<void> {
    const storage = this.#requireStorage();
    const unknownTable = (name: string) =>
      new DbError(SqlState.dataCorrupted, `WAL change for unknown table ${name} at LSN ${e.lsn}`);
    switch (e.type) {
      case WalRecordType.ddl:
        await this.#applyDdl(decodeJson<DdlChange>(e.payload, "DDL"));
        return;
      case WalRecordType.rows: {
        const change = decodeJson<RowsChange>(e.payload, "rows");
        const t = this.#catalog.getTable(change.schema, change.name);
        if (!t) throw unknownTable(change.name);
        await storage.append(t.id, decodeRows(change, t.columns.map((c) => c.type)), e.lsn);
        return;
      }
      case WalRecordType.rowBatch: {
        if (e.payload.length < 4) throw unknownTable("(truncated record)");
        const id = new DataView(e.payload.buffer, e.payload.byteOffset).getUint32(0, true);
        const t = this.#catalog.tables().find((x) => x.id === id);
        if (!t) throw unknownTable(`with id ${id}`);
        const batch = decodeBatch(e.payload.subarray(4), t.columns.map((c) => c.type));
        await storage.append(t.id, batch, e.lsn);
        return;
      }
      case WalRecordType.delete: {
        const change = decodeJson<DeleteChange>(e.payload, "delete");
        const t = this.#catalog.getTable(change.schema, change.name);
        if (!t) throw unknownTable(change.name);
        await storage.deleteRows(t.id, change.positions, e.lsn);
        if (change.inserted !== null) {
          await storage.append(
            t.id,
            decodeRows(change.inserted, t.columns.map((c) => c.type)),
            e.lsn,
          );
        }
        return;
      }
      default:
        throw new DbError(
          SqlState.dataCorrupted,
          `unknown WAL record type ${e.type} at LSN ${e.lsn}`,
        );
    }
  }
}

const noPayload = new Uint8Array(0);

/** How a run of a statement ended: an answer (and its commit's sync), or a wait. */
type StatementOutcome =
  | {
    readonly kind: "done";
    readonly result: QueryResult;
    readonly durable: Promise<Durability | null> | null;
  }
  | { readonly kind: "wait"; readonly holder: Transaction };

/**
 * Milliseconds statements may run back to back while commit records sync before the event loop
 * gets a turn for I/O (the syncs' completions).
 */
const ioTurnEveryMs = 10;

/** A statement's transaction: what it reads and the mark it deletes rows with. */
interface StatementTx {
  readonly view: StatementView;
  readonly mark: number;
}

/**
 * SET TRANSACTION's modes on a running transaction: the isolation level may change only before
 * its first query (25001, failing it); READ ONLY / READ WRITE at any time.
 */
function setTransactionModes(txn: Transaction, m: TransactionModes, pos: number): void {
  if (m.isolation !== null) {
    const level = m.isolation === "read uncommitted" ? "read committed" : m.isolation;
    if (txn.queried && level !== txn.isolation) {
      txn.state = "failed";
      throw new DbError(
        "25001",
        "SET TRANSACTION ISOLATION LEVEL must be called before any query",
        { position: pos + 1 },
      );
    }
    txn.isolation = level;
  }
  if (m.readOnly !== null) txn.readOnly = m.readOnly;
}

/** A query stream that is open (see Database.#openStream). */
interface OpenStream {
  /** The transaction it reads in. */
  readonly txn: Transaction;
  /** Tables its plan reads: they cannot be dropped or altered while it is open. */
  readonly tables: ReadonlySet<number>;
  /** The horizon when it opened: storage may not drop row versions past it meanwhile. */
  readonly horizon: bigint;
}

/** Statements that run inside a transaction (the rest are not transactional). */
const transactional: ReadonlySet<BoundStatement["kind"]> = new Set<BoundStatement["kind"]>([
  "query",
  "explain",
  "insert",
  "update",
  "delete",
  "copy_from",
  "copy_to",
]);

/** Settings that SHOW answers from the running transaction. */
const transactionSettings = new Set(["transaction_isolation", "transaction_read_only"]);

/** Statements that change a transaction's data (refused in READ ONLY ones). */
const writes: ReadonlySet<BoundStatement["kind"]> = new Set<BoundStatement["kind"]>([
  "insert",
  "update",
  "delete",
  "copy_from",
]);

/** Schema changes: they commit at once, so they cannot run inside a block. */
const ddlKinds: ReadonlySet<BoundStatement["kind"]> = new Set<BoundStatement["kind"]>([
  "create_table",
  "drop_table",
  "create_view",
  "drop_view",
  "create_index",
  "drop_index",
  "alter_table",
  "create_sequence",
  "drop_sequence",
  "truncate",
  "drop_partitions",
  "create_user",
  "alter_user",
  "drop_user",
  "create_token",
  "drop_token",
  "create_schema",
  "drop_schema",
  "rename_schema",
]);

/**
 * Statements that end a multi-statement message's implicit transaction before they run: the
 * schema changes (not transactional) and CHECKPOINT (it writes what is committed).
 */
const endsImplicitBlock: ReadonlySet<BoundStatement["kind"]> = new Set<BoundStatement["kind"]>([
  ...ddlKinds,
  "checkpoint",
]);

/** A statement kind as its command is written (`CREATE TABLE`). */
function commandName(kind: BoundStatement["kind"]): string {
  switch (kind) {
    case "copy_from":
    case "copy_to":
      return "COPY";
    case "drop_partitions":
      return "ALTER TABLE ... DROP PARTITION";
    case "rename_schema":
      return "ALTER SCHEMA";
    default:
      return kind.replace("_", " ").toUpperCase();
  }
}

/** A unique index's key in the key caches. */
function indexKey(index: IndexSchema): string {
  return `${index.schema}\u0000${index.name}`;
}

/** Statements that may run while a background checkpoint writes segments. */
const runsDuringCheckpoint: ReadonlySet<BoundStatement["kind"]> = new Set<BoundStatement["kind"]>([
  "query",
  "insert",
  "copy_from",
  "copy_to",
  "set",
  "show",
]);

/** A row-batch record's payload: the table id, then the batch (see batch_codec.ts). */
function rowBatch(t: TableSchema, b: Batch): Uint8Array {
  const body = encodeBatch(b);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, t.id, true);
  out.set(body, 4);
  return out;
}

/** The result of INSERT, UPDATE or DELETE: the command tag, and the RETURNING rows if any. */
function dmlResult(
  command: string,
  rowCount: number,
  returning: BoundReturning | null,
  rows: Value[][] | null,
): QueryResult {
  return {
    command,
    columns: returning === null ? [] : returning.columns,
    rows: rows ?? [],
    rowCount,
  };
}

/** A unique-index key for row i, or `null` when a key column is NULL. */
function uniqueKey(cols: readonly Column[], i: number): string | null {
  let key = "";
  for (const c of cols) {
    if (c.kind === "unknown" || !isValid(c.validity, i)) return null;
    key += rowKey(c, i);
  }
  return key;
}

/** Parses a stored view definition back into its query. */
function parseView(parser: ParserPlugin, text: string, limits: Limits): Query {
  const [stmt, ...rest] = parser.parse(text, { limits });
  if (stmt === undefined || stmt.kind !== "query" || rest.length > 0) {
    throw new DbError(SqlState.dataCorrupted, "a stored view definition is not a single query");
  }
  return stmt.query;
}

/** Wraps a caller's array as a column of `type`, copying only when the representation differs. */
function adoptArray(type: Column["type"], arr: ArrayLike<unknown>, length: number): Column {
  const direct =
    (type.kind === "float8" || type.kind === "timestamp" || type.kind === "timestamptz") &&
      arr instanceof Float64Array ||
    type.kind === "int4" && arr instanceof Int32Array ||
    type.kind === "int8" && arr instanceof BigInt64Array ||
    type.kind === "int2" && arr instanceof Int16Array ||
    type.kind === "float4" && arr instanceof Float32Array;
  if (direct) return makeColumn(type, length, arr as Float64Array, null);
  if ((type.kind === "text" || type.kind === "varchar") && Array.isArray(arr)) {
    // an array of strings (tags): one pass, no value objects
    const data = new Array<string>(length);
    let validity: Uint8Array | null = null;
    let i = 0;
    for (; i < length; i++) {
      const v: unknown = arr[i];
      if (typeof v === "string") data[i] = v;
      else if (v === null || v === undefined) {
        validity ??= allValid(length);
        setNull(validity, i);
        data[i] = "";
      } else break;
    }
    if (i === length) {
      const col = makeColumn(Types.text, length, data, validity);
      return type.kind === "text" ? col : castColumn(col, type);
    }
  }
  const values: Value[] = Array.from(arr as ArrayLike<unknown>, (v) => {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return v.getTime() * 1000;
    return v as Value;
  });
  if (type.kind === "text" || type.kind === "varchar") {
    return castColumn(
      columnFromValues({ kind: "text" }, values.map((v) => v === null ? null : String(v))),
      type,
    );
  }
  try {
    return columnFromValues(type, values);
  } catch (e) {
    throw new DbError(
      SqlState.datatypeMismatch,
      `cannot store values as ${typeToSql(type)}: ${(e as Error).message}`,
    );
  }
}

/** What `Session.describe` tells about a statement without running it. */
export interface StatementDescription {
  /** The type of each parameter `$1..$n`. */
  readonly params: readonly DataType[];
  /** The result columns; `null` when the statement returns no rows. */
  readonly columns: readonly ResultColumn[] | null;
}

/** The result columns a bound statement returns; `null` for none. */
function resultColumnsOf(bound: BoundStatement): ResultColumn[] | null {
  switch (bound.kind) {
    case "query":
      return bound.plan.fields.map((f) => ({ name: f.name, type: f.type }));
    case "explain":
      return [{ name: "QUERY PLAN", type: Types.text }];
    case "show":
      return bound.name === "all"
        ? [{ name: "name", type: Types.text }, { name: "setting", type: Types.text }]
        : [{ name: bound.name, type: Types.text }];
    case "insert":
    case "update":
    case "delete":
      return bound.returning === null ? null : bound.returning.columns.map((c) => ({ ...c }));
    default:
      return null;
  }
}

/** A value of type `t` that binds like a client's parameter of that type (for describing). */
function placeholderValue(t: DataType): Value {
  switch (t.kind) {
    case "bool":
      return false;
    case "int2":
    case "int4":
      return 0;
    case "int8":
      return 0n;
    case "float4":
    case "float8":
      return 0.5;
    case "date":
      return "2000-01-01";
    case "timestamp":
    case "timestamptz":
      return "2000-01-01 00:00:00";
    case "time":
      return "00:00:00";
    case "interval":
      return "1 day";
    case "numeric":
      return "0";
    default:
      return "";
  }
}

/** Calls `visit` on every plain object reachable from `root` (each once). */
function walkObjects(root: unknown, visit: (o: Record<string, unknown>) => void): void {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== "object" || v === null || seen.has(v) || ArrayBuffer.isView(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
      continue;
    }
    if (v instanceof Map || v instanceof Set) continue;
    visit(v as Record<string, unknown>);
    for (const x of Object.values(v)) stack.push(x);
  }
}
