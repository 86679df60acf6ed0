/**
 * Typed expression generators. Each {@link ExprGenerator} covers one feature (arithmetic,
 * CASE, a function...), says which result types it can produce and builds expressions from
 * sub-expressions that {@link ExprScope.sub} supplies. {@link exprArbitraries} ties them into
 * one recursive, depth-bounded arbitrary per type. A new feature is a new generator in the list.
 *
 * Every composite expression is parenthesised, so that precedence never depends on the engine.
 *
 * @module
 */

import fc from "fast-check";
import {
  type ColumnDef,
  renderFloat,
  renderText,
  renderValue,
  type SqlType,
  sqlTypeName,
  sqlTypes,
} from "./sql_case.ts";

/** A generated expression: its SQL, its result type and the features it uses. */
export interface Expr {
  readonly sql: string;
  readonly type: SqlType;
  readonly features: readonly string[];
}

/** What a generator may build on. */
export interface ExprScope {
  /** Columns that expressions may reference. */
  readonly columns: readonly ColumnDef[];
  /** A sub-expression of a type, one level deeper (bounded by the maximum depth). */
  sub(type: SqlType): fc.Arbitrary<Expr>;
  /** A column reference or literal of a type. */
  leaf(type: SqlType): fc.Arbitrary<Expr>;
}

/** One expression feature. */
export interface ExprGenerator {
  /** The feature tag, e.g. `arith`; expressions may add finer tags such as `arith.div`. */
  readonly feature: string;
  /** The result types it can produce. */
  readonly produces: readonly SqlType[];
  /** Relative frequency (default 1). */
  readonly weight?: number;
  /** Builds expressions of `type` (one of {@link ExprGenerator.produces}). */
  build(scope: ExprScope, type: SqlType): fc.Arbitrary<Expr>;
}

/** Numeric types. */
export const numericTypes: readonly SqlType[] = ["int4", "int8", "float8", "numeric"];

/** Date and time types that compare with each other. */
export const temporalTypes: readonly SqlType[] = ["date", "timestamp"];

function tags(...parts: readonly (readonly string[] | string)[]): string[] {
  const out = new Set<string>();
  for (const p of parts) {
    if (typeof p === "string") out.add(p);
    else for (const f of p) out.add(f);
  }
  return [...out];
}

function expr(sql: string, type: SqlType, features: readonly string[]): Expr {
  return { sql, type, features };
}

/** Edge-biased literal values per type (data generators use the same lists). */
export const edgeValues = {
  int4: [0, 1, -1, 2, 3, 7, -7, 10, 100, 2147483647, -2147483648, 2147483646, -2147483647],
  int8: [
    0n,
    1n,
    -1n,
    2n,
    10n,
    2147483647n,
    2147483648n,
    -2147483649n,
    9007199254740992n,
    9007199254740993n,
    -9007199254740993n,
    1234567890123456789n,
    9223372036854775807n,
    -9223372036854775808n,
  ],
  float8: [
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    -2.5,
    2.5,
    0.1,
    3.25,
    1e10,
    1e300,
    -1e300,
    1e-300,
    5e-324,
    1.7976931348623157e308,
    123456.789,
    NaN,
    Infinity,
    -Infinity,
  ],
  text: [
    "",
    "a",
    "A",
    "b",
    "abc",
    "ABC",
    "Hello",
    " x ",
    "it's",
    "é",
    "É",
    "😀",
    "ｚ",
    "1",
    "-7",
    "1.5",
    "true",
    "NaN",
  ],
  bool: [true, false],
  numeric: ["0", "1", "-1", "0.5", "-2.5", "2.5", "1.005", "-0.001", "999.999", "123.456", "10"],
  date: ["1970-01-01", "2000-02-29", "1999-12-31", "2024-02-29", "2024-03-01", "2100-12-31"],
  timestamp: [
    "1970-01-01 00:00:00",
    "2000-02-29 23:59:59.999999",
    "2024-02-29 12:00:00",
    "2024-03-01 00:00:00",
    "2024-12-31 23:59:59.5",
    "2100-01-01 00:00:01",
  ],
  interval: [
    "00:00:00",
    "1 day",
    "2 hours",
    "1 month",
    "-3 days",
    "90 minutes",
    "1 year 2 months",
    "00:00:01.5",
    "10 days 12:00:00",
    "-1 day 02:30:00",
  ],
} as const;

/** Text values that are interesting to cast to NUMERIC, DATE and TIMESTAMP. */
export const castableTemporalTexts: Readonly<Record<"numeric" | "date" | "timestamp", string[]>> = {
  numeric: ["0", "1.5", "-0.0005", " 12 ", "123.4567", "1e3", "abc", "", "-7"],
  date: ["2024-02-29", "2023-02-29", "1999-12-31", " 2000-01-01 ", "abc", ""],
  timestamp: [
    "2024-02-29 12:34:56",
    "2024-02-29",
    "2024-02-30 00:00:00",
    "abc",
    "2000-01-01 1:2:3",
  ],
};

const dayMs = 86_400_000;
/** Generated dates and timestamps lie between these days since 1970-01-01 (1970 to 2100). */
const dayMin = 0;
const dayMax = 47_846;

function isoDate(day: number): string {
  return new Date(day * dayMs).toISOString().slice(0, 10);
}

/** Text values that are interesting to cast to numbers and booleans. */
export const castableTexts: readonly string[] = [
  "0",
  "1",
  "-7",
  " 12 ",
  "2147483647",
  "2147483648",
  "9223372036854775807",
  "1.5",
  "-0.5",
  "1e3",
  "abc",
  "",
  "NaN",
  "Infinity",
  "true",
  "f",
];

/** An arbitrary literal of a type, biased to edge values; about one in eight is NULL. */
export function valueArbitrary(type: SqlType, allowNonFinite = true): fc.Arbitrary<unknown> {
  const nullArb = fc.constant(null);
  switch (type) {
    case "int4":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.int4), weight: 3 },
        { arbitrary: fc.integer({ min: -100, max: 100 }), weight: 3 },
        { arbitrary: fc.integer(), weight: 1 },
        { arbitrary: nullArb, weight: 1 },
      );
    case "int8":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.int8), weight: 3 },
        { arbitrary: fc.bigInt({ min: -100n, max: 100n }), weight: 3 },
        { arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), weight: 1 },
        { arbitrary: nullArb, weight: 1 },
      );
    case "float8": {
      const edges = edgeValues.float8.filter((x) => allowNonFinite || Number.isFinite(x));
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edges), weight: 3 },
        { arbitrary: fc.integer({ min: -100, max: 100 }).map((n) => n / 4), weight: 3 },
        { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
        { arbitrary: nullArb, weight: 1 },
      );
    }
    case "text":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.text), weight: 4 },
        { arbitrary: fc.string({ maxLength: 5 }), weight: 2 },
        { arbitrary: nullArb, weight: 1 },
      );
    case "bool":
      return fc.oneof(
        { arbitrary: fc.boolean(), weight: 6 },
        { arbitrary: nullArb, weight: 1 },
      );
    case "numeric":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.numeric), weight: 3 },
        {
          arbitrary: fc.integer({ min: -999_999, max: 999_999 }).map((n) =>
            `${n < 0 ? "-" : ""}${Math.floor(Math.abs(n) / 1000)}.${
              String(Math.abs(n) % 1000).padStart(3, "0")
            }`
          ),
          weight: 3,
        },
        { arbitrary: nullArb, weight: 1 },
      );
    case "date":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.date), weight: 2 },
        { arbitrary: fc.integer({ min: dayMin, max: dayMax }).map(isoDate), weight: 3 },
        { arbitrary: nullArb, weight: 1 },
      );
    case "timestamp":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.timestamp), weight: 2 },
        {
          arbitrary: fc.tuple(
            fc.integer({ min: dayMin, max: dayMax }),
            fc.integer({ min: 0, max: 86_399 }),
            fc.constantFrom("", "", ".5", ".123456"),
          ).map(([d, s, frac]) =>
            `${isoDate(d)} ${new Date(s * 1000).toISOString().slice(11, 19)}${frac}`
          ),
          weight: 3,
        },
        { arbitrary: nullArb, weight: 1 },
      );
    case "interval":
      return fc.oneof(
        { arbitrary: fc.constantFrom(...edgeValues.interval), weight: 3 },
        {
          arbitrary: fc.tuple(
            fc.integer({ min: -14, max: 14 }),
            fc.integer({ min: -40, max: 40 }),
            fc.integer({ min: -100_000, max: 100_000 }),
          ).map(([m, d, s]) => {
            const sign = s < 0 ? "-" : "";
            const a = Math.abs(s);
            const hms = [Math.floor(a / 3600), Math.floor(a / 60) % 60, a % 60]
              .map((x) => String(x).padStart(2, "0")).join(":");
            return `${m} months ${d} days ${sign}${hms}`;
          }),
          weight: 2,
        },
        { arbitrary: nullArb, weight: 1 },
      );
  }
}

/** A typed literal expression. Floats and NULLs are cast so that every engine types them alike. */
export function literalArbitrary(type: SqlType): fc.Arbitrary<Expr> {
  return valueArbitrary(type).map((v) => {
    if (v === null) return expr(`CAST(NULL AS ${sqlTypeName[type]})`, type, ["literal.null"]);
    if (type === "float8") {
      const x = v as number;
      const f = Number.isNaN(x) ? ["literal.nan"] : Number.isFinite(x) ? [] : ["literal.inf"];
      const sql = renderFloat(x);
      return expr(sql.startsWith("CAST(") ? sql : `CAST(${sql} AS DOUBLE PRECISION)`, type, [
        "literal",
        ...f,
      ]);
    }
    if (type === "interval" && hasMixedSigns(v as string)) {
      return expr(renderValue(type, v as never), type, ["literal", "literal.interval_mixed"]);
    }
    return expr(renderValue(type, v as never), type, ["literal"]);
  });
}

/** Whether interval text has parts of both signs (`1 months -19 days -12:00:00`). */
function hasMixedSigns(text: string): boolean {
  const signs = text.split(/\s+/).map((t) => /^-?[\d:.]+$/.test(t) && /[1-9]/.test(t) ? t[0] : "")
    .filter((s) => s !== "");
  return signs.some((s) => s === "-") && signs.some((s) => s !== "-");
}

/** A column reference of the type, or a literal when the scope has no such column. */
export function leafArbitrary(columns: readonly ColumnDef[], type: SqlType): fc.Arbitrary<Expr> {
  const cols = columns.filter((c) => c.type === type);
  const lit = literalArbitrary(type);
  if (cols.length === 0) return lit;
  return fc.oneof(
    { arbitrary: fc.constantFrom(...cols).map((c) => expr(c.name, type, ["column"])), weight: 3 },
    { arbitrary: lit, weight: 1 },
  );
}

/** Numeric operand types whose arithmetic result (PostgreSQL's rules) is `type`. */
function numericOperandPairs(type: SqlType): [SqlType, SqlType][] {
  switch (type) {
    case "int4":
      return [["int4", "int4"]];
    case "int8":
      return [["int8", "int8"], ["int4", "int8"], ["int8", "int4"]];
    case "float8":
      return [["float8", "float8"], ["int4", "float8"], ["float8", "int8"], ["numeric", "float8"]];
    case "numeric":
      return [["numeric", "numeric"], ["int4", "numeric"], ["numeric", "int8"]];
    default:
      return [];
  }
}

function binary(
  scope: ExprScope,
  pairs: readonly [SqlType, SqlType][],
  ops: readonly string[],
  type: SqlType,
  feature: (op: string) => readonly string[],
): fc.Arbitrary<Expr> {
  return fc.constantFrom(...pairs).chain(([l, r]) =>
    fc.tuple(scope.sub(l), fc.constantFrom(...ops), scope.sub(r)).map(([a, op, b]) =>
      expr(`(${a.sql} ${op} ${b.sql})`, type, tags(a.features, b.features, feature(op)))
    )
  );
}

/** `+ - *` on numbers. */
export const arithGenerator: ExprGenerator = {
  feature: "arith",
  produces: numericTypes,
  weight: 3,
  build: (scope, type) =>
    binary(
      scope,
      numericOperandPairs(type),
      ["+", "-", "*"],
      type,
      () => ["arith", `arith.${type}`],
    ),
};

/** `/` on numbers (integer division truncates; x/0 raises 22012 in PostgreSQL). */
export const divisionGenerator: ExprGenerator = {
  feature: "arith.div",
  produces: numericTypes,
  build: (scope, type) =>
    binary(scope, numericOperandPairs(type), ["/"], type, () => ["arith.div", `arith.${type}`]),
};

/** `%` on integers. */
export const moduloGenerator: ExprGenerator = {
  feature: "arith.mod",
  produces: ["int4", "int8"],
  build: (scope, type) =>
    binary(scope, numericOperandPairs(type), ["%"], type, () => ["arith.mod", `arith.${type}`]),
};

/** Unary minus. */
export const negateGenerator: ExprGenerator = {
  feature: "neg",
  produces: numericTypes,
  build: (scope, type) =>
    scope.sub(type).map((a) =>
      expr(`(- ${a.sql})`, type, tags(a.features, "neg", `arith.${type}`))
    ),
};

/** Groups of types that compare with each other. */
export const comparableGroups: readonly (readonly SqlType[])[] = [
  numericTypes,
  ["text"],
  ["bool"],
  temporalTypes,
  ["interval"],
];

function comparablePair(): fc.Arbitrary<[SqlType, SqlType]> {
  return fc.constantFrom(...comparableGroups).chain((g) =>
    fc.tuple(fc.constantFrom(...g), fc.constantFrom(...g))
  );
}

/** `= <> != < <= > >=`. */
export const compareGenerator: ExprGenerator = {
  feature: "compare",
  produces: ["bool"],
  weight: 3,
  build: (scope) =>
    comparablePair().chain(([l, r]) =>
      fc.tuple(scope.sub(l), fc.constantFrom("=", "<>", "!=", "<", "<=", ">", ">="), scope.sub(r))
        .map(([a, op, b]) =>
          expr(
            `(${a.sql} ${op} ${b.sql})`,
            "bool",
            tags(a.features, b.features, "compare", l === "interval" ? ["compare.interval"] : []),
          )
        )
    ),
};

/** AND, OR, NOT. */
export const logicGenerator: ExprGenerator = {
  feature: "logic",
  produces: ["bool"],
  weight: 2,
  build: (scope) =>
    fc.oneof(
      fc.tuple(scope.sub("bool"), fc.constantFrom("AND", "OR"), scope.sub("bool")).map((
        [a, op, b],
      ) => expr(`(${a.sql} ${op} ${b.sql})`, "bool", tags(a.features, b.features, "logic"))),
      scope.sub("bool").map((a) => expr(`(NOT ${a.sql})`, "bool", tags(a.features, "logic"))),
    ),
};

/** IS [NOT] NULL. */
export const isNullGenerator: ExprGenerator = {
  feature: "is_null",
  produces: ["bool"],
  build: (scope) =>
    fc.tuple(fc.constantFrom(...sqlTypes).chain((t) => scope.sub(t)), fc.boolean()).map((
      [a, not],
    ) => expr(`(${a.sql} IS ${not ? "NOT " : ""}NULL)`, "bool", tags(a.features, "is_null"))),
};

/** [NOT] BETWEEN on numbers and text. */
export const betweenGenerator: ExprGenerator = {
  feature: "between",
  produces: ["bool"],
  build: (scope) =>
    fc.constantFrom<readonly SqlType[]>(numericTypes, ["text"], temporalTypes).chain((g) =>
      fc.tuple(
        fc.constantFrom(...g).chain((t) => scope.sub(t)),
        fc.constantFrom(...g).chain((t) => scope.sub(t)),
        fc.constantFrom(...g).chain((t) => scope.sub(t)),
        fc.boolean(),
      ).map(([x, lo, hi, not]) =>
        expr(
          `(${x.sql} ${not ? "NOT " : ""}BETWEEN ${lo.sql} AND ${hi.sql})`,
          "bool",
          tags(x.features, lo.features, hi.features, "between"),
        )
      )
    ),
};

/** [NOT] IN (list). */
export const inListGenerator: ExprGenerator = {
  feature: "in_list",
  produces: ["bool"],
  build: (scope) =>
    fc.constantFrom(...comparableGroups).chain((g) =>
      fc.tuple(
        fc.constantFrom(...g).chain((t) => scope.sub(t)),
        fc.array(fc.constantFrom(...g).chain((t) => scope.sub(t)), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
      ).map(([x, list, not]) =>
        expr(
          `(${x.sql} ${not ? "NOT " : ""}IN (${list.map((e) => e.sql).join(", ")}))`,
          "bool",
          tags(x.features, ...list.map((e) => e.features), "in_list"),
        )
      )
    ),
};

/** Searched and simple CASE, with or without ELSE. */
export const caseGenerator: ExprGenerator = {
  feature: "case",
  produces: sqlTypes,
  build: (scope, type) =>
    fc.oneof(
      fc.tuple(
        fc.array(fc.tuple(scope.sub("bool"), scope.sub(type)), { minLength: 1, maxLength: 3 }),
        fc.option(scope.sub(type)),
      ).map(([whens, otherwise]) =>
        expr(
          `(CASE ${whens.map(([w, t]) => `WHEN ${w.sql} THEN ${t.sql}`).join(" ")}${
            otherwise === null ? "" : ` ELSE ${otherwise.sql}`
          } END)`,
          type,
          tags(
            ...whens.flatMap(([w, t]) => [w.features, t.features]),
            otherwise?.features ?? [],
            "case",
          ),
        )
      ),
      fc.constantFrom(...comparableGroups).chain((g) =>
        fc.tuple(
          fc.constantFrom(...g).chain((t) => scope.sub(t)),
          fc.array(fc.tuple(fc.constantFrom(...g).chain((t) => scope.sub(t)), scope.sub(type)), {
            minLength: 1,
            maxLength: 3,
          }),
          fc.option(scope.sub(type)),
        ).map(([subject, whens, otherwise]) =>
          expr(
            `(CASE ${subject.sql} ${
              whens.map(([w, t]) => `WHEN ${w.sql} THEN ${t.sql}`).join(" ")
            }${otherwise === null ? "" : ` ELSE ${otherwise.sql}`} END)`,
            type,
            tags(
              subject.features,
              ...whens.flatMap(([w, t]) => [w.features, t.features]),
              otherwise?.features ?? [],
              "case",
              "case.simple",
            ),
          )
        )
      ),
    ),
};

/** The casts generated, by target type: the source types allowed. */
export const castSources: Readonly<Record<SqlType, readonly SqlType[]>> = {
  int4: ["int8", "float8", "text", "bool", "numeric"],
  int8: ["int4", "float8", "text", "numeric"],
  float8: ["int4", "int8", "text", "numeric"],
  numeric: ["int4", "int8", "text"],
  // numeric and interval to text are left out: PostgreSQL and DuckDB spell them differently.
  text: ["int4", "int8", "float8", "bool", "text", "date", "timestamp"],
  bool: ["int4", "text"],
  date: ["timestamp", "text"],
  timestamp: ["date", "text"],
  interval: ["text"],
};

/** CAST(x AS t) and x::t. Text sources are often number-like strings. */
export const castGenerator: ExprGenerator = {
  feature: "cast",
  produces: sqlTypes,
  weight: 2,
  build: (scope, type) =>
    fc.constantFrom(...castSources[type]).chain((from) => {
      const texts = type === "numeric" || type === "date" || type === "timestamp"
        ? castableTemporalTexts[type]
        : type === "interval"
        ? edgeValues.interval
        : castableTexts;
      const source = from === "text" && type !== "text"
        ? fc.oneof(
          fc.constantFrom(...texts).map((s) => expr(renderText(s), "text", ["literal"])),
          // Random text only where every engine rejects it alike (not as NUMERIC: 'NaN').
          type === "numeric" || type === "interval"
            ? fc.constantFrom(...texts).map((s) => expr(renderText(s), "text", ["literal"]))
            : scope.sub("text"),
        )
        : scope.sub(from);
      return fc.tuple(source, fc.boolean()).map(([a, colon]) => {
        const sql = colon
          ? `(${a.sql})::${sqlTypeName[type]}`
          : `CAST(${a.sql} AS ${sqlTypeName[type]})`;
        const extra = colon ? ["cast.colon"] : [];
        return expr(sql, type, tags(a.features, "cast", `cast.${from}_to_${type}`, extra));
      });
    }),
};

/** text || text. */
export const concatGenerator: ExprGenerator = {
  feature: "concat",
  produces: ["text"],
  build: (scope) =>
    fc.tuple(scope.sub("text"), scope.sub("text")).map(([a, b]) =>
      expr(`(${a.sql} || ${b.sql})`, "text", tags(a.features, b.features, "concat"))
    ),
};

/** lower, upper, length, abs, coalesce, nullif. */
export const functionGenerator: ExprGenerator = {
  feature: "func",
  produces: sqlTypes,
  weight: 2,
  build: (scope, type) => {
    const options: fc.Arbitrary<Expr>[] = [];
    if (type === "text") {
      options.push(
        fc.tuple(fc.constantFrom("lower", "upper"), scope.sub("text")).map(([f, a]) =>
          expr(`${f}(${a.sql})`, "text", tags(a.features, "func", `func.${f}`))
        ),
      );
    }
    if (type === "int4") {
      options.push(
        scope.sub("text").map((a) =>
          expr(`length(${a.sql})`, "int4", tags(a.features, "func", "func.length"))
        ),
      );
    }
    if (numericTypes.includes(type)) {
      options.push(
        scope.sub(type).map((a) =>
          expr(`abs(${a.sql})`, type, tags(a.features, "func", "func.abs"))
        ),
      );
    }
    options.push(
      fc.array(scope.sub(type), { minLength: 1, maxLength: 3 }).map((args) =>
        expr(
          `coalesce(${args.map((a) => a.sql).join(", ")})`,
          type,
          tags(...args.map((a) => a.features), "func", "func.coalesce"),
        )
      ),
      fc.tuple(scope.sub(type), scope.sub(type)).map(([a, b]) =>
        expr(
          `nullif(${a.sql}, ${b.sql})`,
          type,
          tags(a.features, b.features, "func", "func.nullif"),
        )
      ),
    );
    return fc.oneof(...options);
  },
};

/** round(numeric, k). */
export const roundGenerator: ExprGenerator = {
  feature: "func.round",
  produces: ["numeric"],
  build: (scope) =>
    fc.tuple(scope.sub("numeric"), fc.integer({ min: 0, max: 2 })).map(([a, k]) =>
      expr(`round(${a.sql}, ${k})`, "numeric", tags(a.features, "func", "func.round"))
    ),
};

/**
 * The integer of a generated `date ± int` is reduced modulo this many days (about 27 years), so
 * that generated dates stay near the literals' 1970 to 2100: at most {@link exprDepthMaxDefault}
 * nested `date ± int` give about 1888 to 2182. DESIGN.md §4 keeps TIMESTAMP as Float64
 * microseconds, exact to year 2255 (2^53 µs from 1970; docs/sql.md lists it as a known limit):
 * a date beyond that, once it becomes a timestamp (date + interval), loses microseconds by design
 * (fuzz seed 1212121: DATE '1970-01-01' + 6671935, year 20237). Exact int64 timestamps are open
 * work; until then the fuzzer stays in the exact range. `%` keeps the dividend's sign in
 * PostgreSQL and DuckDB alike, NULL stays NULL and nothing overflows. Dates of literals, edge
 * values and casts from text are not reduced.
 */
export const dateOffsetWindow = 10_000;

/**
 * Date and time arithmetic in PostgreSQL's typing: date ± int, date - date, date/timestamp ±
 * interval, timestamp - timestamp, interval ± interval, interval * small int, -interval.
 */
export const temporalArithGenerator: ExprGenerator = {
  feature: "temporal",
  produces: ["int4", "date", "timestamp", "interval"],
  weight: 2,
  build: (scope, type) => {
    const bin = (l: SqlType, op: string, r: SqlType, f: string) =>
      fc.tuple(scope.sub(l), scope.sub(r)).map(([a, b]) =>
        expr(`(${a.sql} ${op} ${b.sql})`, type, tags(a.features, b.features, "temporal", f))
      );
    const smallInt = fc.integer({ min: -3, max: 3 }).map((k) =>
      expr(k < 0 ? `CAST(${k} AS INTEGER)` : String(k), "int4", ["literal"])
    );
    switch (type) {
      case "int4":
        // DuckDB's date - date is BIGINT (and BIGINT + date does not exist): cast as PostgreSQL.
        return bin("date", "-", "date", "temporal.date_minus_date").map((x) =>
          expr(`CAST(${x.sql} AS INTEGER)`, "int4", x.features)
        );
      case "date":
        // The integer is cast because DuckDB has no date + BIGINT (its length() is BIGINT).
        // It is first reduced into (-dateOffsetWindow, dateOffsetWindow): see dateOffsetWindow.
        return fc.tuple(scope.sub("date"), fc.constantFrom("+", "-"), scope.sub("int4")).map((
          [a, op, b],
        ) =>
          expr(
            `(${a.sql} ${op} CAST(((${b.sql}) % ${dateOffsetWindow}) AS INTEGER))`,
            type,
            tags(a.features, b.features, "temporal", "temporal.date_plus_int"),
          )
        );
      case "timestamp":
        return fc.oneof(
          fc.tuple(fc.constantFrom(...temporalTypes), fc.constantFrom("+", "-")).chain(([t, op]) =>
            bin(t, op, "interval", "temporal.plus_interval")
          ),
          fc.tuple(
            fc.constantFrom("day", "month", "year", "hour", "minute"),
            scope.sub("timestamp"),
          )
            .map(([f, a]) =>
              expr(
                `date_trunc('${f}', ${a.sql})`,
                "timestamp",
                tags(a.features, "temporal", "func.date_trunc"),
              )
            ),
        );
      case "interval":
        return fc.oneof(
          bin("timestamp", "-", "timestamp", "temporal.ts_minus_ts"),
          fc.constantFrom("+", "-").chain((op) =>
            bin("interval", op, "interval", "temporal.interval_arith")
          ),
          fc.tuple(scope.sub("interval"), smallInt).map(([a, k]) =>
            expr(
              `(${a.sql} * ${k.sql})`,
              "interval",
              tags(a.features, "temporal", "temporal.interval_arith"),
            )
          ),
          scope.sub("interval").map((a) =>
            expr(
              `(- ${a.sql})`,
              "interval",
              tags(a.features, "temporal", "temporal.interval_arith"),
            )
          ),
        );
      default:
        throw new Error(`temporal arithmetic does not produce ${type}`);
    }
  },
};

/** CAST(EXTRACT(field FROM date|timestamp) AS INTEGER) (PostgreSQL's EXTRACT is numeric). */
export const extractGenerator: ExprGenerator = {
  feature: "func.extract",
  produces: ["int4"],
  build: (scope) =>
    // PostgreSQL rejects time fields of a date (0A000); OmenDB does not (yet).
    fc.constantFrom(...temporalTypes).chain((t) =>
      fc.tuple(
        scope.sub(t),
        fc.constantFrom("YEAR", "MONTH", "DAY", "DOW", "DOY", ...(t === "date" ? [] : ["HOUR"])),
      )
    ).map(([a, f]) =>
      expr(
        `CAST(EXTRACT(${f} FROM ${a.sql}) AS INTEGER)`,
        "int4",
        tags(a.features, "temporal", "func.extract"),
      )
    ),
};

/** The expression generators of the walking skeleton's SQL. Later features append to this. */
export const defaultExprGenerators: readonly ExprGenerator[] = [
  arithGenerator,
  divisionGenerator,
  moduloGenerator,
  negateGenerator,
  compareGenerator,
  logicGenerator,
  isNullGenerator,
  betweenGenerator,
  inListGenerator,
  caseGenerator,
  castGenerator,
  concatGenerator,
  functionGenerator,
  roundGenerator,
  temporalArithGenerator,
  extractGenerator,
];

/** Default maximum nesting depth of generated expressions. */
export const exprDepthMaxDefault = 3;

/**
 * One recursive arbitrary per type over the given columns. Leaves (columns, literals) come first
 * so that shrinking moves towards them; depth is bounded by `depthMax`.
 */
export function exprArbitraries(
  columns: readonly ColumnDef[],
  generators: readonly ExprGenerator[] = defaultExprGenerators,
  depthMax: number = exprDepthMaxDefault,
): Readonly<Record<SqlType, fc.Arbitrary<Expr>>> {
  const built = fc.letrec((tie) => {
    const scope: ExprScope = {
      columns,
      sub: (t) => tie(t) as fc.Arbitrary<Expr>,
      leaf: (t) => leafArbitrary(columns, t),
    };
    const out: Record<string, fc.Arbitrary<Expr>> = {};
    for (const t of sqlTypes) {
      const gens = generators.filter((g) => g.produces.includes(t));
      out[t] = fc.oneof(
        { maxDepth: depthMax, depthIdentifier: "expr", withCrossShrink: true },
        { arbitrary: leafArbitrary(columns, t), weight: 4 },
        ...gens.map((g) => ({ arbitrary: g.build(scope, t), weight: g.weight ?? 1 })),
      );
    }
    return out;
  });
  return built as unknown as Record<SqlType, fc.Arbitrary<Expr>>;
}
