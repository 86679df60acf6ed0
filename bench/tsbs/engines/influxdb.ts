/**
 * InfluxDB 1.x (`influxd`, its own process) as a query-suite engine: the line protocol posted
 * to `/write?db=bench` in bodies of {@link loadBatchRows} lines from {@link influxLoadWriters}
 * writers, queries in InfluxQL over HTTP (`POST /query?db=bench&epoch=u`), the JSON answer
 * parsed and turned into rows: per series, each column looked up by name (tags from the series'
 * `tags`), then sorted as the SQL's ORDER BY would (InfluxDB answers series by series).
 *
 * @example
 * ```ts
 * import { influxRows } from "./influxdb.ts";
 * import { querySpecs } from "../queries.ts";
 * const single = querySpecs.find((q) => q.name === "single-groupby-1-1-1")!;
 * const rows = influxRows(single, {
 *   results: [{ series: [{ columns: ["time", "max_usage_user"], values: [[60, 2], [0, 1]] }] }],
 * });
 * console.assert(rows[0]![0] === 0 && rows[1]![1] === 2);
 * ```
 *
 * @module
 */
import { postCpuLineProtocol, startInfluxServer } from "../servers.ts";
import type { QuerySpec } from "../queries.ts";
import { type EngineProvider, loadBatchRows, type QueryEngine } from "./engine.ts";

/** Concurrent writers posting line protocol while loading. */
export const influxLoadWriters = 2;

/** InfluxDB's `/query` answer (the parts the suite reads). */
export interface InfluxAnswer {
  /** One result per statement. */
  readonly results?: readonly {
    readonly error?: string;
    readonly series?: readonly {
      readonly tags?: Readonly<Record<string, string>>;
      readonly columns: readonly string[];
      readonly values: readonly (readonly unknown[])[];
    }[];
  }[];
  /** A request-level error. */
  readonly error?: string;
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Rows of an InfluxDB answer in the query's column order and row order. */
export function influxRows(spec: QuerySpec, answer: InfluxAnswer): unknown[][] {
  if (answer.error !== undefined) throw new Error(`influxdb: ${answer.error}`);
  const result = answer.results?.[0];
  if (result?.error !== undefined) throw new Error(`influxdb: ${result.error}`);
  const rows: unknown[][] = [];
  for (const series of result?.series ?? []) {
    const index = spec.columns.map((c) => series.columns.indexOf(c.influx ?? c.name));
    const tags = spec.columns.map((c) => series.tags?.[c.influx ?? c.name]);
    for (const v of series.values) {
      rows.push(index.map((i, k) => (i >= 0 ? v[i] : tags[k] ?? null)));
    }
  }
  const { columns, descending } = spec.order;
  if (columns > 0) {
    const sign = descending ? -1 : 1;
    rows.sort((a, b) => {
      for (let k = 0; k < columns; k++) {
        const c = compareValues(a[k], b[k]);
        if (c !== 0) return sign * c;
      }
      return 0;
    });
  }
  return rows;
}

/** Loads and queries InfluxDB 1.x (null when `influxd` is not installed). */
export const influxDbProvider: EngineProvider = {
  engines: ["influxdb"],
  async open(options) {
    const dir = `${options.dir}/influxdb`;
    await Deno.mkdir(dir, { recursive: true });
    const server = await startInfluxServer(dir);
    if (server === null) return null;
    const base = `http://127.0.0.1:${server.httpPort}`;
    try {
      const t0 = performance.now();
      await postCpuLineProtocol(base, {
        rows: options.rows,
        hosts: options.hosts,
        batchRows: loadBatchRows,
        writers: influxLoadWriters,
        label: "influxdb",
      });
      options.log(
        `influxdb: loaded ${options.rows} rows in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
      );
    } catch (e) {
      await server.stop();
      throw e;
    }
    const engine: QueryEngine = {
      name: "influxdb",
      note:
        "InfluxDB 1.6 server process, InfluxQL over HTTP (epoch=u), JSON parsed, series re-sorted in JS",
      async run(spec, params) {
        const r = await fetch(`${base}/query?db=bench&epoch=u`, {
          method: "POST",
          body: new URLSearchParams({ q: spec.influxql(params) }),
        });
        return influxRows(spec, await r.json() as InfluxAnswer);
      },
    };
    return { engines: [engine], close: () => server.stop() };
  },
};
