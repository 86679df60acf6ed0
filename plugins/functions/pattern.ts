/**
 * SQL LIKE and ILIKE as scalar functions `like(s, pattern [, escape])` and
 * `ilike(s, pattern [, escape])`; the binder maps `s [NOT] [I]LIKE p [ESCAPE e]` to them.
 *
 * `%` matches any run of characters, `_` exactly one character (code point); the escape
 * character (default `\`, none with `ESCAPE ''`) makes the next character literal. Patterns are
 * compiled once per distinct pattern per batch into a matcher: plain equality, prefix, suffix or
 * substring tests when the pattern allows, otherwise a backtracking-free wildcard matcher that is
 * O(len(s) * len(pattern)) in the worst case (no regular expressions, so no catastrophic
 * backtracking on hostile patterns).
 *
 * @module
 */
import { Types } from "../../core/types/data_type.ts";
import { isValid, makeColumn } from "../../core/types/column.ts";
import type { ScalarFunctionDef } from "../../core/plugin/functions.ts";
import { andValidities, codePointWidthAt, dbError, fixedArgs, PgState } from "./_common.ts";

/** Distinct patterns compiled per batch before the cache is cleared. */
const likePatternCacheEntriesMax = 1024;

/** Wildcard tokens in a compiled pattern (literal code units are >= 0). */
const anyRun = -1;
const oneChar = -2;

/** A compiled LIKE pattern. */
export type LikeMatcher = (s: string) => boolean;

/**
 * Compiles a LIKE pattern. `escape` is the escape character, `""` for none. Raises 22025 when
 * the pattern ends with the escape character or the escape is longer than one character.
 *
 * @example
 * ```ts
 * import { compileLike } from "./pattern.ts";
 * const m = compileLike("a%c_", "\\", false);
 * console.assert(m("abbcd") && !m("abc"));
 * ```
 */
export function compileLike(
  pattern: string,
  escape: string,
  caseInsensitive: boolean,
): LikeMatcher {
  if (escape.length > 0 && codePointWidthAt(escape, 0) !== escape.length) {
    throw dbError(PgState.invalidEscapeSequence, "invalid escape string");
  }
  // Tokenize into literal runs and wildcards.
  const parts: (string | number)[] = [];
  let lit = "";
  for (let k = 0; k < pattern.length;) {
    const w = codePointWidthAt(pattern, k);
    const c = pattern.slice(k, k + w);
    k += w;
    if (escape !== "" && c === escape) {
      if (k >= pattern.length) {
        throw dbError(
          PgState.invalidEscapeSequence,
          "LIKE pattern must not end with escape character",
        );
      }
      const w2 = codePointWidthAt(pattern, k);
      lit += pattern.slice(k, k + w2);
      k += w2;
    } else if (c === "%" || c === "_") {
      if (lit !== "") parts.push(lit);
      lit = "";
      if (c === "_") parts.push(oneChar);
      else if (parts[parts.length - 1] !== anyRun) parts.push(anyRun);
    } else lit += c;
  }
  if (lit !== "") parts.push(lit);
  if (caseInsensitive) {
    for (let k = 0; k < parts.length; k++) {
      const p = parts[k]!;
      if (typeof p === "string") parts[k] = p.toLowerCase();
    }
  }
  const fast = fastPath(parts);
  if (fast !== null) return caseInsensitive ? (s) => fast(s.toLowerCase()) : fast;
  const tokens: number[] = [];
  for (const p of parts) {
    if (typeof p === "number") tokens.push(p);
    else for (let k = 0; k < p.length; k++) tokens.push(p.charCodeAt(k));
  }
  const t = Int32Array.from(tokens);
  return caseInsensitive ? (s) => wildcardMatch(s.toLowerCase(), t) : (s) => wildcardMatch(s, t);
}

/** Equality, prefix, suffix and substring patterns without `_`. */
function fastPath(parts: readonly (string | number)[]): LikeMatcher | null {
  if (parts.includes(oneChar)) return null;
  const [a, b, c] = parts;
  switch (parts.length) {
    case 0:
      return (s) => s === "";
    case 1:
      return a === anyRun ? () => true : (s) => s === a;
    case 2:
      if (typeof a === "string") return (s) => s.startsWith(a);
      if (typeof b === "string") return (s) => s.endsWith(b);
      return null;
    case 3:
      if (a === anyRun && typeof b === "string" && c === anyRun) return (s) => s.includes(b);
      return null;
    default:
      return null;
  }
}

/**
 * Greedy wildcard matching with one backtrack point (the last `%`): each `%` only ever extends
 * by one character at a time, so the match is O(len(s) * len(tokens)).
 */
function wildcardMatch(s: string, t: Int32Array): boolean {
  const n = s.length;
  const m = t.length;
  let i = 0;
  let j = 0;
  let starJ = -1;
  let starI = 0;
  while (i < n) {
    if (j < m) {
      const tok = t[j]!;
      if (tok === oneChar) {
        i += codePointWidthAt(s, i);
        j++;
        continue;
      }
      if (tok === anyRun) {
        starJ = j++;
        starI = i;
        continue;
      }
      if (tok === s.charCodeAt(i)) {
        i++;
        j++;
        continue;
      }
    }
    if (starJ < 0) return false;
    starI += codePointWidthAt(s, starI);
    i = starI;
    j = starJ + 1;
  }
  while (j < m && t[j] === anyRun) j++;
  return j === m;
}

/** like/ilike with the default escape (`\`) or an explicit one. */
function likeFunction(name: "like" | "ilike", withEscape: boolean): ScalarFunctionDef {
  const text = Types.text;
  const params = withEscape ? [text, text, text] : [text, text];
  const caseInsensitive = name === "ilike";
  return {
    name,
    volatility: "immutable",
    resolve: (types) => fixedArgs(types, params, Types.bool),
    evaluate(args, n) {
      const v = andValidities(args, n);
      const subject = args[0]!.data as string[];
      const patterns = args[1]!.data as string[];
      const escapes = withEscape ? args[2]!.data as string[] : null;
      const out = new Uint8Array(n);
      const cache = new Map<string, LikeMatcher>();
      let lastKey: string | null = null;
      let last: LikeMatcher = () => false;
      for (let i = 0; i < n; i++) {
        if (!isValid(v, i)) continue;
        const esc = escapes === null ? "\\" : escapes[i]!;
        const pattern = patterns[i]!;
        const key = escapes === null ? pattern : `${esc}\u0000${pattern}`;
        if (key !== lastKey) {
          let m = cache.get(key);
          if (m === undefined) {
            if (cache.size >= likePatternCacheEntriesMax) cache.clear();
            m = compileLike(pattern, esc, caseInsensitive);
            cache.set(key, m);
          }
          last = m;
          lastKey = key;
        }
        out[i] = last(subject[i]!) ? 1 : 0;
      }
      return makeColumn(Types.bool, n, out, v);
    },
  };
}

/** like(s, p), like(s, p, escape), ilike(s, p), ilike(s, p, escape). */
export const patternFunctions: readonly ScalarFunctionDef[] = [
  likeFunction("like", false),
  likeFunction("like", true),
  likeFunction("ilike", false),
  likeFunction("ilike", true),
];
