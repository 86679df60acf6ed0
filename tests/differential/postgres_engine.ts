/**
 * PostgreSQL 15 as the tie-breaker engine, on a private server from `tests/support/postgres.ts`.
 *
 * @module
 */

import { PgServerError, type PostgresServer } from "../support/postgres.ts";
import {
  boolCell,
  type Cell,
  dateCell,
  floatCell,
  intCell,
  intervalCell,
  numericTextCell,
  parseDateText,
  parseFloatText,
  parseIntervalText,
  parseTimestampText,
  textCell,
  timestampCell,
} from "./cell.ts";
import { createdTables, type Engine } from "./engine.ts";
import { errorOutcome, type Outcome, type OutcomeStage } from "./outcome.ts";

/** PostgreSQL type OIDs that the conversion knows. */
export const pgOid = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  interval: 1186,
} as const;

const oidNames: Readonly<Record<number, string>> = {
  16: "bool",
  20: "int8",
  21: "int2",
  23: "int4",
  25: "text",
  700: "float4",
  701: "float8",
  705: "unknown",
  1043: "varchar",
  1700: "numeric",
  1082: "date",
  1114: "timestamp",
  1184: "timestamptz",
  1186: "interval",
};

/** Converts PostgreSQL's text output of a value of the given type OID to a {@link Cell}. */
export function pgCell(oid: number, text: string | null): Cell {
  if (text === null) return null;
  switch (oid) {
    case pgOid.bool:
      return boolCell(text === "t");
    case pgOid.int2:
    case pgOid.int4:
    case pgOid.int8:
    case pgOid.oid:
      return intCell(BigInt(text));
    case pgOid.float4:
    case pgOid.float8:
      return floatCell(parseFloatText(text));
    case pgOid.numeric:
      return text === "NaN" ? floatCell(NaN) : numericTextCell(text);
    case pgOid.date:
      if (text === "infinity" || text === "-infinity") {
        return dateCell(text === "infinity" ? Infinity : -Infinity);
      }
      return /^\d{4,}-\d\d-\d\d( BC)?$/.test(text) ? dateCell(parseDateText(text)) : textCell(text);
    case pgOid.timestamp:
      // infinite timestamps stay text (as OmenDB's and DuckDB's do); BC ones are parsed
      return /^\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( BC)?$/.test(text)
        ? timestampCell(parseTimestampText(text))
        : textCell(text);
    case pgOid.interval: {
      const iv = parseIntervalText(text);
      return intervalCell(iv.months, iv.days, iv.micros);
    }
    default:
      return textCell(text);
  }
}

/** Runs cases on a PostgreSQL server, in a schema that is dropped and recreated per case. */
export class PostgresEngine implements Engine {
  readonly name = "PostgreSQL";
  #server: PostgresServer;
  #tables = new Set<string>();

  /** Wraps a running server; the engine does not stop it. */
  constructor(server: PostgresServer) {
    this.#server = server;
  }

  /** Runs one SQL text and converts its answer (rows or error). */
  async exec(sql: string, stage: OutcomeStage = "query"): Promise<Outcome> {
    try {
      const r = await this.#server.query(sql);
      return {
        ok: true,
        columns: r.fields.map((f) => ({
          name: f.name,
          type: oidNames[f.dataTypeID] ?? `oid ${f.dataTypeID}`,
        })),
        rows: r.rows.map((row) => row.map((v, i) => pgCell(r.fields[i]?.dataTypeID ?? 25, v))),
      };
    } catch (e) {
      if (e instanceof PgServerError) return errorOutcome(stage, e.code, e.message);
      throw e;
    }
  }

  async run(setup: readonly string[], query: string): Promise<Outcome> {
    if (this.#tables.size > 0) {
      await this.#server.query(`DROP TABLE IF EXISTS ${[...this.#tables].join(", ")}`);
    }
    this.#tables = new Set(createdTables(setup));
    for (const s of setup) {
      const o = await this.exec(s, "setup");
      if (!o.ok) return o;
    }
    return await this.exec(query);
  }

  async runWithSettings(
    setup: readonly string[],
    query: string,
    settings: readonly string[],
  ): Promise<Outcome> {
    try {
      for (const s of settings) {
        const o = await this.exec(s, "setup");
        if (!o.ok) return o;
      }
      return await this.run(setup, query);
    } finally {
      for (const s of settings) {
        const name = /^SET\s+(\w+)/i.exec(s)?.[1];
        if (name !== undefined) await this.exec(`RESET ${name}`, "setup");
      }
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
