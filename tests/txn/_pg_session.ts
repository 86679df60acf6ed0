/**
 * {@link SqlSession}s over the PostgreSQL wire protocol (the `pg` driver, simple Query protocol),
 * so that the Hermitage replayer drives a real PostgreSQL (or, later, OmenDB's server) the same
 * way it drives embedded sessions. Values come back as PostgreSQL's text output.
 *
 * @module
 */
import pg from "pg";
import type { SqlResult, SqlSession } from "./hermitage.ts";

/** Where to connect. */
export interface PgTarget {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly database?: string;
}

// The parts of the untyped `pg` package used here.
interface PgRawResult {
  command: string | null;
  rows: unknown[][];
  rowCount: number | null;
}
interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(config: {
    text: string;
    rowMode: "array";
    types: { getTypeParser: () => (value: string) => string };
  }): Promise<PgRawResult | PgRawResult[]>;
  on(event: "error", listener: (e: unknown) => void): void;
  /** ReadyForQuery's status of the last answer: I, T or E (internal to pg, stable since 8.x). */
  _txStatus?: string | null;
  /** Whether the last ReadyForQuery has been handled (pg rejects a query at ErrorResponse). */
  readyForQuery?: boolean;
}
type PgClientCtor = new (config: Record<string, unknown>) => PgClient;
const Client = (pg as unknown as { Client: PgClientCtor }).Client;
const rawText = { getTypeParser: () => (value: string) => value };
/** How many 1 ms polls wait for the ReadyForQuery after an error, at most. */
const readyPollsMax = 1000;

/** A session over one pg connection; it also reports the transaction status. */
export interface PgSession extends SqlSession {
  /** Runs `sql`; the last statement's result. */
  query(sql: string): Promise<SqlResult>;
  /** From the server's last ReadyForQuery: I idle, T in a transaction, E failed transaction. */
  readonly transactionStatus: "idle" | "active" | "failed";
}

const statusOf: Readonly<Record<string, "idle" | "active" | "failed">> = {
  I: "idle",
  T: "active",
  E: "failed",
};

/** Opens one connection. Errors thrown by `queryAll` carry the server's SQLSTATE as `.code`. */
export async function connectPg(target: PgTarget): Promise<PgSession> {
  const client = new Client({
    host: target.host,
    port: target.port,
    user: target.user ?? "postgres",
    database: target.database ?? "postgres",
  });
  client.on("error", () => {});
  await client.connect();
  const queryAll = async (sql: string): Promise<SqlResult[]> => {
    let raw: PgRawResult | PgRawResult[];
    try {
      raw = await client.query({ text: sql, rowMode: "array", types: rawText });
    } catch (e) {
      // pg rejects at the ErrorResponse; the status comes with the ReadyForQuery after it
      for (let i = 0; i < readyPollsMax && client.readyForQuery === false; i++) {
        await new Promise((r) => setTimeout(r, 1));
      }
      throw e;
    }
    return (Array.isArray(raw) ? raw : [raw]).map((r) => ({
      command: r.command ?? "",
      rows: r.rows ?? [],
      rowCount: r.rowCount,
    }));
  };
  return {
    queryAll,
    async query(sql: string): Promise<SqlResult> {
      return (await queryAll(sql)).at(-1) ?? { command: "", rows: [], rowCount: null };
    },
    get transactionStatus() {
      return statusOf[client._txStatus ?? "I"] ?? "idle";
    },
    close: () => client.end(),
  };
}
