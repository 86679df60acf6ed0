import assert from "node:assert/strict";
import {
  addDec,
  compareDec,
  decKey,
  divDec,
  fitDec,
  formatDec,
  modDec,
  mulDec,
  parseDec,
  sqrtDec,
  subDec,
} from "./numeric.ts";
import { DbError } from "../errors.ts";

const f = (a: string) => parseDec(a);

Deno.test("numeric text round-trips with its scale", () => {
  for (const t of ["0", "1.50", "-12.345", "0.001", "123456789012345678901234567890.5"]) {
    assert.equal(formatDec(parseDec(t)), t);
  }
  assert.equal(formatDec(parseDec(".5")), "0.5");
  assert.equal(formatDec(parseDec("1e3")), "1000");
  assert.equal(formatDec(parseDec("1.5e-2")), "0.015");
  assert.throws(() => parseDec("abc"), (e: unknown) => e instanceof DbError && e.code === "22P02");
});

Deno.test("arithmetic keeps PostgreSQL's scales", () => {
  assert.equal(formatDec(addDec(f("1.5"), f("2.25"))), "3.75");
  assert.equal(formatDec(subDec(f("1"), f("0.001"))), "0.999");
  assert.equal(formatDec(mulDec(f("1.5"), f("2.25"))), "3.375");
  assert.equal(formatDec(modDec(f("-7.5"), f("2"))), "-1.5");
  // select_div_scale: at least 16 significant digits
  assert.equal(formatDec(divDec(f("1"), f("3"))), "0.33333333333333333333");
  assert.equal(formatDec(divDec(f("10"), f("3"))), "3.3333333333333333");
  assert.equal(formatDec(divDec(f("2"), f("3"))), "0.66666666666666666667");
  assert.equal(formatDec(divDec(f("100"), f("7"))), "14.2857142857142857");
  assert.equal(formatDec(divDec(f("1.00"), f("8"))), "0.12500000000000000000");
  assert.throws(
    () => divDec(f("1"), f("0")),
    (e: unknown) => e instanceof DbError && e.code === "22012",
  );
});

Deno.test("comparison ignores scale; keys too; fitting rounds half away from zero", () => {
  assert.equal(compareDec(f("1.50"), f("1.5")), 0);
  assert.equal(compareDec(f("-2"), f("1.5")), -1);
  assert.equal(decKey("1.50"), decKey("1.5"));
  assert.equal(decKey("-0.00"), "0");
  assert.equal(formatDec(fitDec(f("2.345"), 5, 2)), "2.35");
  assert.equal(formatDec(fitDec(f("-2.345"), 5, 2)), "-2.35");
  assert.throws(
    () => fitDec(f("1000"), 5, 2),
    (e: unknown) => e instanceof DbError && e.code === "22003",
  );
});

Deno.test("sqrtDec of a value past the float range (robustness: stddev of -1 and -1e301)", () => {
  // 10^700 is beyond a double: the root starts from the bit length
  const big = parseDec(`1${"0".repeat(700)}`);
  assert.equal(formatDec(sqrtDec(big, 0)), `1${"0".repeat(350)}`);
  assert.equal(formatDec(sqrtDec(parseDec(`2${"0".repeat(700)}`), 2)).slice(0, 12), "141421356237");
});

Deno.test("sqrtDec when the float estimate of the root is far below it (robustness: a hang)", () => {
  // stddev of -0.5 and 0: sqrt(0.125) at a scale whose scaled integer has ~80 digits
  assert.equal(
    formatDec(sqrtDec(parseDec("0.125"), 40)),
    "0.3535533905932737622004221810524245196424",
  );
});
