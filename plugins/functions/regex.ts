/**
 * PostgreSQL's regular-expression match operators as functions: `s ~ p` is `textregexeq(s, p)`,
 * `!~` `textregexne`, `~*` `texticregexeq`, `!~*` `texticregexne` (the parser maps the
 * operators, `OPERATOR(pg_catalog.~)` included). Patterns run on JavaScript's `RegExp` with the
 * `u` flag after POSIX bracket classes (`[[:alpha:]]`) are translated; PostgreSQL's
 * ARE-only escapes (`\m`, `\M`, `\y`) are not supported. A pattern longer than
 * {@link regexPatternCharsMax} is 2201B: JavaScript regular expressions can backtrack without
 * bound and cannot be interrupted, so only short patterns are accepted.
 *
 * @module
 */
import { Types } from "../../core/types/data_type.ts";
import { isValid, makeColumn } from "../../core/types/column.ts";
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { andValidities, fixedArgs } from "./_common.ts";
import { DbError } from "../../core/errors.ts";

/** The longest regular expression accepted, in UTF-16 code units. */
export const regexPatternCharsMax = 1000;

/** Distinct patterns compiled per batch. */
const regexCacheEntriesMax = 256;

const posixClasses: Readonly<Record<string, string>> = {
  alpha: "\\p{L}",
  digit: "0-9",
  alnum: "\\p{L}0-9",
  upper: "\\p{Lu}",
  lower: "\\p{Ll}",
  space: "\\s",
  punct: "\\p{P}",
  xdigit: "0-9A-Fa-f",
  word: "\\w",
};

/**
 * Compiles a PostgreSQL regular expression to a JavaScript one (2201B when it is invalid or
 * too long).
 *
 * @example
 * ```ts
 * import { compileRegex } from "./regex.ts";
 * console.assert(compileRegex("^pg_", false).test("pg_toast"));
 * console.assert(compileRegex("^[[:alpha:]]+$", false).test("abc"));
 * console.assert(compileRegex("^ABC$", true).test("abc"));
 * ```
 */
export function compileRegex(pattern: string, caseInsensitive: boolean): RegExp {
  if (pattern.length > regexPatternCharsMax) {
    throw new DbError(
      "2201B",
      `regular expression longer than ${regexPatternCharsMax} characters is not supported`,
    );
  }
  const source = pattern.replace(/\[:([a-z]+):\]/g, (m, name: string) => posixClasses[name] ?? m);
  try {
    return new RegExp(source, caseInsensitive ? "iu" : "u");
  } catch (e) {
    throw new DbError("2201B", `invalid regular expression: ${(e as Error).message}`);
  }
}

function regexFunction(
  name: string,
  caseInsensitive: boolean,
  negated: boolean,
): ScalarFunctionDef {
  return {
    name,
    volatility: "immutable",
    resolve: (t) => fixedArgs(t, [Types.text, Types.text], Types.bool),
    evaluate([s, p], length) {
      const validity = andValidities([s!, p!], length);
      const out = new Uint8Array(length);
      const cache = new Map<string, RegExp>();
      const strings = s!.data as string[];
      const patterns = p!.data as string[];
      for (let i = 0; i < length; i++) {
        if (!isValid(validity, i)) continue;
        const pattern = patterns[i]!;
        let re = cache.get(pattern);
        if (re === undefined) {
          if (cache.size >= regexCacheEntriesMax) cache.clear();
          re = compileRegex(pattern, caseInsensitive);
          cache.set(pattern, re);
        }
        out[i] = re.test(strings[i]!) !== negated ? 1 : 0;
      }
      return makeColumn(Types.bool, length, out, validity);
    },
  };
}

/** `~`, `!~`, `~*`, `!~*` as functions. */
export const regexFunctions: readonly ScalarFunctionDef[] = [
  regexFunction("textregexeq", false, false),
  regexFunction("textregexne", false, true),
  regexFunction("texticregexeq", true, false),
  regexFunction("texticregexne", true, true),
];
