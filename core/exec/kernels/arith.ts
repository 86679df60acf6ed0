/**
 * Arithmetic over columns of one numeric result type. Integer overflow raises 22003 (never
 * wraps); division by zero raises 22012; integer division truncates toward zero.
 *
 * @module
 */
import { DbError, SqlState } from "../../errors.ts";
import type { DataType } from "../../types/data_type.ts";
import { allocData, type Column, isValid, makeColumn } from "../../types/column.ts";
import { asBigInt64, asFloat64 } from "./numeric.ts";
import { formatInterval, negateInterval, parseInterval } from "../../types/interval.ts";
import {
  addDec,
  type Dec,
  decFromNumber,
  decToNumber,
  divDec,
  formatDec,
  modDec,
  mulDec,
  parseDec,
  subDec,
} from "../../types/numeric.ts";
import { andValidity } from "./validity.ts";

/** The arithmetic operators. */
export type ArithOp = "add" | "sub" | "mul" | "div" | "mod" | "pow";

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

function overflow(typeName: string): DbError {
  return new DbError(SqlState.numericValueOutOfRange, `${typeName} out of range`);
}

function divisionByZero(): DbError {
  return new DbError(SqlState.divisionByZero, "division by zero");
}

/**
 * Applies `op` to two columns already cast to `type` (int2, int4, int8, float4 or float8).
 *
 * @example
 * ```ts
 * import { arith } from "./arith.ts";
 * import { columnFromValues, Types, valueAt } from "../../types/mod.ts";
 * const a = columnFromValues(Types.int4, [7]), b = columnFromValues(Types.int4, [2]);
 * console.assert(valueAt(arith("div", a, b, Types.int4), 0) === 3);
 * ```
 */
export function arith(op: ArithOp, a: Column, b: Column, type: DataType): Column {
  const n = a.length;
  const validity = andValidity(a.validity, b.validity, n);
  const out = allocData(type.kind, n);
  switch (type.kind) {
    case "numeric": {
      const x = a.data as string[];
      const y = b.data as string[];
      const dst = out as string[];
      for (let i = 0; i < n; i++) {
        if (!isValid(validity, i)) continue;
        const l = parseDec(x[i]!);
        const r = parseDec(y[i]!);
        let z: Dec;
        switch (op) {
          case "add":
            z = addDec(l, r);
            break;
          case "sub":
            z = subDec(l, r);
            break;
          case "mul":
            z = mulDec(l, r);
            break;
          case "div":
            z = divDec(l, r);
            break;
          case "mod":
            z = modDec(l, r);
            break;
          case "pow":
            z = decFromNumber(Math.pow(decToNumber(l), decToNumber(r)));
            break;
        }
        dst[i] = formatDec(z);
      }
      return makeColumn(type, n, out, validity);
    }
    case "int8": {
      const x = asBigInt64(a);
      const y = asBigInt64(b);
      const dst = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (!isValid(validity, i)) continue;
        const l = x[i]!;
        const r = y[i]!;
        let z: bigint;
        switch (op) {
          case "add":
            z = l + r;
            break;
          case "sub":
            z = l - r;
            break;
          case "mul":
            z = l * r;
            break;
          case "div":
            if (r === 0n) throw divisionByZero();
            z = l / r;
            break;
          case "mod":
            if (r === 0n) throw divisionByZero();
            z = l % r;
            break;
          case "pow":
            z = BigInt(Math.pow(Number(l), Number(r)));
            break;
        }
        if (z < INT8_MIN || z > INT8_MAX) throw overflow("bigint");
        dst[i] = z;
      }
      return makeColumn(type, n, out, validity);
    }
    case "int2":
    case "int4": {
      const max = type.kind === "int2" ? 32767 : 2147483647;
      const name = type.kind === "int2" ? "smallint" : "integer";
      const x = asFloat64(a);
      const y = asFloat64(b);
      const dst = out as Int32Array | Int16Array;
      for (let i = 0; i < n; i++) {
        if (!isValid(validity, i)) continue;
        const l = x[i]!;
        const r = y[i]!;
        let z: number;
        switch (op) {
          case "add":
            z = l + r;
            break;
          case "sub":
            z = l - r;
            break;
          case "mul":
            z = l * r; // exact: |l*r| < 2^62 may round, but then it is out of range anyway
            break;
          case "div":
            if (r === 0) throw divisionByZero();
            z = Math.trunc(l / r);
            break;
          case "mod":
            if (r === 0) throw divisionByZero();
            z = l % r;
            if (z === 0) z = 0; // no -0
            break;
          case "pow":
            z = Math.pow(l, r);
            break;
        }
        if (!(z >= -max - 1 && z <= max)) throw overflow(name);
        dst[i] = z;
      }
      return makeColumn(type, n, out, validity);
    }
    case "float4":
    case "float8": {
      const x = asFloat64(a);
      const y = asFloat64(b);
      const dst = out as Float64Array | Float32Array;
      const name = type.kind === "float4" ? "real" : "double precision";
      for (let i = 0; i < n; i++) {
        if (!isValid(validity, i)) continue;
        const l = x[i]!;
        const r = y[i]!;
        let z: number;
        switch (op) {
          case "add":
            z = l + r;
            break;
          case "sub":
            z = l - r;
            break;
          case "mul":
            z = l * r;
            break;
          case "div":
            if (r === 0 && !Number.isNaN(l)) throw divisionByZero(); // NaN / 0 is NaN in PostgreSQL
            z = l / r;
            break;
          case "mod":
            if (r === 0) throw divisionByZero();
            z = l % r;
            break;
          case "pow":
            if (l === 0 && r < 0) {
              throw new DbError("2201F", "zero raised to a negative power is undefined");
            }
            if (l < 0 && !Number.isInteger(r)) {
              throw new DbError(
                "2201F",
                "a negative number raised to a non-integer power yields a complex result",
              );
            }
            z = Math.pow(l, r);
            break;
        }
        dst[i] = z;
        if (
          dst[i] === 0 && l !== 0 && Number.isFinite(r) &&
          ((op === "mul" && r !== 0) || op === "div")
        ) {
          throw new DbError(SqlState.numericValueOutOfRange, "value out of range: underflow");
        }
        if (!Number.isFinite(dst[i]!) && Number.isFinite(l) && Number.isFinite(r)) {
          throw new DbError(SqlState.numericValueOutOfRange, `value out of range: overflow`, {
            detail: name,
          });
        }
      }
      return makeColumn(type, n, out, validity);
    }
    default:
      throw new DbError(
        SqlState.undefinedFunction,
        `operator does not exist for type ${type.kind}`,
      );
  }
}

/** Unary minus. */
export function negate(a: Column): Column {
  const n = a.length;
  const out = allocData(a.kind, n);
  switch (a.kind) {
    case "int8": {
      const dst = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (!isValid(a.validity, i)) continue;
        if (a.data[i] === INT8_MIN) throw overflow("bigint");
        dst[i] = -a.data[i]!;
      }
      break;
    }
    case "int2":
    case "int4": {
      const min = a.kind === "int2" ? -32768 : -2147483648;
      const dst = out as Int32Array;
      for (let i = 0; i < n; i++) {
        if (!isValid(a.validity, i)) continue;
        if (a.data[i] === min) throw overflow(a.kind === "int2" ? "smallint" : "integer");
        dst[i] = -a.data[i]!;
      }
      break;
    }
    case "float4":
    case "float8": {
      const dst = out as Float64Array;
      for (let i = 0; i < n; i++) dst[i] = -a.data[i]!;
      break;
    }
    case "unknown":
      return a;
    case "interval": {
      const dst = out as string[];
      for (let i = 0; i < n; i++) {
        if (isValid(a.validity, i)) {
          dst[i] = formatInterval(negateInterval(parseInterval(a.data[i]!)));
        }
      }
      break;
    }
    case "numeric": {
      const dst = out as string[];
      for (let i = 0; i < n; i++) {
        if (!isValid(a.validity, i)) continue;
        const t = a.data[i]!;
        dst[i] = t.startsWith("-") ? t.slice(1) : /^[0.]+$/.test(t) ? t : `-${t}`;
      }
      break;
    }
    default:
      throw new DbError(SqlState.undefinedFunction, `operator does not exist: - ${a.kind}`);
  }
  return makeColumn(a.type, n, out, a.validity);
}
