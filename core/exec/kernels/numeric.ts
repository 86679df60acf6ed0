/**
 * Numeric views of columns for kernels: one conversion per column, then tight loops.
 *
 * @module
 */
import { assert } from "../../errors.ts";
import type { Column } from "../../types/column.ts";

/** The column's values as float64 (int8 may lose precision beyond 2^53). */
export function asFloat64(col: Column): Float64Array {
  switch (col.kind) {
    case "float8":
    case "timestamp":
    case "timestamptz":
    case "time":
      return col.data;
    case "int2":
    case "int4":
    case "float4":
    case "date":
    case "bool":
      return Float64Array.from(col.data);
    case "int8": {
      const out = new Float64Array(col.length);
      const d = col.data;
      for (let i = 0; i < col.length; i++) out[i] = Number(d[i]!);
      return out;
    }
    case "unknown":
      return new Float64Array(col.length);
    case "numeric": {
      const out = new Float64Array(col.length);
      for (let i = 0; i < col.length; i++) out[i] = Number(col.data[i]!);
      return out;
    }
    default:
      assert(false, `asFloat64 on ${col.kind}`);
  }
}

/** The column's values as int64. */
export function asBigInt64(col: Column): BigInt64Array {
  switch (col.kind) {
    case "int8":
      return col.data;
    case "int2":
    case "int4":
    case "bool": {
      const out = new BigInt64Array(col.length);
      const d = col.data;
      for (let i = 0; i < col.length; i++) out[i] = BigInt(d[i]!);
      return out;
    }
    case "unknown":
      return new BigInt64Array(col.length);
    default:
      assert(false, `asBigInt64 on ${col.kind}`);
  }
}
