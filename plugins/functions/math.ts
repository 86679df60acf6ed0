/**
 * Mathematical functions (PostgreSQL 15 semantics over double precision): rounding, powers and
 * logarithms, trigonometry, integer `mod`/`gcd`/`lcm`, `pi`, `random`. Errors carry
 * PostgreSQL's SQLSTATE: 2201F for invalid power arguments (sqrt of a negative, 0 ^ -1),
 * 2201E for logarithms of zero or negatives, 22003 for out-of-range results, 22012 for
 * division by zero.
 *
 * @module
 */
import { SqlState } from "../../core/errors.ts";
import { type DataType, Types } from "../../core/types/data_type.ts";
import { allocData, type Column, isValid, makeColumn } from "../../core/types/column.ts";
import { commonType } from "../../core/plan/coerce.ts";
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import type { Random } from "../../core/env/random.ts";
import {
  andValidities,
  dbError,
  float8Args,
  floatOverflow,
  floatUnderflow,
  integerOrUnknown,
  numericOrUnknown,
  PgState,
  withNull,
} from "./_common.ts";

/** A float8 -> float8 function applied to the non-NULL rows. */
function unaryFloat(name: string, f: (x: number) => number): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (types) => float8Args(types, 1),
    evaluate([a], n) {
      const x = a!.data as Float64Array;
      const v = a!.validity;
      const out = new Float64Array(n);
      if (v === null) { for (let i = 0; i < n; i++) out[i] = f(x[i]!); }
      else for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = f(x[i]!);
      return makeColumn(Types.float8, n, out, v);
    },
  };
}

/** A (float8, float8) -> float8 function applied where both arguments are non-NULL. */
function binaryFloat(name: string, f: (x: number, y: number) => number): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (types) => float8Args(types, 2),
    evaluate(args, n) {
      const x = args[0]!.data as Float64Array;
      const y = args[1]!.data as Float64Array;
      const v = andValidities(args, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = f(x[i]!, y[i]!);
      return makeColumn(Types.float8, n, out, v);
    },
  };
}

/** A (float8, int4) -> float8 function (round/trunc to a number of decimal places). */
function floatIntFn(name: string, f: (x: number, d: number) => number): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve(types) {
      if (types.length !== 2 || !numericOrUnknown(types[0]!) || !integerOrUnknown(types[1]!)) {
        return null;
      }
      return { returns: Types.float8, argTypes: [Types.float8, Types.int4] };
    },
    evaluate(args, n) {
      const x = args[0]!.data as Float64Array;
      const d = args[1]!.data as Int32Array;
      const v = andValidities(args, n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) if (isValid(v, i)) out[i] = f(x[i]!, d[i]!);
      return makeColumn(Types.float8, n, out, v);
    },
  };
}

/** C's rint(): round half to even, as PostgreSQL's round(double precision). */
export function rint(x: number): number {
  const r = Math.round(x);
  if (x - Math.trunc(x) === 0.5 || x - Math.trunc(x) === -0.5) return 2 * Math.round(x / 2);
  return r;
}

/** `x * 10^k` computed on the shortest decimal form of `x`, so 1.005 shifts to 100.5 exactly. */
function shiftDecimal(x: number, k: number): number {
  const s = x.toExponential();
  const e = s.indexOf("e");
  return Number(`${s.slice(0, e)}e${Number(s.slice(e + 1)) + k}`);
}

/**
 * Rounds (half away from zero) or truncates `x` to `places` decimal places, working on the
 * shortest decimal form of `x` the way PostgreSQL's numeric round/trunc works on a decimal
 * literal: `round(1.005, 2)` is 1.01 and `round(1234.5, -2)` is 1200.
 */
export function roundDecimal(x: number, places: number, truncate: boolean): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return 0;
  const shifted = shiftDecimal(x, places);
  if (shifted === 0) return 0;
  if (!Number.isFinite(shifted) || Number.isInteger(shifted)) return x;
  const r = truncate ? Math.trunc(shifted) : Math.sign(shifted) * Math.round(Math.abs(shifted));
  if (r === 0) return 0;
  const back = shiftDecimal(r, -places);
  return back === 0 ? 0 : back;
}

/** PostgreSQL's dpow(): POSIX special cases, SQL-standard error codes. */
export function power(x: number, y: number): number {
  if (Number.isNaN(x)) return Number.isNaN(y) || y !== 0 ? NaN : 1;
  if (Number.isNaN(y)) return x !== 1 ? NaN : 1;
  if (x === 0 && y < 0) {
    throw dbError(PgState.invalidArgumentForPower, "zero raised to a negative power is undefined");
  }
  if (x < 0 && Math.floor(y) !== y) {
    throw dbError(
      PgState.invalidArgumentForPower,
      "a negative number raised to a non-integer power yields a complex result",
    );
  }
  if (!Number.isFinite(y)) {
    const ax = Math.abs(x);
    if (ax === 1) return 1;
    if (y > 0) return ax > 1 ? y : 0;
    return ax > 1 ? 0 : -y;
  }
  if (!Number.isFinite(x)) {
    if (y === 0) return 1;
    if (x > 0) return y > 0 ? x : 0;
    const half = y / 2;
    const odd = Math.floor(half) !== half;
    if (y > 0) return odd ? x : -x;
    return odd ? -0 : 0;
  }
  const r = Math.pow(x, y);
  if (!Number.isFinite(r)) throw floatOverflow();
  if (r === 0 && x !== 0) throw floatUnderflow();
  return r;
}

function sqrt(x: number): number {
  if (x < 0) {
    throw dbError(PgState.invalidArgumentForPower, "cannot take square root of a negative number");
  }
  return Math.sqrt(x);
}

function exp(x: number): number {
  if (Number.isNaN(x)) return x;
  if (!Number.isFinite(x)) return x > 0 ? x : 0;
  const r = Math.exp(x);
  if (!Number.isFinite(r)) throw floatOverflow();
  if (r === 0) throw floatUnderflow();
  return r;
}

function checkLogArg(x: number): void {
  if (x === 0) throw dbError(PgState.invalidArgumentForLog, "cannot take logarithm of zero");
  if (x < 0) {
    throw dbError(PgState.invalidArgumentForLog, "cannot take logarithm of a negative number");
  }
}

function ln(x: number): number {
  checkLogArg(x);
  return Math.log(x);
}

function log10(x: number): number {
  checkLogArg(x);
  return Math.log10(x);
}

/** log(b, x): logarithm of x to base b; exact when x is an integral power of b. */
export function logBase(b: number, x: number): number {
  checkLogArg(b);
  checkLogArg(x);
  if (b === 1) throw dbError(SqlState.divisionByZero, "division by zero");
  const r = b === 10 ? Math.log10(x) : b === 2 ? Math.log2(x) : Math.log(x) / Math.log(b);
  const k = Math.round(r);
  if (r !== k && Math.abs(r - k) < 1e-9 && Math.pow(b, k) === x) return k;
  return r;
}

function outOfRange(): never {
  throw dbError(SqlState.numericValueOutOfRange, "input is out of range");
}

function periodic(f: (x: number) => number): (x: number) => number {
  return (x) => (x === Infinity || x === -Infinity ? outOfRange() : f(x));
}

function inverseTrig(f: (x: number) => number): (x: number) => number {
  return (x) => (x < -1 || x > 1 ? outOfRange() : f(x));
}

const radiansPerDegree = Math.PI / 180;

function degrees(x: number): number {
  const r = x / radiansPerDegree;
  if (!Number.isFinite(r) && Number.isFinite(x)) throw floatOverflow();
  return r;
}

function radians(x: number): number {
  const r = x * radiansPerDegree;
  if (!Number.isFinite(r) && Number.isFinite(x)) throw floatOverflow();
  if (r === 0 && x !== 0) throw floatUnderflow();
  return r;
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Integer kinds ordered by width. */
const intRank: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3 };

/** The common integer type of integer/untyped arguments, at least `floor`. */
function commonInteger(types: readonly DataType[], floor: DataType): DataType {
  let best = floor;
  for (const t of types) {
    if (t.kind !== "unknown" && intRank[t.kind]! > intRank[best.kind]!) best = t;
  }
  return best;
}

function divisionByZero(): never {
  throw dbError(SqlState.divisionByZero, "division by zero");
}

const modFn: ScalarFunctionDef = {
  name: "mod",
  volatility: "immutable",
  resolve(types) {
    if (types.length !== 2) return null;
    if (types.every(integerOrUnknown)) {
      const t = commonInteger(
        types,
        types.some((x) => x.kind === "unknown") ? Types.int4 : Types.int2,
      );
      return { returns: t, argTypes: [t, t] };
    }
    return float8Args(types, 2);
  },
  evaluate(args, n) {
    const a = args[0]!;
    const b = args[1]!;
    const v = andValidities(args, n);
    if (a.kind === "int8" && b.kind === "int8") {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        const y = b.data[i]!;
        if (y === 0n) divisionByZero();
        out[i] = y === -1n ? 0n : a.data[i]! % y;
      }
      return makeColumn(a.type, n, out, v);
    }
    const x = a.data as Float64Array | Int32Array | Int16Array;
    const y = b.data as Float64Array | Int32Array | Int16Array;
    const out = a.kind === "int2"
      ? new Int16Array(n)
      : a.kind === "int4"
      ? new Int32Array(n)
      : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (!isValid(v, i)) continue;
      const d = y[i]!;
      if (d === 0) divisionByZero();
      out[i] = x[i]! % d;
    }
    return makeColumn(a.type, n, out, v);
  },
};

function intOutOfRange(kind: string): never {
  throw dbError(
    SqlState.numericValueOutOfRange,
    `${kind === "int8" ? "bigint" : "integer"} out of range`,
  );
}

function gcdNumber(a: number, b: number): number {
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function gcdBig(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

const int4Max = 2147483647;
const int8Max = 9223372036854775807n;

function gcdLcm(name: "gcd" | "lcm"): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve(types) {
      if (types.length !== 2 || !types.every(integerOrUnknown)) return null;
      const t = commonInteger(types, Types.int4);
      return { returns: t, argTypes: [t, t] };
    },
    evaluate(args, n) {
      const a = args[0]!;
      const b = args[1]!;
      const v = andValidities(args, n);
      if (a.kind === "int8" && b.kind === "int8") {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) {
          if (!isValid(v, i)) continue;
          const x = a.data[i]!;
          const y = b.data[i]!;
          const g = gcdBig(x, y);
          let r = g;
          if (name === "lcm") {
            r = x === 0n || y === 0n ? 0n : (x / g) * y;
            if (r < 0n) r = -r;
          }
          if (r > int8Max) intOutOfRange("int8");
          out[i] = r;
        }
        return makeColumn(a.type, n, out, v);
      }
      const x = a.data as Int32Array;
      const y = b.data as Int32Array;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        const g = gcdNumber(x[i]!, y[i]!);
        const r = name === "gcd" ? g : x[i] === 0 || y[i] === 0 ? 0 : Math.abs((x[i]! / g) * y[i]!);
        if (r > int4Max) intOutOfRange("int4");
        out[i] = r;
      }
      return makeColumn(a.type, n, out, v);
    },
  };
}

const piFn: ScalarFunctionDef = {
  name: "pi",
  volatility: "immutable",
  resolve: (types) => (types.length === 0 ? { returns: Types.float8, argTypes: [] } : null),
  evaluate: (_args, n) => makeColumn(Types.float8, n, new Float64Array(n).fill(Math.PI), null),
};

/** Number of random 32-bit words fetched per crypto call by `random()`. */
const randomWordsPerFetchMax = 16_384;

/** Fills `out` with uniform doubles in [0, 1) with 53 random bits each. */
function fillRandom(out: Float64Array, source: Random | null): void {
  const n = out.length;
  if (source !== null) {
    for (let i = 0; i < n; i++) {
      out[i] = ((source.nextUint32() >>> 5) * 67108864 + (source.nextUint32() >>> 6)) /
        9007199254740992;
    }
    return;
  }
  const words = new Uint32Array(Math.min(2 * n, randomWordsPerFetchMax));
  for (let i = 0; i < n;) {
    crypto.getRandomValues(words);
    for (let k = 0; k + 1 < words.length && i < n; k += 2, i++) {
      out[i] = ((words[k]! >>> 5) * 67108864 + (words[k + 1]! >>> 6)) / 9007199254740992;
    }
  }
}

/**
 * `random()`: a uniform double in [0, 1), volatile. Randomness comes from the injected
 * `source` (seeded in tests) or, by default, from `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { randomFunction } from "./math.ts";
 * import { SeededRandom } from "../../core/env/random.ts";
 * const f = randomFunction(new SeededRandom(1));
 * const col = f.evaluate([], 3);
 * console.assert(col.length === 3 && f.volatility === "volatile");
 * ```
 */
export function randomFunction(source: Random | null = null): ScalarFunctionDef {
  return {
    name: "random",
    volatility: "volatile",
    resolve: (types) => (types.length === 0 ? { returns: Types.float8, argTypes: [] } : null),
    evaluate(_args, n) {
      const out = new Float64Array(n);
      fillRandom(out, source);
      return makeColumn(Types.float8, n, out, null);
    },
  };
}

/** Compares row i of `a` with row i of `b` (same kind); NaN sorts above all numbers. */
function compareRow(a: Column, b: Column, i: number): number {
  const x = (a.data as ArrayLike<number | bigint | string>)[i]!;
  const y = (b.data as ArrayLike<number | bigint | string>)[i]!;
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  const xn = x !== x;
  const yn = y !== y;
  return xn === yn ? 0 : xn ? 1 : -1;
}

/** `greatest(...)` / `least(...)`: NULL arguments are ignored; all NULL gives NULL. */
function extremum(name: "greatest" | "least"): ScalarFunctionDef {
  const sign = name === "greatest" ? 1 : -1;
  return {
    name,
    volatility: "immutable",
    resolve(types) {
      if (types.length === 0) return null;
      let t: DataType;
      try {
        t = commonType(types, name.toUpperCase());
      } catch {
        return null;
      }
      if (t.kind === "varchar") t = Types.text;
      const common = t;
      return { returns: common, argTypes: types.map(() => common) };
    },
    evaluate(args, n) {
      const type = args[0]!.type;
      const data = allocData(type.kind, n);
      const dst = data as unknown as (number | bigint | string)[];
      let validity: Uint8Array | null = null;
      for (let i = 0; i < n; i++) {
        let best: Column | null = null;
        for (const a of args) {
          if (!isValid(a.validity, i)) continue;
          if (best === null || sign * compareRow(a, best, i) > 0) best = a;
        }
        if (best === null) validity = withNull(validity, n, i);
        else dst[i] = (best.data as unknown as (number | bigint | string)[])[i]!;
      }
      return makeColumn(type, n, data, validity);
    },
  };
}

/** The built-in math functions (abs lives with the original scalars in scalar.ts). */
export const mathFunctions: readonly ScalarFunctionDef[] = [
  unaryFloat("round", rint),
  floatIntFn("round", (x, d) => roundDecimal(x, d, false)),
  unaryFloat("trunc", Math.trunc),
  floatIntFn("trunc", (x, d) => roundDecimal(x, d, true)),
  unaryFloat("ceil", Math.ceil),
  unaryFloat("ceiling", Math.ceil),
  unaryFloat("floor", Math.floor),
  unaryFloat("sign", sign),
  unaryFloat("sqrt", sqrt),
  unaryFloat("cbrt", Math.cbrt),
  binaryFloat("power", power),
  binaryFloat("pow", power),
  unaryFloat("exp", exp),
  unaryFloat("ln", ln),
  unaryFloat("log", log10),
  binaryFloat("log", logBase),
  unaryFloat("log10", log10),
  modFn,
  piFn,
  unaryFloat("degrees", degrees),
  unaryFloat("radians", radians),
  unaryFloat("sin", periodic(Math.sin)),
  unaryFloat("cos", periodic(Math.cos)),
  unaryFloat("tan", periodic(Math.tan)),
  unaryFloat("cot", periodic((x) => 1 / Math.tan(x))),
  unaryFloat("asin", inverseTrig(Math.asin)),
  unaryFloat("acos", inverseTrig(Math.acos)),
  unaryFloat("atan", Math.atan),
  binaryFloat("atan2", Math.atan2),
  unaryFloat("sinh", Math.sinh),
  unaryFloat("cosh", Math.cosh),
  unaryFloat("tanh", Math.tanh),
  unaryFloat("asinh", Math.asinh),
  unaryFloat("acosh", (x) => (x < 1 ? outOfRange() : Math.acosh(x))),
  unaryFloat("atanh", inverseTrig(Math.atanh)),
  gcdLcm("gcd"),
  gcdLcm("lcm"),
  randomFunction(),
  extremum("greatest"),
  extremum("least"),
];
