import assert from "node:assert/strict";
import { Types as T } from "../../core/types/data_type.ts";
import { SeededRandom } from "../../core/env/random.ts";
import { mathFunctions, power, randomFunction, rint, roundDecimal } from "./math.ts";
import { assertCode, call1, callScalar, resolveScalar } from "./_test_util.ts";
import { roundDec, roundScaleMax } from "./numeric_functions.ts";

const f = mathFunctions;
const f8 = (name: string, ...xs: (number | null)[]) => callScalar(f, name, [T.float8, xs]).values;

Deno.test("round(float8) rounds half to even like rint; NULL stays NULL", () => {
  assert.deepEqual(f8("round", 0.5, 1.5, 2.5, -2.5, -0.4, 2.6, null), [0, 2, 2, -2, -0, 3, null]);
  assert.ok(Object.is(rint(-0.4), -0));
  assert.deepEqual(f8("round", Infinity, NaN), [Infinity, NaN]);
  // An integer argument resolves to float8, as PostgreSQL's preferred-type rule picks.
  assert.equal(callScalar(f, "round", [T.int4, [5]]).type.kind, "float8");
});

Deno.test("round(x, n) and trunc(x, n) work on the decimal form, half away from zero", () => {
  const r = (x: number, n: number) => call1(f, "round", [T.float8, x], [T.int4, n]);
  assert.equal(r(1.005, 2), 1.01);
  assert.equal(r(2.5, 0), 3);
  assert.equal(r(-2.5, 0), -3);
  assert.equal(r(1234.5, -2), 1200);
  assert.equal(r(-0.001, 2), 0);
  assert.ok(Object.is(r(-0.001, 2), 0)); // numeric has no negative zero
  assert.equal(r(1e300, 2), 1e300);
  assert.equal(r(1.5e-7, 7), 2e-7);
  assert.equal(r(123.456, 400), 123.456);
  assert.equal(r(123.456, -400), 0);
  assert.equal(call1(f, "round", [T.float8, null], [T.int4, 1]), null);
  assert.equal(call1(f, "round", [T.float8, 1.25], [T.int4, null]), null);
  const t = (x: number, n: number) => call1(f, "trunc", [T.float8, x], [T.int4, n]);
  assert.equal(t(-1.57, 1), -1.5);
  assert.equal(t(1.999, 2), 1.99);
  assert.equal(t(1999, -3), 1000);
  assert.equal(roundDecimal(NaN, 2, false), NaN);
  // A float column with an integer literal places argument resolves (PG needs numeric).
  assert.ok(resolveScalar(f, "round", [T.float4, T.unknown]));
  assert.equal(resolveScalar(f, "round", [T.text, T.int4]), null);
});

Deno.test("trunc, ceil, ceiling, floor, sign", () => {
  assert.deepEqual(f8("trunc", 1.7, -1.7, null), [1, -1, null]);
  assert.deepEqual(f8("ceil", 1.2, -1.2, -0.5), [2, -1, -0]);
  assert.deepEqual(f8("ceiling", 1.2), [2]);
  assert.deepEqual(f8("floor", 1.8, -1.2), [1, -2]);
  assert.deepEqual(f8("sign", -3, 0, 2.5, -0, NaN, null), [-1, 0, 1, 0, 0, null]);
});

Deno.test("sqrt and cbrt; sqrt of a negative is 2201F", () => {
  assert.deepEqual(f8("sqrt", 4, 2, 0, null), [2, Math.SQRT2, 0, null]);
  assert.deepEqual(f8("cbrt", -8, 27), [-2, 3]);
  assertCode(() => f8("sqrt", 4, -1), "2201F");
  // A NULL row's garbage data never raises.
  assert.deepEqual(callScalar(f, "sqrt", [T.int4, [null, 9]]).values, [null, 3]);
});

Deno.test("power follows PostgreSQL's dpow special cases and errors", () => {
  assert.equal(power(2, 10), 1024);
  assert.equal(power(1, NaN), 1);
  assert.equal(power(NaN, 0), 1);
  assert.ok(Number.isNaN(power(NaN, 1)));
  assert.equal(power(-1, Infinity), 1);
  assert.equal(power(0.5, Infinity), 0);
  assert.equal(power(2, -Infinity), 0);
  assert.equal(power(-Infinity, 3), -Infinity);
  assert.equal(power(-Infinity, 2), Infinity);
  assert.ok(Object.is(power(-Infinity, -3), -0));
  assert.equal(power(-8, 3), -512);
  assertCode(() => power(0, -1), "2201F");
  assertCode(() => power(-8, 1 / 3), "2201F");
  assertCode(() => power(10, 400), "22003");
  assertCode(() => power(10, -400), "22003");
  assert.equal(power(10, -310), 1e-310);
  assert.deepEqual(callScalar(f, "pow", [T.int4, [2, null]], [T.int4, [3, 1]]).values, [8, null]);
});

Deno.test("exp, ln, log, log10 and log(b, x) with PostgreSQL's error codes", () => {
  assert.deepEqual(f8("exp", 0, 1, -Infinity, null), [1, Math.E, 0, null]);
  assertCode(() => f8("exp", 1000), "22003");
  assertCode(() => f8("exp", -1000), "22003");
  assert.deepEqual(f8("ln", 1, Math.E), [0, 1]);
  assertCode(() => f8("ln", 0), "2201E");
  assertCode(() => f8("ln", -1), "2201E");
  assert.deepEqual(f8("log", 1000, 0.01), [3, -2]);
  assert.deepEqual(f8("log10", 100), [2]);
  assertCode(() => f8("log10", 0), "2201E");
  const lb = (b: number, x: number) => call1(f, "log", [T.float8, b], [T.float8, x]);
  assert.equal(lb(2, 8), 3);
  assert.equal(lb(3, 81), 4);
  assert.equal(lb(10, 1000), 3);
  assert.ok(Math.abs((lb(2, 10) as number) - 3.321928094887362) < 1e-15);
  assertCode(() => lb(1, 10), "22012");
  assertCode(() => lb(0, 10), "2201E");
  assertCode(() => lb(2, -1), "2201E");
});

Deno.test("mod over integer kinds keeps the type; zero divisor is 22012", () => {
  const r = callScalar(f, "mod", [T.int4, [-7, 7, 5, null, -2147483648]], [T.int4, [
    3,
    -3,
    5,
    1,
    -1,
  ]]);
  assert.equal(r.type.kind, "int4");
  assert.deepEqual(r.values, [-1, 1, 0, null, 0]);
  const s = callScalar(f, "mod", [T.int2, [7]], [T.int2, [4]]);
  assert.equal(s.type.kind, "int2");
  assert.deepEqual(s.values, [3]);
  const b = callScalar(f, "mod", [T.int8, [-9223372036854775808n, 10n]], [T.int4, [-1, 3]]);
  assert.equal(b.type.kind, "int8");
  assert.deepEqual(b.values, [0n, 1n]);
  assert.deepEqual(callScalar(f, "mod", [T.float8, [5.5, -7.5]], [T.int4, [2, 2]]).values, [
    1.5,
    -1.5,
  ]);
  assertCode(() => call1(f, "mod", [T.int4, 1], [T.int4, 0]), "22012");
  assertCode(() => call1(f, "mod", [T.int8, 1n], [T.int8, 0n]), "22012");
  assertCode(() => call1(f, "mod", [T.float8, 1], [T.float8, 0]), "22012");
  assert.equal(call1(f, "mod", [T.int4, null], [T.int4, 0]), null);
});

Deno.test("pi, degrees, radians", () => {
  assert.deepEqual(callScalar(f, "pi").values, [Math.PI]);
  assert.deepEqual(f8("degrees", Math.PI, null), [180, null]);
  assert.deepEqual(f8("radians", 180), [Math.PI]);
  assertCode(() => f8("degrees", 1e307), "22003");
});

Deno.test("trigonometric functions and their domain errors (22003)", () => {
  assert.deepEqual(f8("sin", 0, null), [0, null]);
  assert.deepEqual(f8("cos", 0), [1]);
  assert.deepEqual(f8("tan", 0), [0]);
  assert.deepEqual(f8("cot", 0), [Infinity]);
  assert.deepEqual(f8("asin", 1), [Math.PI / 2]);
  assert.deepEqual(f8("acos", 1), [0]);
  assert.deepEqual(f8("atan", Infinity), [Math.PI / 2]);
  assert.deepEqual(callScalar(f, "atan2", [T.float8, [1]], [T.float8, [1]]).values, [
    Math.PI / 4,
  ]);
  assert.deepEqual(f8("sinh", 0, 1000), [0, Infinity]);
  assert.deepEqual(f8("cosh", 0), [1]);
  assert.deepEqual(f8("tanh", 0), [0]);
  assert.deepEqual(f8("asinh", 0), [0]);
  assert.deepEqual(f8("acosh", 1), [0]);
  assert.deepEqual(f8("atanh", 1, -1, 0), [Infinity, -Infinity, 0]);
  assert.ok(Number.isNaN(f8("sin", NaN)[0]));
  for (
    const [name, x] of [
      ["sin", Infinity],
      ["cos", -Infinity],
      ["tan", Infinity],
      [
        "asin",
        2,
      ],
      ["acos", -1.5],
      ["acosh", 0.5],
      ["atanh", 1.5],
    ] as const
  ) {
    assertCode(() => f8(name, x), "22003");
  }
});

Deno.test("gcd and lcm for int4 and int8, with range errors", () => {
  const g = callScalar(f, "gcd", [T.int4, [12, -12, 0, 7, null]], [T.int4, [18, 18, 0, 0, 1]]);
  assert.deepEqual(g.values, [6, 6, 0, 7, null]);
  const l = callScalar(f, "lcm", [T.int4, [4, -4, 0]], [T.int4, [6, 6, 5]]);
  assert.deepEqual(l.values, [12, 12, 0]);
  assertCode(() => call1(f, "gcd", [T.int4, -2147483648], [T.int4, 0]), "22003");
  assertCode(() => call1(f, "lcm", [T.int4, 2147483647], [T.int4, 2]), "22003");
  const g8 = callScalar(f, "gcd", [T.int8, [12n]], [T.int4, [18]]);
  assert.equal(g8.type.kind, "int8");
  assert.deepEqual(g8.values, [6n]);
  assert.deepEqual(callScalar(f, "lcm", [T.int8, [4n]], [T.int8, [6n]]).values, [12n]);
  assertCode(
    () => call1(f, "gcd", [T.int8, -9223372036854775808n], [T.int8, 0n]),
    "22003",
  );
  assertCode(
    () => call1(f, "lcm", [T.int8, 9223372036854775807n], [T.int8, 2n]),
    "22003",
  );
  assert.equal(resolveScalar(f, "gcd", [T.float8, T.int4]), null);
});

Deno.test("random() is volatile, in [0, 1), and replays from a seed", () => {
  const seeded = randomFunction(new SeededRandom(7)).evaluate([], 1000);
  const again = randomFunction(new SeededRandom(7)).evaluate([], 1000);
  assert.deepEqual(seeded.data, again.data);
  const crypto = randomFunction().evaluate([], 5000);
  const xs = crypto.data as Float64Array;
  let sum = 0;
  for (const x of xs) {
    assert.ok(x >= 0 && x < 1);
    sum += x;
  }
  assert.ok(Math.abs(sum / xs.length - 0.5) < 0.05, `mean ${sum / xs.length}`);
  assert.equal(new Set(xs).size, xs.length);
  assert.equal(resolveScalar(f, "random", [])!.fn.volatility, "volatile");
});

Deno.test("greatest and least ignore NULLs and use the common type", () => {
  const g = callScalar(f, "greatest", [T.int4, [1, null, null]], [T.float8, [2.5, 3, null]], [
    T.int4,
    [null, 7, null],
  ]);
  assert.equal(g.type.kind, "float8");
  assert.deepEqual(g.values, [2.5, 7, null]);
  const l = callScalar(f, "least", [T.text, ["b", "a"]], [T.unknown, ["a", null]]);
  assert.equal(l.type.kind, "text");
  assert.deepEqual(l.values, ["a", "a"]);
  assert.deepEqual(callScalar(f, "greatest", [T.float8, [NaN]], [T.float8, [1]]).values, [NaN]);
  assert.deepEqual(callScalar(f, "least", [T.float8, [NaN]], [T.float8, [1]]).values, [1]);
  assert.deepEqual(callScalar(f, "greatest", [T.int8, [5n]], [T.int8, [9n]]).values, [9n]);
  assert.deepEqual(callScalar(f, "greatest", [T.date, [5]], [T.date, [-3]]).values, [5]);
  assert.equal(resolveScalar(f, "greatest", [T.int4, T.text]), null);
});

Deno.test("round/trunc of numeric take any int4 places without a power of ten that size (robustness)", () => {
  const d = { v: 15n, s: 1 }; // 1.5
  // PostgreSQL caps the scale at NUMERIC_DSCALE_MAX (16383)
  assert.deepEqual(roundDec(d, 2147483647, "round").s, roundScaleMax);
  assert.deepEqual(roundDec(d, -2147483647, "round"), { v: 0n, s: 0 });
  assert.deepEqual(roundDec({ v: -155n, s: 1 }, -100000, "trunc"), { v: 0n, s: 0 });
  // places just left of the first digit still round up
  assert.deepEqual(roundDec({ v: 5n, s: 0 }, -1, "round"), { v: 10n, s: 0 });
  assert.deepEqual(roundDec({ v: 99n, s: 0 }, -2, "round"), { v: 100n, s: 0 });
  assert.deepEqual(roundDec({ v: 99n, s: 0 }, -3, "round"), { v: 0n, s: 0 });
});
