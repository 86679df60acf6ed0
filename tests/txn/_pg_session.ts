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
}
type PgClientCtor = new (config: Record<string, unknown>) => PgClient;
const Client = (pg as unknown as { Client: PgClientCtor }).Client;
const rawText = { getTypeParser: () => (value: string) => value };

/** Opens one connection. Errors thrown by `queryAll` carry the server's SQLSTATE as `.code`. */
export async function connectPg(target: PgTarget): Promise<SqlSession> {
  const client = new Client({
    host: target.host,
    port: target.port,
    user: target.user ?? "postgres",
    database: target.database ?? "postgres",
  });
  client.on("error", () => {});
  await client.connect();
  return {
    async queryAll(sql: string): Promise<SqlResult[]> {
      const raw = await client.query({ text: sql, rowMode: "array", types: rawText });
      return (Array.isArray(raw) ? raw : [raw]).map((r) => ({
        command: r.command ?? "",
        rows: r.rows ?? [],
        rowCount: r.rowCount,
      }));
    },
    close: () => client.end(),
  };
}
