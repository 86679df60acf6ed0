/**
 * Test helpers: a small line-protocol serializer that escapes as the grammar says, and a reader
 * that turns parsed columns back into plain rows.
 *
 * @module
 */
import { valueAt } from "../../core/types/column.ts";
import { parseLineProtocol } from "./parser.ts";
import type { ParsedMeasurement, ParseLineProtocolOptions, ParseResult } from "./types.ts";

/** A field value as the tests write it. */
export type TestFieldValue =
  | { readonly type: "float"; readonly value: number }
  | { readonly type: "integer"; readonly value: bigint }
  | { readonly type: "unsigned"; readonly value: bigint }
  | { readonly type: "string"; readonly value: string }
  | { readonly type: "boolean"; readonly value: boolean; readonly spelling?: string };

/** A point as the tests write it. */
export interface TestPoint {
  readonly measurement: string;
  readonly tags: readonly (readonly [string, string])[];
  readonly fields: readonly (readonly [string, TestFieldValue])[];
  /** In the body's precision; omitted: the parser's default time. */
  readonly timestamp?: bigint | undefined;
}

/** Escapes a measurement name: comma and space. */
export function escapeMeasurement(name: string): string {
  return name.replace(/[, ]/g, (c) => `\\${c}`);
}

/** Escapes a tag key, tag value or field key: comma, `=` and space. */
export function escapeKey(text: string): string {
  return text.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** Escapes a string field value (without its quotes): `"` and backslash. */
export function escapeString(text: string): string {
  return text.replace(/["\\]/g, (c) => `\\${c}`);
}

/** Writes one field value. */
export function formatValue(v: TestFieldValue): string {
  switch (v.type) {
    case "float":
      return Object.is(v.value, -0) ? "-0" : String(v.value);
    case "integer":
      return `${v.value}i`;
    case "unsigned":
      return `${v.value}u`;
    case "string":
      return `"${escapeString(v.value)}"`;
    case "boolean":
      return v.spelling ?? (v.value ? "true" : "false");
  }
}

/** Writes one point as a line (without the newline). */
export function formatPoint(p: TestPoint): string {
  let line = escapeMeasurement(p.measurement);
  for (const [k, v] of p.tags) line += `,${escapeKey(k)}=${escapeKey(v)}`;
  line += " " + p.fields.map(([k, v]) => `${escapeKey(k)}=${formatValue(v)}`).join(",");
  if (p.timestamp !== undefined) line += ` ${p.timestamp}`;
  return line;
}

/** One parsed row as a plain object: `time` plus every tag and field (null when absent). */
export type TestRow = Record<string, unknown>;

/** The rows of a parsed measurement, in order. */
export function rowsOf(m: ParsedMeasurement): TestRow[] {
  const rows: TestRow[] = [];
  for (let i = 0; i < m.rows; i++) {
    const row: TestRow = { time: m.time[i] };
    for (const [k, c] of m.tags) row[k] = valueAt(c, i);
    for (const [k, f] of m.fields) row[k] = valueAt(f.column, i);
    rows.push(row);
  }
  return rows;
}

/** Parses text (UTF-8) with `defaultTimeMicros: 0` unless given. */
export function parseText(
  text: string,
  options: Partial<ParseLineProtocolOptions> = {},
): ParseResult {
  return parseLineProtocol(new TextEncoder().encode(text), { defaultTimeMicros: 0, ...options });
}

/** The rows of every measurement, keyed by measurement name. */
export function allRows(result: ParseResult): Record<string, TestRow[]> {
  const out: Record<string, TestRow[]> = {};
  for (const [name, m] of result.measurements) out[name] = rowsOf(m);
  return out;
}
