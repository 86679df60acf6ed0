/**
 * The answer check of the peer suite: every engine's rows are normalized (timestamps to µs
 * integers, floats to numbers, NULL kept as null) and compared with the reference engine's,
 * floats with a relative tolerance of {@link floatRelativeTolerance} (about 9 significant
 * digits: engines sum in different orders). A difference is described by its first differing
 * row.
 *
 * @example
 * ```ts
 * import { compareAnswers, normalizeRows } from "./answers.ts";
 * const kinds = ["ts", "float"] as const;
 * const a = normalizeRows([["2016-01-01T00:00:00.000000Z", 1.5]], kinds);
 * const b = normalizeRows([[1451606400000000, 1.5000000000001]], kinds);
 * console.assert(compareAnswers(a, b, ["minute", "max"]) === null);
 * const c = normalizeRows([[1451606400000000, 1.6]], kinds);
 * console.assert(compareAnswers(a, c, ["minute", "max"])!.includes("row 0"));
 * ```
 *
 * @module
 */
import type { ColumnKind } from "./queries.ts";

/** Largest relative difference between two floats that still counts as equal (~9 digits). */
export const floatRelativeTolerance = 1e-9;
/** Differences below this absolute value count as equal (values near zero). */
export const floatAbsoluteTolerance = 1e-12;

/** A normalized cell: a µs integer, a float, a string, or null. */
export type Cell = number | string | null;

const timestampPattern =
  /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d(?::?\d\d)?)?$/;

/** Parses an ISO 8601 / PostgreSQL timestamp text to µs since the epoch (no time zone = UTC). */
export function parseTimestampMicros(text: string): number {
  const m = timestampPattern.exec(text.trim());
  if (m === null) throw new Error(`Cannot parse timestamp "${text}"`);
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const frac = Number(((m[7] ?? "") + "000000").slice(0, 6));
  let offsetMicros = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
    offsetMicros = sign * minutes * 60_000_000;
  }
  return ms * 1000 + frac - offsetMicros;
}

function timestampCell(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return parseTimestampMicros(v);
  if (v instanceof Date) return v.getTime() * 1000;
  if (typeof v === "object" && v !== null && "micros" in v) {
    return Number((v as { micros: bigint | number }).micros);
  }
  throw new Error(`Cannot read a timestamp from ${String(v)}`);
}

function floatCell(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string") return Number(v);
  throw new Error(`Cannot read a number from ${String(v)}`);
}

/** Normalizes rows (arrays in column order) by column kind. */
export function normalizeRows(
  rows: readonly (readonly unknown[])[],
  kinds: readonly ColumnKind[],
): Cell[][] {
  return rows.map((row) => {
    if (row.length !== kinds.length) {
      throw new Error(`a row has ${row.length} columns, expected ${kinds.length}`);
    }
    return kinds.map((kind, i): Cell => {
      const v = row[i];
      if (v === null || v === undefined) return null;
      switch (kind) {
        case "ts":
          return timestampCell(v);
        case "float":
          return floatCell(v);
        case "text":
          return String(v);
        default: {
          const never: never = kind;
          throw new Error(`unknown column kind ${String(never)}`);
        }
      }
    });
  });
}

/** Whether two normalized cells are equal (floats within the tolerance). */
export function cellsEqual(a: Cell, b: Cell): boolean {
  if (a === b) return true;
  if (typeof a === "number" && typeof b === "number") {
    if (Number.isNaN(a) && Number.isNaN(b)) return true;
    const diff = Math.abs(a - b);
    return diff <= floatAbsoluteTolerance ||
      diff <= floatRelativeTolerance * Math.max(Math.abs(a), Math.abs(b));
  }
  return false;
}

function show(row: readonly Cell[] | undefined, names: readonly string[]): string {
  if (row === undefined) return "(no row)";
  return "{" + row.map((c, i) => `${names[i] ?? i}: ${JSON.stringify(c)}`).join(", ") + "}";
}

/**
 * Compares a normalized answer with the expected one; null when equal, else a description of
 * the row count and the first differing row.
 */
export function compareAnswers(
  expected: readonly (readonly Cell[])[],
  actual: readonly (readonly Cell[])[],
  columnNames: readonly string[],
): string | null {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    const same = e !== undefined && a !== undefined && e.length === a.length &&
      e.every((c, j) => cellsEqual(c, a[j]!));
    if (!same) {
      return `${actual.length} rows, expected ${expected.length}; first difference at row ${i}: ` +
        `got ${show(a, columnNames)}, expected ${show(e, columnNames)}`;
    }
  }
  return null;
}
