/**
 * Compares two engines' {@link Outcome}s. Errors compare by SQLSTATE class. Rows compare as a
 * bag (multiset), unless the query orders: then the ORDER BY key columns must come in the same
 * sequence, rows within a run of equal keys compare as a bag, and a run cut by LIMIT or OFFSET
 * compares by its keys only (engines may pick different tied rows).
 *
 * @module
 */

import { type Cell, cellKey, cellsEqual, showCell } from "./cell.ts";
import type { Outcome } from "./outcome.ts";

/** How the query orders its rows, as far as comparison needs to know. */
export interface OrderSpec {
  /** Output column indexes of the ORDER BY keys, in key order. */
  readonly keyColumns: readonly number[];
  /** True when LIMIT may have cut the last run of equal keys. */
  readonly limited: boolean;
  /** True when OFFSET may have cut the first run of equal keys. */
  readonly offset: boolean;
}

/** The result of a comparison: equal, or not with a reason. */
export type Comparison = { readonly equal: true } | {
  readonly equal: false;
  readonly reason: string;
};

/** How many rows a message shows at most. */
export const shownRowsMax = 8;

type Row = readonly Cell[];

/** Renders rows for a message: `(1, 'a') (NULL, 'b')`, truncated. */
export function showRows(rows: readonly Row[]): string {
  const shown = rows.slice(0, shownRowsMax).map((r) => `(${r.map(showCell).join(", ")})`);
  if (rows.length > shownRowsMax) shown.push(`... ${rows.length - shownRowsMax} more`);
  return shown.length === 0 ? "(no rows)" : shown.join(" ");
}

/** Renders an outcome for a message. */
export function showOutcome(o: Outcome): string {
  if (!o.ok) {
    const code = o.code ?? `class ${o.sqlClass}`;
    return `ERROR ${code}${o.stage === "setup" ? " (during setup)" : ""}: ${o.message}`;
  }
  const cols = o.columns.map((c) => `${c.name}:${c.type}`).join(", ");
  return `${o.rows.length} row(s) [${cols}] ${showRows(o.rows)}`;
}

function rowsEqual(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!cellsEqual(a[i] ?? null, b[i] ?? null)) return false;
  return true;
}

/**
 * Multiset equality with tolerant cells; returns the first unmatched row of each side. Rows
 * equal exactly are paired first, so that a tolerant match (a float near two exact integers)
 * cannot take the partner an exact row needs.
 */
function bagDiff(a: readonly Row[], b: readonly Row[]): { onlyA: Row[]; onlyB: Row[] } {
  const used = new Uint8Array(b.length);
  const byKey = new Map<string, number[]>();
  b.forEach((rb, j) => {
    const k = JSON.stringify(rb.map(cellKey));
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [j]);
    else list.push(j);
  });
  const rest: Row[] = [];
  for (const ra of a) {
    const j = byKey.get(JSON.stringify(ra.map(cellKey)))?.pop();
    if (j === undefined) rest.push(ra);
    else used[j] = 1;
  }
  const onlyA: Row[] = [];
  for (const ra of rest) {
    let found = -1;
    for (let j = 0; j < b.length; j++) {
      if (used[j] === 0 && rowsEqual(ra, b[j] ?? [])) {
        found = j;
        break;
      }
    }
    if (found < 0) onlyA.push(ra);
    else used[found] = 1;
  }
  const onlyB = b.filter((_, j) => used[j] === 0);
  return { onlyA, onlyB };
}

function keyOf(row: Row, keys: readonly number[]): Row {
  return keys.map((k) => row[k] ?? null);
}

function runs(rows: readonly Row[], keys: readonly number[]): Row[][] {
  const out: Row[][] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    const head = last?.[0];
    if (last !== undefined && head !== undefined && rowsEqual(keyOf(head, keys), keyOf(r, keys))) {
      last.push(r);
    } else out.push([r]);
  }
  return out;
}

function compareOrdered(a: readonly Row[], b: readonly Row[], order: OrderSpec): Comparison {
  const keys = order.keyColumns;
  for (let i = 0; i < a.length; i++) {
    const ka = keyOf(a[i] ?? [], keys);
    const kb = keyOf(b[i] ?? [], keys);
    if (!rowsEqual(ka, kb)) {
      return {
        equal: false,
        reason: `ORDER BY keys differ at row ${i + 1}: ${showRows([ka])} vs ${showRows([kb])}`,
      };
    }
  }
  const ra = runs(a, keys);
  const rb = runs(b, keys);
  for (let i = 0; i < ra.length; i++) {
    const ga = ra[i] ?? [];
    const gb = rb[i] ?? [];
    const cut = (order.offset && i === 0) || (order.limited && i === ra.length - 1);
    if (cut) continue; // the engines may have kept different tied rows
    const d = bagDiff(ga, gb);
    if (d.onlyA.length > 0 || d.onlyB.length > 0) {
      return {
        equal: false,
        reason: `rows tied on the ORDER BY keys differ: ${showRows(d.onlyA)} vs ${
          showRows(d.onlyB)
        }`,
      };
    }
  }
  return { equal: true };
}

/**
 * Compares two outcomes. `order` (when the query has ORDER BY) switches on the ordered compare.
 */
export function compareOutcomes(a: Outcome, b: Outcome, order: OrderSpec | null): Comparison {
  if (!a.ok || !b.ok) {
    if (!a.ok && !b.ok) {
      if (a.sqlClass !== b.sqlClass) {
        return {
          equal: false,
          reason: `error classes differ: ${a.sqlClass} vs ${b.sqlClass}`,
        };
      }
      if (a.stage !== b.stage) {
        return { equal: false, reason: `errors in different stages: ${a.stage} vs ${b.stage}` };
      }
      return { equal: true };
    }
    return { equal: false, reason: a.ok ? "only the second failed" : "only the first failed" };
  }
  if (a.columns.length !== b.columns.length) {
    return {
      equal: false,
      reason: `column counts differ: ${a.columns.length} vs ${b.columns.length}`,
    };
  }
  if (a.rows.length !== b.rows.length) {
    return { equal: false, reason: `row counts differ: ${a.rows.length} vs ${b.rows.length}` };
  }
  if (order !== null && order.keyColumns.length > 0) return compareOrdered(a.rows, b.rows, order);
  const d = bagDiff(a.rows, b.rows);
  if (d.onlyA.length === 0 && d.onlyB.length === 0) return { equal: true };
  return {
    equal: false,
    reason: `rows differ: only in first ${showRows(d.onlyA)}; only in second ${showRows(d.onlyB)}`,
  };
}
