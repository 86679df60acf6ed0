/**
 * Pruning: the value ranges that a scan's pushed filters allow per column, so that partitions and
 * segments whose statistics lie outside are never read. Only `column <op> constant` conjuncts
 * over number-like columns (integers, floats, dates, times, timestamps) count; anything else
 * allows everything. Filters are always re-checked above the scan, so this only has to be safe:
 * it must never drop a row the filter would keep.
 *
 * @example
 * ```ts
 * import { columnRanges, overlaps } from "./prune.ts";
 * import { Types } from "../../core/types/mod.ts";
 * const col = { kind: "column", index: 0, type: Types.int4 } as const;
 * const five = { kind: "const", value: 5, type: Types.int4 } as const;
 * const ranges = columnRanges([{ kind: "op", op: "gt", left: col, right: five, type: Types.bool }]);
 * console.assert(!overlaps(ranges.get(0)!, 1, 5) && overlaps(ranges.get(0)!, 1, 6));
 * ```
 *
 * @module
 */
import type { BoundExpr } from "../../core/plan/expr.ts";
import type { TypeKind } from "../../core/types/data_type.ts";

/** Allowed values of a column: between `lo` and `hi`, each bound inclusive or not. */
export interface ValueRange {
  lo: number;
  loInclusive: boolean;
  hi: number;
  hiInclusive: boolean;
}

const numberKinds: ReadonlySet<TypeKind> = new Set<TypeKind>([
  "int2",
  "int4",
  "float4",
  "float8",
  "date",
  "timestamp",
  "timestamptz",
  "time",
]);

/** Whether a kind's values (and statistics) are plain numbers that compare as numbers. */
export function isNumberKind(kind: TypeKind): boolean {
  return numberKinds.has(kind);
}

function conjuncts(e: BoundExpr, out: BoundExpr[]): void {
  if (e.kind === "op" && e.op === "and") {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
}

const flipped = { lt: "gt", le: "ge", gt: "lt", ge: "le", eq: "eq" } as const;

/** Ranges by the filters' column index (a position in the scan's projection). */
export function columnRanges(filters: readonly BoundExpr[]): Map<number, ValueRange> {
  const out = new Map<number, ValueRange>();
  const all: BoundExpr[] = [];
  for (const f of filters) conjuncts(f, all);
  for (const c of all) {
    if (c.kind !== "op" || !(c.op in flipped)) continue;
    let op = c.op as keyof typeof flipped;
    let col = c.left, k = c.right;
    if (col.kind !== "column") {
      [col, k] = [k, col];
      op = flipped[op];
    }
    if (col.kind !== "column" || k.kind !== "const") continue;
    if (!isNumberKind(col.type.kind) || col.type.kind !== k.type.kind) continue;
    const v = k.value;
    if (typeof v !== "number" || Number.isNaN(v)) continue;
    const r = out.get(col.index) ??
      { lo: -Infinity, loInclusive: true, hi: Infinity, hiInclusive: true };
    if (op === "eq" || op === "gt" || op === "ge") {
      const inclusive = op !== "gt";
      if (v > r.lo || (v === r.lo && !inclusive)) {
        r.lo = v;
        r.loInclusive = inclusive;
      }
    }
    if (op === "eq" || op === "lt" || op === "le") {
      const inclusive = op !== "lt";
      if (v < r.hi || (v === r.hi && !inclusive)) {
        r.hi = v;
        r.hiInclusive = inclusive;
      }
    }
    out.set(col.index, r);
  }
  return out;
}

/** Whether any value in `[min, max]` can satisfy the range. */
export function overlaps(r: ValueRange, min: number, max: number): boolean {
  if (Number.isNaN(min) || Number.isNaN(max)) return true;
  if (max < r.lo || (max === r.lo && !r.loInclusive)) return false;
  if (min > r.hi || (min === r.hi && !r.hiInclusive)) return false;
  return true;
}

/**
 * `text_column = 'constant'` conjuncts, by the filters' column index: the series a scan needs.
 * Only exact equality of text or varchar values counts (no collation or padding rules apply).
 */
export function textEqualities(filters: readonly BoundExpr[]): Map<number, string> {
  const out = new Map<number, string>();
  const all: BoundExpr[] = [];
  for (const f of filters) conjuncts(f, all);
  for (const c of all) {
    if (c.kind !== "op" || c.op !== "eq") continue;
    const [col, k] = c.left.kind === "column" ? [c.left, c.right] : [c.right, c.left];
    if (col.kind !== "column" || k.kind !== "const" || typeof k.value !== "string") continue;
    if (col.type.kind !== "text" && col.type.kind !== "varchar") continue;
    // two different constants: no row matches; keeping the first is safe (the filter decides)
    if (!out.has(col.index)) out.set(col.index, k.value);
  }
  return out;
}
