/**
 * SQLite (`node:sqlite`, DatabaseSync) as a query-suite engine: a file in the scratch directory
 * (`journal_mode = WAL`, `synchronous = OFF` while loading), time as INTEGER microseconds, the
 * rows inserted in one transaction with a prepared INSERT, then an index on `(hostname, time)`;
 * one prepared statement per query, rows returned as arrays.
 *
 * @example
 * ```ts
 * import { sqliteProvider } from "./sqlite.ts";
 * import { querySpecs, cpuDataWindow, queryParamSets } from "../queries.ts";
 * const dir = await Deno.makeTempDir();
 * const opened = (await sqliteProvider.open({ rows: 200, hosts: 10, dir, log: () => {} }))!;
 * const point = querySpecs[0]!;
 * const [p] = queryParamSets(point, cpuDataWindow(200, 10), 1, 1);
 * console.assert((await opened.engines[0]!.run(point, p!)).length === 1);
 * await opened.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { cpuMetricNames, generateCpuBatches } from "../../../tests/data/tsbs.ts";
import { type EngineProvider, loadBatchRows, type QueryEngine } from "./engine.ts";

const createSql =
  `CREATE TABLE cpu (time INTEGER NOT NULL, hostname TEXT, region TEXT, datacenter TEXT, ${
    cpuMetricNames.map((m) => `${m} REAL`).join(", ")
  })`;

/** Loads and queries SQLite on a file. */
export const sqliteProvider: EngineProvider = {
  engines: ["sqlite"],
  open(options) {
    const db = new DatabaseSync(`${options.dir}/cpu.sqlite`);
    try {
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF");
      db.exec(createSql);
      const t0 = performance.now();
      const insert = db.prepare(`INSERT INTO cpu VALUES (${new Array(14).fill("?").join(", ")})`);
      db.exec("BEGIN");
      for (
        const b of generateCpuBatches({
          rows: options.rows,
          hosts: options.hosts,
          batchRows: loadBatchRows,
        })
      ) {
        const c = b.columns;
        const metrics = cpuMetricNames.map((m) => c[m]);
        const [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9] = metrics as [
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
          Float64Array,
        ];
        for (let i = 0; i < b.length; i++) {
          insert.run(
            c.time[i]!,
            c.hostname[i]!,
            c.region[i]!,
            c.datacenter[i]!,
            m0[i]!,
            m1[i]!,
            m2[i]!,
            m3[i]!,
            m4[i]!,
            m5[i]!,
            m6[i]!,
            m7[i]!,
            m8[i]!,
            m9[i]!,
          );
        }
      }
      db.exec("COMMIT");
      db.exec(
        "CREATE INDEX cpu_host_time ON cpu (hostname, time); ANALYZE; PRAGMA synchronous = NORMAL",
      );
      options.log(
        `sqlite: loaded ${options.rows} rows in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s (incl. index)`,
      );
    } catch (e) {
      db.close();
      throw e;
    }
    const prepared = new Map<string, StatementSync>();
    const engine: QueryEngine = {
      name: "sqlite",
      note: "file, WAL mode, time as INTEGER µs, index on (hostname, time), prepared statements",
      run(spec, params) {
        const q = spec.sqlite(params);
        let stmt = prepared.get(spec.name);
        if (stmt === undefined) {
          stmt = db.prepare(q.text);
          stmt.setReturnArrays(true);
          prepared.set(spec.name, stmt);
        }
        return Promise.resolve(stmt.all(...q.params) as unknown as unknown[][]);
      },
    };
    return Promise.resolve({
      engines: [engine],
      close() {
        db.close();
        return Promise.resolve();
      },
    });
  },
};
