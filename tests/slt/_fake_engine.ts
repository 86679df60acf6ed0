/**
 * A tiny scripted engine for tests, so the runner is tested without OmenDB. SQL it understands
 * (case-insensitive, one command per record):
 *
 * - `select <literal>, ...`: one row of literals: integers (int4), decimals (float8),
 *   `'text'`, `true`/`false`, `null`; `select rows <n>` returns n rows 0..n-1 (int4).
 * - `insert <word>` remembers a word; `count` returns how many were remembered (int8).
 * - `fail` rejects with a DbError-like error (code 42000); `boom` throws a TypeError;
 *   `timeout` rejects with code 57014; `hang` loops forever; `exit` ends the process;
 *   `sleep <ms>` waits.
 * - anything else succeeds with an empty result.
 *
 * @module
 */
import { type DataType, Types, type Value } from "../../core/types/mod.ts";
import type { EngineOpenOptions, SltEngine, SltResult } from "./engine.ts";

class FakeDbError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "DbError";
    this.code = code;
  }
}

function literal(text: string): { type: DataType; value: Value } {
  const t = text.trim();
  if (/^null$/i.test(t)) return { type: Types.unknown, value: null };
  if (/^(true|false)$/i.test(t)) return { type: Types.bool, value: /^true$/i.test(t) };
  if (/^-?\d+$/.test(t)) return { type: Types.int4, value: Number(t) };
  if (/^-?\d*\.\d+(e-?\d+)?$/i.test(t)) return { type: Types.float8, value: Number(t) };
  const m = /^'(.*)'$/s.exec(t);
  return { type: Types.text, value: m === null ? t : (m[1] ?? "").replace(/''/g, "'") };
}

/** A fresh fake engine; `log` receives every SQL text it is given. */
export function fakeEngine(log: string[] = []): SltEngine {
  const words: string[] = [];
  return {
    async query(sql): Promise<SltResult> {
      log.push(sql);
      const s = sql.trim().replace(/;$/, "");
      const lower = s.toLowerCase();
      if (lower === "fail") throw new FakeDbError("42000", "failed on purpose");
      if (lower === "timeout") throw new FakeDbError("57014", "canceling statement due to timeout");
      if (lower === "boom") throw new TypeError("engine bug");
      if (lower === "hang") { while (true) { /* a synchronous hang */ } }
      if (lower === "exit") Deno.exit(3);
      const sleep = /^sleep (\d+)$/.exec(lower);
      if (sleep !== null) {
        await new Promise((r) => setTimeout(r, Number(sleep[1])));
        return { columns: [], rows: [] };
      }
      const ins = /^insert (\w+)$/.exec(lower);
      if (ins !== null) {
        words.push(ins[1] ?? "");
        return { columns: [], rows: [] };
      }
      if (lower === "count") {
        return { columns: [{ name: "count", type: Types.int8 }], rows: [[BigInt(words.length)]] };
      }
      const rowsN = /^select rows (\d+)$/.exec(lower);
      if (rowsN !== null) {
        const n = Number(rowsN[1]);
        return {
          columns: [{ name: "n", type: Types.int4 }],
          rows: Array.from({ length: n }, (_, i) => [i]),
        };
      }
      if (lower.startsWith("select ")) {
        const items = s.slice(7).split(",").map(literal);
        return {
          columns: items.map((it, i) => ({ name: `c${i}`, type: it.type })),
          rows: [items.map((it) => it.value)],
        };
      }
      return { columns: [], rows: [] };
    },
    close: () => Promise.resolve(),
  };
}

/** The engine-module entry point used by worker processes in tests. */
export function openEngine(_options: EngineOpenOptions): Promise<SltEngine> {
  return Promise.resolve(fakeEngine());
}
