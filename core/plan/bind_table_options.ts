/**
 * Binds `CREATE TABLE ... WITH (timestamp = 'ts', partition_by = 'day', ttl = '30 days',
 * dedup_keys = 'host')`: the time-series options of a table. Each is checked against the columns
 * being created; a bad one is 22023 (or 42703 for a missing column) at its position.
 *
 * @example
 * ```ts
 * import { bindTableOptions } from "./bind_table_options.ts";
 * import { Types } from "../types/mod.ts";
 * const o = bindTableOptions(
 *   [{ name: "timestamp", value: "ts", pos: 0 }, { name: "partition_by", value: "DAY", pos: 0 }],
 *   [{ name: "ts", type: Types.timestamptz, notNull: true }],
 * );
 * console.assert(o?.partitionBy === "day" && o.timestamp === "ts");
 * ```
 *
 * @module
 */
import type { NewColumn, NewTableOptions } from "../catalog/catalog.ts";
import type { PartitionUnit } from "../catalog/table.ts";
import { DbError, SqlState } from "../errors.ts";
import type { TableOption } from "../sql/ast.ts";
import { intervalSpan, parseInterval } from "../types/interval.ts";

const partitionUnits: readonly PartitionUnit[] = ["none", "hour", "day", "week", "month", "year"];

/** The options, or `null` when the statement has none. */
export function bindTableOptions(
  options: readonly TableOption[],
  columns: readonly NewColumn[],
): NewTableOptions | null {
  if (options.length === 0) return null;
  const bad = (
    o: TableOption,
    message: string,
    code: string = SqlState.invalidParameterValue,
    hint?: string,
  ) => new DbError(code, message, { position: o.pos + 1, ...(hint === undefined ? {} : { hint }) });
  const column = (o: TableOption, name: string) => {
    const c = columns.find((c) => c.name === name);
    if (!c) {
      throw bad(o, `column "${name}" named in option "${o.name}" does not exist`, "42703");
    }
    return c;
  };
  let timestamp: string | null = null;
  let partitionBy: PartitionUnit | null = null;
  let ttlMicros: number | null = null;
  let dedupKeys: string[] = [];
  const seen = new Set<string>();
  for (const o of options) {
    const name = o.name.toLowerCase();
    if (seen.has(name)) throw bad(o, `option "${o.name}" specified more than once`);
    seen.add(name);
    switch (name) {
      case "timestamp": {
        const c = column(o, o.value);
        if (c.type.kind !== "timestamp" && c.type.kind !== "timestamptz") {
          throw bad(o, `timestamp column "${o.value}" must be TIMESTAMP or TIMESTAMPTZ`);
        }
        timestamp = c.name;
        break;
      }
      case "partition_by": {
        const unit = o.value.toLowerCase() as PartitionUnit;
        if (!partitionUnits.includes(unit)) {
          throw bad(
            o,
            `invalid value for option "partition_by": "${o.value}"`,
            SqlState.invalidParameterValue,
            `use one of ${partitionUnits.join(", ")}`,
          );
        }
        partitionBy = unit;
        break;
      }
      case "ttl": {
        let span: number;
        try {
          span = intervalSpan(parseInterval(o.value));
        } catch {
          throw bad(o, `invalid value for option "ttl": "${o.value}" is not an interval`);
        }
        if (!(span > 0)) throw bad(o, `option "ttl" must be a positive interval`);
        ttlMicros = span;
        break;
      }
      case "dedup_keys":
        dedupKeys = o.value.split(",").map((k) => column(o, k.trim()).name);
        break;
      default:
        throw bad(
          o,
          `unrecognized parameter "${o.name}"`,
          SqlState.invalidParameterValue,
          "table options are timestamp, partition_by, ttl and dedup_keys",
        );
    }
  }
  const first = options[0]!;
  if (timestamp === null && (partitionBy !== null && partitionBy !== "none")) {
    throw bad(first, `option "partition_by" needs option "timestamp"`);
  }
  if (timestamp === null && (ttlMicros !== null || dedupKeys.length > 0)) {
    throw bad(first, `options "ttl" and "dedup_keys" need option "timestamp"`);
  }
  return {
    timestamp,
    partitionBy: partitionBy ?? (timestamp === null ? "none" : "day"),
    ttlMicros,
    dedupKeys,
  };
}
