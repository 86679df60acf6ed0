/**
 * The SQL standard's `information_schema` views over OmenDB's catalog: `schemata`, `tables`,
 * `columns`, `views`, `table_constraints`, `key_column_usage`. Columns follow PostgreSQL 15's
 * (its `yes_or_no` and `cardinal_number` domains are text and int4 here).
 *
 * @module
 */
import type { SystemContext, SystemRelationDef } from "../../core/plugin/system_relation.ts";
import type { Value } from "../../core/types/column.ts";
import type { DataType } from "../../core/types/data_type.ts";
import { columns } from "./columns.ts";
import {
  constraintEntries,
  type ConstraintEntry,
  relationEntries,
  type RelationEntry,
  schemaNames,
} from "./objects.ts";
import { columnTypeOid, defaultUserName, formatType, pgTypeByOid } from "./oids.ts";

type Row = readonly Value[];

function view(
  name: string,
  spec: string,
  rows: (ctx: SystemContext) => Iterable<Row>,
): SystemRelationDef {
  return { schema: "information_schema", name, kind: "view", columns: columns(spec), rows };
}

/** `information_schema.columns.data_type`: the type without modifiers, `ARRAY` for arrays. */
export function standardDataType(t: DataType): string {
  if (t.kind === "array") return "ARRAY";
  return formatType(columnTypeOid(t), -1);
}

function yesNo(b: boolean): string {
  return b ? "YES" : "NO";
}

/** Numeric precision facts of a type: precision, radix, scale. */
function numericFacts(t: DataType): [number | null, number | null, number | null] {
  switch (t.kind) {
    case "int2":
      return [16, 2, 0];
    case "int4":
      return [32, 2, 0];
    case "int8":
      return [64, 2, 0];
    case "float4":
      return [24, 2, null];
    case "float8":
      return [53, 2, null];
    case "numeric":
      return [t.precision, 10, t.precision === null ? null : t.scale ?? 0];
    default:
      return [null, null, null];
  }
}

/** Each constraint with the table it constrains. */
function constraintsWithTables(ctx: SystemContext): [ConstraintEntry, RelationEntry][] {
  const tables = new Map(relationEntries(ctx).map((r) => [r.oid, r]));
  return constraintEntries(ctx).map((c) => [c, tables.get(c.tableOid)!]);
}

/** The constraint and table name columns both constraint views start with. */
function constraintPrefix(ctx: SystemContext, c: ConstraintEntry, t: RelationEntry): Value[] {
  return [ctx.databaseName, c.schema, c.name, ctx.databaseName, t.schema, t.name];
}

/** Every `information_schema` view this plugin registers. */
export const informationSchemaRelations: readonly SystemRelationDef[] = [
  view(
    "schemata",
    `catalog_name:name schema_name:name schema_owner:name default_character_set_catalog:name
     default_character_set_schema:name default_character_set_name:name sql_path:text`,
    (ctx) =>
      schemaNames(ctx).map((s) => [
        ctx.databaseName,
        s,
        defaultUserName,
        null,
        null,
        null,
        null,
      ]),
  ),
  view(
    "tables",
    `table_catalog:name table_schema:name table_name:name table_type:text
     self_referencing_column_name:name reference_generation:text user_defined_type_catalog:name
     user_defined_type_schema:name user_defined_type_name:name is_insertable_into:text
     is_typed:text commit_action:text`,
    (ctx) =>
      relationEntries(ctx).filter((r) => r.kind === "r" || r.kind === "v").map((r) => [
        ctx.databaseName,
        r.schema,
        r.name,
        r.kind === "v" ? "VIEW" : "BASE TABLE",
        null,
        null,
        null,
        null,
        null,
        yesNo(r.kind === "r" && r.system === undefined),
        "NO",
        null,
      ]),
  ),
  view(
    "columns",
    `table_catalog:name table_schema:name table_name:name column_name:name
     ordinal_position:int4 column_default:text is_nullable:text data_type:text
     character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4
     numeric_precision_radix:int4 numeric_scale:int4 datetime_precision:int4
     interval_type:text interval_precision:int4 character_set_catalog:name
     character_set_schema:name character_set_name:name collation_catalog:name
     collation_schema:name collation_name:name domain_catalog:name domain_schema:name
     domain_name:name udt_catalog:name udt_schema:name udt_name:name scope_catalog:name
     scope_schema:name scope_name:name maximum_cardinality:int4 dtd_identifier:name
     is_self_referencing:text is_identity:text identity_generation:text identity_start:text
     identity_increment:text identity_maximum:text identity_minimum:text identity_cycle:text
     is_generated:text generation_expression:text is_updatable:text`,
    function* (ctx) {
      for (const r of relationEntries(ctx)) {
        if (r.kind !== "r" && r.kind !== "v") continue;
        for (const c of r.columns) {
          const t = c.type;
          const [precision, radix, scale] = numericFacts(t);
          const maxLength = t.kind === "varchar" ? t.maxLength : null;
          const temporal = t.kind === "timestamp" || t.kind === "timestamptz" ||
            t.kind === "time" || t.kind === "interval";
          const textual = t.kind === "text" || t.kind === "varchar";
          yield [
            ctx.databaseName,
            r.schema,
            r.name,
            c.name,
            c.attnum,
            c.default,
            yesNo(!c.notNull),
            standardDataType(t),
            maxLength,
            textual ? (maxLength === null ? 1_073_741_824 : maxLength * 4) : null,
            precision,
            radix,
            scale,
            temporal ? 6 : t.kind === "date" ? 0 : null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            ctx.databaseName,
            "pg_catalog",
            pgTypeByOid(columnTypeOid(t))?.name ?? null,
            null,
            null,
            null,
            null,
            String(c.attnum),
            "NO",
            "NO",
            null,
            null,
            null,
            null,
            null,
            "NO",
            "NEVER",
            null,
            yesNo(r.kind === "r" && r.system === undefined),
          ];
        }
      }
    },
  ),
  view(
    "views",
    `table_catalog:name table_schema:name table_name:name view_definition:text
     check_option:text is_updatable:text is_insertable_into:text is_trigger_updatable:text
     is_trigger_deletable:text is_trigger_insertable_into:text`,
    (ctx) =>
      ctx.catalog.views().map((v) => [
        ctx.databaseName,
        v.schema,
        v.name,
        v.sql,
        "NONE",
        "NO",
        "NO",
        "NO",
        "NO",
        "NO",
      ]),
  ),
  view(
    "table_constraints",
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name
     table_schema:name table_name:name constraint_type:text is_deferrable:text
     initially_deferred:text enforced:text nulls_distinct:text`,
    function* (ctx) {
      const kinds = { p: "PRIMARY KEY", u: "UNIQUE", c: "CHECK" } as const;
      for (const [c, t] of constraintsWithTables(ctx)) {
        yield [
          ...constraintPrefix(ctx, c, t),
          kinds[c.type],
          "NO",
          "NO",
          "YES",
          c.type === "c" ? null : "YES",
        ];
      }
    },
  ),
  view(
    "key_column_usage",
    `constraint_catalog:name constraint_schema:name constraint_name:name table_catalog:name
     table_schema:name table_name:name column_name:name ordinal_position:int4
     position_in_unique_constraint:int4`,
    function* (ctx) {
      for (const [c, t] of constraintsWithTables(ctx)) {
        if (c.type === "c") continue;
        for (const [i, attnum] of c.attnums.entries()) {
          const column = t.columns.find((x) => x.attnum === attnum)!;
          yield [
            ...constraintPrefix(ctx, c, t),
            column.name,
            i + 1,
            null,
          ];
        }
      }
    },
  ),
];
