/**
 * NUMERIC overloads of abs, round, trunc, ceil/ceiling, floor and sign: exact, returning
 * NUMERIC as PostgreSQL does. Registered before the float versions, which they leave alone.
 *
 * @module
 */
import { type DataType, Types } from "../../core/types/data_type.ts";
import { type Column, isValid, makeColumn } from "../../core/types/column.ts";
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { type Dec, formatDec, parseDec, pow10, rescale } from "../../core/types/numeric.ts";
import { andValidities } from "./_common.ts";

function numericArg(types: readonly DataType[], withPlaces: boolean): FunctionResolution | null {
  if (types.length !== (withPlaces ? 2 : 1) || types[0]!.kind !== "numeric") return null;
  if (withPlaces) {
    const p = types[1]!;
    if (p.kind !== "unknown" && p.kind !== "int2" && p.kind !== "int4") return null;
    return { returns: Types.numeric, argTypes: [Types.numeric, Types.int4] };
  }
  return { returns: Types.numeric, argTypes: [Types.numeric] };
}

/** The largest scale round/trunc give a result (PostgreSQL's NUMERIC_DSCALE_MAX). */
export const roundScaleMax = 16383;

/** Rounds or truncates to `places` (may be negative), keeping max(places, 0) as the scale. */
export function roundDec(d: Dec, places: number, mode: "round" | "trunc" | "ceil" | "floor"): Dec {
  places = Math.min(places, roundScaleMax);
  if (places >= d.s) return rescale(d, Math.max(places, 0));
  // places far left of the first digit drop every digit (without a 10^places of that size)
  const digits = (d.v < 0n ? -d.v : d.v).toString().length;
  if (d.s - places > digits + 1) {
    const up = (mode === "ceil" && d.v > 0n) || (mode === "floor" && d.v < 0n);
    if (!up) return { v: 0n, s: Math.max(places, 0) };
  }
  const unit = pow10(d.s - places);
  let q = d.v / unit; // toward zero
  const r = d.v % unit;
  if (r !== 0n) {
    if (mode === "round" && (r < 0n ? -r : r) * 2n >= unit) q += d.v < 0n ? -1n : 1n;
    else if (mode === "ceil" && d.v > 0n) q += 1n;
    else if (mode === "floor" && d.v < 0n) q -= 1n;
  }
  // q is in units of 10^-places
  if (places >= 0) return { v: q, s: places };
  return { v: q * pow10(-places), s: 0 };
}

function numericFn(
  name: string,
  withPlaces: boolean,
  f: (d: Dec, places: number) => Dec,
): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    strict: true,
    resolve: (types) => numericArg(types, withPlaces),
    evaluate(args: readonly Column[], n: number): Column {
      const src = args[0]!.data as string[];
      const places = withPlaces ? (args[1]!.data as Int32Array) : null;
      const v = andValidities(args, n);
      const out = new Array<string>(n).fill("0");
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        out[i] = formatDec(f(parseDec(src[i]!), places === null ? 0 : places[i]!));
      }
      return makeColumn(Types.numeric, n, out, v);
    },
  };
}

/** The NUMERIC overloads. */
export const numericFunctions: readonly ScalarFunctionDef[] = [
  numericFn("abs", false, (d) => ({ v: d.v < 0n ? -d.v : d.v, s: d.s })),
  numericFn("round", false, (d) => roundDec(d, 0, "round")),
  numericFn("round", true, (d, p) => roundDec(d, p, "round")),
  numericFn("trunc", false, (d) => roundDec(d, 0, "trunc")),
  numericFn("trunc", true, (d, p) => roundDec(d, p, "trunc")),
  numericFn("ceil", false, (d) => roundDec(d, 0, "ceil")),
  numericFn("ceiling", false, (d) => roundDec(d, 0, "ceil")),
  numericFn("floor", false, (d) => roundDec(d, 0, "floor")),
  numericFn("sign", false, (d) => ({ v: d.v > 0n ? 1n : d.v < 0n ? -1n : 0n, s: 0 })),
];
