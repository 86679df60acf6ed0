/**
 * Built-in scalar functions. Each is a `ScalarFunctionDef` registered through the same registry
 * a third-party plugin uses.
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import {
  type DataType,
  isNumeric,
  isString,
  Types,
  typeToSql,
} from "../../core/types/data_type.ts";
import {
  allocData,
  allValid,
  type Column,
  isValid,
  makeColumn,
  setNull,
} from "../../core/types/column.ts";
import type { FunctionResolution, ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { commonType } from "../../core/plan/coerce.ts";

function exactly(n: number, types: readonly DataType[]): boolean {
  return types.length === n;
}

function textArg(types: readonly DataType[]): FunctionResolution | null {
  if (!exactly(1, types)) return null;
  const t = types[0]!;
  if (t.kind !== "unknown" && !isString(t)) return null;
  return { returns: Types.text, argTypes: [Types.text] };
}

function mapText(name: string, f: (s: string) => string): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    strict: true,
    resolve: textArg,
    evaluate([a], n) {
      const src = a!.data as string[];
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) out[i] = isValid(a!.validity, i) ? f(src[i]!) : "";
      return makeColumn(Types.text, n, out, a!.validity);
    },
  };
}

const lengthFn: ScalarFunctionDef = {
  name: "length",
  volatility: "immutable",
  strict: true,
  resolve: (t) => (textArg(t) ? { returns: Types.int4, argTypes: [Types.text] } : null),
  evaluate([a], n) {
    const src = a!.data as string[];
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      if (!isValid(a!.validity, i)) continue;
      const s = src[i]!;
      let count = 0;
      for (let k = 0; k < s.length; k++) {
        const c = s.charCodeAt(k);
        if (c < 0xdc00 || c > 0xdfff) count++; // count code points, not UTF-16 units
      }
      out[i] = count;
    }
    return makeColumn(Types.int4, n, out, a!.validity);
  },
};

const absFn: ScalarFunctionDef = {
  name: "abs",
  volatility: "immutable",
  strict: true,
  resolve(types) {
    if (!exactly(1, types)) return null;
    const t = types[0]!.kind === "unknown" ? Types.float8 : types[0]!;
    return isNumeric(t) ? { returns: t, argTypes: [t] } : null;
  },
  evaluate([a], n) {
    const col = a!;
    const out = allocData(col.kind, n);
    switch (col.kind) {
      case "int8": {
        const dst = out as BigInt64Array;
        for (let i = 0; i < n; i++) {
          const x = col.data[i]!;
          if (x === -(2n ** 63n) && isValid(col.validity, i)) {
            throw new DbError(SqlState.numericValueOutOfRange, "bigint out of range");
          }
          dst[i] = x < 0n ? -x : x;
        }
        break;
      }
      case "int2":
      case "int4": {
        const min = col.kind === "int2" ? -32768 : -2147483648;
        const dst = out as Int32Array;
        for (let i = 0; i < n; i++) {
          const x = col.data[i]!;
          if (x === min && isValid(col.validity, i)) {
            throw new DbError(
              SqlState.numericValueOutOfRange,
              `${col.kind === "int2" ? "smallint" : "integer"} out of range`,
            );
          }
          dst[i] = Math.abs(x);
        }
        break;
      }
      case "float4":
      case "float8": {
        const dst = out as Float64Array;
        for (let i = 0; i < n; i++) dst[i] = Math.abs(col.data[i]!);
        break;
      }
      default:
        throw new DbError(SqlState.undefinedFunction, `function abs(${col.kind}) does not exist`);
    }
    return makeColumn(col.type, n, out, col.validity);
  },
};

/** Copies row i of `src` into `out` (same kind). */
function copyRow(out: Column["data"], src: Column, i: number): void {
  if (out !== null && src.data !== null) {
    (out as unknown as unknown[])[i] = (src.data as unknown as unknown[])[i];
  }
}

const coalesceFn: ScalarFunctionDef = {
  name: "coalesce",
  volatility: "immutable",
  resolve(types) {
    if (types.length === 0) return null;
    try {
      const t = commonType(types, "COALESCE");
      return { returns: t, argTypes: types.map(() => t) };
    } catch {
      return null;
    }
  },
  evaluate(args, n) {
    const type = args[0]!.type;
    const out = allocData(type.kind, n);
    const validity = allValid(n);
    for (let i = 0; i < n; i++) {
      let done = false;
      for (const a of args) {
        if (a.kind !== "unknown" && isValid(a.validity, i)) {
          copyRow(out, a, i);
          done = true;
          break;
        }
      }
      if (!done) setNull(validity, i);
    }
    return makeColumn(type, n, out, validity);
  },
};

const nullifFn: ScalarFunctionDef = {
  name: "nullif",
  volatility: "immutable",
  resolve(types) {
    if (!exactly(2, types)) return null;
    try {
      const t = commonType(types, "NULLIF");
      return { returns: types[0]!.kind === "unknown" ? t : t, argTypes: [t, t] };
    } catch {
      return null;
    }
  },
  evaluate([a, b], n) {
    const type = a!.type;
    const out = allocData(type.kind, n);
    const validity = allValid(n);
    for (let i = 0; i < n; i++) {
      if (a!.kind === "unknown" || !isValid(a!.validity, i)) {
        setNull(validity, i);
        continue;
      }
      const av = (a!.data as unknown as unknown[])[i];
      const bv = b!.kind !== "unknown" && isValid(b!.validity, i)
        ? (b!.data as unknown as unknown[])[i]
        : undefined;
      if (bv !== undefined && (av === bv || (Number.isNaN(av) && Number.isNaN(bv)))) {
        setNull(validity, i);
      } else copyRow(out, a!, i);
    }
    return makeColumn(type, n, out, validity);
  },
};

/** The original scalar functions: abs, coalesce, nullif, length, char_length, lower, upper. */
/** `pg_typeof(x)`: the name of x's type, without modifiers (`numeric`, `character varying`). */
const pgTypeofFn: ScalarFunctionDef = {
  name: "pg_typeof",
  volatility: "stable",
  resolve: (types) => (exactly(1, types) ? { returns: Types.text, argTypes: [types[0]!] } : null),
  evaluate([x], n) {
    const name = typeToSql(x!.type).replace(/\(.*\)$/, "");
    return makeColumn(Types.text, n, new Array<string>(n).fill(name), null);
  },
};

export const basicScalarFunctions: readonly ScalarFunctionDef[] = [
  pgTypeofFn,
  absFn,
  coalesceFn,
  nullifFn,
  lengthFn,
  { ...lengthFn, name: "char_length" },
  mapText("lower", (s) => s.toLowerCase()),
  mapText("upper", (s) => s.toUpperCase()),
];
