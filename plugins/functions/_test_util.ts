/**
 * Test helpers: call a function the way the binder and executor do (resolve, cast arguments to
 * the resolved types, evaluate once over the batch), and drive accumulators.
 *
 * @module
 */
import assert from "node:assert/strict";
import { DbError } from "../../core/errors.ts";
import type {
  Accumulator,
  AggregateFunctionDef,
  FunctionResolution,
  ScalarFunctionDef,
} from "../../core/plugin/functions.ts";
import { type Column, columnFromValues, type Value, valueAt } from "../../core/types/column.ts";
import { type DataType, Types } from "../../core/types/data_type.ts";
import { castColumn } from "../../core/exec/kernels/cast.ts";

/** One argument: its SQL type and one value per row. */
export type Arg = readonly [DataType, readonly Value[]];

/** A column of `values`; untyped (`unknown`) values are string literals, as in SQL. */
export function literalColumn(type: DataType, vals: readonly Value[]): Column {
  return columnFromValues(type.kind === "unknown" ? Types.text : type, vals);
}

/** The values of a column. */
export function values(col: Column): Value[] {
  const out: Value[] = [];
  for (let i = 0; i < col.length; i++) out.push(valueAt(col, i));
  return out;
}

/** Finds the first overload of `name` in `fns` that accepts `types`, as the binder does. */
export function resolveScalar(
  fns: readonly ScalarFunctionDef[],
  name: string,
  types: readonly DataType[],
): { fn: ScalarFunctionDef; res: FunctionResolution } | null {
  for (const fn of fns) {
    if (fn.name !== name) continue;
    const res = fn.resolve(types);
    if (res !== null) return { fn, res };
  }
  return null;
}

/** Calls scalar function `name` over rows; returns the result type and values. */
export function callScalar(
  fns: readonly ScalarFunctionDef[],
  name: string,
  ...args: Arg[]
): { type: DataType; values: Value[] } {
  const found = resolveScalar(fns, name, args.map((a) => a[0]));
  assert.ok(found, `no overload of ${name}(${args.map((a) => a[0].kind).join(", ")})`);
  const n = args.length === 0 ? 1 : args[0]![1].length;
  const cols = args.map((a, i) => castColumn(literalColumn(a[0], a[1]), found.res.argTypes[i]!));
  const out = found.fn.evaluate(cols, n);
  assert.equal(out.length, n);
  assert.equal(out.kind, found.res.returns.kind);
  return { type: out.type, values: values(out) };
}

/** Calls `name` on one row of literal arguments and returns the single result value. */
export function call1(
  fns: readonly ScalarFunctionDef[],
  name: string,
  ...args: (readonly [DataType, Value])[]
): Value {
  return callScalar(fns, name, ...args.map(([t, v]): Arg => [t, [v]])).values[0]!;
}

/** Asserts that `f` throws a DbError with SQLSTATE `code`. */
export function assertCode(f: () => unknown, code: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof DbError, `expected DbError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

/** Resolves an aggregate overload and creates its accumulator. */
export function makeAccumulator(
  fns: readonly AggregateFunctionDef[],
  name: string,
  types: readonly DataType[],
): { acc: Accumulator; res: FunctionResolution } {
  for (const fn of fns) {
    if (fn.name !== name) continue;
    const res = fn.resolve(types);
    if (res !== null) return { acc: fn.createAccumulator(res), res };
  }
  throw new Error(`no aggregate ${name}(${types.map((t) => t.kind).join(", ")})`);
}

/**
 * Runs aggregate `name` over rows `args` split into groups by `groups` (group id per row), in
 * batches of `batchRows`, and returns one value per group.
 */
export function aggregate(
  fns: readonly AggregateFunctionDef[],
  name: string,
  args: readonly Arg[],
  groups: readonly number[],
  options: { batchRows?: number; groupCount?: number } = {},
): { type: DataType; values: Value[] } {
  const { acc, res } = makeAccumulator(fns, name, args.map((a) => a[0]));
  feed(acc, res, args, groups, options.batchRows ?? 2048);
  let groupCount = options.groupCount ?? 0;
  if (options.groupCount === undefined) {
    for (const g of groups) groupCount = Math.max(groupCount, g + 1);
  }
  const out = acc.evaluate(groupCount);
  assert.equal(out.length, groupCount);
  assert.equal(out.kind, res.returns.kind);
  return { type: out.type, values: values(out) };
}

/** Feeds rows into an accumulator in batches; group count grows as new ids appear. */
export function feed(
  acc: Accumulator,
  res: FunctionResolution,
  args: readonly Arg[],
  groups: readonly number[],
  batchRows: number,
): void {
  let groupCount = 0;
  for (let start = 0; start < groups.length; start += batchRows) {
    const end = Math.min(groups.length, start + batchRows);
    const ids = Uint32Array.from(groups.slice(start, end));
    for (const g of ids) groupCount = Math.max(groupCount, g + 1);
    const cols = args.map((a, i) =>
      castColumn(literalColumn(a[0], a[1].slice(start, end)), res.argTypes[i]!)
    );
    acc.update(cols, ids, end - start, groupCount);
  }
}
