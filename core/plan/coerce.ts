/**
 * PostgreSQL-style type coercion: finding a common type for operator arguments, CASE branches
 * and VALUES columns, and the implicit casts that follow.
 *
 * @module
 */
import { DbError, SqlState } from "../errors.ts";
import { type DataType, isNumeric, typeInfo, Types, typeToSql } from "../types/data_type.ts";

const NUMERIC_RANK: Record<string, number> = {
  int2: 1,
  int4: 2,
  int8: 3,
  numeric: 4,
  float4: 5,
  float8: 6,
};
const TIME_RANK: Record<string, number> = { date: 1, timestamp: 2, timestamptz: 3 };

/** The wider of two numeric types (int2 < int4 < int8 < float4 < float8). */
export function widerNumeric(a: DataType, b: DataType): DataType {
  if (a.kind === "numeric" && b.kind === "numeric") {
    return a.precision === b.precision && a.scale === b.scale ? a : Types.numeric;
  }
  const w = NUMERIC_RANK[a.kind]! >= NUMERIC_RANK[b.kind]! ? a : b;
  return w.kind === "numeric" ? Types.numeric : w; // typmods do not survive arithmetic
}

/**
 * The common type of several types (PostgreSQL's UNION/CASE resolution), ignoring `unknown`
 * ones; all-unknown resolves to text. `context` names the construct in the error.
 */
export function commonType(types: readonly DataType[], context: string): DataType {
  let result: DataType | null = null;
  for (const t of types) {
    if (t.kind === "unknown") continue;
    if (result === null) {
      result = t;
      continue;
    }
    if (result.kind === t.kind) {
      if (result.kind === "varchar" && t.kind === "varchar" && result.maxLength !== t.maxLength) {
        result = Types.varchar;
      }
      // numeric(12,3) and numeric: PostgreSQL drops the typmod instead of coercing to the first.
      if (result.kind === "numeric" && t.kind === "numeric") result = widerNumeric(result, t);
      continue;
    }
    const rc = typeInfo[result.kind].category;
    const tc = typeInfo[t.kind].category;
    // time of day has no implicit cast to or from the other date/time types
    if (rc !== tc || result.kind === "time" || t.kind === "time") {
      throw new DbError(
        SqlState.datatypeMismatch,
        `${context} types ${typeToSql(result)} and ${typeToSql(t)} cannot be matched`,
      );
    }
    if (isNumeric(result)) result = widerNumeric(result, t);
    else if (rc === "S") result = Types.text;
    else if (rc === "D") result = TIME_RANK[result.kind]! >= TIME_RANK[t.kind]! ? result : t;
  }
  return result ?? Types.text;
}
