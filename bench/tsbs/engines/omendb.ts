/**
 * OmenDB embedded (`mod.ts`) as a query-suite engine: a durable data directory, the TSBS cpu
 * table as a time-series table (`timestamp = 'time'`, partitioned by day, `hostname` as the
 * series key), loaded with `insertColumns` in batches of {@link loadBatchRows}, then
 * `CHECKPOINT`, so queries read the Parquet segments. Queries are `db.query(sql, params)` with
 * `$n` parameters (parsed and planned per call: the embedded API has no statement handle, and
 * SQL `PREPARE ... (timestamptz)` + `EXECUTE` fails, see the suite's docs).
 *
 * @example
 * ```ts
 * import { omenDbProvider } from "./omendb.ts";
 * import { querySpecs, cpuDataWindow, queryParamSets } from "../queries.ts";
 * const dir = await Deno.makeTempDir();
 * const opened = (await omenDbProvider.open({ rows: 200, hosts: 10, dir, log: () => {} }))!;
 * const point = querySpecs[0]!;
 * const [p] = queryParamSets(point, cpuDataWindow(200, 10), 1, 1);
 * console.assert((await opened.engines[0]!.run(point, p!)).length === 1);
 * await opened.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { Database } from "../../../mod.ts";
import { cpuCreateTableSql, cpuTableName, generateCpuBatches } from "../../../tests/data/tsbs.ts";
import { type EngineProvider, loadBatchRows, type QueryEngine } from "./engine.ts";

/** The table options OmenDB runs the cpu table with (embedded and server alike). */
export const omenDbCpuTableOptions =
  "WITH (timestamp = 'time', partition_by = 'day', dedup_keys = 'hostname')";

/** Loads and queries OmenDB embedded. */
export const omenDbProvider: EngineProvider = {
  engines: ["omendb"],
  async open(options) {
    const db = await Database.open({ path: `${options.dir}/omendb` });
    try {
      await db.query(`${cpuCreateTableSql} ${omenDbCpuTableOptions}`);
      const t0 = performance.now();
      for (
        const b of generateCpuBatches({
          rows: options.rows,
          hosts: options.hosts,
          batchRows: loadBatchRows,
        })
      ) {
        await db.insertColumns(cpuTableName, b.columns);
      }
      await db.query("CHECKPOINT");
      options.log(
        `omendb: loaded ${options.rows} rows in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s (incl. CHECKPOINT)`,
      );
    } catch (e) {
      await db.close();
      throw e;
    }
    const engine: QueryEngine = {
      name: "omendb",
      note:
        "embedded, durable dir after CHECKPOINT (Parquet segments); db.query with $n params, planned per call",
      async run(spec, params) {
        const q = spec.sql(cpuTableName, params);
        return (await db.query(q.text, q.params)).rows;
      },
    };
    return { engines: [engine], close: () => db.close() };
  },
};
