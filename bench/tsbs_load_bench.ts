/**
 * Bulk load of TSBS cpu rows: OmenDB `db.insertColumns` against DuckDB's appender fed DataChunks
 * of 2048 rows. Data is generated before timing; each run loads into a fresh table.
 *
 * DuckDB's per-value appender calls (`appendDouble` ... `endRow`) are left out: through Deno's
 * N-API they load about 8,000 rows/s (121 s for 1M rows, measured), so they would dominate the
 * suite without telling anything new.
 *
 * @module
 */
import { Database } from "../mod.ts";
import type { Benchmark } from "./harness.ts";
import { appendCpuChunks, duckDbCount, openDuckDb, recreateCpuTable } from "./_duckdb.ts";
import { cpuCreateTableSql, cpuTableName, generateCpuBatches } from "../tests/data/tsbs.ts";

/** The benchmark: loads `rows` rows (default 1,000,000) into each system per run. */
export const tsbsLoadBench: Benchmark = {
  name: "tsbs_load",
  description: "bulk load of TSBS cpu rows: OmenDB insertColumns vs DuckDB appender",
  async prepare(params) {
    const batches = [...generateCpuBatches({ rows: params.rows })];
    const duck = await openDuckDb(navigator.hardwareConcurrency);
    let db: Database | null = null;
    let omenRows = 0;
    const duckCounts: number[] = [];
    const checkDuck = async () => {
      const n = await duckDbCount(duck.connection, cpuTableName);
      duckCounts.push(n);
      if (n !== params.rows) throw new Error(`DuckDB holds ${n} rows, expected ${params.rows}`);
    };
    return {
      unitsPerRun: params.rows,
      unit: "rows",
      contenders: [
        {
          name: "omendb_insertColumns",
          async before() {
            db = await Database.open({ memory: true });
            await db.query(cpuCreateTableSql);
          },
          async run() {
            let n = 0;
            for (const b of batches) n += await db!.insertColumns(cpuTableName, b.columns);
            omenRows = n;
          },
          async after() {
            if (omenRows !== params.rows) {
              throw new Error(
                `OmenDB insertColumns reported ${omenRows} rows, expected ${params.rows}`,
              );
            }
            await db!.close();
            db = null;
          },
        },
        {
          name: "duckdb_appender_chunks",
          before: () => recreateCpuTable(duck.connection),
          run: () => appendCpuChunks(duck.connection, batches),
          after: checkDuck,
        },
      ],
      async finish() {
        if (db !== null) await (db as Database).close();
        duck.close();
        return {
          omendbRowsPerRun: omenRows,
          duckdbRowCounts: duckCounts,
          duckdbThreads: navigator.hardwareConcurrency,
          note: "generation excluded; each run loads into a fresh table; OmenDB is in-memory",
        };
      },
    };
  },
};
