/**
 * A compact way to declare a system relation's columns with PostgreSQL's catalog types mapped
 * to OmenDB's: `oid`, `regproc`, `regclass` -> int4 (OIDs fit int4), `name`, `char`,
 * `int2vector`, `oidvector`, `pg_node_tree`, `inet`, `xid` -> text, `aclitem[]` -> text[].
 *
 * @module
 */
import type { SystemColumn } from "../../core/plugin/system_relation.ts";
import { arrayOf, type DataType, Types } from "../../core/types/data_type.ts";

const typeWords: Readonly<Record<string, DataType>> = {
  oid: Types.int4,
  name: Types.text,
  char: Types.text,
  text: Types.text,
  bool: Types.bool,
  int2: Types.int2,
  int4: Types.int4,
  int8: Types.int8,
  float4: Types.float4,
  float8: Types.float8,
  timestamptz: Types.timestamptz,
  "text[]": arrayOf(Types.text),
  "int2[]": arrayOf(Types.int2),
  "oid[]": arrayOf(Types.int4),
};

/**
 * Columns from `"name:type name:type ..."` (types as in {@link typeWords}).
 *
 * @example
 * ```ts
 * import { columns } from "./columns.ts";
 * const c = columns("oid:oid relname:name relacl:text[]");
 * console.assert(c.length === 3 && c[0]!.type.kind === "int4" && c[2]!.type.kind === "array");
 * ```
 */
export function columns(spec: string): SystemColumn[] {
  return spec.trim().split(/\s+/).map((item) => {
    const [name, word] = item.split(":");
    const type = typeWords[word ?? ""];
    if (name === undefined || type === undefined) {
      throw new Error(`bad system column spec "${item}"`);
    }
    return { name, type };
  });
}
