/**
 * The {@link OpenEngine} over OmenDB's embedded `Database`: a fresh in-memory database, or a
 * durable one in the given fresh directory.
 *
 * @module
 */
import { Database } from "../../mod.ts";
import type { EngineOpenOptions, SltEngine } from "./engine.ts";

/** Opens a fresh OmenDB database for one test file. */
export async function openEngine(options: EngineOpenOptions): Promise<SltEngine> {
  const db = options.storage === "durable"
    ? await Database.open({ path: options.dir })
    : await Database.open({ memory: true });
  return {
    async query(sql, opts) {
      const r = await db.query(sql, [], { timeoutMs: opts.timeoutMs });
      return {
        columns: r.columns,
        rows: r.rows,
        command: r.command,
        rowCount: r.rowCount,
        timeZone: db.timeZone.name,
      };
    },
    close: () => db.close(),
  };
}
