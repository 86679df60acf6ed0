/**
 * OmenDB embedded in a Deno program: open an in-memory database, create a table, insert rows
 * with SQL, bulk-load an hour of TSBS cpu data with `insertColumns`, and query it.
 *
 * Run: `npx -y deno@2.9.6 run -A examples/embedded.ts [--hosts N]`
 *
 * @example
 * ```ts
 * import { runEmbeddedExample } from "./embedded.ts";
 * const lines: string[] = [];
 * await runEmbeddedExample({ hosts: 2, print: (line) => lines.push(line) });
 * console.assert(lines.some((l) => l.startsWith("loaded 720 TSBS rows")));
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Database, formatValue, type QueryResult } from "../mod.ts";
import { cpuCreateTableSql, generateCpuBatches } from "../tests/data/tsbs.ts";

/** Default hosts of the example data set. */
export const exampleHostsDefault = 10;
/** Seconds of TSBS data the example loads (one reading per host every 10 s). */
export const exampleDurationSeconds = 3600;

/** The query that picks the busiest readings. */
export const busiestReadingsSql =
  "SELECT hostname, time, usage_user FROM cpu WHERE usage_user > 95 ORDER BY usage_user DESC, time, hostname LIMIT 5";

/** Options of {@link runEmbeddedExample}. */
export interface EmbeddedExampleOptions {
  /** Hosts of TSBS data to load. */
  readonly hosts?: number;
  /** Where output lines go. */
  readonly print?: (line: string) => void;
}

/** Renders a result like psql: a header, one line per row, and the row count. */
export function formatTable(result: QueryResult): string[] {
  const lines = [result.columns.map((c) => c.name).join(" | ")];
  for (const row of result.rows) {
    lines.push(
      row.map((v, i) => (v === null ? "" : formatValue(result.columns[i]!.type, v))).join(" | "),
    );
  }
  lines.push(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
  return lines;
}

/** Runs the example, printing what it does. */
export async function runEmbeddedExample(options: EmbeddedExampleOptions = {}): Promise<void> {
  const print = options.print ?? console.log;
  const hosts = options.hosts ?? exampleHostsDefault;
  const db = await Database.open({ memory: true });
  try {
    const created = await db.query(cpuCreateTableSql);
    print(`${created.command}: cpu`);

    // A few rows through SQL, with parameters.
    const inserted = await db.query(
      `INSERT INTO cpu (time, hostname, region, datacenter, usage_user, usage_idle)
       VALUES (CAST($1 AS TIMESTAMPTZ), 'laptop', 'local', 'desk', 12.5, 80),
              (CAST($1 AS TIMESTAMPTZ), 'desktop', 'local', 'desk', NULL, 97.25)`,
      ["2016-01-01 00:00:00+00"],
    );
    print(`${inserted.command}`);

    // Bulk load: typed-array column batches straight from the TSBS generator.
    let loaded = 0;
    for (const batch of generateCpuBatches({ hosts, durationSeconds: exampleDurationSeconds })) {
      loaded += await db.insertColumns("cpu", batch.columns);
    }
    print(`loaded ${loaded} TSBS rows with insertColumns`);

    print("");
    print(busiestReadingsSql);
    for (const line of formatTable(await db.query(busiestReadingsSql))) print(line);

    const local =
      "SELECT hostname, usage_user, usage_idle FROM cpu WHERE region = 'local' ORDER BY hostname";
    print("");
    print(local);
    for (const line of formatTable(await db.query(local))) print(line);
  } finally {
    await db.close();
  }
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { hosts: { type: "string" } } });
  const hosts = values.hosts === undefined ? exampleHostsDefault : Number(values.hosts);
  if (!Number.isSafeInteger(hosts) || hosts < 1 || hosts > 10_000) {
    console.error(`--hosts must be an integer in [1, 10000], got ${values.hosts}`);
    Deno.exit(2);
  }
  await runEmbeddedExample({ hosts });
}
