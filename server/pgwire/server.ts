/**
 * The PostgreSQL protocol listener: accepts TCP connections (`node:net`, so that an SSLRequest
 * can upgrade the socket to TLS in place), admits up to a maximum (53300 beyond it), routes
 * CancelRequests to the connection they name, and drains connections on shutdown.
 *
 * @example
 * ```ts
 * import { Database } from "../../mod.ts";
 * import { PgServer } from "./server.ts";
 * const db = await Database.open({ memory: true });
 * const server = await PgServer.listen({ db, host: "127.0.0.1", port: 0 });
 * console.assert(server.port > 0 && server.connectionCount === 0);
 * await server.close();
 * await db.close();
 * ```
 *
 * @module
 */
import { createServer, type Server, type Socket } from "node:net";
import type { Database } from "../../core/engine/database.ts";
import { DbError } from "../../core/errors.ts";
import { timingSafeEqual } from "../../core/catalog/scram.ts";
import { type ConnectionHost, type PgAuthPolicy, PgConnection } from "./connection.ts";
import { BusyPoll } from "./busy_poll.ts";
import type { SessionActivity } from "../../core/engine/session.ts";
import {
  pgBusyPollMicrosDefault,
  pgConnectionsMaxDefault,
  pgIdleSessionTimeoutMsDefault,
  pgStartupTimeoutMsDefault,
} from "./limits.ts";

/** Counters a server reports (the `/metrics` route reads them). */
export interface PgServerStats {
  /** Connections open now (admitted or still starting). */
  readonly connections: number;
  /** Connections accepted since start. */
  readonly accepted: number;
  /** Connections refused with 53300 (too many clients). */
  readonly refused: number;
  /** Event-loop turns spent polling for the next request after a response (busy_poll.ts). */
  readonly busyPollTurns: number;
}

/** Options of {@link PgServer.listen}. */
export interface PgServerOptions {
  readonly db: Database;
  /** Interface to bind. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Connections admitted at once; more get 53300 (default {@link pgConnectionsMaxDefault}). */
  readonly maxConnections?: number;
  /** Idle time outside a transaction before a session is closed, in ms (0 = never). */
  readonly idleSessionTimeoutMs?: number;
  /** Time a client has to finish startup and authentication, in ms. */
  readonly startupTimeoutMs?: number;
  /**
   * How long the event loop keeps polling for the next request after a response, in µs
   * (default {@link pgBusyPollMicrosDefault}; 0 = never; see busy_poll.ts).
   */
  readonly busyPollMicros?: number;
  /** Certificate and key (PEM) for TLS; without them SSLRequest is answered `N`. */
  readonly tls?: { readonly key: string; readonly cert: string };
  /** How clients authenticate; by default every connection is trusted. */
  readonly auth?: PgAuthPolicy;
  /** Structured log. */
  readonly log?: (
    level: "info" | "warn" | "error",
    event: string,
    fields: Record<string, unknown>,
  ) => void;
}

/** A listening PostgreSQL protocol server. */
export class PgServer {
  readonly #server: Server;
  readonly #connections = new Map<number, PgConnection>();
  /** Sockets accepted and not closed yet (connections not admitted included). */
  readonly #sockets = new Set<Socket>();
  readonly #host: ConnectionHost;
  readonly #maxConnections: number;
  #admitted = 0;
  #accepted = 0;
  #refused = 0;
  #nextPid: number;
  #stopping = false;
  readonly #poll: BusyPoll;
  #idle: (() => void) | null = null;

  private constructor(server: Server, options: PgServerOptions) {
    this.#server = server;
    this.#maxConnections = options.maxConnections ?? pgConnectionsMaxDefault;
    this.#nextPid = 1000 + Math.floor(Math.random() * 1000);
    const log = options.log ?? (() => {});
    this.#poll = new BusyPoll(options.busyPollMicros ?? pgBusyPollMicrosDefault);
    const poll = this.#poll;
    const admitted = new Set<PgConnection>();
    this.#host = {
      db: options.db,
      auth: options.auth ?? {
        required: false,
        trustLoopback: true,
        method: "scram-sha-256",
        plugin: null,
        directory: { user: () => null, token: () => null },
      },
      tls: options.tls ?? null,
      secret: crypto.getRandomValues(new Uint8Array(32)),
      idleSessionTimeoutMs: options.idleSessionTimeoutMs ?? pgIdleSessionTimeoutMsDefault,
      startupTimeoutMs: options.startupTimeoutMs ?? pgStartupTimeoutMsDefault,
      responded: () => poll.poke(),
      admit: (conn) => {
        if (this.#stopping) return new DbError("57P03", "the database system is shutting down");
        if (this.#admitted >= this.#maxConnections) {
          this.#refused++;
          return new DbError("53300", "sorry, too many clients already");
        }
        this.#admitted++;
        admitted.add(conn);
        return null;
      },
      cancel: (pid, secret) => {
        // a connection takes its session's pid once logged in (pg_backend_pid() agrees)
        let conn: PgConnection | undefined;
        for (const c of this.#connections.values()) if (c.pid === pid) conn = c;
        if (conn === undefined) return;
        const a = new Uint8Array(new Int32Array([conn.secretKey]).buffer);
        const b = new Uint8Array(new Int32Array([secret]).buffer);
        if (timingSafeEqual(a, b)) conn.cancelQuery();
      },
      closed: (conn) => {
        for (const [k, c] of this.#connections) if (c === conn) this.#connections.delete(k);
        if (admitted.delete(conn)) this.#admitted--;
      },
      log,
    };
  }

  /** Starts listening. */
  static listen(options: PgServerOptions): Promise<PgServer> {
    const net = createServer({ noDelay: true });
    const server = new PgServer(net, options);
    net.on("connection", (socket: Socket) => server.#accept(socket));
    return new Promise((resolve, reject) => {
      net.once("error", reject);
      net.listen(options.port, options.host, () => {
        net.off("error", reject);
        net.on("error", (e) => options.log?.("error", "pg_listener_error", { error: e }));
        resolve(server);
      });
    });
  }

  #accept(socket: Socket): void {
    this.#accepted++;
    if (this.#stopping) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.#sockets.add(socket);
    const pid = this.#nextPid++;
    const conn = new PgConnection(this.#host, socket, pid);
    this.#connections.set(pid, conn);
    void conn.run().finally(() => {
      this.#sockets.delete(socket);
      this.#connections.delete(pid);
      if (this.#sockets.size === 0) this.#idle?.();
    });
  }

  /** The port it listens on. */
  get port(): number {
    const a = this.#server.address();
    return typeof a === "object" && a !== null ? a.port : 0;
  }

  /** Open connections (sockets not closed yet). */
  get connectionCount(): number {
    return this.#sockets.size;
  }

  /** Counters for monitoring. */
  stats(): PgServerStats {
    return {
      connections: this.#sockets.size,
      accepted: this.#accepted,
      refused: this.#refused,
      busyPollTurns: this.#poll.turns,
    };
  }

  /** Each logged-in connection's session activity, as `pg_stat_activity` shows it. */
  activity(): SessionActivity[] {
    return [...this.#connections.values()].flatMap((c) =>
      c.activity === null ? [] : [{ ...c.activity }]
    );
  }

  /**
   * Stops accepting, ends idle connections at once (57P01) and busy ones after their running
   * query; after `graceMs` the rest are cancelled and closed. Resolves once all are closed.
   */
  async close(options: { readonly graceMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    this.#poll.stop();
    const listenerClosed = new Promise<void>((r) => this.#server.close(() => r()));
    for (const conn of this.#connections.values()) conn.stop(false);
    const drained = this.#sockets.size === 0
      ? Promise.resolve(true)
      : new Promise<boolean>((r) => (this.#idle = () => r(true)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const inTime = await Promise.race([
      drained,
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), options.graceMs ?? 5_000))),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      for (const conn of this.#connections.values()) conn.stop(true);
      for (const s of this.#sockets) s.destroy();
      await drained;
    }
    await listenerClosed;
    this.#poll.stop();
  }
}
