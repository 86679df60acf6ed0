/**
 * DuckDB (in-process, `@duckdb/node-api`) as the reference engine, set to PostgreSQL's integer
 * division and NULL ordering.
 *
 * @module
 */

import { type DuckDBConnection, DuckDBInstance, DuckDBTypeId } from "@duckdb/node-api";
import {
  type Cell,
  cellFromJs,
  dateCell,
  floatCell,
  intCell,
  intervalCell,
  numericTextCell,
  timestampCell,
} from "./cell.ts";
import { duckdbErrorClass } from "./duckdb_error_class.ts";
import { createdTables, type Engine } from "./engine.ts";
import type { Outcome, OutcomeStage } from "./outcome.ts";

/** Settings that give DuckDB PostgreSQL's semantics where it has a switch for them. */
export const duckdbPostgresSettings =
  "SET integer_division = true; SET default_null_order = 'nulls_last_on_asc_first_on_desc';";

const integerTypeIds = new Set<number>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
]);
const floatTypeIds = new Set<number>([DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE]);

/** Converts one value of `reader.getRows()` (DuckDB's own value classes) to a {@link Cell}. */
function duckCell(typeId: number, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (integerTypeIds.has(typeId) && (typeof v === "number" || typeof v === "bigint")) {
    return intCell(v);
  }
  if (floatTypeIds.has(typeId) && typeof v === "number") return floatCell(v);
  if (typeof v === "object") {
    switch (typeId) {
      case DuckDBTypeId.DECIMAL:
        return numericTextCell(String(v));
      case DuckDBTypeId.DATE: {
        // DuckDB's infinite dates are the extreme day numbers
        const days = (v as { days: number }).days;
        if (days === 2_147_483_647 || days === -2_147_483_647) {
          return dateCell(days > 0 ? Infinity : -Infinity);
        }
        return dateCell(days);
      }
      case DuckDBTypeId.TIMESTAMP:
        return timestampCell((v as { micros: bigint }).micros);
      case DuckDBTypeId.INTERVAL: {
        const iv = v as { months: number; days: number; micros: bigint };
        return intervalCell(iv.months, iv.days, iv.micros);
      }
    }
  }
  return cellFromJs(typeof v === "object" ? String(v) : v);
}

/** Runs cases on an in-memory DuckDB database. */
export class DuckdbEngine implements Engine {
  readonly name = "DuckDB";
  #instance: DuckDBInstance;
  #conn: DuckDBConnection;
  #tables = new Set<string>();

  private constructor(instance: DuckDBInstance, conn: DuckDBConnection) {
    this.#instance = instance;
    this.#conn = conn;
  }

  /** Opens an in-memory DuckDB with {@link duckdbPostgresSettings} applied. */
  static async open(): Promise<DuckdbEngine> {
    const instance = await DuckDBInstance.create(":memory:");
    const conn = await instance.connect();
    await conn.run(duckdbPostgresSettings);
    return new DuckdbEngine(instance, conn);
  }

  /** Runs one SQL text and converts its answer (rows or error). */
  async exec(sql: string, stage: OutcomeStage = "query"): Promise<Outcome> {
    try {
      const reader = await this.#conn.runAndReadAll(sql);
      const types = reader.columnTypes();
      const names = reader.columnNames();
      const rows = reader.getRows().map((r) =>
        r.map((v, i) => duckCell(types[i]?.typeId ?? DuckDBTypeId.INVALID, v))
      );
      return {
        ok: true,
        columns: names.map((name, i) => ({ name, type: types[i]?.toString() ?? "?" })),
        rows,
      };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { ok: false, stage, code: null, sqlClass: duckdbErrorClass(message), message };
    }
  }

  async run(setup: readonly string[], query: string): Promise<Outcome> {
    for (const t of this.#tables) await this.#conn.run(`DROP TABLE IF EXISTS ${t}`);
    this.#tables.clear();
    for (const t of createdTables(setup)) this.#tables.add(t);
    for (const s of setup) {
      const o = await this.exec(s, "setup");
      if (!o.ok) return o;
    }
    return await this.exec(query);
  }

  close(): Promise<void> {
    this.#conn.closeSync();
    this.#instance.closeSync();
    return Promise.resolve();
  }
}
