/**
 * OmenDB, the engine under test: a fresh database per case, in memory, or durable
 * (`storage: "durable"`: a fresh temporary data directory per case; a `CHECKPOINT` after every
 * {@link durableCheckpointEvery} setup statements, then before the query a `CHECKPOINT` or, every
 * other case, a clean restart, so queries read Parquet segments and not only memtables).
 *
 * @module
 */

import { Database } from "../../mod.ts";
import { DbError } from "../../core/errors.ts";
import {
  boolCell,
  type Cell,
  cellFromJs,
  dateCell,
  floatCell,
  intCell,
  intervalCell,
  numericTextCell,
  parseFloatText,
  parseIntervalText,
  textCell,
  timestampCell,
} from "./cell.ts";
import type { Engine } from "./engine.ts";
import { errorOutcome, type Outcome, type OutcomeStage } from "./outcome.ts";

/** Per-statement timeout for OmenDB, so a hang shows up as an error (57014), not a stuck run. */
export const omenStatementTimeoutMs = 10_000;

/** A thrown value that is not a DbError: a crash, which the comparison reports as XX000. */
export const omenCrashSqlState = "XX000";

type OmenValue = null | boolean | number | bigint | string;

function omenCell(kind: string, v: OmenValue): Cell {
  if (v === null) return null;
  switch (kind) {
    case "int2":
    case "int4":
    case "int8":
      return typeof v === "number" || typeof v === "bigint" ? intCell(v) : cellFromJs(v);
    case "float4":
    case "float8":
      return typeof v === "number" ? floatCell(v) : cellFromJs(v);
    case "bool":
      return typeof v === "boolean" ? boolCell(v) : cellFromJs(v);
    case "text":
    case "varchar":
      return typeof v === "string" ? textCell(v) : cellFromJs(v);
    case "numeric":
      if (typeof v !== "string") return cellFromJs(v);
      return /^[+-]?(nan|infinity)$/i.test(v) ? floatCell(parseFloatText(v)) : numericTextCell(v);
    case "date":
      if (v === 2_147_483_647 || v === -2_147_483_648) {
        return dateCell(v > 0 ? Infinity : -Infinity);
      }
      return typeof v === "number" ? dateCell(v) : cellFromJs(v);
    case "timestamp":
      return typeof v === "number" || typeof v === "bigint" ? timestampCell(v) : cellFromJs(v);
    case "interval": {
      if (typeof v !== "string") return cellFromJs(v);
      const iv = parseIntervalText(v);
      return intervalCell(iv.months, iv.days, iv.micros);
    }
    default:
      return cellFromJs(v);
  }
}

/** Setup statements between two checkpoints of a durable case. */
export const durableCheckpointEvery = 3;

/** Options of {@link OmenEngine}. */
export interface OmenEngineOptions {
  /** `memory` (default) or `durable` (a temporary data directory per case). */
  readonly storage?: "memory" | "durable";
}

/** Runs cases on OmenDB, opening a new database for each. */
export class OmenEngine implements Engine {
  readonly name: string;
  readonly #durable: boolean;
  #db: Database | null = null;
  #dir: string | null = null;
  #cases = 0;

  constructor(options: OmenEngineOptions = {}) {
    this.#durable = options.storage === "durable";
    this.name = this.#durable ? "OmenDB (durable)" : "OmenDB";
  }

  async #open(): Promise<Database> {
    if (!this.#durable) return await Database.open({ memory: true });
    this.#dir ??= await Deno.makeTempDir({ prefix: "omendb_fuzz_" });
    return await Database.open({ path: this.#dir });
  }

  /** Runs one SQL text on the current database and converts its answer (rows or error). */
  async exec(sql: string, stage: OutcomeStage = "query"): Promise<Outcome> {
    const db = this.#db ?? (this.#db = await this.#open());
    try {
      const r = await db.query(sql, undefined, { timeoutMs: omenStatementTimeoutMs });
      return {
        ok: true,
        columns: r.columns.map((c) => ({ name: c.name, type: c.type.kind })),
        rows: r.rows.map((row) =>
          row.map((v, i) => omenCell(r.columns[i]?.type.kind ?? "unknown", v as OmenValue))
        ),
      };
    } catch (e) {
      if (e instanceof DbError) return errorOutcome(stage, e.code, e.message);
      const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      return errorOutcome(stage, omenCrashSqlState, `crash (not a DbError): ${what}`);
    }
  }

  async run(setup: readonly string[], query: string): Promise<Outcome> {
    await this.close();
    this.#db = await this.#open();
    for (const [i, s] of setup.entries()) {
      const o = await this.exec(s, "setup");
      if (!o.ok) return o;
      if (this.#durable && (i + 1) % durableCheckpointEvery === 0) {
        const c = await this.exec("CHECKPOINT", "setup");
        if (!c.ok) return c;
      }
    }
    if (this.#durable && setup.length > 0) {
      if (this.#cases++ % 2 === 0) {
        const c = await this.exec("CHECKPOINT", "setup");
        if (!c.ok) return c;
      } else {
        await this.#db.close();
        this.#db = await this.#open();
      }
    }
    return await this.exec(query);
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    if (db !== null) await db.close();
    const dir = this.#dir;
    this.#dir = null;
    if (dir !== null) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
