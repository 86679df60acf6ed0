/**
 * Scan-and-filter queries over the TSBS cpu table, OmenDB against DuckDB: the latency of one
 * query, results materialized as JS rows on both sides. Both must return the same row count.
 *
 * @module
 */
import { Database } from "../mod.ts";
import type { Benchmark } from "./harness.ts";
import { appendCpuChunks, duckDbQueryRows, openDuckDb, recreateCpuTable } from "./_duckdb.ts";
import { cpuCreateTableSql, cpuTableName, generateCpuBatches } from "../tests/data/tsbs.ts";

/** Builds a benchmark that loads `rows` TSBS rows into both systems, then times `sql`. */
export function scanQueryBench(name: string, sql: string): Benchmark {
  return {
    name,
    description: `latency of \`${sql}\` over TSBS cpu rows`,
    async prepare(params) {
      const batches = [...generateCpuBatches({ rows: params.rows })];
      const db = await Database.open({ memory: true });
      await db.query(cpuCreateTableSql);
      for (const b of batches) await db.insertColumns(cpuTableName, b.columns);
      const duck = await openDuckDb(navigator.hardwareConcurrency);
      await recreateCpuTable(duck.connection);
      await appendCpuChunks(duck.connection, batches);
      let omenRows = -1;
      let duckRows = -1;
      return {
        unitsPerRun: null,
        unit: "queries",
        contenders: [
          {
            name: "omendb",
            async run() {
              omenRows = (await db.query(sql)).rows.length;
            },
          },
          {
            name: "duckdb",
            async run() {
              duckRows = await duckDbQueryRows(duck.connection, sql);
            },
          },
        ],
        async finish() {
          await db.close();
          duck.close();
          if (omenRows !== duckRows) {
            throw new Error(`${name}: OmenDB returned ${omenRows} rows, DuckDB ${duckRows}`);
          }
          return {
            sql,
            tableRows: params.rows,
            resultRows: omenRows,
            duckdbThreads: navigator.hardwareConcurrency,
          };
        },
      };
    },
  };
}

/** The queries the suite runs: scans, then TSBS-style time-series queries. */
export const scanQueryBenches: readonly Benchmark[] = [
  scanQueryBench("scan_filter", "SELECT usage_user FROM cpu WHERE usage_user > 99.9"),
  scanQueryBench(
    "scan_filter_tag",
    "SELECT time, usage_user FROM cpu WHERE hostname = 'host_7'",
  ),
  // TSBS single-groupby: one host, max per minute
  scanQueryBench(
    "tsbs_single_groupby",
    "SELECT date_trunc('minute', time) AS minute, max(usage_user) FROM cpu WHERE hostname = 'host_7' GROUP BY 1",
  ),
  // TSBS double-groupby: every host, mean per hour
  scanQueryBench(
    "tsbs_double_groupby",
    "SELECT date_trunc('hour', time) AS hour, hostname, avg(usage_user) FROM cpu GROUP BY 1, 2",
  ),
  // TSBS lastpoint: the latest reading of every host
  scanQueryBench(
    "tsbs_lastpoint",
    "SELECT DISTINCT ON (hostname) hostname, time, usage_user FROM cpu ORDER BY hostname, time DESC",
  ),
  // TSBS high-cpu-all: every reading over a threshold
  scanQueryBench("tsbs_high_cpu", "SELECT * FROM cpu WHERE usage_user > 90"),
];
