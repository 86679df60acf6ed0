/**
 * The `pg_catalog` relations: PostgreSQL's system catalogs and views as far as psql, drivers and
 * dashboards read them, computed from OmenDB's catalog and sessions. Catalogs of objects OmenDB
 * does not have (policies, publications, inheritance, statistics objects) exist and are empty,
 * so tools' queries that join them work. See docs/pg_catalog.md.
 *
 * @module
 */
import type {
  SessionActivity,
  SystemContext,
  SystemRelationDef,
} from "../../core/plugin/system_relation.ts";
import type { Value } from "../../core/types/column.ts";
import { typeInfo } from "../../core/types/data_type.ts";
import { formatArrayText } from "../../core/types/array.ts";
import { columns } from "./columns.ts";
import { settingDisplayName } from "../../core/engine/settings.ts";
import {
  bootstrapRoleOid,
  btreeAmOid,
  columnTypeOid,
  databaseOid,
  defaultCollationOid,
  defaultTablespaceOid,
  defaultUserName,
  hashedOid,
  heapAmOid,
  pgCatalogOid,
  pgTypes,
  roleOid,
  typeModifier,
} from "./oids.ts";
import {
  constraintEntries,
  namespaceOid,
  relationEntries,
  type RelationEntry,
  schemaNames,
} from "./objects.ts";
import { indexDefinition } from "./definitions.ts";

/** PostgreSQL's encoding number of UTF8 (`pg_encoding_to_char(6)`). */
export const utf8EncodingId = 6;

type Row = readonly Value[];

function rel(
  name: string,
  spec: string,
  rows: (ctx: SystemContext) => Iterable<Row>,
  extra: { oid?: number; kind?: "view" } = {},
): SystemRelationDef {
  return { schema: "pg_catalog", name, columns: columns(spec), rows, ...extra };
}

const empty = () => [];

/** The users `pg_roles` lists: the default user, then the catalog's. */
function roleNames(ctx: SystemContext): string[] {
  const names = ctx.catalog.users().map((u) => u.name);
  return names.includes(defaultUserName) ? names : [defaultUserName, ...names];
}

function classRow(r: RelationEntry, ctx: SystemContext): Row {
  const indexes = r.table ? ctx.catalog.indexesOf(r.table.schema, r.table.name) : [];
  const am = r.kind === "r" ? heapAmOid : r.kind === "i" ? btreeAmOid : 0;
  return [
    r.oid,
    r.name,
    namespaceOid(r.schema),
    0, // reltype
    0, // reloftype
    bootstrapRoleOid,
    am,
    r.oid, // relfilenode
    0, // reltablespace
    0, // relpages
    r.table === undefined ? -1 : ctx.estimateRows(r.table.id), // reltuples
    0, // relallvisible
    0, // reltoastrelid
    indexes.length > 0,
    false, // relisshared
    "p",
    r.kind,
    r.columns.length,
    r.table?.checks?.length ?? 0,
    false, // relhasrules
    false, // relhastriggers
    false, // relhassubclass
    false, // relrowsecurity
    false, // relforcerowsecurity
    true, // relispopulated
    "d", // relreplident
    false, // relispartition
    0, // relrewrite
    null, // relacl
    null, // reloptions
    null, // relpartbound
  ];
}

function statActivityRow(a: SessionActivity, ctx: SystemContext): Row {
  return [
    databaseOid,
    ctx.databaseName,
    a.pid,
    null, // leader_pid
    a.user === null ? null : roleOid(a.user),
    a.user,
    a.applicationName,
    a.clientAddress,
    null, // client_hostname
    a.clientPort,
    a.backendStart,
    a.xactStart,
    a.queryStart,
    a.stateChange,
    null, // wait_event_type
    null, // wait_event
    a.state,
    null, // backend_xid
    null, // backend_xmin
    null, // query_id
    a.query,
    "client backend",
  ];
}

/** Every `pg_catalog` relation this plugin registers. */
export const pgCatalogRelations: readonly SystemRelationDef[] = [
  rel(
    "pg_namespace",
    "oid:oid nspname:name nspowner:oid nspacl:text[]",
    (ctx) => schemaNames(ctx).map((s) => [namespaceOid(s), s, bootstrapRoleOid, null]),
    { oid: 2615 },
  ),
  rel(
    "pg_class",
    `oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid
     relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4
     reltoastrelid:oid relhasindex:bool relisshared:bool relpersistence:char relkind:char
     relnatts:int2 relchecks:int2 relhasrules:bool relhastriggers:bool relhassubclass:bool
     relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool relreplident:char
     relispartition:bool relrewrite:oid relacl:text[] reloptions:text[] relpartbound:text`,
    (ctx) => relationEntries(ctx).map((r) => classRow(r, ctx)),
    { oid: 1259 },
  ),
  rel(
    "pg_attribute",
    `attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2
     attndims:int4 attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char
     attcompression:char attnotnull:bool atthasdef:bool atthasmissing:bool attidentity:char
     attgenerated:char attisdropped:bool attislocal:bool attinhcount:int4 attcollation:oid
     attacl:text[] attoptions:text[] attfdwoptions:text[] attmissingval:text`,
    function* (ctx) {
      for (const r of relationEntries(ctx)) {
        for (const c of r.columns) {
          const oid = columnTypeOid(c.type);
          const len = pgTypes.find((t) => t.oid === oid)?.len ?? -1;
          const textual = c.type.kind === "text" || c.type.kind === "varchar";
          yield [
            r.oid,
            c.name,
            oid,
            -1,
            len,
            c.attnum,
            c.type.kind === "array" ? 1 : 0,
            -1,
            typeModifier(c.type),
            len > 0 && len <= 8,
            len === 8 ? "d" : "i",
            len === -1 ? "x" : "p",
            "",
            c.notNull,
            c.default !== null,
            false,
            "",
            "",
            false,
            true,
            0,
            textual ? defaultCollationOid : 0,
            null,
            null,
            null,
            null,
          ];
        }
      }
    },
    { oid: 1249 },
  ),
  rel(
    "pg_type",
    `oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char
     typcategory:char typispreferred:bool typisdefined:bool typdelim:char typrelid:oid
     typsubscript:text typelem:oid typarray:oid typinput:text typoutput:text typreceive:text
     typsend:text typmodin:text typmodout:text typanalyze:text typalign:char typstorage:char
     typnotnull:bool typbasetype:oid typtypmod:int4 typndims:int4 typcollation:oid
     typdefaultbin:text typdefault:text typacl:text[]`,
    () =>
      pgTypes.map((t) => [
        t.oid,
        t.name,
        pgCatalogOid,
        bootstrapRoleOid,
        t.len,
        t.len > 0 && t.len <= 8,
        t.kind,
        t.category,
        t.preferred,
        true,
        ",",
        0,
        t.category === "A" ? "array_subscript_handler" : "-",
        t.elem,
        t.array,
        t.category === "A" ? "array_in" : `${t.name}in`,
        t.category === "A" ? "array_out" : `${t.name}out`,
        t.category === "A" ? "array_recv" : `${t.name}recv`,
        t.category === "A" ? "array_send" : `${t.name}send`,
        "-",
        "-",
        "-",
        t.len === 8 ? "d" : "i",
        t.len === -1 ? "x" : "p",
        false,
        0,
        -1,
        0,
        t.category === "S" ? defaultCollationOid : 0,
        null,
        null,
        null,
      ]),
    { oid: 1247 },
  ),
  rel(
    "pg_index",
    `indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool
     indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool
     indisclustered:bool indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool
     indisreplident:bool indkey:text indcollation:text indclass:text indoption:text
     indexprs:text indpred:text`,
    function* (ctx) {
      for (const r of relationEntries(ctx)) {
        if (r.kind !== "i" || r.index === undefined) continue;
        const table = ctx.catalog.getTable(r.index.schema, r.index.table);
        const keys = r.index.columns.map((n) => table?.columns.find((c) => c.name === n)?.id ?? 0);
        yield [
          r.oid,
          r.indexedOid ?? 0,
          keys.length,
          keys.length,
          r.index.unique,
          false,
          r.index.primary === true,
          false,
          true,
          false,
          true,
          false,
          true,
          true,
          false,
          keys.join(" "),
          keys.map(() => "0").join(" "),
          keys.map(() => "0").join(" "),
          keys.map(() => "0").join(" "),
          null,
          null,
        ];
      }
    },
    { oid: 2610 },
  ),
  rel(
    "pg_database",
    `oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool
     datallowconn:bool datconnlimit:int4 datfrozenxid:text datminmxid:text dattablespace:oid
     datcollate:text datctype:text daticulocale:text datcollversion:text datacl:text[]`,
    (ctx) => [[
      databaseOid,
      ctx.databaseName,
      bootstrapRoleOid,
      utf8EncodingId,
      "c",
      false,
      true,
      -1,
      null,
      null,
      defaultTablespaceOid,
      "C",
      "C",
      null,
      null,
      null,
    ]],
    { oid: 1262 },
  ),
  rel(
    "pg_settings",
    `name:text setting:text unit:text category:text short_desc:text extra_desc:text
     context:text vartype:text source:text min_val:text max_val:text enumvals:text[]
     boot_val:text reset_val:text sourcefile:text sourceline:int4 pending_restart:bool`,
    (ctx) =>
      ctx.settings.all().map(([name, value]) => [
        settingDisplayName(name),
        value,
        name.endsWith("_timeout") ? "ms" : null,
        "Client Connection Defaults",
        "",
        null,
        name.startsWith("server_") || name === "integer_datetimes" ? "internal" : "user",
        /^(on|off)$/.test(value) ? "bool" : /^-?\d+$/.test(value) ? "integer" : "string",
        "session",
        null,
        null,
        null,
        ctx.settings.defaultValue(name), // boot_val
        ctx.settings.defaultValue(name), // reset_val
        null,
        null,
        false,
      ]),
    { kind: "view" },
  ),
  rel(
    "pg_proc",
    `oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4
     prorows:float4 provariadic:oid prosupport:text prokind:char prosecdef:bool
     proleakproof:bool proisstrict:bool proretset:bool provolatile:char proparallel:char
     pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:text proallargtypes:oid[]
     proargmodes:text[] proargnames:text[] proargdefaults:text protrftypes:oid[] prosrc:text
     probin:text prosqlbody:text proconfig:text[] proacl:text[]`,
    function* (ctx) {
      const registry = ctx.registry;
      const kinds: [string, readonly string[]][] = [
        ["f", registry.scalarFunctionNames()],
        ["a", registry.aggregateFunctionNames()],
      ];
      for (const [kind, names] of kinds) {
        for (const name of [...names].sort()) {
          const fn = kind === "f" ? registry.scalarFunctions(name)[0] : undefined;
          const volatility = fn?.volatility ?? "immutable";
          yield [
            hashedOid(`proc:${kind}:${name}`),
            name,
            pgCatalogOid,
            bootstrapRoleOid,
            12,
            1,
            0,
            0,
            "-",
            kind,
            false,
            false,
            true,
            false,
            volatility[0]!,
            "s",
            0,
            0,
            0,
            "",
            null,
            null,
            null,
            null,
            null,
            name,
            null,
            null,
            null,
            null,
          ];
        }
      }
    },
    { oid: 1255 },
  ),
  rel(
    "pg_description",
    "objoid:oid classoid:oid objsubid:int4 description:text",
    empty,
    { oid: 2609 },
  ),
  rel(
    "pg_constraint",
    `oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool
     convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid
     confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4
     connoinherit:bool conkey:int2[] confkey:int2[] conbin:text`,
    (ctx) =>
      constraintEntries(ctx).map((c) => [
        c.oid,
        c.name,
        namespaceOid(c.schema),
        c.type,
        false,
        false,
        true,
        c.tableOid,
        0,
        c.indexOid,
        0,
        0,
        " ",
        " ",
        " ",
        true,
        0,
        false,
        formatArrayText(c.attnums.map(String)),
        null,
        c.type === "c" ? c.definition.slice("CHECK (".length, -1) : null,
      ]),
    { oid: 2606 },
  ),
  rel(
    "pg_attrdef",
    "oid:oid adrelid:oid adnum:int2 adbin:text",
    function* (ctx) {
      for (const r of relationEntries(ctx)) {
        if (r.kind !== "r") continue;
        for (const c of r.columns) {
          if (c.default === null) continue;
          yield [hashedOid(`attrdef:${r.oid}.${c.attnum}`), r.oid, c.attnum, c.default];
        }
      }
    },
    { oid: 2604 },
  ),
  rel(
    "pg_am",
    "oid:oid amname:name amhandler:text amtype:char",
    () => [[heapAmOid, "heap", "heap_tableam_handler", "t"], [
      btreeAmOid,
      "btree",
      "bthandler",
      "i",
    ]],
    { oid: 2601 },
  ),
  rel(
    "pg_inherits",
    "inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool",
    empty,
    { oid: 2611 },
  ),
  rel(
    "pg_roles",
    `rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool
     rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolpassword:text
     rolvaliduntil:timestamptz rolbypassrls:bool rolconfig:text[] oid:oid`,
    (ctx) =>
      roleNames(ctx).map((name) => {
        const superuser = name === defaultUserName;
        return [
          name,
          superuser,
          true,
          superuser,
          superuser,
          true,
          false,
          -1,
          "********",
          null,
          false,
          null,
          roleOid(name),
        ];
      }),
    { kind: "view" },
  ),
  rel(
    "pg_user",
    `usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool
     passwd:text valuntil:timestamptz useconfig:text[]`,
    (ctx) =>
      roleNames(ctx).map((name) => {
        const superuser = name === defaultUserName;
        return [name, roleOid(name), superuser, superuser, false, false, "********", null, null];
      }),
    { kind: "view" },
  ),
  rel(
    "pg_auth_members",
    "roleid:oid member:oid grantor:oid admin_option:bool",
    empty,
    { oid: 1261 },
  ),
  rel(
    "pg_collation",
    `oid:oid collname:name collnamespace:oid collowner:oid collprovider:char
     collisdeterministic:bool collencoding:int4 collcollate:text collctype:text`,
    () => [
      [defaultCollationOid, "default", pgCatalogOid, bootstrapRoleOid, "d", true, -1, null, null],
      [950, "C", pgCatalogOid, bootstrapRoleOid, "c", true, -1, "C", "C"],
      [951, "POSIX", pgCatalogOid, bootstrapRoleOid, "c", true, -1, "POSIX", "POSIX"],
    ],
    { oid: 3456 },
  ),
  rel(
    "pg_tablespace",
    "oid:oid spcname:name spcowner:oid spcacl:text[] spcoptions:text[]",
    () => [
      [defaultTablespaceOid, "pg_default", bootstrapRoleOid, null, null],
      [1664, "pg_global", bootstrapRoleOid, null, null],
    ],
    { oid: 1213 },
  ),
  rel(
    "pg_policy",
    `oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[]
     polqual:text polwithcheck:text`,
    empty,
    { oid: 3256 },
  ),
  rel(
    "pg_statistic_ext",
    `oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4
     stxkeys:int2[] stxkind:text[] stxexprs:text`,
    empty,
    { oid: 3381 },
  ),
  rel(
    "pg_publication",
    `oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool
     pubdelete:bool pubtruncate:bool pubviaroot:bool`,
    empty,
    { oid: 6104 },
  ),
  rel("pg_publication_namespace", "oid:oid pnpubid:oid pnnspid:oid", empty, { oid: 6237 }),
  rel(
    "pg_publication_rel",
    "oid:oid prpubid:oid prrelid:oid prqual:text prattrs:int2[]",
    empty,
    { oid: 6106 },
  ),
  rel(
    "pg_extension",
    `oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion:text
     extconfig:oid[] extcondition:text[]`,
    empty,
    { oid: 3079 },
  ),
  rel(
    "pg_enum",
    "oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name",
    empty,
    { oid: 3501 },
  ),
  rel(
    "pg_stat_activity",
    `datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name
     application_name:text client_addr:text client_hostname:text client_port:int4
     backend_start:timestamptz xact_start:timestamptz query_start:timestamptz
     state_change:timestamptz wait_event_type:text wait_event:text state:text backend_xid:text
     backend_xmin:text query_id:int8 query:text backend_type:text`,
    (ctx) => ctx.sessions().map((a) => statActivityRow(a, ctx)),
    { kind: "view" },
  ),
  rel(
    "pg_tables",
    `schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool
     hasrules:bool hastriggers:bool rowsecurity:bool`,
    (ctx) =>
      ctx.catalog.tables().map((t) => [
        t.schema,
        t.name,
        defaultUserName,
        null,
        ctx.catalog.indexesOf(t.schema, t.name).length > 0,
        false,
        false,
        false,
      ]),
    { kind: "view" },
  ),
  rel(
    "pg_views",
    "schemaname:name viewname:name viewowner:name definition:text",
    (ctx) => ctx.catalog.views().map((v) => [v.schema, v.name, defaultUserName, v.sql]),
    { kind: "view" },
  ),
  rel(
    "pg_matviews",
    `schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool
     ispopulated:bool definition:text`,
    empty,
    { kind: "view" },
  ),
  rel(
    "pg_indexes",
    "schemaname:name tablename:name indexname:name tablespace:name indexdef:text",
    (ctx) =>
      relationEntries(ctx).filter((r) => r.kind === "i" && r.index !== undefined).map((r) => [
        r.schema,
        r.index!.table,
        r.name,
        null,
        indexDefinition(r.index!),
      ]),
    { kind: "view" },
  ),
  rel(
    "pg_sequences",
    `schemaname:name sequencename:name sequenceowner:name data_type:text start_value:int8
     min_value:int8 max_value:int8 increment_by:int8 cycle:bool cache_size:int8
     last_value:int8`,
    (ctx) =>
      ctx.catalog.sequences().map((s) => [
        s.schema.schema,
        s.schema.name,
        defaultUserName,
        "bigint",
        s.schema.start,
        s.schema.min,
        s.schema.max,
        s.schema.increment,
        s.schema.cycle,
        1n,
        s.last,
      ]),
    { kind: "view" },
  ),
  rel(
    "pg_stat_user_tables",
    `relid:oid schemaname:name relname:name seq_scan:int8 n_tup_ins:int8 n_live_tup:int8
     n_dead_tup:int8`,
    (ctx) =>
      relationEntries(ctx).filter((r) => r.kind === "r" && r.table !== undefined).map((r) => [
        r.oid,
        r.schema,
        r.name,
        null,
        null,
        BigInt(Math.round(ctx.estimateRows(r.table!.id))),
        null,
      ]),
    { kind: "view" },
  ),
];

/** Sanity: every type kind OmenDB has is in pg_type (checked by the tests). */
export const omenTypeOids: readonly number[] = Object.values(typeInfo).map((t) => t.oid);
