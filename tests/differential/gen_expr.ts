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
export const numericTypes: readonly SqlType[] = ["int4", "int8", "float8"];

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
} as const;

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
    return expr(renderValue(type, v as never), type, ["literal"]);
  });
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
      return [["float8", "float8"], ["int4", "float8"], ["float8", "int8"]];
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

const comparableGroups: readonly (readonly SqlType[])[] = [numericTypes, ["text"], ["bool"]];

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
          expr(`(${a.sql} ${op} ${b.sql})`, "bool", tags(a.features, b.features, "compare"))
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
    fc.constantFrom<readonly SqlType[]>(numericTypes, ["text"]).chain((g) =>
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
  int4: ["int8", "float8", "text", "bool"],
  int8: ["int4", "float8", "text"],
  float8: ["int4", "int8", "text"],
  text: ["int4", "int8", "float8", "bool", "text"],
  bool: ["int4", "text"],
};

/** CAST(x AS t) and x::t. Text sources are often number-like strings. */
export const castGenerator: ExprGenerator = {
  feature: "cast",
  produces: sqlTypes,
  weight: 2,
  build: (scope, type) =>
    fc.constantFrom(...castSources[type]).chain((from) => {
      const source = from === "text" && type !== "text"
        ? fc.oneof(
          fc.constantFrom(...castableTexts).map((s) => expr(renderText(s), "text", ["literal"])),
          scope.sub("text"),
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
