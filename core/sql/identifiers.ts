/**
 * Identifiers as SQL text: PostgreSQL's `quote_identifier` (quotes only when needed) and
 * `SplitIdentifierString` (a comma-separated list such as a `search_path` value).
 *
 * @example
 * ```ts
 * import { quoteIdentifier, splitIdentifierList } from "./identifiers.ts";
 * console.assert(quoteIdentifier("cpu") === "cpu" && quoteIdentifier("my-db") === '"my-db"');
 * console.assert(splitIdentifierList('"my-db", Public')!.join("|") === "my-db|public");
 * console.assert(splitIdentifierList('"my-db".Seq', ".")!.join("|") === "my-db|seq");
 * ```
 *
 * @module
 */

/**
 * A name as SQL text that reads back as exactly that name: bare when it is a plain lower-case
 * identifier, else double-quoted. Unlike PostgreSQL's `quote_identifier` it does not quote
 * keywords (the kernel has no keyword list), so use it for messages and lists, not for SQL that
 * is parsed again as a statement.
 */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * `schema.name` for messages, each part quoted as needed (PostgreSQL's
 * `quote_qualified_identifier`).
 */
export function quoteQualifiedIdentifier(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/**
 * Splits a list of identifiers as PostgreSQL's `SplitIdentifierString` does: unquoted names are
 * trimmed and folded to lower case, `"quoted"` ones kept verbatim (`""` is a quote). `separator`
 * is `,` for a list such as `search_path`, `.` for a qualified name such as `'s.seq'`. `null`
 * when the syntax is invalid (an unclosed quote, an empty unquoted name, junk after a quoted
 * name); an empty or blank text is an empty list.
 */
export function splitIdentifierList(text: string, separator = ","): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (i === n) return out;
  for (;;) {
    if (text[i] === '"') {
      let name = "";
      for (i++;; i++) {
        if (i >= n) return null; // unclosed quote
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        name += text[i];
      }
      i++;
      out.push(name);
    } else {
      const start = i;
      while (i < n && text[i] !== separator && !/\s/.test(text[i]!)) i++;
      if (i === start) return null; // an empty unquoted name
      out.push(text.slice(start, i).toLowerCase());
    }
    skipSpace();
    if (i === n) return out;
    if (text[i] !== separator) return null;
    i++;
    skipSpace();
  }
}
