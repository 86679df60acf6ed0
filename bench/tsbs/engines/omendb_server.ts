/**
 * OmenDB as a server (`server/main.ts serve`, its own process) for the query suite: one process
 * serves two engines, `omendb-http` (`POST /sql`, JSON body with `$n` parameters, the JSON answer
 * parsed fully) and `omendb-pg` (node-postgres over PostgreSQL wire, a named prepared statement
 * per query, rows as arrays). The table `bench.cpu` is created with the embedded engine's options
 * and loaded by posting the line protocol to `/write?db=bench` in bodies of
 * {@link loadBatchRows} lines from {@link serverLoadWriters} writers, then `CHECKPOINT`.
 *
 * @example
 * ```ts
 * import { omenDbServerProvider } from "./omendb_server.ts";
 * console.assert(omenDbServerProvider.engines.join() === "omendb-http,omendb-pg");
 * ```
 *
 * @module
 */
import pg from "pg";
import { cpuCreateTableSql } from "../../../tests/data/tsbs.ts";
import { postCpuLineProtocol, startOmenDbServer } from "../servers.ts";
import { type EngineProvider, loadBatchRows, type QueryEngine } from "./engine.ts";
import { omenDbCpuTableOptions } from "./omendb.ts";
import type { EngineName } from "../record.ts";

/** Concurrent writers posting line protocol while loading. */
export const serverLoadWriters = 2;
/** The schema (`db=` of `/write`) and table the server holds the data in. */
const serverTable = "bench.cpu";
/** Query timeout for loading statements (CHECKPOINT of 10M rows), milliseconds. */
const loadStatementTimeoutMs = 600_000;

/** Oids of timestamp and timestamptz: kept as text, so no precision is lost to `Date`. */
const timestampOids = new Set([1114, 1184]);

interface PgClient {
  connect(): Promise<void>;
  end(): Promise<void>;
  query(q: Record<string, unknown>): Promise<{ rows: unknown[][] }>;
}
const PgClientClass =
  (pg as unknown as { Client: new (c: Record<string, unknown>) => PgClient }).Client;
const pgTypes = (pg as unknown as {
  types: { getTypeParser(oid: number, format?: string): (text: string) => unknown };
}).types;

async function sqlRequest(
  base: string,
  sql: string,
  params: readonly unknown[] = [],
): Promise<{ rows: unknown[][] }> {
  const r = await fetch(`${base}/sql?timeout_ms=${loadStatementTimeoutMs}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql, params }),
  });
  const body = await r.json() as { rows?: unknown[][]; error?: { code: string; message: string } };
  if (r.status !== 200 || body.error !== undefined) {
    throw new Error(
      `omendb-http: ${body.error?.code ?? r.status} ${body.error?.message ?? ""} in ${
        sql.slice(0, 120)
      }`,
    );
  }
  return { rows: body.rows ?? [] };
}

async function loadLineProtocol(base: string, rows: number, hosts: number): Promise<void> {
  await postCpuLineProtocol(base, {
    rows,
    hosts,
    batchRows: loadBatchRows,
    writers: serverLoadWriters,
    label: "omendb",
  });
}

/** Loads an OmenDB server and gives its HTTP and PostgreSQL-wire engines. */
export const omenDbServerProvider: EngineProvider = {
  engines: ["omendb-http", "omendb-pg"],
  async open(options, wanted = ["omendb-http", "omendb-pg"]) {
    const server = await startOmenDbServer({ dataDir: `${options.dir}/omendb-server` });
    const base = `http://127.0.0.1:${server.httpPort}`;
    let client: PgClient | null = null;
    try {
      await sqlRequest(base, "CREATE SCHEMA bench");
      await sqlRequest(
        base,
        `${
          cpuCreateTableSql.replace("TABLE cpu", `TABLE ${serverTable}`)
        } ${omenDbCpuTableOptions}`,
      );
      const t0 = performance.now();
      await loadLineProtocol(base, options.rows, options.hosts);
      await sqlRequest(base, "CHECKPOINT");
      const count = Number(
        (await sqlRequest(base, `SELECT count(*) FROM ${serverTable}`)).rows[0]![0],
      );
      if (count !== options.rows) {
        throw new Error(`omendb server holds ${count} rows, expected ${options.rows}`);
      }
      options.log(
        `omendb server: loaded ${options.rows} rows by line protocol in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s (incl. CHECKPOINT)`,
      );
      const engines: QueryEngine[] = [];
      if (wanted.includes("omendb-http")) {
        engines.push({
          name: "omendb-http",
          note:
            "server process, POST /sql JSON with $n params, answer parsed fully; same data dir layout as embedded",
          async run(spec, params) {
            const q = spec.sql(serverTable, params);
            return (await sqlRequest(base, q.text, q.params)).rows;
          },
        });
      }
      if (wanted.includes("omendb-pg")) {
        const c = new PgClientClass({
          host: "127.0.0.1",
          port: server.pgPort,
          user: "omendb",
          database: "omendb",
          types: {
            getTypeParser: (oid: number, format?: string) =>
              timestampOids.has(oid) ? (s: string) => s : pgTypes.getTypeParser(oid, format),
          },
        });
        await c.connect();
        client = c;
        engines.push({
          name: "omendb-pg" satisfies EngineName,
          note: "server process, node-postgres, named prepared statement per query, rowMode array",
          async run(spec, params) {
            const q = spec.sql(serverTable, params);
            return (await c.query({
              name: spec.name,
              text: q.text,
              values: q.params,
              rowMode: "array",
            })).rows;
          },
        });
      }
      return {
        engines,
        async close() {
          await client?.end();
          await server.stop();
        },
      };
    } catch (e) {
      await client?.end().catch(() => {});
      await server.stop();
      throw e;
    }
  },
};
