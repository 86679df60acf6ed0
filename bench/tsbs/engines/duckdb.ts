/**
 * DuckDB (`@duckdb/node-api`) as a query-suite engine: an in-memory database with as many
 * threads as the machine has cores, `TimeZone = 'UTC'` (so `date_trunc` on TIMESTAMPTZ cuts UTC
 * hours), loaded through the appender with DataChunks (`bench/_duckdb.ts`), one prepared
 * statement per query, rows read with `getRows()`.
 *
 * @example
 * ```ts
 * import { duckDbProvider } from "./duckdb.ts";
 * import { querySpecs, cpuDataWindow, queryParamSets } from "../queries.ts";
 * const opened = (await duckDbProvider.open({ rows: 200, hosts: 10, dir: ".", log: () => {} }))!;
 * const point = querySpecs[0]!;
 * const [p] = queryParamSets(point, cpuDataWindow(200, 10), 1, 1);
 * console.assert((await opened.engines[0]!.run(point, p!)).length === 1);
 * await opened.close();
 * ```
 *
 * @module
 */
import type { DuckDBPreparedStatement } from "@duckdb/node-api";
import { appendCpuChunks, duckDbCount, openDuckDb, recreateCpuTable } from "../../_duckdb.ts";
import { type CpuBatch, cpuTableName, generateCpuBatches } from "../../../tests/data/tsbs.ts";
import { type EngineProvider, loadBatchRows, type QueryEngine } from "./engine.ts";

/** Batches handed to one appender call while loading (bounds the memory of generated rows). */
const appendBatchesMax = 64;

/** Loads and queries DuckDB in memory. */
export const duckDbProvider: EngineProvider = {
  engines: ["duckdb"],
  async open(options) {
    const threads = navigator.hardwareConcurrency;
    const duck = await openDuckDb(threads);
    try {
      await duck.connection.run("SET TimeZone = 'UTC'");
      await recreateCpuTable(duck.connection);
      const t0 = performance.now();
      let pending: CpuBatch[] = [];
      for (
        const b of generateCpuBatches({
          rows: options.rows,
          hosts: options.hosts,
          batchRows: loadBatchRows,
        })
      ) {
        pending.push(b);
        if (pending.length === appendBatchesMax) {
          await appendCpuChunks(duck.connection, pending);
          pending = [];
        }
      }
      await appendCpuChunks(duck.connection, pending);
      const count = await duckDbCount(duck.connection, cpuTableName);
      if (count !== options.rows) {
        throw new Error(`duckdb holds ${count} rows, expected ${options.rows}`);
      }
      options.log(
        `duckdb: loaded ${options.rows} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    } catch (e) {
      duck.close();
      throw e;
    }
    const prepared = new Map<string, DuckDBPreparedStatement>();
    const engine: QueryEngine = {
      name: "duckdb",
      note: `in memory (not durable), ${threads} threads, prepared statements, getRows()`,
      async run(spec, params) {
        const q = spec.sql(cpuTableName, params);
        let stmt = prepared.get(spec.name);
        if (stmt === undefined) {
          stmt = await duck.connection.prepare(q.text);
          prepared.set(spec.name, stmt);
        }
        if (q.params.length > 0) stmt.bind([...q.params]);
        const reader = await stmt.runAndReadAll();
        return reader.getRows();
      },
    };
    return {
      engines: [engine],
      close() {
        for (const s of prepared.values()) s.destroySync();
        duck.close();
        return Promise.resolve();
      },
    };
  },
};
