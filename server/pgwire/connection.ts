/**
 * One client connection of the PostgreSQL protocol (v3): startup (SSLRequest, GSSENCRequest,
 * CancelRequest), authentication, then the simple and extended query sub-protocols and COPY,
 * over one engine {@link Session}. Each response up to ReadyForQuery is collected in one
 * buffer and written at once.
 *
 * @example
 * ```ts
 * import { readyStatusOf } from "./connection.ts";
 * console.assert(readyStatusOf("failed") === "E");
 * ```
 *
 * @module
 */
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import type { Database } from "../../core/engine/database.ts";
import type { Session, TransactionStatus } from "../../core/engine/session.ts";
import type { CopyClient, CopyTransfer, QueryResult } from "../../core/engine/result.ts";
import type { AppendFile, ReadFile } from "../../core/env/fs.ts";
import { DbError, SqlState, toDbError } from "../../core/errors.ts";
import type { Value } from "../../core/types/column.ts";
import type { DataType } from "../../core/types/data_type.ts";
import type { TimeZone } from "../../core/types/time_zone.ts";
import type { AuthDirectory, AuthPlugin } from "../../core/plugin/auth.ts";
import { isLoopbackHost } from "../config.ts";
import type { SessionActivity } from "../../core/engine/session.ts";
import {
  pgAuthMessageBytesMax,
  pgDatabaseName,
  pgDefaultUser,
  pgInputPauseBytes,
  pgMessageBytesMax,
  pgOutputFlushBytes,
  pgPortalsMax,
  pgPreparedStatementsMax,
  pgStartupBytesMax,
} from "./limits.ts";
import {
  type FrontendMessage,
  type MessageBody,
  MessageReader,
  MessageWriter,
  ProtocolError,
  utf8,
} from "./protocol.ts";
import { ScramExchange, scramMechanism } from "./sasl.ts";
import { dataTypeOfOid, decodeParam, typeSize, wireOid, writeBinary, writeText } from "./values.ts";

const sslRequestCode = 80877103;
const gssEncRequestCode = 80877104;
const cancelRequestCode = 80877102;
const protocolVersion3 = 3;

// message type bytes
const ch = (c: string) => c.charCodeAt(0);
const F = {
  query: ch("Q"),
  parse: ch("P"),
  bind: ch("B"),
  describe: ch("D"),
  execute: ch("E"),
  sync: ch("S"),
  flush: ch("H"),
  close: ch("C"),
  terminate: ch("X"),
  copyData: ch("d"),
  copyDone: ch("c"),
  copyFail: ch("f"),
  password: ch("p"),
} as const;
const B = {
  auth: ch("R"),
  parameterStatus: ch("S"),
  backendKeyData: ch("K"),
  readyForQuery: ch("Z"),
  rowDescription: ch("T"),
  dataRow: ch("D"),
  commandComplete: ch("C"),
  emptyQuery: ch("I"),
  error: ch("E"),
  notice: ch("N"),
  parseComplete: ch("1"),
  bindComplete: ch("2"),
  closeComplete: ch("3"),
  noData: ch("n"),
  portalSuspended: ch("s"),
  parameterDescription: ch("t"),
  copyInResponse: ch("G"),
  copyOutResponse: ch("H"),
  copyData: ch("d"),
  copyDone: ch("c"),
} as const;

/** ReadyForQuery's status byte for a transaction status. */
export function readyStatusOf(status: TransactionStatus): "I" | "T" | "E" {
  return status === "idle" ? "I" : status === "active" ? "T" : "E";
}

/** How clients authenticate (see docs/postgres.md, "Authentication"). */
export interface PgAuthPolicy {
  /** Whether any password is asked for; `false` trusts every connection. */
  readonly required: boolean;
  /** Trust connections from a loopback address even when `required`. */
  readonly trustLoopback: boolean;
  /** `scram-sha-256`, or `password` (cleartext, used only over TLS; SCRAM otherwise). */
  readonly method: "scram-sha-256" | "password";
  /** Checks cleartext passwords. */
  readonly plugin: AuthPlugin | null;
  /** Users and their SCRAM verifiers. */
  readonly directory: AuthDirectory;
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly db: Database;
  readonly auth: PgAuthPolicy;
  /** The certificate and key (PEM) for SSLRequest; `null` answers `N`. */
  readonly tls: { readonly key: string; readonly cert: string } | null;
  /** Server-wide random bytes for made-up SCRAM salts. */
  readonly secret: Uint8Array;
  /** Idle time outside a transaction before the session is closed, in ms (0 = never). */
  readonly idleSessionTimeoutMs: number;
  /** Time allowed for startup and authentication, in ms. */
  readonly startupTimeoutMs: number;
  /** A response went out (the server polls a moment for the next request: busy_poll.ts). */
  responded(): void;
  /** Admits the connection after its startup packet: an error (53300, 57P03) refuses it. */
  admit(conn: PgConnection): DbError | null;
  /** Cancels the running query of the connection with this key, if any. */
  cancel(pid: number, secret: number): void;
  /** The connection has ended. */
  closed(conn: PgConnection): void;
  /** Structured log. */
  log(level: "info" | "warn" | "error", event: string, fields: Record<string, unknown>): void;
}

interface PreparedStatement {
  readonly sql: string;
  readonly paramOids: readonly number[];
}

interface Portal {
  readonly statement: PreparedStatement;
  readonly params: readonly Value[];
  readonly resultFormats: readonly number[];
  /** Materialized on first Describe or Execute; `null` = not run yet. */
  result: QueryResult | "empty" | null;
  /** Rows already sent. */
  sent: number;
}

/** Thrown to end the connection after a FATAL error was sent. */
class Fatal extends Error {}

/** One client connection. */
export class PgConnection {
  /**
   * BackendKeyData's process id: a number of the server's until login, then the session's
   * `activity.pid` (what `pg_backend_pid()` and `pg_stat_activity` show).
   */
  pid: number;
  /** BackendKeyData's secret key. */
  readonly secretKey: number;
  /** The client's address and port, as the socket reports them. */
  readonly client: { readonly address: string; readonly port: number };
  readonly #host: ConnectionHost;
  #socket: Socket;
  #tls = false;
  readonly #reader: MessageReader;
  readonly #out = new MessageWriter();
  #session: Session | null = null;
  /** The running query's controller, while one runs. */
  #running: AbortController | null = null;
  /** The controller the next query runs under: one serves every query until one is aborted. */
  #controller = new AbortController();
  #waiting = false;
  #stopRequested = false;
  #ended = false;
  #copyInOpen = false;
  readonly #statements = new Map<string, PreparedStatement>();
  /** The last RowDescription sent, for the columns and formats it describes. */
  #lastRowDescription: {
    readonly columns: readonly unknown[];
    readonly formats: readonly number[];
    readonly bytes: Uint8Array;
  } | null = null;
  /** The session settings' version when ParameterStatus last reported them (-1: never). */
  #reportedVersion = -1;
  /** Named portals; the unnamed one (rebound by every extended-protocol query) is apart. */
  readonly #portals = new Map<string, Portal>();
  #unnamedPortal: Portal | null = null;
  /** ParameterStatus values the client has been told. */
  readonly #reported = new Map<string, string>();
  readonly #onData = (chunk: Uint8Array) => this.#reader.push(chunk);
  readonly #onEnd = () => this.#reader.end();

  /** What `pg_stat_activity` shows of this connection once logged in (the engine keeps it). */
  get activity(): SessionActivity | null {
    return this.#session?.activity ?? null;
  }

  /** Wraps an accepted socket; {@link run} serves it. */
  constructor(host: ConnectionHost, socket: Socket, pid: number) {
    this.#host = host;
    this.#socket = socket;
    this.pid = pid;
    this.secretKey = crypto.getRandomValues(new Int32Array(1))[0]!;
    this.client = { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
    this.#reader = new MessageReader({
      messageBytesMax: pgAuthMessageBytesMax,
      pauseBytes: pgInputPauseBytes,
      onPause: () => this.#socket.pause(),
      onResume: () => this.#socket.resume(),
    });
    this.#attach(socket);
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onEnd);
  }

  #detach(): void {
    this.#socket.off("data", this.#onData);
    this.#socket.off("end", this.#onEnd);
    this.#socket.off("close", this.#onEnd);
    this.#socket.off("error", this.#onEnd);
  }

  /** Whether the connection is inside a query (not waiting for the client). */
  get busy(): boolean {
    return !this.#waiting;
  }

  /** Cancels the running query (57014), if one runs. */
  cancelQuery(): void {
    this.#running?.abort();
  }

  /**
   * Ends the connection for a shutdown: at once when idle, else after the running query (with
   * `force`, the query is cancelled and the socket closed now).
   */
  stop(force: boolean): void {
    this.#stopRequested = true;
    if (force) {
      this.#running?.abort();
      this.#socket.destroy();
      return;
    }
    if (this.#waiting) {
      this.#terminate("57P01", "terminating connection due to administrator command");
    }
  }

  /** Sends a FATAL error and closes the socket. */
  #terminate(code: string, message: string): void {
    if (this.#ended) return;
    this.#writeError(new DbError(code, message), "FATAL");
    this.#flushNow();
    this.#socket.end();
    this.#socket.destroySoon?.();
  }

  /** Serves the connection until it ends; never throws. */
  async run(): Promise<void> {
    const startupTimer = setTimeout(() => {
      if (this.#session === null) {
        this.#terminate("08006", "canceling authentication due to timeout");
      }
    }, this.#host.startupTimeoutMs);
    try {
      const started = await this.#startup();
      clearTimeout(startupTimer);
      if (started) await this.#serve();
    } catch (e) {
      if (!(e instanceof Fatal)) {
        const err = toDbError(e);
        if (err.code === SqlState.internalError) {
          this.#host.log("error", "pg_internal_error", { pid: this.pid, error: e });
        }
        try {
          this.#writeError(err, "FATAL");
          this.#flushNow();
        } catch {
          // the socket is gone
        }
      }
    } finally {
      clearTimeout(startupTimer);
      this.#ended = true;
      this.#running?.abort();
      this.#socket.end();
      this.#socket.destroy();
      try {
        await this.#session?.close();
      } catch {
        // closing rolls back; nothing else to do
      }
      this.#host.closed(this);
    }
  }

  /** Startup packets until a real one; `false` when the connection ends (cancel, EOF). */
  async #startup(): Promise<boolean> {
    let body: MessageBody | null;
    for (;;) {
      body = await this.#reader.startup(pgStartupBytesMax);
      if (body === null) return false;
      const code = body.int32();
      if (code === sslRequestCode) {
        if (this.#reader.buffered > 0) {
          throw new ProtocolError("received unencrypted data after SSL request");
        }
        if (this.#host.tls === null || this.#tls) {
          this.#socket.write(new Uint8Array([ch("N")]));
          continue;
        }
        this.#socket.write(new Uint8Array([ch("S")]));
        this.#detach();
        this.#socket.pause();
        const secure = new TLSSocket(this.#socket, {
          isServer: true,
          key: this.#host.tls.key,
          cert: this.#host.tls.cert,
        });
        this.#tls = true;
        this.#attach(secure);
        continue;
      }
      if (code === gssEncRequestCode) {
        this.#socket.write(new Uint8Array([ch("N")]));
        continue;
      }
      if (code === cancelRequestCode) {
        const pid = body.int32();
        const secret = body.int32();
        this.#host.cancel(pid, secret);
        return false;
      }
      if (code >> 16 !== protocolVersion3) {
        throw new DbError(
          SqlState.featureNotSupported,
          `unsupported frontend protocol ${code >> 16}.${
            code & 0xffff
          }: server supports 3.0 to 3.0`,
        );
      }
      break;
    }
    const params = new Map<string, string>();
    for (;;) {
      const key = body.cstring();
      if (key === "") break;
      params.set(key, body.cstring());
    }
    if (params.has("replication") && params.get("replication") !== "false") {
      throw new DbError(SqlState.featureNotSupported, "replication connections are not supported");
    }
    const user = params.get("user") || pgDefaultUser;
    const database = params.get("database") || user;
    const refused = this.#host.admit(this);
    if (refused !== null) throw refused;
    if (!(await this.#authenticate(user))) return false;
    if (database !== pgDatabaseName) {
      throw new DbError("3D000", `database "${database}" does not exist`);
    }
    const session = this.#host.db.session();
    this.#session = session;
    // pg_stat_activity shows who and where; the engine keeps state, query and times
    session.activity.user = user;
    session.activity.clientAddress = this.client.address || null;
    session.activity.clientPort = this.client.port || null;
    this.pid = session.activity.pid;
    this.#applyStartupSettings(session, params);
    this.#out.begin(B.auth).int32(0).end();
    const statuses: [string, string][] = [
      ["server_version", session.settings.get("server_version")],
      ["server_encoding", "UTF8"],
      ["client_encoding", session.settings.get("client_encoding")],
      ["DateStyle", session.settings.get("datestyle")],
      ["TimeZone", session.settings.get("timezone")],
      ["IntervalStyle", session.settings.get("intervalstyle")],
      ["integer_datetimes", "on"],
      ["standard_conforming_strings", "on"],
      ["application_name", session.settings.get("application_name")],
      ["is_superuser", "on"],
      ["session_authorization", user],
    ];
    for (const [k, v] of statuses) this.#parameterStatus(k, v);
    this.#out.begin(B.backendKeyData).int32(this.pid).int32(this.secretKey).end();
    this.#reader.messageBytesMax = pgMessageBytesMax;
    return true;
  }

  /** Applies the startup packet's settings (`options=-c k=v` included); unknown ones are ignored. */
  #applyStartupSettings(session: Session, params: ReadonlyMap<string, string>): void {
    const settings: [string, string][] = [];
    for (const [k, v] of params) {
      if (k === "user" || k === "database" || k === "replication") continue;
      if (k === "options") {
        for (const m of v.matchAll(/(?:-c\s*|--)([A-Za-z_.]+)=((?:\\.|\S)*)/g)) {
          settings.push([m[1]!.replaceAll("-", "_"), m[2]!.replaceAll(/\\(.)/g, "$1")]);
        }
        continue;
      }
      settings.push([k, v]);
    }
    for (const [k, v] of settings) {
      try {
        session.settings.set(k.toLowerCase(), v);
      } catch (e) {
        const err = toDbError(e);
        // an unknown parameter is ignored (drivers send extras); a bad value refuses the login
        if (err.code !== "42704" && err.code !== "55P02") throw err;
      }
    }
  }

  async #authenticate(user: string): Promise<boolean> {
    const auth = this.#host.auth;
    const address = this.client.address.replace(/^::ffff:/, "");
    if (!auth.required || (auth.trustLoopback && isLoopbackHost(address))) return true;
    const failed = () =>
      new DbError(SqlState.invalidPassword, `password authentication failed for user "${user}"`);
    if (auth.method === "password" && this.#tls) {
      this.#out.begin(B.auth).int32(3).end();
      this.#flushNow();
      const m = await this.#reader.next();
      if (m === null) return false;
      if (m.type !== F.password) throw new ProtocolError("expected password response");
      const password = m.body.cstring();
      const principal = await auth.plugin?.authenticate(
        { protocol: "pg", user, secret: password, method: "password", remoteAddress: address },
        { directory: auth.directory, nowMs: performance.now() },
      );
      if (principal == null) throw failed();
      return true;
    }
    this.#out.begin(B.auth).int32(10).cstring(scramMechanism).int8(0).end();
    this.#flushNow();
    const exchange = new ScramExchange(
      auth.directory.user(user)?.verifier ?? null,
      user,
      this.#host.secret,
    );
    const first = await this.#reader.next();
    if (first === null) return false;
    if (first.type !== F.password) throw new ProtocolError("expected SASL response");
    const mechanism = first.body.cstring();
    if (mechanism !== scramMechanism) {
      throw new ProtocolError("client selected an invalid SASL authentication mechanism");
    }
    const length = first.body.int32();
    const clientFirst = utf8(first.body.take(length < 0 ? 0 : length));
    const serverFirst = await exchange.serverFirst(clientFirst);
    if (serverFirst === null) throw new ProtocolError("malformed SCRAM message");
    this.#out.begin(B.auth).int32(11).text(serverFirst).end();
    this.#flushNow();
    const final = await this.#reader.next();
    if (final === null) return false;
    if (final.type !== F.password) throw new ProtocolError("expected SASL response");
    const serverFinal = await exchange.serverFinal(utf8(final.body.take(final.body.remaining)));
    if (serverFinal === null) throw failed();
    this.#out.begin(B.auth).int32(12).text(serverFinal).end();
    return true;
  }

  #parameterStatus(name: string, value: string): void {
    this.#reported.set(name, value);
    this.#out.begin(B.parameterStatus).cstring(name).cstring(value).end();
  }

  /** ParameterStatus for reported settings that a statement changed (SET TimeZone ...). */
  #reportChanges(session: Session): void {
    const version = session.settings.version;
    if (version === this.#reportedVersion) return;
    this.#reportedVersion = version;
    for (const [name, key] of reportedSettings) {
      const v = session.settings.get(key);
      if (this.#reported.get(name) !== v) this.#parameterStatus(name, v);
    }
  }

  async #serve(): Promise<void> {
    const session = this.#session!;
    this.#readyForQuery(session);
    this.#flushNow();
    let skipToSync = false;
    for (;;) {
      if (this.#stopRequested) {
        this.#terminate("57P01", "terminating connection due to administrator command");
        return;
      }
      let message: FrontendMessage | null;
      const next = this.#nextIdle(session);
      if (next instanceof Promise) {
        // a message already here is handled at once: no promise, no turn of the event loop
        this.#waiting = true;
        try {
          message = await next;
        } finally {
          this.#waiting = false;
        }
      } else message = next;
      if (message === null) return;
      if (skipToSync && message.type !== F.sync) continue;
      try {
        // handlers that finish synchronously (a cached query on the synchronous executor, a
        // flush into a socket with room) return nothing to wait for
        let pending: Promise<void> | void = undefined;
        switch (message.type) {
          case F.query:
            pending = this.#simpleQuery(session, message.body.cstring());
            break;
          case F.parse:
            this.#parse(message.body);
            break;
          case F.bind:
            this.#bind(message.body);
            break;
          case F.describe:
            pending = this.#describe(session, message.body);
            break;
          case F.execute:
            pending = this.#execute(session, message.body);
            break;
          case F.sync:
            skipToSync = false;
            if (session.transactionStatus === "idle") this.#clearPortals();
            this.#reportChanges(session);
            this.#readyForQuery(session);
            pending = this.#flush();
            break;
          case F.flush:
            pending = this.#flush();
            break;
          case F.close:
            this.#close(message.body);
            break;
          case F.terminate:
            return;
          case F.copyData:
          case F.copyDone:
          case F.copyFail:
            break; // outside COPY: ignored, as in PostgreSQL
          default:
            throw new ProtocolError(
              `invalid frontend message type ${message.type}`,
            );
        }
        if (pending !== undefined) await pending;
      } catch (e) {
        if (e instanceof ProtocolError || e instanceof Fatal) throw e;
        this.#reportError(session, e);
        skipToSync = true;
      }
      if (this.#out.length >= pgOutputFlushBytes) await this.#flush();
    }
  }

  /**
   * The next message, arming the idle-session timeout while the session waits outside a block.
   * Without a timeout to arm, the reader's answer (a message already here, or its promise) is
   * handed on as it is.
   */
  #nextIdle(session: Session): FrontendMessage | null | Promise<FrontendMessage | null> {
    const idleMs = this.#host.idleSessionTimeoutMs;
    if (
      this.#reader.buffered === 0 && idleMs > 0 && session.transactionStatus === "idle"
    ) return this.#nextIdleTimed(idleMs);
    return this.#reader.next();
  }

  async #nextIdleTimed(idleMs: number): Promise<FrontendMessage | null> {
    const timer = setTimeout(
      () => this.#terminate("57P05", "terminating connection due to idle-session timeout"),
      idleMs,
    );
    try {
      return await this.#reader.next();
    } finally {
      clearTimeout(timer);
    }
  }

  #readyForQuery(session: Session): void {
    this.#out.begin(B.readyForQuery).int8(ch(readyStatusOf(session.transactionStatus))).end();
  }

  async #run(
    session: Session,
    sql: string,
    params: readonly Value[],
    onResult?: (r: QueryResult) => void,
  ): Promise<QueryResult[]> {
    this.#signal();
    const controller = this.#controller;
    this.#running = controller;
    try {
      return await session.queryAll(sql, params, {
        signal: controller.signal,
        copy: this.#copyClient,
        ...(onResult === undefined ? {} : { onResult }),
      });
    } finally {
      this.#running = null;
      if (this.#copyInOpen) await this.#drainCopyIn();
    }
  }

  /**
   * A simple Query message: each statement's result, then ReadyForQuery. A cached query runs
   * synchronously when the engine can (see `Session.querySync`).
   */
  #simpleQuery(session: Session, sql: string): Promise<void> | void {
    const results = this.#copyInOpen
      ? null
      : session.querySync(sql, [], { signal: this.#signal() });
    if (results === null) return this.#simpleQueryAsync(session, sql);
    const zone = session.settings.timeZone();
    for (const r of results) this.#writeResult(r, [], 0, r.rows.length, zone, true);
    this.#reportChanges(session);
    this.#readyForQuery(session);
    return this.#flush();
  }

  /** The signal a statement runs under now: CancelRequest aborts it. */
  #signal(): AbortSignal {
    if (this.#controller.signal.aborted) this.#controller = new AbortController();
    return this.#controller.signal;
  }

  async #simpleQueryAsync(session: Session, sql: string): Promise<void> {
    let count = 0;
    const zone = session.settings.timeZone();
    try {
      await this.#run(session, sql, [], (r) => {
        count++;
        this.#writeResult(r, [], 0, r.rows.length, zone, true);
      });
      if (count === 0) this.#out.begin(B.emptyQuery).end();
    } catch (e) {
      this.#reportError(session, e);
    }
    this.#reportChanges(session);
    this.#readyForQuery(session);
    await this.#flush();
  }

  /** RowDescription (when it returns rows and `describe`), DataRows, CommandComplete. */
  #writeResult(
    r: QueryResult,
    formats: readonly number[],
    from: number,
    to: number,
    zone: TimeZone,
    describe: boolean,
  ): void {
    if (describe && r.columns.length > 0) this.#rowDescription(r.columns, formats);
    this.#dataRows(r, formats, from, to, zone);
    this.#out.begin(B.commandComplete).cstring(
      from === 0 && to === r.rows.length ? r.command : commandOfPart(r.command, to - from),
    ).end();
  }

  #rowDescription(
    columns: readonly { readonly name: string; readonly type: DataType }[],
    formats: readonly number[],
  ): void {
    // a cached plan's result has the same columns array every run: its RowDescription repeats
    const last = this.#lastRowDescription;
    if (last !== null && last.columns === columns && sameFormats(last.formats, formats)) {
      this.#out.bytes(last.bytes);
      return;
    }
    const at = this.#out.offset;
    const w = this.#out.begin(B.rowDescription).int16(columns.length);
    columns.forEach((c, i) => {
      w.cstring(c.name).int32(0).int16(0).int32(wireOid(c.type)).int16(typeSize(c.type))
        .int32(-1).int16(formatOf(formats, i));
    });
    w.end();
    this.#lastRowDescription = { columns, formats, bytes: this.#out.copySince(at) };
  }

  #dataRows(
    r: QueryResult,
    formats: readonly number[],
    from: number,
    to: number,
    zone: TimeZone,
  ): void {
    const w = this.#out;
    const columns = r.columns;
    const n = columns.length;
    const binary = columns.map((_, i) => formatOf(formats, i) === 1);
    for (let i = from; i < to; i++) {
      const row = r.rows[i]!;
      w.begin(B.dataRow).int16(n);
      for (let c = 0; c < n; c++) {
        const v = row[c] ?? null;
        if (v === null) w.int32(-1);
        else if (binary[c]) writeBinary(w, columns[c]!.type, v);
        else writeText(w, columns[c]!.type, v, zone);
      }
      w.end();
      if (w.length >= pgOutputFlushBytes) this.#flushNow();
    }
  }

  #parse(body: MessageBody): void {
    const name = body.cstring();
    const sql = body.cstring();
    const count = body.int16();
    const paramOids: number[] = [];
    for (let i = 0; i < count; i++) paramOids.push(body.int32());
    body.done();
    if (name !== "" && this.#statements.has(name)) {
      throw new DbError("42P05", `prepared statement "${name}" already exists`);
    }
    if (this.#statements.size >= pgPreparedStatementsMax && !this.#statements.has(name)) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `too many prepared statements (at most ${pgPreparedStatementsMax} per connection)`,
      );
    }
    const parser = this.#host.db.registry.parser();
    const statements = parser?.parse(sql, { limits: this.#host.db.limits }) ?? [];
    if (statements.length > 1) {
      throw new DbError("42601", "cannot insert multiple commands into a prepared statement");
    }
    this.#statements.set(name, { sql, paramOids });
    this.#out.begin(B.parseComplete).end();
  }

  #bind(body: MessageBody): void {
    const portalName = body.cstring();
    const statementName = body.cstring();
    const formatCount = body.int16();
    const formats: number[] = [];
    for (let i = 0; i < formatCount; i++) formats.push(body.int16());
    const paramCount = body.int16();
    const raw: (Uint8Array | null)[] = [];
    for (let i = 0; i < paramCount; i++) {
      const len = body.int32();
      raw.push(len === -1 ? null : body.take(len));
    }
    const resultCount = body.int16();
    const resultFormats: number[] = [];
    for (let i = 0; i < resultCount; i++) resultFormats.push(body.int16());
    body.done();
    const statement = this.#statements.get(statementName);
    if (statement === undefined) {
      throw new DbError("26000", `prepared statement "${statementName}" does not exist`);
    }
    if (formatCount > 1 && formatCount !== paramCount) {
      throw new ProtocolError(
        `bind message has ${formatCount} parameter formats but ${paramCount} parameters`,
      );
    }
    if (portalName !== "" && this.#portals.has(portalName)) {
      throw new DbError("42P03", `portal "${portalName}" already exists`);
    }
    if (portalName !== "" && this.#portals.size >= pgPortalsMax) {
      throw new DbError(
        SqlState.programLimitExceeded,
        `too many portals (at most ${pgPortalsMax} per connection)`,
      );
    }
    const params = raw.map((bytes, i) =>
      bytes === null ? null : decodeParam(statement.paramOids[i] ?? 0, formatOf(formats, i), bytes)
    );
    for (const f of resultFormats) {
      if (f !== 0 && f !== 1) throw new ProtocolError(`unsupported format code: ${f}`);
    }
    const portal: Portal = { statement, params, resultFormats, result: null, sent: 0 };
    if (portalName === "") this.#unnamedPortal = portal;
    else this.#portals.set(portalName, portal);
    this.#out.begin(B.bindComplete).end();
  }

  #describe(session: Session, body: MessageBody): Promise<void> | void {
    const kind = String.fromCharCode(body.byte());
    const name = body.cstring();
    body.done();
    if (kind === "S") {
      const statement = this.#statements.get(name);
      if (statement === undefined) {
        throw new DbError("26000", `prepared statement "${name}" does not exist`);
      }
      return this.#describeStatement(session, statement);
    }
    if (kind !== "P") throw new ProtocolError(`invalid DESCRIBE message subtype ${kind}`);
    const portal = this.#portal(name);
    if (portal === undefined) throw new DbError("34000", `portal "${name}" does not exist`);
    const describe = (result: QueryResult | "empty") => {
      if (result === "empty" || result.columns.length === 0) this.#out.begin(B.noData).end();
      else this.#rowDescription(result.columns, portal.resultFormats);
    };
    const result = this.#portalResult(session, portal);
    if (result instanceof Promise) return result.then(describe);
    describe(result);
  }

  async #describeStatement(session: Session, statement: PreparedStatement): Promise<void> {
    const d = await session.describe(statement.sql, statement.paramOids.map(dataTypeOfOid));
    const w = this.#out.begin(B.parameterDescription).int16(d.params.length);
    d.params.forEach((t, i) => w.int32(statement.paramOids[i] || wireOid(t)));
    w.end();
    if (d.columns === null || d.columns.length === 0) this.#out.begin(B.noData).end();
    else this.#rowDescription(d.columns, []);
  }

  /** The portal's result: run on first use (synchronously when the engine can), then kept. */
  #portalResult(
    session: Session,
    portal: Portal,
  ): QueryResult | "empty" | Promise<QueryResult | "empty"> {
    if (portal.result !== null) return portal.result;
    const { sql } = portal.statement;
    const results = this.#copyInOpen
      ? null
      : session.querySync(sql, portal.params, { signal: this.#signal() });
    if (results !== null) return portal.result = results[0] ?? "empty";
    return this.#run(session, sql, portal.params).then((r) => portal.result = r[0] ?? "empty");
  }

  #execute(session: Session, body: MessageBody): Promise<void> | void {
    const name = body.cstring();
    const maxRows = body.int32();
    body.done();
    const portal = this.#portal(name);
    if (portal === undefined) throw new DbError("34000", `portal "${name}" does not exist`);
    const send = (result: QueryResult | "empty") => {
      if (result === "empty") {
        this.#out.begin(B.emptyQuery).end();
        return;
      }
      const from = portal.sent;
      const to = maxRows > 0 ? Math.min(result.rows.length, from + maxRows) : result.rows.length;
      portal.sent = to;
      const zone = session.settings.timeZone();
      if (to < result.rows.length) {
        this.#dataRows(result, portal.resultFormats, from, to, zone);
        this.#out.begin(B.portalSuspended).end();
        return;
      }
      this.#writeResult(result, portal.resultFormats, from, to, zone, false);
    };
    const result = this.#portalResult(session, portal);
    if (result instanceof Promise) return result.then(send);
    send(result);
  }

  #close(body: MessageBody): void {
    const kind = String.fromCharCode(body.byte());
    const name = body.cstring();
    body.done();
    if (kind === "S") this.#statements.delete(name);
    else if (kind === "P") {
      if (name === "") this.#unnamedPortal = null;
      else this.#portals.delete(name);
    } else throw new ProtocolError(`invalid CLOSE message subtype ${kind}`);
    this.#out.begin(B.closeComplete).end();
  }

  #portal(name: string): Portal | undefined {
    return name === "" ? this.#unnamedPortal ?? undefined : this.#portals.get(name);
  }

  /** Drops every portal (the transaction ended). */
  #clearPortals(): void {
    this.#unnamedPortal = null;
    if (this.#portals.size > 0) this.#portals.clear();
  }

  /** COPY FROM STDIN / TO STDOUT through this connection. */
  readonly #copyClient: CopyClient = {
    copyIn: (transfer: CopyTransfer): Promise<ReadFile> => {
      const w = this.#out.begin(B.copyInResponse).int8(0).int16(transfer.columns);
      for (let i = 0; i < transfer.columns; i++) w.int16(0);
      w.end();
      this.#flushNow();
      this.#copyInOpen = true;
      let pending: Uint8Array | null = null;
      const read = async (buffer: Uint8Array): Promise<number | null> => {
        while (pending === null || pending.length === 0) {
          if (!this.#copyInOpen) return null;
          const m = await this.#reader.next();
          if (m === null) {
            this.#copyInOpen = false;
            throw new DbError(
              "08006",
              "unexpected EOF on client connection with an open transaction",
            );
          }
          if (m.type === F.copyData) pending = m.body.take(m.body.remaining);
          else if (m.type === F.copyDone) {
            this.#copyInOpen = false;
            return null;
          } else if (m.type === F.copyFail) {
            this.#copyInOpen = false;
            throw new DbError(
              SqlState.queryCanceled,
              `COPY from stdin failed: ${m.body.cstring()}`,
            );
          } else if (m.type !== F.flush && m.type !== F.sync) {
            this.#copyInOpen = false;
            throw new ProtocolError(
              `unexpected message type 0x${m.type.toString(16)} during COPY from stdin`,
            );
          }
        }
        const n = Math.min(buffer.length, pending.length);
        buffer.set(pending.subarray(0, n));
        pending = pending.subarray(n);
        return n;
      };
      return Promise.resolve({ read, close: () => {} });
    },
    copyOut: (transfer: CopyTransfer): Promise<AppendFile> => {
      const w = this.#out.begin(B.copyOutResponse).int8(0).int16(transfer.columns);
      for (let i = 0; i < transfer.columns; i++) w.int16(0);
      w.end();
      return Promise.resolve({
        write: async (data: Uint8Array) => {
          this.#out.begin(B.copyData).bytes(data).end();
          if (this.#out.length >= pgOutputFlushBytes) await this.#flush();
        },
        sync: () => Promise.resolve(),
        close: () => {
          this.#out.begin(B.copyDone).end();
        },
      });
    },
  };

  /** After a failed COPY FROM STDIN: discards the client's data up to CopyDone or CopyFail. */
  async #drainCopyIn(): Promise<void> {
    while (this.#copyInOpen) {
      const m = await this.#reader.next();
      if (m === null || m.type === F.copyDone || m.type === F.copyFail) this.#copyInOpen = false;
    }
  }

  /**
   * Writes a statement's error. A session that a timeout ended (25P03, 25P04) ends its
   * connection, as in PostgreSQL: FATAL, then {@link Fatal} is thrown.
   */
  #reportError(session: Session, e: unknown): void {
    const err = toDbError(e);
    if (err.code === SqlState.internalError) {
      this.#host.log("error", "pg_internal_error", { pid: this.pid, error: e });
    }
    this.#writeError(err, session.closed ? "FATAL" : "ERROR");
    if (session.closed) {
      this.#flushNow();
      throw new Fatal();
    }
  }

  #writeError(e: DbError, severity: "ERROR" | "FATAL"): void {
    const w = this.#out.begin(B.error);
    w.int8(ch("S")).cstring(severity).int8(ch("V")).cstring(severity);
    w.int8(ch("C")).cstring(e.code).int8(ch("M")).cstring(e.message);
    if (e.detail !== undefined) w.int8(ch("D")).cstring(e.detail);
    if (e.hint !== undefined) w.int8(ch("H")).cstring(e.hint);
    if (e.position !== undefined) w.int8(ch("P")).cstring(String(e.position));
    if (e.context !== undefined) w.int8(ch("W")).cstring(e.context);
    w.int8(0).end();
  }

  /** Writes what is collected; returns a promise to wait on only when the socket's buffer is full. */
  #flush(): Promise<void> | void {
    if (this.#out.length === 0) return;
    const full = !this.#socket.write(this.#out.take());
    this.#host.responded();
    if (!full || this.#socket.destroyed) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
  }

  #flushNow(): void {
    if (this.#out.length === 0 || this.#socket.destroyed) {
      this.#out.take();
      return;
    }
    this.#socket.write(this.#out.take());
  }
}

/** The settings reported with ParameterStatus when they change: wire name, setting name. */
const reportedSettings: readonly [string, string][] = [
  ["application_name", "application_name"],
  ["client_encoding", "client_encoding"],
  ["DateStyle", "datestyle"],
  ["TimeZone", "timezone"],
  ["IntervalStyle", "intervalstyle"],
];

function sameFormats(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function formatOf(formats: readonly number[], i: number): number {
  return formats.length === 0 ? 0 : formats.length === 1 ? formats[0]! : formats[i] ?? 0;
}

/** The command tag of part of a result (Execute with a row limit): `SELECT <rows sent>`. */
function commandOfPart(command: string, rows: number): string {
  return command.startsWith("SELECT") ? `SELECT ${rows}` : command;
}
