/**
 * Session settings (`SET`, `SHOW`, `RESET`): the parameters PostgreSQL clients and drivers set
 * or read on connect, with PostgreSQL's names and defaults. Unknown names are 42704; values
 * OmenDB cannot honour yet (a client encoding other than UTF8) are refused instead of ignored.
 *
 * @module
 */
import { DbError, notSupported, SqlState } from "../errors.ts";
import { parseTimeZone, type TimeZone, utcTimeZone } from "../types/time_zone.ts";
import { splitIdentifierList } from "../sql/identifiers.ts";

/**
 * Settings and their defaults, as `SHOW` prints them. Some exist only so that the `SET`s clients
 * and dump files send at connect succeed; they change nothing here: `bytea_output`,
 * `check_function_bodies`, `default_table_access_method`, `default_tablespace`, `jit`,
 * `lc_monetary`, `lc_numeric`, `lc_time`, `lock_timeout` (nothing waits on locks: writers wait
 * for transactions, bounded by `statement_timeout`), `row_security`, `synchronous_commit` (the
 * WAL settings decide), `xmloption`.
 */
export const settingDefaults: Readonly<Record<string, string>> = {
  application_name: "",
  bytea_output: "hex",
  check_function_bodies: "on",
  default_table_access_method: "heap",
  default_tablespace: "",
  is_superuser: "on",
  jit: "off",
  lc_collate: "C",
  lc_ctype: "C",
  lc_monetary: "C",
  lc_numeric: "C",
  lc_time: "C",
  lock_timeout: "0",
  max_identifier_length: "63",
  row_security: "on",
  synchronous_commit: "on",
  xmloption: "content",
  client_encoding: "UTF8",
  client_min_messages: "notice",
  datestyle: "ISO, MDY",
  default_null_order: "nulls_last_on_asc_first_on_desc",
  default_transaction_isolation: "read committed",
  default_transaction_read_only: "off",
  extra_float_digits: "1",
  idle_in_transaction_session_timeout: "0",
  integer_datetimes: "on",
  intervalstyle: "postgres",
  lc_messages: "C",
  search_path: '"$user", public',
  server_encoding: "UTF8",
  server_version: "15.0 (OmenDB 0.1.0)",
  server_version_num: "150000",
  standard_conforming_strings: "on",
  statement_timeout: "0",
  timezone: "UTC",
  transaction_timeout: "0",
};

/** Settings whose names PostgreSQL spells with capitals (SHOW's column, `pg_settings.name`). */
const displayNames: Readonly<Record<string, string>> = {
  datestyle: "DateStyle",
  intervalstyle: "IntervalStyle",
  timezone: "TimeZone",
};

/**
 * A setting's name as PostgreSQL prints it (`TimeZone` for `timezone`).
 *
 * @example
 * ```ts
 * import { settingDisplayName } from "./settings.ts";
 * console.assert(settingDisplayName("timezone") === "TimeZone");
 * console.assert(settingDisplayName("search_path") === "search_path");
 * ```
 */
export function settingDisplayName(name: string): string {
  return displayNames[name] ?? name;
}

/** Values of `default_transaction_isolation`. */
const isolationLevels = ["read uncommitted", "read committed", "repeatable read", "serializable"];

/** A boolean setting's value (`on`, `off`, `true`, `false`, `1`, `0`, `yes`, `no`). */
function parseBool(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  throw new DbError(
    SqlState.invalidParameterValue,
    `parameter "${name}" requires a Boolean value`,
  );
}

/**
 * `default_null_order` values (DuckDB's names; spaces count as underscores): where NULLs go when
 * ORDER BY does not say. The default is PostgreSQL's rule.
 */
const nullOrders = new Map([
  ["nulls_first", "nulls_first"],
  ["nulls_last", "nulls_last"],
  ["nulls_first_on_asc_last_on_desc", "nulls_first_on_asc_last_on_desc"],
  ["nulls_last_on_asc_first_on_desc", "nulls_last_on_asc_first_on_desc"],
  ["postgres", "nulls_last_on_asc_first_on_desc"],
]);

/** Settings a client may not change. */
const readOnly = new Set([
  "is_superuser",
  "lc_collate",
  "lc_ctype",
  "max_identifier_length",
  "server_encoding",
  "server_version",
  "server_version_num",
  "integer_datetimes",
]);

/** Milliseconds in a PostgreSQL duration setting ("5s", "250ms", "1min", bare = ms). */
export function parseDurationMs(name: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) {
    throw new DbError(
      SqlState.invalidParameterValue,
      `invalid value for parameter "${name}": "${value}"`,
      {
        hint: 'Valid units for this parameter are "ms", "s", "min", "h", and "d".',
      },
    );
  }
  const factor = {
    ms: 1,
    s: 1000,
    min: 60_000,
    h: 3_600_000,
    d: 86_400_000,
  }[(m[2] ?? "ms").toLowerCase() as "ms"] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

/**
 * One session's settings.
 *
 * @example
 * ```ts
 * import { SessionSettings } from "./settings.ts";
 * const s = new SessionSettings();
 * s.set("timezone", "Europe/Berlin");
 * console.assert(s.get("timezone") === "Europe/Berlin" && s.timeZone().hasRules);
 * ```
 */
export class SessionSettings {
  readonly #defaults: Readonly<Record<string, string>>;
  readonly #values: Map<string, string>;
  #timeZone: TimeZone = utcTimeZone;
  /** `search_path` split into names, for the text it was split from. */
  #searchPath: { readonly text: string; readonly names: readonly string[] } | null = null;
  #version = 0;

  /** Changes whenever a setting may have changed (for what is derived from the settings). */
  get version(): number {
    return this.#version;
  }

  /** `defaults` override {@link settingDefaults} (a server's configured timeouts). */
  constructor(defaults: Readonly<Record<string, string>> = {}) {
    this.#defaults = { ...settingDefaults, ...defaults };
    this.#values = new Map(Object.entries(this.#defaults));
  }

  /** The value of a setting; 42704 for an unknown name. */
  get(name: string): string {
    const v = this.#values.get(name);
    if (v === undefined) {
      throw new DbError("42704", `unrecognized configuration parameter "${name}"`);
    }
    return v;
  }

  /** The value RESET gives a setting (the server's default); 42704 for an unknown name. */
  defaultValue(name: string): string {
    this.get(name);
    return this.#defaults[name]!;
  }

  /** Every setting, sorted by name (SHOW ALL). */
  all(): [string, string][] {
    return [...this.#values.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  }

  /** SET name = value, or back to the default when `value` is null (RESET / SET ... DEFAULT). */
  set(name: string, value: string | null): void {
    this.#version++;
    if (name === "all" && value === null) {
      for (const [k, v] of Object.entries(this.#defaults)) this.#values.set(k, v);
      this.#timeZone = utcTimeZone;
      return;
    }
    this.get(name); // 42704 when unknown
    if (readOnly.has(name)) {
      throw new DbError("55P02", `parameter "${name}" cannot be changed`);
    }
    if (value === null || (name === "timezone" && /^\s*local\s*$/i.test(value))) {
      this.#values.set(name, this.#defaults[name]!);
      if (name === "timezone") this.#timeZone = utcTimeZone;
      return;
    }
    switch (name) {
      case "timezone": {
        const zone = parseTimeZone(value);
        if (zone === null) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `invalid value for parameter "TimeZone": "${value}"`,
          );
        }
        this.#timeZone = zone;
        value = zone.name;
        break;
      }
      case "statement_timeout":
      case "lock_timeout":
      case "idle_in_transaction_session_timeout":
      case "transaction_timeout":
        value = String(parseDurationMs(name, value));
        break;
      case "default_transaction_isolation": {
        const level = value.trim().toLowerCase().replace(/\s+/g, " ");
        if (!isolationLevels.includes(level)) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `invalid value for parameter "default_transaction_isolation": "${value}"`,
            { hint: `Available values: ${isolationLevels.join(", ")}.` },
          );
        }
        value = level;
        break;
      }
      case "search_path":
        if (splitIdentifierList(value) === null) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `invalid value for parameter "search_path": "${value}"`,
            { detail: "List syntax is invalid." },
          );
        }
        break;
      case "default_transaction_read_only":
      case "check_function_bodies":
      case "jit":
      case "row_security":
        value = parseBool(name, value) ? "on" : "off";
        break;
      case "client_encoding":
        if (!/^utf-?8|unicode$/i.test(value.trim())) {
          throw notSupported(`client encoding "${value}" (only UTF8)`);
        }
        value = "UTF8";
        break;
      case "default_null_order": {
        const order = nullOrders.get(value.trim().toLowerCase().replace(/\s+/g, "_"));
        if (order === undefined) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `invalid value for parameter "default_null_order": "${value}"`,
            { hint: `Available values: ${[...new Set(nullOrders.values())].join(", ")}.` },
          );
        }
        value = order;
        break;
      }
      case "extra_float_digits": {
        const n = Number(value);
        if (!Number.isInteger(n) || n < -15 || n > 3) {
          throw new DbError(
            SqlState.invalidParameterValue,
            `${value} is outside the valid range for parameter "extra_float_digits" (-15 .. 3)`,
          );
        }
        break;
      }
      default:
        break;
    }
    this.#values.set(name, value);
  }

  /**
   * Whether NULLs sort first when ORDER BY says neither NULLS FIRST nor NULLS LAST, from
   * `default_null_order` (PostgreSQL's rule by default: NULLs are larger than every value).
   */
  defaultNullsFirst(descending: boolean): boolean {
    switch (this.#values.get("default_null_order")) {
      case "nulls_first":
        return true;
      case "nulls_last":
        return false;
      case "nulls_first_on_asc_last_on_desc":
        return !descending;
      default:
        return descending;
    }
  }

  /** The session time zone (`TimeZone`): how timestamptz values read and print. */
  timeZone(): TimeZone {
    return this.#timeZone;
  }

  /** A duration setting in milliseconds (0 = none). */
  durationMs(
    name: "statement_timeout" | "idle_in_transaction_session_timeout" | "transaction_timeout",
  ): number {
    return Number(this.#values.get(name) ?? "0");
  }

  /**
   * The schemas of `search_path`, in order, as written (`$user` included; the binder skips it
   * and the schemas that do not exist).
   */
  searchPath(): readonly string[] {
    const text = this.#values.get("search_path") ?? "";
    if (this.#searchPath?.text !== text) {
      this.#searchPath = { text, names: splitIdentifierList(text) ?? [] };
    }
    return this.#searchPath.names;
  }

  /** The statement timeout in milliseconds (0 = none), from `statement_timeout`. */
  statementTimeoutMs(): number {
    return Number(this.#values.get("statement_timeout") ?? "0");
  }
}
