/**
 * DuckDB as a benchmark peer: an in-memory instance, the TSBS cpu table, and a bulk load through
 * the appender, one DataChunk per 2048 rows.
 *
 * @module
 */
import {
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTimestampTZValue,
} from "@duckdb/node-api";
import {
  type CpuBatch,
  cpuCreateTableSql,
  cpuMetricNames,
  cpuTableName,
} from "../tests/data/tsbs.ts";

/** Rows in one DuckDB DataChunk (DuckDB's STANDARD_VECTOR_SIZE). */
export const duckDbChunkRowsMax = 2048;

/** An open in-memory DuckDB. */
export interface DuckDb {
  readonly connection: DuckDBConnection;
  close(): void;
}

/**
 * Opens an in-memory DuckDB set to OmenDB's semantics (integer division truncates, NULLs last
 * ascending) and to `threads` worker threads.
 */
export async function openDuckDb(threads: number): Promise<DuckDb> {
  const instance = await DuckDBInstance.create(":memory:", { threads: String(threads) });
  const connection = await instance.connect();
  await connection.run(
    "SET integer_division = true; SET default_null_order = 'nulls_last_on_asc_first_on_desc'",
  );
  return {
    connection,
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Drops and re-creates the TSBS cpu table. */
export async function recreateCpuTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${cpuTableName}`);
  await connection.run(cpuCreateTableSql);
}

/** Loads batches as DataChunks of up to {@link duckDbChunkRowsMax} rows (the bulk appender API). */
export async function appendCpuChunks(
  connection: DuckDBConnection,
  batches: readonly CpuBatch[],
): Promise<void> {
  const appender = await connection.createAppender(cpuTableName);
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
  for (const b of batches) {
    const { time, hostname, region, datacenter } = b.columns;
    for (let off = 0; off < b.length; off += duckDbChunkRowsMax) {
      const n = Math.min(duckDbChunkRowsMax, b.length - off);
      const chunk = DuckDBDataChunk.create(types, n);
      const ts = chunk.getColumnVector(0);
      for (let i = 0; i < n; i++) ts.setItem(i, new DuckDBTimestampTZValue(BigInt(time[off + i]!)));
      ts.flush();
      [hostname, region, datacenter].forEach((tag, c) => {
        const v = chunk.getColumnVector(1 + c);
        for (let i = 0; i < n; i++) v.setItem(i, tag[off + i]!);
        v.flush();
      });
      cpuMetricNames.forEach((name, m) => {
        const src = b.columns[name];
        const v = chunk.getColumnVector(4 + m);
        for (let i = 0; i < n; i++) v.setItem(i, src[off + i]!);
        v.flush();
      });
      appender.appendDataChunk(chunk);
    }
  }
  appender.closeSync();
}

/** Runs a query and materializes every row as JS values; returns the row count. */
export async function duckDbQueryRows(connection: DuckDBConnection, sql: string): Promise<number> {
  const reader = await connection.runAndReadAll(sql);
  return reader.getRows().length;
}

/** `SELECT count(*)` of a table. */
export async function duckDbCount(connection: DuckDBConnection, table: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER FROM ${table}`);
  return Number(reader.getRows()[0]![0]);
}
