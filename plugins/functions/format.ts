/**
 * Identifier quoting and PostgreSQL's `format()`: `quote_ident(name)`, `quote_literal(text)`,
 * `parse_ident(text)` and `format(fmt, args...)` with `%s` (the value's text, '' for NULL), `%I`
 * (quoted as an identifier), `%L` (quoted as a literal, `NULL` for NULL), `%%`, and positions
 * (`%2$s`). Width and `-` flags are not supported (22023).
 *
 * @module
 */
import { DbError, SqlState } from "../../core/errors.ts";
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { quoteIdentifier, splitIdentifierList } from "../../core/sql/identifiers.ts";
import { formatArrayText } from "../../core/types/array.ts";
import { type Column, columnFromValues, type Value, valueAt } from "../../core/types/column.ts";
import { arrayOf, isString, Types } from "../../core/types/data_type.ts";
import { formatValue } from "../../core/types/format.ts";

/** PostgreSQL's reserved and column-name keywords: `quote_ident` quotes them. */
const quotedKeywords = new Set(
  `all analyse analyze and any array as asc asymmetric authorization between bigint binary bit
  boolean both case cast char character check coalesce collate collation column concurrently
  constraint create cross current_catalog current_date current_role current_schema current_time
  current_timestamp current_user dec decimal default deferrable desc distinct do else end except
  exists extract false fetch float for foreign freeze from full grant greatest group grouping
  having ilike in initially inner inout int integer intersect interval into is isnull join
  lateral leading least left like limit localtime localtimestamp national natural nchar none
  normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay
  placing position precision primary real references returning right row select session_user
  setof similar smallint some substring symmetric table tablesample then time timestamp to
  trailing treat trim true union unique user using values varchar variadic verbose when where
  window with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi
  xmlroot xmlserialize xmltable`.split(/\s+/),
);

/**
 * PostgreSQL's `quote_ident`: the name bare when it is a plain lower-case identifier and no
 * reserved or column-name keyword, else double-quoted.
 *
 * @example
 * ```ts
 * import { quoteIdent } from "./format.ts";
 * console.assert(quoteIdent("cpu") === "cpu" && quoteIdent("Cpu") === '"Cpu"');
 * console.assert(quoteIdent("time") === '"time"');
 * ```
 */
export function quoteIdent(name: string): string {
  return quotedKeywords.has(name) ? `"${name}"` : quoteIdentifier(name);
}

/** PostgreSQL's `quote_literal`: single-quoted, quotes doubled, `E'...'` when it has `\`. */
export function quoteLiteral(text: string): string {
  const body = text.replaceAll("'", "''");
  return text.includes("\\") ? `E'${body.replaceAll("\\", "\\\\")}'` : `'${body}'`;
}

/**
 * PostgreSQL's `format(fmt, args...)` over already formatted arguments (`null` = SQL NULL).
 *
 * @example
 * ```ts
 * import { formatText } from "./format.ts";
 * console.assert(formatText("%I.%I = %L", ["public", "Cpu", "it's"]) === `public."Cpu" = 'it''s'`);
 * console.assert(formatText("%2$s-%1$s %%", ["a", "b"]) === "b-a %");
 * ```
 */
export function formatText(fmt: string, args: readonly (string | null)[]): string {
  let next = 0;
  return fmt.replace(/%(?:(\d+)\$)?([^%]|$)|%%/g, (m, pos: string | undefined, kind: string) => {
    if (m === "%%") return "%";
    const i = pos === undefined ? next++ : Number(pos) - 1;
    if (pos !== undefined) next = i + 1;
    if (i < 0 || i >= args.length) {
      throw new DbError(SqlState.invalidParameterValue, "too few arguments for format()");
    }
    const v = args[i]!;
    switch (kind) {
      case "s":
        return v ?? "";
      case "I":
        if (v === null) {
          throw new DbError(
            SqlState.nullValueNotAllowed,
            "null values cannot be formatted as an SQL identifier",
          );
        }
        return quoteIdent(v);
      case "L":
        return v === null ? "NULL" : quoteLiteral(v);
      default:
        throw new DbError(
          SqlState.invalidParameterValue,
          `unrecognized format() type specifier "${kind}"`,
          { hint: 'For a single "%" use "%%".' },
        );
    }
  });
}

function textFunction(
  name: string,
  returnsArray: boolean,
  body: (s: string) => string,
): ScalarFunctionDef {
  const returns = returnsArray ? arrayOf(Types.text) : Types.text;
  return {
    name,
    volatility: "immutable",
    resolve: (t) =>
      t.length === 1 && (t[0]!.kind === "unknown" || isString(t[0]!))
        ? { returns, argTypes: [Types.text] }
        : null,
    evaluate([a], n) {
      const out: Value[] = [];
      for (let i = 0; i < n; i++) {
        const v = valueAt(a!, i);
        out.push(v === null ? null : body(String(v)));
      }
      return columnFromValues(returns, out);
    },
  };
}

const format: ScalarFunctionDef = {
  name: "format",
  volatility: "stable",
  resolve(types) {
    if (types.length === 0 || !(types[0]!.kind === "unknown" || isString(types[0]!))) return null;
    return {
      returns: Types.text,
      argTypes: types.map((t, i) => (i === 0 || t.kind === "unknown" ? Types.text : t)),
    };
  },
  evaluate(args: readonly Column[], n: number): Column {
    const out: Value[] = [];
    for (let i = 0; i < n; i++) {
      const fmt = valueAt(args[0]!, i);
      if (fmt === null) {
        out.push(null);
        continue;
      }
      const values = args.slice(1).map((c) => formatValue(c.type, valueAt(c, i)));
      out.push(formatText(String(fmt), values));
    }
    return columnFromValues(Types.text, out);
  },
};

/** quote_ident, quote_literal, parse_ident and format. */
export const formatFunctions: readonly ScalarFunctionDef[] = [
  textFunction("quote_ident", false, quoteIdent),
  textFunction("quote_literal", false, quoteLiteral),
  textFunction("parse_ident", true, (s) => {
    const parts = splitIdentifierList(s, ".");
    if (parts === null || parts.length === 0) {
      throw new DbError(SqlState.invalidParameterValue, `string is not a valid identifier: "${s}"`);
    }
    return formatArrayText(parts);
  }),
  format,
];
