/**
 * Feature tags (shared/conformance/FEATURE-TAGS.md): regexes matched against a record's SQL,
 * upper-cased, with `--` comments removed.
 *
 * @example
 * ```ts
 * import { featureTags } from "./tags.ts";
 * console.assert(featureTags("select a from t order by a").includes("order-by"));
 * ```
 *
 * @module
 */

/** Tag name -> regular expression source (Python syntax that JS accepts unchanged). */
export const featureTagPatterns: Readonly<Record<string, string>> = {
  "ddl": String.raw`^\s*(CREATE|DROP|ALTER)\b`,
  "insert": String.raw`^\s*INSERT\b`,
  "update": String.raw`^\s*UPDATE\b`,
  "delete": String.raw`^\s*DELETE\b`,
  "ctas": String
    .raw`CREATE\s+(OR\s+REPLACE\s+)?(TEMP\w*\s+)?TABLE\b[^;]*\bAS\s*\(?\s*(SELECT|WITH|VALUES|FROM)\b`,
  "view": String.raw`\b(CREATE|DROP)\s+(OR\s+REPLACE\s+)?(TEMP\w*\s+)?VIEW\b`,
  "index": String.raw`\b(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\b`,
  "values": String.raw`\(\s*VALUES\b|^\s*VALUES\b|FROM\s+VALUES\b`,
  "case": String.raw`\bCASE\b`,
  "null": String
    .raw`\bIS\s+(NOT\s+)?NULL\b|\bCOALESCE\s*\(|\bNULLIF\s*\(|\bIFNULL\s*\(|\bNVL2?\s*\(|\bIS\s+(NOT\s+)?DISTINCT\s+FROM\b`,
  "between": String.raw`\bBETWEEN\b`,
  "in-list": String.raw`\bIN\s*\(\s*(?!SELECT\b|WITH\b)`,
  "like": String.raw`\b(I?LIKE|SIMILAR\s+TO|GLOB)\b|~~|\bREGEXP_\w+\s*\(`,
  "agg": String
    .raw`\b(COUNT|SUM|AVG|MIN|MAX|TOTAL|GROUP_CONCAT|STRING_AGG|ARRAY_AGG|BOOL_AND|BOOL_OR|BIT_AND|BIT_OR|PRODUCT|MEDIAN|MODE|FIRST|LAST|ANY_VALUE|ARG_MIN|ARG_MAX)\s*\(`,
  "stat-agg": String
    .raw`\b(STDDEV\w*|VAR_\w+|VARIANCE|CORR|COVAR_\w+|REGR_\w+|KURTOSIS|SKEWNESS|ENTROPY|QUANTILE\w*|PERCENTILE_\w+|APPROX_\w+)\s*\(`,
  "agg-distinct": String.raw`\b(COUNT|SUM|AVG|MIN|MAX|STRING_AGG|ARRAY_AGG)\s*\(\s*DISTINCT\b`,
  "agg-filter": String.raw`\)\s*FILTER\s*\(\s*WHERE\b|WITHIN\s+GROUP`,
  "group-by": String.raw`\bGROUP\s+BY\b`,
  "grouping-sets": String.raw`\bGROUPING\s+SETS\b|\bROLLUP\s*\(|\bCUBE\s*\(|\bGROUPING\s*\(`,
  "having": String.raw`\bHAVING\b`,
  "distinct": String.raw`\bSELECT\s+DISTINCT\b(?!\s+ON\b)`,
  "distinct-on": String.raw`\bDISTINCT\s+ON\s*\(`,
  "order-by": String.raw`\bORDER\s+BY\b`,
  "nulls-order": String.raw`\bNULLS\s+(FIRST|LAST)\b`,
  "limit": String.raw`\bLIMIT\b|\bOFFSET\b|\bFETCH\s+(FIRST|NEXT)\b`,
  "join": String.raw`\bJOIN\b`,
  "join-outer": String.raw`\b(LEFT|RIGHT|FULL)(\s+OUTER)?\s+JOIN\b`,
  "join-comma": String.raw`\bFROM\s+[\w."]+(\s+(AS\s+)?\w+)?\s*,\s*[\w."]+`,
  "join-cross": String.raw`\bCROSS\s+JOIN\b`,
  "join-using-natural": String.raw`\bUSING\s*\(|\bNATURAL\s+(\w+\s+)?JOIN\b`,
  "join-semi-anti": String.raw`\b(SEMI|ANTI)\s+JOIN\b`,
  "asof-join": String.raw`\bASOF\b`,
  "lateral": String.raw`\bLATERAL\b`,
  "subquery": String.raw`\(\s*SELECT\b`,
  "exists": String.raw`\bEXISTS\s*\(`,
  "in-subquery": String.raw`\bIN\s*\(\s*(SELECT|WITH)\b`,
  "any-all": String.raw`\b(ANY|ALL|SOME)\s*\(\s*(SELECT|WITH)\b`,
  "cte": String.raw`^\s*\(?\s*WITH\b|\bAS\s*\(\s*WITH\b|\(\s*WITH\b`,
  "cte-recursive": String.raw`\bWITH\s+RECURSIVE\b`,
  "union": String.raw`\bUNION\b`,
  "intersect-except": String.raw`\b(INTERSECT|EXCEPT)\b`,
  "window": String.raw`\bOVER\s*(\(|\w)`,
  "window-frame": String.raw`\b(ROWS|RANGE|GROUPS)\s+(BETWEEN|UNBOUNDED|CURRENT|\d)`,
  "window-rank-nav": String
    .raw`\b(ROW_NUMBER|RANK|DENSE_RANK|PERCENT_RANK|CUME_DIST|NTILE|LAG|LEAD|FIRST_VALUE|LAST_VALUE|NTH_VALUE)\s*\(`,
  "qualify": String.raw`\bQUALIFY\b`,
  "cast": String.raw`\b(TRY_)?CAST\s*\(|::`,
  "decimal": String.raw`\b(DECIMAL|NUMERIC)\b`,
  "boolean": String.raw`\bBOOL(EAN)?\b|\bTRUE\b|\bFALSE\b`,
  "datetime-type": String.raw`\b(DATE|TIMESTAMP|TIMESTAMPTZ|TIME|INTERVAL)\b`,
  "datetime-func": String
    .raw`\b(DATE_TRUNC|DATE_PART|DATEPART|EXTRACT|TIME_BUCKET|DATE_BIN|AGE|NOW|CURRENT_DATE|CURRENT_TIMESTAMP|MAKE_DATE|MAKE_TIMESTAMP|STRFTIME|STRPTIME|TO_TIMESTAMP\w*|TO_CHAR|DATE_ADD|DATE_SUB|DATE_DIFF|DATEDIFF|EPOCH\w*|YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)\s*\(`,
  "string-func": String
    .raw`\b(LOWER|UPPER|SUBSTR|SUBSTRING|CONCAT|CONCAT_WS|REPLACE|TRIM|LTRIM|RTRIM|LENGTH|CHAR_LENGTH|LPAD|RPAD|LEFT|RIGHT|REPEAT|REVERSE|SPLIT_PART|STRPOS|POSITION|INSTR|ASCII|CHR|INITCAP|MD5|STARTS_WITH|CONTAINS|PREFIX|SUFFIX)\s*\(|\|\|`,
  "math-func": String
    .raw`\b(ABS|ROUND|FLOOR|CEIL|CEILING|SQRT|POWER|POW|EXP|LN|LOG|LOG10|LOG2|MOD|SIGN|TRUNC|SIN|COS|TAN|ASIN|ACOS|ATAN|ATAN2|PI|RANDOM|GCD|LCM|FACTORIAL|CBRT|DEGREES|RADIANS)\s*\(`,
  "copy-external": String.raw`\bCOPY\b|\bCREATE\s+EXTERNAL\s+TABLE\b|\bREAD_CSV|\bREAD_PARQUET`,
  "explain": String.raw`^\s*EXPLAIN\b`,
  "engine-setting": String.raw`^\s*(PRAGMA|SET|RESET)\b`,
};

const compiled: readonly (readonly [string, RegExp])[] = Object.entries(featureTagPatterns).map((
  [tag, source],
) => [tag, new RegExp(source, "m")] as const);

const tagCache = new Map<string, readonly string[]>();
const tagCacheEntriesMax = 4096;

/** The feature tags of one SQL text, in the table's order. */
export function featureTags(sql: string): readonly string[] {
  const cached = tagCache.get(sql);
  if (cached !== undefined) return cached;
  const text = sql.replace(/--[^\n]*/g, "").toUpperCase();
  const tags: string[] = [];
  for (const [tag, re] of compiled) if (re.test(text)) tags.push(tag);
  if (tagCache.size >= tagCacheEntriesMax) tagCache.clear();
  tagCache.set(sql, tags);
  return tags;
}
